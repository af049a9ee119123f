// SPDX-License-Identifier: GPL-2.0
/*
 * seg_guest: the three ways back to the host, for runners whose own
 * segment selectors are unusual (segment_test, compat_test).
 *
 *   seg_guest calls   200 null hypercalls, then exit status 7
 *   seg_guest spin    computes for 50 ms of its clock (interrupt exits:
 *                     it reads the clock only every 2^16 iterations, so
 *                     nearly all its time is spent in guest code), then
 *                     exit status 7
 *   seg_guest fault   executes ud2: a crash report, vector 6
 *
 * Prints nothing: the runners check the stop reason, status and stats.
 */

#include <ilwaco/ilwaco.h>

#define CALLS 200
#define SPIN_NS 50000000ul
#define SPIN_BATCH (1ul << 16)

unsigned long spin_counter;

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "calls";
	unsigned long t0;
	unsigned long i;

	if (!strcmp(mode, "fault"))
		asm volatile("ud2");
	if (!strcmp(mode, "spin")) {
		t0 = ilwaco_time_ns();
		do {
			/* As spin.c: a load and a store an iteration. */
			for (i = 0; i < SPIN_BATCH; i++)
				__atomic_store_n(&spin_counter,
						 __atomic_load_n(&spin_counter,
								 __ATOMIC_RELAXED) + 1,
						 __ATOMIC_RELAXED);
		} while (ilwaco_time_ns() - t0 < SPIN_NS);
		return 7;
	}
	for (i = 0; i < CALLS; i++)
		if (denali_null())
			return 1;
	return 7;
}
