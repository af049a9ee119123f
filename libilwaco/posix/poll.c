// SPDX-License-Identifier: GPL-2.0
/*
 * poll, ppoll, select, pselect6 over the console, the only descriptors
 * there are: fds 0-2 are one terminal, readable when console input is
 * waiting and always writable (console writes never block).  Waiting
 * blocks the calling thread, not the VM (thread.c), until input arrives
 * or the timeout passes, never earlier.  Any other descriptor is
 * POLLNVAL for poll and EBADF for select, as on Linux.  Signal masks
 * given to ppoll/pselect6 are ignored: no signal can arrive while
 * waiting (signal.c).
 */
#include "posix.h"

#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLNVAL	0x020
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define FD_SETSIZE	1024
#define FOREVER		(~0ul)

struct l_pollfd {
	int fd;
	short events, revents;
};

/* The deadline @ns from now on the VM clock, FOREVER if it would wrap. */
static unsigned long after(unsigned long ns)
{
	unsigned long now = ilwaco_time_ns();

	return now + ns < now ? FOREVER : now + ns;
}

/* Wait for input until @deadline; @wants_input: whether anyone reads. */
static void wait_until(unsigned long deadline, int wants_input)
{
	if (wants_input)
		ilwaco_thread_wait_console_until(deadline);
	else
		ilwaco_thread_sleep_until(deadline);
}

static long do_poll(struct l_pollfd *fds, unsigned long n,
		    unsigned long deadline)
{
	unsigned long i;
	int wants_input;
	long ready;

	if (n > FD_SETSIZE)
		return -L_EINVAL;
	if (n && !user_range_ok(fds, n * sizeof(*fds)))
		return -L_EFAULT;
	for (;;) {
		int readable = ilwaco_console_readable();

		ready = 0;
		wants_input = 0;
		for (i = 0; i < n; i++) {
			struct l_pollfd *p = &fds[i];

			p->revents = 0;
			if (p->fd < 0)
				continue;
			if (p->fd > 2) {
				p->revents = POLLNVAL;
			} else {
				if (p->events & (POLLIN | POLLRDNORM)) {
					wants_input = 1;
					if (readable)
						p->revents |= p->events &
							(POLLIN | POLLRDNORM);
				}
				p->revents |= p->events & (POLLOUT | POLLWRNORM);
			}
			ready += !!p->revents;
		}
		if (ready || ilwaco_time_ns() >= deadline)
			return ready;
		wait_until(deadline, wants_input);
	}
}

SYSCALL_DEFINE(poll)
{
	return do_poll((void *)a1, a2,
		       a3 < 0 ? FOREVER : after((unsigned long)a3 * 1000000));
}

/* A timespec timeout as a deadline; NULL is FOREVER. */
static long ts_deadline(const struct l_timespec *ts, unsigned long *deadline)
{
	*deadline = FOREVER;
	if (!ts)
		return 0;
	if (!user_range_ok(ts, sizeof(*ts)))
		return -L_EFAULT;
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (long)NS_PER_SEC)
		return -L_EINVAL;
	if ((unsigned long)ts->sec < ~0ul / NS_PER_SEC - 1)
		*deadline = after(ts->sec * NS_PER_SEC + ts->nsec);
	return 0;
}

SYSCALL_DEFINE(ppoll)
{
	unsigned long deadline;
	long err = ts_deadline((const void *)a3, &deadline);

	return err ? err : do_poll((void *)a1, a2, deadline);
}

/*
 * select on fd_sets: the console's three bits at most; a set bit for
 * any other descriptor below @n is EBADF.
 */
static long do_select(long n, unsigned long *rd, unsigned long *wr,
		      unsigned long *ex, unsigned long deadline)
{
	unsigned long want_r, want_w, got_r, got_w, words, i;

	if (n < 0 || n > FD_SETSIZE)
		return -L_EINVAL;
	words = (n + 63) / 64;
	if ((rd && !user_range_ok(rd, words * 8)) ||
	    (wr && !user_range_ok(wr, words * 8)) ||
	    (ex && !user_range_ok(ex, words * 8)))
		return -L_EFAULT;
	for (i = 0; i < words; i++) {
		unsigned long mask = i ? ~0ul : ~7ul;

		if (i == words - 1 && n % 64)
			mask &= (1ul << (n % 64)) - 1;
		if (((rd ? rd[i] : 0) | (wr ? wr[i] : 0) | (ex ? ex[i] : 0)) &
		    mask)
			return -L_EBADF;
	}
	want_r = rd && words ? rd[0] & 7 : 0;
	want_w = wr && words ? wr[0] & 7 : 0;
	for (;;) {
		got_r = ilwaco_console_readable() ? want_r : 0;
		got_w = want_w;
		if (got_r || got_w || ilwaco_time_ns() >= deadline)
			break;
		wait_until(deadline, !!want_r);
	}
	if (rd && words)
		rd[0] = got_r;
	if (wr && words)
		wr[0] = got_w;
	if (ex && words)
		ex[0] = 0;
	return __builtin_popcountl(got_r) + __builtin_popcountl(got_w);
}

SYSCALL_DEFINE(select)
{
	const struct l_timeval *tv = (const void *)a5;
	unsigned long deadline = FOREVER;

	if (tv) {
		if (!user_range_ok(tv, sizeof(*tv)))
			return -L_EFAULT;
		if (tv->sec < 0 || tv->usec < 0 || tv->usec >= 1000000)
			return -L_EINVAL;
		deadline = after(tv->sec * NS_PER_SEC + tv->usec * 1000);
	}
	return do_select(a1, (void *)a2, (void *)a3, (void *)a4, deadline);
}

SYSCALL_DEFINE(pselect6)
{
	unsigned long deadline;
	long err = ts_deadline((const void *)a5, &deadline);

	return err ? err : do_select(a1, (void *)a2, (void *)a3, (void *)a4,
				     deadline);
}
