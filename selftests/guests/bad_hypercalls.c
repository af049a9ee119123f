// SPDX-License-Identifier: GPL-2.0
/*
 * bad_hypercalls: hypercalls that must fail, and fail safely.
 *
 * Expected: the verdict "DENALI-TEST: done bad_hypercalls: ok" (after
 * one line of its own, written by the final, valid console_write) and
 * the exit status is 0.  Should any result differ, the guest prints one
 * line per wrong result, "bad_hypercalls: <what>: got R, expected E",
 * and fails with the number of them, exit status 1.
 *
 * What it tries, and what the ABI says must come back:
 *   - numbers 0 (reserved), 9999 and -1 (all ones in RAX): -ENOSYS (-38);
 *   - console_write of buffers that are not guest memory: at address 0
 *     (the null guard page), at a kernel address, straddling the top of
 *     guest memory, and a length of 2^63 from a valid address: -EFAULT
 *     (-14), with nothing written;
 *   - then a valid console_write: the whole length.
 * The point is that the monitor validates every guest argument itself
 * and never lets a guest address reach the host unchecked.
 */
#include <ilwaco/ilwaco.h>

#include "pv_check.h"

static int failures;

static void expect(const char *what, long got, long want)
{
	if (got == want)
		return;
	printf("bad_hypercalls: %s: got %ld, expected %ld\n", what, got,
	       want);
	failures++;
}

int main(void)
{
	static const char valid[] = "bad_hypercalls: a valid console_write\n";
	const unsigned long len = sizeof(valid) - 1;

	expect("hypercall 0", denali_hypercall0(0), -ENOHC);
	expect("hypercall 9999", denali_hypercall0(9999), -ENOHC);
	expect("hypercall -1", denali_hypercall0(-1ul), -ENOHC);

	expect("console_write(0, 8)",
	       denali_console_write((const void *)0, 8), -EFAULT);
	expect("console_write(0xffffffff81000000, 8)",
	       denali_console_write((const void *)0xffffffff81000000ul, 8),
	       -EFAULT);
	expect("console_write(top - 2, 10)",
	       denali_console_write((const void *)(ilwaco_mem_size - 2), 10),
	       -EFAULT);
	expect("console_write(valid, 2^63)",
	       denali_console_write(valid, 1ul << 63), -EFAULT);

	expect("console_write(valid)", denali_console_write(valid, len), len);

	if (failures)
		PV_FAIL("bad_hypercalls: %d calls went wrong", failures);
	pv_done("bad_hypercalls: ok");
}
