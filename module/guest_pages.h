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
struct page;
struct denali_shared_image;

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
	/*
	 * Shared image pages (shared_image.c): a bit per guest page mapped
	 * to one, read-only for host and guest; those of writable segments
	 * are copy-on-write.  A page is either resident or shared, never
	 * both; both bits change only under @lock.
	 */
	unsigned long *shared;
	atomic_long_t shared_count;	/* bits set in @shared */
	struct denali_shared_image *image;	/* their owner, referenced */
	/* Copy-on-write pages another context wanted written. */
	unsigned long *cow_wanted;
	atomic_t cow_pending;		/* some bit of @cow_wanted set */
	atomic64_t cow_refused;		/* such writes refused */
};

/*
 * Count @bytes against max_total_mem_mb (shared image pages, once each);
 * false if that would pass it.
 */
bool denali_guest_mem_charge(u64 bytes);
void denali_guest_mem_uncharge(u64 bytes);

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

/*
 * Map @page of the shared image (whose reference the mapping now holds:
 * @mem's destroy drops it) read-only at guest page @idx, not yet touched.
 * Creation only.
 */
void denali_guest_pages_map_shared(struct denali_guest_mem *mem, u64 idx,
				   struct page *page);
void denali_guest_pages_set_image(struct denali_guest_mem *mem,
				  struct denali_shared_image *si);

/* Is guest page @idx a shared image page? */
bool denali_guest_page_shared(const struct denali_guest_mem *mem, u64 idx);

/*
 * Give guest page @idx, a shared copy-on-write page, a private copy in
 * the host mapping (the VM's thread only, process context, interrupts
 * on: it flushes the host's TLBs).  The guest's entry is the caller's to
 * fix before the guest runs again.  0, -ENOMEM or -ENOSPC.
 */
int denali_guest_pages_unshare(const struct denali_guest_mem *mem, u64 idx);

/*
 * A context other than the VM's thread wanted to write shared page @idx:
 * refuse, and ask the VM's thread to copy it at its next exit.
 */
void denali_guest_pages_want_private(const struct denali_guest_mem *mem,
				     u64 idx);

/* How many such writes were refused so far (a NIC tells a refusal so). */
static inline u64 denali_guest_pages_cow_refused(const struct denali_guest_mem *mem)
{
	return mem->pages ? atomic64_read(&mem->pages->cow_refused) : 0;
}

/* Shared image pages mapped. */
unsigned long denali_guest_pages_shared(const struct denali_guest_mem *mem);

/* Pages populated. */
unsigned long denali_guest_pages_resident(const struct denali_guest_mem *mem);

/* Bytes of host kernel memory the host mapping costs beyond its pages. */
unsigned long denali_guest_pages_overhead(const struct denali_guest_mem *mem);

/* A sentence for a failed populate of @gva with @err. */
void denali_guest_pages_describe(char *buf, size_t len, int err, u64 gva);

#endif /* DENALI_GUEST_PAGES_H */
