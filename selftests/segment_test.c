// SPDX-License-Identifier: GPL-2.0
/*
 * segment_test: the runner's own segment registers, in every state a
 * Linux process can put them in.
 *
 * The switcher runs the guest under the module's GDT and no LDT; the
 * runner's DS/ES/FS/GS must come back exactly as they were, whatever
 * they held: null selectors of any RPL, the 64-bit and 32-bit user
 * segments (a 32-bit code selector is readable, so loadable into a data
 * register), the CPU-number segment, TLS entries (set_thread_area) and
 * LDT entries (modify_ldt).  A selector the module's GDT lacks, reloaded
 * at the wrong moment, faulted at CPL0 in the exit path for ever: these
 * tests hung the machine before the fix.
 *
 * Each case runs in a child process that touches no libc after loading
 * the selector (FS and GS hold libc's TLS), with raw system calls, and
 * runs a guest that exits by hypercalls, by interrupts (spinning) and
 * by a fault.  The selector and both bases must read back unchanged.
 */
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "denali_util.h"

#define MEM (2ull << 20)

enum seg { SEG_DS, SEG_ES, SEG_FS, SEG_GS };
static const char *const seg_names[] = { "ds", "es", "fs", "gs" };
static const char *const modes[] = { "calls", "spin", "fault" };
/* Runs of a spin case at most, until one takes an interrupt exit. */
#define SPIN_TRIES	5

/* ---- raw system calls: no libc, no TLS, no errno -------------------- */

static __always_inline long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("syscall"
		     : "=a" (ret)
		     : "a" (nr), "D" (a), "S" (b), "d" (c)
		     : "rcx", "r11", "memory");
	return ret;
}

static __always_inline void load_seg(enum seg s, uint16_t sel)
{
	switch (s) {
	case SEG_DS:
		asm volatile("mov %0, %%ds" : : "r" (sel));
		break;
	case SEG_ES:
		asm volatile("mov %0, %%es" : : "r" (sel));
		break;
	case SEG_FS:
		asm volatile("mov %0, %%fs" : : "r" (sel));
		break;
	case SEG_GS:
		asm volatile("mov %0, %%gs" : : "r" (sel));
		break;
	}
}

static __always_inline uint16_t read_seg(enum seg s)
{
	uint16_t sel = 0;

	switch (s) {
	case SEG_DS:
		asm volatile("mov %%ds, %0" : "=r" (sel));
		break;
	case SEG_ES:
		asm volatile("mov %%es, %0" : "=r" (sel));
		break;
	case SEG_FS:
		asm volatile("mov %%fs, %0" : "=r" (sel));
		break;
	case SEG_GS:
		asm volatile("mov %%gs, %0" : "=r" (sel));
		break;
	}
	return sel;
}

/* What a child saw, sent back through a pipe. */
struct seg_result {
	long run_ret;		/* the last DENALI_RUN: 0 or -errno */
	int runs;
	uint16_t before[4], after[4];
	unsigned long fs_base[2], gs_base[2];	/* before, after */
	struct denali_run run;
};

/*
 * The child: load @sel into @s, run @vm to its end, read everything back.
 * This file is built without the stack protector, which reads %fs.
 */
static void child_run(int vm, enum seg s, uint16_t sel, int pipe_fd)
{
	struct seg_result r;
	int i;

	__builtin_memset(&r, 0, sizeof(r));
	load_seg(s, sel);
	for (i = 0; i < 4; i++)
		r.before[i] = read_seg(i);
	raw_syscall3(SYS_arch_prctl, ARCH_GET_FS, (long)&r.fs_base[0], 0);
	raw_syscall3(SYS_arch_prctl, ARCH_GET_GS, (long)&r.gs_base[0], 0);
	do {
		r.run_ret = raw_syscall3(SYS_ioctl, vm, DENALI_RUN,
					 (long)&r.run);
		r.runs++;
	} while (r.run_ret == -EINTR && r.runs < 100000);
	for (i = 0; i < 4; i++)
		r.after[i] = read_seg(i);
	raw_syscall3(SYS_arch_prctl, ARCH_GET_FS, (long)&r.fs_base[1], 0);
	raw_syscall3(SYS_arch_prctl, ARCH_GET_GS, (long)&r.gs_base[1], 0);
	raw_syscall3(SYS_write, pipe_fd, (long)&r, sizeof(r));
	raw_syscall3(SYS_exit_group, 0, 0, 0);
	__builtin_unreachable();
}

/* A seg_guest VM whose argv[1] is @mode; the VM fd or -errno. */
static int create_seg_guest(const char *mode)
{
	const char *const argv[] = { "seg_guest", mode };

	return denali_create_guest("seg_guest", MEM, argv, 2, NULL);
}

/*
 * Run a seg_guest in @mode from a child holding @sel in @s; 0 and the
 * child's report in @r, or -1 if the child did not report.
 */
