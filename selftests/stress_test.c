// SPDX-License-Identifier: GPL-2.0
/*
 * The world switch under load.  The other suites show that one guest runs
 * correctly on a quiet machine; this one shows that running guests survive
 * what a busy host does to any thread: NMIs arriving while a guest runs,
 * its CPU going offline, migration between CPUs, sharing a CPU with host
 * work, signals, SIGKILL, and many guests at once.
 *
 * Every guest is the same spinner (below).  It counts in RBX and every 2^22
 * iterations writes the next value of a one-byte sequence number, kept in
 * R12, to its console.  Reading the VM fd thus shows both that the guest
 * runs (new bytes) and that its registers came through every switch intact
 * (the bytes count up by one, with no gap and no restart).  Each VM's
 * DENALI_RUN loop runs in its own thread, a "runner", which the test stops
 * with a signal whose handler does not restart system calls.
 *
 * The checks are counts and orderings.  The machines are QEMU TCG, whose
 * speed varies, so deadlines only turn a hang into a failure.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"

#define MAX_VMS		16
#define GUEST_MEM	DENALI_GUEST_MEM_MIN

/* Hang detectors: far beyond what a working module needs under TCG. */
#define PROGRESS_WAIT_MS	30000
#define STOP_WAIT_MS		30000
#define TEST_TIMEOUT_S		120

#define NMI_STORM_ROUNDS	200
#define HOTPLUG_CYCLES		10
#define MIGRATIONS		2000
#define MIGRATION_CHECK_EVERY	500
#define HOST_WORK_ROUNDS	200
#define HOST_WORK_STEPS		50000
#define SIGNAL_ROUNDS		20
#define ROUND_ROBIN_VMS		16
#define ROUND_ROBIN_BYTES	3

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define PRINTK_LEVELS	"/proc/sys/kernel/printk"
#define SYSRQ_TRIGGER	"/proc/sysrq-trigger"

/*
 * The spinner.  RBX and R12 start at zero (the entry state); the sequence
 * byte is stored in free guest memory at 0x20000, above the image, so that
 * console_write can copy it from there.
 */
GUEST_CODE(spinner,
	"1:	inc %rbx\n"
	"	test $0x3fffff, %ebx	# once every 2^22 iterations:\n"
	"	jnz 1b\n"
	"	inc %r12		# the next sequence number\n"
	"	mov %r12b, 0x20000\n"
	"	mov $2, %eax		# console_write(0x20000, 1)\n"
	"	mov $0x20000, %edi\n"
	"	mov $1, %esi\n"
	"	int $0x1f\n"
	"	jmp 1b\n");

/* One VM, and what the host has read of its console. */
struct vm {
	int fd;			/* O_NONBLOCK, so draining never waits */
	unsigned char seq;	/* the last sequence byte read */
	unsigned long bytes;	/* console bytes read: the progress */
	unsigned long mark;	/* bytes when wait_progress() began */
	unsigned long out_of_order;	/* bytes that were not seq + 1 */
	bool stopped;		/* read returned end of file */
	int read_errno;		/* a read error other than EAGAIN */
};

/* A test's VMs and their runners. */
struct fleet {
	int n;
	struct vm vm[MAX_VMS];
	struct denali_runner run[MAX_VMS];
};

/* Stop and join a runner; false if it would not end within STOP_WAIT_MS. */
static bool runner_stop(struct denali_runner *r)
{
	return !denali_runners_stop(r, 1, STOP_WAIT_MS);
}

/* Read whatever the console holds now; returns the bytes read. */
static unsigned long vm_drain(struct vm *v)
{
	unsigned char buf[256];
	unsigned long got = 0;
	ssize_t n, i;

	for (;;) {
		n = read(v->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				v->read_errno = errno;
			return got;
		}
		if (!n) {
			v->stopped = true;
			return got;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] != (unsigned char)(v->seq + 1))
				v->out_of_order++;
			v->seq = buf[i];
		}
		v->bytes += n;
		got += n;
	}
}

/*
 * Wait until each VM of @fl has written @want console bytes that were not
 * there when this was called (so made after the call began).  False if a
 * VM stopped, a read failed or the hang detector fired; then each VM's
 * bytes - mark says how far it got.
 */
