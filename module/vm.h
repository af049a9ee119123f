/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Denali VM as the module keeps it: memory, page tables, the one vCPU's
 * saved state, its console, and how it stopped.
 */
#ifndef DENALI_VM_H
#define DENALI_VM_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "uapi/denali.h"
#include "address_space.h"
#include "guest_mem.h"
#include "switcher.h"

/* console.c: the last DENALI_CONSOLE_BYTES (uapi) bytes of output. */
struct denali_console {
	char *buf;		/* DENALI_CONSOLE_BYTES */
	u64 head;		/* the stream position of the next byte */
	u64 max_read;		/* the furthest any file has read */
	u64 written;		/* bytes the guest wrote */
	u64 dropped;		/* bytes lost before any file read them */
};

/* Counters for DENALI_GET_STATS, written by the running thread only. */
struct denali_vm_stats {
	u64 runs;
	u64 exits[DENALI_EXIT_KINDS];
	u64 hypercalls[DENALI_STATS_HYPERCALLS];
	u64 guest_tsc;		/* TSC cycles in round trips */
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
	struct kref ref;	/* one per open file, one per lookup */
	u32 id;			/* reused once the VM is gone */
	u64 serial;		/* never reused while the module is loaded */
	char name[DENALI_NAME_MAX];
	kuid_t owner;		/* the creator's effective uid */
	u64 charged;		/* bytes counted against the global cap */
	bool listed;		/* in the registry (until destroyed or freed) */

	struct denali_guest_mem mem;
	struct denali_aspace as;
	struct mutex run_lock;	/* one DENALI_RUN at a time */
	struct denali_vcpu vcpu;

	spinlock_t lock;	/* the stop state, runner, the console */
	u32 stop_reason;	/* enum denali_stop_reason */
	s32 exit_status;
	bool destroyed;		/* DENALI_DESTROY_VM was called */
	struct task_struct *running;	/* the thread inside DENALI_RUN */
	struct pid *runner;	/* the process that last ran it */
	struct denali_crash crash;
	struct denali_console console;
	wait_queue_head_t console_wq;
	struct denali_vm_stats stats;
};

/* vm.c: the ioctls on /dev/denali that make, find and end VMs. */
long denali_create_vm(struct denali_create_vm __user *uarg);
long denali_list_vms(struct denali_list_vms __user *uarg);
long denali_destroy_vm(struct denali_vm_ref __user *uarg);
long denali_open_vm(struct denali_vm_ref __user *uarg);

/* Stop @vm for good with @reason (EXIT/HALT/CRASH); the first stop wins. */
void denali_vm_stop(struct denali_vm *vm, u32 reason, s32 status);

/* console.c */
void denali_console_append(struct denali_vm *vm, const char *data, u64 len);
u64 denali_console_start(struct denali_vm *vm);
ssize_t denali_console_read(struct denali_vm *vm, struct file *file,
			    char __user *ubuf, size_t count, loff_t *ppos);
__poll_t denali_console_poll(struct denali_vm *vm, struct file *file,
			     poll_table *wait);

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
