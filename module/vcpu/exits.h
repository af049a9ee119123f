/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a round trip brought back, and what the monitor does about it
 * (exits.c): the exit's meaning, crash reports.
 */
#ifndef DENALI_EXITS_H
#define DENALI_EXITS_H

#include <linux/types.h>

struct denali_vm;

/* What the switcher reported when the round trip ended. */
struct denali_exit_info {
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
bool denali_handle_exit(struct denali_vm *vm,
			const struct denali_exit_info *exit);

/*
 * Is @exit a first touch of guest memory (handled, not a crash)?  The run
 * loop counts those as DENALI_EXITK_DEMAND.
 */
bool denali_is_demand_fault(const struct denali_vm *vm,
			    const struct denali_exit_info *exit);
/*
 * The VM's thread, before each entry: make the private copies other
 * contexts asked for; stop @vm if a host access could not populate a page.
 */
void denali_check_nomem(struct denali_vm *vm);

/*
 * The VM's thread, between entries: give copy-on-write guest page @idx
 * its private copy and map it writable for the guest.  0 or -errno.
 */
int denali_vm_unshare(struct denali_vm *vm, u64 idx);

/* Stop @vm with a DENALI_CRASH_VREGS report saying what it broke. */
__printf(2, 3) void denali_crash_vregs(struct denali_vm *vm,
				       const char *fmt, ...);
/* Stop @vm with a DENALI_CRASH_NET report naming the NIC, ring and field. */
__printf(2, 3) void denali_crash_net(struct denali_vm *vm,
				     const char *fmt, ...);

#endif /* DENALI_EXITS_H */
