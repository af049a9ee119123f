// SPDX-License-Identifier: GPL-2.0
/*
 * The para-virtual architecture (docs/ABI.md, "Virtual registers"): the
 * two virtual-register pages, virtual interrupts and their delivery as
 * upcalls, the idle instruction, and the VM clock.
 *
 * Roadmap:
 *   1. The read-only page and the clock, refreshed before every entry.
 *   2. Raising interrupts, from any thread: a bit in the writable page,
 *      then a wake-up (idle VM) or a kick (VM in the guest elsewhere).
 *   3. Delivery, by the running thread just before an entry: when the
 *      guest's virtual IF is set and a known bit is pending, the
 *      interrupted context goes to the writable page and the guest
 *      resumes at its upcall entry.  upcall_return undoes that.
 *   4. Idle: the hypercall only records a deadline; the run loop sleeps
 *      on it, so a signal can interrupt DENALI_RUN mid-idle and the next
 *      DENALI_RUN resumes the same idle, never returning early.  A
 *      runner hosting many VMs (DENALI_RUN_RETURN_IDLE) sleeps in
 *      epoll instead: DENALI_RUN returns, a per-VM timer raises
 *      DENALI_IRQ_TIMER at the deadline, and poll() says when the VM is
 *      runnable again.
 *
 * The writable page is guest memory, changed by the guest at will: every
 * field is read once per use into a local, checked, and only the local
 * is used.  Bits the monitor never raises (outside DENALI_IRQ_ALL) are
 * ignored everywhere.  Nothing here runs while the guest does (one vCPU,
 * run by the thread that runs this code), except the atomic bit-setting
 * of denali_irq_raise().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <asm/cpufeature.h>
#include <asm/segment.h>
#include <asm/tsc.h>

#include "exits.h"
#include "guest_regs.h"
#include "vm.h"
#include "vregs.h"

/* ---- 1. the read-only page and the clock ---------------------------- */

/*
 * ns = (tsc_delta << shift) * mul >> 32, with mul below 2^32: the
 * smallest shift that keeps mul in range, for precision.
 */
static void clock_scale(struct denali_clock *c, u32 khz)
{
	s8 shift = 0;

	while (((u64)khz << shift) < NSEC_PER_MSEC && shift < 31)
		shift++;
	c->tsc_shift = shift;
	c->tsc_mul = div64_u64((u64)NSEC_PER_MSEC << 32, (u64)khz << shift);
}

static u64 clock_tsc_ns(const struct denali_clock *c)
{
	s64 delta = rdtsc() - c->tsc0;

	/*
	 * A CPU whose TSC is a few cycles behind the one that read tsc0
	 * must not wrap round to a huge time (which the never-backwards
	 * rule would then keep for ever).
	 */
	if (delta < 0)
		delta = 0;
	return mul_u64_u32_shr((u64)delta << c->tsc_shift, c->tsc_mul, 32);
}

/*
 * The guest may read the TSC itself only if it ticks at one rate on
 * every CPU, through idle states, and Linux has not found it wanting.
 */
static bool host_tsc_is_stable(void)
{
	return tsc_khz && boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	       boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable();
}

/*
 * The clock's parameters, which change only when the VM is made and if
 * Linux later finds the TSC unstable: under seq, odd while they change,
 * as the guest's reads of seq around its reads of the fields expect.
 */
static void clock_publish_params(struct denali_vm *vm)
{
	struct denali_vclock *vc = &vm->vro->clock;
	u32 seq = vc->seq;

	WRITE_ONCE(vc->seq, seq + 1);
	smp_wmb();	/* the odd seq before the fields */
	vc->flags = vm->clock.tsc_stable ? DENALI_VCLOCK_TSC_STABLE : 0;
	vc->tsc_mul = vm->clock.tsc_mul;
	vc->tsc_shift = vm->clock.tsc_shift;
	vc->tsc_timestamp = vm->clock.tsc0;
	vc->system_ns = 0;
	smp_wmb();	/* the fields before the even seq */
	WRITE_ONCE(vc->seq, seq + 2);
}

