// SPDX-License-Identifier: GPL-2.0
/*
 * VM-to-VM context switch time against the number of VMs, beside Linux
 * threads doing the same on the same CPU, in one boot: the Denali paper's
 * Figure 4.  A Denali host multiplexes thousands of VMs on a few CPUs, so
 * what it costs to go from one VM to the next, and whether that cost
 * grows with the number of VMs, decides how many it can run; Linux's
 * thread switch is the yardstick.  Then what an idle VM costs: the exits
 * it makes per second while it does nothing.
 *
 * Roadmap:
 *   1. The guests: raw code, one loop each.
 *   2. Runners: one thread per VM (or per baseline thread), all pinned to
 *      one CPU, started for a measurement and stopped by a signal.
 *   3. One point: N runners yielding in turn, their yields counted over a
 *      window after a warm-up; ns per switch = window / yields.
 *   4. The idle VM: exits over T seconds.
 *   5. main: the module, the limits, the order of the points.
 *
 * It loads denali.ko if needed (with max_total_mem_mb raised to what the
 * largest point needs), then prints, for N = 1, 2, 4, ... up to -m:
 *   lane,clock_mode,kind,n,yields,window_ns,ns_per_switch,tsc_per_switch,
 *   csw_per_yield,min_runner_yields,cpu_share
 * with kind vm_best, vm_worst, thread_best or thread_worst, then for the
 * idle VMs:
 *   lane,clock_mode,guest,seconds,exits,exits_per_s,idle_hypercalls,
 *   idle_sleeps,irqs_raised,interrupt_exits
 * The two tables are told apart by their second field after the mode
 * ("vm_"/"thread_" kinds against "idle_" guests).  It exits non-zero with
 * one line on stderr when the module cannot be loaded, a VM cannot be
 * created, a guest stops, or the yields did not switch: a broken yield
 * must not pass for a fast switch.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "denali_util.h"
#include "bench_clock.h"

/* ---- 1. the guests ---------------------------------------------------- */

/*
 * The best case: yield, and nothing else, so that a switch costs only the
 * monitor's and the scheduler's work.  The module counts the idle
 * hypercalls in its stats (hypercalls[4]): the guest keeps no count of
 * its own, and touches no memory at all.
 *
 * 1:	mov	$4, %eax	b8 04 00 00 00	(DENALI_HC_IDLE)
 *	xor	%edi, %edi	31 ff		(timeout 0: a yield)
 *	int	$0x1f		cd 1f
 *	jmp	1b		eb f5
 */
static const unsigned char guest_best[] = {
	0xb8, 0x04, 0x00, 0x00, 0x00,
	0x31, 0xff,
	0xcd, 0x1f,
	0xeb, 0xf5,
};

/*
 * The worst case: between two yields, write one word in every 64-byte
 * line of a SWEEP_BYTES buffer.  64 KiB is more than any current x86's
 * L1 data cache (32-48 KiB), and N of them outgrow L2 (1-2 MiB) from
 * N = 16-32 and a share of L3 further on, so on hardware a VM switched
 * back in finds its lines evicted, and dirty ones written back, at every
 * level its neighbours have flushed: the cost of a switch that a busy
 * guest pays.  Its 16 pages also need 16 TLB entries after each switch of
 * address space.  TCG models no caches: there, this case mostly adds the
 * sweep's 4096 instructions to each switch.
 *
 * 1:	mov	$0x80000, %esi	be 00 00 08 00	(the buffer, in free memory)
 *	mov	$1024, %ecx	b9 00 04 00 00	(SWEEP_BYTES / 64 lines)
 * 2:	incq	(%rsi)		48 ff 06
 *	add	$64, %rsi	48 83 c6 40
 *	dec	%ecx		ff c9
 *	jnz	2b		75 f5
 *	mov	$4, %eax	b8 04 00 00 00	(DENALI_HC_IDLE)
 *	xor	%edi, %edi	31 ff		(a yield)
 *	int	$0x1f		cd 1f
 *	jmp	1b		eb e0
 */
