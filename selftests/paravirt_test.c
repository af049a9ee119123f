// SPDX-License-Identifier: GPL-2.0
/*
 * The para-virtual architecture (ABI 0.3) beyond idle (idle_test.c):
 *
 *  1. virtual interrupts: raises while the VM is switched out are
 *     batched into one upcall; masked interrupts wait for the guest to
 *     enable them; an upcall resumes the interrupted code with every
 *     register intact, thousands of times; DENALI_RAISE_IRQ refuses what
 *     it must;
 *  2. the clock never goes backwards while the runner migrates between
 *     CPUs;
 *  3. a hostile guest: nonsense in the writable register page stops that
 *     VM with a crash report (or is ignored, where the ABI says so), and
 *     the host carries on;
 *  4. console input: write(2) on the VM fd reaches console_read whole and
 *     in order, with DENALI_IRQ_CONSOLE; a full queue and a stopped VM
 *     refuse it;
 *  5. boot arguments reach main() exactly; malformed ones are refused;
 *  6. the read-only register page says who the VM is and stays
 *     read-only.
 *
 * The guests are guests/pv_*.img, each with a top comment saying what it
 * expects and prints; most take their mode as boot arguments.  A VM's
 * DENALI_RUN loop runs in its own thread, a "runner", so that the test
 * can raise interrupts, write input and move it between CPUs meanwhile;
 * the runner carries on after EINTR.  The checks are counts and
 * orderings; times only turn a hang into a failure.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "kselftest_harness.h"
#include "denali_util.h"
#include "denali_runner.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define NS_PER_MS	1000000ull

/* Hang detectors: far beyond what a working module needs under TCG. */
#define HANG_MS		60000
#define TEST_TIMEOUT_S	120

#define BATCH_SAME_RAISES	100
#define MASKED_RAISES		1000
#define REGS_UPCALLS		2000
#define MIGRATIONS		200
#define INPUT_BYTES		(10 * 1024)
#define INPUT_CHUNK		1000
#define INPUT_PERIOD		251	/* pv_echo's pattern: byte i is i % 251 */

#define RUNNER_CPU	1	/* where a guest runs while the test raises */
#define TEST_CPU	0

/* exit(7) */
static const unsigned char exit7[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%eax: exit */
	0xbf, 0x07, 0x00, 0x00, 0x00,		/* mov $7,%edi */
	0xcd, 0x1f,				/* int $0x1f */
};

/* ---- helpers ------------------------------------------------------------- */


/*
 * DENALI_CREATE_VM with @c as it is; the VM fd or -errno, the module's
 * explanation left in c->error.
 */
static int create_req(struct denali_create_vm *c)
{
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC), vm, saved;

	if (dev < 0)
		return -errno;
	vm = ioctl(dev, DENALI_CREATE_VM, c);
	saved = errno;
	close(dev);
	return vm < 0 ? -saved : vm;
}

/*
 * Create a VM of guests/@guest.img with the @argc boot arguments @argv;
 * the VM fd, or -errno.  Its id goes to @id.
 */
static int create_guest(const char *guest, const char *const *argv, int argc,
			__u32 *id)
{
	char args[DENALI_ARGS_MAX];
	struct denali_create_vm c;
	int vm;

	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.args_len = denali_pack_args(args, sizeof(args), argv, argc);
	if (argc && !c.args_len)
		return -E2BIG;
	c.args = c.args_len ? (__u64)(unsigned long)args : 0;
	c.image_fd = denali_guest_image(guest);
	if (c.image_fd < 0)
		return c.image_fd;
	vm = create_req(&c);
	close(c.image_fd);
	if (vm >= 0)
		*id = c.id;
	return vm;
}

static int get_stats(int vm, struct denali_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(vm, DENALI_GET_STATS, st) ? -errno : 0;
}

static int raise_irq(int vm, __u64 bits)
{
	struct denali_irq irq = { .bits = bits };

	return ioctl(vm, DENALI_RAISE_IRQ, &irq) ? -errno : 0;
}