static bool wait_progress(struct fleet *fl, unsigned long want)
{
	struct pollfd pfd[MAX_VMS];
	struct vm *vms = fl->vm;
	struct timespec t0;
	int i, np, n = fl->n;
	long left;

	for (i = 0; i < n; i++) {
		vm_drain(&vms[i]);
		vms[i].mark = vms[i].bytes;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		np = 0;
		for (i = 0; i < n; i++) {
			vm_drain(&vms[i]);
			if (vms[i].stopped || vms[i].read_errno)
				return false;
			if (vms[i].bytes - vms[i].mark >= want)
				continue;
			pfd[np].fd = vms[i].fd;
			pfd[np].events = POLLIN;
			np++;
		}
		if (!np)
			return true;
		left = PROGRESS_WAIT_MS - denali_ms_since(&t0);
		if (left <= 0)
			return false;
		poll(pfd, np, left);
	}
}

FIXTURE(stress) {
	bool ready;		/* setup completed without skipping */
	int ncpus;
	struct fleet fl;
	char printk_level[16];	/* first field of PRINTK_LEVELS, to restore */
	bool cpu1_offline;	/* CPU1 may be offline: bring it back */
	pid_t child;
};

FIXTURE_SETUP(stress)
{
	if (!denali_setup_module(_metadata))
		return;

	ASSERT_EQ(0, denali_runner_signals());
	self->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	self->ready = true;
}

FIXTURE_TEARDOWN(stress)
{
	int i;

	for (i = 0; i < self->fl.n; i++)
		EXPECT_TRUE(runner_stop(&self->fl.run[i]))
			TH_LOG("runner %d did not stop", i);
	for (i = 0; i < self->fl.n; i++)
		close(self->fl.vm[i].fd);
	if (self->printk_level[0])
		denali_write_file(PRINTK_LEVELS, self->printk_level);
	if (self->cpu1_offline)
		EXPECT_EQ(0, denali_write_file(CPU1_ONLINE, "1"));
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/*
 * Create @n spinning VMs, each with a runner pinned to cpus[i] (no pinning
 * when @cpus is NULL); 0 or -errno.
 */
static int start_vms(struct fleet *fl, int n, const int *cpus)
{
	struct denali_runner *r;
	struct vm *v;
	int fd, cpu, ret;

	while (fl->n < n) {
		v = &fl->vm[fl->n];
		r = &fl->run[fl->n];
		fd = denali_create_code(spinner, GUEST_CODE_LEN(spinner), GUEST_MEM);
		if (fd < 0)
			return fd;
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
			ret = -errno;
			close(fd);
			return ret;
		}
		v->fd = fd;
		cpu = cpus ? cpus[fl->n] : -1;
		fl->n++;
		ret = denali_runner_start(r, fd, cpu, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * What every test ends with: no runner saw its VM stop or an EINTR it did
 * not cause, and every console read cleanly and counted up in order.
 */
static void expect_all_running(struct __test_metadata *_metadata,
			       struct fleet *fl)
{
	struct denali_runner *r;
	struct vm *v;
	int i;

	for (i = 0; i < fl->n; i++) {
		r = &fl->run[i];
		v = &fl->vm[i];
		vm_drain(v);
		EXPECT_EQ(0, atomic_load(&r->ended))
			TH_LOG("vm %d: DENALI_RUN returned %d, reason %u",
			       i, r->ret, r->run.reason);
		EXPECT_EQ(0, atomic_load(&r->spurious))
			TH_LOG("vm %d: EINTR without a signal", i);
		EXPECT_FALSE(v->stopped) TH_LOG("vm %d stopped", i);
		EXPECT_EQ(0, v->read_errno)
			TH_LOG("vm %d: read: %s", i, strerror(v->read_errno));
		EXPECT_EQ(0, v->out_of_order)
			TH_LOG("vm %d: %lu of %lu console bytes out of sequence",
			       i, v->out_of_order, v->bytes);
	}
}

/* Log each VM that has not shown @want bytes since wait_progress began. */
static void log_laggards(struct __test_metadata *_metadata,
			 struct fleet *fl, unsigned long want)
{
	int i;

	for (i = 0; i < fl->n; i++)
		if (fl->vm[i].bytes - fl->vm[i].mark < want)
			TH_LOG("vm %d: %lu of %lu bytes of progress%s", i,
			       fl->vm[i].bytes - fl->vm[i].mark, want,
			       fl->vm[i].stopped ? " (stopped)" : "");
}

/*
 * Count the "NMI backtrace for cpu" records in /dev/kmsg from @fd's
 * position on, and in @in_denali those of the backtraces that follow whose
 * lines name denali.ko (the NMI came while the CPU was in DENALI_RUN).
 * Records are read one per read(); 8 KiB holds the largest.
 */
static int kmsg_count_backtraces(int fd, int *in_denali)
{
	static char rec[8192];
	bool seen_denali = true;
	int count = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: read on from the oldest */
		if (n <= 0)
			return count;	/* EAGAIN: the end of the log */
		rec[n] = '\0';
		if (strstr(rec, "NMI backtrace for cpu")) {
			count++;
			seen_denali = false;
		} else if (!seen_denali && strstr(rec, "denali")) {
			(*in_denali)++;
			seen_denali = true;
		}
	}
}

/*
 * NMI backtraces of all CPUs, again and again, while guests run on both:
 * a CPU running a guest takes the NMI in the switcher's IDT, which must
 * hand it to Linux (else the backtrace never prints and the sender waits
 * its 10 s) and resume the guest intact.
 */
TEST_F_TIMEOUT(stress, nmi_storm, TEST_TIMEOUT_S)
{
	const int cpus[] = { 0, 1 };
	int kmsg, sysrq, i, sent = 0, nmi_lines, in_denali = 0;
	unsigned long during = 0;
	char levels[64];
	ssize_t n;
	int fd;

	if (!self->ready)
		return;
	if (access(SYSRQ_TRIGGER, W_OK))
		SKIP(return, "no %s", SYSRQ_TRIGGER);

	/* Keep the backtraces off the serial console, which is slow. */
	fd = open(PRINTK_LEVELS, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, levels, sizeof(levels) - 1);
	close(fd);
	ASSERT_LT(0, n);
	levels[n] = '\0';
	n = strcspn(levels, " \t\n");
	ASSERT_LT(0, n);
	ASSERT_GT(sizeof(self->printk_level), n);
	memcpy(self->printk_level, levels, n);
	ASSERT_EQ(0, denali_write_file(PRINTK_LEVELS, "1"));

	ASSERT_EQ(0, start_vms(&self->fl, 2, self->ncpus >= 2 ? cpus : NULL));
	ASSERT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);

	/* Only records printed from here on are counted. */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	sysrq = open(SYSRQ_TRIGGER, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, sysrq);
	for (i = 0; i < NMI_STORM_ROUNDS; i++) {
		if (write(sysrq, "l", 1) == 1)
			sent++;
		during += vm_drain(&self->fl.vm[0]) + vm_drain(&self->fl.vm[1]);
	}
	close(sysrq);
	EXPECT_EQ(NMI_STORM_ROUNDS, sent);

	/* Both guests still run after the storm, from where they were. */
	EXPECT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);

	nmi_lines = kmsg_count_backtraces(kmsg, &in_denali);
	close(kmsg);
	TH_LOG("%d backtraces (%d in denali.ko), %lu progress bytes during the storm",
	       nmi_lines, in_denali, during);
	ASSERT_LE(1, nmi_lines);
	/* Each round prints one per online CPU: none was lost. */
	EXPECT_EQ(sent * self->ncpus, nmi_lines);
	expect_all_running(_metadata, &self->fl);
}

