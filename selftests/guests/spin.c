// SPDX-License-Identifier: GPL-2.0
/*
 * spin: a guest that computes forever and never makes a hypercall.
 *
 * Expected: no console output and no exit; the VM runs until the host
 * stops it.  Tests use it to check that a guest in a tight loop is still
 * preempted (the host stays responsive), that a signal to the runner
 * interrupts DENALI_RUN with EINTR, and that NMIs and migration between
 * CPUs leave it running.
 *
 * The counter is kept in memory with relaxed atomic accesses: that forces
 * the compiler to load and store it on every iteration (so the loop
 * cannot be optimised away or reduced to a register-only spin) without
 * the cost of a locked instruction, and a debugger or crash dump shows
 * how far the guest got.
 */
#include <ilwaco/ilwaco.h>

unsigned long spin_counter;

int main(void)
{
	for (;;)
		__atomic_store_n(&spin_counter,
				 __atomic_load_n(&spin_counter,
						 __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELAXED);
}
