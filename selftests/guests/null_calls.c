// SPDX-License-Identifier: GPL-2.0
/*
 * null_calls: a long run of the cheapest hypercall.
 *
 * Expected: the verdict "DENALI-TEST: done null_calls: 100000 ok" and
 * exit status 0.  If any call returns something other than 0 the guest
 * fails with "null_calls: call N returned R" and exits 1.  Besides checking
 * the round trip many times, it gives benchmarks a fixed amount of work:
 * time it and divide by 100000.
 */
#include <ilwaco/ilwaco.h>

#include "pv_check.h"

#define CALLS 100000

int main(void)
{
	long ret;
	int i;

	for (i = 0; i < CALLS; i++) {
		ret = denali_null();
		if (ret != 0)
			PV_FAIL("null_calls: call %d returned %ld", i, ret);
	}
	pv_done("null_calls: %d ok", CALLS);
}
