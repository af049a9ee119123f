// SPDX-License-Identifier: GPL-2.0
/*
 * Many VMs per runner (ABI 0.7, issue 14 item 3).
 *
 * Part 1, the module's mechanism: DENALI_RUN_RETURN_IDLE makes DENALI_RUN
 * return "idle" instead of sleeping, the per-VM timer raises
 * DENALI_IRQ_TIMER at the idle's deadline, @slice_ns returns "preempted"
 * from a busy guest, and poll() reports EPOLLPRI exactly while a VM is
 * runnable.  The guest never notices: pv_idle's own checks (no idle ends
 * early, each timeout leaves exactly DENALI_IRQ_TIMER) hold when its idles
 * are served by a timer instead of a sleeping thread, and when one thread
 * serves many VMs through one epoll set.
 *
 * Part 2, denalictl's shared runner (`create --runner NAME`): VMs in one
 * process, each answering on its own console; fewer threads than VMs,
 * all asleep while the VMs idle, and no exit made meanwhile; destroying
 * one leaves the others; and a runner of a thousand VMs killed with
 * SIGKILL leaves nothing behind: none listed, the module's vmalloc areas
 * back to their count before.
 *
 * Checks are counts and orderings; times are hang detectors only.
 */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"
#include "pool.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define NS_PER_MS	1000000ull
#define HANG_MS		60000
#define TEST_TIMEOUT_S	180

/* pv_idle's "timeouts" mode: 3 rounds of 1, 5, 20 and 50 ms. */
#define TIMEOUTS_IDLES	12
#define TIMEOUTS_NS	(3 * (1 + 5 + 20 + 50) * NS_PER_MS)

/* VMs one test thread serves through one epoll set. */
#define SHARED_VMS	8

/* A guest that never idles. */
GUEST_CODE(spin_code,
	"1:	jmp 1b\n");

/* A guest that idles for ever: idle(DENALI_IDLE_FOREVER), again. */
GUEST_CODE(idler_code,
	"1:	mov $4, %eax		# idle\n"
	"	mov $-1, %rdi		# DENALI_IDLE_FOREVER\n"
	"	int $0x1f\n"
	"	jmp 1b\n");

/* ---- helpers ------------------------------------------------------------- */

/* DENALI_RUN with @flags and @slice_ns; 0 or -errno. */
static int run_flags(int vm, __u32 flags, __u64 slice_ns,
		     struct denali_run *run)
{
	memset(run, 0, sizeof(*run));
	run->flags = flags;
	run->slice_ns = slice_ns;
	return ioctl(vm, DENALI_RUN, run) ? -errno : 0;
}

/* poll() events of @vm, waiting up to @ms for any of @events. */
static short poll_events(int vm, short events, int ms)
{
	struct pollfd p = { .fd = vm, .events = events };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static __u32 create_pv_idle(int *fd, const char *a, const char *b,
			    const char *c)
{
	const char *const argv[] = { a, b, c };
	__u32 id = 0;

	*fd = denali_create_guest("pv_idle", MEM, argv, b ? 3 : 1, &id);
	return id;
}

/* Read VM @vm's console (stopped) and check pv_idle's "timeouts" verdict. */
static void expect_timeouts_ok(struct __test_metadata *_metadata, int vm)
{
	char out[4096], detail[512];
	unsigned long long slept = 0;
	unsigned int idles = 0;
	int n;

	denali_console_drain(vm, out, sizeof(out));
	ASSERT_GUEST_DETAIL(out, detail, sizeof(detail));
	n = sscanf(detail, "timeouts: %u idles, slept at least %llu ns", &idles,
		   &slept);
	ASSERT_EQ(2, n) TH_LOG("%s", detail);
	EXPECT_EQ(TIMEOUTS_IDLES, idles);
	EXPECT_EQ(TIMEOUTS_NS, slept);
}

/* ---- part 1: the module -------------------------------------------------- */

FIXTURE(mech) {
	int vm[SHARED_VMS + 1];
	__u32 id[SHARED_VMS + 1];
};

FIXTURE_SETUP(mech)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(self->vm); i++)
		self->vm[i] = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(mech)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(self->vm); i++)
		if (self->vm[i] >= 0)
			close(self->vm[i]);
}

