/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a round trip brought back, and what the monitor does about it.
 */
#ifndef DENALI_EXITS_H
#define DENALI_EXITS_H

#include <linux/types.h>

struct denali_vm;

struct denali_exit {
	unsigned int code;	/* vector, or DENALI_EXIT_ABORTED/_INTERNAL */
	unsigned int cpu;
	u64 cr2;
	u64 fault_vector, fault_rip, fault_error_code;	/* _INTERNAL only */
};

/* Act on an exit; true when the VM has stopped. */
bool denali_handle_exit(struct denali_vm *vm, const struct denali_exit *exit);

/* hypercalls.c: the hypercall in the guest's registers; true if stopped. */
bool denali_hypercall(struct denali_vm *vm);

#endif /* DENALI_EXITS_H */
