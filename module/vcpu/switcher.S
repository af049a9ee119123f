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
 *   3. The common exit: save the guest, restore the host, return to C
 *      through denali_switcher_return (switcher_host.S).
 *   4. Events at CPL0 inside the switcher (NMI, #MC, bugs, a fault while
 *      restoring the host).
 *
 * The switch window is the stretch of 1. between loading our IDT and the
 * iretq.  An NMI or machine check there cannot be handed to Linux (our
 * IDT is loaded), so 4. records it and abandons the entry; C then passes
 * it on and tries again.  Everything else that could fault here is
 * validated in C beforehand (docs/ARCHITECTURE.md lists what and why).
 *
 * The runner's own segment selectors are not touched here: C saves them
 * and reloads them with Linux's fault-tolerant loaders after the exit,
 * once the host's GDT and LDT are back (a runner may hold any selector a
 * Linux process can: 32-bit segments, TLS and LDT entries, which our GDT
 * does not have).  The exit path loads only null selectors, which cannot
 * fault.
 *
 * Nothing here may be probed, traced or instrumented: every symbol is on
 * the kprobe blacklist, and objtool leaves this object alone, so the
 * only returns to Linux's code (and their return thunks) live in
 * switcher_host.S, which objtool does check.
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

/* With the fault's RIP in %rax: resume at \step if the fault came before it. */
.macro RESUME_STEP step
	lea	\step(%rip), %rdx
	cmp	%rdx, %rax
	jb	2f
.endm

/* Jump to \label if the frame at %rsp interrupted the switch window. */
.macro JUMP_IF_IN_WINDOW label
	mov	FRAME_rip(%rsp), %rax
	lea	.Lentry_window_start(%rip), %rcx
	cmp	%rcx, %rax
	jb	.Lout_\@
	lea	.Lentry_window_end(%rip), %rcx
	cmp	%rcx, %rax
	jb	\label
.Lout_\@:
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
 * exit (0-255), DENALI_EXIT_ABORTED, DENALI_EXIT_INTERNAL or
 * DENALI_EXIT_UNRECOVERABLE.  Clobbers what the C ABI allows; DS, ES, FS
 * and GS come back null, with FS base and the user GS base (in
 * KERNEL_GS_BASE) for C to restore.
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
	str	PCPU_host_tr(%rbx)
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

	/*
	 * As Linux on return to user with kernel IBRS: IBRS off for ring
	 * 3, as late as can be, so every host instruction before it ran
	 * with IBRS on.
	 */
	testb	$1, PCPU_do_spec_ctrl(%rbx)
	jz	1f
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PCPU_spec_ctrl_guest(%rbx), %eax
	mov	PCPU_spec_ctrl_guest+4(%rbx), %edx
	wrmsr
1:
	testb	$1, PCPU_do_verw(%rbx)		/* as Linux on return to user */
	jz	2f
	verw	PCPU_verw_sel(%rbx)
2:
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
_ASM_NOKPROBE(denali_switcher_run)

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
_ASM_NOKPROBE(denali_vector_stubs)

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
	xor	%eax, %eax			/* CR2 is a #PF's alone */
	cmpq	$X86_TRAP_PF, FRAME_vector(%rsp)
	jne	1f
	mov	%cr2, %rax
1:	mov	%rax, PCPU_cr2(%rbx)
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
	 * is touched until the host's own is back.
	 *
	 * First, nothing of the guest stays in a register (as Linux and
	 * KVM do on entry): the selectors become null, which loads in any
	 * GDT and cannot fault, and every general register but %rbx, %r12
	 * and %rsp is cleared.
	 */
