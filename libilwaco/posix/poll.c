// SPDX-License-Identifier: GPL-2.0
/*
 * poll, ppoll, select, pselect6 and epoll over every descriptor there
 * is: the console (fds 0-2, one terminal: readable when input is
 * waiting, always writable), the read-only files (always ready, as
 * regular files are on Linux) and, when the network stack is linked,
 * sockets (ilwaco_sock_ops).  Waiting blocks the calling thread, not
 * the VM (thread.c), until console input arrives, a socket's state
 * changes (ilwaco_sock_event, which lwIP calls for every event), or the
 * timeout passes, never earlier.  A descriptor that is none of these is
 * POLLNVAL for poll and EBADF for select and epoll_ctl, as on Linux.
 * Signal masks given to ppoll/pselect6/epoll_pwait are ignored: no
 * signal can arrive while waiting (signal.c).
 *
 * epoll is level-triggered: EPOLLET is accepted and reports at least
 * what Linux would (a program written for edge triggering reads until
 * EAGAIN, which works the same); EPOLLONESHOT is honoured.  An epoll
 * instance is a descriptor from ILWACO_EPOLL_BASE with up to
 * EPOLL_ITEMS watched descriptors; closing a socket removes it from
 * every instance.
 */
#include "posix.h"

#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLNVAL	0x020
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define FD_SETSIZE	1024
#define FOREVER		(~0ul)
#define L_EEXIST	17
#define L_EMFILE	24
#define L_ENOSPC	28
#define L_ENOENT_	2
#define EPOLL_CTL_ADD	1
#define EPOLL_CTL_DEL	2
#define EPOLL_CTL_MOD	3
#define EPOLLONESHOT	(1u << 30)
#define EPOLLET		(1u << 31)
#define EPOLL_ITEMS	1024

struct l_pollfd {
	int fd;
	short events, revents;
};

/* Bumped and futex-woken for every socket event: what pollers wait on. */
static int sock_events;

void ilwaco_sock_event(void)
{
	__atomic_add_fetch(&sock_events, 1, __ATOMIC_SEQ_CST);
	ilwaco_futex_wake_all(&sock_events);
}

/* The deadline @ns from now on the VM clock, FOREVER if it would wrap. */
static unsigned long after(unsigned long ns)
{
	unsigned long now = ilwaco_time_ns();

	return now + ns < now ? FOREVER : now + ns;
}

static int is_sock(long fd)
{
	return fd >= ILWACO_SOCK_BASE && fd <= 0x7fffffff && &ilwaco_sock_ops;
}

/*
 * What of @events (POLL* bits) @fd is ready for now; POLLERR and POLLHUP
 * whenever they hold, POLLNVAL for no such descriptor.  Notes in @wait
 * what a wait would need: console input (bit 0), socket events (bit 1).
 */
static int fd_poll(long fd, int events, int *wait)
{
	if (fd >= 0 && fd <= 2) {
		int r = events & (POLLOUT | POLLWRNORM);

		if (events & (POLLIN | POLLRDNORM)) {
			*wait |= 1;
			if (ilwaco_console_readable())
				r |= events & (POLLIN | POLLRDNORM);
		}
		return r;
	}
	if (is_sock(fd)) {
		*wait |= 2;
		return ilwaco_sock_ops.poll(fd, events);
	}
	if (fd >= 3 && fd < ILWACO_EPOLL_BASE && ilwaco_file_lseek(fd, 0, 1) >= 0)
		return events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	return POLLNVAL;
}

/*
 * Block until something in @wait may have changed or @deadline; @seq is
 * the socket event count read before the descriptors were looked at, so
 * an event in between ends the wait at once.
 */
static void wait_for(int wait, int seq, unsigned long deadline)
{
	ilwaco_thread_wait(wait & 1 ? DENALI_IRQ_CONSOLE : 0,
			   wait & 2 ? &sock_events : NULL, seq, deadline);
}

static int events_seq(void)
{
	return __atomic_load_n(&sock_events, __ATOMIC_SEQ_CST);
}

