// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop: DENALI_RUN runs a guest in the calling thread.
 *
 * Roadmap:
 *   1. The vCPU's lifetime and entry state.
 *   2. Host state the switcher does not handle: what C saves before the
 *      switch and restores after it, with interrupts off.
 *   3. Sanitizing the guest state on every entry.
 *   4. One round trip, interrupts off: enter, exit, pass host events on.
 *   5. The loop: signals, rescheduling, exits, stopping.
 *
 * The guest runs with interrupts enabled, so every host interrupt ends
 * the round trip at once and is handed to Linux's own handler before
 * interrupts are enabled again; the tick therefore preempts a guest like
 * any thread, and signals are noticed within a tick.  The guest's FPU
 * state is the task's own for the duration of DENALI_RUN (the kernel's
 * guest-FPU swap, as KVM uses it), so context switches and kernel FPU use
 * save and restore it like any user state, and the host process's own
 * FPU state comes back untouched when DENALI_RUN returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>
#ifdef DENALI_HAVE_GSSEG_H
#include <asm/gsseg.h>		/* load_gs_index() from 6.2 on */
#endif
#include <asm/kvm_para.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/perf_event.h>
#include <asm/pkru.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/traps.h>
#include <asm/tsc.h>

#include "exits.h"
#include "vm.h"
#include "vnic.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static bool neutralize_syscall = true;
/* Read-only at run time: a half-updated pair of MSRs is never wanted. */
module_param(neutralize_syscall, bool, 0444);
MODULE_PARM_DESC(neutralize_syscall, "Clear EFER.SCE and SYSENTER_CS while a guest runs, so syscall/sysenter cannot reach host code (default on; off only for measuring its cost)");

/* ---- 1. lifetime and entry state --------------------------------------- */

int denali_vcpu_init(struct denali_vcpu *vcpu)
{
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		return -ENOMEM;
	/*
	 * A guest FPU state starts with XFD clear, but ours has no room
	 * for AMX tiles and no way to ask for it: arm XFD, so that a tile
	 * instruction is #NM (a crash report) instead of state the next
	 * guest on this CPU could read.
	 */
	if (cpu_feature_enabled(X86_FEATURE_XFD))
		fpu_update_guest_xfd(&vcpu->fpu, XFEATURE_MASK_USER_DYNAMIC);
	return 0;
}

void denali_vcpu_destroy(struct denali_vcpu *vcpu)
{
	fpu_free_guest_fpstate(&vcpu->fpu);
}

