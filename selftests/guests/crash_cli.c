// SPDX-License-Identifier: GPL-2.0
/*
 * crash_cli: a guest that tries to disable interrupts.
 *
 * Expected: the console shows "crash_cli: about to cli\n", then the VM
 * stops with a crash report: vector 13 (#GP), description "privileged
 * instruction: cli"; `denalictl create crash_cli.img --foreground`
 * prints the report on stderr and exits 125.
 */
#include <ilwaco/ilwaco.h>

int main(void)
{
	printf("crash_cli: about to cli\n");
	asm volatile("cli");
	printf("crash_cli: still running after cli\n");
	return 1;
}
