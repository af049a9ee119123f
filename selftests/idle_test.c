// SPDX-License-Identifier: GPL-2.0
/*
 * The idle hypercall (ABI 0.3): a guest that idles gives up its CPU until
 * a virtual interrupt is pending or its timeout has passed, never less,
 * and the expiry raises DENALI_IRQ_TIMER.  It returns at once when
 * something is already pending; a raise from another thread, a destroy
 * and a signal all wake it, the signal without ending the idle early for
 * the guest.  And an idle guest costs nothing: a thousand of them, each
 * with its own runner thread, make no exit and use no CPU time for ten
 * seconds.
 *
 * The guests are guests/pv_idle.img (its top comment says what each mode
 * expects) and, for the thousand, raw code.  Each VM's DENALI_RUN loop
 * runs in its own thread, a "runner", which carries on after EINTR, so a
 * signal interrupts one DENALI_RUN call but never ends the run.  The
 * checks are counts and orderings; times are either the contract's lower
 * bounds on an idle or hang detectors.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <time.h>

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define NS_PER_MS	1000000ull

/* Hang detectors: far beyond what a working module needs under TCG. */
#define HANG_MS		60000
#define TEST_TIMEOUT_S	120

/* pv_idle's "timeouts" mode: 3 rounds of 1, 5, 20 and 50 ms. */
#define TIMEOUTS_IDLES	12
#define TIMEOUTS_NS	(3 * (1 + 5 + 20 + 50) * NS_PER_MS)

/* The idle that signals interrupt, and how many signals it gets. */
#define LONG_IDLE_NS	(2000 * NS_PER_MS)
#define SIGNALS		3

/* A thousand idle VMs. */
#define IDLERS		1000
#define IDLE_WINDOW_S	10
#define IDLER_STACK	(64 * 1024)
#define IDLERS_TIMEOUT_S	600

/* The idler: idle(DENALI_IDLE_FOREVER), and again whenever it returns. */
GUEST_CODE(idler_code,
	"1:	mov $4, %eax		# idle\n"
	"	mov $-1, %rdi		# DENALI_IDLE_FOREVER\n"
	"	int $0x1f\n"
	"	jmp 1b\n");

/* ---- helpers ------------------------------------------------------------- */

/* Wait up to HANG_MS until VM @vm has begun @n idle sleeps. */
static bool wait_idle_sleeps(int vm, unsigned long long n)
{
	struct denali_stats st;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!denali_get_stats(vm, &st) && st.idle_sleeps < n &&
	       denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	return st.idle_sleeps >= n;
}

/* ---- one guest at a time ------------------------------------------------- */

FIXTURE(idle) {
	int vm;
	__u32 id;
	struct denali_runner r;
	char out[4096];
};

FIXTURE_SETUP(idle)
{
	self->vm = -1;
	self->r.created = false;
	if (!denali_setup_module(_metadata))
		return;
	ASSERT_EQ(0, denali_runner_signals());
}

FIXTURE_TEARDOWN(idle)
{
	denali_runner_end(&self->r, self->id, HANG_MS);
	if (self->vm >= 0)
		close(self->vm);
}

/* Create pv_idle with @argv (NULL-terminated) into self->vm. */
#define CREATE_PV_IDLE(...) do {					\
	const char *const argv_[] = { __VA_ARGS__ };			\
	self->vm = denali_create_guest("pv_idle", MEM, argv_, ARRAY_SIZE(argv_),	\
				&self->id);				\
	ASSERT_LE(0, self->vm) TH_LOG("%s", strerror(-self->vm));	\
} while (0)

/*
 * Wait for the runner to stop the VM, then check it exited 0 and read
 * its console into self->out.
 */
#define EXPECT_CLEAN_EXIT() do {					\
	ASSERT_TRUE(denali_runner_wait(&self->r, HANG_MS))			\
		TH_LOG("the guest is still running");			\
	denali_console_drain(self->vm, self->out, sizeof(self->out));	\
	ASSERT_EQ(0, self->r.ret);					\
	ASSERT_EQ(DENALI_STOP_EXIT, self->r.run.reason)			\
		TH_LOG("stopped for %u: %s", self->r.run.reason,	\
		       self->r.run.crash.description);			\
	EXPECT_EQ(0, self->r.run.exit_status) TH_LOG("%s", self->out);	\
} while (0)