/* The VM clock now, in nanoseconds; never less than an earlier reading. */
u64 denali_clock_now(struct denali_vm *vm)
{
	struct denali_clock *c = &vm->clock;
	u64 ns, kns;

	/*
	 * Linux may mark the TSC unstable at any time: from then on use
	 * ktime, offset so that the clock carries on from the TSC's value.
	 */
	if (c->tsc_stable && check_tsc_unstable()) {
		ns = clock_tsc_ns(c);
		kns = ktime_get_ns() - c->ktime0;
		c->ktime_offset = ns > kns ? ns - kns : 0;
		c->tsc_stable = false;
		clock_publish_params(vm);
	}
	if (c->tsc_stable)
		ns = clock_tsc_ns(c);
	else
		ns = ktime_get_ns() - c->ktime0 + c->ktime_offset;
	if (ns < c->last_ns)
		ns = c->last_ns;
	c->last_ns = ns;
	return ns;
}

/*
 * Before every entry: host_ns alone.  One aligned store, made while the
 * guest cannot run (it is this thread's), so it needs no seq round.
 */
void denali_clock_publish(struct denali_vm *vm)
{
	u64 now = denali_clock_now(vm);

	WRITE_ONCE(vm->vro->clock.host_ns, now);
	/* Real time = VM clock + offset; Linux's real time may be stepped. */
	WRITE_ONCE(vm->vro->wall_offset_ns, (s64)(ktime_get_real_ns() - now));
}

void denali_vregs_init(struct denali_vm *vm, const char *args, u32 args_len)
{
	struct denali_vregs_ro *ro;
	u32 i;

	vm->vro = (void *)(vm->mem.host + DENALI_GUEST_VREGS_RO);
	vm->vrw = (void *)(vm->mem.host + DENALI_GUEST_VREGS_RW);
	atomic64_set(&vm->irqs_raised, 0);

	/* Guest memory is zeroed: only the nonzero fields are written. */
	ro = vm->vro;
	ro->abi_major = DENALI_ABI_MAJOR;
	ro->abi_minor = DENALI_ABI_MINOR;
	ro->mem_size = vm->mem.size;
	/* Linux enabled CR4.FSGSBASE: ring 3 may write its own bases. */
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		ro->flags = DENALI_VRO_FSGSBASE;
	if (args_len)
		memcpy(ro->args, args, args_len);
	ro->args_len = args_len;
	for (i = 0; i < args_len; i++)
		ro->argc += !args[i];

	vm->clock.tsc_stable = host_tsc_is_stable();
	if (tsc_khz)
		clock_scale(&vm->clock, tsc_khz);
	vm->clock.tsc0 = rdtsc();
	vm->clock.ktime0 = ktime_get_ns();
	clock_publish_params(vm);
	denali_clock_publish(vm);
}

void denali_vregs_set_id(struct denali_vm *vm)
{
	vm->vro->vm_id = vm->id;
}

/* ---- 2. raising interrupts ---------------------------------------------- */

/* The pending bits the guest may be interrupted for. */
static u64 irq_pending(const struct denali_vm *vm)
{
	return READ_ONCE(vm->vrw->pending) & DENALI_IRQ_ALL;
}

void denali_irq_raise(struct denali_vm *vm, u64 bits)
{
	unsigned long todo = bits & DENALI_IRQ_ALL;
	struct task_struct *running;
	unsigned int bit;

	if (!todo)
		return;
	/*
	 * One locked bit-set per bit: the guest takes the word with xchg
	 * at any moment, and no raise may be lost between the two.
	 */
	for_each_set_bit(bit, &todo, 64)
		set_bit(bit, (unsigned long *)&vm->vrw->pending);
	atomic64_add(hweight64(todo), &vm->irqs_raised);
	/* The bits are visible before we look at who might be waiting. */
	smp_mb__after_atomic();

	wake_up(&vm->idle_wq);
	/*
	 * A guest running on another CPU sees the bits at its next entry:
	 * make that entry come now.  The running thread checks the bits
	 * with interrupts off just before entering, so a kick that lands
	 * after that check ends the round trip at once.
	 */
	/*
	 * Any context may raise (a NIC does from ndo_start_xmit, in
	 * softirq), so no vm->lock here: vm->running is cleared before its
	 * thread leaves DENALI_RUN, and a task_struct is freed only after an
	 * RCU grace period, so one read under rcu_read_lock() can be kicked.
	 */
	rcu_read_lock();
	running = READ_ONCE(vm->running);
	if (running && running != current)
		kick_process(running);
	rcu_read_unlock();
}

