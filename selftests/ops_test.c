// SPDX-License-Identifier: GPL-2.0
/*
 * Operating many VMs at once, as an administrator does: a hundred guests
 * sharing two CPUs with host work, VMs destroyed while they run, listing
 * what exists and in which state, users kept apart from each other's VMs
 * and held to their quota, a thousand VMs made and freed without memory
 * creeping away, the module refusing to unload under fifty VMs, the
 * tracepoints, and a console that overflows before anyone reads it.  The
 * other suites look at one VM closely; this one checks that the module's
 * bookkeeping holds when there are many, and when they come and go.
 *
 * The checks are counts, states and orderings.  The machines are QEMU TCG,
 * whose speed varies, so times only turn a hang into a failure; where a
 * test runs "for about 10 s" that is a minimum, and it goes on until what
 * it waits for has happened or the hang detector fires.
 *
 * Guests are raw code (see elf_build_code()) or images from guests/.  A
 * VM's DENALI_RUN loop runs in its own thread, a "runner", stopped with a
 * signal whose handler does not restart system calls, as in stress_test.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "kselftest_harness.h"
#include "denali_util.h"
#include "denali_runner.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define MIB		(1ull << 20)

/* Hang detectors: far beyond what a working module needs under TCG. */
#define HANG_MS		60000
#define TEST_TIMEOUT_S	300

#define MANY_VMS	100
#define MANY_RUN_MS	10000	/* the least wall time they all run */
#define HOST_WORK_STEPS	1000000
#define LIST_CAP	256
#define UNLOAD_VMS	50
#define UNLOAD_RUNNING	10
#define CYCLES		1000
#define CYCLES_REDUCED	300
#define CYCLES_WARMUP	5
#define NULL_CALLS	100
#define BURST_BYTES	(100 * 1024)
#define BURST_PATTERN	251

#define DEVICE_MODE_ALL	0666
#define LIMIT_PARAM	"/sys/module/denali/parameters/max_vms_per_user"
#define DROP_CACHES	"/proc/sys/vm/drop_caches"
#define TRACING		"/sys/kernel/tracing"
#define TRACE_EVENTS	TRACING "/events/denali"

/*
 * The spinner: counts in RBX and, every 2^20 iterations, writes one byte
 * (from free guest memory at 0x20000) to its console, so the console
 * shows that it runs.
 */
static const unsigned char spinner[] = {
	0x48, 0xff, 0xc3,			/* 1: inc %rbx */
	0xf7, 0xc3, 0xff, 0xff, 0x0f, 0x00,	/* test $0xfffff,%ebx */
	0x75, 0xf5,				/* jnz 1b */
	0xb8, 0x02, 0x00, 0x00, 0x00,		/* mov $2,%eax: console_write */
	0xbf, 0x00, 0x00, 0x02, 0x00,		/* mov $0x20000,%edi */
	0xbe, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%esi */
	0xcd, 0x1f,				/* int $0x1f */
	0xeb, 0xe2,				/* jmp 1b */
};

/*
 * jmp .: a spinner that never leaves the guest by itself, so that only
 * host interrupts end its round trips.
 */
static const unsigned char quiet_spinner[] = { 0xeb, 0xfe };

/* exit(0) */
static const unsigned char exit0[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%eax: exit */
	0x31, 0xff,				/* xor %edi,%edi */
	0xcd, 0x1f,				/* int $0x1f */
};

/* NULL_CALLS null hypercalls, then exit(0). */
static const unsigned char null_calls[] = {
	0xb9, NULL_CALLS, 0x00, 0x00, 0x00,	/* mov $100,%ecx */
	0xb8, 0x03, 0x00, 0x00, 0x00,		/* 1: mov $3,%eax: null */
	0xcd, 0x1f,				/* int $0x1f */
	0xff, 0xc9,				/* dec %ecx */
	0x75, 0xf5,				/* jnz 1b */
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%eax: exit */
	0x31, 0xff,				/* xor %edi,%edi */
	0xcd, 0x1f,				/* int $0x1f */
};

/*
 * The burst: fills BURST_BYTES of its memory at 0x20000 with byte i =
 * i % 251 (a period that divides none of the buffer sizes, so a byte
 * from the wrong place shows), writes them to the console in 25 writes
 * of 4 KiB, and exits 0, or 1 if a write was short.
 */
static const unsigned char burst[] = {
	0xbf, 0x00, 0x00, 0x02, 0x00,		/* mov $0x20000,%edi */
	0x31, 0xc9,				/* xor %ecx,%ecx */
	0x31, 0xc0,				/* xor %eax,%eax */
	0x88, 0x04, 0x0f,			/* 1: mov %al,(%rdi,%rcx) */
	0xff, 0xc0,				/* inc %eax */
	0x3d, 0xfb, 0x00, 0x00, 0x00,		/* cmp $251,%eax */
	0x75, 0x02,				/* jne 2f */
	0x31, 0xc0,				/* xor %eax,%eax */
	0xff, 0xc1,				/* 2: inc %ecx */
	0x81, 0xf9, 0x00, 0x90, 0x01, 0x00,	/* cmp $102400,%ecx */
	0x75, 0xe8,				/* jne 1b */
	0xbb, 0x00, 0x00, 0x02, 0x00,		/* mov $0x20000,%ebx */
	0x41, 0xbc, 0x19, 0x00, 0x00, 0x00,	/* mov $25,%r12d */
	0xb8, 0x02, 0x00, 0x00, 0x00,		/* 3: mov $2,%eax */
	0x48, 0x89, 0xdf,			/* mov %rbx,%rdi */
	0xbe, 0x00, 0x10, 0x00, 0x00,		/* mov $4096,%esi */
	0xcd, 0x1f,				/* int $0x1f */
	0x48, 0x3d, 0x00, 0x10, 0x00, 0x00,	/* cmp $4096,%rax */
	0x75, 0x10,				/* jne 4f */
	0x48, 0x81, 0xc3, 0x00, 0x10, 0x00, 0x00, /* add $4096,%rbx */
	0x41, 0xff, 0xcc,			/* dec %r12d */
	0x75, 0xdd,				/* jnz 3b */
	0x31, 0xff,				/* xor %edi,%edi */
	0xeb, 0x05,				/* jmp 5f */
	0xbf, 0x01, 0x00, 0x00, 0x00,		/* 4: mov $1,%edi */
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* 5: mov $1,%eax: exit */
	0xcd, 0x1f,				/* int $0x1f */
};

