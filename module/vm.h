/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Denali VM as the module keeps it: memory, page tables, the one vCPU's
 * saved state, its console, and how it stopped.
 */
#ifndef DENALI_VM_H
#define DENALI_VM_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "uapi/denali.h"
#include "address_space.h"
#include "guest_mem.h"
#include "switcher.h"

/* The console buffer of each VM; when full the oldest bytes go. */
#define DENALI_CONSOLE_BYTES	(64 * 1024)

struct denali_console {
	char *buf;		/* DENALI_CONSOLE_BYTES */
	u64 head;		/* bytes ever written */
	u64 tail;		/* bytes ever consumed or dropped */
	u64 dropped;		/* bytes overwritten before being read */
};

/* The guest CPU state kept between runs (what the switch does not keep). */
struct denali_vcpu {
	struct denali_frame regs;
	u64 fs_base, gs_base;
	u16 ds, es, fs, gs;
	u32 pkru;
	struct fpu_guest fpu;
	int last_cpu;		/* for IBPB between VMs on one CPU */
};

struct denali_vm {
	u32 id;			/* reused once the VM is gone */
	u64 serial;		/* never reused while the module is loaded */
	char name[DENALI_NAME_MAX];
	u64 charged;		/* bytes counted against the global cap */

	struct denali_guest_mem mem;
	struct denali_aspace as;
	struct mutex run_lock;	/* one DENALI_RUN at a time */
	struct denali_vcpu vcpu;

	spinlock_t lock;	/* the stop state and the console */
	u32 stop_reason;	/* enum denali_stop_reason */
	s32 exit_status;
	struct denali_crash crash;
	struct denali_console console;
	wait_queue_head_t console_wq;
};

long denali_create_vm(struct denali_create_vm __user *uarg);

/* Stop @vm for good with @reason (EXIT/HALT/CRASH); the first stop wins. */
void denali_vm_stop(struct denali_vm *vm, u32 reason, s32 status);

/* Append @len guest bytes to the console and wake readers. */
void denali_console_append(struct denali_vm *vm, const char *data, u64 len);

/* vcpu/run.c: DENALI_RUN. */
long denali_vcpu_run(struct denali_vm *vm, struct denali_run *run);
/* vcpu/run.c: the entry state of a fresh guest. */
void denali_vcpu_reset(struct denali_vcpu *vcpu, u64 entry, u64 mem_size);
int denali_vcpu_init(struct denali_vcpu *vcpu);
void denali_vcpu_destroy(struct denali_vcpu *vcpu);

/* Module-wide init/exit of the switch, called from core.c. */
int denali_vcpu_module_init(void);
void denali_vcpu_module_exit(void);

#endif /* DENALI_VM_H */