.Lrestore_host:
	incq	PCPU_restoring(%rbx)		/* a second fault here: see 4. */
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %fs
	mov	%eax, %gs
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%ebp, %ebp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/*
	 * Then the host, one step at a time.  Order matters: CR3 first
	 * (the host GDT and IDT are only mapped there), SPEC_CTRL right
	 * after it, the writable GDT alias while ltr sets the busy bit, and
	 * the host IDT last: until then an NMI still enters 4., which
	 * handles any point of this path.  No step can fault with the
	 * values C gave it; if one does anyway, 4. skips it (each .Lstep
	 * label below starts one), so this path never runs twice.
	 */
.Lstep_cr3:
	mov	PCPU_host_cr3(%rbx), %rax
	mov	%rax, %cr3
.Lstep_spec_ctrl:
	testb	$1, PCPU_do_spec_ctrl(%rbx)
	jz	.Lstep_gs_base
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PCPU_spec_ctrl_host(%rbx), %eax
	mov	PCPU_spec_ctrl_host+4(%rbx), %edx
	wrmsr
.Lstep_gs_base:
	mov	$MSR_GS_BASE, %ecx		/* %gs: per-CPU data again */
	mov	PCPU_host_gs_base(%rbx), %eax
	mov	PCPU_host_gs_base+4(%rbx), %edx
	wrmsr
.Lstep_gdt_rw:
	lgdt	PCPU_host_gdt_rw(%rbx)
.Lstep_ldt:
	/*
	 * Before ltr: until then TR still holds our TSS, so a fault here
	 * lands on our IST stacks.  After it the host's TSS would be used
	 * with our IDT, whose IST numbers (6) mean nothing to it: a #DF.
	 */
	lldt	PCPU_host_ldt(%rbx)
.Lstep_tr:
	movzwl	PCPU_host_tr(%rbx), %eax
	mov	PCPU_host_gdt_rw_base(%rbx), %rcx
	andb	$~0x2, 5(%rcx, %rax)		/* the host TSS is busy too */
	ltr	%ax
.Lstep_gdt:
	lgdt	PCPU_host_gdt(%rbx)		/* Linux runs on a read-only GDT */
.Lstep_idt:
	lidt	PCPU_host_idt(%rbx)
.Lstep_done:
	movq	$0, PCPU_restoring(%rbx)
	mov	PCPU_host_rsp(%rbx), %rsp
	/* Back in denali_switcher_run's frame: 6 pushes and the return. */
	jmp	denali_switcher_return

/*
 * 4. An event at CPL0: we interrupted the switcher itself.  NMIs and
 * machine checks are expected (they can arrive at any instant); they are
 * noted for C to pass on.  If they hit the switch window the entry is
 * abandoned: we restore the host instead, with %rbx = pcpu and %r12 =
 * DENALI_EXIT_ABORTED, and the guest's registers in the state page are
 * untouched for the next try.  Elsewhere in the exit path we simply
 * resume it.
 *
 * Any other exception here is a switcher bug.  In the switch window or
 * the guest-saving part of the exit, give up on this entry, restore the
 * host and let C report it.  In the restore path itself, never run the
 * faulting step again: resume at the next step, and return
 * DENALI_EXIT_UNRECOVERABLE for C to repair and report.
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
	mov	FRAME_error_code(%rsp), %rcx
	mov	%rcx, PCPU_fault_error_code(%rbx)

	lea	.Lrestore_host(%rip), %rcx
	cmp	%rcx, %rax
	jb	3f
	lea	.Lstep_done(%rip), %rcx
	cmp	%rcx, %rax
	jae	3f
	/*
	 * In the restore path: resume at the first step after the fault
	 * (the steps in order; code, not a table, so that objtool sees no
	 * data among instructions).  It ends at .Lstep_done at the latest.
	 */
	RESUME_STEP .Lstep_cr3
	RESUME_STEP .Lstep_spec_ctrl
	RESUME_STEP .Lstep_gs_base
	RESUME_STEP .Lstep_gdt_rw
	RESUME_STEP .Lstep_ldt
	RESUME_STEP .Lstep_tr
	RESUME_STEP .Lstep_gdt
	RESUME_STEP .Lstep_idt
	lea	.Lstep_done(%rip), %rdx