void denali_vcpu_reset(struct denali_vcpu *vcpu, u64 entry, u64 mem_size)
{
	memset(&vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs.rip = entry;
	vcpu->regs.rsp = mem_size;
	vcpu->regs.rdi = mem_size;
	vcpu->regs.rflags = DENALI_GUEST_ENTRY_RFLAGS;
	vcpu->regs.cs = __USER_CS;
	vcpu->regs.ss = __USER_DS;
	vcpu->fs_base = 0;
	vcpu->gs_base = 0;
	vcpu->ds = vcpu->es = vcpu->fs = vcpu->gs = 0;
	/* Linux's default for new tasks: only key 0 accessible. */
	vcpu->pkru = cpu_feature_enabled(X86_FEATURE_OSPKE) ? 0x55555554 : 0;
	vcpu->last_cpu = -1;
}

/* ---- 2. host state around the switch ----------------------------------- */

/* DR7's local and global enables of the four breakpoints. */
#define DR7_BREAKPOINTS 0xfful

/* DEBUGCTL bits that make the CPU write branch records to memory. */
#define DEBUGCTL_BTS_BITS (DEBUGCTLMSR_TR | DEBUGCTLMSR_BTS)

/*
 * Per CPU: the host's GS base (Linux's per-CPU base, fixed for the CPU's
 * life), and the VM that last ran there, for the IBPB and the scrubbing
 * of the switcher area between VMs.
 */
struct host_cpu_state {
	bool valid;
	u64 gs_base;
	u64 last_serial;	/* vm->serial: a freed VM's address is reused */
};
static DEFINE_PER_CPU(struct host_cpu_state, host_cpu);

/*
 * What C saves around one round trip.  MSRs are read every time, never
 * cached: another module may change them between two entries (KVM sets
 * EFER.SVME on AMD when it enables virtualization on a CPU).
 */
struct host_saved {
	u64 fs_base;
	u64 kernel_gs_base;
	u64 efer;
	u64 sysenter_cs;
	u64 debugctl;
	unsigned long dr7;
	u16 ds, es, fs, gs, ldt;
	u32 pkru;
	bool pkru_switched;
	bool syscall_off;
	bool sysenter_off;
	bool debugctl_switched;
	/* PMU MSRs perf asks a hypervisor to switch (PEBS off). */
	struct perf_guest_switch_msr *pmu;
	int nr_pmu;
#ifdef X86_FEATURE_USER_SHSTK
	u64 u_cet;
	bool cet_off;
#endif
};

static bool host_is_intel_like(void)
{
	return boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	       boot_cpu_data.x86_vendor != X86_VENDOR_HYGON;
}

/*
 * PEBS and BTS write records through the DS area, a host address the
 * guest's page tables do not map.  Turn off what would write while the
 * guest runs: the counters perf says a guest may not see (PEBS among
 * them, through perf_guest_get_msrs() as KVM uses it), and BTS.  Events
 * that exclude guests stop counting meanwhile, as they do around KVM's.
 */
static void pmu_save(struct host_saved *hs)
{
	int i;

	hs->pmu = perf_guest_get_msrs(&hs->nr_pmu, NULL);
	if (!hs->pmu)
		hs->nr_pmu = 0;
	for (i = 0; i < hs->nr_pmu; i++)
		if (hs->pmu[i].host != hs->pmu[i].guest)
			wrmsrl(hs->pmu[i].msr, hs->pmu[i].guest);

	hs->debugctl_switched = false;
	if (boot_cpu_has(X86_FEATURE_BTS) &&
	    !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &hs->debugctl) &&
	    (hs->debugctl & DEBUGCTL_BTS_BITS)) {
		wrmsrl(MSR_IA32_DEBUGCTLMSR,
		       hs->debugctl & ~DEBUGCTL_BTS_BITS);
		hs->debugctl_switched = true;
	}
}

static void pmu_restore(struct host_saved *hs)
{
	int i;

	if (hs->debugctl_switched)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, hs->debugctl);
	for (i = 0; i < hs->nr_pmu; i++)
		if (hs->pmu[i].host != hs->pmu[i].guest)
			wrmsrl(hs->pmu[i].msr, hs->pmu[i].host);
}

static void host_save(struct denali_vm *vm, struct host_cpu_state *hc,
		      struct host_saved *hs)
{
	struct denali_vcpu *vcpu = &vm->vcpu;

	if (!hc->valid) {
		rdmsrl(MSR_GS_BASE, hc->gs_base);
		hc->valid = true;
	}
	/*
	 * The runner's selectors, whatever they are (32-bit, TLS, LDT):
	 * the switcher leaves DS/ES/FS/GS null and host_restore() reloads
	 * these once the host's GDT and LDT are back.
	 */
	savesegment(ds, hs->ds);
	savesegment(es, hs->es);
	savesegment(fs, hs->fs);
	savesegment(gs, hs->gs);
	store_ldt(hs->ldt);
	rdmsrl(MSR_FS_BASE, hs->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);

	/* No host breakpoint may fire in the switcher or the guest. */
	hs->dr7 = native_get_debugreg(7);
	if (hs->dr7 & DR7_BREAKPOINTS)
		native_set_debugreg(7, 0);

	/* wrpkru is unprivileged: PKRU is guest state. */
	hs->pkru_switched = false;
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		hs->pkru = read_pkru();
		if (hs->pkru != vcpu->pkru) {
			write_pkru(vcpu->pkru);
			hs->pkru_switched = true;
		}
	}

	/*
	 * syscall from ring 3 jumps to the host's LSTAR at CPL0 on the
	 * guest's stack, and host kernel text may still be in the TLB
	 * (global pages): with EFER.SCE clear it is #UD instead.  Intel's
	 * sysenter is #GP(0) with SYSENTER_CS zero (AMD: #UD in long mode).
	 */
	hs->syscall_off = READ_ONCE(neutralize_syscall);
	hs->sysenter_off = false;
	if (hs->syscall_off) {
		rdmsrl(MSR_EFER, hs->efer);
		wrmsrl(MSR_EFER, hs->efer & ~EFER_SCE);
		if (boot_cpu_has(X86_FEATURE_SEP) && host_is_intel_like()) {
			rdmsrl(MSR_IA32_SYSENTER_CS, hs->sysenter_cs);
			if (hs->sysenter_cs) {
				wrmsrl(MSR_IA32_SYSENTER_CS, 0);
				hs->sysenter_off = true;
			}
		}
	}

	pmu_save(hs);