/*
 * pv_idle's timeouts, every idle served by the timer while no thread
 * waits: each DENALI_RUN returns "idle" or ends, EPOLLPRI comes when the
 * timer fires, and the guest's checks all pass.
 */
TEST_F_TIMEOUT(mech, timer_ends_threadless_idles, TEST_TIMEOUT_S)
{
	struct denali_run run;
	struct denali_stats st;
	unsigned int idle = 0, calls = 0;

	create_pv_idle(&self->vm[0], "timeouts", NULL, NULL);
	ASSERT_LE(0, self->vm[0]);
	for (;;) {
		ASSERT_NE(0, poll_events(self->vm[0], POLLPRI, HANG_MS) & POLLPRI);
		ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0,
				       &run));
		calls++;
		if (run.reason != DENALI_STOP_NONE)
			break;
		ASSERT_EQ(DENALI_RUN_IDLE, run.result);
		idle++;
	}
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason) TH_LOG("%s", run.crash.description);
	EXPECT_EQ(0, run.exit_status);
	EXPECT_EQ(DENALI_RUN_STOPPED, run.result);
	expect_timeouts_ok(_metadata, self->vm[0]);
	/* Every idle either returned or had already expired. */
	EXPECT_LE(1, idle);
	EXPECT_GE(TIMEOUTS_IDLES, idle);
	ASSERT_EQ(0, denali_get_stats(self->vm[0], &st));
	EXPECT_EQ(calls, st.runs);
	EXPECT_LE(TIMEOUTS_IDLES, st.irqs_raised);
	/* A stopped VM is not runnable. */
	EXPECT_EQ(0, poll_events(self->vm[0], POLLPRI, 0) & POLLPRI);
}

/*
 * An endless idle returns "idle"; the VM is then not runnable and makes
 * no exit and no run while nothing happens; a raise makes it runnable,
 * and the guest sees exactly the raised bit.
 */
TEST_F_TIMEOUT(mech, raise_wakes_threadless_idle, TEST_TIMEOUT_S)
{
	struct denali_stats a, b;
	struct denali_run run;
	char out[4096];

	create_pv_idle(&self->vm[0], "once", "forever", "0x200000");
	ASSERT_LE(0, self->vm[0]);
	ASSERT_NE(0, poll_events(self->vm[0], POLLPRI, 0) & POLLPRI);
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0, &run));
	ASSERT_EQ(DENALI_STOP_NONE, run.reason);
	ASSERT_EQ(DENALI_RUN_IDLE, run.result);

	ASSERT_EQ(0, denali_get_stats(self->vm[0], &a));
	EXPECT_EQ(0, poll_events(self->vm[0], POLLPRI, 300) & POLLPRI);
	ASSERT_EQ(0, denali_get_stats(self->vm[0], &b));
	EXPECT_EQ(denali_all_exits(&a), denali_all_exits(&b));
	EXPECT_EQ(a.runs, b.runs);

	/* Asked again before anything happened: idle again, still waiting. */
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0, &run));
	EXPECT_EQ(DENALI_RUN_IDLE, run.result);

	ASSERT_EQ(0, denali_raise_irq(self->vm[0], DENALI_IRQ_USER(5)));
	ASSERT_NE(0, poll_events(self->vm[0], POLLPRI, HANG_MS) & POLLPRI);
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0, &run));
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason) TH_LOG("%s", run.crash.description);
	denali_console_drain(self->vm[0], out, sizeof(out));
	EXPECT_EQ(0, run.exit_status) TH_LOG("%s", out);
	EXPECT_GUEST_DONE(out, "with bits 0x200000\n");
}

