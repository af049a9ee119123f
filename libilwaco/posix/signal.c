// SPDX-License-Identifier: GPL-2.0
/*
 * Signals, as far as a guest has them.
 *
 * Nothing outside a guest can send it a signal, and nothing inside
 * interrupts it: there are no asynchronous signals (no kill from
 * another process, no alarm or timers, no SIGSEGV for a fault, which
 * instead ends the VM with the monitor's crash report).  What is left
 * are the signals a program sends itself, raise() and abort() through
 * kill/tkill/tgkill, and those are delivered synchronously, as Linux
 * would deliver them on the way back from the call:
 *
 *   - a handler installed with sigaction runs, with the signal masked
 *     as sigaction asked, and the call then returns 0;
 *   - SIG_IGN, or SIG_DFL for a signal whose default is to be ignored
 *     (SIGCHLD, SIGCONT, SIGURG, SIGWINCH), does nothing;
 *   - SIG_DFL otherwise ends the VM with a report and the exit status
 *     128 + the signal's number, as a shell would show it;
 *   - a blocked signal waits, and is delivered by the sigprocmask call
 *     that unblocks it (musl's raise() blocks signals around its tkill).
 *
 * sigaction and sigprocmask keep their state faithfully, so programs
 * that install handlers and save or restore masks work.
 */
#include "posix.h"

#define NSIG		65
#define SIG_DFL		0
#define SIG_IGN		1
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2
#define SA_SIGINFO	4
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000
#define SIGKILL		9
#define SIGSTOP		19
#define SIGCHLD		17
#define SIGCONT		18
#define SIGURG		23
#define SIGWINCH	28

struct k_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

/* siginfo_t: 128 bytes; a raised signal says only its number and SI_TKILL. */
struct l_siginfo {
	int signo, errno_, code, pad;
	int pid, uid;
	char rest[128 - 24];
};

static struct k_sigaction actions[NSIG];
static unsigned long blocked, pending;

static unsigned long bit(int sig)
{
	return 1ul << (sig - 1);
}

static void deliver(int sig);

/* Deliver what is pending and no longer blocked, lowest first. */
static void deliver_pending(void)
{
	unsigned long ready;

	while ((ready = pending & ~blocked)) {
		int sig = __builtin_ctzl(ready) + 1;

		pending &= ~bit(sig);
		deliver(sig);
	}
}

static void deliver(int sig)
{
	struct k_sigaction *ka = &actions[sig];
	unsigned long handler = ka->handler, saved = blocked;
	static const char *const names[NSIG] = {
		[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT",
		[4] = "SIGILL", [5] = "SIGTRAP", [6] = "SIGABRT",
		[7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL",
		[10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
		[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	};
	char what[96] = "signal ";
	unsigned long n = strlen(what);
	const char *name = names[sig] ? names[sig] : "";

	if (handler == SIG_IGN)
		return;
	if (handler == SIG_DFL) {
		if (sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
		    sig == SIGWINCH)
			return;
		if (sig >= 10)
			what[n++] = '0' + sig / 10;
		what[n++] = '0' + sig % 10;
		what[n++] = ' ';
		while (*name && n < 80)
			what[n++] = *name++;
		memcpy(what + n, " raised: the VM ends", 21);
		ilwaco_die(what, ILWACO_EXIT_SIGNAL(sig));
	}
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
	blocked |= ka->mask;
	if (!(ka->flags & SA_NODEFER))
		blocked |= bit(sig);
	if (ka->flags & SA_SIGINFO) {
		struct l_siginfo info = { .signo = sig, .code = -6, .pid = 1 };

		((void (*)(int, void *, void *))handler)(sig, &info, NULL);
	} else {
		((void (*)(int))handler)(sig);
	}
	blocked = saved;
	deliver_pending();
}

SYSCALL_DEFINE(rt_sigaction)
{
	const struct k_sigaction *act = (const void *)a2;
	struct k_sigaction *old = (void *)a3;

	if (a1 < 1 || a1 >= NSIG || a4 != 8)
		return -L_EINVAL;
	if ((act && !user_range_ok(act, sizeof(*act))) ||
	    (old && !user_range_ok(old, sizeof(*old))))
		return -L_EFAULT;
	if (act && (a1 == SIGKILL || a1 == SIGSTOP))
		return -L_EINVAL;
	if (old)
		*old = actions[a1];
	if (act) {
		actions[a1] = *act;
		actions[a1].mask &= ~(bit(SIGKILL) | bit(SIGSTOP));
	}
	return 0;
}

SYSCALL_DEFINE(rt_sigprocmask)
{
	const unsigned long *set = (const void *)a2;
	unsigned long *old = (void *)a3;

	if (a4 != 8)
		return -L_EINVAL;
	if ((set && !user_range_ok(set, 8)) || (old && !user_range_ok(old, 8)))
		return -L_EFAULT;
	if (old)
		*old = blocked;
	if (!set)
		return 0;
	switch (a1) {
	case SIG_BLOCK:
		blocked |= *set;
		break;
	case SIG_UNBLOCK:
		blocked &= ~*set;
		break;
	case SIG_SETMASK:
		blocked = *set;
		break;
	default:
		return -L_EINVAL;
	}
	blocked &= ~(bit(SIGKILL) | bit(SIGSTOP));
	deliver_pending();
	return 0;
}

/* The signal goes to this process, the only one: now or when unblocked. */
static long send_self(long sig)
{
	if (sig < 0 || sig >= NSIG)
		return -L_EINVAL;
	if (!sig)
		return 0;	/* the existence check */
	pending |= bit(sig);
	deliver_pending();
	return 0;
}

SYSCALL_DEFINE(kill)
{
	return a1 == 1 || a1 == 0 || a1 == -1 ? send_self(a2) : -L_ESRCH;
}

SYSCALL_DEFINE(tkill)
{
	return a1 == 1 ? send_self(a2) : -L_ESRCH;
}

SYSCALL_DEFINE(tgkill)
{
	return a1 == 1 && a2 == 1 ? send_self(a3) : -L_ESRCH;
}