/*
 * Idles of 1, 5, 20 and 50 ms, three of each: by the guest's clock each
 * lasts its timeout and ends with DENALI_IRQ_TIMER pending and nothing
 * else; by the host's clock the run lasts at least their sum.  Each idle
 * had to wait.
 */
TEST_F_TIMEOUT(idle, timeouts_never_end_early_and_raise_timer, TEST_TIMEOUT_S)
{
	unsigned long long t0, t1, slept = 0;
	struct denali_stats st;
	unsigned int idles = 0;
	char detail[512];
	int n;

	CREATE_PV_IDLE("timeouts");
	t0 = denali_mono_ns();
	ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, -1, 0));
	EXPECT_CLEAN_EXIT();
	t1 = denali_mono_ns();
	ASSERT_GUEST_DETAIL(self->out, detail, sizeof(detail));
	n = sscanf(detail, "timeouts: %u idles, slept at least %llu ns", &idles,
		   &slept);
	ASSERT_EQ(2, n) TH_LOG("%s", detail);
	EXPECT_EQ(TIMEOUTS_IDLES, idles);
	EXPECT_EQ(TIMEOUTS_NS, slept);
	EXPECT_LE(slept, t1 - t0) TH_LOG("the host saw %llu ns", t1 - t0);

	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_LE(TIMEOUTS_IDLES, st.idle_sleeps);
	EXPECT_EQ(TIMEOUTS_IDLES + 1, st.hypercalls[DENALI_HC_IDLE]);
	EXPECT_EQ(0, st.upcalls);
	/* Each expiry is a raise of DENALI_IRQ_TIMER. */
	EXPECT_LE(TIMEOUTS_IDLES, st.irqs_raised);
}

/*
 * A bit raised before the run is pending when the guest idles with no
 * timeout: the idle returns without waiting, and the bit is there.
 */
TEST_F_TIMEOUT(idle, returns_at_once_when_pending, TEST_TIMEOUT_S)
{
	struct denali_stats st;

	CREATE_PV_IDLE("once", "forever", "0x80000");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(3)));
	ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, -1, 0));
	EXPECT_CLEAN_EXIT();
	EXPECT_GUEST_DONE(self->out, "with bits 0x80000\n");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.hypercalls[DENALI_HC_IDLE]);
	EXPECT_EQ(0, st.idle_sleeps);
	EXPECT_EQ(1, st.irqs_raised);
	EXPECT_EQ(0, st.upcalls);
}

/* An idle with no timeout ends when another thread raises a bit. */
TEST_F_TIMEOUT(idle, forever_woken_by_raise_from_another_thread,
	       TEST_TIMEOUT_S)
{
	struct denali_stats st;

	CREATE_PV_IDLE("once", "forever", "0x200000");
	ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, -1, 0));
	ASSERT_TRUE(wait_idle_sleeps(self->vm, 1));
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_FALSE(atomic_load(&self->r.done));
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(5)));
	EXPECT_CLEAN_EXIT();
	EXPECT_GUEST_DONE(self->out, "with bits 0x200000\n");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.hypercalls[DENALI_HC_IDLE]);
	EXPECT_EQ(1, st.idle_sleeps);
	EXPECT_EQ(1, st.irqs_raised);
}

/* DENALI_DESTROY_VM ends an idle guest's run: DESTROYED, not a hang. */
TEST_F_TIMEOUT(idle, destroy_wakes_idle, TEST_TIMEOUT_S)
{
	int dev;

	CREATE_PV_IDLE("once", "forever", "0x1");
	ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, -1, 0));
	ASSERT_TRUE(wait_idle_sleeps(self->vm, 1));
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, denali_vm_ref(dev, DENALI_DESTROY_VM, self->id));
	close(dev);
	ASSERT_TRUE(denali_runner_wait(&self->r, HANG_MS))
		TH_LOG("destroy did not end the idle");
	EXPECT_EQ(0, self->r.ret);
	EXPECT_EQ(DENALI_STOP_DESTROYED, self->r.run.reason);
	EXPECT_EQ(0, self->r.eintr);
}