/*
 * A guest that never idles: a slice returns "preempted" with the VM
 * still runnable; its time and runs count for it.
 */
TEST_F_TIMEOUT(mech, slice_preempts_busy_guest, TEST_TIMEOUT_S)
{
	struct denali_run run;
	struct denali_stats st;
	int i;

	self->vm[0] = denali_create_code(spin_code, GUEST_CODE_LEN(spin_code),
					 MEM);
	ASSERT_LE(0, self->vm[0]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE,
				       5 * NS_PER_MS, &run));
		ASSERT_EQ(DENALI_STOP_NONE, run.reason);
		ASSERT_EQ(DENALI_RUN_PREEMPTED, run.result);
		EXPECT_NE(0, poll_events(self->vm[0], POLLPRI, 0) & POLLPRI);
	}
	ASSERT_EQ(0, denali_get_stats(self->vm[0], &st));
	EXPECT_EQ(3, st.runs);
	EXPECT_LT(0, st.guest_ns);
}

/*
 * Another thread inside DENALI_RUN: no EPOLLPRI, and a second DENALI_RUN
 * is EBUSY; a signal ends that thread's call with EINTR and leaves the
 * VM runnable, and the next call carries on.
 */
TEST_F_TIMEOUT(mech, busy_while_run_elsewhere_runnable_after_signal,
	       TEST_TIMEOUT_S)
{
	struct denali_runner r = { .created = false };
	struct denali_run run;
	int i;

	ASSERT_EQ(0, denali_runner_signals());
	self->vm[0] = denali_create_code(spin_code, GUEST_CODE_LEN(spin_code),
					 MEM);
	ASSERT_LE(0, self->vm[0]);
	ASSERT_EQ(0, denali_runner_start(&r, self->vm[0], -1, 0));
	/* A spinner is runnable until a thread is inside DENALI_RUN. */
	for (i = 0; i < HANG_MS; i++) {
		if (!(poll_events(self->vm[0], POLLPRI, 0) & POLLPRI))
			break;
		denali_sleep_ms(1);
	}
	ASSERT_GT(HANG_MS, i) TH_LOG("the runner thread never ran the VM");
	EXPECT_EQ(-EBUSY, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE,
				    NS_PER_MS, &run));
	EXPECT_EQ(0, denali_runners_stop(&r, 1, HANG_MS));
	EXPECT_LE(1, atomic_load(&r.eintr));
	EXPECT_NE(0, poll_events(self->vm[0], POLLPRI, HANG_MS) & POLLPRI);
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, NS_PER_MS,
			       &run));
	EXPECT_EQ(DENALI_STOP_NONE, run.reason);
	EXPECT_EQ(DENALI_RUN_PREEMPTED, run.result);
}

/*
 * Destroyed while idle with its timer armed: EPOLLHUP, not EPOLLPRI,
 * DENALI_RUN reports DESTROYED; and a VM closed while its timer is armed
 * is freed with the timer gone (a timer left would fire into freed
 * memory 20 ms later).
 */
TEST_F_TIMEOUT(mech, destroy_and_close_while_idle_on_timer, TEST_TIMEOUT_S)
{
	struct denali_run run;
	short ev;

	self->id[0] = create_pv_idle(&self->vm[0], "once", "100000000000",
				     "0x1");
	ASSERT_LE(0, self->vm[0]);
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0, &run));
	ASSERT_EQ(DENALI_RUN_IDLE, run.result);
	ASSERT_EQ(0, denali_destroy_id(self->id[0]));
	ev = poll_events(self->vm[0], POLLPRI, HANG_MS);
	EXPECT_NE(0, ev & POLLHUP);
	EXPECT_EQ(0, ev & POLLPRI);
	ASSERT_EQ(0, run_flags(self->vm[0], DENALI_RUN_RETURN_IDLE, 0, &run));
	EXPECT_EQ(DENALI_STOP_DESTROYED, run.reason);

	create_pv_idle(&self->vm[1], "once", "20000000", "0x1");
	ASSERT_LE(0, self->vm[1]);
	ASSERT_EQ(0, run_flags(self->vm[1], DENALI_RUN_RETURN_IDLE, 0, &run));
	ASSERT_EQ(DENALI_RUN_IDLE, run.result);
	close(self->vm[1]);
	self->vm[1] = -1;
	denali_sleep_ms(100);
}

