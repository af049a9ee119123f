// SPDX-License-Identifier: GPL-2.0
/*
 * The para-virtual machine's guest side: the clock, idle, virtual
 * interrupts and console input; see include/ilwaco/vregs.h for the
 * contracts and upcall.S for how an upcall arrives.
 *
 * Everything here is a few loads and stores to the two virtual-register
 * pages, plus a hypercall where the monitor must act.  None of it keeps
 * state besides the handler's address, so all of it may be used from an
 * upcall handler as well as from main().
 */
#include "ilwaco/ilwaco.h"
#include "internal.h"

_Static_assert(ILWACO_HYPERCALL_VECTOR == DENALI_HYPERCALL_VECTOR,
	       "internal.h's hypercall vector disagrees with the ABI");
_Static_assert(ILWACO_HC_UPCALL_RETURN == DENALI_HC_UPCALL_RETURN,
	       "internal.h's upcall_return number disagrees with the ABI");

/*
 * rdtsc, in program order after the loads before it.  rdtsc on its own
 * may execute before earlier loads complete, and then a TSC value older
 * than the clock fields just read would make the delta below negative.
 * lfence holds it back: on Intel by definition, on AMD because Linux
 * makes lfence dispatch-serializing there (as its own rdtsc_ordered()
 * relies on).
 */
static inline unsigned long rdtsc_ordered(void)
{
	unsigned int lo, hi;

	asm volatile("lfence; rdtsc" : "=a" (lo), "=d" (hi) : : "memory");
	return (unsigned long)hi << 32 | lo;
}

/*
 * The clock page's scale(): the shifted delta times a 32.32 fixed-point
 * multiplier.  The product needs up to 96 bits, so GCC's 128-bit type is
 * used; it compiles to one mulq and a shrd, no library call.
 */
static inline unsigned long scale_delta(unsigned long delta, unsigned int mul,
					int shift)
{
	if (shift >= 0)
		delta <<= shift;
	else
		delta >>= -shift;
	return (unsigned long)(((__uint128_t)delta * mul) >> 32);
}

unsigned long ilwaco_time_ns(void)
{
	__auto_type clock = &ILWACO_VREGS_RO->clock;
	unsigned long stamp, base, tsc;
	unsigned int seq, flags, mul;
	int shift;

	/*
	 * The monitor makes seq odd, updates the fields, makes it even
	 * again: a read that saw an odd or changed seq may have mixed old
	 * and new fields.  The page is volatile, so the compiler keeps the
	 * loads in this order; x86 never reorders loads with each other.
	 */
	do {
		seq = clock->seq;
		flags = clock->flags;
		mul = clock->tsc_mul;
		shift = clock->tsc_shift;
		stamp = clock->tsc_timestamp;
		base = clock->system_ns;
		tsc = rdtsc_ordered();
	} while ((seq & 1) || seq != clock->seq);

	if (!(flags & DENALI_VCLOCK_TSC_STABLE))
		return denali_time();
	/*
	 * A TSC behind the stamp can only be a CPU whose TSC lags another's
	 * by a little, however stable; treat it as no time passed rather
	 * than as an enormous unsigned delta.
	 */
	if ((long)(tsc - stamp) < 0)
		return base;
	return base + scale_delta(tsc - stamp, mul, shift);
}

void ilwaco_idle(unsigned long timeout_ns)
{
	denali_idle(timeout_ns);
}

void ilwaco_yield(void)
{
	denali_idle(0);
}

/* Clear @bits in the pending word without losing any the monitor sets. */
static void irq_clear(unsigned long bits)
{
	__atomic_and_fetch(&ILWACO_VREGS_RW->pending, ~bits, __ATOMIC_SEQ_CST);
}

void ilwaco_sleep_ns(unsigned long ns)
{
	unsigned long now = ilwaco_time_ns();
	unsigned long deadline = now + ns;

	if (deadline < now)		/* would wrap: as good as forever */
		deadline = ~0ul;
	while (now < deadline) {
		/* Idle never ends early, so one round is the common case. */
		ilwaco_idle(deadline - now);
		if (!ilwaco_irq_enabled())
			irq_clear(DENALI_IRQ_TIMER);
		now = ilwaco_time_ns();
	}
}

/* The handler upcalls run; read only by ilwaco_upcall_dispatch(). */
static ilwaco_irq_handler_t irq_handler;

void ilwaco_irq_init(ilwaco_irq_handler_t handler, void *stack_top)
{
	__auto_type rw = ILWACO_VREGS_RW;

	irq_handler = handler;
	/* The handler is in place before the monitor can jump to the stub. */
	barrier();
	rw->upcall_stack = (unsigned long)stack_top;
	rw->upcall_entry = (unsigned long)ilwaco_upcall_entry;
}

void ilwaco_irq_enable(void)
{
	__auto_type rw = ILWACO_VREGS_RW;

	barrier();
	rw->irq_enabled = 1;
	/*
	 * The monitor looks at the flag only when it enters the guest, so
	 * bits that are already pending need an entry: a yield.  x86 may
	 * load pending before the store above reaches other CPUs; that is
	 * harmless, because a bit raised from another CPU after this load
	 * also interrupts this one, and the monitor, on this CPU, sees both
	 * the flag and the bit at the entry that follows.
	 */
	if (rw->pending & DENALI_IRQ_ALL)
		ilwaco_yield();
	barrier();
}

void ilwaco_irq_disable(void)
{
	barrier();
	ILWACO_VREGS_RW->irq_enabled = 0;
	barrier();
}

int ilwaco_irq_enabled(void)
{
	return ILWACO_VREGS_RW->irq_enabled != 0;
}

unsigned long ilwaco_irq_take(void)
{
	/* xchg: a plain load and store could lose a bit raised in between. */
	return __atomic_exchange_n(&ILWACO_VREGS_RW->pending, 0,
				   __ATOMIC_SEQ_CST) & DENALI_IRQ_ALL;
}

void ilwaco_upcall_dispatch(struct denali_upcall_frame *frame)
{
	unsigned long bits = ilwaco_irq_take();

	/*
	 * The program may take bits itself at any moment, even with
	 * interrupts enabled, so an upcall can find none left: then there
	 * is nothing to report (the handler's contract says bits are never
	 * 0).
	 */
	if (bits && irq_handler)
		irq_handler(bits, frame);
}

long ilwaco_console_read(void *buf, unsigned long len)
{
	return denali_console_read(buf, len);
}
