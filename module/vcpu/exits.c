// SPDX-License-Identifier: GPL-2.0
/*
 * Exits: what each way back from a guest means.
 *
 *  - a host interrupt, NMI or machine check: already handed to Linux by
 *    the run loop; the guest simply runs again (a machine check that hit
 *    the guest stops it: its state cannot be trusted);
 *  - a #PF on a page of guest memory not yet populated: its first touch
 *    (guest_pages.c); the page is made and mapped, and the guest re-runs
 *    the instruction without knowing (or stops, out of memory); a write
 *    to a copy-on-write image page is the same, with a private copy;
 *  - the hypercall vector: hypercalls.c;
 *  - #GP(0) on `hlt`: Denali's halt, the VM stops;
 *  - any other exception: the guest did something it may not, and stops
 *    with a crash report (vector, error code, RIP, CR2, registers, the
 *    instruction bytes, and a description that names the privileged
 *    instruction when it was one).  Only that VM is affected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <asm/irq_vectors.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "exits.h"
#include "guest_pages.h"
#include "guest_regs.h"
#include "hypercalls.h"
#include "vm.h"

static const char *const vector_names[32] = {
	[X86_TRAP_DE] = "divide error (#DE)",
	[X86_TRAP_DB] = "debug trap (#DB)",
	[X86_TRAP_NMI] = "NMI",
	[X86_TRAP_BP] = "breakpoint (#BP)",
	[X86_TRAP_OF] = "overflow (#OF)",
	[X86_TRAP_BR] = "bound range (#BR)",
	[X86_TRAP_UD] = "invalid opcode (#UD)",
	[X86_TRAP_NM] = "device not available (#NM)",
	[X86_TRAP_DF] = "double fault (#DF)",
	[X86_TRAP_TS] = "invalid TSS (#TS)",
	[X86_TRAP_NP] = "segment not present (#NP)",
	[X86_TRAP_SS] = "stack fault (#SS)",
	[X86_TRAP_GP] = "general protection fault (#GP)",
	[X86_TRAP_PF] = "page fault (#PF)",
	[X86_TRAP_MF] = "x87 floating-point error (#MF)",
	[X86_TRAP_AC] = "alignment check (#AC)",
	[X86_TRAP_MC] = "machine check (#MC)",
	[X86_TRAP_XF] = "SIMD floating-point exception (#XM)",
	[X86_TRAP_VE] = "virtualization exception (#VE)",
	[X86_TRAP_CP] = "control protection (#CP)",
};

/* Skip legacy and REX prefixes; the opcode's index, or @len. */
static unsigned int skip_prefixes(const u8 *insn, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		u8 b = insn[i];

		if (b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
		    b == 0xf3 || b == 0x2e || b == 0x36 || b == 0x3e ||
		    b == 0x26 || b == 0x64 || b == 0x65 ||
		    (b >= 0x40 && b <= 0x4f))
			continue;
		break;
	}
	return i;
}

struct insn_name {
	u8 opcode;
	const char *name;
};

/* One-byte opcodes a guest may not execute. */
static const struct insn_name one_byte[] = {
	{ 0xf4, "hlt" }, { 0xfa, "cli" }, { 0xfb, "sti" },
	{ 0xe4, "in" }, { 0xe5, "in" }, { 0xec, "in" }, { 0xed, "in" },
	{ 0xe6, "out" }, { 0xe7, "out" }, { 0xee, "out" }, { 0xef, "out" },
	{ 0x6c, "ins" }, { 0x6d, "ins" }, { 0x6e, "outs" }, { 0x6f, "outs" },
	{ 0xcc, "int3" }, { 0xcd, "int n (not the hypercall vector)" },
	{ 0xce, "into" }, { 0xf1, "int1" }, { 0xcf, "iret" },
	{ 0xca, "far return" }, { 0xcb, "far return" },
	{ 0xea, "far jump" }, { 0x9a, "far call" },
	{ 0x8e, "segment register load" },
	{ 0x07, "segment register pop" }, { 0x17, "segment register pop" },
	{ 0x1f, "segment register pop" },
};