/*
 * One thread, one epoll set (EPOLLONESHOT), SHARED_VMS guests each
 * idling 20 ms (pv_idle's "once") and one spinning guest: with a slice,
 * the spinner never keeps the thread from the others, each idle ends by
 * its timer and lasted its timeout (pv_idle checks), and the thread ran
 * the spinner in between.
 */
TEST_F_TIMEOUT(mech, one_thread_serves_many_and_a_spinner, TEST_TIMEOUT_S)
{
	struct epoll_event ev;
	struct denali_run run;
	unsigned int i, left = SHARED_VMS, preempted = 0;
	unsigned int served[SHARED_VMS + 1] = { 0 };
	char out[4096];
	unsigned long long t0;
	int ep, n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	for (i = 0; i < SHARED_VMS; i++) {
		create_pv_idle(&self->vm[i], "once", "20000000", "0x1");
		ASSERT_LE(0, self->vm[i]);
	}
	self->vm[SHARED_VMS] = denali_create_code(spin_code,
						  GUEST_CODE_LEN(spin_code),
						  MEM);
	ASSERT_LE(0, self->vm[SHARED_VMS]);
	for (i = 0; i <= SHARED_VMS; i++) {
		ev.events = EPOLLPRI | EPOLLONESHOT;
		ev.data.u32 = i;
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->vm[i], &ev));
	}
	t0 = denali_mono_ns();
	while (left) {
		if (denali_mono_ns() - t0 > HANG_MS * NS_PER_MS) {
			for (i = 0; i <= SHARED_VMS; i++) {
				struct denali_stats st;

				denali_get_stats(self->vm[i], &st);
				TH_LOG("VM %u: served %u, runs %llu, idle sleeps %llu, raised %llu, exits %llu, poll 0x%x",
				       i, served[i], st.runs, st.idle_sleeps,
				       st.irqs_raised, denali_all_exits(&st),
				       poll_events(self->vm[i], POLLPRI, 0));
			}
			ASSERT_EQ(0, left);
		}
		n = epoll_wait(ep, &ev, 1, HANG_MS);
		ASSERT_EQ(1, n);
		i = ev.data.u32;
		served[i]++;
		ASSERT_EQ(0, run_flags(self->vm[i], DENALI_RUN_RETURN_IDLE,
				       2 * NS_PER_MS, &run));
		if (run.reason != DENALI_STOP_NONE) {
			ASSERT_EQ(DENALI_STOP_EXIT, run.reason)
				TH_LOG("VM %u: %s", i, run.crash.description);
			denali_console_drain(self->vm[i], out, sizeof(out));
			EXPECT_EQ(0, run.exit_status) TH_LOG("%s", out);
			EXPECT_GUEST_DONE(out, "with bits 0x1\n");
			left--;
			continue;
		}
		if (i == SHARED_VMS) {
			ASSERT_EQ(DENALI_RUN_PREEMPTED, run.result);
			preempted++;
		}
		ev.events = EPOLLPRI | EPOLLONESHOT;
		ev.data.u32 = i;
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, self->vm[i], &ev));
	}
	EXPECT_LE(1, preempted);
	close(ep);
}

/* ---- part 2: denalictl's shared runner ----------------------------------- */

#define KILL_VMS	1000