/* ---- 3. delivery and upcall_return --------------------------------------- */

static bool in_guest_memory(const struct denali_vm *vm, u64 addr)
{
	return addr >= DENALI_GUEST_IMAGE_BASE && addr < vm->mem.size;
}

bool denali_upcall_due(const struct denali_vm *vm)
{
	return READ_ONCE(vm->vrw->irq_enabled) && irq_pending(vm);
}

bool denali_upcall_deliver(struct denali_vm *vm)
{
	struct denali_vregs_rw *rw = vm->vrw;
	struct denali_frame *r = &vm->vcpu.regs;
	struct denali_upcall_frame f;
	u64 entry, stack, sp;

	if (!denali_upcall_due(vm))
		return false;
	entry = READ_ONCE(rw->upcall_entry);
	stack = READ_ONCE(rw->upcall_stack);
	if (!in_guest_memory(vm, entry)) {
		denali_crash_vregs(vm, "upcall entry 0x%llx is outside guest memory",
				   entry);
		return true;
	}
	if (stack) {
		if (stack <= DENALI_GUEST_IMAGE_BASE || stack > vm->mem.size) {
			denali_crash_vregs(vm, "upcall stack 0x%llx is outside guest memory",
					   stack);
			return true;
		}
		sp = stack & ~15ull;
	} else {
		sp = (r->rsp - DENALI_UPCALL_RED_ZONE) & ~15ull;
	}

	memset(&f, 0, sizeof(f));
#define SAVE_REG(reg)	(f.reg = r->reg)
	DENALI_GUEST_REGS(SAVE_REG);
#undef SAVE_REG
	f.cs = __USER_CS;
	f.ss = __USER_DS;
	memcpy(&rw->saved, &f, sizeof(f));
	WRITE_ONCE(rw->irq_enabled, 0);

	r->rip = entry;
	r->rsp = sp;
	r->rdi = DENALI_GUEST_VREGS_RW +
		 offsetof(struct denali_vregs_rw, saved);
	r->rflags = DENALI_GUEST_ENTRY_RFLAGS;
	vm->stats.upcalls++;
	return true;
}

/* The upcall_return hypercall; false if the VM stopped instead. */
bool denali_upcall_return(struct denali_vm *vm)
{
	struct denali_frame *r = &vm->vcpu.regs;
	struct denali_upcall_frame f;

	/* One copy: every check and every use below is of this copy. */
	memcpy(&f, &vm->vrw->saved, sizeof(f));
	if (f.cs != __USER_CS || f.ss != __USER_DS) {
		denali_crash_vregs(vm, "upcall_return: cs:ss %#x:%#x are not the guest's",
				   f.cs, f.ss);
		return false;
	}
	if (!in_guest_memory(vm, f.rip)) {
		denali_crash_vregs(vm, "upcall_return: rip 0x%llx is outside guest memory",
				   f.rip);
		return false;
	}
	/* RFLAGS is sanitized on entry like any guest's: IOPL, NT, VM... go. */
#define RESTORE_REG(reg)	(r->reg = f.reg)
	DENALI_GUEST_REGS(RESTORE_REG);
#undef RESTORE_REG
	WRITE_ONCE(vm->vrw->irq_enabled, 1);
	return true;
}

/* ---- 4. idle --------------------------------------------------------------- */

