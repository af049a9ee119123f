// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest ordinary program: statically linked against glibc, it does
 * nothing and exits 0.  create_bench forks and execs it to time what
 * Linux pays to start and end a process (fork, exec, glibc's start-up,
 * exit, waitpid), beside what Denali pays to create, run and stop a VM
 * whose guest exits at once.  Static, so that no dynamic loader and no
 * shared-library mapping stand between exec and main: the process-side
 * analogue of a Denali guest, which is one static image.
 */
int main(void)
{
	return 0;
}
