/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DENALI_RUN (run.c): the guest CPU state kept between round trips, and
 * the loop that enters the guest, with the host state saved around the
 * switch.
 */
#ifndef DENALI_RUN_H
#define DENALI_RUN_H

#include <linux/ktime.h>
#include <linux/types.h>
#include <asm/fpu/types.h>

#include "uapi/denali.h"
#include "switcher.h"

struct denali_vm;

/* The guest CPU state kept between runs (what the switch does not keep). */
struct denali_vcpu {
	struct denali_frame regs;
	u64 fs_base, gs_base;
	u16 ds, es, fs, gs;
	u32 pkru;
	struct fpu_guest fpu;
	int last_cpu;		/* for IBPB between VMs on one CPU */
	/* In an idle hypercall, until an interrupt or idle_deadline. */
	bool idling;
	ktime_t idle_deadline;	/* KTIME_MAX: no timeout */
};

/* DENALI_RUN. */
long denali_vcpu_run(struct denali_vm *vm, struct denali_run *run);
/* For poll(): not stopped, not in DENALI_RUN, not idle (ABI 0.7). */
bool denali_vcpu_runnable(struct denali_vm *vm);
/* The entry state of a fresh guest. */
void denali_vcpu_reset(struct denali_vcpu *vcpu, u64 entry, u64 mem_size);
int denali_vcpu_init(struct denali_vcpu *vcpu);
void denali_vcpu_destroy(struct denali_vcpu *vcpu);
/* Fault injection (debugfs): the next round trip's host-restore path faults. */
void denali_inject_restore_fault(void);

#endif /* DENALI_RUN_H */
