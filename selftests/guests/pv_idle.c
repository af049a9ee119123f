// SPDX-License-Identifier: GPL-2.0
/*
 * pv_idle: the idle hypercall, seen from the guest.  Virtual interrupts
 * stay disabled throughout, so every wake-up shows only as pending bits.
 *
 * Boot arguments select what it does:
 *
 *   timeouts
 *	Idles PV_ROUNDS times with each timeout of pv_timeouts_ms[],
 *	taking the pending bits after each.  Every idle must return 0, last
 *	at least its timeout by the VM's clock, and leave exactly
 *	DENALI_IRQ_TIMER pending.  Also checks that idle(0) returns 0.
 *	Expected: exit 0 and a last line "DENALI-TEST: done timeouts: N
 *	idles, slept at least S ns\n"; S, the sum of the timeouts, is
 *	what the host's own clock must also see pass.
 *
 *   once TIMEOUT BITS
 *	One idle(TIMEOUT) (a number, or "forever"), then takes the pending
 *	bits: they must be exactly BITS, and if BITS holds
 *	DENALI_IRQ_TIMER the idle must have lasted TIMEOUT by the VM's
 *	clock.  Expected: exit 0 and "DENALI-TEST: done once: woke after
 *	N ns with bits 0xB\n".  For the host to raise bits before the
 *	run, or while the guest sleeps, or to interrupt the sleep with a
 *	signal or a destroy.
 *
 * Any failure prints "DENALI-TEST: fail pv_idle.c:LINE: ..." and exits 1.
 */
#include "pv_check.h"

#define PV_ROUNDS	3
#define NS_PER_MS	1000000ul

static const unsigned long pv_timeouts_ms[] = { 1, 5, 20, 50 };

static int run_timeouts(void)
{
	unsigned long t0, t1, bits, ns, total = 0;
	unsigned int i, r, n = 0;
	long ret;

	/* A yield returns, and says 0; whatever it may leave is taken. */
	ret = denali_idle(0);
	PV_CHECK(ret == 0, "idle(0) returned %ld", ret);
	ilwaco_irq_take();

	for (i = 0; i < PV_ARRAY_SIZE(pv_timeouts_ms); i++) {
		for (r = 0; r < PV_ROUNDS; r++) {
			ns = pv_timeouts_ms[i] * NS_PER_MS;
			t0 = ilwaco_time_ns();
			ret = denali_idle(ns);
			t1 = ilwaco_time_ns();
			bits = ilwaco_irq_take();
			PV_CHECK(ret == 0, "idle(%lu) returned %ld", ns, ret);
			PV_CHECK(t1 - t0 >= ns,
				 "idle(%lu) returned after %lu ns", ns,
				 t1 - t0);
			PV_CHECK(bits == DENALI_IRQ_TIMER,
				 "after idle(%lu) the pending bits are 0x%lx",
				 ns, bits);
			total += ns;
			n++;
		}
	}
	pv_done("timeouts: %u idles, slept at least %lu ns", n, total);
}

static int run_once(unsigned long timeout, unsigned long expect)
{
	unsigned long t0, t1, bits;
	long ret;

	t0 = ilwaco_time_ns();
	ret = denali_idle(timeout);
	t1 = ilwaco_time_ns();
	bits = ilwaco_irq_take();
	PV_CHECK(ret == 0, "idle(%lu) returned %ld", timeout, ret);
	PV_CHECK(bits == expect, "woke with bits 0x%lx, expected 0x%lx",
		 bits, expect);
	if (expect & DENALI_IRQ_TIMER)
		PV_CHECK(t1 - t0 >= timeout,
			 "idle(%lu) returned after %lu ns", timeout, t1 - t0);
	pv_done("once: woke after %lu ns with bits 0x%lx", t1 - t0, bits);
}

int main(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "timeouts"))
		return run_timeouts();
	if (argc == 3 && !strcmp(argv[0], "once"))
		return run_once(pv_num(argv[1]), pv_num(argv[2]));
	PV_FAIL("pv_idle: bad arguments");
}