/*
 * A signal ends the runner's DENALI_RUN with EINTR while the guest idles;
 * calling it again carries on with the same idle, which returns to the
 * guest only when its whole timeout has passed by the guest's clock.
 * Each signal is sent once the runner is back in DENALI_RUN with the
 * guest idle, so each interrupts the idle.
 */
TEST_F_TIMEOUT(idle, signal_does_not_end_idle_early, TEST_TIMEOUT_S)
{
	unsigned long long woke = 0, t0;
	struct denali_stats st;
	char timeout[32], detail[512];
	int i, n, calls;

	snprintf(timeout, sizeof(timeout), "%llu", LONG_IDLE_NS);
	CREATE_PV_IDLE("once", timeout, "0x1");
	t0 = denali_mono_ns();
	ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, -1, 0));
	ASSERT_TRUE(wait_idle_sleeps(self->vm, 1));
	for (i = 0; i < SIGNALS && !atomic_load(&self->r.done); i++) {
		calls = atomic_load(&self->r.calls);
		denali_runner_kick(&self->r);
		/* Until the runner has called DENALI_RUN again. */
		while (atomic_load(&self->r.calls) == calls &&
		       !atomic_load(&self->r.done))
			denali_sleep_ms(1);
		/* And the module has counted the call: the guest idles. */
		while (!denali_get_stats(self->vm, &st) && st.runs < (__u64)i + 2 &&
		       !atomic_load(&self->r.done))
			denali_sleep_ms(1);
	}
	EXPECT_CLEAN_EXIT();
	TH_LOG("%d signals, %d EINTR: %s", i, atomic_load(&self->r.eintr),
	       self->out);
	EXPECT_LE(1, atomic_load(&self->r.eintr));
	ASSERT_GUEST_DETAIL(self->out, detail, sizeof(detail));
	n = sscanf(detail, "once: woke after %llu ns", &woke);
	ASSERT_EQ(1, n) TH_LOG("%s", detail);
	EXPECT_LE(LONG_IDLE_NS, woke);
	EXPECT_LE(LONG_IDLE_NS, denali_mono_ns() - t0);
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.hypercalls[DENALI_HC_IDLE]);
	EXPECT_EQ(atomic_load(&self->r.calls), st.runs);
}

/* ---- a thousand idle VMs ------------------------------------------------- */

struct idler {
	struct denali_runner r;
	__u32 id;
	int fd;
};

/* Static: a thousand runners do not belong on the test's stack. */
static struct idler idlers[IDLERS];
static int nidlers;

/*
 * The global guest memory cap in MiB: max_total_mem_mb, or half of RAM
 * when that is 0 (module/vm.c).
 */
static long total_cap_mb(void)
{
	char buf[4096], *p;
	long mb = -1;
	ssize_t n;
	int fd;

	fd = open("/sys/module/denali/parameters/max_total_mem_mb",
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	mb = strtol(buf, NULL, 10);
	if (mb)
		return mb;
	fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "MemTotal:");
	return p ? strtol(p + 9, NULL, 10) / 1024 / 2 : -1;
}

FIXTURE(idlers) {
	int dev;
};