/* Threads of process @pid, and how many are not asleep (state not S). */
static int proc_threads(pid_t pid, int *awake)
{
	char path[320], line[256];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	*awake = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		char state = 0;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 d->d_name);
		f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');

			if (p && p[1] == ' ')
				state = p[2];
		}
		if (f)
			fclose(f);
		if (state != 'S')
			(*awake)++;
	}
	closedir(dir);
	return n;
}

/* Process @pid exists and is not a zombie (its parent may not reap it). */
static bool alive(pid_t pid)
{
	char path[64], line[256], *p;
	bool ret = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		p = strrchr(line, ')');
		ret = p && p[1] == ' ' && p[2] != 'Z';
	}
	fclose(f);
	return ret;
}

/* The runner pid of VM @id, or 0. */
static pid_t runner_of(__u32 id)
{
	static struct denali_vm_info vms[KILL_VMS + 64];
	const struct denali_vm_info *v;
	__u32 count, total;
	pid_t pid = 0;
	int dev;

	dev = open("/dev/denali", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return 0;
	if (!denali_get_list(dev, vms, ARRAY_SIZE(vms), &count, &total)) {
		v = denali_vm_in_list(vms, count, id);
		if (v)
			pid = v->runner_pid;
	}
	close(dev);
	return pid;
}

/* VMs listed now. */
static int listed_vms(void)
{
	static struct denali_vm_info vms[KILL_VMS + 64];
	__u32 count = 0, total = 0;
	int dev;

	dev = open("/dev/denali", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	if (denali_get_list(dev, vms, ARRAY_SIZE(vms), &count, &total))
		total = -1;
	close(dev);
	return (int)total;
}

#define CTL	"../../userspace/denalictl"

/* `denalictl create --runner @runner` of image @img; the VM's id or 0. */
static __u32 ctl_create(const char *runner, const char *name,
			const char *img, const char *args)
{
	char cmd[512], line[256];
	unsigned int id = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 CTL " create --runner %s --name %s --mem 1M %s -- %s",
		 runner, name, img, args);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (!id && sscanf(line, "id %u", &id) == 1)
			continue;
	pclose(p);
	return id;
}

/* Read VM @fd's console afresh until it says @want (or stops). */
static bool wait_console(int fd, struct denali_console_text *con,
			 const char *want)
{
	denali_console_reset(con);
	return denali_console_wait(fd, con, want, HANG_MS);
}

FIXTURE(pool) {
	pid_t runner;
	int dev;
};

FIXTURE_SETUP(pool)
{
	self->runner = 0;
	self->dev = -1;
	if (!denali_setup_module(_metadata))
		return;
	if (access(CTL, X_OK))
		SKIP(return, "no %s", CTL);
	self->dev = open("/dev/denali", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->runner > 0)
		kill(self->runner, SIGKILL);
	if (self->dev >= 0)
		close(self->dev);
}

#define ECHOS	2
#define IDLERS	3
#define ALL	(ECHOS + IDLERS)

/*
 * Two echo VMs and three idle ones in one runner: each echo answers its
 * own console input; with the echos gone, the idle ones make no exit and
 * no runner thread is awake, and the runner has fewer threads than it
 * had VMs; an interrupt wakes one idler and a timer another, in the
 * runner; destroying VMs leaves the others running there.
 */
TEST_F_TIMEOUT(pool, vms_share_a_runner, TEST_TIMEOUT_S)
{
	static const char *const idle_args[IDLERS] = {
		"once forever 0x20000",		/* DENALI_IRQ_USER(1) */
		"once forever 0x40000",
		"once forever 0x80000",
	};
	struct denali_stats a[ALL], b[ALL];
	struct denali_console_text con;
	int fd[ALL], threads, awake, i;
	char name[32], want[64];
	__u32 id[ALL];

	for (i = 0; i < ALL; i++) {
		snprintf(name, sizeof(name), "rt-share-%d", i);
		if (i < ECHOS)
			id[i] = ctl_create("rt-share", name,
					   "../../guests/echo.img", "hello");
		else
			id[i] = ctl_create("rt-share", name,
					   "guests/pv_idle.img",
					   idle_args[i - ECHOS]);
		ASSERT_NE(0, id[i]) TH_LOG("VM %d not created", i);
		fd[i] = denali_vm_ref(self->dev, DENALI_OPEN_VM, id[i]);
		ASSERT_LE(0, fd[i]);
	}
	self->runner = runner_of(id[0]);
	ASSERT_LT(0, self->runner);
	for (i = 1; i < ALL; i++)
		EXPECT_EQ(self->runner, runner_of(id[i]));

	for (i = 0; i < ECHOS; i++) {
		snprintf(want, sizeof(want), "ping%d\n", i);
		ASSERT_EQ((ssize_t)strlen(want), write(fd[i], want, strlen(want)));
		snprintf(want, sizeof(want), "got 6 bytes: ping%d", i);
		EXPECT_TRUE(wait_console(fd[i], &con, want))
			TH_LOG("VM %d said: %s", i, con.text);
	}
	/* The echos end ('q'), and are destroyed: the idlers carry on. */
	for (i = 0; i < ECHOS; i++) {
		ASSERT_EQ(1, write(fd[i], "q", 1));
		/* Until it has stopped: its console then ends. */
		wait_console(fd[i], &con, "\x01 not said");
		ASSERT_EQ(0, denali_vm_ref(self->dev, DENALI_DESTROY_VM, id[i]));
	}

	/* All idle: nothing moves, no thread is awake. */
	for (i = ECHOS; i < ALL; i++)
		ASSERT_EQ(0, denali_get_stats(fd[i], &a[i]));
	denali_sleep_ms(500);
	threads = proc_threads(self->runner, &awake);
	for (i = ECHOS; i < ALL; i++) {
		ASSERT_EQ(0, denali_get_stats(fd[i], &b[i]));
		EXPECT_EQ(denali_all_exits(&a[i]), denali_all_exits(&b[i]));
		EXPECT_EQ(a[i].runs, b[i].runs);
		EXPECT_LT(0, b[i].guest_ns);
	}
	EXPECT_LT(0, threads);
	EXPECT_GT(ALL, threads);
	EXPECT_EQ(0, awake);

	/* An interrupt wakes the first idler; the runner runs it to its end. */
	ASSERT_EQ(0, denali_raise_irq(fd[ECHOS], DENALI_IRQ_USER(1)));
	EXPECT_TRUE(wait_console(fd[ECHOS], &con, "with bits 0x20000\n"))
		TH_LOG("%s", con.text);
	EXPECT_EQ(self->runner, runner_of(id[ECHOS + 2]));
	for (i = 0; i < ALL; i++)
		close(fd[i]);
}

/*
 * An idle with a timeout ends by the timer in the runner: pv_idle checks
 * it lasted its timeout and woke with DENALI_IRQ_TIMER alone.
 */
TEST_F_TIMEOUT(pool, timer_wakes_a_vm_in_the_runner, TEST_TIMEOUT_S)
{
	struct denali_console_text con;
	__u32 id[2];
	int fd[2], i;

	id[0] = ctl_create("rt-timer", "rt-timer-0", "guests/pv_idle.img",
			   "once forever 0x20000");
	id[1] = ctl_create("rt-timer", "rt-timer-1", "guests/pv_idle.img",
			   "once 300000000 0x1");
	for (i = 0; i < 2; i++) {
		ASSERT_NE(0, id[i]);
		fd[i] = denali_vm_ref(self->dev, DENALI_OPEN_VM, id[i]);
		ASSERT_LE(0, fd[i]);
	}
	self->runner = runner_of(id[0]);
	EXPECT_TRUE(wait_console(fd[1], &con, "with bits 0x1\n"))
		TH_LOG("%s", con.text);
	EXPECT_EQ(self->runner, runner_of(id[1]));
	for (i = 0; i < 2; i++)
		close(fd[i]);
}

/*
 * --runner auto: VMs go to the pool's first runner, shown in ps as
 * denali-runner:auto-0; it ends when its last VM is destroyed.
 */
TEST_F_TIMEOUT(pool, auto_pool_fills_one_runner, TEST_TIMEOUT_S)
{
	char path[64], cmd[128];
	__u32 id[2];
	int i, f;
	ssize_t n;

	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "rt-auto-%d", i);
		id[i] = ctl_create("auto", cmd, "guests/pv_idle.img",
				   "once forever 0x20000");
		ASSERT_NE(0, id[i]);
	}
	self->runner = runner_of(id[0]);
	ASSERT_LT(0, self->runner);
	EXPECT_EQ(self->runner, runner_of(id[1]));
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)self->runner);
	f = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, f);
	n = read(f, cmd, sizeof(cmd) - 1);
	close(f);
	ASSERT_LT(0, n);
	cmd[n] = '\0';
	EXPECT_STREQ("denali-runner:auto-0", cmd);

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, denali_vm_ref(self->dev, DENALI_DESTROY_VM, id[i]));
	for (i = 0; i < HANG_MS / 10 && alive(self->runner); i++)
		denali_sleep_ms(10);
	EXPECT_FALSE(alive(self->runner)) TH_LOG("the runner stayed");
	self->runner = 0;
}

