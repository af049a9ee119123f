// SPDX-License-Identifier: GPL-2.0
/*
 * Ordinary C programs on musl and libilwaco's POSIX layer (issue 12):
 * the guests selftests/guests/libc_*.c, each an unmodified-looking C
 * program whose system calls libilwaco serves in the guest.  Each guest
 * says at its top what it expects; this checks the console and the exit
 * status that reach the host.
 */
#include "kselftest_harness.h"
#include "denali_runner.h"

#define MEM (16ull << 20)

FIXTURE(libc) {
	int vm;
	struct denali_run run;
	char out[65536];
};

FIXTURE_SETUP(libc)
{
	self->vm = -1;
	if (geteuid())
		SKIP(return, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());
}

FIXTURE_TEARDOWN(libc)
{
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Run guest @name with @mem bytes to its exit; its console lands in @out
 * (@cap bytes).  A guest that crashed instead shows its report and console.
 */
static void run_libc(struct __test_metadata *_metadata, int *vm,
		     struct denali_run *run, char *out, size_t cap,
		     const char *name, unsigned long long mem)
{
	*vm = denali_create_file(name, mem);
	ASSERT_LE(0, *vm) TH_LOG("%s: %s", name, strerror(-*vm));
	ASSERT_EQ(0, denali_run(*vm, run));
	denali_console_drain(*vm, out, cap);
	ASSERT_EQ(DENALI_STOP_EXIT, run->reason)
		TH_LOG("%s stopped (reason %u: %s at %#llx); console:\n%s",
		       name, run->reason, run->crash.description,
		       run->crash.regs.rip, out);
}

#define run_libc_guest(_metadata, self, name, mem) \
	run_libc(_metadata, &(self)->vm, &(self)->run, (self)->out, \
		 sizeof((self)->out), name, mem)

/* stdio, strings, numbers, malloc to exhaustion, time, signals. */
TEST_F(libc, basic_conformance)
{
	run_libc_guest(_metadata, self, "libc_basic", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "FAIL ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "libc_basic: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"));
}

/* The smallest guest memory still runs it, and exhaustion is ENOMEM. */
TEST_F(libc, basic_in_the_smallest_vm)
{
	run_libc_guest(_metadata, self, "libc_basic", DENALI_GUEST_MEM_MIN * 2);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"))
		TH_LOG("%s", self->out);
}

/* exit(): atexit, then stdio flushed, then the status. */
TEST_F(libc, exit_runs_atexit_flushes_and_reports_status)
{
	run_libc_guest(_metadata, self, "libc_exit", MEM);
	EXPECT_EQ(42, self->run.exit_status);
	EXPECT_STREQ("buffered line\natexit ran\nno newline, flushed at exit",
		     self->out);
}

/* abort(): a report and 128 + SIGABRT, not a silent halt. */
TEST_F(libc, abort_ends_the_vm_with_a_report)
{
	run_libc_guest(_metadata, self, "libc_abort", MEM);
	EXPECT_EQ(128 + 6, self->run.exit_status);
	EXPECT_STREQ("about to abort\n"
		     "libilwaco: signal 6 SIGABRT raised: the VM ends\n",
		     self->out);
}

/* musl's a_crash() (a bad free here): a report, status 125. */
TEST_F(libc, musl_internal_crash_reports)
{
	run_libc_guest(_metadata, self, "libc_crash", MEM);
	EXPECT_EQ(125, self->run.exit_status);
	EXPECT_STREQ("freeing a bad pointer\n"
		     "libilwaco: musl found its state corrupt (a_crash): the VM ends\n",
		     self->out);
}

/*
 * The thread pointer through the set_base hypercall, wrfsbase marked
 * unusable (ABI 0.5), and errno behind it.  The guest's first line says
 * which path start-up took; the lanes' CPUs have FSGSBASE, so there
 * both paths run.
 */
TEST_F(libc, fs_base_by_hypercall)
{
	run_libc_guest(_metadata, self, "libc_fsbase", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, strncmp(self->out, "wrfsbase: ", 10));
	TH_LOG("%.*s", (int)strcspn(self->out, "\n"), self->out);
}

/* pthreads: condvars, join, detached, errno per thread, 1,000 threads. */
TEST_F(libc, threads)
{
	run_libc_guest(_metadata, self, "libc_threads", 64ull << 20);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "libc_threads: "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"))
		TH_LOG("%s", self->out);
}

/* Read the console of @vm into @out until it holds @want; true if it did. */
static bool console_until(int vm, char *out, size_t cap, const char *want,
			  long ms)
{
	struct timespec t0;
	size_t got = strlen(out);
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!strstr(out, want) && denali_ms_since(&t0) < ms) {
		n = read(vm, out + got, cap - 1 - got);
		if (n > 0)
			out[got += n] = '\0';
		else
			denali_sleep_ms(10);
	}
	return strstr(out, want) != NULL;
}

static unsigned long long vm_exits(int vm)
{
	struct denali_stats st;
	unsigned long long n = 0;
	int k;

	memset(&st, 0, sizeof(st));
	if (ioctl(vm, DENALI_GET_STATS, &st))
		return ~0ull;
	for (k = 0; k < DENALI_EXIT_KINDS; k++)
		n += st.exits[k];
	return n;
}

/*
 * Four blocked threads (sleeping, waiting on a condvar, reading the
 * console) and a joining main: no exit in 10 s.  Console input then
 * wakes the reader, and only it.
 */
TEST_F_TIMEOUT(libc, idle_threads_make_no_exits, 60)
{
	struct denali_runner r;
	unsigned long long before, after;

	self->out[0] = '\0';
	self->vm = denali_create_file("libc_idle", MEM);
	ASSERT_LE(0, self->vm) TH_LOG("libc_idle: %s", strerror(-self->vm));
	ASSERT_EQ(0, denali_runner_start(&r, self->vm, -1, 0));
	ASSERT_TRUE(console_until(self->vm, self->out, sizeof(self->out),
				  "idle\n", 10000)) TH_LOG("%s", self->out);
	denali_sleep_ms(500);	/* the last printf's exit, and settling */
	before = vm_exits(self->vm);
	sleep(10);
	after = vm_exits(self->vm);
	EXPECT_EQ(before, after) TH_LOG("%llu exits in 10 s", after - before);
	ASSERT_EQ(1, write(self->vm, "x", 1));
	EXPECT_TRUE(denali_runner_wait(&r, 10000));
	if (r.created)
		denali_runners_stop(&r, 1, 5000);
	EXPECT_EQ(DENALI_STOP_EXIT, r.run.reason);
	EXPECT_EQ(7, r.run.exit_status);
	EXPECT_TRUE(console_until(self->vm, self->out, sizeof(self->out),
				  "read: x\n", 2000)) TH_LOG("%s", self->out);
}

/* poll/select: timeouts, then a poll with none that console input ends. */
TEST_F_TIMEOUT(libc, poll_and_select_on_the_console, 60)
{
	struct denali_runner r;

	self->out[0] = '\0';
	self->vm = denali_create_file("libc_poll", MEM);
	ASSERT_LE(0, self->vm) TH_LOG("libc_poll: %s", strerror(-self->vm));
	ASSERT_EQ(0, denali_runner_start(&r, self->vm, -1, 0));
	ASSERT_TRUE(console_until(self->vm, self->out, sizeof(self->out),
				  "waiting\n", 10000)) TH_LOG("%s", self->out);
	denali_sleep_ms(200);	/* let it block in poll first */
	ASSERT_EQ(5, write(self->vm, "hello", 5));
	EXPECT_TRUE(denali_runner_wait(&r, 10000));
	if (r.created)
		denali_runners_stop(&r, 1, 5000);
	console_until(self->vm, self->out, sizeof(self->out), "failed\n", 2000);
	EXPECT_EQ(DENALI_STOP_EXIT, r.run.reason);
	EXPECT_EQ(0, r.run.exit_status) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "got: hello\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"))
		TH_LOG("%s", self->out);
}

/* The read-only tree: reads, seeks, stat, mmap, listings, EROFS. */
TEST_F(libc, file_tree)
{
	run_libc_guest(_metadata, self, "libc_files", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "libc_files: "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " checks, 0 failed\n"))
		TH_LOG("%s", self->out);
}

/* A program built with ilwaco-cc --files, as a user would. */
TEST_F(libc, ilwaco_cc_builds_a_guest)
{
	run_libc_guest(_metadata, self, "cc_prog", MEM);
	EXPECT_EQ(3, self->run.exit_status);
	EXPECT_STREQ("argc=0 motd=hello from the tree\n", self->out);
}

/*
 * Lua 5.4 from Debian's source package, unmodified (tools/build-lua),
 * runs a script given on its command line: strings, floats, tables,
 * closures, pcall/error, os.time from the host's clock, string.format.
 */
TEST_F(libc, lua_from_debian_runs_a_script)
{
	static const char *const lines[] = {
		"local t = {}",
		"for i = 1, 100000 do t[i] = i * i end",
		"local function add(n) return function(x) return x + n end; end",
		"local ok, err = pcall(error, 'boom')",
		"print(#t, t[100000], add(2)(40), ok, err, ('ab'):rep(3),",
		"      string.format('%5.2f', math.pi), os.time() > 1704067200)",
		"os.exit(5)",
	};
	static const char *const head[] = { "lua", "-e" };
	char script[512] = "", args[1024];
	struct denali_create_vm c;
	int fd = denali_guest_image("lua"), dev;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		strcat(script, lines[i]);
		strcat(script, "\n");
	}

	ASSERT_LE(0, fd) TH_LOG("lua.img: %s", strerror(-fd));
	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.image_fd = fd;
	c.args = (unsigned long)args;
	c.args_len = denali_pack_args(args, sizeof(args), head, 2);
	ASSERT_LT(0, c.args_len);
	memcpy(args + c.args_len, script, strlen(script) + 1);
	c.args_len += strlen(script) + 1;
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	self->vm = ioctl(dev, DENALI_CREATE_VM, &c);
	close(dev);
	close(fd);
	ASSERT_LE(0, self->vm) TH_LOG("%s", c.error);
	ASSERT_EQ(0, denali_run(self->vm, &self->run));
	denali_console_drain(self->vm, self->out, sizeof(self->out));
	ASSERT_EQ(DENALI_STOP_EXIT, self->run.reason) TH_LOG("%s", self->out);
	EXPECT_EQ(5, self->run.exit_status);
	EXPECT_STREQ("100000\t10000000000\t42\tfalse\tboom\tababab\t 3.14\ttrue\n",
		     self->out);
}

TEST_HARNESS_MAIN
