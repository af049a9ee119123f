// SPDX-License-Identifier: GPL-2.0
/*
 * hello: the smallest useful Denali guest, and the one to try first.
 *
 * It exercises the whole path once: the loader maps the image, _start
 * reaches main(), printf() becomes one console_write hypercall that
 * denalictl copies to its stdout, and returning 0 becomes the exit
 * hypercall, so `denalictl create hello.img --foreground` prints the
 * line and exits 0.
 */
#include <ilwaco/ilwaco.h>

int main(void)
{
	printf("Hello from a Denali guest!\n");
	return 0;
}
