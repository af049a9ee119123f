// SPDX-License-Identifier: GPL-2.0
/*
 * Console input and boot arguments.
 *
 * See pv_fixture.h for what the paravirt_*_test suites share.
 */
#include "pv_fixture.h"

/* ---- 4. console input ---------------------------------------------------- */

/*
 * INPUT_BYTES written in chunks, more than the input queue holds, reach
 * the guest in order with nothing lost: the writes block while the queue
 * is full and the guest, woken by DENALI_IRQ_CONSOLE, drains it.
 */
TEST_F_TIMEOUT(pv, console_input_arrives_whole_and_in_order, TEST_TIMEOUT_S)
{
	static unsigned char data[INPUT_BYTES];
	char total[16], want[64];
	size_t off = 0, n;
	ssize_t w;
	int i;

	for (i = 0; i < INPUT_BYTES; i++)
		data[i] = i % INPUT_PERIOD;
	snprintf(total, sizeof(total), "%d", INPUT_BYTES);
	NEW_VM("pv_echo", total);
	START(-1);
	while (off < INPUT_BYTES) {
		n = INPUT_BYTES - off < INPUT_CHUNK ? INPUT_BYTES - off :
						      INPUT_CHUNK;
		w = write(self->vm, data + off, n);
		/* EPIPE if the guest gave up: its console says why. */
		EXPECT_LT(0, w) TH_LOG("write at %zu: %s", off,
				       strerror(errno));
		if (w <= 0)
			break;
		off += w;
	}
	snprintf(want, sizeof(want), "echo: %d bytes in order", INPUT_BYTES);
	EXPECT_EXIT(0, want);
}

/*
 * The queue holds DENALI_CONSOLE_INPUT_BYTES: a write takes what fits,
 * then O_NONBLOCK writes fail with EAGAIN and poll(2) stops reporting
 * POLLOUT.
 */
TEST_F_TIMEOUT(pv, console_input_full_queue, TEST_TIMEOUT_S)
{
	static char data[DENALI_CONSOLE_INPUT_BYTES + 1000];
	struct pollfd p;

	NEW_VM("pv_echo", "1");
	p = (struct pollfd){ .fd = self->vm, .events = POLLOUT };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLOUT);
	ASSERT_EQ(0, fcntl(self->vm, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(DENALI_CONSOLE_INPUT_BYTES,
		  write(self->vm, data, sizeof(data)));
	EXPECT_EQ(-1, write(self->vm, data, 1));
	EXPECT_EQ(EAGAIN, errno);
	p = (struct pollfd){ .fd = self->vm, .events = POLLOUT };
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_FALSE(p.revents & POLLOUT);
}

struct writer {
	int fd;
	ssize_t ret;
	int err;
	atomic_int done;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char c = 0;

	w->ret = write(w->fd, &c, 1);
	w->err = errno;
	atomic_store(&w->done, 1);
	return NULL;
}

/*
 * Input to a stopped VM fails with EPIPE, including a write that was
 * blocked on a full queue when the guest stopped.
 */
TEST_F_TIMEOUT(pv, console_input_to_stopped_vm_is_epipe, TEST_TIMEOUT_S)
{
	static char data[DENALI_CONSOLE_INPUT_BYTES];
	struct denali_run run;
	struct timespec t0;
	struct pollfd pfd;
	struct writer w;
	pthread_t t;
	int vm;

	signal(SIGPIPE, SIG_IGN);
	vm = denali_create_code(exit7, GUEST_CODE_LEN(exit7), MEM);
	ASSERT_LE(0, vm);
	self->vm = vm;
	ASSERT_EQ(DENALI_CONSOLE_INPUT_BYTES, write(vm, data, sizeof(data)));
	w.fd = vm;
	atomic_init(&w.done, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, writer_main, &w));
	denali_sleep_ms(100);		/* most likely blocked by now; either way */
	ASSERT_EQ(0, denali_run(vm, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&w.done) && denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	ASSERT_TRUE(atomic_load(&w.done))
		TH_LOG("a write blocked on the full queue outlived the guest");
	pthread_join(t, NULL);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(EPIPE, w.err);
	EXPECT_EQ(-1, write(vm, data, 1));
	EXPECT_EQ(EPIPE, errno);

	/*
	 * The queue is still full, yet a poller for room must not wait for
	 * ever: writable (the write fails at once), and no POLLERR, which
	 * would wake the runner that waits for the hang-up of a destroy.
	 */
	pfd.fd = vm;
	pfd.events = POLLOUT;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents & (POLLOUT | POLLERR));
	pfd.events = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/* ---- 5. boot arguments --------------------------------------------------- */

/* What pv_args prints for the @argc arguments @argv, into @want. */
static void args_output(char *want, size_t cap, const char *const *argv,
			int argc)
{
	size_t len = 0, args_len = 0;
	int i;

	len += snprintf(want + len, cap - len, "argc=%d\n", argc);
	for (i = 0; i < argc && len < cap; i++) {
		len += snprintf(want + len, cap - len, "argv[%d]=<%s>\n", i,
				argv[i]);
		args_len += strlen(argv[i]) + 1;
	}
	if (len < cap)
		snprintf(want + len, cap - len, "args_len=%zu\n", args_len);
}

/* Run pv_args with @argc arguments @argv; check its output is exact. */
#define EXPECT_ARGS(argv, argc) do {					\
	static char want_[sizeof(self->con.text)];			\
									\
	args_output(want_, sizeof(want_), argv, argc);			\
	if (self->vm >= 0)						\
		close(self->vm);					\
	self->con.len = 0;						\
	self->con.text[0] = '\0';					\
	self->vm = denali_create_guest("pv_args", MEM, argv, argc, &self->id);	\
	ASSERT_LE(0, self->vm) TH_LOG("%s", strerror(-self->vm));	\
	START(-1);							\
	WAIT_STOP();							\
	ASSERT_EQ(DENALI_STOP_EXIT, self->r.run.reason)			\
		TH_LOG("%s", self->r.run.crash.description);		\
	EXPECT_EQ((argc) & 0xff, self->r.run.exit_status & 0xff)	\
		TH_LOG("%s", self->con.text);				\
	EXPECT_STREQ(want_, self->con.text);				\
} while (0)

