// SPDX-License-Identifier: GPL-2.0
/*
 * spin_report: spin forever, saying so now and then.
 *
 * Expected: the console shows "spin 16777216\n", "spin 33554432\n", ...
 * (the iteration count at every multiple of 2^24) and the VM never
 * exits; the host stops it.  Like spin, but a test can watch the console
 * to see that the guest is making progress, e.g. that it keeps running
 * after a signal, or that it ran at all while the host was busy.
 */
#include <ilwaco/ilwaco.h>

#define REPORT_EVERY (1ul << 24)

unsigned long spin_counter;

int main(void)
{
	unsigned long n;

	for (;;) {
		/* One load and one store per iteration, as in spin.c. */
		n = __atomic_load_n(&spin_counter, __ATOMIC_RELAXED) + 1;
		__atomic_store_n(&spin_counter, n, __ATOMIC_RELAXED);
		if (n % REPORT_EVERY == 0)
			printf("spin %lu\n", n);
	}
}
