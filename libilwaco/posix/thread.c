// SPDX-License-Identifier: GPL-2.0
/*
 * Cooperative threads: clone, futex, set_tid_address, exit, sched_yield,
 * gettid, and blocking that stops one thread, not the VM.
 *
 * A guest has one virtual CPU and no timer interrupt that libilwaco
 * uses, so threads switch only when one blocks (futex wait, sleep,
 * console read) or yields; musl's pthreads (mutexes, condition
 * variables, join, detached threads) need nothing more.  What they
 * cannot have: preemption (a thread that spins waiting for another,
 * e.g. a contended pthread_spin_lock, spins for ever).
 *
 * Roadmap:
 *   1. Threads: a page each (struct thread), found by tid, reused once
 *      dead; the main thread is static.
 *   2. The scheduler: round robin over the runnable; when none is, wake
 *      those whose time has come or whose console input arrived, else
 *      idle until the nearest deadline, so an idle guest makes no exit
 *      until something is due.  Every switch moves the FS base (musl's
 *      thread pointer: errno, pthread_self).
 *   3. The system calls.
 */
#include "posix.h"

#define CLONE_VM		0x00000100
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_THREAD		0x00010000
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE		128
#define FUTEX_CLOCK_REALTIME	256
#define L_ETIMEDOUT		110
#define FOREVER			(~0ul)

/* ---- 1. threads --------------------------------------------------------- */

enum thread_state { RUNNABLE, BLOCKED, DEAD };

struct thread {
	unsigned long sp;		/* saved by ilwaco_switch */
	unsigned long fs_base;
	int tid;
	enum thread_state state;
	int *clear_tid;			/* CLONE_CHILD_CLEARTID, set_tid_address */
	const int *futex;		/* waiting on this word, if any */
	unsigned long irqs;		/* waiting for these DENALI_IRQ_* bits */
	unsigned long deadline;		/* wake then (FOREVER: never) */
	long result;			/* what the blocking call returns */
	struct thread *next;		/* every thread, in a ring */
};

static struct thread main_thread = {
	.tid = 1, .state = RUNNABLE, .next = &main_thread,
};
static struct thread *current = &main_thread;
static int next_tid = 2, threads_alive = 1;

/* A dead thread's page if there is one, else a new page. */
static struct thread *thread_alloc(void)
{
	struct thread *t = current->next;
	long page;

	do {
		if (t->state == DEAD && t != &main_thread)
			return t;
		t = t->next;
	} while (t != current->next);
	page = sys_mmap(0, 4096, 3, 0x22, -1, 0);	/* PRIVATE|ANONYMOUS */
	if (page < 0)
		return NULL;
	t = (struct thread *)page;
	t->next = current->next;
	current->next = t;
	return t;
}

static long futex_wake(const int *uaddr, long n);

/* ---- 2. the scheduler --------------------------------------------------- */

/* Wake @t with @result. */
static void wake(struct thread *t, long result)
{
	t->state = RUNNABLE;
	t->futex = NULL;
	t->irqs = 0;
	t->deadline = FOREVER;
	t->result = result;
}

/*
 * Wake what is due: deadlines passed (-ETIMEDOUT, or 0 for a sleep,
 * which the sleeper ignores), virtual interrupts (console input, a
 * frame) for the threads that wait for them.  Returns the nearest
 * deadline still ahead, and in @irq_waiters the bits someone waits for.
 *
 * The clock is read only when some blocked thread has a deadline: this
 * runs on every switch, and where the TSC is not stable (QEMU's TCG,
 * some hosts) reading the clock is a hypercall, an exit per switch that
 * threads handing work to each other never need.
 */
static unsigned long wake_due(unsigned long *irq_waiters)
{
	unsigned long now = 0, nearest = FOREVER;
	unsigned long pending = ILWACO_VREGS_RW->pending;
	int have_now = 0;
	struct thread *t = current;

	*irq_waiters = 0;
	do {
		if (t->state == BLOCKED) {
			if (t->deadline != FOREVER && !have_now) {
				now = ilwaco_time_ns();
				have_now = 1;
			}
			if (t->deadline != FOREVER && t->deadline <= now)
				wake(t, -L_ETIMEDOUT);
			else if (t->irqs & pending)
				wake(t, 0);
			else {
				if (t->deadline < nearest)
					nearest = t->deadline;
				*irq_waiters |= t->irqs;
			}
		}
		t = t->next;
	} while (t != current);
	return nearest == FOREVER ? FOREVER : nearest - now;
}

/*
 * Give the CPU to the next runnable thread (perhaps the current one
 * again); returns when the current thread runs again.
 */
static void schedule(void)
{
	struct thread *prev = current, *t;
	unsigned long irq_waiters;

	for (;;) {
		unsigned long wait = wake_due(&irq_waiters);

		for (t = prev->next; ; t = t->next) {
			if (t->state == RUNNABLE)
				goto found;
			if (t == prev)
				break;
		}
		/*
		 * Nothing to run: idle until the nearest deadline.  Idle
		 * returns at once while any bit is pending, so clear those
		 * nobody waits for first (console input stays buffered in
		 * the monitor for whoever reads later, frames in the ring).
		 */
		__atomic_and_fetch(&ILWACO_VREGS_RW->pending, irq_waiters,
				   __ATOMIC_SEQ_CST);
		ilwaco_idle(wait == FOREVER ? DENALI_IDLE_FOREVER : wait);
	}
found:
	if (t == prev)
		return;
	current = t;
	if (t->fs_base != prev->fs_base)
		ilwaco_set_fs_base(t->fs_base);
	ilwaco_switch(&prev->sp, t->sp);
}

/*
 * Block the current thread until woken or @deadline (ns on the VM
 * clock, FOREVER for none); returns what the waker gave, or
 * -ETIMEDOUT.
 */
