// SPDX-License-Identifier: GPL-2.0
/*
 * What a system call costs a program: clock_gettime (through the C
 * library, and as a raw system call) and a one-byte write, each timed
 * over N calls with CLOCK_MONOTONIC.  The same source builds as a Denali
 * guest (ilwaco-cc: libilwaco serves the calls in the guest; the write
 * is a console hypercall) and as a static Linux program (glibc: the
 * vDSO, the syscall instruction; write to /dev/null).  Under QEMU's
 * -icount shift=0 a nanosecond is one instruction, so the figures are
 * instruction counts, whatever else the machine is doing.
 *
 *   syscall_cost [N]         (a guest takes N as its first boot argument)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = 20000, i;
	struct timespec ts;
	double t0, gettime, raw, wr;
	int fd = 1;
	int i_arg;
	struct utsname u;

	/* A guest's argv[0] is its first argument; a Linux program's, its name. */
	for (i_arg = 0; i_arg < argc; i_arg++)
		if (atol(argv[i_arg]) > 0)
			n = atol(argv[i_arg]);
	/*
	 * Linux writes to /dev/null; a guest to its console, the call that
	 * used to be a crossing (it has a /dev/null too, which costs
	 * nothing to write to).
	 */
	if (uname(&u) == 0 && strcmp(u.sysname, "Denali") != 0)
		fd = open("/dev/null", O_WRONLY);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	gettime = (now_ns() - t0) / n;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	raw = (now_ns() - t0) / n;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	wr = (now_ns() - t0) / n;

	printf("\nsyscall_cost: n=%ld clock_gettime %.1f ns, syscall(clock_gettime) %.1f ns, write(1 byte) %.1f ns\n",
	       n, gettime, raw, wr);
	return 0;
}