#ifdef X86_FEATURE_USER_SHSTK
	/* The task's user shadow stack must not apply to the guest. */
	hs->cet_off = cpu_feature_enabled(X86_FEATURE_USER_SHSTK);
	if (hs->cet_off) {
		rdmsrl(MSR_IA32_U_CET, hs->u_cet);
		if (hs->u_cet)
			wrmsrl(MSR_IA32_U_CET, 0);
		else
			hs->cet_off = false;
	}
#endif

	/*
	 * Linux issues an IBPB between processes; a CPU that last ran a
	 * different VM gets one here, so no VM can steer another's
	 * indirect branches.  Nothing the last VM left in this CPU's
	 * switcher area (its frame on the IST stacks, CR2) may be seen by
	 * the next one either, even speculatively: the area is mapped,
	 * supervisor-only, into every VM that runs here.
	 */
	if (hc->last_serial != vm->serial) {
		if (boot_cpu_has(X86_FEATURE_IBPB))
			wrmsrl(MSR_IA32_PRED_CMD, x86_pred_cmd);
		denali_switcher_scrub(smp_processor_id());
	}
	hc->last_serial = vm->serial;
}

static void host_restore(struct denali_vm *vm, struct host_saved *hs)
{
	struct denali_vcpu *vcpu = &vm->vcpu;
	u64 kgs;

	/*
	 * Selectors first, with Linux's loaders, which survive a selector
	 * that has become invalid meanwhile (another thread's modify_ldt)
	 * by loading null, as Linux itself does.  Loading FS or GS also
	 * loads a base; the saved bases are written after.
	 */
	if (hs->ds)
		loadsegment(ds, hs->ds);
	if (hs->es)
		loadsegment(es, hs->es);
	if (hs->fs)
		loadsegment(fs, hs->fs);
	/* No ring-3 instruction writes KERNEL_GS_BASE (swapgs is privileged). */
	rdmsrl(MSR_KERNEL_GS_BASE, kgs);
	WARN_ON_ONCE(kgs != hs->kernel_gs_base);
	if (hs->gs)
		load_gs_index(hs->gs);	/* sets KERNEL_GS_BASE */
	if (hs->gs || kgs != hs->kernel_gs_base)
		wrmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);
	wrmsrl(MSR_FS_BASE, hs->fs_base);

	if (hs->syscall_off) {
		wrmsrl(MSR_EFER, hs->efer);
		if (hs->sysenter_off)
			wrmsrl(MSR_IA32_SYSENTER_CS, hs->sysenter_cs);
	}
	pmu_restore(hs);
#ifdef X86_FEATURE_USER_SHSTK
	if (hs->cet_off)
		wrmsrl(MSR_IA32_U_CET, hs->u_cet);
#endif
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vcpu->pkru = read_pkru();
		if (vcpu->pkru != hs->pkru)
			write_pkru(hs->pkru);
	}
	if (hs->dr7 & DR7_BREAKPOINTS)
		native_set_debugreg(7, hs->dr7);
}

/* ---- 3. the guest state, sanitized on every entry ----------------------- */

/* Flags a guest may set; IF is forced on, IOPL/NT/VM/RF/VIF/VIP off. */
#define GUEST_RFLAGS_KEEP (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			   X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			   X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC | \
			   X86_EFLAGS_ID)

/* The lowest non-canonical address with 4-level paging; guests stay below. */
#define GUEST_VA_LIMIT (1ull << 47)

static u16 sane_selector(u16 sel)
{
	return sel == __USER_DS ? __USER_DS : 0;
}

static u64 sane_base(u64 base)
{
	return base < GUEST_VA_LIMIT ? base : 0;
}