FIXTURE_SETUP(idlers)
{
	struct rlimit rl;
	long cap;

	self->dev = -1;
	nidlers = 0;
	if (!denali_setup_module(_metadata))
		return;
	/* root is not held to max_vms_per_user; the memory cap is global. */
	cap = total_cap_mb();
	ASSERT_LT(0, cap);
	if (cap < IDLERS * (long)(MEM >> 20))
		SKIP(return, "the guest memory cap (%ld MiB) is below %d VMs of %llu MiB",
		     cap, IDLERS, MEM >> 20);
	/* A VM fd each, plus what the harness and the test need. */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < IDLERS + 64) {
		rl.rlim_cur = IDLERS + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	}
	self->dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(idlers)
{
	struct timespec t0;
	long left;
	int i;

	for (i = 0; i < nidlers; i++)
		if (idlers[i].r.created)
			denali_vm_ref(self->dev, DENALI_DESTROY_VM, idlers[i].id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nidlers; i++) {
		left = HANG_MS - denali_ms_since(&t0);
		if (!denali_runner_wait(&idlers[i].r, left > 0 ? left : 0))
			pthread_detach(idlers[i].r.thread);
		close(idlers[i].fd);
	}
	nidlers = 0;
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * IDLERS VMs of the minimum size, each run by its own thread, each guest
 * idling with no timeout.  Once every one has gone to sleep, none may
 * make an exit or be charged a tick of CPU time for IDLE_WINDOW_S
 * seconds: an idle guest is a sleeping thread, woken by nothing.  Then
 * destroying them ends every run.
 */
TEST_F_TIMEOUT(idlers, thousand_idle_vms_cost_nothing, IDLERS_TIMEOUT_S)
{
	static unsigned long long exits0[IDLERS];
	static long ticks0[IDLERS];
	unsigned long long busy_vms = 0, busy_threads = 0, woken = 0;
	char err[DENALI_ERROR_MAX];
	struct denali_stats st;
	struct timespec t0;
	int i, fd, tid, ended = 0, destroyed = 0;
	long ticks, left;

	fd = denali_code_image(idler_code, GUEST_CODE_LEN(idler_code));
	ASSERT_LE(0, fd);
	for (i = 0; i < IDLERS; i++) {
		idlers[i].fd = denali_create_on(self->dev, fd, MEM, NULL,
						&idlers[i].id, err);
		ASSERT_LE(0, idlers[i].fd) TH_LOG("VM %d: %s (%s)", i,
						  strerror(-idlers[i].fd), err);
		nidlers++;
		ASSERT_EQ(0, denali_runner_start(&idlers[i].r, idlers[i].fd,
						 -1, IDLER_STACK))
			TH_LOG("runner %d", i);
	}
	close(fd);

	/* Every guest asleep, and every runner known by its thread id. */
	for (i = 0; i < IDLERS; i++) {
		ASSERT_TRUE(wait_idle_sleeps(idlers[i].fd, 1))
			TH_LOG("VM %d never went to sleep", i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!atomic_load(&idlers[i].r.tid) && denali_ms_since(&t0) < HANG_MS)
			denali_sleep_ms(1);
		ASSERT_NE(0, atomic_load(&idlers[i].r.tid));
	}

	for (i = 0; i < IDLERS; i++) {
		ASSERT_EQ(0, denali_get_stats(idlers[i].fd, &st));
		exits0[i] = denali_all_exits(&st);
		ticks0[i] = denali_task_cputime(atomic_load(&idlers[i].r.tid));
		ASSERT_LE(0, ticks0[i]);
	}
	sleep(IDLE_WINDOW_S);
	for (i = 0; i < IDLERS; i++) {
		tid = atomic_load(&idlers[i].r.tid);
		ASSERT_EQ(0, denali_get_stats(idlers[i].fd, &st));
		ticks = denali_task_cputime(tid);
		if (denali_all_exits(&st) != exits0[i]) {
			if (!busy_vms++)
				TH_LOG("VM %d: %llu exits, then %llu", i,
				       exits0[i], denali_all_exits(&st));
		}
		if (ticks != ticks0[i]) {
			if (!busy_threads++)
				TH_LOG("runner %d: %ld ticks, then %ld", i,
				       ticks0[i], ticks);
		}
		if (st.idle_sleeps != 1) {
			if (!woken++)
				TH_LOG("VM %d: %llu idle sleeps", i,
				       st.idle_sleeps);
		}
	}
	EXPECT_EQ(0, busy_vms) TH_LOG("VMs that made exits while idle");
	EXPECT_EQ(0, woken) TH_LOG("VMs whose idle was ended");
	EXPECT_EQ(0, busy_threads) TH_LOG("runners charged CPU time while idle");

	for (i = 0; i < IDLERS; i++)
		destroyed += !denali_vm_ref(self->dev, DENALI_DESTROY_VM, idlers[i].id);
	EXPECT_EQ(IDLERS, destroyed);
	/* One deadline for all: a thousand hangs must not take a thousand. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < IDLERS; i++) {
		left = HANG_MS - denali_ms_since(&t0);
		if (!denali_runner_wait(&idlers[i].r, left > 0 ? left : 0))
			continue;
		ended++;
		EXPECT_EQ(0, idlers[i].r.ret) TH_LOG("runner %d", i);
		EXPECT_EQ(DENALI_STOP_DESTROYED, idlers[i].r.run.reason)
			TH_LOG("runner %d", i);
	}
	EXPECT_EQ(IDLERS, ended);
}

TEST_HARNESS_MAIN