/* ---- helpers ------------------------------------------------------------- */

/*
 * The 6.1 lanes run the longest loops with fewer rounds: their kernels
 * are slower under TCG, and the loops look for leaks, which show in
 * fewer rounds as well.
 */
static bool reduced_lane(void)
{
	const char *lane = getenv("TESTVM_LANE");

	return lane && !strncmp(lane, "6.1-", 4);
}

/* An image file holding @code, for DENALI_CREATE_VM; fd or -errno. */
static int code_image(const void *code, size_t len)
{
	unsigned char image[ELF_BUILDER_DATA + 1024];
	size_t n = elf_build_code(image, sizeof(image), code, len);

	return n ? denali_image_fd(image, n) : -E2BIG;
}


/*
 * DENALI_CREATE_VM on @dev: the VM fd with its id in @id, or -errno with
 * the module's sentence in @err (DENALI_ERROR_MAX bytes) if not NULL.
 */
static int create_vm(int dev, int image, unsigned long long mem,
		     const char *name, __u32 *id, char *err)
{
	struct denali_create_vm c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = image;
	if (name)
		snprintf(c.name, sizeof(c.name), "%s", name);
	fd = ioctl(dev, DENALI_CREATE_VM, &c);
	if (fd < 0) {
		fd = -errno;
		if (err)
			memcpy(err, c.error, DENALI_ERROR_MAX);
		return fd;
	}
	if (id)
		*id = c.id;
	return fd;
}

/* DENALI_DESTROY_VM or DENALI_OPEN_VM (@cmd) of VM @id: its result. */
static int vm_ref(int dev, unsigned long cmd, __u32 id)
{
	struct denali_vm_ref ref = { .id = id };
	int ret = ioctl(dev, cmd, &ref);

	return ret < 0 ? -errno : ret;
}

/* DENALI_LIST_VMS into @vms (room for @cap); 0 or -errno. */
static int list_vms(int dev, struct denali_vm_info *vms, __u32 cap,
		    __u32 *count, __u32 *total)
{
	struct denali_list_vms l;

	memset(&l, 0, sizeof(l));
	l.capacity = cap;
	l.vms = (unsigned long)vms;
	if (ioctl(dev, DENALI_LIST_VMS, &l))
		return -errno;
	*count = l.count;
	*total = l.total;
	return 0;
}

static const struct denali_vm_info *find_vm(const struct denali_vm_info *vms,
					    __u32 count, __u32 id)
{
	__u32 i;

	for (i = 0; i < count; i++)
		if (vms[i].id == id)
			return &vms[i];
	return NULL;
}

static int get_stats(int fd, struct denali_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, DENALI_GET_STATS, st) ? -errno : 0;
}

/* Wait until @fd has console output (or end of file): true if it has. */
static bool wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, HANG_MS) == 1 && (pfd.revents & POLLIN);
}

/* Read what the console of @fd (non-blocking) holds now; the count. */
static unsigned long drain(int fd)
{
	char buf[512];
	unsigned long got = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	return got;
}

/* Read @fd to end of file into @buf; the count, or -1 on an error. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* The first line of @path into @buf, without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Fields of /proc/meminfo, in KiB. */
struct meminfo {
	long available;
	long sunreclaim;
	long sreclaimable;
};

static long meminfo_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static int read_meminfo(struct meminfo *m)
{
	char text[8192];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	text[n] = '\0';
	m->available = meminfo_field(text, "\nMemAvailable:");
	m->sunreclaim = meminfo_field(text, "\nSUnreclaim:");
	m->sreclaimable = meminfo_field(text, "\nSReclaimable:");
	return m->available < 0 || m->sunreclaim < 0 ||
	       m->sreclaimable < 0 ? -EINVAL : 0;
}

/* ---- runners ------------------------------------------------------------- */

/* The runners' hang limits: HANG_MS, as for everything else here. */
static bool runner_wait(struct denali_runner *r)
{
	return denali_runner_wait(r, HANG_MS);
}

static int runners_stop(struct denali_runner *run, int n)
{
	return denali_runners_stop(run, n, HANG_MS);
}

/* ---- the fixture --------------------------------------------------------- */

/* A test's VM fds and runners, for teardown to end whatever happened. */
struct pool {
	int nvm;
	int vm[MANY_VMS];
	int nrun;
	struct denali_runner run[MANY_VMS];
};

FIXTURE(ops) {
	bool ready;		/* setup completed without skipping */
	int ncpus;
	int dev;		/* /dev/denali */
	struct pool p;		/* VMs and runners, ended in teardown */
	mode_t dev_mode;	/* /dev/denali's mode to restore, or 0 */
	char limit[32];		/* max_vms_per_user to restore, or "" */
	bool tracing;		/* the denali events may be enabled */
	bool tracing_was_off;	/* tracing_on was 0: put it back */
};

FIXTURE_SETUP(ops)
{
	self->dev = -1;
	if (geteuid())
		SKIP(return, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());

	ASSERT_EQ(0, denali_runner_signals());
	self->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	self->dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	self->ready = true;
}

static void trace_events_enable(const char *value)
{
	write_file(TRACE_EVENTS "/denali_entry/enable", value);
	write_file(TRACE_EVENTS "/denali_exit/enable", value);
}

/* Opening the trace file for writing with O_TRUNC empties the buffer. */
static void trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

