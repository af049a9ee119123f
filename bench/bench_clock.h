/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing shared by hypercall_bench and getppid_static.  Both programs must
 * measure in exactly the same way for their figures to be comparable: the
 * same two clocks read in the same order around the same kind of loop,
 * the best of several repetitions, and the same subtraction of a one-
 * iteration run so that the fixed cost around the loop (a DENALI_RUN's
 * VM entry and exit, the clock reads themselves) drops out.  Keeping that
 * in one header is what makes "hypercall / getppid" a fair ratio.
 *
 * Two clocks, because under QEMU they mean different things: with plain
 * TCG both follow the host's wall clock (functional, noisy figures); with
 * -icount both advance by one per guest instruction executed, so they
 * count instructions rather than time.
 */
#ifndef DENALI_BENCH_CLOCK_H
#define DENALI_BENCH_CLOCK_H

#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <x86intrin.h>

/* The CSV columns, in the order every program prints them. */
#define BENCH_CSV_HEADER "lane,clock_mode,measure,n,ns_per_op,tsc_per_op"

#define BENCH_DEFAULT_N		20000ul
#define BENCH_DEFAULT_REPS	5u

struct bench_sample {
	uint64_t ns;
	uint64_t tsc;
};

/*
 * The lfence keeps rdtsc from being executed ahead of the loop's last
 * instructions (or behind the first ones); over thousands of iterations
 * it hardly matters, but it costs nothing either.
 */
static inline uint64_t bench_tsc(void)
{
	_mm_lfence();
	return __rdtsc();
}

static inline uint64_t bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Opening and closing reads nest (ns, tsc ... tsc, ns) so that each
 * clock's interval contains the other's reads symmetrically.
 */
static inline void bench_start(struct bench_sample *s)
{
	s->ns = bench_ns();
	s->tsc = bench_tsc();
}

static inline void bench_stop(struct bench_sample *s)
{
	uint64_t tsc = bench_tsc();

	s->ns = bench_ns() - s->ns;
	s->tsc = tsc - s->tsc;
}

/*
 * Noise (interrupts, the host scheduling QEMU's threads away) only ever
 * adds time, so the minimum over repetitions is the best estimate; each
 * clock keeps its own minimum.
 */
static inline void bench_keep_min(struct bench_sample *best,
				  const struct bench_sample *s)
{
	if (s->ns < best->ns)
		best->ns = s->ns;
	if (s->tsc < best->tsc)
		best->tsc = s->tsc;
}

static inline void bench_reset(struct bench_sample *best)
{
	best->ns = UINT64_MAX;
	best->tsc = UINT64_MAX;
}

/*
 * One CSV line: the cost of one operation, from the best run of @n
 * operations minus the best run of one, over the @n - 1 operations that
 * make up the difference.
 */
static inline void bench_print(const char *lane, const char *mode,
			       const char *measure, unsigned long n,
			       const struct bench_sample *many,
			       const struct bench_sample *one)
{
	double ops = (double)(n - 1);

	printf("%s,%s,%s,%lu,%.1f,%.1f\n", lane, mode, measure, n,
	       ((double)many->ns - (double)one->ns) / ops,
	       ((double)many->tsc - (double)one->tsc) / ops);
	fflush(stdout);
}

/*
 * The null system call: getppid does no work beyond entering and leaving
 * the kernel.  syscall() rather than getppid() so that no libc can answer
 * from a cache.  The dynamic and the static program share this loop, so
 * what differs between them is only how syscall() is linked.
 */
static inline void bench_getppid_loop(unsigned long n)
{
	while (n--)
		syscall(SYS_getppid);
}

/* Time @n getppid calls; the best of @reps into @many and @one. */
static inline void bench_getppid(unsigned long n, unsigned int reps,
				 struct bench_sample *many,
				 struct bench_sample *one)
{
	struct bench_sample s;
	unsigned int i;

	bench_reset(many);
	bench_reset(one);
	for (i = 0; i < reps; i++) {
		bench_start(&s);
		bench_getppid_loop(n);
		bench_stop(&s);
		bench_keep_min(many, &s);

		bench_start(&s);
		bench_getppid_loop(1);
		bench_stop(&s);
		bench_keep_min(one, &s);
	}
}

/*
 * The options both programs take, so the script and hypercall_bench can
 * hand the same ones to either: -n N, -r REPS, -l LANE, -c CLOCK_MODE.
 * Returns 0, or -1 after a usage line on stderr.
 */
struct bench_opts {
	unsigned long n;
	unsigned int reps;
	const char *lane;
	const char *mode;
};

static inline int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	const char *lane = getenv("TESTVM_LANE");
	char *end;
	int c;

	o->n = BENCH_DEFAULT_N;
	o->reps = BENCH_DEFAULT_REPS;
	o->lane = lane && *lane ? lane : "host";
	o->mode = "unspecified";
	while ((c = getopt(argc, argv, "n:r:l:c:")) != -1) {
		switch (c) {
		case 'n':
			o->n = strtoul(optarg, &end, 0);
			if (*end || o->n < 2 || o->n > UINT32_MAX)
				goto usage;
			break;
		case 'r':
			o->reps = strtoul(optarg, &end, 0);
			if (*end || o->reps < 1 || o->reps > 1000)
				goto usage;
			break;
		case 'l':
			o->lane = optarg;
			break;
		case 'c':
			o->mode = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return 0;
usage:
	fprintf(stderr, "usage: %s [-n N (2..2^32-1, default %lu)] [-r REPS (default %u)] [-l LANE] [-c CLOCK_MODE]\n",
		argv[0], BENCH_DEFAULT_N, BENCH_DEFAULT_REPS);
	return -1;
}

/*
 * In a test machine standard output is a serial port that is powered off
 * right after the program exits: wait until every line has been sent.
 */
static inline void bench_drain_stdout(void)
{
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

/*
 * One CPU for the whole run, and for every child, which inherits it: a
 * VM that moves between CPUs pays for the move (and an IBPB), and clock
 * readings compared across a fork come from the same CPU.
 */
static inline void bench_pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The VM benchmarks run from build/bench/: unless $DENALI_KO names one,
 * load build/kernel/<release>/denali.ko for the running kernel.
 */
static inline void bench_default_module(void)
{
	char exe[PATH_MAX], ko[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct utsname u;

	if (n <= 0 || uname(&u))
		return;
	exe[n] = '\0';
	snprintf(ko, sizeof(ko), "%s/../kernel/%s/denali.ko", dirname(exe),
		 u.release);
	setenv("DENALI_KO", ko, 0);
}

#endif /* DENALI_BENCH_CLOCK_H */
