// SPDX-License-Identifier: GPL-2.0
/*
 * The switcher's per-CPU pages: one area of DENALI_SW_PAGES pages for
 * each possible CPU, all in one vmalloc range so that a guest's page
 * tables can reach any CPU's area through the same few table pages, and
 * switch between them by rewriting eight leaf entries.
 *
 * Each area holds the descriptor tables the CPU uses while a guest runs:
 *  - a GDT with the host's selector layout but only what a guest needs:
 *    64-bit kernel code and data (for the gates), 64-bit user code and
 *    data, and the TSS.  No 32-bit code segment, no call gates, no LDT;
 *  - a TSS whose IST stacks all lie in the area, and no I/O bitmap, so
 *    every port is closed to ring 3;
 *  - an IDT whose every gate is an interrupt gate into the switcher's
 *    stubs, DPL0 except the hypercall gate, each with an IST stack.
 * It also reads, once, where Linux's own IDT sends each vector, so that
 * host interrupts taken while a guest runs can be handed to Linux.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/trapnr.h>

#include "uapi/denali.h"
#include "switcher.h"

static void *sw_area;
static unsigned long host_handlers[256];

unsigned long denali_switcher_area_va(unsigned int cpu)
{
	return (unsigned long)sw_area + cpu * DENALI_SW_PAGES * PAGE_SIZE;
}

unsigned long denali_switcher_text_va(void)
{
	return (unsigned long)denali_switcher_start;
}

unsigned long denali_switcher_text_size(void)
{
	return denali_switcher_end - denali_switcher_start;
}

struct denali_pcpu *denali_this_pcpu(void)
{
	return (void *)denali_switcher_area_va(smp_processor_id());
}

unsigned long denali_host_handler(unsigned int vector)
{
	return vector < 256 ? host_handlers[vector] : 0;
}

static void *area_page(unsigned int cpu, unsigned int page);

void denali_switcher_scrub(unsigned int cpu)
{
	struct denali_pcpu *pcpu = area_page(cpu, DENALI_SW_PAGE_STATE);
	static const unsigned int stacks[] = {
		DENALI_SW_PAGE_STACK, DENALI_SW_PAGE_NMI, DENALI_SW_PAGE_DF,
		DENALI_SW_PAGE_MC, DENALI_SW_PAGE_DB,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(stacks); i++)
		memset(area_page(cpu, stacks[i] + 1) - DENALI_SW_STACK_USED, 0,
		       DENALI_SW_STACK_USED);
	memset(&pcpu->regs, 0, sizeof(pcpu->regs));
	pcpu->cr2 = 0;
	pcpu->mce_rip = pcpu->mce_rsp = pcpu->mce_rflags = 0;
	pcpu->fault_vector = pcpu->fault_rip = pcpu->fault_error_code = 0;
}

static void *area_page(unsigned int cpu, unsigned int page)
{
	return (void *)(denali_switcher_area_va(cpu) + page * PAGE_SIZE);
}

/* The address one past the top of a stack page, 16-byte aligned. */
static u64 stack_top(unsigned int cpu, unsigned int page)
{
	return (u64)area_page(cpu, page + 1);
}

static void set_gate(gate_desc *g, unsigned long func, unsigned int dpl,
		     unsigned int ist)
{
	memset(g, 0, sizeof(*g));
	g->offset_low = (u16)func;
	g->offset_middle = (u16)(func >> 16);
	g->offset_high = (u32)(func >> 32);
	g->segment = __KERNEL_CS;
	g->bits.ist = ist;
	g->bits.type = GATE_INTERRUPT;
	g->bits.dpl = dpl;
	g->bits.p = 1;
}

static unsigned int gate_ist(unsigned int vector)
{
	switch (vector) {
	case X86_TRAP_DF:
		return DENALI_IST_DF;
	case X86_TRAP_NMI:
		return DENALI_IST_NMI;
	case X86_TRAP_DB:
		return DENALI_IST_DB;
	case X86_TRAP_MC:
		return DENALI_IST_MC;
	default:
		return DENALI_IST_EXIT;
	}
}

/* Flat segments, as Linux's GDT_ENTRY_INIT() would encode them. */
#define SEG_KERNEL_CODE64	0x00af9b000000ffffull
#define SEG_KERNEL_DATA		0x00cf93000000ffffull
#define SEG_USER_CODE64		0x00affb000000ffffull
#define SEG_USER_DATA		0x00cff3000000ffffull

static void set_tss_descriptor(u64 *gdt, u64 base, u32 limit)
{
	/* A 16-byte system descriptor: available 64-bit TSS, present. */
	gdt[0] = (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
		 (0x89ull << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xffull) << 56);
	gdt[1] = base >> 32;
}

