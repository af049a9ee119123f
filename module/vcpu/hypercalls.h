/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercalls (hypercalls.c): `int $0x1f`, the number in RAX.
 */
#ifndef DENALI_HYPERCALLS_H
#define DENALI_HYPERCALLS_H

#include <linux/types.h>

struct denali_vm;

/* The hypercall in the guest's registers; true if it stopped the VM. */
bool denali_hypercall(struct denali_vm *vm);

#endif /* DENALI_HYPERCALLS_H */
