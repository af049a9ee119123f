/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's operating-system types for Denali guests (sys_arch.c): musl's
 * pthreads on libilwaco's cooperative threads.  Semaphores, mutexes and
 * mailboxes are pointers to objects from malloc, NULL when invalid, so
 * that creating one can fail with ERR_MEM when memory runs out.
 */
#ifndef ILWACO_LWIP_SYS_ARCH_H
#define ILWACO_LWIP_SYS_ARCH_H

struct ilwaco_sem;
struct ilwaco_mbox;
struct ilwaco_mutex;

/*
 * lwIP's names for the types, as macros rather than typedefs (the
 * project's style); lwIP never declares two of them in one declaration
 * or qualifies them with const, where the difference would show.
 */
#define sys_sem_t	struct ilwaco_sem *
#define sys_mutex_t	struct ilwaco_mutex *
#define sys_mbox_t	struct ilwaco_mbox *
#define sys_thread_t	unsigned long
/*
 * Nothing preempts a thread and libilwaco-posix takes no upcalls, so a
 * protected section needs no masking: the level is a dummy.
 */
#define sys_prot_t	int

#define sys_sem_valid(s)		(*(s) != NULL)
#define sys_sem_set_invalid(s)		(*(s) = NULL)
#define sys_mutex_valid(m)		(*(m) != NULL)
#define sys_mutex_set_invalid(m)	(*(m) = NULL)
#define sys_mbox_valid(b)		(*(b) != NULL)
#define sys_mbox_set_invalid(b)		(*(b) = NULL)

sys_sem_t *ilwaco_lwip_thread_sem(void);

#endif /* ILWACO_LWIP_SYS_ARCH_H */
