// SPDX-License-Identifier: GPL-2.0
/*
 * exit_status: a guest whose exit status is not 0.
 *
 * Expected: the console shows exactly "exit_status: about to exit 7\n",
 * DENALI_RUN stops with reason EXIT and exit_status 7, and
 * `denalictl create exit_status.img --foreground` exits with status 7.
 * Checks that main()'s return value travels through ilwaco_start(), the
 * exit hypercall and the run report unchanged.
 */
#include <ilwaco/ilwaco.h>

int main(void)
{
	printf("exit_status: about to exit %d\n", 7);
	return 7;
}
