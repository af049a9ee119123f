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

/*
 * console.c: console input, written to the VM fd and read by the guest's
 * console_read hypercall; a ring of DENALI_CONSOLE_INPUT_BYTES (uapi)
 * under vm->lock.
 */
struct denali_console_input {
	char *buf;
	u64 head;		/* stream position of the next byte written */
	u64 tail;		/* stream position of the next byte read */
};

/*
 * Counters for DENALI_GET_STATS, written by the running thread only.  The
 * members named as in struct denali_stats are copied into it as they are
 * (the VM entries of include/denali_stats.h, checked at build time).
 */
struct denali_vm_stats {
	u64 runs;
	u64 exits[DENALI_EXIT_KINDS];
	u64 hypercalls[DENALI_STATS_HYPERCALLS];
	u64 guest_tsc;		/* TSC cycles in round trips */
	u64 upcalls;
	u64 idle_sleeps;
};

/*
 * vcpu/vregs.c: the host's side of the VM clock (struct denali_vclock in
 * the guest's read-only page).  Written by the running thread only.
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

struct denali_vm {
	struct kref ref;	/* one per open file, one per lookup */
	u32 id;			/* reused once the VM is gone */
	u64 serial;		/* never reused while the module is loaded */
	char name[DENALI_NAME_MAX];
	kuid_t owner;		/* the creator's effective uid */
	u64 charged;		/* bytes counted against the global cap */
	bool listed;		/* in the registry (until destroyed or freed) */
	struct list_head live;	/* on the list of every VM until freed */

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

	/* Virtual registers: host pointers to guest pages 1 and 2. */
	struct denali_vregs_ro *vro;
	struct denali_vregs_rw *vrw;
	struct denali_clock clock;
	wait_queue_head_t idle_wq;	/* an idle guest waits here */
	atomic64_t irqs_raised;
	struct denali_console_input input;
	wait_queue_head_t input_wq;	/* writers waiting for room */

	/* The virtual NICs (vnic/vnic.c). */
	struct mutex nic_lock;	/* nics[] against removal; their rings */
	unsigned int nic_count;
	struct denali_nic *nics[DENALI_NIC_MAX];
	atomic_t net_faulted;	/* a receive ring broke: crash at next entry */
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

/* console.c: console input, write(2) on the VM fd and console_read. */
ssize_t denali_console_input_write(struct denali_vm *vm, struct file *file,
				   const char __user *ubuf, size_t count);
long denali_console_input_read(struct denali_vm *vm, u64 gva, u64 len);

/*
 * vcpu/vregs.c: the virtual registers, virtual interrupts and the clock.
 * denali_vregs_init() fills the read-only page of a new VM (@args:
 * @args_len bytes of NUL-terminated strings, already checked).
 */
void denali_vregs_init(struct denali_vm *vm, const char *args, u32 args_len);
void denali_vregs_set_id(struct denali_vm *vm);
/* Raise @bits (DENALI_IRQ_*) from any thread: wake or kick the VM. */
void denali_irq_raise(struct denali_vm *vm, u64 bits);

/* vcpu/run.c: DENALI_RUN. */
long denali_vcpu_run(struct denali_vm *vm, struct denali_run *run);
/* vcpu/run.c: the entry state of a fresh guest. */
void denali_vcpu_reset(struct denali_vcpu *vcpu, u64 entry, u64 mem_size);
int denali_vcpu_init(struct denali_vcpu *vcpu);
/* Fault injection: the next round trip's host-restore path faults once. */
void denali_inject_restore_fault(void);
void denali_vcpu_destroy(struct denali_vcpu *vcpu);

/* Module-wide init/exit of the switch, called from core.c. */
int denali_vcpu_module_init(void);
void denali_vcpu_module_exit(void);

#endif /* DENALI_VM_H */