static long do_poll(struct l_pollfd *fds, unsigned long n,
		    unsigned long deadline)
{
	unsigned long i;
	int wait, seq;
	long ready;

	if (n > FD_SETSIZE)
		return -L_EINVAL;
	if (n && !user_range_ok(fds, n * sizeof(*fds)))
		return -L_EFAULT;
	for (;;) {
		seq = events_seq();
		ready = 0;
		wait = 0;
		for (i = 0; i < n; i++) {
			struct l_pollfd *p = &fds[i];

			p->revents = 0;
			if (p->fd < 0)
				continue;
			p->revents = fd_poll(p->fd, p->events, &wait);
			ready += !!p->revents;
		}
		if (ready || ilwaco_time_ns() >= deadline)
			return ready;
		wait_for(wait, seq, deadline);
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

static int bit(const unsigned long *set, long fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

/*
 * select on fd_sets, each descriptor below @n as poll sees it (read:
 * POLLIN, write: POLLOUT, except: POLLPRI); a set bit for a descriptor
 * that does not exist is EBADF.
 */
static long do_select(long n, unsigned long *rd, unsigned long *wr,
		      unsigned long *ex, unsigned long deadline)
{
	unsigned long out[3][FD_SETSIZE / 64];
	unsigned long words, i;
	long fd, count;
	int wait, seq;

	if (n < 0 || n > FD_SETSIZE)
		return -L_EINVAL;
	words = (n + 63) / 64;
	if ((rd && !user_range_ok(rd, words * 8)) ||
	    (wr && !user_range_ok(wr, words * 8)) ||
	    (ex && !user_range_ok(ex, words * 8)))
		return -L_EFAULT;
	for (;;) {
		seq = events_seq();
		memset(out, 0, sizeof(out));
		count = 0;
		wait = 0;
		for (fd = 0; fd < n; fd++) {
			int ev = (bit(rd, fd) ? POLLIN : 0) |
				 (bit(wr, fd) ? POLLOUT : 0) |
				 (bit(ex, fd) ? POLLPRI : 0), r;

			if (!ev)
				continue;
			r = fd_poll(fd, ev, &wait);
			if (r & POLLNVAL)
				return -L_EBADF;
			if (r & (POLLIN | POLLHUP | POLLERR) && (ev & POLLIN)) {
				out[0][fd / 64] |= 1ul << (fd % 64);
				count++;
			}
			if (r & (POLLOUT | POLLERR) && (ev & POLLOUT)) {
				out[1][fd / 64] |= 1ul << (fd % 64);
				count++;
			}
			if (r & POLLPRI && (ev & POLLPRI)) {
				out[2][fd / 64] |= 1ul << (fd % 64);
				count++;
			}
		}
		if (count || ilwaco_time_ns() >= deadline)
			break;
		wait_for(wait, seq, deadline);
	}
	for (i = 0; i < words; i++) {
		if (rd)
			rd[i] = out[0][i];
		if (wr)
			wr[i] = out[1][i];
		if (ex)
			ex[i] = out[2][i];
	}
	return count;
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

/* ---- epoll ---------------------------------------------------------------- */

/* struct epoll_event as x86-64 Linux packs it: 12 bytes. */
struct l_epoll_event {
	uint32_t events;
	uint64_t data;
} ILWACO_ATTRIBUTE((__packed__));

struct epoll_item {
	int fd;
	uint32_t events;
	uint64_t data;
};

static struct epoll {
	int used;
	unsigned int count, next;	/* items; where the next scan starts */
	struct epoll_item *items;	/* EPOLL_ITEMS of them, mmap'd */
} epolls[ILWACO_EPOLL_MAX];

static struct epoll *epoll_of(long fd)
{
	if (fd < ILWACO_EPOLL_BASE || fd >= ILWACO_EPOLL_BASE + ILWACO_EPOLL_MAX ||
	    !epolls[fd - ILWACO_EPOLL_BASE].used)
		return NULL;
	return &epolls[fd - ILWACO_EPOLL_BASE];
}

SYSCALL_DEFINE(epoll_create1)
{
	int i;

	if (a1 & ~02000000l)		/* EPOLL_CLOEXEC only */
		return -L_EINVAL;
	for (i = 0; i < ILWACO_EPOLL_MAX; i++) {
		struct epoll *ep = &epolls[i];

		if (ep->used)
			continue;
		if (!ep->items) {
			long m = sys_mmap(0, EPOLL_ITEMS * sizeof(*ep->items),
					  3, 0x22, -1, 0);

			if (m < 0)
				return -L_ENOMEM;
			ep->items = (struct epoll_item *)m;
		}
		ep->used = 1;
		ep->count = 0;
		ep->next = 0;
		return ILWACO_EPOLL_BASE + i;
	}
	return -L_EMFILE;
}

SYSCALL_DEFINE(epoll_create)
{
	return a1 <= 0 ? -L_EINVAL : sys_epoll_create1(0, 0, 0, 0, 0, 0);
}

long ilwaco_epoll_close(long fd)
{
	struct epoll *ep = epoll_of(fd);

	if (!ep)
		return -L_EBADF;
	ep->used = 0;		/* the items' page stays for the next one */
	return 0;
}

static void epoll_del(struct epoll *ep, unsigned int i)
{
	ep->items[i] = ep->items[--ep->count];
}

void ilwaco_epoll_forget(long fd)
{
	unsigned int e, i;

	for (e = 0; e < ILWACO_EPOLL_MAX; e++)
		for (i = 0; epolls[e].used && i < epolls[e].count; i++)
			if (epolls[e].items[i].fd == fd)
				epoll_del(&epolls[e], i--);
}

SYSCALL_DEFINE(epoll_ctl)
{
	struct epoll *ep = epoll_of(a1);
	const struct l_epoll_event *ev = (const void *)a4;
	unsigned int i;
	int wait = 0;

	if (!ep)
		return a1 >= 0 && a1 <= 2 ? -L_EINVAL : -L_EBADF;
	if (a3 == a1 || epoll_of(a3))
		return -L_EINVAL;		/* no nesting */
	if (a3 < 0 || fd_poll(a3, 0, &wait) & POLLNVAL)
		return -L_EBADF;
	if (a3 >= 3 && a3 < ILWACO_EPOLL_BASE)
		return -L_EPERM;		/* regular files, as on Linux */
	if (a2 != EPOLL_CTL_DEL && !user_range_ok(ev, sizeof(*ev)))
		return -L_EFAULT;
	for (i = 0; i < ep->count; i++)
		if (ep->items[i].fd == a3)
			break;
	switch (a2) {
	case EPOLL_CTL_ADD:
		if (i < ep->count)
			return -L_EEXIST;
		if (ep->count == EPOLL_ITEMS)
			return -L_ENOSPC;
		ep->count++;
		ep->items[i].fd = a3;
		fallthrough;
	case EPOLL_CTL_MOD:
		if (i == ep->count)
			return -L_ENOENT_;
		ep->items[i].events = ev->events | POLLERR | POLLHUP;
		ep->items[i].data = ev->data;
		return 0;
	case EPOLL_CTL_DEL:
		if (i == ep->count)
			return -L_ENOENT_;
		epoll_del(ep, i);
		return 0;
	}
	return -L_EINVAL;
}

static long do_epoll_wait(long epfd, struct l_epoll_event *out, long max,
			  unsigned long deadline)
{
	struct epoll *ep = epoll_of(epfd);
	unsigned int k, i, n;
	int wait, seq;
	long ready;

	if (!ep)
		return -L_EBADF;
	if (max <= 0 || max > 1 << 20)
		return -L_EINVAL;
	if (!user_range_ok(out, max * sizeof(*out)))
		return -L_EFAULT;
	for (;;) {
		seq = events_seq();
		ready = 0;
		wait = 0;
		n = ep->count;
		/* From where the last scan stopped: every fd gets its turn. */
		for (k = 0; k < n && ready < max; k++) {
			struct epoll_item *it;
			int r;

			i = (ep->next + k) % n;
			it = &ep->items[i];
			if (!(it->events & ~(POLLERR | POLLHUP | EPOLLET)))
				continue;	/* disarmed (EPOLLONESHOT) */
			r = fd_poll(it->fd, it->events & 0xffff, &wait) &
			    (it->events | POLLERR | POLLHUP);
			if (!r)
				continue;
			out[ready].events = r;
			out[ready].data = it->data;
			ready++;
			if (it->events & EPOLLONESHOT)
				it->events = 0;
		}
		if (n)
			ep->next = (ep->next + k) % n;
		if (ready || ilwaco_time_ns() >= deadline)
			return ready;
		wait_for(wait, seq, deadline);
	}
}

SYSCALL_DEFINE(epoll_wait)
{
	return do_epoll_wait(a1, (void *)a2, a3,
			     a4 < 0 ? FOREVER :
			     after((unsigned long)a4 * 1000000));
}

SYSCALL_DEFINE(epoll_pwait)
{
	return sys_epoll_wait(a1, a2, a3, a4, 0, 0);
}