/* Two-byte opcodes (after 0x0f), except groups 6 and 7. */
static const struct insn_name two_byte[] = {
	{ 0x05, "syscall" }, { 0x07, "sysret" }, { 0x34, "sysenter" },
	{ 0x35, "sysexit" }, { 0x30, "wrmsr" }, { 0x32, "rdmsr" },
	{ 0x33, "rdpmc" }, { 0x06, "clts" }, { 0x08, "invd" },
	{ 0x09, "wbinvd" },
	{ 0x20, "mov to/from a control register" },
	{ 0x22, "mov to/from a control register" },
	{ 0x21, "mov to/from a debug register" },
	{ 0x23, "mov to/from a debug register" },
	{ 0xa1, "segment register pop" }, { 0xa9, "segment register pop" },
	{ 0xb2, "far pointer load" }, { 0xb4, "far pointer load" },
	{ 0xb5, "far pointer load" },
};

/* Group 7 with a register operand (mod == 3): by the whole ModRM byte. */
static const struct insn_name grp7_reg[] = {
	{ 0xf8, "swapgs" }, { 0xc8, "monitor" }, { 0xc9, "mwait" },
	{ 0xca, "clac" }, { 0xcb, "stac" }, { 0xd1, "xsetbv" },
};

static const char *lookup(const struct insn_name *t, size_t n, u8 opcode)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].opcode == opcode)
			return t[i].name;
	return NULL;
}

/*
 * Name the privileged or deprecated instruction at the guest's RIP, or
 * NULL if it is none we know.  For reports only: the decision that the
 * guest stops was the CPU's.
 */
static const char *privileged_insn(const u8 *insn, unsigned int len)
{
	static const char *const grp6[8] = {
		"sldt", "str", "lldt", "ltr", "verr", "verw", NULL, NULL };
	static const char *const grp7[8] = {
		"sgdt", "sidt", "lgdt", "lidt", "smsw", NULL, "lmsw", "invlpg" };
	unsigned int i = skip_prefixes(insn, len);
	u8 modrm;

	if (i >= len)
		return NULL;
	if (insn[i] != 0x0f)
		return lookup(one_byte, ARRAY_SIZE(one_byte), insn[i]);
	if (i + 1 >= len)
		return NULL;
	if (insn[i + 1] != 0x00 && insn[i + 1] != 0x01)
		return lookup(two_byte, ARRAY_SIZE(two_byte), insn[i + 1]);
	if (i + 2 >= len)
		return NULL;
	modrm = insn[i + 2];
	if (insn[i + 1] == 0x00)
		return grp6[(modrm >> 3) & 7];
	if ((modrm >> 6) == 3)
		return lookup(grp7_reg, ARRAY_SIZE(grp7_reg), modrm);
	return grp7[(modrm >> 3) & 7];
}

/* Copy up to 16 instruction bytes at @rip, as far as the guest maps. */
static unsigned int read_insn(struct denali_vm *vm, u64 rip, u8 *insn)
{
	unsigned int len;

	for (len = 16; len; len--) {
		const u8 *p = denali_guest_ptr(&vm->mem, rip, len,
					       DENALI_PAGE_PRESENT);

		if (p) {
			memcpy(insn, p, len);
			return len;
		}
	}
	return 0;
}

static void fill_regs(struct denali_regs *out, const struct denali_vcpu *v)
{
	const struct denali_frame *r = &v->regs;

#define COPY_REG(reg)	(out->reg = r->reg)
	DENALI_GUEST_REGS(COPY_REG);
#undef COPY_REG
	out->fs_base = v->fs_base;
	out->gs_base = v->gs_base;
	out->cs = r->cs;
	out->ss = r->ss;
	out->ds = v->ds;
	out->es = v->es;
	out->fs = v->fs;
	out->gs = v->gs;
}

static void describe_page_fault(char *buf, size_t len, u64 err, u64 cr2,
				u64 mem_size)
{
	const char *access = err & X86_PF_INSTR ? "instruction fetch" :
			     err & X86_PF_WRITE ? "write" : "read";
	const char *why = err & X86_PF_PK ? "protection key" :
			  err & X86_PF_PROT ? "not permitted" : "not mapped";

	/* Past --mem: the VM's memory limit, said as such. */
	if (cr2 >= mem_size && cr2 < DENALI_GUEST_BASE_LIMIT)
		why = "beyond guest memory";
	snprintf(buf, len, "page fault: %s at 0x%llx (%s)", access, cr2, why);
}

