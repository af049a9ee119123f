/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cooperative thread switch (posix/thread.c) and a new thread's
 * first instructions.
 *
 * A switch happens only inside a call (a system call that blocks or
 * yields), so only what the SysV ABI makes callee-saved needs saving:
 * RBX, RBP, R12-R15, the stack pointer, and the control bits of MXCSR
 * and the x87 control word.  Everything else the caller already
 * treats as clobbered.
 */

	.text

/*
 * void ilwaco_switch(unsigned long *save_sp, unsigned long new_sp)
 *
 * Pushes the callee-saved state on the current stack, stores the stack
 * pointer at *save_sp, loads new_sp and pops the state saved there:
 * returns in the other thread, where it last called ilwaco_switch (or in
 * ilwaco_thread_start for a new one).  The frame, from the saved stack
 * pointer up: MXCSR (4 bytes), x87 control word (2, then 2 unused),
 * R15, R14, R13, R12, RBX, RBP, return address.
 */
	.globl	ilwaco_switch
	.type	ilwaco_switch, @function
ilwaco_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	ilwaco_switch, . - ilwaco_switch

/*
 * A new thread's first instructions, "returned to" by ilwaco_switch:
 * thread.c built its frame with R12 = the function, R13 = its argument,
 * and the stack 16-byte aligned here.  The function's return value is
 * the thread's exit status; ilwaco_thread_exit never returns.
 */
	.globl	ilwaco_thread_start
	.type	ilwaco_thread_start, @function
ilwaco_thread_start:
	xorl	%ebp, %ebp		/* the end of the frame chain */
	movq	%r13, %rdi
	call	*%r12
	movl	%eax, %edi
	call	ilwaco_thread_exit
	ud2
	.size	ilwaco_thread_start, . - ilwaco_thread_start

	.section .note.GNU-stack, "", @progbits
