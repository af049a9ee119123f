/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercalls: the only way a Denali guest talks to the monitor.
 *
 * The convention (include/uapi/denali_guest.h) mirrors the x86-64 syscall one:
 * `int $0x1f`, the number in RAX, arguments in RDI, RSI, RDX, R10, R8 and
 * R9, the result in RAX (a negative errno on failure).  The monitor
 * preserves every other register, the flags and the FPU state, so the
 * inline asm below names RAX as its only output and clobbers nothing but
 * memory.  The "memory" clobber is needed because hypercalls read guest
 * memory (console_write's buffer) and, later, will write it; it also
 * makes every hypercall a compiler barrier, which the benchmarks rely on
 * to keep a loop of null hypercalls from being merged or hoisted.
 *
 * The wrappers are static inline so that a hypercall costs one `int` and
 * no call; they are safe to use before main() and from any context.
 */
#ifndef _ILWACO_HYPERCALL_H
#define _ILWACO_HYPERCALL_H

#include "uapi/denali_guest.h"

/* Hypercall @nr with no arguments; returns RAX. */
static inline long denali_hypercall0(unsigned long nr)
{
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr)
		     : "memory");
	return ret;
}

/* Hypercall @nr with argument @a1 in RDI; returns RAX. */
static inline long denali_hypercall1(unsigned long nr, unsigned long a1)
{
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1)
		     : "memory");
	return ret;
}

/* Hypercall @nr with arguments in RDI and RSI; returns RAX. */
static inline long denali_hypercall2(unsigned long nr, unsigned long a1,
				     unsigned long a2)
{
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1), "S" (a2)
		     : "memory");
	return ret;
}

/* Hypercall @nr with arguments in RDI, RSI and RDX; returns RAX. */
static inline long denali_hypercall3(unsigned long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1), "S" (a2), "d" (a3)
		     : "memory");
	return ret;
}

/*
 * Hypercall @nr with arguments in RDI, RSI, RDX and R10; returns RAX.
 * R10 has no constraint letter, hence the register variable.  No
 * hypercall takes four arguments yet; this and the next two exist so
 * that the convention is written down once, here.
 */
static inline long denali_hypercall4(unsigned long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4)
{
	register unsigned long r10 asm("r10") = a4;
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1), "S" (a2), "d" (a3), "r" (r10)
		     : "memory");
	return ret;
}

/* Hypercall @nr with arguments in RDI, RSI, RDX, R10 and R8. */
static inline long denali_hypercall5(unsigned long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1), "S" (a2), "d" (a3), "r" (r10), "r" (r8)
		     : "memory");
	return ret;
}

/* Hypercall @nr with arguments in RDI, RSI, RDX, R10, R8 and R9. */
static inline long denali_hypercall6(unsigned long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5,
				     unsigned long a6)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	register unsigned long r9 asm("r9") = a6;
	long ret;

	asm volatile("int %[vec]"
		     : "=a" (ret)
		     : [vec] "i" (DENALI_HYPERCALL_VECTOR), "0" (nr),
		       "D" (a1), "S" (a2), "d" (a3), "r" (r10), "r" (r8),
		       "r" (r9)
		     : "memory");
	return ret;
}

/*
 * denali_exit() - stop the VM with exit status @status; never returns.
 *
 * The host sees @status in struct denali_run's exit_status (denalictl
 * exits with its low 8 bits).  Should the hypercall ever return, that is
 * a monitor bug: the guest then crashes on ud2 (an invalid-opcode report
 * on the host) rather than running on past its own exit.
 */
static inline _Noreturn void denali_exit(int status)
{
	denali_hypercall1(DENALI_HC_EXIT, (unsigned long)(long)status);
	__builtin_trap();
}

/*
 * denali_console_write() - append bytes to the VM's console
 * @buf: guest address of the bytes.
 * @len: how many; at most DENALI_CONSOLE_WRITE_MAX are taken per call.
 *
 * Returns the number of bytes written (less than @len only when @len is
 * above DENALI_CONSOLE_WRITE_MAX), or -EFAULT if [@buf, @buf + @len) is
 * not all guest memory.  Callers wanting everything written loop; see
 * printf(), which does.
 */
static inline long denali_console_write(const void *buf, unsigned long len)
{
	return denali_hypercall2(DENALI_HC_CONSOLE_WRITE, (unsigned long)buf,
				 len);
}

/*
 * denali_null() - the cheapest round trip to the monitor and back.
 *
 * Returns 0.  For benchmarks and for tests that need exits to happen.
 */
static inline long denali_null(void)
{
	return denali_hypercall0(DENALI_HC_NULL);
}

/*
 * denali_idle() - give up the CPU until an interrupt or @timeout_ns (ABI 0.3)
 *
 * Returns 0: at once when a virtual interrupt is pending, else once one
 * is raised or @timeout_ns nanoseconds have passed (never sooner), the
 * expiry raising DENALI_IRQ_TIMER.  0 is a yield, DENALI_IDLE_FOREVER
 * no timeout.  See ilwaco_idle() in ilwaco/vregs.h for how to use it.
 */
static inline long denali_idle(unsigned long timeout_ns)
{
	return denali_hypercall1(DENALI_HC_IDLE, timeout_ns);
}

/*
 * denali_console_read() - take console input (ABI 0.3)
 * @buf: guest address to store it at.
 * @len: room at @buf.
 *
 * Returns the number of bytes stored (0 when no input is waiting), or
 * -EFAULT if [@buf, @buf + @len) is not all writable guest memory.
 */
static inline long denali_console_read(void *buf, unsigned long len)
{
	return denali_hypercall2(DENALI_HC_CONSOLE_READ, (unsigned long)buf,
				 len);
}

/*
 * denali_time() - the VM's clock, in nanoseconds since it was made (ABI 0.3)
 *
 * One exit per call; ilwaco_time_ns() avoids it whenever the clock page
 * says the TSC may be used.
 */
static inline unsigned long denali_time(void)
{
	return (unsigned long)denali_hypercall0(DENALI_HC_TIME);
}

#endif /* _ILWACO_HYPERCALL_H */