#define SWEEP_BYTES	(64 * 1024)
#define SWEEP_STRIDE	64
#define GUEST_BUF	0x80000ull
static const unsigned char guest_worst[] = {
	0xbe, 0x00, 0x00, 0x08, 0x00,
	0xb9, 0x00, 0x04, 0x00, 0x00,
	0x48, 0xff, 0x06,
	0x48, 0x83, 0xc6, 0x40,
	0xff, 0xc9,
	0x75, 0xf5,
	0xb8, 0x04, 0x00, 0x00, 0x00,
	0x31, 0xff,
	0xcd, 0x1f,
	0xeb, 0xe0,
};

/*
 * An idle VM as a tickless guest is one: wait for an interrupt, with no
 * timeout at all.
 *
 * 1:	mov	$4, %eax	b8 04 00 00 00		(DENALI_HC_IDLE)
 *	mov	$-1, %rdi	48 c7 c7 ff ff ff ff	(DENALI_IDLE_FOREVER)
 *	int	$0x1f		cd 1f
 *	jmp	1b		eb f0
 */
static const unsigned char guest_idle_forever[] = {
	0xb8, 0x04, 0x00, 0x00, 0x00,
	0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff,
	0xcd, 0x1f,
	0xeb, 0xf0,
};

/*
 * An idle VM as a guest with a 100 Hz tick is one: idle for 10 ms, again
 * and again.  Each expiry raises DENALI_IRQ_TIMER, and idle returns at
 * once while a bit is pending, so the guest takes the bits (xchg, as the
 * ABI asks) before each idle; its virtual interrupts stay disabled, so no
 * upcall comes.
 *
 * 1:	xor	%eax, %eax	31 c0
 *	xchg	%rax, 0x2008	48 87 04 25 08 20 00 00	(vregs_rw.pending)
 *	mov	$4, %eax	b8 04 00 00 00		(DENALI_HC_IDLE)
 *	mov	$10000000, %edi	bf 80 96 98 00		(10 ms)
 *	int	$0x1f		cd 1f
 *	jmp	1b		eb e8
 */
static const unsigned char guest_idle_tick[] = {
	0x31, 0xc0,
	0x48, 0x87, 0x04, 0x25, 0x08, 0x20, 0x00, 0x00,
	0xb8, 0x04, 0x00, 0x00, 0x00,
	0xbf, 0x80, 0x96, 0x98, 0x00,
	0xcd, 0x1f,
	0xeb, 0xe8,
};

/* ---- 2. runners ------------------------------------------------------- */

enum kind { VM_BEST, VM_WORST, THREAD_BEST, THREAD_WORST, KINDS };

static const char *const kind_name[KINDS] = {
	[VM_BEST] = "vm_best",
	[VM_WORST] = "vm_worst",
	[THREAD_BEST] = "thread_best",
	[THREAD_WORST] = "thread_worst",
};

/*
 * One runner: a thread running one VM, or a baseline thread yielding.
 * Aligned to a cache line so that a thread's counter shares its line
 * with no other thread's.
 */
struct runner {
	alignas(64) pthread_t tid;
	int vm;			/* the VM it runs, or -1: a baseline thread */
	bool sweep;		/* baseline: sweep its buffer between yields */
	unsigned char *buf;	/* baseline: SWEEP_BYTES, its own */
	atomic_ulong yields;	/* baseline: sched_yield calls so far */
	atomic_bool done;	/* it has left its loop */
	int err;		/* DENALI_RUN's -errno, or 0 */
	struct denali_run run;	/* the report, should its VM stop */
};

static struct runner *runners;
/* The VMs of the case being measured; runners[i] runs vms[i]. */
static int *vms;
static atomic_bool stop_runners;
static atomic_uint runners_started;
/* The CPU every runner is pinned to, and the one main() runs on. */
static int runner_cpu, main_cpu;

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ctxswitch_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Write one word in every line of @buf: the same four instructions per
 * line as the worst-case guest's loop, so that under -icount both sides
 * add the same count.
 */
