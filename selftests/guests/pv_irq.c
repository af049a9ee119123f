// SPDX-License-Identifier: GPL-2.0
/*
 * pv_irq: virtual interrupts are batched, and never delivered while
 * masked.  The handler counts upcalls and collects their bits.
 *
 * Boot arguments select what it does:
 *
 *   batch BITS
 *	The host raised BITS (any number of times) before the first run.
 *	Installs the handler and enables interrupts: exactly one upcall
 *	must come, carrying exactly BITS, and no other after a few more
 *	entries (null hypercalls, a yield).  Expected: exit 0 and
 *	"DENALI-TEST: done batch: 1 upcall with bits 0xBITS\n".
 *
 *   masked
 *	With the handler installed but interrupts disabled:
 *	1. prints "masked: idle\n" and idles with no timeout; the host
 *	   raises DENALI_IRQ_USER(1), which must end the idle, with no
 *	   upcall;
 *	2. prints "masked: spin\n" and spins, checking that no upcall ran,
 *	   until the host has raised DENALI_IRQ_USER(2) (its last raise,
 *	   after many of DENALI_IRQ_USER(3) while the guest runs);
 *	3. idles again, which returns at once with bits pending, still
 *	   with no upcall;
 *	4. enables interrupts: exactly one upcall must come, with USER(1),
 *	   USER(2) and USER(3).
 *	Expected: exit 0 and "DENALI-TEST: done masked: N spins, 1 upcall
 *	with bits 0xB\n".
 *
 * Any failure prints "DENALI-TEST: fail pv_irq.c:LINE: ..." and exits 1.
 */
#include "pv_check.h"

#define PV_STACK_BYTES	16384
#define PV_NULL_CALLS	10

static unsigned long upcalls, upcall_bits;
static _Alignas(16) unsigned char irq_stack[PV_STACK_BYTES];

static void handler(unsigned long bits, struct denali_upcall_frame *frame)
{
	(void)frame;
	PV_INC(upcalls);
	PV_WRITE(upcall_bits, PV_READ(upcall_bits) | bits);
}

static void enable_and_count(unsigned long expect)
{
	int i;

	ilwaco_irq_enable();
	PV_CHECK(PV_READ(upcalls) == 1, "%lu upcalls after enabling",
		 PV_READ(upcalls));
	PV_CHECK(PV_READ(upcall_bits) == expect,
		 "the upcall brought 0x%lx, not 0x%lx", PV_READ(upcall_bits),
		 expect);
	/* More entries, nothing pending: nothing more may come. */
	for (i = 0; i < PV_NULL_CALLS; i++)
		denali_null();
	ilwaco_yield();
	PV_CHECK(PV_READ(upcalls) == 1, "%lu upcalls after more entries",
		 PV_READ(upcalls));
}

static int run_batch(unsigned long expect)
{
	PV_CHECK(!ilwaco_irq_enabled(), "interrupts enabled at start");
	ilwaco_irq_init(handler, irq_stack + sizeof(irq_stack));
	enable_and_count(expect);
	pv_done("batch: %lu upcall with bits 0x%lx", upcalls, upcall_bits);
}

static int run_masked(void)
{
	const unsigned long all = DENALI_IRQ_USER(1) | DENALI_IRQ_USER(2) |
				  DENALI_IRQ_USER(3);
	unsigned long spins = 0;

	ilwaco_irq_init(handler, irq_stack + sizeof(irq_stack));

	printf("masked: idle\n");
	ilwaco_idle(DENALI_IDLE_FOREVER);
	PV_CHECK(ILWACO_VREGS_RW->pending & DENALI_IRQ_USER(1),
		 "idle ended with 0x%lx pending",
		 (unsigned long)ILWACO_VREGS_RW->pending);
	PV_CHECK(PV_READ(upcalls) == 0, "an upcall while masked, in idle");

	printf("masked: spin\n");
	while (!(ILWACO_VREGS_RW->pending & DENALI_IRQ_USER(2))) {
		PV_CHECK(PV_READ(upcalls) == 0,
			 "an upcall while masked, after %lu spins", spins);
		spins++;
	}
	PV_CHECK(PV_READ(upcalls) == 0, "an upcall while masked, spinning");

	/* Pending bits end an idle at once, masked or not. */
	ilwaco_idle(DENALI_IDLE_FOREVER);
	PV_CHECK(PV_READ(upcalls) == 0, "an upcall after the second idle");
	PV_CHECK((ILWACO_VREGS_RW->pending & DENALI_IRQ_ALL) == all,
		 "0x%lx pending before enabling",
		 (unsigned long)ILWACO_VREGS_RW->pending);

	enable_and_count(all);
	pv_done("masked: %lu spins, %lu upcall with bits 0x%lx", spins,
		upcalls, upcall_bits);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[0], "batch"))
		return run_batch(pv_num(argv[1]));
	if (argc == 1 && !strcmp(argv[0], "masked"))
		return run_masked();
	PV_FAIL("pv_irq: bad arguments");
}
