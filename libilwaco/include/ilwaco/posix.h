/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libilwaco's POSIX layer, for programs built on musl (ilwaco-cc): the
 * few things it offers beyond the Linux system calls it serves.
 *
 * A program built this way is an ordinary C program: musl is its C
 * library and libilwaco its kernel.  This header needs nothing but the
 * compiler's own headers, so it can be included beside musl's.
 */
#ifndef _ILWACO_POSIX_API_H
#define _ILWACO_POSIX_API_H

#include "ilwaco/compiler.h"

/* Exit statuses of a VM that libilwaco ended (besides ILWACO_EXIT_ABI). */
#define ILWACO_EXIT_LIBC_CRASH	125	/* musl's a_crash(): corrupt state */
#define ILWACO_EXIT_SIGNAL(sig)	(128 + (sig))	/* raise(), abort() */

/*
 * ilwaco_syscall_unsupported() - how often system call @nr was refused
 *
 * A system call libilwaco does not serve returns -ENOSYS (errno ENOSYS
 * through musl) and is counted; numbers outside the table share one
 * counter, returned for any such @nr.
 */
unsigned long ilwaco_syscall_unsupported(long nr);

/*
 * ilwaco_syscall_report() - list the refused system calls on the console
 *
 * One line: "libilwaco: unsupported system calls: 13x2 302x1" (number,
 * then how often), or "... none".  Written without stdio, so it works
 * from any state, even after stdio's buffers are gone.
 */
void ilwaco_syscall_report(void);

/*
 * ilwaco_fsgsbase_usable() - may this guest use wrfsbase?
 *
 * Nonzero when the monitor says so (DENALI_VRO_FSGSBASE) and no one
 * called ilwaco_fsbase_use_hypercall(): then the thread pointer is set
 * without an exit, else with the set_base hypercall.
 */
int ilwaco_fsgsbase_usable(void);

/*
 * ilwaco_fsbase_use_hypercall() - from now on, set the thread pointer
 * with the set_base hypercall even where wrfsbase is usable: for tests
 * of that path on hosts that have both.
 */
void ilwaco_fsbase_use_hypercall(void);


/*
 * Descriptors of libilwaco's network stack (libilwaco/lwip, linked with
 * `ilwaco-cc --net`): sockets are numbered from ILWACO_SOCK_BASE, epoll
 * instances from ILWACO_EPOLL_BASE (below the sockets, above the file
 * tree's).  The stack fills in ilwaco_sock_ops; without it the pointer
 * is NULL (a weak symbol) and socket calls answer ENOSYS, socket
 * descriptors EBADF.  What follows is the interface between the two
 * libraries, not for programs.
 */
#define ILWACO_EPOLL_BASE	96
#define ILWACO_EPOLL_MAX	32
#define ILWACO_SOCK_BASE	128

struct ilwaco_sock_ops {
	/* Each returns what the Linux system call does, or -errno. */
	long (*read)(int fd, void *buf, unsigned long len);
	long (*write)(int fd, const void *buf, unsigned long len);
	long (*readv)(int fd, const void *iov, int iovcnt);
	long (*writev)(int fd, const void *iov, int iovcnt);
	long (*close)(int fd);
	long (*ioctl)(int fd, unsigned long cmd, void *arg);
	long (*fcntl)(int fd, int cmd, long arg);
	/*
	 * @fd's POLL* state for @events now, without blocking (POLLERR,
	 * POLLHUP always reported); POLLNVAL (0x20) if @fd is no socket.
	 */
	int (*poll)(int fd, int events);
};

extern const struct ilwaco_sock_ops ilwaco_sock_ops ILWACO_ATTRIBUTE((__weak__));

/*
 * The network stack's start, run by libilwaco-posix before main() when
 * linked (a weak symbol): brings the NIC and the configuration from the
 * boot arguments up.
 */
ILWACO_ATTRIBUTE((__weak__)) void ilwaco_net_start(void);

/*
 * ilwaco_sock_event() - a socket's state changed (data, a connection,
 * room to send, an error): wakes every thread blocked in poll, select
 * or epoll_wait, which look again.  Called by lwIP under its lock.
 */
void ilwaco_sock_event(void);

/*
 * ilwaco_thread_wait() - block the calling thread until one of the
 * virtual interrupts @irqs (DENALI_IRQ_* bits) is pending, or the
 * futex word @futex (may be NULL) is woken, or the VM clock reads
 * @deadline (~0ul: never).  Returns 0 when woken, -EAGAIN (-11) at once
 * if *@futex != @val, -ETIMEDOUT (-110) at the deadline.  Other threads
 * run meanwhile; with none, the VM idles.  The caller takes the bits.
 */
long ilwaco_thread_wait(unsigned long irqs, const int *futex, int val,
			unsigned long deadline);

/* ilwaco_futex_wake_all() - wake every thread waiting on @futex. */
long ilwaco_futex_wake_all(const int *futex);

#endif /* _ILWACO_POSIX_API_H */
