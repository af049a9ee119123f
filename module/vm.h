/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Denali VM as the module keeps it: memory, page tables, the one vCPU's
 * saved state, its console, and how it stopped; and vm.c's interface, the
 * ioctls of /dev/denali that make, find and end VMs.  Each part of the VM
 * is declared beside the code that owns it: console.h (console.c),
 * run.h (vcpu/run.c), vregs.h (vcpu/vregs.c), address_space.h,
 * guest_mem.h.
 */
#ifndef DENALI_VM_H
#define DENALI_VM_H

#include <linux/hrtimer.h>
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
#include "console.h"
#include "guest_mem.h"
#include "run.h"
#include "switcher.h"
#include "vregs.h"

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

struct denali_vm {
	struct kref ref;	/* one per open file, one per lookup */
	u32 id;			/* reused once the VM is gone */
	u64 serial;		/* never reused while the module is loaded */
	char name[DENALI_NAME_MAX];
	kuid_t owner;		/* the creator's effective uid */
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
	wait_queue_head_t idle_wq;	/* an idle guest waits here; poll too */
	struct hrtimer idle_timer;	/* the deadline of a thread-less idle */
	atomic64_t irqs_raised;
	struct denali_console_input input;
	wait_queue_head_t input_wq;	/* writers waiting for room */

	/* The virtual NICs (vnic/vnic.c). */
	struct mutex nic_lock;	/* nics[] against removal; their rings */
	unsigned int nic_count;
	unsigned int nic_ports;	/* of them, switch ports (ABI 0.7) */
	struct denali_nic *nics[DENALI_NIC_MAX];
	atomic_t net_faulted;	/* a receive ring broke: crash at next entry */
};

/* vm.c: the ioctls on /dev/denali that make, find and end VMs. */
long denali_create_vm(struct denali_create_vm __user *uarg);
long denali_list_vms(struct denali_list_vms __user *uarg);
long denali_destroy_vm(struct denali_vm_ref __user *uarg);
long denali_open_vm(struct denali_vm_ref __user *uarg);

/* vm.c: stop @vm for good with @reason (EXIT/HALT/CRASH); the first stop wins. */
void denali_vm_stop(struct denali_vm *vm, u32 reason, s32 status);

#endif /* DENALI_VM_H */