static int run_case(enum seg s, uint16_t sel, const char *mode,
		    struct seg_result *r, struct denali_stats *st)
{
	int vm = create_seg_guest(mode), p[2], status;
	pid_t pid;
	ssize_t n;

	if (vm < 0 || pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_run(vm, s, sel, p[1]);
	}
	close(p[1]);
	n = read(p[0], r, sizeof(*r));
	close(p[0]);
	waitpid(pid, &status, 0);
	memset(st, 0, sizeof(*st));
	ioctl(vm, DENALI_GET_STATS, st);
	close(vm);
	return n == sizeof(*r) && WIFEXITED(status) ? 0 : -1;
}

/* Did the case go as its mode says, with every selector and base kept? */
static bool case_ok(struct __test_metadata *_metadata, enum seg s,
		    uint16_t sel, const char *mode, const struct seg_result *r,
		    const struct denali_stats *st)
{
	bool fault = !strcmp(mode, "fault");
	int i;

	for (i = 0; i < 4; i++) {
		/*
		 * A null selector with a non-zero RPL may come back as 0
		 * without Denali: an IRET to user mode nulls a data
		 * segment whose cached DPL is below CPL 3, and Linux
		 * returns to this child through IRET after any interrupt
		 * (seen in lane 6.1-intel-pti: DS 0x1 -> 0 with a guest
		 * that spins under the timer).  Any other change is ours.
		 */
		if (!(r->before[i] & ~3) && !r->after[i])
			continue;
		if (r->after[i] != r->before[i]) {
			TH_LOG("%s=%#x, %s: %s went %#x -> %#x", seg_names[s],
			       sel, mode, seg_names[i], r->before[i],
			       r->after[i]);
			return false;
		}
	}
	if (r->before[s] != sel) {
		TH_LOG("%s=%#x did not load (%#x)", seg_names[s], sel,
		       r->before[s]);
		return false;
	}
	if (r->fs_base[0] != r->fs_base[1] || r->gs_base[0] != r->gs_base[1]) {
		TH_LOG("%s=%#x, %s: bases fs %#lx -> %#lx, gs %#lx -> %#lx",
		       seg_names[s], sel, mode, r->fs_base[0], r->fs_base[1],
		       r->gs_base[0], r->gs_base[1]);
		return false;
	}
	if (r->run_ret) {
		TH_LOG("%s=%#x, %s: DENALI_RUN returned %ld", seg_names[s], sel,
		       mode, r->run_ret);
		return false;
	}
	if (fault ? r->run.reason != DENALI_STOP_CRASH ||
		    r->run.crash.vector != 6 :
		    r->run.reason != DENALI_STOP_EXIT ||
		    r->run.exit_status != 7) {
		TH_LOG("%s=%#x, %s: reason %u status %d vector %u",
		       seg_names[s], sel, mode, r->run.reason,
		       r->run.exit_status, r->run.crash.vector);
		return false;
	}
	if (!strcmp(mode, "calls") &&
	    st->exits[DENALI_EXITK_HYPERCALL] < 200) {
		TH_LOG("%s=%#x: %llu hypercall exits", seg_names[s], sel,
		       (unsigned long long)st->exits[DENALI_EXITK_HYPERCALL]);
		return false;
	}
	if (!strcmp(mode, "spin") && !st->exits[DENALI_EXITK_INTERRUPT]) {
		TH_LOG("%s=%#x: no interrupt exit in 50 ms of spinning",
		       seg_names[s], sel);
		return false;
	}
	return true;
}

/* ---- the selectors a process can hold -------------------------------- */

#define USER32_CS	0x23
#define USER_DS		0x2b
#define USER_CS		0x33
#define CPUNODE_SEG	0x7b
#define LDT_ENTRY	0
#define LDT_SEL		((LDT_ENTRY << 3) | 4 | 3)

/* An LDT entry: a flat 32-bit writable data segment. */
static int install_ldt(int present)
{
	struct user_desc d = {
		.entry_number = LDT_ENTRY,
		.base_addr = 0,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = 0,
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = !present,
		.useable = 1,
	};

	return syscall(SYS_modify_ldt, 0x11, &d, sizeof(d));
}

/*
 * A TLS entry in the GDT through the 32-bit set_thread_area (int $0x80),
 * with a descriptor in the low 4 GiB; its selector, or 0 where the
 * kernel has no 32-bit system calls.
 */
static uint16_t install_tls(void)
{
	struct user_desc *d;
	long ret;

	d = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (d == MAP_FAILED)
		return 0;
	memset(d, 0, sizeof(*d));
	d->entry_number = -1;
	d->limit = 0xfffff;
	d->seg_32bit = 1;
	d->limit_in_pages = 1;
	d->useable = 1;
	asm volatile("int $0x80"
		     : "=a" (ret)
		     : "a" (243 /* i386 set_thread_area */), "b" (d)
		     : "memory");
	return ret ? 0 : (uint16_t)((d->entry_number << 3) | 3);
}