static int destroy_id(__u32 id)
{
	struct denali_vm_ref ref = { .id = id };
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = ioctl(dev, DENALI_DESTROY_VM, &ref) ? -errno : 0;
	close(dev);
	return ret;
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* What the test has read of a VM's console so far. */
struct console {
	char text[64 * 1024];
	size_t len;
};

/*
 * Read VM @vm's console into @con until it holds @want, the VM stops, or
 * HANG_MS pass; true if @want arrived.
 */
static bool console_wait(int vm, struct console *con, const char *want)
{
	struct pollfd p = { .fd = vm, .events = POLLIN };
	struct timespec t0;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!strstr(con->text, want) && denali_ms_since(&t0) < HANG_MS) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(vm, con->text + con->len,
			 sizeof(con->text) - 1 - con->len);
		if (n <= 0)
			break;
		con->len += n;
		con->text[con->len] = '\0';
	}
	return strstr(con->text, want);
}

/* Read the rest of a stopped VM's console into @con. */
static void console_drain(int vm, struct console *con)
{
	ssize_t n;

	while (con->len + 1 < sizeof(con->text)) {
		n = read(vm, con->text + con->len,
			 sizeof(con->text) - 1 - con->len);
		if (n <= 0)
			break;
		con->len += n;
	}
	con->text[con->len] = '\0';
}

/* ---- the fixture --------------------------------------------------------- */

FIXTURE(pv) {
	int vm;
	__u32 id;
	bool two_cpus;
	struct denali_runner r;
	struct console con;
};

FIXTURE_SETUP(pv)
{
	self->vm = -1;
	self->r.created = false;
	self->con.len = 0;
	self->con.text[0] = '\0';
	if (geteuid())
		SKIP(return, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());
	self->two_cpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* End whatever a failed test left running, then close its VM. */
FIXTURE_TEARDOWN(pv)
{
	if (self->r.created) {
		destroy_id(self->id);
		if (!denali_runner_wait(&self->r, HANG_MS))
			pthread_detach(self->r.thread);
	}
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Make self->vm a fresh VM of guests/@guest.img with the boot arguments
 * that follow, closing the previous one and forgetting its console.
 */
#define NEW_VM(guest, ...) do {						\
	const char *const argv_[] = { __VA_ARGS__ };			\
	if (self->vm >= 0)						\
		close(self->vm);					\
	self->con.len = 0;						\
	self->con.text[0] = '\0';					\
	self->vm = create_guest(guest, argv_, ARRAY_SIZE(argv_),	\
				&self->id);				\
	ASSERT_LE(0, self->vm) TH_LOG("%s: %s", guest,			\
				      strerror(-self->vm));		\
} while (0)

/* Run self->vm in a runner on @cpu (-1: anywhere). */
#define START(cpu) ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, cpu, 0))

/* Wait for the runner to stop the VM and read the rest of its console. */
#define WAIT_STOP() do {						\
	ASSERT_TRUE(denali_runner_wait(&self->r, HANG_MS))		\
		TH_LOG("the guest is still running: %s",		\
		       self->con.text);					\
	console_drain(self->vm, &self->con);				\
	ASSERT_EQ(0, self->r.ret);					\
} while (0)

/*
 * ... and check that it exited with @want_status, having printed
 * @want_text.
 */
#define EXPECT_EXIT(want_status, want_text) do {			\
	WAIT_STOP();							\
	ASSERT_EQ(DENALI_STOP_EXIT, self->r.run.reason)			\
		TH_LOG("stopped for %u: %s; console: %s",		\
		       self->r.run.reason,				\
		       self->r.run.crash.description, self->con.text);	\
	EXPECT_EQ(want_status, self->r.run.exit_status)			\
		TH_LOG("%s", self->con.text);				\
	if (self->r.run.exit_status == (want_status)) {			\
		EXPECT_NE(NULL, strstr(self->con.text, want_text))	\
			TH_LOG("%s", self->con.text);			\
	}								\
} while (0)