FIXTURE_TEARDOWN(ops)
{
	int i;

	EXPECT_EQ(0, runners_stop(self->p.run, self->p.nrun))
		TH_LOG("runners did not stop");
	for (i = 0; i < self->p.nvm; i++)
		if (self->p.vm[i] >= 0)
			close(self->p.vm[i]);
	if (self->dev >= 0)
		close(self->dev);
	if (self->dev_mode)
		EXPECT_EQ(0, chmod(DENALI_DEVICE_PATH, self->dev_mode));
	if (self->limit[0])
		EXPECT_EQ(0, write_file(LIMIT_PARAM, self->limit));
	if (self->tracing) {
		trace_events_enable("0");
		trace_clear();
		if (self->tracing_was_off)
			write_file(TRACING "/tracing_on", "0");
	}
}

/* Keep VM fd @fd for teardown to close; @fd itself, or -1 when full. */
static int keep_vm(struct pool *p, int fd)
{
	if (fd < 0 || p->nvm >= MANY_VMS)
		return fd < 0 ? fd : -1;
	p->vm[p->nvm++] = fd;
	return fd;
}

/* create_vm() of a VM kept for teardown to close. */
static int pool_vm(struct pool *p, int dev, int image, unsigned long long mem,
		   const char *name, __u32 *id)
{
	return keep_vm(p, create_vm(dev, image, mem, name, id, NULL));
}

/* A runner for VM @fd, stopped in teardown; 0 or -errno. */
static int start_runner(struct pool *p, int fd, int cpu,
			struct denali_runner **out)
{
	struct denali_runner *r = &p->run[p->nrun];
	int ret;

	if (p->nrun >= MANY_VMS)
		return -ENOSPC;
	ret = denali_runner_start(r, fd, cpu, 0);
	if (ret)
		return ret;
	p->nrun++;
	if (out)
		*out = r;
	return 0;
}

/*
 * Let user DENALI_TEST_UID open /dev/denali, saving its mode in @saved
 * for teardown to restore.
 */
static int open_device_to_all(mode_t *saved)
{
	struct stat st;

	if (stat(DENALI_DEVICE_PATH, &st))
		return -errno;
	*saved = st.st_mode & 07777;
	return chmod(DENALI_DEVICE_PATH, DEVICE_MODE_ALL) ? -errno : 0;
}

/* ---- 1. a hundred VMs on two CPUs ---------------------------------------- */

struct host_work {
	struct timespec t0;	/* when the runs began */
	atomic_int done;
	long ms;		/* how long after t0 it was done */
	unsigned long result;
};

