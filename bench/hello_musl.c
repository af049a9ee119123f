// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest ordinary C program: what musl's stdio and start-up, with
 * libilwaco's POSIX layer under them, weigh in a guest image
 * (bench/threads.sh measures the images; ilwaco-cc builds this one).
 */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 0;
}
