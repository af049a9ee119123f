// SPDX-License-Identifier: GPL-2.0
/*
 * A process whose first instruction reads the time stamp counter, for
 * create_bench's "fork + exec to the first instruction" figure.  It is
 * built without libc (-nostdlib -static): its entry point, _start, is the
 * rdtsc itself, so the figure stops at the first instruction the process
 * executes, as the guest's does, not after a C library's start-up.  It
 * writes the 8-byte counter to standard output (create_bench's pipe) and
 * exits 0: the same three steps as create_bench's guest, which writes its
 * counter to its console and exits.
 */
asm(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"\trdtsc\n"
	"\tshlq $32, %rdx\n"
	"\torq %rdx, %rax\n"
	"\tpushq %rax\n"
	/* write(1, the counter, 8) */
	"\tmovl $1, %eax\n"
	"\tmovl $1, %edi\n"
	"\tmovq %rsp, %rsi\n"
	"\tmovl $8, %edx\n"
	"\tsyscall\n"
	/* exit_group(0): create_bench sees a short write, not this program */
	"\tmovl $231, %eax\n"
	"\txorl %edi, %edi\n"
	"\tsyscall\n"
	"\thlt\n"
	".size _start, . - _start\n");