static inline void sweep(unsigned char *buf)
{
	unsigned long lines = SWEEP_BYTES / SWEEP_STRIDE;

	asm volatile("1:	incq	(%0)\n\t"
		     "	add	$64, %0\n\t"
		     "	dec	%1\n\t"
		     "	jnz	1b"
		     : "+r" (buf), "+r" (lines) : : "memory", "cc");
}

/*
 * A VM runner stays in DENALI_RUN, where its guest yields, until a signal
 * brings it out (EINTR) and it finds stop_runners set; any other return
 * means the VM stopped, which the caller reports.  A baseline runner
 * yields and counts until it finds stop_runners set.
 */
static void *runner_main(void *arg)
{
	struct runner *r = arg;
	unsigned long n = 0;

	atomic_fetch_add(&runners_started, 1);
	while (!atomic_load_explicit(&stop_runners, memory_order_relaxed)) {
		if (r->vm >= 0) {
			r->err = denali_run(r->vm, &r->run);
			if (r->err == -EINTR)
				continue;
			if (!r->err)
				r->err = -ENOEXEC;	/* it stopped */
			break;
		}
		if (r->sweep)
			sweep(r->buf);
		sched_yield();
		atomic_store_explicit(&r->yields, ++n, memory_order_relaxed);
	}
	atomic_store(&r->done, true);
	return NULL;
}

static void wake_handler(int sig)
{
	(void)sig;
}

/*
 * Start runners[0..n): small stacks (a runner needs a few KiB, signal
 * frames included), pinned to runner_cpu, ordinary scheduling whatever
 * main() runs with.  Returns once every one of them has run.
 */
static void start_runners(unsigned int n)
{
	struct sched_param sp = { .sched_priority = 0 };
	pthread_attr_t attr;
	cpu_set_t set;
	unsigned int i;
	int ret;

	CPU_ZERO(&set);
	CPU_SET(runner_cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);

	atomic_store(&stop_runners, false);
	atomic_store(&runners_started, 0);
	for (i = 0; i < n; i++) {
		atomic_store(&runners[i].yields, 0);
		atomic_store(&runners[i].done, false);
		runners[i].err = 0;
		ret = pthread_create(&runners[i].tid, &attr, runner_main,
				     &runners[i]);
		if (ret)
			fail("cannot start runner %u of %u: %s", i + 1, n,
			     strerror(ret));
	}
	pthread_attr_destroy(&attr);
	while (atomic_load(&runners_started) < n)
		usleep(1000);
}

/*
 * Stop runners[0..n).  A signal that lands between a runner's check of
 * stop_runners and its entry into DENALI_RUN is lost (the handler has
 * run, nothing is pending), so keep signalling whoever is not done yet.
 */
static void stop_runners_all(unsigned int n)
{
	unsigned int i, left;

	atomic_store(&stop_runners, true);
	do {
		left = 0;
		for (i = 0; i < n; i++) {
			if (atomic_load(&runners[i].done))
				continue;
			pthread_kill(runners[i].tid, SIGUSR1);
			left++;
		}
		if (left)
			usleep(2000);
	} while (left);
	for (i = 0; i < n; i++)
		pthread_join(runners[i].tid, NULL);
}

static void check_runners(unsigned int n, const char *what)
{
	const struct denali_crash *c;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct runner *r = &runners[i];

		if (!r->err || r->err == -EINTR)
			continue;
		if (r->err != -ENOEXEC)
			fail("%s: DENALI_RUN of VM %u: %s", what, i,
			     strerror(-r->err));
		c = &r->run.crash;
		if (r->run.reason == DENALI_STOP_CRASH)
			fail("%s: VM %u crashed: %.64s (vector %u, rip %#llx)",
			     what, i, c->description, c->vector,
			     (unsigned long long)c->regs.rip);
		fail("%s: VM %u stopped (reason %u, status %d) instead of yielding",
		     what, i, r->run.reason, r->run.exit_status);
	}
}