/*
 * ... and check that it crashed for breaking the register contract,
 * with a description that holds @words.
 */
#define EXPECT_VREGS_CRASH(words) do {					\
	WAIT_STOP();							\
	ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason)		\
		TH_LOG("stopped for %u; console: %s",			\
		       self->r.run.reason, self->con.text);		\
	EXPECT_EQ(DENALI_CRASH_VREGS, self->r.run.crash.cause)		\
		TH_LOG("%s", self->r.run.crash.description);		\
	EXPECT_EQ(0, self->r.run.crash.vector);				\
	EXPECT_NE(NULL, strstr(self->r.run.crash.description, words))	\
		TH_LOG("description: '%s'",				\
		       self->r.run.crash.description);			\
} while (0)

/* After a crash, the host still runs a new guest normally. */
static void expect_healthy_host(struct __test_metadata *_metadata)
{
	struct denali_run run;
	int vm = denali_create_code(exit7, sizeof(exit7), MEM);

	ASSERT_LE(0, vm) TH_LOG("%s", strerror(-vm));
	EXPECT_EQ(0, denali_run(vm, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(7, run.exit_status);
	close(vm);
}

/* ---- 1. virtual interrupts ----------------------------------------------- */

/*
 * Sixteen different bits raised while the VM is switched out (created,
 * not yet run) arrive in one upcall that carries all of them; the module
 * counts sixteen raises and one upcall.
 */
TEST_F_TIMEOUT(pv, sixteen_raises_batch_into_one_upcall, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	int n;

	NEW_VM("pv_irq", "batch", "0xffff0000");
	for (n = 0; n < 16; n++)
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(n)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0xffff0000\n");
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(16, st.irqs_raised);
}

/* Many raises of one bit while switched out: one upcall, all counted. */
TEST_F_TIMEOUT(pv, same_bit_raised_many_times_is_one_upcall, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	int n;

	NEW_VM("pv_irq", "batch", "0x800000");
	for (n = 0; n < BATCH_SAME_RAISES; n++)
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(7)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0x800000\n");
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(BATCH_SAME_RAISES, st.irqs_raised);
}

/*
 * With interrupts disabled, raises wake the idle guest and interrupt the
 * running one, but no upcall runs (the guest checks throughout); once it
 * enables them, exactly one upcall brings everything raised meanwhile.
 */
TEST_F_TIMEOUT(pv, masked_interrupts_wait_for_enable, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	struct timespec t0;
	int n;

	NEW_VM("pv_irq", "masked");
	ASSERT_EQ(0, pin_self(TEST_CPU));	/* CPU 0 always exists */
	START(self->two_cpus ? RUNNER_CPU : -1);
	ASSERT_TRUE(console_wait(self->vm, &self->con, "masked: idle\n"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!get_stats(self->vm, &st) && !st.idle_sleeps &&
	       denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	ASSERT_EQ(1, st.idle_sleeps);
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(1)));

	ASSERT_TRUE(console_wait(self->vm, &self->con, "masked: spin\n"))
		TH_LOG("%s", self->con.text);
	for (n = 0; n < MASKED_RAISES; n++)
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(3)));
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(2)));

	EXPECT_EXIT(0, "1 upcall with bits 0xe0000\n");
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(MASKED_RAISES + 2, st.irqs_raised);
	TH_LOG("%llu interrupt exits: %s", st.exits[DENALI_EXITK_INTERRUPT],
	       self->con.text);
}

/*
 * The guest keeps known, changing values in all fifteen general-purpose
 * registers besides RSP and checks them in a tight loop, while the test
 * raises an interrupt from the other CPU, one upcall at a time, thousands
 * of times.  Every handler clobbers registers, every other one all of
 * them, RSP and the flags included.  The guest never sees a register
 * change.
 */
