/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Demand-zero guest memory (guest_pages.c): the pages behind a guest's
 * host mapping, allocated, zeroed and charged on first touch.
 *
 * A guest's memory keeps one host mapping, guest address A at
 * mem->host + A, but that mapping starts empty: a page exists only once
 * the guest (a #PF in its memory, handled by the monitor) or the host
 * (denali_guest_ptr(), the image loader) has touched it.  --mem is then a
 * limit, not an allocation.  With DENALI_CREATE_PREALLOC every page the
 * guest may use is populated at creation, as before.
 */
#ifndef DENALI_GUEST_PAGES_H
#define DENALI_GUEST_PAGES_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "guest_mem.h"

struct mem_cgroup;

struct denali_guest_pages {
	spinlock_t lock;		/* installing a page */
	unsigned long *resident;	/* a bit per guest page: populated */
	atomic_long_t count;		/* bits set in @resident */
	struct mem_cgroup *memcg;	/* the creator's: charged for each page */
	unsigned long area_tables;	/* host page-table pages of the mapping */
	/* A host access could not allocate: the VM stops at its next entry. */
	atomic_t nomem;
	int nomem_err;			/* -ENOMEM (memcg, host) or -ENOSPC (cap) */
	u64 nomem_gva;
};

/* Reserve @mem->size bytes of host mapping, empty; the creator's memcg. */
int denali_guest_pages_init(struct denali_guest_mem *mem);
/* Free every populated page and the mapping (process context). */
void denali_guest_pages_destroy(struct denali_guest_mem *mem);

/*
 * Make guest pages [@first, @last] (page numbers) exist, zeroed, each
 * charged to the creator's memory cgroup and to max_total_mem_mb.  May
 * sleep (and reclaim) if @can_sleep; never invokes the OOM killer.  0,
 * -ENOMEM (no page: memory.max or the host), or -ENOSPC (the global cap).
 */
int denali_guest_pages_populate(const struct denali_guest_mem *mem,
				u64 first, u64 last, bool can_sleep);

/* Is guest page @idx populated? */
bool denali_guest_page_resident(const struct denali_guest_mem *mem, u64 idx);

/* Pages populated. */
unsigned long denali_guest_pages_resident(const struct denali_guest_mem *mem);

/* Bytes of host kernel memory the host mapping costs beyond its pages. */
unsigned long denali_guest_pages_overhead(const struct denali_guest_mem *mem);

/* A sentence for a failed populate of @gva with @err. */
void denali_guest_pages_describe(char *buf, size_t len, int err, u64 gva);

#endif /* DENALI_GUEST_PAGES_H */
