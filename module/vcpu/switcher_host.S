/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The switcher's host-side code: the two places where it returns into
 * Linux.  They run with the host's page tables and stack back, so they
 * live in plain kernel text that objtool checks, which is what patches
 * their returns into the host's return thunk (retbleed, SRSO) and lets
 * the unwinder follow them.  switcher.S, which objtool must leave alone,
 * has no return into Linux of its own.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

	.text

/*
 * denali_switcher_return: the end of denali_switcher_run(), reached by a
 * jump from the exit path once the host's CR3, GDT, TSS, LDT, IDT and
 * stack are back.  %rsp is denali_switcher_run()'s frame (six pushes and
 * the return address), %r12 the value to return.
 */
SYM_CODE_START(denali_switcher_return)
	UNWIND_HINT type=UNWIND_HINT_TYPE_CALL sp_reg=ORC_REG_SP sp_offset=56
	ANNOTATE_NOENDBR		/* jumped to, never called */
	/*
	 * What Linux does on every entry from user mode, before any return:
	 * untrain return prediction (retbleed, SRSO) and clear branch
	 * history (BHI).  Both are alternatives, patched at module load to
	 * nothing where the host does not use them.
	 */
	UNTRAIN_RET
	CLEAR_BRANCH_HISTORY

	mov	%r12, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_CODE_END(denali_switcher_return)
_ASM_NOKPROBE(denali_switcher_return)

/*
 * void denali_call_host_handler(unsigned long handler)
 *
 * Runs Linux's own IDT handler for an interrupt that arrived while a
 * guest ran, as if the CPU had delivered it here: with interrupts still
 * off, build the frame an interrupt at CPL0 would push and call the
 * handler, whose iretq returns below with the flags we pushed (IF=0).
 */
SYM_FUNC_START(denali_call_host_handler)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp			/* as interrupt delivery aligns */
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	CALL_NOSPEC rdi
	leave
	RET
SYM_FUNC_END(denali_call_host_handler)