TEST_F_TIMEOUT(pv, registers_survive_thousands_of_upcalls, TEST_TIMEOUT_S)
{
	unsigned long long upcalls = 0, in_loop = 0, iterations = 0;
	struct denali_stats st;
	struct timespec t0;
	const char *p;
	int n;

	if (!self->two_cpus)
		SKIP(return, "needs a second CPU to raise interrupts from");
	NEW_VM("pv_regs");
	ASSERT_EQ(0, pin_self(TEST_CPU));
	START(RUNNER_CPU);
	ASSERT_TRUE(console_wait(self->vm, &self->con, "regs: ready\n"));
	for (n = 0; n < REGS_UPCALLS && !atomic_load(&self->r.done); n++) {
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(n % 15)));
		/*
		 * One upcall per raise: the next raise waits until this
		 * one's handler has taken the bit (and said so with a null
		 * hypercall), or the two would be batched into one upcall.
		 */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!get_stats(self->vm, &st) &&
		       st.hypercalls[DENALI_HC_NULL] <= (__u64)n &&
		       !atomic_load(&self->r.done) && denali_ms_since(&t0) < HANG_MS)
			sched_yield();
		if (atomic_load(&self->r.done))
			break;		/* the guest's report says why */
		ASSERT_LT(n, st.hypercalls[DENALI_HC_NULL])
			TH_LOG("raise %d brought no upcall", n);
	}
	/* EPIPE if the guest stopped early: then its console says why. */
	EXPECT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(15)));
	EXPECT_EXIT(0, " 0 corruptions\n");
	ASSERT_EQ(0, self->r.run.exit_status);
	/* The last line: "regs: ready\n" came first. */
	p = strstr(self->con.text, "ready\nregs: ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->con.text);
	p += strlen("ready\n");
	n = sscanf(p, "regs: %llu upcalls (%llu in the loop), %llu iterations",
		   &upcalls, &in_loop, &iterations);
	ASSERT_EQ(3, n) TH_LOG("%s", p);
	ASSERT_EQ(0, get_stats(self->vm, &st));
	TH_LOG("%llu upcalls, %llu in the loop, %llu iterations, %llu interrupt exits",
	       upcalls, in_loop, iterations,
	       st.exits[DENALI_EXITK_INTERRUPT]);
	EXPECT_EQ(REGS_UPCALLS + 1, upcalls);
	EXPECT_EQ(st.upcalls, upcalls);
	EXPECT_EQ(REGS_UPCALLS + 1, st.irqs_raised);
	/*
	 * The loop is where the guest spends its time; only the first
	 * upcalls can find it before the loop.  Half is a floor that says
	 * the registers were really under test.
	 */
	EXPECT_LE(upcalls / 2, in_loop);
}

/* DENALI_RAISE_IRQ takes only DENALI_IRQ_USER bits, and not once stopped. */
TEST_F_TIMEOUT(pv, raise_irq_refuses_bad_requests, TEST_TIMEOUT_S)
{
	struct denali_irq irq;
	struct denali_stats st;

	NEW_VM("pv_irq", "batch", "0x10000");
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, 0));
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, DENALI_IRQ_TIMER));
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, DENALI_IRQ_CONSOLE));
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, DENALI_IRQ_NET));
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, DENALI_IRQ_USER(0) | 1ull << 40));
	EXPECT_EQ(-EINVAL, raise_irq(self->vm, 1ull << 63));
	irq = (struct denali_irq){ .bits = DENALI_IRQ_USER(0), .flags = 1 };
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, &irq));
	EXPECT_EQ(EINVAL, errno);
	irq = (struct denali_irq){ .bits = DENALI_IRQ_USER(0), .pad = 1 };
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, &irq));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(0, st.irqs_raised);

	/* None of those was raised: the guest sees only this one. */
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0x10000\n");
	EXPECT_EQ(-EPIPE, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(1, st.irqs_raised);
}

/* ---- 2. the clock -------------------------------------------------------- */