/*
 * CPU1 goes offline and back while guests run: the runner there is
 * migrated off it (its guest preempted, then resumed on CPU0), and the
 * guests keep running as CPU1 comes back and the scheduler spreads them
 * out again.
 */
TEST_F_TIMEOUT(stress, cpu_offline_online, TEST_TIMEOUT_S)
{
	int i, j, on_cpu1 = 0, left_behind = 0;

	if (!self->ready)
		return;
	if (self->ncpus < 2 || access(CPU1_ONLINE, W_OK))
		SKIP(return, "CPU1 cannot go offline here");

	ASSERT_EQ(0, start_vms(&self->fl, 2, NULL));
	ASSERT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);
	for (i = 0; i < HOTPLUG_CYCLES; i++) {
		for (j = 0; j < self->fl.n; j++)
			on_cpu1 += denali_task_cpu(self->fl.run[j].tid) == 1;
		self->cpu1_offline = true;
		ASSERT_EQ(0, denali_write_file(CPU1_ONLINE, "0"))
			TH_LOG("cycle %d: offline", i);
		for (j = 0; j < self->fl.n; j++)
			left_behind += denali_task_cpu(self->fl.run[j].tid) == 1;
		ASSERT_EQ(0, denali_write_file(CPU1_ONLINE, "1"))
			TH_LOG("cycle %d: online", i);
		self->cpu1_offline = false;
		ASSERT_TRUE(wait_progress(&self->fl, 1))
			log_laggards(_metadata, &self->fl, 1);
	}
	TH_LOG("%d runners found on CPU1 as it went offline, in %d cycles",
	       on_cpu1, HOTPLUG_CYCLES);
	/* Else no guest was ever on the CPU that went away. */
	EXPECT_LT(0, on_cpu1);
	EXPECT_EQ(0, left_behind);
	expect_all_running(_metadata, &self->fl);
}

