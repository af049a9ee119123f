// SPDX-License-Identifier: GPL-2.0
/*
 * abort() ends the VM with a report, not a silent halt.  Expect the
 * console "about to abort\n" then libilwaco's
 * "libilwaco: signal 6 SIGABRT raised: the VM ends", and exit status 134
 * (128 + SIGABRT).
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("about to abort\n");
	abort();
}