/* The idle hypercall: yield now, or set the deadline the run loop waits for. */
void denali_idle_start(struct denali_vm *vm, u64 timeout_ns)
{
	struct denali_vcpu *v = &vm->vcpu;
	ktime_t now;

	if (irq_pending(vm))
		return;
	if (!timeout_ns) {
		yield();
		return;
	}
	now = ktime_get();
	if (timeout_ns >= (u64)(KTIME_MAX - now))
		v->idle_deadline = KTIME_MAX;
	else
		v->idle_deadline = ktime_add_ns(now, timeout_ns);
	WRITE_ONCE(v->idling, true);
	vm->stats.idle_sleeps++;
}

static bool idle_over(const struct denali_vm *vm)
{
	return irq_pending(vm) || READ_ONCE(vm->stop_reason);
}

/*
 * The timer of an idle VM no thread waits for: its timeout is the timer
 * interrupt, exactly as denali_idle_wait() raises it.  In softirq
 * context, like a NIC's raise.
 */
static enum hrtimer_restart idle_timer_fn(struct hrtimer *t)
{
	struct denali_vm *vm = container_of(t, struct denali_vm, idle_timer);

	denali_irq_raise(vm, DENALI_IRQ_TIMER);
	return HRTIMER_NORESTART;
}

void denali_idle_timer_init(struct denali_vm *vm)
{
	hrtimer_init(&vm->idle_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	vm->idle_timer.function = idle_timer_fn;
}

/*
 * Disarm it, waiting for a callback under way: after this no raise of
 * the timer's can reach the VM (or its memory, about to be freed).
 */
void denali_idle_timer_cancel(struct denali_vm *vm)
{
	hrtimer_cancel(&vm->idle_timer);
}

/*
 * DENALI_RUN_RETURN_IDLE: true if the guest is idle and DENALI_RUN
 * should return, the timer armed at its deadline; false if its idle is
 * over (and the loop enters it).  The timer was cancelled when this
 * DENALI_RUN began, so only this thread arms it.
 */
bool denali_idle_return(struct denali_vm *vm)
{
	struct denali_vcpu *v = &vm->vcpu;

	if (!idle_over(vm)) {
		if (v->idle_deadline == KTIME_MAX)
			return true;
		if (ktime_before(ktime_get(), v->idle_deadline)) {
			hrtimer_start(&vm->idle_timer, v->idle_deadline,
				      HRTIMER_MODE_ABS_SOFT);
			return true;
		}
		/* "Time has passed": the timer interrupt. */
		denali_irq_raise(vm, DENALI_IRQ_TIMER);
	}
	WRITE_ONCE(v->idling, false);
	return false;
}

/*
 * For poll(): could a DENALI_RUN make progress now?  Idle with its idle
 * not over is not runnable; the deadline counts as over once passed,
 * even before the timer's raise lands.
 */
bool denali_idle_runnable(const struct denali_vm *vm)
{
	const struct denali_vcpu *v = &vm->vcpu;

	if (!READ_ONCE(v->idling) || idle_over(vm))
		return true;
	return v->idle_deadline != KTIME_MAX &&
	       !ktime_before(ktime_get(), READ_ONCE(v->idle_deadline));
}

int denali_idle_wait(struct denali_vm *vm)
{
	struct denali_vcpu *v = &vm->vcpu;
	ktime_t left;
	long ret;

	while (!idle_over(vm)) {
		if (v->idle_deadline == KTIME_MAX) {
			ret = wait_event_interruptible(vm->idle_wq,
						       idle_over(vm));
		} else {
			left = ktime_sub(v->idle_deadline, ktime_get());
			if (left <= 0) {
				/* "Time has passed": the timer interrupt. */
				denali_irq_raise(vm, DENALI_IRQ_TIMER);
				break;
			}
			ret = wait_event_interruptible_hrtimeout(vm->idle_wq,
								 idle_over(vm),
								 left);
		}
		/* Still idle: the next DENALI_RUN carries on waiting. */
		if (ret == -ERESTARTSYS)
			return -EINTR;
	}
	WRITE_ONCE(v->idling, false);
	return 0;
}