/*
 * Runners moved between CPU 0 and CPU 1 while their guests run: each move
 * preempts a guest on one CPU and resumes it on the other, through the
 * other CPU's switcher pages.
 */
TEST_F_TIMEOUT(stress, migrations, TEST_TIMEOUT_S)
{
	/* Each runner starts on the CPU its first move takes it away from. */
	const int cpus[] = { 1, 0 };
	int i, r, cpu, failed = 0, moved = 0;
	cpu_set_t set;

	if (!self->ready)
		return;
	if (self->ncpus < 2)
		SKIP(return, "needs two CPUs");

	ASSERT_EQ(0, start_vms(&self->fl, 2, cpus));
	ASSERT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);
	for (i = 0; i < MIGRATIONS; i++) {
		r = i % 2;
		cpu = (i / 2 + r) % 2;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (pthread_setaffinity_np(self->fl.run[r].thread, sizeof(set),
					   &set))
			failed++;
		/* The call returns once the runner has left its old CPU. */
		else if (denali_task_cpu(self->fl.run[r].tid) == cpu)
			moved++;
		if ((i + 1) % MIGRATION_CHECK_EVERY == 0)
			ASSERT_TRUE(wait_progress(&self->fl, 1))
				log_laggards(_metadata, &self->fl, 1);
	}
	EXPECT_EQ(0, failed);
	EXPECT_EQ(MIGRATIONS, moved);
	expect_all_running(_metadata, &self->fl);
}

struct host_work {
	atomic_int rounds;	/* completed */
	unsigned long result;
};

/* Plain computation with a few short sleeps, as a host process does. */
static void *host_work_main(void *arg)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	unsigned long x = 88172645463325252ul;
	struct host_work *w = arg;
	int i, j;

	for (i = 0; i < HOST_WORK_ROUNDS; i++) {
		for (j = 0; j < HOST_WORK_STEPS; j++) {
			/* xorshift64: nothing the compiler can fold away. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		if (i % 40 == 0)
			nanosleep(&ms, NULL);
		atomic_store(&w->rounds, i + 1);
	}
	w->result = x;
	return NULL;
}

/*
 * A guest spinning with interrupts enabled must be preempted like any
 * thread: a host thread on the same CPU completes its work while the
 * guest keeps running beside it.
 */
TEST_F_TIMEOUT(stress, preemption, TEST_TIMEOUT_S)
{
	const int cpus[] = { 0 };
	/* Static: a stuck worker must not write into a dead stack frame. */
	static struct host_work work;
	unsigned long before, during;
	struct timespec deadline;
	pthread_attr_t attr;
	pthread_t worker;
	cpu_set_t set;
	int ret;

	if (!self->ready)
		return;
	ASSERT_EQ(0, start_vms(&self->fl, 1, cpus));
	ASSERT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);
	vm_drain(&self->fl.vm[0]);
	before = self->fl.vm[0].bytes;

	pthread_attr_init(&attr);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	ret = pthread_create(&worker, &attr, host_work_main, &work);
	pthread_attr_destroy(&attr);
	ASSERT_EQ(0, ret);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += PROGRESS_WAIT_MS / 1000 * 2;
	ret = pthread_timedjoin_np(worker, NULL, &deadline);
	if (ret) {
		/* Starved: leave it to end with the test's process. */
		pthread_detach(worker);
		ASSERT_EQ(0, ret)
			TH_LOG("host work stuck after %d of %d rounds",
			       atomic_load(&work.rounds), HOST_WORK_ROUNDS);
	}
	EXPECT_EQ(HOST_WORK_ROUNDS, atomic_load(&work.rounds));
	vm_drain(&self->fl.vm[0]);
	during = self->fl.vm[0].bytes - before;
	TH_LOG("%lu progress bytes while the host work ran (result %lx)",
	       during, work.result);
	/*
	 * The CPU was shared, not handed to one side: the work is several
	 * times the guest's 2^22 iterations per byte.
	 */
	EXPECT_LT(0, during);

	/* The guest was preempted, not stopped: it still runs. */
	EXPECT_EQ(0, atomic_load(&self->fl.run[0].ended));
	EXPECT_TRUE(wait_progress(&self->fl, 1))
		log_laggards(_metadata, &self->fl, 1);
	expect_all_running(_metadata, &self->fl);
}

/* Wait until the runner has seen @n EINTRs in all, or has ended. */
static bool wait_eintr(struct denali_runner *r, int n)
{
	struct timespec t0;
	const struct timespec ms = { .tv_nsec = 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&r->eintr) < n && !atomic_load(&r->ended)) {
		if (denali_ms_since(&t0) > PROGRESS_WAIT_MS)
			return false;
		nanosleep(&ms, NULL);
	}
	return atomic_load(&r->eintr) >= n;
}

