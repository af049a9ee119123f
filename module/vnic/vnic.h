/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual NIC's interface to the rest of the module (vnic.c).
 */
#ifndef DENALI_VNIC_H
#define DENALI_VNIC_H

#include <linux/types.h>

#include "uapi/denali.h"

struct denali_vm;

/* Check one NIC's config; a sentence in @err when it is refused. */
int denali_vnic_check_config(const struct denali_nic_config *cfg,
			     unsigned int index, char *err, size_t errlen);
/*
 * Give @vm its @count NICs, registered and with their carrier up (the VM
 * must have its id and name); 0, or -errno with a sentence in @err and
 * no NIC left behind.
 */
int denali_vnic_create(struct denali_vm *vm,
		       const struct denali_nic_config *cfgs,
		       unsigned int count, char *err, size_t errlen);
/* Unregister every NIC of @vm; may be called again. */
void denali_vnic_remove(struct denali_vm *vm);
/* The VM has stopped: carrier down on every NIC. */
void denali_vnic_carrier_off(struct denali_vm *vm);
/* The VM's thread: stop the VM if a receive ring was found broken. */
void denali_vnic_check_faults(struct denali_vm *vm);

/* Host kernel memory of @vm's NICs (devices or switch ports). */
u64 denali_vnic_host_bytes(struct denali_vm *vm);
/* DENALI_GET_NIC_STATS (ABI 0.7); @st is the caller's copy. */
long denali_vnic_get_stats(struct denali_vm *vm, struct denali_nic_stats *st);

/* Hypercalls (docs/ABI.md). */
long denali_hc_net_setup(struct denali_vm *vm, u64 gva);
long denali_hc_net_kick(struct denali_vm *vm, u64 nic);
/* Transmit what every NIC has queued (idle and exit do). */
void denali_vnic_transmit_all(struct denali_vm *vm);

#endif /* DENALI_VNIC_H */
