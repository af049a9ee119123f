/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch: host (ring 0, Linux's page tables) to guest (ring 3,
 * the VM's page tables) and back.
 *
 * This code sits in its own page-aligned section, .denali.switcher, which
 * is mapped at the same virtual address in the host and in every guest's
 * page tables, so execution continues across the CR3 writes.  Nothing else
 * of the host is mapped while a guest runs: no stack, no per-CPU data, no
 * kernel text (so no retpoline or return thunk may run until CR3 is back).
 *
 * Roadmap:
 *   1. denali_switcher_run: save the host, load the guest, iretq.
 *   2. The 256 vector stubs every exit enters by.
 *   3. The common exit: save the guest, restore the host, return to C.
 *   4. Events at CPL0 inside the switcher (NMI, #MC, bugs).
 *   5. denali_call_host_handler: give a host interrupt to Linux.
 *
 * The switch window is the stretch of 1. between loading our IDT and the
 * iretq.  An NMI or machine check there cannot be handed to Linux (our
 * IDT is loaded), so 4. records it and abandons the entry; C then passes
 * it on and tries again.  Everything else that could fault here is
 * validated in C beforehand (docs/ARCHITECTURE.md lists what and why).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/smap.h>
#include <asm/trapnr.h>
#include <asm/unwind_hints.h>

#include "offsets.h"
#include "switcher.h"

/*
 * Tell objtool that no caller frame is reachable from here (the stack is
 * the guest frame or an IST stack).  6.1 calls the hint UNWIND_HINT_EMPTY,
 * 6.12 UNWIND_HINT_UNDEFINED; both are assembler macros, so tell the
 * kernels apart by a constant only 6.12's objtool_types.h defines.
 */
/*
 * The general-purpose registers of a struct denali_frame, in its order
 * (r15 at the lowest address): pushed by the exit path on top of the
 * vector, error code and CPU frame; popped to enter or resume.
 */
.macro PUSH_GPRS
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rcx
	push	%rax
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro POP_GPRS
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
.endm

#ifdef UNWIND_HINT_TYPE_UNDEFINED
#define NO_CALLER_FRAME UNWIND_HINT_UNDEFINED
#else
#define NO_CALLER_FRAME UNWIND_HINT_EMPTY
#endif

	.section .denali.switcher, "ax"
	.balign 4096
	.globl denali_switcher_start
denali_switcher_start:
	ANNOTATE_NOENDBR		/* a boundary, not a jump target */

/*
 * 1. unsigned int denali_switcher_run(struct denali_pcpu *pcpu)
 *
 * Called from C with interrupts off.  %rdi is this CPU's state page, at
 * the same address under both page tables.  Returns the vector of the
 * exit (0-255), DENALI_EXIT_ABORTED or DENALI_EXIT_INTERNAL.  Clobbers
 * what the C ABI allows, and DS/ES/FS/GS with their bases until the exit
 * path restores them (FS base excepted: C restores that one).
 */
	.balign 16
SYM_FUNC_START(denali_switcher_run)
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rdi, %rbx			/* %rbx: the pcpu, until the pops */
	mov	%rsp, PCPU_host_rsp(%rbx)
	mov	%cr3, %rax			/* exact, PCID bits included */
	mov	%rax, PCPU_host_cr3(%rbx)
	mov	%ds, PCPU_host_ds(%rbx)
	mov	%es, PCPU_host_es(%rbx)
	mov	%fs, PCPU_host_fs(%rbx)
	mov	%gs, PCPU_host_gs(%rbx)
	str	PCPU_host_tr(%rbx)
	sldt	PCPU_host_ldt(%rbx)
	sidt	PCPU_host_idt(%rbx)

	/* ltr faults on a busy TSS, and the last ltr here left ours busy. */
	mov	PCPU_guest_gdt_base(%rbx), %rax
	andb	$~0x2, SW_TSS_DESC_TYPE_BYTE(%rax)

	/*
	 * Our IDT first: from here on every event enters our stubs.  Until
	 * ltr, the IST numbers still index the host's TSS; the ones that
	 * can fire (NMI, #MC) match the host's, so they land on the host's
	 * own idle NMI and #MC stacks.
	 */
	lidt	PCPU_guest_idt(%rbx)
.Lentry_window_start:
	lgdt	PCPU_guest_gdt(%rbx)		/* host selector layout */
	mov	$(GDT_ENTRY_TSS * 8), %eax
	ltr	%ax				/* our IST stacks from here */
	xor	%eax, %eax
	lldt	%ax				/* no LDT for the guest */

	/* Selectors before bases: loading FS/GS may reset their bases. */
	mov	PCPU_guest_ds(%rbx), %ds	/* null or __USER_DS, checked */
	mov	PCPU_guest_es(%rbx), %es
	mov	PCPU_guest_fs(%rbx), %fs
	mov	PCPU_guest_gs(%rbx), %gs
	mov	$MSR_FS_BASE, %ecx		/* canonical, checked in C */
	mov	PCPU_guest_fs_base(%rbx), %eax
	mov	PCPU_guest_fs_base+4(%rbx), %edx
	wrmsr
	mov	$MSR_GS_BASE, %ecx		/* from here no %gs: per-CPU */
	mov	PCPU_guest_gs_base(%rbx), %eax
	mov	PCPU_guest_gs_base+4(%rbx), %edx
	wrmsr

	mov	PCPU_guest_cr3(%rbx), %rax
	mov	%rax, %cr3			/* PCID 0, flushed: no stale VM */
	/* Only the switcher and the guest's memory are mapped now. */

	testb	$1, PCPU_do_verw(%rbx)		/* as Linux on return to user */
	jz	1f
	verw	PCPU_verw_sel(%rbx)
1:
	lea	PCPU_regs(%rbx), %rsp		/* struct denali_frame */
	NO_CALLER_FRAME
	POP_GPRS
	add	$16, %rsp			/* vector, error code */
	/* RIP canonical, CS/SS user, RFLAGS IF=1 IOPL=0: checked in C. */
	iretq
	/*
	 * Never reached: stops straight-line speculation, and ends the path
	 * for objtool, which takes an iretq inside a function for
	 * sync_core()'s iret-to-self and would follow it into the stubs.
	 */
	ud2
.Lentry_window_end:
SYM_FUNC_END(denali_switcher_run)

/*
 * 2. The vector stubs, 16 bytes each: the gate of vector v points at
 * denali_vector_stubs + 16 * v.  Each makes the frame uniform (an error
 * code slot, then the vector) and joins the common exit.  Every gate has
 * an IST stack, so the frame is always at the top of a known stack.
 */
	.balign 16
SYM_CODE_START_NOALIGN(denali_vector_stubs)
	ANNOTATE_NOENDBR
vector = 0
.rept 256
	.balign 16
	NO_CALLER_FRAME
	ENDBR
	.if (vector == X86_TRAP_DF) || ((vector >= X86_TRAP_TS) && (vector <= X86_TRAP_PF)) || (vector == X86_TRAP_AC) || (vector == X86_TRAP_CP) || (vector == X86_TRAP_VC) || (vector == 30)
	/* The CPU pushed an error code. */
	.else
	pushq	$0
	.endif
	pushq	$vector
	jmp	denali_exit_common
vector = vector + 1
.endr
SYM_CODE_END(denali_vector_stubs)

/*
 * 3. The common exit.  Interrupts are off (every gate is an interrupt
 * gate).  On entry the stack holds, from the top: vector, error code,
 * RIP, CS, RFLAGS, RSP, SS.
 */
	.balign 16
SYM_CODE_START_LOCAL(denali_exit_common)
	NO_CALLER_FRAME
	cld				/* the guest may have left DF set */
	ASM_CLAC			/* ... and AC: SMAP must hold again */
	PUSH_GPRS
	/* %rsp: a complete struct denali_frame. */

	/*
	 * Which CPU?  The IDT we entered through lives in this CPU's area,
	 * a fixed distance from its state page.  (No %gs: it is the guest's.)
	 */
	sub	$16, %rsp
	sidt	6(%rsp)
	mov	8(%rsp), %rbx
	add	$16, %rsp
	sub	$SW_IDT_OFFSET, %rbx		/* %rbx: this CPU's pcpu */

	testb	$3, FRAME_cs(%rsp)
	jz	.Lexit_from_cpl0

	/* The guest's state into the state page. */
	mov	%rsp, %rsi
	lea	PCPU_regs(%rbx), %rdi
	mov	$FRAME_WORDS, %ecx
	rep movsq
	mov	%cr2, %rax			/* meaningful for #PF only */
	mov	%rax, PCPU_cr2(%rbx)
	mov	%ds, PCPU_guest_ds(%rbx)
	mov	%es, PCPU_guest_es(%rbx)
	mov	%fs, PCPU_guest_fs(%rbx)
	mov	%gs, PCPU_guest_gs(%rbx)
	mov	$MSR_FS_BASE, %ecx		/* wrfsbase is unprivileged */
	rdmsr
	mov	%eax, PCPU_guest_fs_base(%rbx)
	mov	%edx, PCPU_guest_fs_base+4(%rbx)
	mov	$MSR_GS_BASE, %ecx
	rdmsr
	mov	%eax, PCPU_guest_gs_base(%rbx)
	mov	%edx, PCPU_guest_gs_base+4(%rbx)
	mov	FRAME_vector(%rsp), %r12	/* what we return */

	/*
	 * Restore the host.  %rbx: pcpu, %r12: the return value.  No stack
	 * is touched until the host's own is back.  Order matters: CR3 first
	 * (the host GDT and IDT are only mapped there), selectors before GS
	 * base (a selector load may reset it), the writable GDT alias while
	 * ltr sets the busy bit, and the host IDT last: until then an NMI
	 * still enters 4., which handles any point of this path.
	 */
.Lrestore_host:
	mov	PCPU_host_cr3(%rbx), %rax
	mov	%rax, %cr3
	mov	PCPU_host_ds(%rbx), %ds
	mov	PCPU_host_es(%rbx), %es
	mov	PCPU_host_fs(%rbx), %fs
	mov	PCPU_host_gs(%rbx), %gs
	mov	$MSR_GS_BASE, %ecx		/* %gs: per-CPU data again */
	mov	PCPU_host_gs_base(%rbx), %eax
	mov	PCPU_host_gs_base+4(%rbx), %edx
	wrmsr
	lgdt	PCPU_host_gdt_rw(%rbx)
	movzwl	PCPU_host_tr(%rbx), %eax
	mov	PCPU_host_gdt_rw_base(%rbx), %rcx
	andb	$~0x2, 5(%rcx, %rax)		/* the host TSS is busy too */
	ltr	%ax
	lgdt	PCPU_host_gdt(%rbx)		/* Linux runs on a read-only GDT */
	lldt	PCPU_host_ldt(%rbx)
	lidt	PCPU_host_idt(%rbx)
	mov	PCPU_host_rsp(%rbx), %rsp
	/* Back in denali_switcher_run's frame: 6 pushes and the return. */
	UNWIND_HINT type=UNWIND_HINT_TYPE_CALL sp_reg=ORC_REG_SP sp_offset=56

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

/*
 * 4. An event at CPL0: we interrupted the switcher itself.  NMIs and
 * machine checks are expected (they can arrive at any instant); they are
 * noted for C to pass on.  If they hit the switch window the entry is
 * abandoned: we iretq to .Lentry_abort instead, with %rbx = pcpu and
 * %r12 = DENALI_EXIT_ABORTED, and the guest's registers in the state page
 * are untouched for the next try.  Elsewhere in the exit path we simply
 * resume it.  Any other exception here is a switcher bug: give up on
 * this entry, restore the host and let C report it.
 */
.Lexit_from_cpl0:
	mov	FRAME_vector(%rsp), %rax
	cmp	$X86_TRAP_NMI, %rax
	je	.Lcpl0_nmi
	cmp	$X86_TRAP_MC, %rax
	je	.Lcpl0_mce
	mov	%rax, PCPU_fault_vector(%rbx)
	mov	FRAME_rip(%rsp), %rax
	mov	%rax, PCPU_fault_rip(%rbx)
	mov	FRAME_error_code(%rsp), %rax
	mov	%rax, PCPU_fault_error_code(%rbx)
	mov	$DENALI_EXIT_INTERNAL, %r12d
	jmp	.Lrestore_host

.Lcpl0_mce:
	movq	$1, PCPU_mce_pending(%rbx)
	jmp	.Lcpl0_resume
.Lcpl0_nmi:
	movq	$1, PCPU_nmi_pending(%rbx)
.Lcpl0_resume:
	mov	FRAME_rip(%rsp), %rax
	lea	.Lentry_window_start(%rip), %rcx
	cmp	%rcx, %rax
	jb	1f
	lea	.Lentry_window_end(%rip), %rcx
	cmp	%rcx, %rax
	jae	1f
	lea	.Lentry_abort(%rip), %rax
	mov	%rax, FRAME_rip(%rsp)
	mov	%rbx, FRAME_rbx(%rsp)
	movq	$DENALI_EXIT_ABORTED, FRAME_r12(%rsp)
1:
	POP_GPRS
	add	$16, %rsp
	iretq				/* also unblocks NMIs */

.Lentry_abort:				/* reached by the iretq above */
	NO_CALLER_FRAME
	jmp	.Lrestore_host
SYM_CODE_END(denali_exit_common)

	/* int3 padding: never executed, and no jump over it for objtool. */
	.balign 4096, 0xcc
	.globl denali_switcher_end
denali_switcher_end:

/*
 * 5. void denali_call_host_handler(unsigned long handler)
 *
 * Runs Linux's own IDT handler for an interrupt that arrived while a
 * guest ran, as if the CPU had delivered it here: with interrupts still
 * off, build the frame an interrupt at CPL0 would push and call the
 * handler, whose iretq returns below with the flags we pushed (IF=0).
 * Host page tables and stack are in place, so this lives in plain .text.
 */
	.text
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
