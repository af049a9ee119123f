// SPDX-License-Identifier: GPL-2.0
/*
 * The null Linux system call measured from a statically linked program:
 * the "getppid from a static program".  hypercall_bench measures
 * the same loop in its own, dynamically linked process; this one has no
 * dynamic loader, no PLT and no shared libc between the loop and the
 * syscall instruction, which is the closest a C program gets to what a
 * Denali guest does with `int $0x1f`.  Built with -static by
 * bench/Makefile and run by hypercall_bench (fork and exec) with the same
 * options, it prints its own CSV line (measure "getppid_static").
 */
#include "bench_clock.h"

int main(int argc, char **argv)
{
	struct bench_sample many, one;
	struct bench_opts o;

	if (bench_parse(argc, argv, &o))
		return 2;
	bench_getppid(o.n, o.reps, &many, &one);
	bench_print(o.lane, o.mode, "getppid_static", o.n, &many, &one);
	bench_drain_stdout();
	return 0;
}
