// SPDX-License-Identifier: GPL-2.0
/*
 * What a thread switch costs a program: two threads hand a turn back and
 * forth N times, (1) through a mutex and two condition variables, as a
 * producer and a consumer would, and (2) by sched_yield alone, each
 * timed with CLOCK_MONOTONIC, the best of R runs.  Per switch:
 * (best run of N round trips - best run of 1) / (2 (N - 1)), so that
 * creating and joining the threads cancels out.  The same source builds as a Denali guest
 * (ilwaco-cc: musl's pthreads on libilwaco's cooperative threads, each
 * switch a jump inside the guest) and as a Linux program (glibc: futex
 * system calls and the kernel's scheduler), pinned there to one CPU so
 * that every hand-off is a switch, as on the guest's one vCPU.  Under
 * QEMU's -icount shift=0 a nanosecond is one instruction, so the
 * figures are instruction counts, whatever else the machine is doing.
 *
 *   thread_switch [N [R]]    (a guest takes them as its boot arguments)
 *
 * Prints, per method, one line:
 *   thread_switch: METHOD n=N switches=S ns_per_switch=X
 * and exits 0, or 1 if the threads lost count (a hand-off went wrong).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed[2] = {
	PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER
};
static int turn;		/* whose turn it is: 0 or 1 */
static long rounds;		/* round trips per run */
static long moves[2];		/* turns each thread took */
static long yields[2];		/* sched_yield calls each made */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Take @me's turn @rounds times, handing it to the other thread each time. */
static void *condvar_player(void *arg)
{
	int me = (int)(long)arg;
	long i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < rounds; i++) {
		while (turn != me)
			pthread_cond_wait(&turn_changed[me], &lock);
		moves[me]++;
		turn = !me;
		pthread_cond_signal(&turn_changed[!me]);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Yield @rounds times; with one CPU each yield runs the other thread. */
static void *yield_player(void *arg)
{
	int me = (int)(long)arg;
	long i;

	for (i = 0; i < rounds; i++) {
		yields[me]++;
		sched_yield();
	}
	return NULL;
}

/* One timed run of @n round trips of @player in two threads: ns, or -1. */
static double run(void *(*player)(void *), long n)
{
	pthread_t t[2];
	double t0, ns;
	long k;

	rounds = n;
	turn = 0;
	moves[0] = moves[1] = yields[0] = yields[1] = 0;
	t0 = now_ns();
	for (k = 0; k < 2; k++)
		if (pthread_create(&t[k], NULL, player, (void *)k))
			return -1;
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	ns = now_ns() - t0;
	if (player == condvar_player && (moves[0] != n || moves[1] != n))
		return -1;
	if (player == yield_player && (yields[0] != n || yields[1] != n))
		return -1;
	return ns;
}

/* The best of @reps runs of @n round trips, or -1. */
static double best_of(void *(*player)(void *), long n, long reps)
{
	double best = -1, x;
	long r;

	for (r = 0; r < reps; r++) {
		x = run(player, n);
		if (x < 0)
			return -1;
		if (best < 0 || x < best)
			best = x;
	}
	return best;
}

static int report(const char *method, void *(*player)(void *), long n,
		  long reps)
{
	double one = best_of(player, 1, reps), all = best_of(player, n, reps);

	if (one < 0 || all < 0) {
		printf("thread_switch: %s: the threads lost count\n", method);
		return 1;
	}
	printf("thread_switch: %s n=%ld switches=%ld ns_per_switch=%.1f\n",
	       method, n, 2 * n, (all - one) / (2.0 * (n - 1)));
	return 0;
}

int main(int argc, char **argv)
{
	long n[2] = { 2000, 5 };
	int i, k = 0;
	cpu_set_t one;

	/* A guest's argv[0] is its first argument; a Linux program's, its name. */
	for (i = 0; i < argc && k < 2; i++)
		if (atol(argv[i]) > 0)
			n[k++] = atol(argv[i]);
	if (n[0] < 2)
		n[0] = 2;
	/* Linux: one CPU, so that a hand-off is a switch (a guest has one). */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	if (report("condvar", condvar_player, n[0], n[1]) ||
	    report("sched_yield", yield_player, n[0], n[1]))
		return 1;
	return 0;
}