static void load_guest(struct denali_pcpu *pcpu, struct denali_vm *vm,
		       struct host_cpu_state *hc, const struct host_saved *hs)
{
	struct denali_vcpu *vcpu = &vm->vcpu;
	struct denali_frame *r = &pcpu->regs;

	*r = vcpu->regs;
	r->cs = __USER_CS;
	r->ss = __USER_DS;
	r->rflags = (r->rflags & GUEST_RFLAGS_KEEP) | X86_EFLAGS_IF |
		    X86_EFLAGS_FIXED;
	/* A non-canonical RIP would fault on the iretq, in ring 0. */
	if (r->rip >= GUEST_VA_LIMIT)
		r->rip = 0;

	pcpu->guest_ds = sane_selector(vcpu->ds);
	pcpu->guest_es = sane_selector(vcpu->es);
	pcpu->guest_fs = sane_selector(vcpu->fs);
	pcpu->guest_gs = sane_selector(vcpu->gs);
	pcpu->guest_fs_base = sane_base(vcpu->fs_base);
	pcpu->guest_gs_base = sane_base(vcpu->gs_base);
	pcpu->guest_cr3 = denali_aspace_cr3(&vm->as);
	pcpu->host_gs_base = hc->gs_base;
	pcpu->host_ldt = hs->ldt;
	/*
	 * As Linux on return to user with kernel IBRS: off for ring 3.  The
	 * switcher writes it next to the CR3 switches, so that no host
	 * code runs with the guest's value.
	 */
	pcpu->do_spec_ctrl = cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS);
	if (pcpu->do_spec_ctrl) {
		pcpu->spec_ctrl_host = this_cpu_read(x86_spec_ctrl_current);
		pcpu->spec_ctrl_guest = pcpu->spec_ctrl_host & ~SPEC_CTRL_IBRS;
	}
	pcpu->nmi_pending = 0;
	pcpu->mce_pending = 0;
	native_store_gdt((struct desc_ptr *)&pcpu->host_gdt.limit);
	pcpu->host_gdt_rw.limit = pcpu->host_gdt.limit;
	pcpu->host_gdt_rw.base = (u64)get_cpu_gdt_rw(smp_processor_id());
}

static void save_guest(struct denali_pcpu *pcpu, struct denali_vm *vm)
{
	struct denali_vcpu *vcpu = &vm->vcpu;

	vcpu->regs = pcpu->regs;
	vcpu->ds = pcpu->guest_ds;
	vcpu->es = pcpu->guest_es;
	vcpu->fs = pcpu->guest_fs;
	vcpu->gs = pcpu->guest_gs;
	vcpu->fs_base = pcpu->guest_fs_base;
	vcpu->gs_base = pcpu->guest_gs_base;
}

/* ---- 4. one round trip --------------------------------------------------- */

/*
 * Called through a pointer: the switcher returns from its exit path, not
 * from the code a static analysis would follow, and objtool would take a
 * direct call for a call that never returns.
 */
static unsigned int (*switcher_run)(struct denali_pcpu *) = denali_switcher_run;

/*
 * Linux's NMI entry for an NMI that a hypervisor took in its place, as
 * KVM uses it: asm_exc_nmi_noist on 6.1, asm_exc_nmi_kvm_vmx on later
 * kernels.  Kbuild looks in the kernel's Module.symvers for which one it
 * exports; asm/idtentry.h declares both.
 */
#ifdef DENALI_HAVE_NMI_KVM_VMX
#define HOST_NMI_ENTRY asm_exc_nmi_kvm_vmx
#else
#define HOST_NMI_ENTRY asm_exc_nmi_noist
#endif

/* An NMI we took instead of Linux: give it to Linux's NMI entry now. */
static void pass_nmi(void)
{
	denali_call_host_handler((unsigned long)HOST_NMI_ENTRY);
}

/*
 * A machine check that interrupted the guest (@user) or the switcher
 * itself: give Linux the frame that was really interrupted.
 */
static void pass_machine_check(u64 ip, u64 sp, u64 flags, bool user)
{
	struct pt_regs regs = {
		.ip = ip,
		.cs = user ? __USER_CS : __KERNEL_CS,
		.flags = flags,
		.sp = sp,
		.ss = user ? __USER_DS : __KERNEL_DS,
	};

	do_machine_check(&regs);
}

