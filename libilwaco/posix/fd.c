// SPDX-License-Identifier: GPL-2.0
/*
 * File descriptors: 0, 1 and 2 are the VM's console, as a terminal
 * would be.  Output goes out with the console-write hypercall, input
 * comes from console-read; reading with nothing there blocks the calling
 * thread until console input arrives (DENALI_IRQ_CONSOLE); other
 * threads run meanwhile, and with none the VM idles at no CPU cost.  TIOCGWINSZ answers 80x24, which is what
 * makes musl treat stdout as a terminal and line-buffer it.
 *
 * Descriptors from 3 up are the read-only file tree's (files.c).
 * Writing to one is EBADF: it was opened for reading; /dev/null, which
 * files.c also serves, takes every write.  From ILWACO_SOCK_BASE up they
 * are sockets, served by the network stack when it is linked
 * (ilwaco_sock_ops, libilwaco/lwip/sockets.c).
 */
#include "posix.h"

#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define O_RDWR		2

static int is_console(long fd)
{
	return fd >= 0 && fd <= 2;
}

/* The network stack's operations if @fd is in its range and it is linked. */
static const struct ilwaco_sock_ops *sock(long fd)
{
	if (fd < ILWACO_SOCK_BASE || fd > 0x7fffffff || !&ilwaco_sock_ops)
		return NULL;
	return &ilwaco_sock_ops;
}

/*
 * Input poll() has seen but nobody has read yet: poll must take bytes
 * from the monitor to know there are some, and read serves them first.
 */
static char peeked[256];
static unsigned int peeked_len, peeked_off;

/* Take the console bit, then read: input arriving between the two wakes. */
static long take_input(void *buf, unsigned long len)
{
	__atomic_and_fetch(&ILWACO_VREGS_RW->pending, ~DENALI_IRQ_CONSOLE,
			   __ATOMIC_SEQ_CST);
	return denali_console_read(buf, len);
}

int ilwaco_console_readable(void)
{
	long n;

	if (peeked_off < peeked_len)
		return 1;
	n = take_input(peeked, sizeof(peeked));
	peeked_off = 0;
	peeked_len = n > 0 ? n : 0;
	return n > 0;
}

static long console_read(void *buf, unsigned long len)
{
	if (!len)
		return 0;
	if (peeked_off < peeked_len) {
		unsigned long n = peeked_len - peeked_off;

		n = n < len ? n : len;
		memcpy(buf, peeked + peeked_off, n);
		peeked_off += n;
		return n;
	}
	for (;;) {
		long n;

		__atomic_and_fetch(&ILWACO_VREGS_RW->pending,
				   ~DENALI_IRQ_CONSOLE, __ATOMIC_SEQ_CST);
		n = denali_console_read(buf, len);
		if (n != 0)
			return n;
		/* Other threads run; this one wakes when the bit is set. */
		if (!(ILWACO_VREGS_RW->pending & DENALI_IRQ_CONSOLE))
			ilwaco_thread_wait_console();
	}
}

SYSCALL_DEFINE(read)
{
	if (sock(a1)) {
		if (!user_range_ok((void *)a2, a3))
			return -L_EFAULT;
		return sock(a1)->read(a1, (void *)a2, a3);
	}
	if (!is_console(a1))
		return ilwaco_file_read(a1, (void *)a2, a3);
	if (!user_range_ok((void *)a2, a3))
		return -L_EFAULT;
	return console_read((void *)a2, a3);
}

SYSCALL_DEFINE(write)
{
	if (sock(a1)) {
		if (!user_range_ok((void *)a2, a3))
			return -L_EFAULT;
		return sock(a1)->write(a1, (const void *)a2, a3);
	}
	if (!is_console(a1))
		return ilwaco_file_write(a1, (const void *)a2, a3);
	if (!user_range_ok((void *)a2, a3))
		return -L_EFAULT;
	return console_write_all((const void *)a2, a3);
}

SYSCALL_DEFINE(readv)
{
	const struct l_iovec *iov = (const void *)a2;
	long i, n, done = 0;

	if (a3 < 0 || a3 > 1024 || !user_range_ok(iov, a3 * sizeof(*iov)))
		return -L_EINVAL;
	if (sock(a1))
		return sock(a1)->readv(a1, iov, a3);
	if (!is_console(a1)) {
		for (i = 0; i < a3; i++) {
			n = ilwaco_file_read(a1, iov[i].base, iov[i].len);
			if (n < 0)
				return done ? done : n;
			done += n;
			if ((unsigned long)n < iov[i].len)
				break;
		}
		return done;
	}
	/* Like a terminal: one read's worth, into the first buffer. */
	for (i = 0; i < a3; i++) {
		if (!iov[i].len)
			continue;
		if (!user_range_ok(iov[i].base, iov[i].len))
			return done ? done : -L_EFAULT;
		n = console_read(iov[i].base, iov[i].len);
		if (n < 0)
			return done ? done : n;
		done += n;
		break;
	}
	return done;
}

