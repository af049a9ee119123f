// SPDX-License-Identifier: GPL-2.0
/*
 * console_burst: many console writes in quick succession.
 *
 * Expected: the console shows the 200 lines "line 001 of 200" to
 * "line 200 of 200", each ending in '\n', in order, nothing lost,
 * duplicated or interleaved (3200 bytes in all), then exit status 0.
 * Each line is one console_write hypercall, so this exercises the
 * monitor's console buffering and the reader on the host catching up
 * with a guest that writes faster than it reads.
 */
#include <ilwaco/ilwaco.h>

#define LINES 200

int main(void)
{
	int i;

	for (i = 1; i <= LINES; i++)
		printf("line %03d of %d\n", i, LINES);
	return 0;
}