static void crash(struct denali_vm *vm, u32 cause, const struct denali_exit_info *e)
{
	struct denali_crash *c = &vm->crash;
	const struct denali_frame *r = &vm->vcpu.regs;
	const char *name, *priv = NULL;

	spin_lock(&vm->lock);
	if (vm->stop_reason) {
		spin_unlock(&vm->lock);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->cause = cause;
	c->vector = cause == DENALI_CRASH_INTERNAL ? e->fault_vector : e->code;
	c->error_code = cause == DENALI_CRASH_INTERNAL ? e->fault_error_code :
			r->error_code;
	fill_regs(&c->regs, &vm->vcpu);
	spin_unlock(&vm->lock);

	/* Guest memory is only changed by this thread: no lock needed. */
	c->insn_len = read_insn(vm, r->rip, c->insn);
	if (cause == DENALI_CRASH_INTERNAL) {
		snprintf(c->description, sizeof(c->description),
			 e->code == DENALI_EXIT_UNRECOVERABLE ?
			 "monitor error: vector %u while restoring the host" :
			 "monitor error: vector %u in the switcher",
			 c->vector);
	} else if (c->vector == X86_TRAP_PF) {
		c->cr2 = e->cr2;
		describe_page_fault(c->description, sizeof(c->description),
				    c->error_code, c->cr2, vm->mem.size);
	} else {
		if (c->vector == X86_TRAP_GP || c->vector == X86_TRAP_UD)
			priv = privileged_insn(c->insn, c->insn_len);
		name = c->vector < 32 && vector_names[c->vector] ?
		       vector_names[c->vector] : "exception";
		if (priv) {
			c->cause = DENALI_CRASH_PRIVILEGED;
			snprintf(c->description, sizeof(c->description),
				 "privileged instruction: %s", priv);
		} else {
			snprintf(c->description, sizeof(c->description), "%s",
				 name);
		}
	}
	denali_vm_stop(vm, DENALI_STOP_CRASH, 0);
}

/* Stop @vm with a report of @cause (no vector) saying what it broke. */
static __printf(3, 0) void crash_described(struct denali_vm *vm, u32 cause,
					   const char *fmt, va_list args)
{
	struct denali_crash *c = &vm->crash;

	spin_lock(&vm->lock);
	if (vm->stop_reason) {
		spin_unlock(&vm->lock);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->cause = cause;
	fill_regs(&c->regs, &vm->vcpu);
	vsnprintf(c->description, sizeof(c->description), fmt, args);
	spin_unlock(&vm->lock);
	c->insn_len = read_insn(vm, vm->vcpu.regs.rip, c->insn);
	denali_vm_stop(vm, DENALI_STOP_CRASH, 0);
}

void denali_crash_vregs(struct denali_vm *vm, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	crash_described(vm, DENALI_CRASH_VREGS, fmt, args);
	va_end(args);
}

void denali_crash_net(struct denali_vm *vm, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	crash_described(vm, DENALI_CRASH_NET, fmt, args);
	va_end(args);
}

/* Stop @vm out of memory: populating guest address @gva failed with @err. */
static void crash_nomem(struct denali_vm *vm, int err, u64 gva)
{
	struct denali_crash *c = &vm->crash;

	spin_lock(&vm->lock);
	if (vm->stop_reason) {
		spin_unlock(&vm->lock);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->cause = DENALI_CRASH_NOMEM;
	c->cr2 = gva;
	fill_regs(&c->regs, &vm->vcpu);
	denali_guest_pages_describe(c->description, sizeof(c->description),
				    err, gva);
	spin_unlock(&vm->lock);
	c->insn_len = read_insn(vm, vm->vcpu.regs.rip, c->insn);
	denali_vm_stop(vm, DENALI_STOP_CRASH, 0);
}

int denali_vm_unshare(struct denali_vm *vm, u64 idx)
{
	struct mem_cgroup *old;
	int err;

	err = denali_guest_pages_unshare(&vm->mem, idx);
	if (err)
		return err;
	/* Its guest entry, writable now, before the guest runs again. */
	old = set_active_memcg(vm->mem.pages->memcg);
	err = denali_aspace_map_page(&vm->as, &vm->mem, idx);
	set_active_memcg(old);
	return err;
}

/* Copies other contexts wanted (a NIC's receive): make them now. */
static void make_wanted_private(struct denali_vm *vm)
{
	struct denali_guest_pages *gp = vm->mem.pages;
	unsigned long idx, n = vm->mem.size >> PAGE_SHIFT;
	int err;

	atomic_set(&gp->cow_pending, 0);
	smp_mb__after_atomic();	/* the flag before the bits */
	for_each_set_bit(idx, gp->cow_wanted, n) {
		err = denali_vm_unshare(vm, idx);
		if (err) {
			crash_nomem(vm, err, (u64)idx << PAGE_SHIFT);
			return;
		}
	}
}

void denali_check_nomem(struct denali_vm *vm)
{
	struct denali_guest_pages *gp = vm->mem.pages;

	if (gp && atomic_read(&gp->cow_pending))
		make_wanted_private(vm);
	if (!gp || atomic_read(&gp->nomem) != 2)
		return;
	smp_rmb();	/* the details, after the flag */
	crash_nomem(vm, gp->nomem_err, gp->nomem_gva);
}

bool denali_is_demand_fault(const struct denali_vm *vm,
			    const struct denali_exit_info *e)
{
	u64 err = vm->vcpu.regs.error_code;

	if (e->code != X86_TRAP_PF || e->async_pf || !vm->mem.pages ||
	    (err & X86_PF_RSVD) || e->cr2 >= vm->mem.size)
		return false;
	/* A write to a copy-on-write image page its segment lets it write. */
	if (err & X86_PF_PROT)
		return (err & X86_PF_WRITE) && !(err & X86_PF_INSTR) &&
		       (vm->mem.prot[e->cr2 >> PAGE_SHIFT] &
			DENALI_PAGE_WRITE) &&
		       denali_guest_page_shared(&vm->mem, e->cr2 >> PAGE_SHIFT);
	return vm->mem.prot[e->cr2 >> PAGE_SHIFT] & DENALI_PAGE_PRESENT;
}

/*
 * The guest's first touch of a page of its memory: make the page (unless
 * the host made it already), map it for the guest, and let the guest
 * run the instruction again.  Whatever the access was, the entry has the
 * page's own permissions: a write to a read-only page faults again, as
 * "not permitted", and that is the crash report.  True if it stopped.
 */
static bool demand_fault(struct denali_vm *vm, const struct denali_exit_info *e)
{
	u64 idx = e->cr2 >> PAGE_SHIFT;
	struct mem_cgroup *old;
	int err;

	/* A write to a copy-on-write page: its private copy, mapped. */
	if (denali_guest_page_shared(&vm->mem, idx)) {
		err = denali_vm_unshare(vm, idx);
		if (!err)
			return false;
		crash_nomem(vm, err, idx << PAGE_SHIFT);
		return true;
	}
	err = denali_guest_pages_populate(&vm->mem, idx, idx, true);
	if (!err) {
		/* The tables too are the creator's to pay for. */
		old = set_active_memcg(vm->mem.pages->memcg);
		err = denali_aspace_map_page(&vm->as, &vm->mem, idx);
		set_active_memcg(old);
	}
	if (!err)
		return false;
	crash_nomem(vm, err, idx << PAGE_SHIFT);
	return true;
}

bool denali_handle_exit(struct denali_vm *vm, const struct denali_exit_info *e)
{
	const struct denali_frame *r = &vm->vcpu.regs;
	u8 insn[16];

	switch (e->code) {
	case DENALI_EXIT_ABORTED:
	case X86_TRAP_NMI:
		return false;
	case DENALI_EXIT_INTERNAL:
		WARN_ONCE(1, "switcher took vector %llu at %#llx (error %#llx) on CPU %u\n",
			  e->fault_vector, e->fault_rip, e->fault_error_code,
			  e->cpu);
		crash(vm, DENALI_CRASH_INTERNAL, e);
		return true;
	case DENALI_EXIT_UNRECOVERABLE:
		/*
		 * Not a WARN: the fault-injection test makes this happen on
		 * purpose, and the host carries on (the run loop repaired
		 * what the skipped step left).
		 */
		pr_err_ratelimited("switcher faulted restoring the host: vector %llu at %#llx (error %#llx) on CPU %u; step skipped, VM %u stopped\n",
				   e->fault_vector, e->fault_rip,
				   e->fault_error_code, e->cpu, vm->id);
		crash(vm, DENALI_CRASH_INTERNAL, e);
		return true;
	case DENALI_HYPERCALL_VECTOR:
		return denali_hypercall(vm);
	}
	/* The outer hypervisor's page-not-present event: already waited. */
	if (e->code == X86_TRAP_PF && e->async_pf)
		return false;
	if (denali_is_demand_fault(vm, e))
		return demand_fault(vm, e);
	if (e->code >= FIRST_EXTERNAL_VECTOR)
		return false;

	/* Denali's halt: `hlt` faults in ring 3, and stops the VM. */
	if (e->code == X86_TRAP_GP && !r->error_code &&
	    read_insn(vm, r->rip, insn) && insn[0] == 0xf4) {
		denali_vm_stop(vm, DENALI_STOP_HALT, 0);
		return true;
	}
	crash(vm, DENALI_CRASH_EXCEPTION, e);
	return true;
}
