/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's page tables: what the CPU can reach while that guest runs.
 */
#ifndef DENALI_ADDRESS_SPACE_H
#define DENALI_ADDRESS_SPACE_H

#include <linux/types.h>

#include "guest_mem.h"

struct denali_aspace {
	u64 *root;		/* top-level table: PML4, or PML5 with LA57 */
	unsigned int levels;	/* 4 or 5, as the host's */
	int mapped_cpu;		/* whose switcher area is mapped, or -1 */
	unsigned long tables;	/* table pages allocated */
};

int denali_aspace_init(struct denali_aspace *as,
		       const struct denali_guest_mem *mem);
void denali_aspace_destroy(struct denali_aspace *as);

/*
 * Map populated guest page @idx for the guest (the VM's thread, may
 * sleep to allocate a table); 0 or -ENOMEM.
 */
int denali_aspace_map_page(struct denali_aspace *as,
			   const struct denali_guest_mem *mem, u64 idx);

/* Map CPU @cpu's switcher area (and unmap the previous CPU's). */
void denali_aspace_enter_cpu(struct denali_aspace *as, unsigned int cpu);

/* The value to load into CR3 to run under @as. */
u64 denali_aspace_cr3(const struct denali_aspace *as);

#endif /* DENALI_ADDRESS_SPACE_H */