2:	mov	%rdx, FRAME_rip(%rsp)
	movq	$DENALI_EXIT_UNRECOVERABLE, FRAME_r12(%rsp)
	jmp	.Lcpl0_return
3:
	/*
	 * Outside the steps, but the restore path had begun (an exception
	 * whose saved RIP says nothing, such as #DF): never run it again.
	 * Skip what is left of it; C restores the rest.
	 */
	cmpq	$0, PCPU_restoring(%rbx)
	je	1f
	lea	.Lstep_done(%rip), %rax
	mov	%rax, FRAME_rip(%rsp)
	movq	$DENALI_EXIT_UNRECOVERABLE, FRAME_r12(%rsp)
	jmp	.Lcpl0_return
1:
	mov	$DENALI_EXIT_INTERNAL, %r12d
	jmp	.Lrestore_host

.Lcpl0_mce:
	mov	FRAME_rip(%rsp), %rax		/* for do_machine_check() */
	mov	%rax, PCPU_mce_rip(%rbx)
	mov	FRAME_rsp(%rsp), %rax
	mov	%rax, PCPU_mce_rsp(%rbx)
	mov	FRAME_rflags(%rsp), %rax
	mov	%rax, PCPU_mce_rflags(%rbx)
	movq	$1, PCPU_mce_pending(%rbx)
	/* In the window, the interrupted stack may not be mapped: leave it. */
	JUMP_IF_IN_WINDOW 1f
	jmp	.Lcpl0_return
1:	mov	$DENALI_EXIT_ABORTED, %r12d
	jmp	.Lrestore_host

.Lcpl0_nmi:
	movq	$1, PCPU_nmi_pending(%rbx)
	JUMP_IF_IN_WINDOW 1f
	jmp	2f
1:	lea	.Lentry_abort(%rip), %rax
	mov	%rax, FRAME_rip(%rsp)
	mov	%rbx, FRAME_rbx(%rsp)
	movq	$DENALI_EXIT_ABORTED, FRAME_r12(%rsp)
2:	POP_GPRS
	add	$16, %rsp
	iretq				/* unblocks NMIs, as Linux's NMI exit */

/*
 * Resume the interrupted switcher code without iretq, which would
 * unblock NMIs: a machine check or a fault can interrupt the exit of an
 * NMI while the NMI stack is still in use, and a second NMI then would
 * overwrite it.  Both are at CPL0 on a stack of ours, mapped under either
 * CR3, so put RFLAGS and RIP just below the interrupted stack pointer
 * (free: the kernel has no red zone), pop the flags there and jump.  Not
 * a ret: objtool wants every return in a module to be a return thunk.
 * Nothing can reuse this stack between the lea and the jump: it is an
 * IST stack whose own event (NMI, #MC, an exit fault) cannot recur here.
 */
.Lcpl0_return:
	mov	FRAME_rsp(%rsp), %rax
	sub	$16, %rax
	mov	FRAME_rip(%rsp), %rcx
	mov	%rcx, 8(%rax)
	mov	FRAME_rflags(%rsp), %rcx
	mov	%rcx, (%rax)
	mov	%rax, FRAME_rsp(%rsp)
	POP_GPRS
	mov	FRAME_rsp-FRAME_vector(%rsp), %rsp
	popfq
	lea	8(%rsp), %rsp			/* lea: the flags stay */
	ANNOTATE_RETPOLINE_SAFE
	jmp	*-8(%rsp)
	int3

.Lentry_abort:				/* reached by the resume above */
	NO_CALLER_FRAME
	jmp	.Lrestore_host
SYM_CODE_END(denali_exit_common)
_ASM_NOKPROBE(denali_exit_common)


	/* int3 padding: never executed, and no jump over it for objtool. */
	.balign 4096, 0xcc
	.globl denali_switcher_end
denali_switcher_end:
