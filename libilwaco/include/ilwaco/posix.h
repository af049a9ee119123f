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

#endif /* _ILWACO_POSIX_API_H */
