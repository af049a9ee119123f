/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ilwaco_upcall_entry: where the monitor delivers virtual interrupts
 * (denali_vregs_rw.upcall_entry, set by ilwaco_irq_init()).
 *
 * The monitor arrives here, instead of resuming the guest, when virtual
 * interrupts are enabled and some are pending.  It has already:
 *  - stored every general-purpose register, RIP, RFLAGS, CS and SS of the
 *    interrupted code in denali_vregs_rw.saved;
 *  - cleared denali_vregs_rw.irq_enabled, so no second upcall can arrive
 *    before this one returns;
 *  - set RDI = &saved, RSP = the upcall stack (or the interrupted stack
 *    less its red zone), 16-byte aligned, RFLAGS = 0x202 (so DF is clear,
 *    as C requires); every other register still holds the interrupted
 *    code's value.
 *
 * It has not touched the FPU: x87/SSE state is the guest's to save, and
 * the C handler may use it (GCC uses SSE registers for plain memcpy-like
 * code), so the stub saves it here.
 *
 * No general-purpose register is saved: upcall_return reloads all of
 * them from `saved`, so whatever the C code below clobbers is restored
 * by the monitor, and a handler that changes `saved` (to switch threads,
 * say) changes what resumes.  The hypercall also re-enables interrupts in
 * the same step as the resume, so no upcall can land between the two and
 * overwrite `saved`.
 *
 * Stack use: 512 bytes here, then the handler's own.
 */
#include "internal.h"

	.text
	.globl	ilwaco_upcall_entry
	.type	ilwaco_upcall_entry, @function
ilwaco_upcall_entry:
	/*
	 * RSP: the ABI promises 16-byte alignment; rounding anyway costs
	 * one instruction and keeps fxsave64 from faulting (#GP on an
	 * unaligned area) should that promise ever break.  512 bytes keep
	 * it aligned, for the area and for the call below.
	 */
	andq	$-16, %rsp
	subq	$ILWACO_FXSAVE_BYTES, %rsp

	/*
	 * Save x87, MMX and SSE state (XMM0-15, MXCSR); AVX's upper halves
	 * stay untouched by libilwaco's SSE-only code.  Then give the
	 * handler the initial control words, as a new thread would get:
	 * the interrupted code may have unmasked exceptions, changed the
	 * rounding, or left the x87 stack full after MMX.
	 */
	fxsave64 (%rsp)
	fninit
	ldmxcsr	ilwaco_mxcsr_init(%rip)

	/* RDI still holds &saved: ilwaco_upcall_dispatch's argument. */
	call	ilwaco_upcall_dispatch

	fxrstor64 (%rsp)

	/*
	 * upcall_return: resume `saved` with interrupts enabled.  It never
	 * comes back here; if it did, crash (#UD) rather than run on.
	 */
	movl	$ILWACO_HC_UPCALL_RETURN, %eax
	int	$ILWACO_HYPERCALL_VECTOR
	ud2
	.size	ilwaco_upcall_entry, . - ilwaco_upcall_entry

	.section .rodata
	.balign	4
ilwaco_mxcsr_init:
	.long	ILWACO_MXCSR_INIT

	.section .note.GNU-stack, "", @progbits