/*
 * The guest reads its clock (by the TSC where the clock page allows it,
 * by hypercall, and the page's host_ns) in a loop while the test moves
 * its runner between CPU 0 and CPU 1, many times: no reading is ever
 * smaller than one before it.
 */
TEST_F_TIMEOUT(pv, clock_monotonic_across_migrations, TEST_TIMEOUT_S)
{
	unsigned long long reads = 0;
	int i, n, tid, cpu, landed = 0;
	struct timespec t0;
	cpu_set_t set;
	const char *p;

	if (!self->two_cpus)
		SKIP(return, "needs two CPUs to migrate between");
	NEW_VM("pv_clock");
	START(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&self->r.tid) && denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	tid = atomic_load(&self->r.tid);
	ASSERT_NE(0, tid);
	for (i = 1; i <= MIGRATIONS && !atomic_load(&self->r.done); i++) {
		cpu = i % 2;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, sched_setaffinity(tid, sizeof(set), &set));
		/* The move is done when sched_setaffinity returns. */
		landed += denali_task_cpu(tid) == cpu;
		denali_sleep_ms(2);
	}
	/* EPIPE if the guest stopped early: then its console says why. */
	EXPECT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	EXPECT_EXIT(0, ", 0 backwards\n");
	EXPECT_EQ(MIGRATIONS, landed);
	ASSERT_EQ(0, self->r.run.exit_status);
	p = strstr(self->con.text, "clock: ");
	ASSERT_NE(NULL, p);
	n = sscanf(p, "clock: %llu reads", &reads);
	ASSERT_EQ(1, n) TH_LOG("%s", p);
	EXPECT_LT(0, reads);
	TH_LOG("%d migrations: %s", landed, p);
}

/* ---- 3. a hostile guest -------------------------------------------------- */

/*
 * An upcall due with upcall_entry outside guest memory (below the image
 * base, at or above mem_size, non-canonical) stops the VM with a report
 * naming the entry.
 */