/* A fixed amount of plain computation, as a host process does. */
static void *host_work_main(void *arg)
{
	unsigned long x = 88172645463325252ul;
	struct host_work *w = arg;
	long i;

	for (i = 0; i < HOST_WORK_STEPS; i++) {
		/* xorshift64: nothing the compiler can fold away. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	w->result = x;
	w->ms = denali_ms_since(&w->t0);
	atomic_store(&w->done, 1);
	return NULL;
}

/*
 * MANY_VMS compute-bound guests, each in its own unpinned runner, share
 * the CPUs with a host thread: the scheduler treats a runner as any
 * thread, so every guest makes progress, every runner is charged CPU
 * time, and the host work completes beside them.  Each runner is then
 * stopped by a signal, which is all that ever ends its DENALI_RUN.
 */
TEST_F_TIMEOUT(ops, hundred_vms_all_progress, TEST_TIMEOUT_S)
{
	/* Static: a starved worker must not write into a dead stack frame. */
	static struct host_work work;
	unsigned long bytes0[MANY_VMS], bytes[MANY_VMS];
	unsigned long least = ~0ul, most = 0;
	long cpu0[MANY_VMS], cpu[MANY_VMS], cpu_least = -1;
	int i, image, fd, behind = 0, not_charged = 0;
	struct timespec t0;
	pthread_t worker;
	bool all;

	if (!self->ready)
		return;
	image = code_image(spinner, sizeof(spinner));
	ASSERT_LE(0, image);
	for (i = 0; i < MANY_VMS; i++) {
		fd = pool_vm(&self->p, self->dev, image, MEM, NULL, NULL);
		ASSERT_LE(0, fd) TH_LOG("VM %d: %s", i, strerror(-fd));
		ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
		ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
	}
	close(image);

	/* The baseline: where each stood once every runner had started. */
	for (i = 0; i < MANY_VMS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!atomic_load(&self->p.run[i].tid) &&
		       denali_ms_since(&t0) < HANG_MS)
			denali_sleep_ms(1);
		ASSERT_NE(0, atomic_load(&self->p.run[i].tid));
	}
	for (i = 0; i < MANY_VMS; i++) {
		cpu0[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
		ASSERT_LE(0, cpu0[i]);
		bytes0[i] = drain(self->p.vm[i]);
		bytes[i] = bytes0[i];
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	work.t0 = t0;
	ASSERT_EQ(0, pthread_create(&worker, NULL, host_work_main, &work));
	for (;;) {
		denali_sleep_ms(200);
		all = atomic_load(&work.done) &&
		      denali_ms_since(&t0) >= MANY_RUN_MS;
		for (i = 0; i < MANY_VMS; i++) {
			bytes[i] += drain(self->p.vm[i]);
			all = all && bytes[i] > bytes0[i];
		}
		/* CPU time is read only once the rest is there: it is slower. */
		for (i = 0; all && i < MANY_VMS; i++) {
			cpu[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
			all = cpu[i] > cpu0[i];
		}
		if (all || denali_ms_since(&t0) > 2 * HANG_MS)
			break;
	}
	for (i = 0; i < MANY_VMS; i++)
		cpu[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
	TH_LOG("ran %ld ms", denali_ms_since(&t0));
	EXPECT_EQ(0, runners_stop(self->p.run, self->p.nrun));

	if (atomic_load(&work.done)) {
		pthread_join(worker, NULL);
	} else {
		pthread_detach(worker);
		EXPECT_TRUE(atomic_load(&work.done))
			TH_LOG("the host work did not complete");
	}
	for (i = 0; i < MANY_VMS; i++) {
		struct denali_runner *r = &self->p.run[i];

		bytes[i] += drain(self->p.vm[i]);
		bytes[i] -= bytes0[i];
		least = bytes[i] < least ? bytes[i] : least;
		most = bytes[i] > most ? bytes[i] : most;
		cpu[i] -= cpu0[i];
		if (cpu_least < 0 || cpu[i] < cpu_least)
			cpu_least = cpu[i];
		if (!bytes[i]) {
			behind++;
			TH_LOG("VM %d made no progress", i);
		}
		if (cpu[i] <= 0) {
			not_charged++;
			TH_LOG("runner %d: utime+stime %ld -> %ld ticks", i,
			       cpu0[i], cpu0[i] + cpu[i]);
		}
		/* Nothing but the signals ended a RUN, and each did. */
		EXPECT_EQ(-EINTR, r->ret)
			TH_LOG("runner %d: RUN returned %d, reason %u", i,
			       r->ret, r->run.reason);
		EXPECT_EQ(r->calls, r->eintr) TH_LOG("runner %d", i);
		EXPECT_LE(1, r->calls);
	}
	TH_LOG("%d VMs: %lu to %lu progress bytes each, at least %ld ticks of CPU each; host work (%lx) done in %ld ms",
	       MANY_VMS, least, most, cpu_least, work.result, work.ms);
	EXPECT_EQ(0, behind);
	EXPECT_EQ(0, not_charged);
}

/* ---- 2. destroy ---------------------------------------------------------- */

/*
 * Wait until VM @fd has been interrupted @n times in its guest: it is
 * then past its first entry and spinning in the guest between ticks.
 */
static bool wait_interrupted(int fd, unsigned long long n)
{
	struct denali_stats st;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!get_stats(fd, &st) && st.exits[DENALI_EXITK_INTERRUPT] < n &&
	       denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(5);
	return st.exits[DENALI_EXITK_INTERRUPT] >= n;
}

/*
 * DENALI_DESTROY_VM from another thread ends a running guest at once: its
 * DENALI_RUN returns the DESTROYED report with no signal sent, the VM
 * leaves the list and its files hang up, and the interrupt that stopped
 * it is counted as a kick.
 *
 * A kick is an exit only if the runner is in its guest when the
 * interrupt comes; between round trips it sees the stop without one.  So
 * the guest is the quiet spinner, which leaves its guest only for host
 * interrupts, and the destroy comes once ticks have shown it spinning
 * there, not right after an exit of its own (as a console write would be).
 */
TEST_F_TIMEOUT(ops, destroy_while_running, TEST_TIMEOUT_S)
{
	struct denali_vm_info vms[LIST_CAP];
	struct pollfd pfd;
	struct denali_stats st;
	struct denali_run run;
	struct denali_runner *r;
	__u32 id = 0, count = 0, total = 0;
	const struct denali_vm_info *info;
	cpu_set_t set;
	int image, fd;
	char c;

	if (!self->ready)
		return;
	/*
	 * The runner alone on CPU1, this thread on CPU0: the runner is in
	 * its guest, not waiting for a CPU, when the destroy comes.
	 */
	if (self->ncpus >= 2) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	image = code_image(quiet_spinner, sizeof(quiet_spinner));
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_runner(&self->p, fd, self->ncpus >= 2 ? 1 : -1, &r));
	ASSERT_TRUE(wait_interrupted(fd, 2)) TH_LOG("the guest never ran");
	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	info = find_vm(vms, count, id);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(DENALI_VM_RUNNING, info->state);

	ASSERT_EQ(0, vm_ref(self->dev, DENALI_DESTROY_VM, id));
	ASSERT_TRUE(runner_wait(r)) TH_LOG("RUN did not return after DESTROY");
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(DENALI_STOP_DESTROYED, r->run.reason);
	EXPECT_EQ(1, r->calls);

	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(NULL, find_vm(vms, count, id));
	pfd.fd = fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP) TH_LOG("revents %#x", pfd.revents);
	EXPECT_EQ(-ENOENT, vm_ref(self->dev, DENALI_DESTROY_VM, id));
	EXPECT_EQ(-ENOENT, vm_ref(self->dev, DENALI_OPEN_VM, id));

	/*
	 * No round trip starts once the VM is destroyed: at most the one it
	 * was in ends as a kick (none if the destroy found the thread in the
	 * host, between two round trips).
	 */
	ASSERT_EQ(0, get_stats(fd, &st));
	EXPECT_GE(1, st.exits[DENALI_EXITK_KICK])
		TH_LOG("exits: %llu interrupt, %llu kick, %llu hypercall",
		       st.exits[DENALI_EXITK_INTERRUPT],
		       st.exits[DENALI_EXITK_KICK],
		       st.exits[DENALI_EXITK_HYPERCALL]);

	/* It stays stopped, and its console ends. */
	ASSERT_EQ(0, denali_run(fd, &run));
	EXPECT_EQ(DENALI_STOP_DESTROYED, run.reason);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	drain(fd);
	EXPECT_EQ(0, read(fd, &c, 1));
}

/* ---- 3. listing ---------------------------------------------------------- */

/*
 * One VM in each state the list can report, each with its own memory
 * size so that no field is taken from the wrong VM.
 */
TEST_F_TIMEOUT(ops, list_reports_state_and_status, TEST_TIMEOUT_S)
{
	enum { READY, RUNNING, EXITED, CRASHED, HALTED, KINDS };
	static const char *const guest[KINDS] = {
		[EXITED] = "exit_status", [CRASHED] = "crash_cli",
		[HALTED] = "halt",
	};
	static const char *const name[KINDS] = {
		"ops-ready", "ops-running", "ops-exited", "ops-crashed",
		"ops-halted",
	};
	static const __u32 reason[KINDS] = {
		0, 0, DENALI_STOP_EXIT, DENALI_STOP_CRASH, DENALI_STOP_HALT,
	};
	struct denali_vm_info vms[LIST_CAP];
	const struct denali_vm_info *info;
	struct denali_run run;
	__u32 id[KINDS], count = 0, total = 0;
	int k, image, fd;
	char c;

	if (!self->ready)
		return;
	for (k = 0; k < KINDS; k++) {
		image = guest[k] ? denali_guest_image(guest[k]) :
				   code_image(spinner, sizeof(spinner));
		ASSERT_LE(0, image) TH_LOG("%s", name[k]);
		fd = pool_vm(&self->p, self->dev, image, (k + 1) * MIB,
			     name[k], &id[k]);
		close(image);
		ASSERT_LE(0, fd) TH_LOG("%s", name[k]);
		if (k == RUNNING) {
			ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
			ASSERT_TRUE(wait_readable(fd));
			ASSERT_EQ(1, read(fd, &c, 1));
		} else if (k != READY) {
			ASSERT_EQ(0, denali_run(fd, &run));
			ASSERT_EQ(reason[k], run.reason) TH_LOG("%s", name[k]);
		}
	}

	/* Too little room: one written, and how many there are. */
	ASSERT_EQ(0, list_vms(self->dev, vms, 1, &count, &total));
	EXPECT_EQ(1, count);
	EXPECT_LE(KINDS, total);
	ASSERT_GE(LIST_CAP, total);

	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(total, count);
	for (k = 0; k < KINDS; k++) {
		info = find_vm(vms, count, id[k]);
		ASSERT_NE(NULL, info) TH_LOG("%s not listed", name[k]);
		EXPECT_STREQ(name[k], info->name);
		EXPECT_EQ((k + 1) * MIB, info->mem_size) TH_LOG("%s", name[k]);
		EXPECT_EQ(0, info->owner_uid) TH_LOG("%s", name[k]);
		EXPECT_EQ(k == READY ? 0 : getpid(), info->runner_pid)
			TH_LOG("%s", name[k]);
		EXPECT_EQ(k == READY ? DENALI_VM_READY :
			  k == RUNNING ? DENALI_VM_RUNNING : DENALI_VM_STOPPED,
			  info->state) TH_LOG("%s", name[k]);
		EXPECT_EQ(reason[k], info->stop_reason) TH_LOG("%s", name[k]);
		EXPECT_EQ(k == EXITED ? 7 : 0, info->exit_status)
			TH_LOG("%s", name[k]);
		if (k == CRASHED) {
			EXPECT_EQ(DENALI_CRASH_PRIVILEGED, info->crash_cause);
			EXPECT_EQ(13, info->crash_vector);
			EXPECT_STREQ("privileged instruction: cli",
				     info->crash_description);
		} else {
			EXPECT_EQ(0, info->crash_cause) TH_LOG("%s", name[k]);
			EXPECT_EQ(0, info->crash_vector) TH_LOG("%s", name[k]);
			EXPECT_EQ(0, info->crash_description[0])
				TH_LOG("%s", name[k]);
		}
	}
	/* Listed by id. */
	for (k = 1; k < (int)count; k++)
		EXPECT_LT(vms[k - 1].id, vms[k].id);
}

/* ---- 4. and 5. users ----------------------------------------------------- */

/* What the unprivileged child needs: all made before it drops root. */
struct nobody_args {
	int image;		/* an image fd, inherited */
	__u32 root_id;		/* root's VM */
	int id_pipe[2];		/* child -> root: its VM's id, 0 on failure */
	int go_pipe[2];		/* root -> child: done looking */
};

/* Say on stderr why the child failed; @step, for its exit status. */
static int nobody_fail(int step, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# nobody, step %d: ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return step;
}

static int nobody_checks(struct nobody_args *a)
{
	struct denali_vm_info vms[8] = {};
	char err[DENALI_ERROR_MAX];
	__u32 id = 0, count = 0, total = 0;
	int dev, fd, ret;
	char go;

	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return nobody_fail(1, "open: %s", strerror(errno));
	ret = list_vms(dev, vms, 8, &count, &total);
	if (ret || count || total)
		return nobody_fail(2, "LIST: %d, count %u, total %u", ret,
				   count, total);
	ret = vm_ref(dev, DENALI_DESTROY_VM, a->root_id);
	if (ret != -ENOENT)
		return nobody_fail(3, "DESTROY of root's VM: %d", ret);
	ret = vm_ref(dev, DENALI_OPEN_VM, a->root_id);
	if (ret != -ENOENT)
		return nobody_fail(4, "OPEN of root's VM: %d", ret);

	fd = create_vm(dev, a->image, MEM, "nobodys", &id, err);
	if (fd < 0)
		return nobody_fail(5, "CREATE: %s: %s", strerror(-fd), err);
	ret = list_vms(dev, vms, 8, &count, &total);
	if (ret || count != 1 || total != 1 || vms[0].id != id ||
	    vms[0].owner_uid != DENALI_TEST_UID)
		return nobody_fail(6, "LIST: %d, count %u, total %u, id %u of %u, owner %u",
				   ret, count, total, vms[0].id, id,
				   vms[0].owner_uid);
	/* Its own VM it may name. */
	ret = vm_ref(dev, DENALI_OPEN_VM, id);
	if (ret < 0)
		return nobody_fail(7, "OPEN of its own VM: %d", ret);
	close(ret);

	/* Keep the VM until root has looked. */
	if (write(a->id_pipe[1], &id, sizeof(id)) != sizeof(id) ||
	    read(a->go_pipe[0], &go, 1) != 1)
		return nobody_fail(8, "pipes: %s", strerror(errno));
	close(fd);
	close(dev);
	return 0;
}

static int as_nobody_alone(void *arg)
{
	struct nobody_args *a = arg;
	__u32 failed = 0;
	int ret = nobody_checks(a);

	/* Root waits for an id: 0 says there will be none. */
	if (ret && write(a->id_pipe[1], &failed, sizeof(failed)) < 0)
		return ret;
	return ret;
}

/* What root saw while the child held its VM. */
struct root_view {
	struct nobody_args *a;
	int dev;
	__u32 child_id;
	int list_ret;
	bool saw_root, saw_child;
	__u32 child_owner;
};

static void *root_looks(void *arg)
{
	struct denali_vm_info vms[LIST_CAP];
	const struct denali_vm_info *info;
	struct root_view *v = arg;
	struct pollfd pfd = { .fd = v->a->id_pipe[0], .events = POLLIN };
	__u32 count = 0, total = 0;

	if (poll(&pfd, 1, HANG_MS) == 1 &&
	    read(v->a->id_pipe[0], &v->child_id, sizeof(v->child_id)) ==
	    sizeof(v->child_id) && v->child_id) {
		v->list_ret = list_vms(v->dev, vms, LIST_CAP, &count, &total);
		v->saw_root = !v->list_ret &&
			      find_vm(vms, count, v->a->root_id);
		info = v->list_ret ? NULL : find_vm(vms, count, v->child_id);
		v->saw_child = info;
		v->child_owner = info ? info->owner_uid : 0;
	}
	if (write(v->a->go_pipe[1], "g", 1) != 1)
		v->list_ret = -EPIPE;
	return NULL;
}

/*
 * An unprivileged user sees, destroys and opens only its own VMs: root's
 * VM does not exist for it (ENOENT, as for an unused id), while root
 * sees both.
 */
TEST_F_TIMEOUT(ops, unprivileged_users_cannot_touch_others_vms,
	       TEST_TIMEOUT_S)
{
	struct denali_vm_info vms[LIST_CAP];
	struct nobody_args a;
	struct root_view v;
	__u32 count = 0, total = 0;
	pthread_t looker;
	int fd, status;

	if (!self->ready)
		return;
	memset(&a, 0, sizeof(a));
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, open_device_to_all(&self->dev_mode));
	a.image = code_image(exit0, sizeof(exit0));
	ASSERT_LE(0, a.image);
	fd = pool_vm(&self->p, self->dev, a.image, MEM, "roots", &a.root_id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(a.id_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(a.go_pipe, O_CLOEXEC));

	v.a = &a;
	v.dev = self->dev;
	ASSERT_EQ(0, pthread_create(&looker, NULL, root_looks, &v));
	status = denali_run_unprivileged(as_nobody_alone, &a);
	pthread_join(looker, NULL);
	EXPECT_EQ(0, status);
	ASSERT_NE(0, v.child_id) TH_LOG("the child made no VM");
	EXPECT_EQ(0, v.list_ret);
	EXPECT_TRUE(v.saw_root);
	EXPECT_TRUE(v.saw_child);
	EXPECT_EQ(DENALI_TEST_UID, v.child_owner);

	/* The child's VM went with its last file, as the child exited. */
	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_NE(NULL, find_vm(vms, count, a.root_id));
	EXPECT_EQ(NULL, find_vm(vms, count, v.child_id));
	close(a.image);
	close(a.id_pipe[0]);
	close(a.id_pipe[1]);
	close(a.go_pipe[0]);
	close(a.go_pipe[1]);
}

#define USER_LIMIT	3

static int nobody_fills_quota(void *arg)
{
	struct nobody_args *a = arg;
	char err[DENALI_ERROR_MAX];
	int dev, fd[USER_LIMIT], i, ret;
	__u32 id;

	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return nobody_fail(1, "open: %s", strerror(errno));
	for (i = 0; i < USER_LIMIT; i++) {
		fd[i] = create_vm(dev, a->image, MEM, NULL, NULL, err);
		if (fd[i] < 0)
			return nobody_fail(2, "VM %d: %s: %s", i,
					   strerror(-fd[i]), err);
	}
	ret = create_vm(dev, a->image, MEM, NULL, NULL, err);
	if (ret != -EDQUOT)
		return nobody_fail(3, "VM %d: %d (%s), not EDQUOT",
				   USER_LIMIT, ret, ret < 0 ? err : "created");
	if (!strstr(err, "max_vms_per_user"))
		return nobody_fail(4, "error text '%s'", err);
	/* The limit counts VMs that exist: one gone makes room for one. */
	close(fd[0]);
	fd[0] = create_vm(dev, a->image, MEM, NULL, &id, err);
	if (fd[0] < 0)
		return nobody_fail(5, "after a close: %s: %s",
				   strerror(-fd[0]), err);
	/*
	 * A destroyed VM whose file is still open still exists (and holds
	 * its memory): it counts until its last file is closed.
	 */
	if (vm_ref(dev, DENALI_DESTROY_VM, id))
		return nobody_fail(6, "destroy: %s", strerror(errno));
	ret = create_vm(dev, a->image, MEM, NULL, NULL, err);
	if (ret != -EDQUOT)
		return nobody_fail(7, "with one destroyed but open: %d, not EDQUOT",
				   ret);
	close(fd[0]);
	fd[0] = create_vm(dev, a->image, MEM, NULL, NULL, err);
	if (fd[0] < 0)
		return nobody_fail(8, "after closing the destroyed one: %s: %s",
				   strerror(-fd[0]), err);
	for (i = 0; i < USER_LIMIT; i++)
		close(fd[i]);
	close(dev);
	return 0;
}

/*
 * max_vms_per_user holds an unprivileged user to that many VMs at once,
 * with EDQUOT and a sentence naming the parameter; root is not limited.
 */
TEST_F_TIMEOUT(ops, per_user_limit, TEST_TIMEOUT_S)
{
	struct nobody_args a;
	char value[16];
	int i, fd;

	if (!self->ready)
		return;
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, read_line(LIMIT_PARAM, self->limit,
			       sizeof(self->limit)));
	ASSERT_NE(0, self->limit[0]);
	snprintf(value, sizeof(value), "%d", USER_LIMIT);
	ASSERT_EQ(0, write_file(LIMIT_PARAM, value));
	ASSERT_EQ(0, open_device_to_all(&self->dev_mode));
	a.image = code_image(exit0, sizeof(exit0));
	ASSERT_LE(0, a.image);

	EXPECT_EQ(0, denali_run_unprivileged(nobody_fills_quota, &a));

	for (i = 0; i < 2 * USER_LIMIT; i++) {
		fd = pool_vm(&self->p, self->dev, a.image, MEM, NULL, NULL);
		EXPECT_LE(0, fd) TH_LOG("root's VM %d: %s", i,
					strerror(-fd));
	}
	close(a.image);
}

/* ---- 6. memory over many lifetimes --------------------------------------- */

/*
 * The stated bounds: over the cycles, MemAvailable may drop by less than
 * 16 MiB and unreclaimable slab (SUnreclaim) may grow by less than 4 MiB,
 * measured with the caches dropped at both ends.  A VM left behind per
 * cycle would cost its 1 MiB of guest memory; a structure left behind,
 * its size in slab.
 */
#define CYCLE_AVAILABLE_DROP_KIB	(16 * 1024)
#define CYCLE_SLAB_GROWTH_KIB		(4 * 1024)

/* One VM's whole life: create, run to exit(0), close; 0 or -errno. */
static int vm_cycle(int dev, int image, char *err)
{
	struct denali_run run;
	int fd, ret;

	fd = create_vm(dev, image, MEM, NULL, NULL, err);
	if (fd < 0)
		return fd;
	ret = denali_run(fd, &run);
	if (!ret && (run.reason != DENALI_STOP_EXIT || run.exit_status))
		ret = -EPROTO;
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(ops, thousand_create_run_destroy_cycles_keep_memory_flat,
	       TEST_TIMEOUT_S)
{
	int i, image, ret, n = reduced_lane() ? CYCLES_REDUCED : CYCLES;
	char err[DENALI_ERROR_MAX] = "";
	struct meminfo before, after;
	long avail_drop, unrecl_growth, recl_growth;
	struct timespec t0;

	if (!self->ready)
		return;
	image = code_image(exit0, sizeof(exit0));
	ASSERT_LE(0, image);
	/* One-time costs (slab pages, per-CPU state) before the baseline. */
	for (i = 0; i < CYCLES_WARMUP; i++)
		ASSERT_EQ(0, vm_cycle(self->dev, image, err)) TH_LOG("%s", err);

	ASSERT_EQ(0, write_file(DROP_CACHES, "3"));
	ASSERT_EQ(0, read_meminfo(&before));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		ret = vm_cycle(self->dev, image, err);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: %s %s", i, strerror(-ret),
					 err);
	}
	close(image);
	ASSERT_EQ(0, write_file(DROP_CACHES, "3"));
	ASSERT_EQ(0, read_meminfo(&after));

	avail_drop = before.available - after.available;
	unrecl_growth = after.sunreclaim - before.sunreclaim;
	recl_growth = after.sreclaimable - before.sreclaimable;
	TH_LOG("%d cycles in %ld ms: MemAvailable %ld -> %ld kB (drop %ld kB), SUnreclaim %ld -> %ld kB (growth %ld kB), SReclaimable %ld -> %ld kB (growth %ld kB)",
	       n, denali_ms_since(&t0), before.available, after.available,
	       avail_drop, before.sunreclaim, after.sunreclaim,
	       unrecl_growth, before.sreclaimable, after.sreclaimable,
	       recl_growth);
	EXPECT_GT(CYCLE_AVAILABLE_DROP_KIB, avail_drop);
	EXPECT_GT(CYCLE_SLAB_GROWTH_KIB, unrecl_growth);
}

/* ---- 7. unloading -------------------------------------------------------- */

/*
 * Every VM file holds the module: with fifty VMs, some running, it will
 * not unload.  Destroyed by id and closed, they let it go, and nothing
 * else (a runner, a lingering reference) keeps it.
 */
TEST_F_TIMEOUT(ops, unload_refused_with_fifty_vms_then_clean,
	       TEST_TIMEOUT_S)
{
	struct denali_vm_info *vms;
	__u32 id[UNLOAD_VMS], count = 0, total = 0;
	int i, image, fd, ret, destroyed = 0;
	char c;

	if (!self->ready)
		return;
	vms = calloc(LIST_CAP, sizeof(*vms));
	ASSERT_NE(NULL, vms);
	image = code_image(spinner, sizeof(spinner));
	ASSERT_LE(0, image);
	for (i = 0; i < UNLOAD_VMS; i++) {
		fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id[i]);
		ASSERT_LE(0, fd) TH_LOG("VM %d: %s", i, strerror(-fd));
		if (i < UNLOAD_RUNNING)
			ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
	}
	close(image);
	for (i = 0; i < UNLOAD_RUNNING; i++) {
		ASSERT_TRUE(wait_readable(self->p.vm[i]));
		ASSERT_EQ(1, read(self->p.vm[i], &c, 1));
	}

	ret = denali_unload_module();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module: %d", ret);
	ASSERT_TRUE(denali_module_loaded());

	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(UNLOAD_VMS, total);
	for (i = 0; i < UNLOAD_VMS; i++)
		EXPECT_NE(NULL, find_vm(vms, count, id[i]));
	for (i = 0; i < (int)count; i++)
		destroyed += !vm_ref(self->dev, DENALI_DESTROY_VM, vms[i].id);
	EXPECT_EQ(count, destroyed);
	ASSERT_EQ(0, list_vms(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(0, total);
	free(vms);

	/* Each runner's RUN ended with the destroy, without a signal. */
	for (i = 0; i < UNLOAD_RUNNING; i++) {
		struct denali_runner *r = &self->p.run[i];

		ASSERT_TRUE(runner_wait(r)) TH_LOG("runner %d", i);
		EXPECT_EQ(0, r->ret) TH_LOG("runner %d", i);
		EXPECT_EQ(DENALI_STOP_DESTROYED, r->run.reason)
			TH_LOG("runner %d", i);
	}
	for (i = 0; i < self->p.nvm; i++) {
		close(self->p.vm[i]);
		self->p.vm[i] = -1;
	}
	close(self->dev);
	self->dev = -1;

	ASSERT_EQ(0, denali_unload_module());
	EXPECT_FALSE(denali_module_loaded());
	ASSERT_EQ(0, denali_load_module());
}

/* ---- 8. tracepoints ------------------------------------------------------ */

/*
 * denali:denali_entry and denali:denali_exit record every round trip: a
 * guest making NULL_CALLS null hypercalls and then exiting shows at least
 * that many exits plus one, exactly that many plus one of them through
 * the hypercall vector, one entry for each exit, and as many exits as the
 * VM's own statistics count.
 */
TEST_F_TIMEOUT(ops, tracepoints_record_round_trips, TEST_TIMEOUT_S)
{
	char line[512], exit_tag[64], hc_tag[64], entry_tag[64], on[8];
	unsigned long long stat_exits = 0;
	int image, fd, k, exits = 0, hc_exits = 0, entries = 0;
	struct denali_stats st;
	struct denali_run run;
	FILE *trace;
	__u32 id = 0;

	if (!self->ready)
		return;
	if (access(TRACING "/trace", F_OK))
		SKIP(return, "no tracefs at %s", TRACING);
	ASSERT_EQ(0, access(TRACE_EVENTS "/denali_exit/enable", W_OK));

	self->tracing = true;
	ASSERT_EQ(0, read_line(TRACING "/tracing_on", on, sizeof(on)));
	if (!strcmp(on, "0")) {
		self->tracing_was_off = true;
		ASSERT_EQ(0, write_file(TRACING "/tracing_on", "1"));
	}
	trace_clear();
	ASSERT_EQ(0, write_file(TRACE_EVENTS "/denali_entry/enable", "1"));
	ASSERT_EQ(0, write_file(TRACE_EVENTS "/denali_exit/enable", "1"));

	image = code_image(null_calls, sizeof(null_calls));
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, denali_run(fd, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0, run.exit_status);
	trace_events_enable("0");

	snprintf(exit_tag, sizeof(exit_tag), "denali_exit: vm %u exit ", id);
	snprintf(hc_tag, sizeof(hc_tag), "denali_exit: vm %u exit %#x ", id,
		 DENALI_HYPERCALL_VECTOR);
	snprintf(entry_tag, sizeof(entry_tag), "denali_entry: vm %u rip ", id);
	trace = fopen(TRACING "/trace", "re");
	ASSERT_NE(NULL, trace);
	while (fgets(line, sizeof(line), trace)) {
		exits += !!strstr(line, exit_tag);
		hc_exits += !!strstr(line, hc_tag);
		entries += !!strstr(line, entry_tag);
	}
	fclose(trace);

	ASSERT_EQ(0, get_stats(fd, &st));
	for (k = 0; k < DENALI_EXIT_KINDS; k++)
		stat_exits += st.exits[k];
	TH_LOG("vm %u: %d exits traced (%d hypercalls), %d entries; stats: %llu exits",
	       id, exits, hc_exits, entries, stat_exits);
	EXPECT_LE(NULL_CALLS + 1, exits);
	EXPECT_EQ(NULL_CALLS + 1, hc_exits);
	EXPECT_EQ(exits, entries);
	EXPECT_EQ(stat_exits, exits);
}

/* ---- 9. the console overflows -------------------------------------------- */

/* Is @buf (@len bytes) the burst's pattern from stream position @pos on? */
static bool is_burst_tail(const unsigned char *buf, size_t len, size_t pos)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (pos + i) % BURST_PATTERN)
			return false;
	return true;
}

