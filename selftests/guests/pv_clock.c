// SPDX-License-Identifier: GPL-2.0
/*
 * pv_clock: the VM's clock never goes backwards, whichever CPU the host
 * runs the guest on.
 *
 * Reads the clock in a loop until the host raises DENALI_IRQ_USER(0)
 * (virtual interrupts stay disabled; the guest watches the pending word).
 * Three sources are read, interleaved, and each reading is compared with
 * the one before it:
 *   - ilwaco_time_ns(), the TSC extrapolation when the clock page allows
 *     it, else the time hypercall;
 *   - every PV_HC_EVERY rounds, the time hypercall itself;
 *   - the clock page's host_ns, the clock at the last entry.
 * The first two are one clock, so together they must never decrease;
 * host_ns must never decrease either, and never be ahead of a clock
 * reading taken after it.
 *
 * Expected: exit 0 and "DENALI-TEST: done clock: N reads (H by
 * hypercall), flags 0xF, 0 backwards\n".  On a clock going backwards it
 * prints which source, the two readings, and exits 1.
 */
#include "pv_check.h"

#define PV_HC_EVERY	16

int main(void)
{
	unsigned long last = 0, last_host = 0, now, host, reads = 0, hc = 0;

	while (!(ILWACO_VREGS_RW->pending & DENALI_IRQ_USER(0))) {
		host = ILWACO_VREGS_RO->clock.host_ns;
		PV_CHECK(host >= last_host,
			 "host_ns went from %lu to %lu after %lu reads",
			 last_host, host, reads);
		last_host = host;

		now = ilwaco_time_ns();
		PV_CHECK(now >= last,
			 "ilwaco_time_ns() went from %lu to %lu after %lu reads",
			 last, now, reads);
		PV_CHECK(now >= host,
			 "ilwaco_time_ns() %lu is behind host_ns %lu read before it",
			 now, host);
		last = now;
		reads++;

		if (reads % PV_HC_EVERY == 0) {
			now = denali_time();
			PV_CHECK(now >= last,
				 "the time hypercall went from %lu to %lu after %lu reads",
				 last, now, reads);
			last = now;
			hc++;
		}
	}
	pv_done("clock: %lu reads (%lu by hypercall), flags 0x%x, 0 backwards",
		reads + hc, hc, ILWACO_VREGS_RO->clock.flags);
}
