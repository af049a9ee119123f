// SPDX-License-Identifier: GPL-2.0
/*
 * musl's internal crash (a_crash, `hlt` in musl and a clean halt on
 * Denali) reports instead.  Freeing a pointer malloc never returned (one
 * 8 bytes into a block, misaligned) is caught by musl's malloc at once.
 * Expect "freeing a bad pointer\n", then
 * "libilwaco: musl found its state corrupt (a_crash): the VM ends",
 * and exit status 125 (ILWACO_EXIT_LIBC_CRASH).
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char *p = malloc(32);

	/* Hide where p came from, so that GCC does not warn about it. */
	asm("" : "+r" (p));
	printf("freeing a bad pointer\n");
	free(p + 8);
	printf("still alive\n");
	return 0;
}