static long block(unsigned long deadline)
{
	current->state = BLOCKED;
	current->deadline = deadline;
	schedule();
	return current->result;
}

void ilwaco_thread_sleep_until(unsigned long deadline)
{
	while (ilwaco_time_ns() < deadline)
		block(deadline);
}

long ilwaco_thread_wait_console(void)
{
	return ilwaco_thread_wait_console_until(FOREVER);
}

long ilwaco_thread_wait_console_until(unsigned long deadline)
{
	return ilwaco_thread_wait(DENALI_IRQ_CONSOLE, NULL, 0, deadline);
}

long ilwaco_thread_wait(unsigned long irqs, const int *futex, int val,
			unsigned long deadline)
{
	if (futex && __atomic_load_n(futex, __ATOMIC_SEQ_CST) != val)
		return -L_EAGAIN;
	if (irqs & ILWACO_VREGS_RW->pending)
		return 0;
	current->irqs = irqs;
	current->futex = futex;
	return block(deadline);
}

long ilwaco_futex_wake_all(const int *futex)
{
	return futex_wake(futex, ~0ul >> 1);
}

/* The FS base start-up or arch_prctl set, for the switch to restore. */
void ilwaco_thread_set_fs(unsigned long base)
{
	current->fs_base = base;
}

/* ---- 3. the system calls ------------------------------------------------ */

/*
 * musl's __clone (tools/patch-musl): a new thread running @fn(@arg) on
 * @stack, with the thread pointer @tls; the parent carries on first.
 */
int __ilwaco_clone(int (*fn)(void *), void *stack, int flags, void *arg,
		   int *ptid, void *tls, int *ctid)
{
	unsigned long *sp = (unsigned long *)((unsigned long)stack & ~15ul);
	struct thread *t;

	if (!(flags & CLONE_VM) || !(flags & CLONE_THREAD) || !fn ||
	    !user_range_ok(sp - 8, 64))
		return -L_EINVAL;
	t = thread_alloc();
	if (!t)
		return -L_EAGAIN;
	/* The frame ilwaco_switch pops: see switch.S. */
	*--sp = (unsigned long)ilwaco_thread_start;
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (unsigned long)fn;		/* r12 */
	*--sp = (unsigned long)arg;		/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	*--sp = 0x037f00001f80ul;		/* FCW 0x37f, MXCSR 0x1f80 */
	t->sp = (unsigned long)sp;
	t->tid = next_tid++;
	t->fs_base = flags & CLONE_SETTLS ? (unsigned long)tls :
		     current->fs_base;
	t->clear_tid = flags & CLONE_CHILD_CLEARTID ? ctid : NULL;
	wake(t, 0);
	threads_alive++;
	if ((flags & CLONE_PARENT_SETTID) && ptid)
		*ptid = t->tid;
	return t->tid;
}

static long futex_wake(const int *uaddr, long n)
{
	struct thread *t = current;
	long woken = 0;

	do {
		if (woken < n && t->state == BLOCKED && t->futex == uaddr) {
			wake(t, 0);
			woken++;
		}
		t = t->next;
	} while (t != current);
	return woken;
}

_Noreturn void ilwaco_thread_exit(int status)
{
	if (--threads_alive == 0)
		denali_exit(status);	/* the last thread: the process's end */
	if (current->clear_tid) {
		*current->clear_tid = 0;
		futex_wake(current->clear_tid, 1);
	}
	current->state = DEAD;
	schedule();
	ilwaco_die("a dead thread ran again", ILWACO_EXIT_LIBC_CRASH);
}

SYSCALL_DEFINE(exit)
{
	ilwaco_thread_exit((int)a1);
}

SYSCALL_DEFINE(gettid)
{
	return current->tid;
}

SYSCALL_DEFINE(set_tid_address)
{
	current->clear_tid = (int *)a1;
	return current->tid;
}

SYSCALL_DEFINE(sched_yield)
{
	schedule();
	return 0;
}

SYSCALL_DEFINE(futex)
{
	int *uaddr = (int *)a1, *uaddr2 = (int *)a5;
	const struct l_timespec *ts = (const void *)a4;
	unsigned long deadline = FOREVER, now;
	int op = a2 & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
	long n;
	struct thread *t;

	if (!user_range_ok(uaddr, sizeof(*uaddr)) || (unsigned long)uaddr % 4)
		return -L_EFAULT;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (ts) {
			if (!user_range_ok(ts, sizeof(*ts)))
				return -L_EFAULT;
			if (ts->sec < 0 || ts->nsec < 0 ||
			    ts->nsec >= (long)NS_PER_SEC)
				return -L_EINVAL;
			deadline = ts->sec * NS_PER_SEC + ts->nsec;
			now = ilwaco_time_ns();
			if (op == FUTEX_WAIT)		/* relative */
				deadline += now;
			else if (a2 & FUTEX_CLOCK_REALTIME)
				deadline -= ILWACO_VREGS_RO->wall_offset_ns;
		}
		if (__atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != (int)a3)
			return -L_EAGAIN;
		current->futex = uaddr;
		return block(deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, a3);
	case FUTEX_CMP_REQUEUE:
		if (__atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != (int)a6)
			return -L_EAGAIN;
		fallthrough;
	case FUTEX_REQUEUE:
		if (!user_range_ok(uaddr2, sizeof(*uaddr2)))
			return -L_EFAULT;
		n = futex_wake(uaddr, a3);
		t = current;
		do {
			if (a4 > 0 && t->state == BLOCKED && t->futex == uaddr) {
				t->futex = uaddr2;
				a4--;
				n++;
			}
			t = t->next;
		} while (t != current);
		return n;
	}
	return -L_ENOSYS;
}
