/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The para-virtual machine (ABI 0.3): virtual registers, the clock, idle,
 * virtual interrupts and console input.
 *
 * The monitor shares two pages with every guest (include/uapi/denali_guest.h):
 * one it writes and the guest only reads (the clock, the VM's identity,
 * the boot arguments), and one the guest writes (the virtual interrupt
 * flag, the pending interrupts, where upcalls go).  Reading the time or
 * masking interrupts is therefore a memory access, not an exit.
 *
 * Virtual interrupts are bits, not vectors: each says "this happened at
 * least once since you last looked".  While interrupts are enabled the
 * monitor delivers pending bits as an upcall: it saves the interrupted
 * context in the RW page, disables interrupts and jumps to libilwaco's
 * entry stub, which calls the handler given to ilwaco_irq_init() with
 * the bits it took and that context.  While they are disabled the bits
 * wait; a program may also take them itself with ilwaco_irq_take().
 *
 * The pattern for waiting without losing a wake-up is the old `cli; test;
 * sti; hlt` one, made safe by idle's rule that it returns at once while
 * anything is pending:
 *
 *	ilwaco_irq_disable();
 *	if (!work_to_do())
 *		ilwaco_idle(timeout);	(returns at once if bits are pending)
 *	ilwaco_irq_enable();		(the upcall for them runs here)
 */
#ifndef _ILWACO_VREGS_H
#define _ILWACO_VREGS_H

#include "uapi/denali_guest.h"

/*
 * The two pages.  volatile: the monitor changes the RO page (the clock)
 * and the pending bits behind the compiler's back, and every store to the
 * RW page must really happen, in program order.  This is the use the
 * kernel's volatile-considered-harmful.rst allows (memory another agent
 * changes); it is spelled __volatile__, GCC's alternate keyword with the
 * same meaning, because checkpatch warns about every plain `volatile`.
 */
#define ILWACO_VREGS_RO \
	((const __volatile__ struct denali_vregs_ro *)DENALI_GUEST_VREGS_RO)
#define ILWACO_VREGS_RW \
	((__volatile__ struct denali_vregs_rw *)DENALI_GUEST_VREGS_RW)

/*
 * ilwaco_time_ns() - the VM's clock: nanoseconds since the VM was made
 *
 * When the clock page sets DENALI_VCLOCK_TSC_STABLE this costs no exit:
 * it reads the page's fields under its sequence counter (retrying while
 * the monitor is updating them) and extrapolates with the TSC,
 *
 *	ns = system_ns + ((delta << tsc_shift) * tsc_mul >> 32)
 *	     (delta >> -tsc_shift for a negative shift),
 *	delta = rdtsc() - tsc_timestamp,
 *
 * the multiply keeping bits 32-95 of the 96-bit product.  Otherwise it
 * makes the DENALI_HC_TIME hypercall.  The monitor promises that either
 * way the clock never goes backwards, on any CPU.
 */
unsigned long ilwaco_time_ns(void);

/*
 * ilwaco_idle() - give up the CPU until an interrupt or a timeout
 * @timeout_ns: how long to wait at most; 0 yields, DENALI_IDLE_FOREVER
 *              waits for an interrupt only.
 *
 * Returns at once when an interrupt is pending, whether or not interrupts
 * are enabled; otherwise when one is raised or after @timeout_ns, never
 * sooner, the expiry raising DENALI_IRQ_TIMER.  With interrupts enabled
 * the upcall for whatever ended the wait runs before this returns.  Mind
 * that a pending bit left untaken (with interrupts disabled) makes every
 * later idle return at once, DENALI_IRQ_TIMER from the last timeout
 * included.
 */
void ilwaco_idle(unsigned long timeout_ns);

/* ilwaco_yield() - let the host run something else, then carry on: idle(0). */
void ilwaco_yield(void);

