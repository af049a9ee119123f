// SPDX-License-Identifier: GPL-2.0
/*
 * exit() on musl and libilwaco: atexit handlers run, stdio's buffers
 * are flushed, and the status reaches the host.  Expect exit status 42
 * and the console "buffered line\nno newline, flushed at exit\natexit ran\n"
 * ... in that order: the handler runs before stdio is flushed, so its
 * line, written straight to the fd, comes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void bye(void)
{
	write(1, "atexit ran\n", 11);
}

int main(void)
{
	atexit(bye);
	printf("buffered line\n");
	printf("no newline, flushed at exit");
	exit(42);
}
