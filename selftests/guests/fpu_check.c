// SPDX-License-Identifier: GPL-2.0
/*
 * fpu_check: floating point keeps its value across hypercalls.
 *
 * Expected: the verdict "DENALI-TEST: done fpu_check: ok" and exit status 0;
 * otherwise one line per problem, "fpu_check: ...", and exit status 1.
 *
 * The monitor promises (include/uapi/denali_guest.h) that a guest starts with
 * the x87 and SSE units in their initial state (FCW 0x37f, MXCSR 0x1f80)
 * and that hypercalls preserve all FPU state.  This guest checks the
 * first directly, then sums the harmonic series 1/1 + ... + 1/1000 three
 * ways at once, making a null hypercall after every term:
 *   - in double precision, with scalar SSE2 (the running sum stays in an
 *     XMM register across the hypercall);
 *   - in two interleaved halves with packed SSE2 (a 2-wide vector);
 *   - in long double, with the x87 unit (the sum stays on the x87 stack).
 * A monitor that loses or mixes up FPU state on an exit (or lets the host
 * use the FPU without saving the guest's) gives a wrong sum.  The result
 * is compared with H(1000) = 7.4854708605503449126565182...
 */
#include <ilwaco/ilwaco.h>

#include "pv_check.h"

#define TERMS 1000

/* H(1000), correct to the last digit shown. */
#define H1000 7.4854708605503449126565182043339L

static int failures;

static void fail(const char *what)
{
	printf("fpu_check: %s\n", what);
	failures++;
}

static double fabs_d(double x)
{
	return x < 0 ? -x : x;
}

static long double fabs_ld(long double x)
{
	return x < 0 ? -x : x;
}

static void check_entry_state(void)
{
	unsigned short fcw;
	unsigned int mxcsr;

	asm volatile("fnstcw %0" : "=m" (fcw));
	asm volatile("stmxcsr %0" : "=m" (mxcsr));
	if (fcw != 0x37f) {
		printf("fpu_check: FCW at entry is 0x%x, expected 0x37f\n", fcw);
		failures++;
	}
	if (mxcsr != 0x1f80) {
		printf("fpu_check: MXCSR at entry is 0x%x, expected 0x1f80\n",
		       mxcsr);
		failures++;
	}
}

int main(void)
{
	/* Two doubles in one XMM register (GCC's vector extension). */
	double halves __attribute__((vector_size(16))) = { 0.0, 0.0 };
	long double sum_x87 = 0.0L;
	double sum = 0.0;
	int i;

	check_entry_state();

	for (i = 1; i <= TERMS; i++) {
		double term = 1.0 / i;

		sum += term;
		/* Odd terms in the low lane, even terms in the high lane. */
		halves += (__typeof__(halves)){ i % 2 ? term : 0.0,
						i % 2 ? 0.0 : term };
		sum_x87 += 1.0L / i;
		if (denali_null() != 0)
			fail("a null hypercall failed");
	}

	if (fabs_d(sum - (double)H1000) > 1e-9)
		fail("the scalar SSE sum is wrong");
	if (fabs_d(halves[0] + halves[1] - (double)H1000) > 1e-9)
		fail("the packed SSE sum is wrong");
	if (fabs_ld(sum_x87 - H1000) > 1e-12L)
		fail("the x87 sum is wrong");

	if (failures)
		PV_FAIL("fpu_check: %d checks failed", failures);
	pv_done("fpu_check: ok");
}