/*
 * A thousand VMs in one runner (the first by denalictl, the rest handed
 * over on its socket as denalictl does), killed with SIGKILL: none stays
 * listed and the module's vmalloc areas are back to their count before.
 */
TEST_F_TIMEOUT(pool, sigkill_of_a_thousand_leaves_nothing, TEST_TIMEOUT_S)
{
	struct sockaddr_un sa;
	socklen_t salen;
	long before, after;
	int listed0, i, s, vm, img, err;
	struct rlimit rl;
	__u32 id0, id;
	pid_t pid;

	listed0 = listed_vms();
	before = denali_module_vmallocs();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	id0 = ctl_create("rt-kill", "rt-kill-0", "guests/pv_idle.img",
			 "once forever 0x20000");
	ASSERT_NE(0, id0);
	self->runner = runner_of(id0);
	ASSERT_LT(0, self->runner);

	img = denali_code_image(idler_code, GUEST_CODE_LEN(idler_code));
	ASSERT_LE(0, img);
	salen = denali_pool_addr("rt-kill", getuid(), &sa);
	for (i = 1; i < KILL_VMS; i++) {
		vm = denali_create_on(self->dev, img, MEM, NULL, &id, NULL);
		ASSERT_LE(0, vm) TH_LOG("VM %d: %s", i, strerror(-vm));
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, connect(s, (struct sockaddr *)&sa, salen));
		err = denali_pool_send(s, vm, id, "rt-kill-n", NULL);
		ASSERT_EQ(0, err) TH_LOG("VM %d: %s", i, strerror(-err));
		close(s);
		close(vm);
	}
	close(img);
	EXPECT_EQ(listed0 + KILL_VMS, listed_vms());
	EXPECT_EQ(self->runner, runner_of(id));

	pid = self->runner;
	ASSERT_EQ(0, kill(pid, SIGKILL));
	self->runner = 0;
	/* Not our child (a daemon): wait for the VMs to go. */
	for (i = 0; i < HANG_MS / 10 && listed_vms() != listed0; i++)
		denali_sleep_ms(10);
	EXPECT_EQ(listed0, listed_vms());
	after = denali_module_vmallocs();
	for (i = 0; i < HANG_MS / 10 && after != before; i++) {
		denali_sleep_ms(10);
		after = denali_module_vmallocs();
	}
	EXPECT_EQ(before, after);
}

TEST_HARNESS_MAIN