/*
 * The exit path faulted in one of its restore steps and skipped it.
 * Redo, with Linux's own helpers, what the host needs to run: its GDT,
 * a usable TSS and the runner's LDT (the IDT, CR3 and stack must have
 * been restored, or we would not be here).  Only fault injection or a
 * bug brings us here; the VM is stopped by denali_handle_exit().
 */
static void repair_host(struct denali_pcpu *pcpu, struct host_saved *hs)
{
	struct desc_ptr idt = {
		.size = pcpu->host_idt.limit,
		.address = pcpu->host_idt.base,
	};

	force_reload_TR();		/* also the read-only GDT */
	asm volatile("lldt %w0" : : "r" (hs->ldt));
	native_load_idt(&idt);		/* if the skipped step was lidt */
	pcpu->restoring = 0;
}

/*
 * When we run as a KVM guest with async page faults, the outer hypervisor
 * injects a "page not present" #PF into whatever runs at CPL3, guests
 * included.  Take it as Linux's #PF handler would (KVM's
 * kvm_handle_page_fault() does the same): its flags are read and reset
 * at once, before anything else can fault (async_pf_flags()), and the
 * task waits for the page once the host is whole again
 * (async_pf_wait()); the guest never sees it.
 */
static u32 async_pf_flags(unsigned int code)
{
	return code == X86_TRAP_PF ? kvm_read_and_reset_apf_flags() : 0;
}

static void async_pf_wait(u32 flags, u64 token)
{
	if (flags & KVM_PV_REASON_PAGE_NOT_PRESENT)
		kvm_async_pf_task_wait_schedule(token);
	else
		pr_warn_once("unexpected async #PF flags %#x from the hypervisor\n",
			     flags);
}

/* Fault injection (debugfs): make the next restore step fault. */
static atomic_t inject_restore_fault = ATOMIC_INIT(0);

void denali_inject_restore_fault(void)
{
	atomic_inc(&inject_restore_fault);
}

/*
 * Enter the guest once and come back, with interrupts off throughout.
 * Host events taken on the way (interrupts, NMIs, machine checks) are
 * handed to Linux before returning.  Returns the exit code of
 * denali_switcher_run() and fills @exit.
 */
static unsigned int round_trip(struct denali_vm *vm, struct denali_exit_info *exit)
{
	unsigned int cpu = smp_processor_id();
	struct host_cpu_state *hc = this_cpu_ptr(&host_cpu);
	struct denali_pcpu *pcpu = denali_this_pcpu();
	struct host_saved hs;
	unsigned long handler;
	unsigned int code;
	u32 apf;
	u64 start;

	denali_aspace_enter_cpu(&vm->as, cpu);
	host_save(vm, hc, &hs);		/* first: reads the host's GS base */
	load_guest(pcpu, vm, hc, &hs);
	/* A kernel code selector is no LDT: the restore step's lldt faults. */
	if (unlikely(atomic_read(&inject_restore_fault)) &&
	    atomic_dec_if_positive(&inject_restore_fault) >= 0)
		pcpu->host_ldt = __KERNEL_CS;
	trace_denali_vm_entry(vm->id, pcpu->regs.rip);
	/* Same CPU, interrupts off: a raw TSC delta, converted when read. */
	start = rdtsc();

	code = READ_ONCE(switcher_run)(pcpu);
	apf = async_pf_flags(code);

	vm->stats.guest_tsc += rdtsc() - start;
	exit->code = code;
	exit->cr2 = pcpu->cr2;
	exit->cpu = cpu;
	exit->async_pf = apf != 0;
	if (unlikely(code == DENALI_EXIT_UNRECOVERABLE))
		repair_host(pcpu, &hs);
	host_restore(vm, &hs);
	if (code == DENALI_EXIT_INTERNAL || code == DENALI_EXIT_UNRECOVERABLE) {
		exit->fault_vector = pcpu->fault_vector;
		exit->fault_rip = pcpu->fault_rip;
		exit->fault_error_code = pcpu->fault_error_code;
	}
	if (code != DENALI_EXIT_ABORTED && code != DENALI_EXIT_INTERNAL)
		save_guest(pcpu, vm);
	if (code == X86_TRAP_DB)
		native_set_debugreg(6, DR6_RESERVED);	/* as Linux expects */
	/* A guest touching AMX state faults on XFD: leave no trace of it. */
	if (code == X86_TRAP_NM && cpu_feature_enabled(X86_FEATURE_XFD))
		wrmsrl(MSR_IA32_XFD_ERR, 0);

	/* Host events, still with interrupts off. */
	if (code == X86_TRAP_NMI || pcpu->nmi_pending)
		pass_nmi();
	if (code == X86_TRAP_MC)
		pass_machine_check(vm->vcpu.regs.rip, vm->vcpu.regs.rsp,
				   vm->vcpu.regs.rflags, true);
	if (pcpu->mce_pending)
		pass_machine_check(pcpu->mce_rip, pcpu->mce_rsp,
				   pcpu->mce_rflags, false);
	/*
	 * Every gate of ours but the hypercall's is DPL0, so a vector from
	 * FIRST_EXTERNAL_VECTOR up is a real interrupt, 0x80 included where
	 * Linux gives it to a device (ia32_emulation=0).
	 */
	handler = code >= FIRST_EXTERNAL_VECTOR ? denali_host_handler(code) : 0;
	if (handler)
		denali_call_host_handler(handler);
	/*
	 * The guest shared this CPU's branch predictors with ring 3: have
	 * Linux issue its barrier before any user task runs here again, as
	 * it does after a KVM guest.
	 */
#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
#endif
	trace_denali_vm_exit(vm->id, code, vm->vcpu.regs.rip);
	/* Last, interrupts still off as it wants: the wait may schedule. */
	if (apf)
		async_pf_wait(apf, exit->cr2);
	return code;
}

