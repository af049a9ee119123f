// SPDX-License-Identifier: GPL-2.0
/*
 * hardening_test: the world switch against an unlucky or hostile host
 * side.
 *
 *  - the switcher cannot be kprobed (a probe in its exit path would
 *    re-enter it), while ordinary module functions can;
 *  - a fault in the exit path's host-restore steps (made on purpose
 *    through debugfs) is skipped once, never retried: the VM stops with
 *    a report, the host repairs itself, and the runner's LDT still works;
 *  - neutralize_syscall cannot be changed at run time;
 *  - a VM fd closed by another thread while DENALI_CREATE_VM returns
 *    never hands out a freed VM's id;
 *  - `perf record -a` samples while guests run, and both go on.
 */
#include <asm/ldt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "denali_util.h"

#define MEM (1ull << 20)
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS "/sys/kernel/debug"
#define INJECT DEBUGFS "/denali/inject_restore_fault"

static int write_str(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* Mount @fs at @dir unless @probe under it already exists. */
static bool have_fs(const char *fs, const char *dir, const char *probe)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, probe);
	if (access(path, F_OK) == 0)
		return true;
	mount(fs, dir, fs, 0, NULL);
	return access(path, F_OK) == 0;
}

/* ---- kprobes ------------------------------------------------------------ */

/* Add a kprobe event on denali:@sym; 0 or -errno.  Removes it again. */
static int try_kprobe(const char *sym)
{
	char def[128];
	int ret;

	snprintf(def, sizeof(def), "p:denali_test/probe denali:%s\n", sym);
	ret = write_str(TRACEFS "/kprobe_events", def, O_APPEND);
	if (!ret)
		write_str(TRACEFS "/kprobe_events", "-:denali_test/probe\n",
			  O_APPEND);
	return ret;
}

TEST(switcher_cannot_be_kprobed)
{
	static const char *const switcher[] = {
		"denali_switcher_run", "denali_vector_stubs",
		"denali_exit_common", "denali_switcher_return",
	};
	unsigned int i;
	int ret;

	ASSERT_EQ(0, denali_ensure_loaded());
	if (!have_fs("tracefs", TRACEFS, "kprobe_events"))
		SKIP(return, "no kprobe events in this kernel");
	/* The mechanism works: an ordinary function takes a probe. */
	ret = try_kprobe("denali_vcpu_run");
	ASSERT_EQ(0, ret) TH_LOG("denali_vcpu_run: %s", strerror(-ret));
	for (i = 0; i < ARRAY_SIZE(switcher); i++) {
		ret = try_kprobe(switcher[i]);
		EXPECT_NE(0, ret) TH_LOG("%s took a kprobe", switcher[i]);
	}
}

/* ---- a fault while restoring the host ---------------------------------- */

#define LDT_SEL ((0 << 3) | 4 | 3)

static int install_ldt(void)
{
	struct user_desc d = {
		.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1,
		.limit_in_pages = 1, .useable = 1,
	};

	return syscall(SYS_modify_ldt, 0x11, &d, sizeof(d));
}

static int run_to_end(int vm, struct denali_run *run)
{
	int ret, i = 0;

	do {
		ret = denali_run(vm, run);
	} while (ret == -EINTR && ++i < 1000);
	return ret;
}

/*
 * The injected fault is an lldt of a selector that is no LDT: the
 * restore path skips it, C reloads the runner's own LDT, and the VM
 * stops as a monitor error.  Without the skip, the exit path would
 * take the same fault again for ever, with interrupts off.
 */
TEST(restore_fault_is_skipped_once_and_repaired)
{
	struct denali_run run;
	uint16_t ds = 0;
	int vm, i;

	ASSERT_EQ(0, denali_ensure_loaded());
	if (!have_fs("debugfs", DEBUGFS, "denali"))
		SKIP(return, "no debugfs");
	ASSERT_EQ(0, install_ldt());

	for (i = 0; i < 3; i++) {
		vm = denali_create_file("null_calls", MEM);
		ASSERT_LE(0, vm);
		ASSERT_EQ(0, write_str(INJECT, "1", 0));
		ASSERT_EQ(0, run_to_end(vm, &run));
		EXPECT_EQ(DENALI_STOP_CRASH, run.reason);
		EXPECT_EQ(DENALI_CRASH_INTERNAL, run.crash.cause);
		EXPECT_NE(NULL, strstr(run.crash.description,
				       "vector 13 while restoring the host"))
			TH_LOG("description: %s", run.crash.description);
		close(vm);

		/* The runner's LDT is back: its selector loads. */
		asm volatile("mov %1, %%ds\n\tmov %%ds, %0"
			     : "=r" (ds) : "r" ((uint16_t)LDT_SEL));
		EXPECT_EQ(LDT_SEL, ds);
		asm volatile("mov %0, %%ds" : : "r" ((uint16_t)0));

		/* And the next VM runs as usual. */
		vm = denali_create_file("null_calls", MEM);
		ASSERT_LE(0, vm);
		ASSERT_EQ(0, run_to_end(vm, &run));
		EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
		EXPECT_EQ(0, run.exit_status);
		close(vm);
	}
	/* Root only, and a bounded count. */
	EXPECT_EQ(-EINVAL, write_str(INJECT, "100000", 0));
}

/* ---- module parameters ---------------------------------------------------- */

TEST(neutralize_syscall_is_read_only)
{
	const char *p = "/sys/module/denali/parameters/neutralize_syscall";
	struct stat st;

	ASSERT_EQ(0, denali_ensure_loaded());
	ASSERT_EQ(0, stat(p, &st));
	EXPECT_EQ(0444, st.st_mode & 0777);
	EXPECT_GT(0, write_str(p, "N", 0));
}