static void check_register(struct __test_metadata *_metadata, enum seg s)
{
	uint16_t sels[16] = { 0, 1, 2, 3, USER_DS, USER_DS & ~3,
			      (USER_DS & ~3) | 1, USER32_CS, USER_CS,
			      CPUNODE_SEG };
	int n = 10, i, m, try, bad = 0, cases = 0, retries = 0;
	struct denali_stats st;
	bool ran;
	struct seg_result r;
	uint16_t tls;

	ASSERT_EQ(0, denali_ensure_loaded());
	if (install_ldt(1) == 0)
		sels[n++] = LDT_SEL;
	else
		TH_LOG("no modify_ldt here: LDT selectors not tried");
	tls = install_tls();
	if (tls)
		sels[n++] = tls;
	else
		TH_LOG("no 32-bit set_thread_area here: TLS selectors not tried");

	for (i = 0; i < n; i++) {
		for (m = 0; m < 3; m++) {
			cases++;
			/*
			 * A spin with no tick in the guest's 50 ms (a host
			 * CPU starved under load) did not take the interrupt
			 * path it is there for: run it again, a few times.
			 */
			for (try = 1;; try++) {
				ran = !run_case(s, sels[i], modes[m], &r, &st);
				if (!ran || strcmp(modes[m], "spin") ||
				    st.exits[DENALI_EXITK_INTERRUPT] ||
				    try == SPIN_TRIES)
					break;
				retries++;
			}
			if (!ran) {
				TH_LOG("%s=%#x, %s: the child did not report",
				       seg_names[s], sels[i], modes[m]);
				bad++;
			} else if (!case_ok(_metadata, s, sels[i], modes[m],
					    &r, &st)) {
				bad++;
			}
		}
	}
	if (retries)
		TH_LOG("%s: %d spin runs repeated for want of a tick",
		       seg_names[s], retries);
	TH_LOG("%s: %d selectors x 3 guests, %d wrong", seg_names[s], n, bad);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(n * 3, cases);
}

TEST(ds_holds_any_selector)
{
	check_register(_metadata, SEG_DS);
}

TEST(es_holds_any_selector)
{
	check_register(_metadata, SEG_ES);
}

TEST(fs_holds_any_selector)
{
	check_register(_metadata, SEG_FS);
}

TEST(gs_holds_any_selector)
{
	check_register(_metadata, SEG_GS);
}

/* ---- an LDT entry that goes away while the guest runs ----------------- */

struct ldt_racer {
	int vm;
	struct denali_run run;
	long ret;
	uint16_t before, after;
	atomic_int started, stop, done;
};

static void on_kick(int sig)
{
}

/* DS and ES play no part in 64-bit addressing: libc works as usual. */
static void *run_with_ldt_ds(void *arg)
{
	struct ldt_racer *t = arg;

	load_seg(SEG_DS, LDT_SEL);
	load_seg(SEG_ES, LDT_SEL);
	t->before = read_seg(SEG_DS);
	atomic_store(&t->started, 1);
	while (!atomic_load(&t->stop)) {
		t->ret = denali_run(t->vm, &t->run);
		if (t->ret != -EINTR)
			break;
	}
	t->after = read_seg(SEG_DS);
	atomic_store(&t->done, 1);
	return NULL;
}

/*
 * Another thread marks the runner's LDT entry not present while the
 * runner's DS and ES point at it and a guest spins.  Linux reloads such
 * selectors on every CPU running the process; ours are reloaded after
 * each exit with Linux's fault-tolerant loader: DS must come back null
 * (as Linux itself leaves it), and the host must live on.
 */
TEST(ldt_entry_removed_while_guest_runs)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct ldt_racer t = {};
	struct denali_stats st;
	pthread_t th;
	int i;

	ASSERT_EQ(0, denali_ensure_loaded());
	if (install_ldt(1))
		SKIP(return, "no modify_ldt here");
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	t.vm = denali_create_file("spin", MEM);
	ASSERT_LE(0, t.vm);
	ASSERT_EQ(0, pthread_create(&th, NULL, run_with_ldt_ds, &t));
	/* Until the guest has really run: it has taken interrupt exits. */
	for (i = 0; i < 1000; i++) {
		memset(&st, 0, sizeof(st));
		ASSERT_EQ(0, ioctl(t.vm, DENALI_GET_STATS, &st));
		if (atomic_load(&t.started) &&
		    st.exits[DENALI_EXITK_INTERRUPT] > 2)
			break;
		denali_sleep_ms(10);
	}
	ASSERT_GT(st.exits[DENALI_EXITK_INTERRUPT], 2);
	ASSERT_EQ(0, install_ldt(0));
	denali_sleep_ms(20);
	atomic_store(&t.stop, 1);
	for (i = 0; i < 1000 && !atomic_load(&t.done); i++) {
		pthread_kill(th, SIGUSR1);
		denali_sleep_ms(10);
	}
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(LDT_SEL, t.before);
	EXPECT_EQ(-EINTR, t.ret);
	EXPECT_EQ(0, t.after);
	close(t.vm);
}

TEST_HARNESS_MAIN
