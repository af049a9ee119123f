// SPDX-License-Identifier: GPL-2.0
/*
 * halt: Denali's halt.
 *
 * Expected: the console shows "halt: halting\n", then DENALI_RUN stops
 * with reason HALT, and `denalictl create halt.img --foreground` says the
 * VM halted and exits 0.
 */
#include <ilwaco/ilwaco.h>

int main(void)
{
	printf("halt: halting\n");
	asm volatile("hlt");
	printf("halt: still running after hlt\n");
	return 1;
}