static void vm_stats(int vm, struct denali_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(vm, DENALI_GET_STATS, st))
		fail("DENALI_GET_STATS: %s", strerror(errno));
}

/* What runner @i has yielded so far. */
static unsigned long runner_yields(unsigned int i)
{
	struct denali_stats st;

	if (runners[i].vm < 0)
		return atomic_load_explicit(&runners[i].yields,
					    memory_order_relaxed);
	vm_stats(runners[i].vm, &st);
	return st.hypercalls[DENALI_HC_IDLE];
}

/*
 * Context switches and CPU time of the runners so far: those of every
 * thread of this process but the calling one (main(), which reads the
 * counts and sleeps).  The time is the scheduler's own account, to the
 * nanosecond, in microseconds.
 */
static unsigned long rusage_us(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000ul +
	       ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

static void runners_usage(unsigned long *switches, unsigned long *cpu_us)
{
	struct rusage all, me;

	getrusage(RUSAGE_SELF, &all);
	getrusage(RUSAGE_THREAD, &me);
	*switches = all.ru_nvcsw + all.ru_nivcsw - me.ru_nvcsw - me.ru_nivcsw;
	*cpu_us = rusage_us(&all) - rusage_us(&me);
}

/* ---- 3. one point ---------------------------------------------------------- */

struct ctx_opts {
	unsigned int max_n;
	unsigned int window_ms;
	unsigned int warmup_ms;
	unsigned int reps;
	unsigned int idle_s;
	const char *lane;
	const char *mode;
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000l };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* What the runners did in one window. */
struct window {
	unsigned long yields;	/* all runners together */
	unsigned long min;	/* the runner that yielded least */
	unsigned long csw;	/* context switches of the runners */
	unsigned long cpu_us;	/* CPU time of the runners */
	struct bench_sample t;	/* the window's length */
};

/*
 * The counts are read one runner after the other.  main() runs
 * SCHED_FIFO, so on the runners' CPU (one-CPU machines) nothing yields
 * while it reads: the window is from the end of the first pass to the
 * start of the second.  On another CPU the runners go on meanwhile, each
 * read at about the same offset into both passes: the window is from the
 * start of one pass to the start of the other.  The runners' switches
 * and CPU time are taken over the same window.
 */
static void measure_window(const struct ctx_opts *o, unsigned int n,
			   unsigned long *before, struct window *w)
{
	bool shared = runner_cpu == main_cpu;
	unsigned long d, csw, cpu_us;
	unsigned int i;

	bench_start(&w->t);
	runners_usage(&w->csw, &w->cpu_us);
	for (i = 0; i < n; i++)
		before[i] = runner_yields(i);
	if (shared) {
		bench_start(&w->t);
		runners_usage(&w->csw, &w->cpu_us);
	}

	sleep_ms(o->window_ms);

	bench_stop(&w->t);
	runners_usage(&csw, &cpu_us);
	w->csw = csw - w->csw;
	w->cpu_us = cpu_us - w->cpu_us;
	w->yields = 0;
	w->min = ULONG_MAX;
	for (i = 0; i < n; i++) {
		d = runner_yields(i) - before[i];
		w->yields += d;
		if (d < w->min)
			w->min = d;
	}
}

/*
 * N runners of @kind, already set up in runners[0..n): yields counted
 * over REPS windows, after a warm-up in which every runner has had the
 * CPU (first entries, QEMU translating the code) and the scheduler has
 * settled into its round.  Noise (the host taking QEMU's threads away)
 * only ever adds time, so the window with the fewest nanoseconds per
 * yield is kept, as the other benchmarks keep their best run.
 */
static void measure_point(const struct ctx_opts *o, enum kind kind,
			  unsigned int n, unsigned long *before)
{
	struct window w, best = { .yields = 0 };
	bool idle_window = false;
	unsigned int r;

	start_runners(n);
	sleep_ms(o->warmup_ms);
	for (r = 0; r < o->reps; r++) {
		measure_window(o, n, before, &w);
		if (!w.yields) {
			idle_window = true;
			break;
		}
		/* w.ns / w.yields < best.ns / best.yields, without division */
		if (!best.yields || (double)w.t.ns * best.yields <
				    (double)best.t.ns * w.yields)
			best = w;
	}
	stop_runners_all(n);
	check_runners(n, kind_name[kind]);

	if (idle_window)
		fail("%s, N=%u: no yield in %u ms", kind_name[kind], n,
		     o->window_ms);
	/*
	 * With two runners or more, every yield should hand the CPU to
	 * another runner: a yield that does not switch would make the
	 * figure the cost of a hypercall, not of a switch.
	 */
	if (n >= 2 && best.csw * 2 < best.yields)
		fail("%s, N=%u: %lu yields but only %lu context switches: the yields did not switch",
		     kind_name[kind], n, best.yields, best.csw);
	printf("%s,%s,%s,%u,%lu,%llu,%.1f,%.1f,%.3f,%lu,%.3f\n", o->lane,
	       o->mode, kind_name[kind], n, best.yields,
	       (unsigned long long)best.t.ns, (double)best.t.ns / best.yields,
	       (double)best.t.tsc / best.yields,
	       (double)best.csw / best.yields, best.min,
	       best.cpu_us * 1000.0 / best.t.ns);
	fflush(stdout);
}

/* Idle and total time of all CPUs so far, from /proc/stat, in ticks. */
static bool cpu_times(unsigned long long *idle, unsigned long long *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int got, i;

	if (!f)
		return false;
	got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (got < 5)
		return false;
	*idle = v[3] + v[4];
	*total = 0;
	for (i = 0; i < 8; i++)
		*total += v[i];
	return true;
}

/*
 * Wait, up to 20 s, until the machine is idle (90% of 200 ms on every
 * CPU together); returns how long that took, in ms.  Making or freeing
 * a thousand VMs leaves the kernel work to finish in the background, and
 * on a one-CPU machine that work would take its time out of the next
 * windows: under -icount it made the first point after the VMs were
 * made count three times the instructions of the next.
 */
static unsigned int settle(void)
{
	unsigned long long i0, t0, i1, t1;
	unsigned int waited = 0;

	while (waited < 20000) {
		if (!cpu_times(&i0, &t0))
			break;
		sleep_ms(200);
		waited += 200;
		if (!cpu_times(&i1, &t1))
			break;
		if (t1 > t0 && (i1 - i0) * 10 >= (t1 - t0) * 9)
			break;
	}
	return waited;
}

static int make_vm(const unsigned char *code, size_t len)
{
	int vm = denali_create_code(code, len, DENALI_GUEST_MEM_MIN);

	if (vm < 0)
		fail("cannot create a 1 MiB VM: %s (module limits: max_total_mem_mb in /sys/module/denali/parameters)",
		     strerror(-vm));
	return vm;
}

/*
 * One case (best or worst) for every N: the VM points, each followed by
 * the thread point of the same N, so that drift weighs on both alike.
 * The VMs are made once, the largest N of them, and the first N of them
 * run at each point: a VM left out of DENALI_RUN costs nothing.
 */
static void measure_case(const struct ctx_opts *o, bool worst,
			 unsigned long *before)
{
	enum kind vk = worst ? VM_WORST : VM_BEST;
	enum kind tk = worst ? THREAD_WORST : THREAD_BEST;
	struct bench_sample made;
	unsigned int i, n;

	bench_start(&made);
	for (i = 0; i < o->max_n; i++)
		vms[i] = worst ? make_vm(guest_worst, sizeof(guest_worst)) :
				 make_vm(guest_best, sizeof(guest_best));
	bench_stop(&made);
	printf("# %s: %s case: %u VMs made in %.2f s, the machine idle %u ms later\n",
	       o->lane, worst ? "worst" : "best", o->max_n, made.ns / 1e9,
	       settle());
	fflush(stdout);
	for (n = 1; n <= o->max_n; n *= 2) {
		for (i = 0; i < n; i++)
			runners[i].vm = vms[i];
		measure_point(o, vk, n, before);
		for (i = 0; i < n; i++) {
			runners[i].vm = -1;
			runners[i].sweep = worst;
		}
		measure_point(o, tk, n, before);
	}
	for (i = 0; i < o->max_n; i++)
		close(vms[i]);
}

/* ---- 4. the idle VM ------------------------------------------------------------ */

/*
 * One VM of @code alone for @secs seconds, from its creation: what its
 * idleness cost the host, in exits (every round trip out of the guest)
 * and in idle hypercalls that had to sleep.
 */
static void measure_idle(const struct ctx_opts *o, const char *name,
			 const unsigned char *code, size_t len)
{
	struct denali_stats st;
	struct bench_sample s;
	unsigned long exits = 0;
	unsigned int k;
	double secs;

	runners[0].vm = make_vm(code, len);
	bench_start(&s);
	start_runners(1);
	sleep_ms(o->idle_s * 1000);
	vm_stats(runners[0].vm, &st);
	bench_stop(&s);
	stop_runners_all(1);
	check_runners(1, name);
	close(runners[0].vm);
	runners[0].vm = -1;

	for (k = 0; k < DENALI_EXIT_KINDS; k++)
		exits += st.exits[k];
	secs = s.ns / 1e9;
	printf("%s,%s,%s,%.3f,%lu,%.2f,%llu,%llu,%llu,%llu\n", o->lane,
	       o->mode, name, secs, exits, exits / secs,
	       (unsigned long long)st.hypercalls[DENALI_HC_IDLE],
	       (unsigned long long)st.idle_sleeps,
	       (unsigned long long)st.irqs_raised,
	       (unsigned long long)st.exits[DENALI_EXITK_INTERRUPT]);
	fflush(stdout);
}

/* ---- 5. main ----------------------------------------------------------------- */

/*
 * denali.ko from beside this program (build/bench/../kernel/<release>/),
 * or $DENALI_KO, with room for @max_n 1 MiB VMs whatever the machine's
 * RAM makes the default.  A module already loaded is used as it is.
 */
static void load_module(unsigned int max_n)
{
	char params[64];
	int ret;

	bench_default_module();
	snprintf(params, sizeof(params), "max_total_mem_mb=%u", max_n + 64);
	ret = denali_module_loaded() ? 0 : denali_load_module_with(params);
	if (ret && ret != -EEXIST)
		fail("cannot load denali.ko (%s): %s", getenv("DENALI_KO"),
		     strerror(-ret));
	if (access(DENALI_DEVICE_PATH, R_OK | W_OK))
		fail("denali.ko is loaded but %s is not usable: %s",
		     DENALI_DEVICE_PATH, strerror(errno));
}

static int parse_opts(int argc, char **argv, struct ctx_opts *o)
{
	const char *lane = getenv("TESTVM_LANE");
	unsigned long v;
	char *end;
	int c;

	o->max_n = 1024;
	o->window_ms = 1000;
	o->warmup_ms = 200;
	o->reps = 3;
	o->idle_s = 2;
	o->lane = lane && *lane ? lane : "host";
	o->mode = "unspecified";
	while ((c = getopt(argc, argv, "m:w:u:r:i:l:c:")) != -1) {
		if (c == 'l' || c == 'c') {
			*(c == 'l' ? &o->lane : &o->mode) = optarg;
			continue;
		}
		if (!strchr("mwuri", c))
			goto usage;
		v = strtoul(optarg, &end, 0);
		if (*end || !v || v > 100000)
			goto usage;
		if (c == 'm')
			o->max_n = v;
		else if (c == 'w')
			o->window_ms = v;
		else if (c == 'u')
			o->warmup_ms = v;
		else if (c == 'r')
			o->reps = v;
		else
			o->idle_s = v;
	}
	if (optind == argc && o->max_n <= 16384)
		return 0;
usage:
	fprintf(stderr, "usage: %s [-m MAX_N (1024; points at 1, 2, 4, ... up to it)] [-w WINDOW_MS (1000)] [-u WARMUP_MS (200)] [-r REPS (3 windows, the best kept)] [-i IDLE_SECONDS (2)] [-l LANE] [-c CLOCK_MODE]\n",
		argv[0]);
	return -1;
}

/*
 * The runners on the last CPU and main() on the first, so that reading
 * the counts takes no CPU from the runners; on a one-CPU machine both
 * share CPU 0 and main() reads under SCHED_FIFO (measure_point()).
 */
static void place_threads(void)
{
	struct sched_param sp = { .sched_priority = 10 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	main_cpu = 0;
	runner_cpu = ncpu > 1 ? ncpu - 1 : 0;
	CPU_ZERO(&set);
	CPU_SET(main_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("cannot pin to CPU %d: %s", main_cpu, strerror(errno));
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		fail("cannot run SCHED_FIFO: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = wake_handler };
	struct rlimit rl;
	struct ctx_opts o;
	unsigned long *before;
	struct utsname u;
	unsigned int i;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (geteuid())
		fail("needs root, to load denali.ko and open %s",
		     DENALI_DEVICE_PATH);
	/* Says the machine got this far, should it die or hang later. */
	fprintf(stderr, "ctxswitch_bench: measuring on %s (%s), N up to %u, window %u ms\n",
		o.lane, o.mode, o.max_n, o.window_ms);

	/* A VM fd per VM, and a few more. */
	rl.rlim_cur = rl.rlim_max = o.max_n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("cannot allow %u open files: %s", o.max_n + 64,
		     strerror(errno));
	/* No SA_RESTART: the signal must end DENALI_RUN and sched_yield. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		fail("sigaction: %s", strerror(errno));
	place_threads();
	load_module(o.max_n);

	runners = aligned_alloc(64, o.max_n * sizeof(*runners));
	before = calloc(o.max_n, sizeof(*before));
	vms = calloc(o.max_n, sizeof(*vms));
	if (!runners || !before || !vms)
		fail("out of memory");
	memset(runners, 0, o.max_n * sizeof(*runners));
	for (i = 0; i < o.max_n; i++) {
		runners[i].vm = -1;
		runners[i].buf = aligned_alloc(64, SWEEP_BYTES);
		if (!runners[i].buf)
			fail("out of memory");
		/* Faulted in now: the sweeps must not time page faults. */
		memset(runners[i].buf, 0, SWEEP_BYTES);
	}

	if (uname(&u))
		strcpy(u.release, "?");
	printf("# %s: kernel %s, clock_mode %s, %ld CPUs, runners on CPU %d, reader on CPU %d (SCHED_FIFO); best of %u windows of %u ms after %u ms of warm-up; sweep %u KiB, one write per %u-byte line; idle VMs %u s\n",
	       o.lane, u.release, o.mode, sysconf(_SC_NPROCESSORS_ONLN),
	       runner_cpu, main_cpu, o.reps, o.window_ms, o.warmup_ms,
	       SWEEP_BYTES / 1024, SWEEP_STRIDE, o.idle_s);
	printf("lane,clock_mode,kind,n,yields,window_ns,ns_per_switch,tsc_per_switch,csw_per_yield,min_runner_yields,cpu_share\n");
	fflush(stdout);

	measure_case(&o, false, before);
	measure_case(&o, true, before);

	printf("lane,clock_mode,guest,seconds,exits,exits_per_s,idle_hypercalls,idle_sleeps,irqs_raised,interrupt_exits\n");
	measure_idle(&o, "idle_forever", guest_idle_forever,
		     sizeof(guest_idle_forever));
	measure_idle(&o, "idle_tick_10ms", guest_idle_tick,
		     sizeof(guest_idle_tick));

	bench_drain_stdout();
	return 0;
}
