/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "runner" shared by the Denali selftests that keep a guest running
 * while the test does something else: a thread that calls DENALI_RUN on
 * one VM until a call returns other than -EINTR or it is told to stop,
 * counting its calls, its EINTRs and the EINTRs no kick explains.  It is
 * kicked with DENALI_RUNNER_KICK, whose handler (installed by
 * denali_runner_signals()) does not restart system calls, so a kick ends
 * the DENALI_RUN it lands in with EINTR and the runner calls again.
 *
 * Also here: what /proc says about a runner's thread (its CPU, its CPU
 * time), which the tests read to see where and how much it ran.
 */
#ifndef DENALI_SELFTEST_RUNNER_H
#define DENALI_SELFTEST_RUNNER_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "denali_util.h"

#define DENALI_RUNNER_KICK	SIGUSR1

struct denali_runner {
	pthread_t thread;
	bool created;		/* started and not yet joined */
	int fd;
	int cpu;		/* pinned there from the start, or -1 */
	atomic_int tid;		/* its thread id, once it runs */
	atomic_int stop;	/* set before the kicks that end it */
	atomic_int kicks;	/* kicks sent by denali_runner_kick() */
	atomic_int calls;	/* DENALI_RUN calls begun */
	atomic_int eintr;	/* of which returned -EINTR */
	atomic_int spurious;	/* -EINTR with no kick sent for it */
	atomic_int ended;	/* a call returned other than -EINTR */
	atomic_int done;	/* its loop has ended, for either reason */
	/* Written by the runner, read once it is done. */
	int ret;		/* what the last call returned */
	struct denali_run run;	/* and its report */
};

/* Install the kick's handler; sigaction()'s result. */
int denali_runner_signals(void);

/*
 * Start @r running VM @fd, pinned to @cpu from the start (-1: anywhere),
 * on a stack of @stack bytes (0: the default); 0 or -errno.
 */
int denali_runner_start(struct denali_runner *r, int fd, int cpu,
			size_t stack);

/* Send @r one kick, counted before it is sent. */
void denali_runner_kick(struct denali_runner *r);

/* Join @r if it ends by itself within @ms; true if it did. */
bool denali_runner_wait(struct denali_runner *r, long ms);

/*
 * Stop and join the @n runners at @r, giving up after @ms; the number
 * that would not end.  A kick that lands between two DENALI_RUN calls
 * interrupts nothing and the runner may enter RUN once more before it
 * sees stop, so each is kicked again until it has ended.
 */
int denali_runners_stop(struct denali_runner *r, int n, long ms);

/*
 * End @r whatever state its VM (id @id) is in: destroy the VM so that its
 * DENALI_RUN returns, and join @r within @ms, else detach it.  For
 * teardown after a failure; nothing happens if @r is not running.
 */
void denali_runner_end(struct denali_runner *r, __u32 id, long ms);

/*
 * The CPU thread @tid of this process is on, or last ran on; -1 if
 * /proc does not say.
 */
int denali_task_cpu(int tid);

/* utime + stime of thread @tid of this process, in clock ticks, or -1. */
long denali_task_cputime(int tid);

#endif /* DENALI_SELFTEST_RUNNER_H */
