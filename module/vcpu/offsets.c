// SPDX-License-Identifier: GPL-2.0
/*
 * Struct offsets and constants for switcher.S, turned into offsets.h at
 * build time the way the kernel makes asm-offsets.h: switcher.S never
 * spells a number that C owns.
 */
#include <linux/kbuild.h>
#include <linux/stddef.h>
#include <asm/desc_defs.h>
#include <asm/processor.h>

#include "switcher.h"

#define PCPU(field) OFFSET(PCPU_##field, denali_pcpu, field)
#define FRAME(field) OFFSET(FRAME_##field, denali_frame, field)

int main(void)
{
	PCPU(host_rsp);
	PCPU(host_cr3);
	PCPU(host_tr);
	PCPU(host_ldt);
	PCPU(verw_sel);
	PCPU(do_verw);
	PCPU(do_spec_ctrl);
	PCPU(host_gs_base);
	PCPU(spec_ctrl_host);
	PCPU(spec_ctrl_guest);
	PCPU(guest_cr3);
	PCPU(guest_fs_base);
	PCPU(guest_gs_base);
	PCPU(guest_ds);
	PCPU(guest_es);
	PCPU(guest_fs);
	PCPU(guest_gs);
	PCPU(cr2);
	PCPU(nmi_pending);
	PCPU(mce_pending);
	PCPU(mce_rip);
	PCPU(mce_rsp);
	PCPU(mce_rflags);
	PCPU(fault_vector);
	PCPU(fault_rip);
	PCPU(fault_error_code);
	PCPU(restoring);
	PCPU(regs);
	/* The 10-byte operands of lgdt/lidt start at the limit. */
	OFFSET(PCPU_host_gdt, denali_pcpu, host_gdt.limit);
	OFFSET(PCPU_host_gdt_rw, denali_pcpu, host_gdt_rw.limit);
	OFFSET(PCPU_host_gdt_rw_base, denali_pcpu, host_gdt_rw.base);
	OFFSET(PCPU_host_idt, denali_pcpu, host_idt.limit);
	OFFSET(PCPU_guest_gdt, denali_pcpu, guest_gdt.limit);
	OFFSET(PCPU_guest_gdt_base, denali_pcpu, guest_gdt.base);
	OFFSET(PCPU_guest_idt, denali_pcpu, guest_idt.limit);
	BLANK();
	FRAME(r12);
	FRAME(rbx);
	FRAME(vector);
	FRAME(error_code);
	FRAME(rip);
	FRAME(cs);
	FRAME(rflags);
	FRAME(rsp);
	DEFINE(FRAME_WORDS, sizeof(struct denali_frame) / 8);
	/* Pushed by our stubs and the CPU, above the saved registers. */
	DEFINE(FRAME_GPR_BYTES, offsetof(struct denali_frame, vector));
	BLANK();
	/* The IDT's page within the area: the exit path finds its CPU. */
	DEFINE(SW_IDT_OFFSET, DENALI_SW_PAGE_IDT * PAGE_SIZE);
	DEFINE(SW_TSS_DESC_TYPE_BYTE, GDT_ENTRY_TSS * 8 + 5);
	DEFINE(SW_GDT_OFFSET_FROM_STATE, DENALI_SW_PAGE_GDT * PAGE_SIZE);
	return 0;
}