/*
 * ilwaco_sleep_ns() - wait until the clock has advanced by @ns
 *
 * Idles until the deadline, going back to sleep after wake-ups caused
 * by other interrupts (whose upcalls run meanwhile if interrupts are
 * enabled).  With interrupts disabled it takes the DENALI_IRQ_TIMER bit
 * its own timeouts raise, so that the caller's next idle does not return
 * at once; other pending bits it leaves alone, and then it polls (idle
 * returns at once while they are pending) until the deadline.
 */
void ilwaco_sleep_ns(unsigned long ns);

/*
 * ilwaco_irq_handler_t - what an upcall runs
 * @bits:  the interrupts taken, DENALI_IRQ_* bits, never 0.
 * @frame: the interrupted context, in the RW page.
 *
 * Runs with virtual interrupts disabled, on the stack given to
 * ilwaco_irq_init() (or below the interrupted code's red zone), with the
 * x87/SSE state of the interrupted code saved by the entry stub (so the
 * handler may use floating point) and reset to its initial control
 * words.  AVX state is not saved: libilwaco is built without AVX, and
 * SSE instructions leave the upper halves alone; a handler that uses AVX
 * must save it itself.
 *
 * The upcall resumes exactly what @frame holds when the handler returns,
 * so a handler may change it, e.g. store one thread's context elsewhere
 * and put another's here to switch threads (rip must stay at or above
 * DENALI_GUEST_IMAGE_BASE and below the memory size, cs and ss as the
 * monitor stored them, or the VM stops).  It must not enable interrupts
 * itself: returning does that, atomically with the resume, and an upcall
 * nested inside the handler would overwrite @frame.  It may print, read
 * the console, idle, take more bits and read the clock.
 */
typedef void (*ilwaco_irq_handler_t)(unsigned long bits,
				     struct denali_upcall_frame *frame);

/*
 * ilwaco_irq_init() - say where upcalls go
 * @handler:   run for every upcall that finds bits pending; NULL drops
 *             them.
 * @stack_top: the top of a stack for upcalls (rounded down to 16 bytes;
 *             inside guest memory, above the image base), or NULL to run
 *             them on the interrupted stack, below its 128-byte red zone.
 *             The stub needs 512 bytes of it plus what @handler uses.
 *
 * Interrupts stay as they were (disabled when the VM starts); call
 * ilwaco_irq_enable() next.  Call it with interrupts disabled.
 */
void ilwaco_irq_init(ilwaco_irq_handler_t handler, void *stack_top);

/*
 * ilwaco_irq_enable() - let upcalls in
 *
 * Sets the virtual interrupt flag.  The monitor delivers upcalls only when
 * it enters the guest, so if bits are already pending this yields, and
 * their upcall runs before it returns.
 */
void ilwaco_irq_enable(void);

/*
 * ilwaco_irq_disable() - hold upcalls back
 *
 * Clears the virtual interrupt flag with one store, and is a compiler
 * barrier, so no memory access of the caller moves out of the section it
 * starts.  Interrupts raised meanwhile stay pending.
 */
void ilwaco_irq_disable(void);

/* ilwaco_irq_enabled() - nonzero while virtual interrupts are enabled. */
int ilwaco_irq_enabled(void);

/*
 * ilwaco_irq_take() - take the pending interrupts
 *
 * Atomically exchanges the pending word with 0, so a bit the monitor
 * raises at the same moment is either returned now or left for later,
 * never lost.  Returns the bits within DENALI_IRQ_ALL; any others (which
 * only the guest itself can have set) are discarded.
 */
unsigned long ilwaco_irq_take(void);

/*
 * ilwaco_console_read() - take console input
 * @buf: where to store it.
 * @len: room at @buf.
 *
 * Returns the number of bytes stored, 0 when none is waiting, or -EFAULT.
 * Input arriving raises DENALI_IRQ_CONSOLE; a program reads until 0 after
 * each such interrupt (several writes may be merged into one bit).
 */
long ilwaco_console_read(void *buf, unsigned long len);

#endif /* _ILWACO_VREGS_H */