TEST_F_TIMEOUT(pv, hostile_upcall_entry_crashes, TEST_TIMEOUT_S)
{
	static const char *const bad[] = {
		"0", "0x1000", "0x5000", "0xfff0", "0x100000", "0x101000",
		"0x8000000000000000", "0xffffffffffffff00",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_hostile", "entry", bad[i]);
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("entry");
		TH_LOG("upcall_entry %s: %s", bad[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/* Likewise upcall_stack outside (DENALI_GUEST_IMAGE_BASE, mem_size]. */
TEST_F_TIMEOUT(pv, hostile_upcall_stack_crashes, TEST_TIMEOUT_S)
{
	static const char *const bad[] = {
		"0x8", "0x5000", "0x10000", "0x100010", "0x200000",
		"0x8000000000000000", "0xfffffffffffffff0",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_hostile", "stack", bad[i]);
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("stack");
		TH_LOG("upcall_stack %s: %s", bad[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/*
 * upcall_return checks the frame it resumes: kernel selectors and a rip
 * outside guest memory stop the VM; IOPL and NT in rflags are dropped
 * (the guest resumes and finds them clear); an unchanged frame resumes,
 * and a rip moved elsewhere in the guest resumes there.
 */
TEST_F_TIMEOUT(pv, hostile_upcall_frame, TEST_TIMEOUT_S)
{
	static const char *const bad_rip[] = {
		"0", "0x5000", "0x100000", "0x8000000000000000",
		"0xffff800000000000",
	};
	unsigned int i;

	NEW_VM("pv_hostile", "frame", "none");
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "frame: resumed");

	NEW_VM("pv_hostile", "frame", "jump");
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	WAIT_STOP();
	EXPECT_EQ(DENALI_STOP_EXIT, self->r.run.reason);
	EXPECT_EQ(42, self->r.run.exit_status);

	NEW_VM("pv_hostile", "frame", "iopl");
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "frame: resumed");

	NEW_VM("pv_hostile", "frame", "cs");
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_VREGS_CRASH("cs");
	TH_LOG("cs 0x10: %s", self->r.run.crash.description);

	NEW_VM("pv_hostile", "frame", "ss");
	ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_VREGS_CRASH("ss");

	for (i = 0; i < ARRAY_SIZE(bad_rip); i++) {
		NEW_VM("pv_hostile", "frame", "rip", bad_rip[i]);
		ASSERT_EQ(0, raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("rip");
		TH_LOG("rip %s: %s", bad_rip[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/*
 * Pending bits outside DENALI_IRQ_ALL, set by the guest, are nobody's:
 * no upcall with interrupts enabled, and no early end to an idle.
 */
TEST_F_TIMEOUT(pv, hostile_pending_bits_are_ignored, TEST_TIMEOUT_S)
{
	struct denali_stats st;

	NEW_VM("pv_hostile", "bogus");
	START(-1);
	EXPECT_EXIT(0, "bogus: ignored");
	ASSERT_EQ(0, get_stats(self->vm, &st));
	EXPECT_EQ(0, st.upcalls);
	EXPECT_LE(1, st.idle_sleeps);
	expect_healthy_host(_metadata);
}

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
	vm = denali_create_code(exit7, sizeof(exit7), MEM);
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
	self->vm = create_guest("pv_args", argv, argc, &self->id);	\
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
	EXPECT_EQ(-(errnum), create_req(c));				\
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
	self->vm = create_req(&c);
	EXPECT_LE(0, self->vm) TH_LOG("%s", c.error);
	EXPECT_EQ(0, c.error[0]);
#undef FILL
	close(image);
}

/* ---- 6. the read-only register page -------------------------------------- */

/* The page names the ABI, the VM and its memory, as created. */
TEST_F_TIMEOUT(pv, ro_page_fields, TEST_TIMEOUT_S)
{
	char want[128];

	NEW_VM("pv_ro", "fields");
	START(-1);
	snprintf(want, sizeof(want), "ro: abi=%d.%d id=%u mem=%llu\n",
		 DENALI_ABI_MAJOR, DENALI_ABI_MINOR, self->id, MEM);
	EXPECT_EXIT(0, want);
}

/*
 * Writing the read-only page, reading the reserved range, or executing
 * either register page stops the VM with a page fault at that address.
 */
TEST_F_TIMEOUT(pv, ro_page_is_read_only_and_pages_not_executable,
	       TEST_TIMEOUT_S)
{
	static const struct {
		const char *how, *addr;
		__u64 cr2, error_code;	/* P | W | U | I/D bits of #PF */
		const char *words;
	} bad[] = {
		{ "write", "0x1000", 0x1000, 0x7, "write at 0x1000 (not permitted)" },
		{ "write", "0x1800", 0x1800, 0x7, "not permitted" },
		{ "write", "0x1fff", 0x1fff, 0x7, "not permitted" },
		{ "read", "0x3000", 0x3000, 0x4, "not mapped" },
		{ "exec", "0x1000", 0x1000, 0x15, "instruction fetch" },
		{ "exec", "0x2000", 0x2000, 0x15, "instruction fetch" },
	};
	struct denali_crash *c = &self->r.run.crash;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_ro", bad[i].how, bad[i].addr);
		START(-1);
		WAIT_STOP();
		ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason)
			TH_LOG("%s %s: %s", bad[i].how, bad[i].addr,
			       self->con.text);
		EXPECT_EQ(DENALI_CRASH_EXCEPTION, c->cause);
		EXPECT_EQ(14, c->vector);
		EXPECT_EQ(bad[i].cr2, c->cr2);
		EXPECT_EQ(bad[i].error_code, c->error_code & 0x1f)
			TH_LOG("%s %s", bad[i].how, bad[i].addr);
		EXPECT_NE(NULL, strstr(c->description, bad[i].words))
			TH_LOG("description: '%s'", c->description);
	}
	expect_healthy_host(_metadata);
}

TEST_HARNESS_MAIN
