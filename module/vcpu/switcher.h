/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The switcher: the per-CPU pages and the code that move a CPU from the
 * host into a guest running in ring 3 and back.
 *
 * While a guest runs, the CPU uses the guest's page tables, which map
 * exactly the guest's memory (user pages), the switcher's code, and the
 * switcher pages of the CPU the guest runs on (supervisor pages at the
 * same virtual addresses as in the host).  Those per-CPU pages hold the
 * IDT, GDT and TSS the CPU uses while the guest runs, the stacks its
 * exits land on, the host state to restore, and the guest registers being
 * entered or just saved.  docs/ARCHITECTURE.md draws the picture.
 *
 * Offsets of these structs are exported to switcher.S through offsets.c:
 * change a struct, and the assembly follows.
 */
#ifndef DENALI_SWITCHER_H
#define DENALI_SWITCHER_H

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/desc_defs.h>
#endif

/* Pages of one CPU's switcher area, in order. */
#define DENALI_SW_PAGE_STATE	0	/* struct denali_pcpu */
#define DENALI_SW_PAGE_IDT	1	/* 256 gates */
#define DENALI_SW_PAGE_GDT	2	/* GDT, then the TSS */
#define DENALI_SW_PAGE_STACK	3	/* IST6: every exit but the below */
#define DENALI_SW_PAGE_NMI	4	/* IST2 */
#define DENALI_SW_PAGE_DF	5	/* IST1 */
#define DENALI_SW_PAGE_MC	6	/* IST4 */
#define DENALI_SW_PAGE_DB	7	/* IST3 */
#define DENALI_SW_PAGES		8

/*
 * IST numbers (1-based, as in a gate).  NMI, #DF, #DB and #MC use the same
 * numbers as the host (Linux's IST_INDEX_* + 1), so that in the instant
 * between loading our IDT and our TSS an NMI lands on the host's own NMI
 * stack, never on a stack in use.  Everything else uses IST6, which Linux
 * leaves unused.
 */
#define DENALI_IST_DF		1
#define DENALI_IST_NMI		2
#define DENALI_IST_DB		3
#define DENALI_IST_MC		4
#define DENALI_IST_EXIT		6

/* Selectors: the host's layout (asm/segment.h); the TSS at GDT_ENTRY_TSS. */
#define DENALI_GDT_ENTRIES	16

/*
 * What denali_switcher_run() returns besides an x86 vector (0-255): the
 * entry was abandoned before the guest ran (an NMI or machine check hit
 * the switch window; see pcpu->nmi_pending), the switcher itself took an
 * exception at CPL0 (a bug: see pcpu->fault_*), or it took one while
 * restoring the host.
 */
#define DENALI_EXIT_ABORTED	0x100
#define DENALI_EXIT_INTERNAL	0x101
/*
 * The exit path itself faulted while restoring the host: the faulting
 * step was skipped, never retried (see pcpu->fault_*), and C repairs what
 * it can.  Always a bug or a host in a state we did not expect.
 */
#define DENALI_EXIT_UNRECOVERABLE 0x102

#ifndef __ASSEMBLY__

/*
 * The guest's registers as the exit path saves them and the entry path
 * loads them: general-purpose registers in the order they are pushed, then
 * the vector and error code our stubs push, then the frame the CPU pushes.
 */
struct denali_frame {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u64 vector;
	u64 error_code;
	u64 rip, cs, rflags, rsp, ss;
};

/* A descriptor-table register image, as sgdt/sidt store it. */
struct denali_dtr {
	u16 pad[3];	/* so that limit:base packs against an 8-byte boundary */
	u16 limit;
	u64 base;
} __packed;

/*
 * One CPU's switcher state: page DENALI_SW_PAGE_STATE of its area.
 * "host_*" is what the exit path restores; "guest_*" what the entry path
 * loads and the exit path saves.
 */
struct denali_pcpu {
	/* Saved by denali_switcher_run() itself. */
	u64 host_rsp;
	u64 host_cr3;
	u16 host_tr;
	u16 verw_sel;		/* a valid selector for the VERW operand */
	u8 do_verw;		/* clear CPU buffers before entering */
	u8 do_spec_ctrl;	/* switch SPEC_CTRL (kernel IBRS) */

	/* Filled in C before each entry. */
	u16 host_ldt;
	u64 host_gs_base;
	u64 spec_ctrl_host;	/* SPEC_CTRL while the host runs */
	u64 spec_ctrl_guest;	/* ... and while the guest runs */
	struct denali_dtr host_gdt;	/* the GDT the host runs on (ro) */
	struct denali_dtr host_gdt_rw;	/* its writable alias, for ltr */
	struct denali_dtr host_idt;
	struct denali_dtr guest_gdt;
	struct denali_dtr guest_idt;
	u64 guest_cr3;
	u64 guest_fs_base, guest_gs_base;
	u16 guest_ds, guest_es, guest_fs, guest_gs;

	/* Written by the exit path. */
	u64 cr2;		/* for #PF exits only; 0 after any other */
	u64 nmi_pending;	/* NMI taken at CPL0 inside the switcher */
	u64 mce_pending;	/* machine check taken likewise ... */
	u64 mce_rip;		/* ... interrupting this switcher frame */
	u64 mce_rsp;
	u64 mce_rflags;
	u64 fault_vector;	/* DENALI_EXIT_INTERNAL/_UNRECOVERABLE: */
	u64 fault_rip;		/* what happened */
	u64 fault_error_code;
	u64 restoring;		/* inside the restore path (a fault there) */

	struct denali_frame regs;
};

/*
 * The top of each IST stack that an exit or an event at CPL0 can write:
 * one struct denali_frame, and the 16 bytes a return without iretq
 * leaves below an interrupted stack pointer.  Scrubbed between VMs.
 */
#define DENALI_SW_STACK_USED	(sizeof(struct denali_frame) + 64)

int denali_switcher_init(void);
void denali_switcher_exit(void);

/* The host virtual address and extent of CPU @cpu's switcher pages. */
unsigned long denali_switcher_area_va(unsigned int cpu);
/* The host virtual address and size of the switcher's code. */
unsigned long denali_switcher_text_va(void);
unsigned long denali_switcher_text_size(void);

/* This CPU's state page; preemption must be off. */
struct denali_pcpu *denali_this_pcpu(void);

/*
 * The host IDT's handler for @vector, read once at init; 0 where the
 * host's gate is absent or a system-call gate.
 */
unsigned long denali_host_handler(unsigned int vector);

/*
 * Clear what the last VM left in CPU @cpu's area (its frames on the IST
 * stacks, CR2, fault records) before another VM runs there.
 */
void denali_switcher_scrub(unsigned int cpu);

/* switcher.S */
unsigned int denali_switcher_run(struct denali_pcpu *pcpu);
/* switcher_host.S */
void denali_call_host_handler(unsigned long handler);
extern const char denali_switcher_start[], denali_switcher_end[];
extern const char denali_vector_stubs[];

#endif /* !__ASSEMBLY__ */
#endif /* DENALI_SWITCHER_H */
