// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks and sleeping.
 *
 * CLOCK_MONOTONIC (and _RAW, _COARSE, CLOCK_BOOTTIME) is the VM's clock,
 * read from the clock page without an exit (ilwaco_time_ns()).
 * CLOCK_REALTIME is that clock plus the wall-clock offset the monitor
 * publishes in the read-only page (ABI 0.5), so it follows the host's
 * real time, steps included.  The CPU-time clocks are the VM's clock
 * too: a guest has its CPU to itself while it runs, and the monitor does
 * not tell it how long it was switched out.
 *
 * Sleeping blocks the calling thread until the VM clock reaches the
 * deadline (thread.c: the VM idles when no thread can run); it is
 * never short.  No signal can interrupt a
 * sleep (a guest has no asynchronous signals), so `rem` is never
 * written and EINTR never returned.
 */
#include "posix.h"

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7
#define TIMER_ABSTIME			1

unsigned long ilwaco_realtime_ns(void)
{
	return ilwaco_time_ns() + ILWACO_VREGS_RO->wall_offset_ns;
}

/* The clock @clk now, or -1 for a clock this layer does not have. */
static long clock_now(long clk, unsigned long *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = ilwaco_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = ilwaco_time_ns();
		return 0;
	}
	return -L_EINVAL;
}

SYSCALL_DEFINE(clock_gettime)
{
	struct l_timespec *ts = (void *)a2;
	unsigned long ns;

	if (clock_now(a1, &ns))
		return -L_EINVAL;
	if (!user_range_ok(ts, sizeof(*ts)))
		return -L_EFAULT;
	ts->sec = ns / NS_PER_SEC;
	ts->nsec = ns % NS_PER_SEC;
	return 0;
}

SYSCALL_DEFINE(clock_getres)
{
	struct l_timespec *ts = (void *)a2;
	unsigned long ns;

	if (clock_now(a1, &ns))
		return -L_EINVAL;
	if (ts) {
		if (!user_range_ok(ts, sizeof(*ts)))
			return -L_EFAULT;
		ts->sec = 0;
		ts->nsec = 1;
	}
	return 0;
}

SYSCALL_DEFINE(gettimeofday)
{
	struct l_timeval *tv = (void *)a1;
	unsigned long ns = ilwaco_realtime_ns();

	if (tv) {
		if (!user_range_ok(tv, sizeof(*tv)))
			return -L_EFAULT;
		tv->sec = ns / NS_PER_SEC;
		tv->usec = ns % NS_PER_SEC / 1000;
	}
	return 0;
}

SYSCALL_DEFINE(time)
{
	long *t = (void *)a1;
	long sec = ilwaco_realtime_ns() / NS_PER_SEC;

	if (t) {
		if (!user_range_ok(t, sizeof(*t)))
			return -L_EFAULT;
		*t = sec;
	}
	return sec;
}

/* Sleep the calling thread (others run meanwhile) for @ns at least. */
static void sleep_ns(unsigned long ns)
{
	unsigned long now = ilwaco_time_ns();

	ilwaco_thread_sleep_until(now + ns < now ? ~0ul : now + ns);
}

/* A timespec as nanoseconds, or -1 if it is not a valid one. */
static long timespec_ns(const struct l_timespec *ts, unsigned long *ns)
{
	if (!user_range_ok(ts, sizeof(*ts)))
		return -L_EFAULT;
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (long)NS_PER_SEC)
		return -L_EINVAL;
	if ((unsigned long)ts->sec > ~0ul / NS_PER_SEC - 1)
		*ns = ~0ul;		/* as good as forever */
	else
		*ns = ts->sec * NS_PER_SEC + ts->nsec;
	return 0;
}

SYSCALL_DEFINE(nanosleep)
{
	unsigned long ns;
	long err = timespec_ns((const void *)a1, &ns);

	if (err)
		return err;
	sleep_ns(ns);
	return 0;
}

SYSCALL_DEFINE(clock_nanosleep)
{
	unsigned long ns, now;
	long err;

	if (a1 == CLOCK_THREAD_CPUTIME_ID || clock_now(a1, &now))
		return -L_EINVAL;
	err = timespec_ns((const void *)a3, &ns);
	if (err)
		return err;
	if (a2 & TIMER_ABSTIME) {
		/* Until the clock reads @ns: re-read, real time may step. */
		while (!clock_now(a1, &now) && now < ns)
			sleep_ns(ns - now);
		return 0;
	}
	sleep_ns(ns);
	return 0;
}