/*
 * A guest writes more than the console keeps before anyone reads: the
 * statistics count every byte written and every byte lost, and each file
 * reads, on its own, exactly the last DENALI_CONSOLE_BYTES, in order.
 */
TEST_F_TIMEOUT(ops, console_overflow_is_counted, TEST_TIMEOUT_S)
{
	const size_t kept = DENALI_CONSOLE_BYTES;
	const size_t lost = BURST_BYTES - DENALI_CONSOLE_BYTES;
	static unsigned char buf[2 * DENALI_CONSOLE_BYTES];
	struct denali_stats st;
	struct denali_run run;
	int image, fd, second;
	ssize_t n;
	__u32 id = 0;

	if (!self->ready)
		return;
	image = code_image(burst, sizeof(burst));
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, denali_run(fd, &run));
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	ASSERT_EQ(0, run.exit_status) TH_LOG("a console write was short");

	ASSERT_EQ(0, get_stats(fd, &st));
	EXPECT_EQ(BURST_BYTES, st.console_bytes);
	EXPECT_EQ(lost, st.console_dropped);

	/* Opened now, before the first file reads anything. */
	second = keep_vm(&self->p, vm_ref(self->dev, DENALI_OPEN_VM, id));
	ASSERT_LE(0, second);

	n = read_all(fd, buf, sizeof(buf));
	ASSERT_EQ(kept, n);
	EXPECT_TRUE(is_burst_tail(buf, n, lost));

	/* The first file's reading took nothing from the second's. */
	memset(buf, 0, sizeof(buf));
	n = read_all(second, buf, sizeof(buf));
	ASSERT_EQ(kept, n);
	EXPECT_TRUE(is_burst_tail(buf, n, lost));

	/* Bytes read late were not lost: the count stands. */
	ASSERT_EQ(0, get_stats(fd, &st));
	EXPECT_EQ(BURST_BYTES, st.console_bytes);
	EXPECT_EQ(lost, st.console_dropped);
}

TEST_HARNESS_MAIN
