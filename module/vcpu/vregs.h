/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The para-virtual architecture's host side (vregs.c): the two
 * virtual-register pages, virtual interrupts and their delivery as
 * upcalls, idle, and the VM clock.
 */
#ifndef DENALI_VREGS_H
#define DENALI_VREGS_H

#include <linux/types.h>

struct denali_vm;

/*
 * The host's side of the VM clock (struct denali_vclock in the guest's
 * read-only page).  Written by the running thread only.
 */
struct denali_clock {
	bool tsc_stable;	/* the guest may read the TSC itself */
	u32 tsc_mul;
	s8 tsc_shift;
	u64 tsc0;		/* TSC when the VM was made: its time 0 */
	u64 ktime0;		/* ktime_get_ns() then */
	u64 ktime_offset;	/* added once the TSC path was left */
	u64 last_ns;		/* the clock never goes back */
};

/*
 * denali_vregs_init() fills the read-only page of a new VM (@args:
 * @args_len bytes of NUL-terminated strings, already checked).
 */
void denali_vregs_init(struct denali_vm *vm, const char *args, u32 args_len);
void denali_vregs_set_id(struct denali_vm *vm);
/* Raise @bits (DENALI_IRQ_*) from any thread: wake or kick the VM. */
void denali_irq_raise(struct denali_vm *vm, u64 bits);

/* For the run loop and the hypercalls (see vregs.c). */
void denali_clock_publish(struct denali_vm *vm);
u64 denali_clock_now(struct denali_vm *vm);
bool denali_upcall_due(const struct denali_vm *vm);
bool denali_upcall_deliver(struct denali_vm *vm);
bool denali_upcall_return(struct denali_vm *vm);
void denali_idle_start(struct denali_vm *vm, u64 timeout_ns);
int denali_idle_wait(struct denali_vm *vm);
/* ABI 0.7: idling without a thread, on a timer; see vregs.c, part 4. */
void denali_idle_timer_init(struct denali_vm *vm);
void denali_idle_timer_cancel(struct denali_vm *vm);
bool denali_idle_return(struct denali_vm *vm);
bool denali_idle_runnable(const struct denali_vm *vm);

#endif /* DENALI_VREGS_H */