/*
 * A signal ends DENALI_RUN with EINTR, and the next call resumes the same
 * guest where it was.  A console byte read after the runner's last EINTR
 * was made by its next RUN call, so the runner is inside RUN when it is
 * signalled: every signal must cost exactly one EINTR.
 */
TEST_F_TIMEOUT(stress, signal_interrupts_run, TEST_TIMEOUT_S)
{
	struct denali_runner *r = &self->fl.run[0];
	int i;

	if (!self->ready)
		return;
	ASSERT_EQ(0, start_vms(&self->fl, 1, NULL));
	for (i = 0; i < SIGNAL_ROUNDS; i++) {
		ASSERT_TRUE(wait_progress(&self->fl, 1))
			TH_LOG("round %d: no progress", i);
		denali_runner_kick(r);
		ASSERT_TRUE(wait_eintr(r, i + 1))
			TH_LOG("round %d: RUN not interrupted", i);
	}
	/* The last resumption runs too. */
	ASSERT_TRUE(wait_progress(&self->fl, 1));
	EXPECT_EQ(SIGNAL_ROUNDS, atomic_load(&r->kicks));
	EXPECT_EQ(SIGNAL_ROUNDS, atomic_load(&r->eintr));
	EXPECT_EQ(SIGNAL_ROUNDS + 1, atomic_load(&r->calls));
	expect_all_running(_metadata, &self->fl);
}

/*
 * The process killed by SIGKILL: runs its spinner in a runner thread and
 * reports on @report once the guest has written to its console.
 */
static void sigkill_child(int report)
{
	struct denali_runner r;
	char c;
	int fd;

	fd = denali_create_code(spinner, GUEST_CODE_LEN(spinner), GUEST_MEM);
	if (fd < 0)
		_exit(2);
	if (denali_runner_start(&r, fd, -1, 0))
		_exit(3);
	if (read(fd, &c, 1) != 1)	/* blocks until the guest writes */
		_exit(4);
	if (write(report, "R", 1) != 1)
		_exit(5);
	for (;;)
		pause();
}

/*
 * SIGKILL to a process whose thread is inside DENALI_RUN must end the run
 * and, as the process's files close, free the VM and drop its reference
 * on the module, so that the module unloads.
 */
TEST_F_TIMEOUT(stress, sigkill_runner_frees_vm, TEST_TIMEOUT_S)
{
	struct pollfd pfd;
	int pipefd[2], status;
	char c = 0;

	if (!self->ready)
		return;
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(pipefd[0]);
		sigkill_child(pipefd[1]);
	}
	close(pipefd[1]);

	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, PROGRESS_WAIT_MS))
		TH_LOG("the child never reported");
	ASSERT_EQ(1, read(pipefd[0], &c, 1))
		TH_LOG("the child ended before its guest ran");
	close(pipefd[0]);
	ASSERT_EQ('R', c);

	ASSERT_EQ(0, kill(self->child, SIGKILL));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("child status %#x", status);

	/* Nothing else holds the module: the VM fd's reference is gone. */
	ASSERT_EQ(0, denali_unload_module());
	EXPECT_EQ(0, denali_module_loaded());
	ASSERT_EQ(0, denali_load_module());
}

/*
 * More runnable guests than CPUs: the scheduler must share the CPUs among
 * them all, so each makes progress, and none is starved or stopped.
 */
TEST_F_TIMEOUT(stress, many_vms_round_robin, TEST_TIMEOUT_S)
{
	if (!self->ready)
		return;
	ASSERT_EQ(0, start_vms(&self->fl, ROUND_ROBIN_VMS, NULL));
	EXPECT_TRUE(wait_progress(&self->fl, ROUND_ROBIN_BYTES))
		log_laggards(_metadata, &self->fl, ROUND_ROBIN_BYTES);
	expect_all_running(_metadata, &self->fl);
}

TEST_HARNESS_MAIN