static unsigned int exit_kind(const struct denali_vm *vm,
			      const struct denali_exit_info *exit)
{
	unsigned int code = exit->code;

	switch (code) {
	case DENALI_HYPERCALL_VECTOR:
		return DENALI_EXITK_HYPERCALL;
	case X86_TRAP_NMI:
		return DENALI_EXITK_NMI;
	case X86_TRAP_MC:
		return DENALI_EXITK_MCE;
	case X86_TRAP_PF:
		if (exit->async_pf)	/* an event of the outer hypervisor's */
			return DENALI_EXITK_INTERRUPT;
		if (denali_is_demand_fault(vm, exit))
			return DENALI_EXITK_DEMAND;
		break;
	case DENALI_EXIT_ABORTED:
		return DENALI_EXITK_ABORTED;
	}
	if (code < FIRST_EXTERNAL_VECTOR || code == DENALI_EXIT_INTERNAL ||
	    code == DENALI_EXIT_UNRECOVERABLE)
		return DENALI_EXITK_FAULT;
	/* The interrupt that ended it may have been sent to stop it. */
	return READ_ONCE(vm->destroyed) ? DENALI_EXITK_KICK :
					  DENALI_EXITK_INTERRUPT;
}

/* ---- 5. the loop ------------------------------------------------------------ */

static void fill_report(struct denali_vm *vm, struct denali_run *run)
{
	spin_lock(&vm->lock);
	run->reason = vm->stop_reason;
	run->exit_status = vm->exit_status;
	if (vm->stop_reason == DENALI_STOP_CRASH)
		run->crash = vm->crash;
	spin_unlock(&vm->lock);
}

/*
 * For poll()'s EPOLLPRI: a DENALI_RUN would make progress now.  Read
 * without the run lock: the answer may be stale by the time the caller
 * acts, which is why DENALI_RUN itself rechecks everything.
 */
bool denali_vcpu_runnable(struct denali_vm *vm)
{
	return !READ_ONCE(vm->stop_reason) && !READ_ONCE(vm->running) &&
	       denali_idle_runnable(vm);
}

