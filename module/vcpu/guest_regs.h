/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest registers the monitor copies between its own records: the
 * switcher's frame (struct denali_frame), the crash report's registers
 * (struct denali_regs, uapi) and the context an upcall saves in the
 * guest's writable page (struct denali_upcall_frame, uapi).  All three
 * name the registers alike, so one list drives every copy and none can
 * forget a register (exits.c: the crash report; vregs.c: upcall
 * delivery and upcall_return).
 */
#ifndef DENALI_GUEST_REGS_H
#define DENALI_GUEST_REGS_H

/*
 * DENALI_GUEST_REGS() - X(reg) for each general-purpose register, then
 * rip and rflags, as one statement.  X must be an expression, e.g.
 *
 *	#define COPY(reg)	(out->reg = in->reg)
 *	DENALI_GUEST_REGS(COPY);
 */
#define DENALI_GUEST_REGS(X) do {					\
	X(rax); X(rbx); X(rcx); X(rdx);					\
	X(rsi); X(rdi); X(rbp); X(rsp);					\
	X(r8); X(r9); X(r10); X(r11);					\
	X(r12); X(r13); X(r14); X(r15);					\
	X(rip); X(rflags);						\
} while (0)

#endif /* DENALI_GUEST_REGS_H */