static void init_area(unsigned int cpu)
{
	struct denali_pcpu *pcpu = area_page(cpu, DENALI_SW_PAGE_STATE);
	gate_desc *idt = area_page(cpu, DENALI_SW_PAGE_IDT);
	u64 *gdt = area_page(cpu, DENALI_SW_PAGE_GDT);
	struct x86_hw_tss *tss = (void *)(gdt + 32);
	unsigned long stubs = (unsigned long)denali_vector_stubs;
	unsigned int v;

	BUILD_BUG_ON(sizeof(struct denali_pcpu) > PAGE_SIZE);
	BUILD_BUG_ON(32 * 8 + sizeof(struct x86_hw_tss) > PAGE_SIZE);

	for (v = 0; v < 256; v++)
		set_gate(&idt[v], stubs + 16 * v,
			 v == DENALI_HYPERCALL_VECTOR ? 3 : 0, gate_ist(v));

	gdt[GDT_ENTRY_KERNEL_CS] = SEG_KERNEL_CODE64;
	gdt[GDT_ENTRY_KERNEL_DS] = SEG_KERNEL_DATA;
	gdt[GDT_ENTRY_DEFAULT_USER_DS] = SEG_USER_DATA;
	gdt[GDT_ENTRY_DEFAULT_USER_CS] = SEG_USER_CODE64;
	set_tss_descriptor(&gdt[GDT_ENTRY_TSS], (u64)tss,
			   sizeof(*tss) - 1);

	tss->sp0 = stack_top(cpu, DENALI_SW_PAGE_STACK);
	tss->ist[DENALI_IST_DF - 1] = stack_top(cpu, DENALI_SW_PAGE_DF);
	tss->ist[DENALI_IST_NMI - 1] = stack_top(cpu, DENALI_SW_PAGE_NMI);
	tss->ist[DENALI_IST_DB - 1] = stack_top(cpu, DENALI_SW_PAGE_DB);
	tss->ist[DENALI_IST_MC - 1] = stack_top(cpu, DENALI_SW_PAGE_MC);
	tss->ist[DENALI_IST_EXIT - 1] = stack_top(cpu, DENALI_SW_PAGE_STACK);
	/* Past the limit: no I/O permission bitmap, every port closed. */
	tss->io_bitmap_base = sizeof(*tss);

	pcpu->guest_gdt.limit = DENALI_GDT_ENTRIES * 8 - 1;
	pcpu->guest_gdt.base = (u64)gdt;
	pcpu->guest_idt.limit = 256 * sizeof(gate_desc) - 1;
	pcpu->guest_idt.base = (u64)idt;
	pcpu->verw_sel = x86_verw_sel;
	pcpu->do_verw = cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF);
}

int denali_switcher_init(void)
{
	struct desc_ptr host_idt;
	gate_desc *gates;
	unsigned int cpu, v;

#ifdef X86_FEATURE_FRED
	/* FRED delivers events without the IDT our switch depends on. */
	if (cpu_feature_enabled(X86_FEATURE_FRED)) {
		pr_err("FRED is enabled; the ring-3 switcher needs IDT event delivery (boot with fred=off)\n");
		return -ENODEV;
	}
#endif
	/*
	 * A Xen PV kernel runs in ring 3 itself, with descriptor tables
	 * and page tables that only the hypervisor may load.
	 */
	if (boot_cpu_has(X86_FEATURE_XENPV)) {
		pr_err("this kernel is a Xen PV guest; the ring-3 switcher needs to load its own descriptor tables and CR3 (run in an HVM or PVH guest instead)\n");
		return -ENODEV;
	}
	if (denali_switcher_text_size() % PAGE_SIZE ||
	    denali_switcher_text_va() % PAGE_SIZE) {
		pr_err("switcher text is not page-aligned\n");
		return -EINVAL;
	}

	sw_area = vzalloc(nr_cpu_ids * DENALI_SW_PAGES * PAGE_SIZE);
	if (!sw_area)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		init_area(cpu);

	/* Linux uses one IDT, idt_table, on every CPU, fixed after boot. */
	store_idt(&host_idt);
	gates = (gate_desc *)host_idt.address;
	/*
	 * Only present DPL0 gates can be a device's: a DPL3 one (int $0x80
	 * with ia32 emulation) is a system call entry, never an interrupt.
	 */
	for (v = 0; v < 256 && v * sizeof(gate_desc) < host_idt.size; v++)
		if (gates[v].bits.p && !gates[v].bits.dpl)
			host_handlers[v] = gate_offset(&gates[v]);
	return 0;
}

void denali_switcher_exit(void)
{
	vfree(sw_area);
	sw_area = NULL;
}