long denali_vcpu_run(struct denali_vm *vm, struct denali_run *run)
{
	bool return_idle = run->flags & DENALI_RUN_RETURN_IDLE;
	u64 slice_ns = run->slice_ns;
	struct denali_exit_info exit;
	u32 result = DENALI_RUN_STOPPED;
	ktime_t slice_end = 0;
	long ret = 0;

	if (!mutex_trylock(&vm->run_lock))
		return -EBUSY;
	/*
	 * A thread is here: the timer of an earlier thread-less idle goes,
	 * so that it can raise nothing once the guest has moved on.  If it
	 * fired, its deadline had passed while the guest still idled.
	 */
	denali_idle_timer_cancel(vm);
	if (slice_ns)
		slice_end = ktime_add_ns(ktime_get(),
					 min_t(u64, slice_ns, KTIME_MAX / 2));
	vm->stats.runs++;
	spin_lock(&vm->lock);
	if (vm->runner != task_tgid(current)) {
		put_pid(vm->runner);
		vm->runner = get_pid(task_tgid(current));
	}
	WRITE_ONCE(vm->running, current);
	spin_unlock(&vm->lock);
	/*
	 * Running is visible before we look at pending bits: a raiser sets
	 * its bits, then reads running (denali_irq_raise); one of us sees
	 * the other.
	 */
	smp_mb();
	if (READ_ONCE(vm->stop_reason))
		goto report;

	fpu_swap_kvm_fpstate(&vm->vcpu.fpu, true);
	for (;;) {
		/* A NIC's receive ring broken while we were away: stop. */
		denali_vnic_check_faults(vm);
		/* A page the host touched for it could not be made: stop. */
		denali_check_nomem(vm);
		/* Stopped, e.g. destroyed from another thread: report it. */
		if (READ_ONCE(vm->stop_reason))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/*
		 * schedule(), not cond_resched(): under preempt=full the
		 * latter does nothing and we would spin until an interrupt.
		 */
		if (need_resched())
			schedule();

		/* A runner with other VMs to run: give the thread back. */
		if (slice_ns && !ktime_before(ktime_get(), slice_end)) {
			result = DENALI_RUN_PREEMPTED;
			break;
		}
		/*
		 * In an idle hypercall: sleep until it is over, then enter;
		 * or, for a runner that sleeps in epoll, return "idle".
		 */
		if (vm->vcpu.idling && return_idle) {
			if (denali_idle_return(vm)) {
				result = DENALI_RUN_IDLE;
				break;
			}
			continue;
		}
		if (vm->vcpu.idling) {
			if (denali_idle_wait(vm)) {
				ret = -EINTR;
				break;
			}
			continue;
		}
		/* A virtual interrupt to deliver: the guest resumes in its upcall. */
		if (denali_upcall_deliver(vm))
			continue;
		denali_clock_publish(vm);

		/*
		 * Preemption stays enabled: interrupts being off keeps us on
		 * this CPU, and a preempt count of zero lets the tick that
		 * ends a round trip see a quiescent state for RCU.
		 */
		local_irq_disable();
		/*
		 * Rechecked with interrupts off: a raise or a kick after this
		 * point interrupts the guest as soon as it runs.
		 */
		if (need_resched() || signal_pending(current) ||
		    READ_ONCE(vm->stop_reason) || denali_upcall_due(vm)) {
			local_irq_enable();
			continue;
		}
		/*
		 * The guest's FPU state is the task's, but Linux reloads a
		 * task's registers only on the way back to user mode: after a
		 * context switch or kernel FPU use they may hold another
		 * task's state, which Linux still believes that task owns.
		 * Load ours now, with interrupts off, as KVM does.
		 */
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		round_trip(vm, &exit);
		local_irq_enable();
		vm->stats.exits[exit_kind(vm, &exit)]++;

		if (denali_handle_exit(vm, &exit))
			break;
	}
	fpu_swap_kvm_fpstate(&vm->vcpu.fpu, false);
report:
	/*
	 * A VM stops in its own thread (exit, halt, crash) or is destroyed
	 * (its interfaces go); either way its carrier is down from here.
	 */
	if (READ_ONCE(vm->stop_reason))
		denali_vnic_carrier_off(vm);
	spin_lock(&vm->lock);
	WRITE_ONCE(vm->running, NULL);
	spin_unlock(&vm->lock);
	if (!ret) {
		fill_report(vm, run);
		if (run->reason == DENALI_STOP_NONE)
			run->result = result;
	}
	mutex_unlock(&vm->run_lock);
	/*
	 * An interrupt raised while we were on our way out woke poll()ers
	 * who saw the VM still running: tell them again, now that it is
	 * not (running cleared above, then the pending bits read).
	 */
	smp_mb();
	if (denali_vcpu_runnable(vm))
		wake_up(&vm->idle_wq);
	return ret;
}
