/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a round trip brought back, and what the monitor does about it.
 */
#ifndef DENALI_EXITS_H
#define DENALI_EXITS_H

#include <linux/types.h>

struct denali_vm;

struct denali_exit {
	unsigned int code;	/* vector, or DENALI_EXIT_* (switcher.h) */
	unsigned int cpu;
	u64 cr2;
	/* _INTERNAL and _UNRECOVERABLE only: */
	u64 fault_vector, fault_rip, fault_error_code;
	/*
	 * A #PF that was the outer hypervisor's async "page not present"
	 * (we are a KVM guest), not the guest's: waited for, not a crash.
	 */
	bool async_pf;
};

/* Act on an exit; true when the VM has stopped. */
bool denali_handle_exit(struct denali_vm *vm, const struct denali_exit *exit);

/* hypercalls.c: the hypercall in the guest's registers; true if stopped. */
bool denali_hypercall(struct denali_vm *vm);

/* Stop @vm with a DENALI_CRASH_VREGS report saying what it broke. */
__printf(2, 3) void denali_crash_vregs(struct denali_vm *vm,
				       const char *fmt, ...);
/* Stop @vm with a DENALI_CRASH_NET report naming the NIC, ring and field. */
__printf(2, 3) void denali_crash_net(struct denali_vm *vm,
				     const char *fmt, ...);

/* vregs.c, for the run loop and the hypercalls (see there). */
void denali_clock_publish(struct denali_vm *vm);
u64 denali_clock_now(struct denali_vm *vm);
bool denali_upcall_due(const struct denali_vm *vm);
bool denali_upcall_deliver(struct denali_vm *vm);
bool denali_upcall_return(struct denali_vm *vm);
void denali_idle_start(struct denali_vm *vm, u64 timeout_ns);
int denali_idle_wait(struct denali_vm *vm);

#endif /* DENALI_EXITS_H */