SYSCALL_DEFINE(writev)
{
	const struct l_iovec *iov = (const void *)a2;
	long i, n, done = 0;

	if (sock(a1)) {
		if (a3 < 0 || a3 > 1024 ||
		    !user_range_ok(iov, a3 * sizeof(*iov)))
			return -L_EINVAL;
		return sock(a1)->writev(a1, iov, a3);
	}
	if (!is_console(a1) && ilwaco_file_lseek(a1, 0, 1) < 0)
		return -L_EBADF;
	if (a3 < 0 || a3 > 1024 || !user_range_ok(iov, a3 * sizeof(*iov)))
		return -L_EINVAL;
	for (i = 0; i < a3; i++) {
		if (!user_range_ok(iov[i].base, iov[i].len))
			return done ? done : -L_EFAULT;
		n = is_console(a1) ?
		    console_write_all(iov[i].base, iov[i].len) :
		    ilwaco_file_write(a1, iov[i].base, iov[i].len);
		if (n < 0)
			return done ? done : n;
		done += n;
	}
	return done;
}

SYSCALL_DEFINE(ioctl)
{
	struct l_winsize *ws = (void *)a3;

	if (sock(a1))
		return sock(a1)->ioctl(a1, a2, (void *)a3);
	if (!is_console(a1))
		return ilwaco_file_lseek(a1, 0, 1) < 0 ? -L_EBADF : -L_ENOTTY;
	switch (a2) {
	case TIOCGWINSZ:
		if (!user_range_ok(ws, sizeof(*ws)))
			return -L_EFAULT;
		ws->row = 24;
		ws->col = 80;
		ws->xpixel = 0;
		ws->ypixel = 0;
		return 0;
	}
	/* TCGETS and the rest: a terminal with no line discipline. */
	return -L_ENOTTY;
}

SYSCALL_DEFINE(fstat)
{
	struct l_stat *st = (void *)a2;

	if (sock(a1)) {
		if (sock(a1)->poll(a1, 0) & 0x20)	/* POLLNVAL */
			return -L_EBADF;
		if (!user_range_ok(st, sizeof(*st)))
			return -L_EFAULT;
		memset(st, 0, sizeof(*st));
		st->mode = L_S_IFSOCK | 0777;
		st->nlink = 1;
		return 0;
	}
	if (!is_console(a1))
		return ilwaco_file_fstat(a1, st);
	if (!user_range_ok(st, sizeof(*st)))
		return -L_EFAULT;
	memset(st, 0, sizeof(*st));
	st->mode = L_S_IFCHR | 0620;
	st->nlink = 1;
	st->rdev = (5 << 8) | 1;	/* the Linux console's device number */
	st->blksize = DENALI_CONSOLE_WRITE_MAX;
	return 0;
}

SYSCALL_DEFINE(close)
{
	/* The console stays: closing it succeeds and changes nothing. */
	if (sock(a1)) {
		ilwaco_epoll_forget(a1);
		return sock(a1)->close(a1);
	}
	if (a1 >= ILWACO_EPOLL_BASE && a1 < ILWACO_EPOLL_BASE + ILWACO_EPOLL_MAX)
		return ilwaco_epoll_close(a1);
	return is_console(a1) ? 0 : ilwaco_file_close(a1);
}

SYSCALL_DEFINE(lseek)
{
	if (sock(a1))
		return sock(a1)->poll(a1, 0) & 0x20 ? -L_EBADF : -L_ESPIPE;
	return is_console(a1) ? -L_ESPIPE : ilwaco_file_lseek(a1, a2, a3);
}

SYSCALL_DEFINE(fcntl)
{
	if (sock(a1))
		return sock(a1)->fcntl(a1, a2, a3);
	if (!is_console(a1) && ilwaco_file_lseek(a1, 0, 1) < 0)
		return -L_EBADF;
	switch (a2) {
	case F_GETFD:
	case F_SETFD:
	case F_SETFL:
		return 0;
	case F_GETFL:
		return is_console(a1) ? O_RDWR : 0;	/* files: O_RDONLY */
	}
	return -L_EINVAL;
}