/* ---- DENALI_CREATE_VM against a thread closing its fds ------------------ */

struct closer {
	atomic_int stop;
	atomic_int lowest, highest;
};

static void *close_new_fds(void *arg)
{
	struct closer *c = arg;
	int fd;

	while (!atomic_load(&c->stop))
		for (fd = atomic_load(&c->lowest);
		     fd <= atomic_load(&c->highest); fd++)
			close(fd);
	return NULL;
}

/*
 * The id is written back before the fd exists: a racing close() can
 * free the VM the moment its fd is installed, and the id must already
 * be the VM's (slub_debug would show a freed one as 0x6b6b6b6b).
 */
TEST(create_never_reports_a_freed_vm)
{
	struct denali_create_vm c;
	struct closer cl = {};
	struct timespec t0;
	pthread_t th;
	int dev, img, i, fd, made = 0;

	ASSERT_EQ(0, denali_ensure_loaded());
	img = denali_guest_image("null_calls");
	ASSERT_LE(0, img);
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	/* Everything above the fds we keep is fair game for the closer. */
	fd = dup(0);
	ASSERT_LE(0, fd);
	close(fd);
	atomic_store(&cl.lowest, (dev > img ? dev : img) + 1);
	atomic_store(&cl.highest, (dev > img ? dev : img) + 4);
	ASSERT_EQ(0, pthread_create(&th, NULL, close_new_fds, &cl));
	/* Bounded in count and in time: TCG makes each creation slow. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000 && denali_ms_since(&t0) < 10000; i++) {
		memset(&c, 0, sizeof(c));
		c.mem_size = MEM;
		c.image_fd = img;
		fd = ioctl(dev, DENALI_CREATE_VM, &c);
		if (fd < 0)
			continue;
		made++;
		EXPECT_GT(0x10000000u, c.id) TH_LOG("id %#x", c.id);
		EXPECT_LT(0u, c.id);
		close(fd);	/* if the closer has not: no VM piles up */
	}
	atomic_store(&cl.stop, 1);
	pthread_join(th, NULL);
	EXPECT_LT(0, made);
	close(dev);
	close(img);
}

/* ---- perf sampling across the switch ---------------------------------- */

struct spinner {
	int vm;
	atomic_int stop;
	struct denali_run run;
};

static void *spin_vm(void *arg)
{
	struct spinner *s = arg;

	while (!atomic_load(&s->stop))
		if (denali_run(s->vm, &s->run) != -EINTR)
			break;
	return NULL;
}

static void on_kick(int sig)
{
}

static unsigned long long interrupt_exits(int vm)
{
	struct denali_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(vm, DENALI_GET_STATS, &st))
		return 0;
	return st.exits[DENALI_EXITK_INTERRUPT];
}

/* perf's own start (it reads every process's maps) is slow under TCG. */
FIXTURE(perf) {
	struct spinner s[2];
	pthread_t th[2];
	int started;
};

FIXTURE_SETUP(perf)
{
	struct sigaction sa = { .sa_handler = on_kick };

	memset(self, 0, sizeof(*self));
	ASSERT_EQ(0, denali_ensure_loaded());
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	for (; self->started < 2; self->started++) {
		self->s[self->started].vm = denali_create_file("spin", MEM);
		ASSERT_LE(0, self->s[self->started].vm);
		ASSERT_EQ(0, pthread_create(&self->th[self->started], NULL,
					    spin_vm, &self->s[self->started]));
	}
}

FIXTURE_TEARDOWN(perf)
{
	int i, j;

	for (i = 0; i < self->started; i++)
		atomic_store(&self->s[i].stop, 1);
	for (i = 0; i < self->started; i++) {
		for (j = 0; j < 500; j++) {
			if (pthread_tryjoin_np(self->th[i], NULL) == 0)
				break;
			pthread_kill(self->th[i], SIGUSR1);
			denali_sleep_ms(10);
		}
		EXPECT_GT(500, j) TH_LOG("runner %d did not stop", i);
		close(self->s[i].vm);
	}
	unlink("/tmp/denali-perf.data");
}

/*
 * perf samples every CPU (its NMIs or timer interrupts land in guests
 * too) while two guests spin: perf finishes with samples, and the guests
 * take interrupt exits all along.  Hardware PMU events are used where
 * the CPU has them (PEBS and BTS are switched off around guests), the
 * CPU clock elsewhere (TCG has no PMU).
 */
TEST_F_TIMEOUT(perf, record_while_guests_run, 300)
{
	unsigned long long before[2];
	char line[256];
	long samples = -1;
	int i, ret;
	FILE *f;

	if (system("perf --version >/dev/null 2>&1"))
		SKIP(return, "no perf here");
	denali_sleep_ms(100);
	for (i = 0; i < 2; i++)
		before[i] = interrupt_exits(self->s[i].vm);

	ret = system("perf record -a -F 499 -o /tmp/denali-perf.data -- sleep 2 >/tmp/denali-perf.log 2>&1");
	EXPECT_EQ(0, ret) TH_LOG("perf record: see /tmp/denali-perf.log");
	/* "[ perf record: Captured and wrote 0.1 MB ... (N samples) ]" */
	f = fopen("/tmp/denali-perf.log", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "samples)"))
			sscanf(strrchr(line, '(') + 1, "%ld", &samples);
	fclose(f);
	EXPECT_LT(0, samples);

	for (i = 0; i < 2; i++)
		EXPECT_LT(before[i], interrupt_exits(self->s[i].vm))
			TH_LOG("guest %d made no progress under perf", i);
}

TEST_HARNESS_MAIN