TEST_F_TIMEOUT(pv, boot_args_reach_main_exactly, TEST_TIMEOUT_S)
{
	static char long_arg[1001];
	const char *const argv[] = {
		"first", "", "with space", "tab\there", "line\nbreak", "x=1",
		"\xc3\xa9t\xc3\xa9", long_arg, "-", "last",
	};

	memset(long_arg, 'a', sizeof(long_arg) - 1);
	EXPECT_ARGS(argv, (int)ARRAY_SIZE(argv));
	EXPECT_ARGS(NULL, 0);
}

/*
 * DENALI_ARGS_MAX bytes are accepted, as one pair of long strings or as
 * that many empty ones.
 */
TEST_F_TIMEOUT(pv, boot_args_at_the_limit, TEST_TIMEOUT_S)
{
	static char a[DENALI_ARGS_MAX / 2], b[DENALI_ARGS_MAX / 2];
	static const char *argv[DENALI_ARGS_MAX];
	int i;

	memset(a, 'a', sizeof(a) - 1);
	memset(b, 'b', sizeof(b) - 1);
	argv[0] = a;
	argv[1] = b;
	EXPECT_ARGS(argv, 2);
	for (i = 0; i < DENALI_ARGS_MAX; i++)
		argv[i] = "";
	EXPECT_ARGS(argv, DENALI_ARGS_MAX);
}

#define EXPECT_ARGS_REFUSED(c, errnum, words) do {			\
	EXPECT_EQ(-(errnum), denali_create_req(c));				\
	EXPECT_NE(NULL, strstr((c)->error, words))			\
		TH_LOG("error text: '%s'", (c)->error);			\
} while (0)

/* Malformed boot arguments are refused, each with its reason. */
TEST_F_TIMEOUT(pv, boot_args_malformed_refused, TEST_TIMEOUT_S)
{
	static char args[DENALI_ARGS_MAX + 16];
	struct denali_create_vm c;
	int image = denali_guest_image("pv_args");

	ASSERT_LE(0, image);
	memset(args, 'x', sizeof(args));

#define FILL(ptr, len) do {						\
	memset(&c, 0, sizeof(c));					\
	c.mem_size = MEM;						\
	c.image_fd = image;						\
	c.args = (__u64)(unsigned long)(ptr);				\
	c.args_len = (len);						\
} while (0)

	/* Too long, though NUL-terminated. */
	args[DENALI_ARGS_MAX] = '\0';
	FILL(args, DENALI_ARGS_MAX + 1);
	EXPECT_ARGS_REFUSED(&c, EINVAL, "2048");
	/* Not NUL-terminated. */
	FILL(args, 5);
	EXPECT_ARGS_REFUSED(&c, EINVAL, "NUL");
	/* A length and no pointer, a pointer and no length. */
	FILL(NULL, 5);
	EXPECT_ARGS_REFUSED(&c, EINVAL, "args");
	args[4] = '\0';
	FILL(args, 0);
	EXPECT_ARGS_REFUSED(&c, EINVAL, "args");
	/* pad2 is not for use. */
	FILL(args, 5);
	c.pad2 = 1;
	EXPECT_ARGS_REFUSED(&c, EINVAL, "must be zero");
	/* A pointer the module cannot read. */
	FILL(8, 5);
	EXPECT_ARGS_REFUSED(&c, EFAULT, "boot arguments");

	/* And the well-formed neighbour of those is accepted. */
	FILL(args, 5);
	self->vm = denali_create_req(&c);
	EXPECT_LE(0, self->vm) TH_LOG("%s", c.error);
	EXPECT_EQ(0, c.error[0]);
#undef FILL
	close(image);
}

TEST_HARNESS_MAIN
