// SPDX-License-Identifier: GPL-2.0
/*
 * Demand-zero guest memory: the pages behind a guest's host mapping.
 *
 * Roadmap:
 *   1. The global cap (module parameter max_total_mem_mb).
 *   2. The host mapping: a vmalloc-range area with no pages in it.
 *   3. Populating a page: allocate, zero, charge, map, mark resident.
 *   4. Teardown and counters.
 *
 * Why a mapping without pages.  Every host access to guest memory goes
 * through host + A (denali_guest_ptr() returns one pointer for a whole
 * range, which may cross pages), so the mapping must stay virtually
 * contiguous.  A module cannot call get_vm_area(), but it can vmap():
 * vmap() of the zero page repeated, with a protection that has no
 * present bit, reserves the area and builds every page table under it,
 * while mapping nothing any CPU can load into its TLB.  The entries are
 * then cleared, and a page is installed in its entry (found with
 * lookup_address(), which never allocates, so it runs in any context)
 * when first touched.
 *
 * TLBs: an entry only ever goes from not present to present while the VM
 * lives, and x86 never caches a not-present translation, so installing
 * needs no flush on any CPU.  The guest's own page tables map the page
 * separately (address_space.c), only from the VM's thread.  At the end,
 * vunmap() clears the entries and Linux flushes (lazily, before the
 * range is reused) as for any vfree(); the pages are freed after it.
 *
 * Concurrency: the VM's thread (guest #PF, hypercalls), writers of
 * console input, and Linux transmitting on a NIC (ndo_start_xmit, in
 * softirq on any CPU) may populate the same page at once.  Each
 * allocates outside the lock and installs under gp->lock; the loser
 * frees its page.  The resident bit is set after the entry, so a reader
 * that sees the bit also sees the mapping.
 *
 * Memory accounting: each page is allocated with __GFP_ACCOUNT inside
 * set_active_memcg() of the creator's memory cgroup (taken at creation),
 * so it is charged to the creator whatever thread touches it, in task or
 * softirq context alike (both 6.1 and 6.12 select the remote memcg of
 * the current context: current->active_memcg, or int_active_memcg
 * outside a task).  __GFP_NORETRY (sleeping) or GFP_NOWAIT (atomic) make
 * an allocation over memory.max fail instead of waking the memcg or
 * global OOM killer: the VM that asked stops, nothing else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>

#include "guest_pages.h"
#include "shared_image.h"

/* ---- 1. the global cap --------------------------------------------------- */

static unsigned int max_total_mem_mb;
module_param(max_total_mem_mb, uint, 0444);
MODULE_PARM_DESC(max_total_mem_mb, "Resident guest memory of all VMs together, in MiB (default: half of RAM)");

static atomic64_t total_charged = ATOMIC64_INIT(0);

static u64 total_cap_bytes(void)
{
	if (max_total_mem_mb)
		return (u64)max_total_mem_mb << 20;
	return (u64)totalram_pages() << PAGE_SHIFT >> 1;
}

/* Reserve @bytes against the global cap; false if it would overflow. */
static bool charge(u64 bytes)
{
	if (atomic64_add_return(bytes, &total_charged) > total_cap_bytes()) {
		atomic64_sub(bytes, &total_charged);
		return false;
	}
	return true;
}

static void uncharge(u64 bytes)
{
	atomic64_sub(bytes, &total_charged);
}

bool denali_guest_mem_charge(u64 bytes)
{
	return charge(bytes);
}

void denali_guest_mem_uncharge(u64 bytes)
{
	uncharge(bytes);
}

/* ---- 2. the host mapping -------------------------------------------------- */

/*
 * The kernel's entry for @addr in our area.  lookup_address() walks
 * Linux's own kernel tables (init_mm, which a module cannot name) and
 * returns the 4 KiB entry even when it is not present; vmap() built every
 * table above it, and nothing frees them while the area exists.
 */
static pte_t *area_entry(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	if (WARN_ON_ONCE(!pte || level != PG_LEVEL_4K))
		return NULL;
	return pte;
}

/* Page-table pages under [start, start + size): one per 2 MiB, and up. */
static unsigned long tables_for(u64 size)
{
	return DIV_ROUND_UP(size, PMD_SIZE) + DIV_ROUND_UP(size, PUD_SIZE);
}

int denali_guest_pages_init(struct denali_guest_mem *mem)
{
	unsigned long n = mem->size >> PAGE_SHIFT, i;
	struct denali_guest_pages *gp;
	struct page **zero;
	void *area;
	int err = -ENOMEM;

	/* vmap() refuses (with a warning) more pages than the machine has. */
	if (n > totalram_pages())
		return -E2BIG;
	gp = kzalloc(sizeof(*gp), GFP_KERNEL_ACCOUNT);
	if (!gp)
		return -ENOMEM;
	spin_lock_init(&gp->lock);
	gp->resident = bitmap_zalloc(n, GFP_KERNEL_ACCOUNT);
	gp->shared = bitmap_zalloc(n, GFP_KERNEL_ACCOUNT);
	gp->cow_wanted = bitmap_zalloc(n, GFP_KERNEL_ACCOUNT);
	zero = kvmalloc_array(n, sizeof(*zero), GFP_KERNEL);
	if (!gp->resident || !gp->shared || !gp->cow_wanted || !zero)
		goto fail;
	for (i = 0; i < n; i++)
		zero[i] = ZERO_PAGE(0);
	/* No _PAGE_PRESENT: the entries exist but nothing is mapped. */
	area = vmap(zero, n, VM_MAP, __pgprot(0));
	kvfree(zero);
	zero = NULL;
	if (!area)
		goto fail;
	for (i = 0; i < n; i++) {
		pte_t *pte = area_entry((unsigned long)area + i * PAGE_SIZE);

		if (!pte) {
			vunmap(area);
			goto fail;
		}
		set_pte(pte, __pte(0));
	}
	gp->memcg = get_mem_cgroup_from_mm(current->mm);
	gp->area_tables = tables_for(mem->size);
	mem->host = area;
	mem->pages = gp;
	return 0;
fail:
	kvfree(zero);
	bitmap_free(gp->resident);
	bitmap_free(gp->shared);
	bitmap_free(gp->cow_wanted);
	kfree(gp);
	return err;
}

/* ---- 3. populating ------------------------------------------------------- */

bool denali_guest_page_resident(const struct denali_guest_mem *mem, u64 idx)
{
	if (!test_bit(idx, mem->pages->resident))
		return false;
	smp_rmb();	/* the entry was written before the bit */
	return true;
}

static int populate_one(const struct denali_guest_mem *mem, u64 idx,
			gfp_t gfp)
{
	struct denali_guest_pages *gp = mem->pages;
	unsigned long addr = (unsigned long)mem->host + (idx << PAGE_SHIFT);
	struct mem_cgroup *old;
	struct page *page;
	unsigned long flags;
	pte_t *pte;
	int err;

	/* A shared image page exists too: reads see the image's bytes. */
	if (denali_guest_page_resident(mem, idx) ||
	    denali_guest_page_shared(mem, idx))
		return 0;
	if (!charge(PAGE_SIZE))
		return -ENOSPC;
	old = set_active_memcg(gp->memcg);
	page = alloc_page(gfp | __GFP_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	set_active_memcg(old);
	if (!page) {
		uncharge(PAGE_SIZE);
		return -ENOMEM;
	}

	spin_lock_irqsave(&gp->lock, flags);
	if (test_bit(idx, gp->resident) || test_bit(idx, gp->shared)) {
		/* Another context installed it meanwhile. */
		spin_unlock_irqrestore(&gp->lock, flags);
		__free_page(page);
		uncharge(PAGE_SIZE);
		return 0;
	}
	pte = area_entry(addr);
	err = pte ? 0 : -EFAULT;
	if (!err) {
		set_pte(pte, mk_pte(page, PAGE_KERNEL));
		smp_wmb();	/* the entry before the bit */
		set_bit(idx, gp->resident);
		atomic_long_inc(&gp->count);
	}
	spin_unlock_irqrestore(&gp->lock, flags);
	if (WARN_ON_ONCE(err)) {
		__free_page(page);
		uncharge(PAGE_SIZE);
		return -ENOMEM;
	}
	return 0;
}

int denali_guest_pages_populate(const struct denali_guest_mem *mem,
				u64 first, u64 last, bool can_sleep)
{
	gfp_t gfp = can_sleep ? GFP_KERNEL | __GFP_NORETRY : GFP_NOWAIT;
	u64 idx;
	int err;

	for (idx = first; idx <= last; idx++) {
		err = populate_one(mem, idx, gfp);
		if (err)
			return err;
		if (can_sleep && need_resched())
			cond_resched();
	}
	return 0;
}

/* ---- 3b. shared image pages -------------------------------------------- */

/*
 * Why this is safe.  A shared page is mapped at creation, before anyone
 * else can reach the VM, from not present to present and read-only
 * (PAGE_KERNEL_RO): no host context can write it through this mapping,
 * and the guest's entry (address_space.c) is read-only too.  Mapping
 * every shared page at creation, rather than on first touch, means no
 * guest can time a fault to learn whether the page existed before it.
 *
 * A copy-on-write page becomes private in one place only: the VM's own
 * thread, between two guest entries (a guest write fault, a hypercall
 * that writes guest memory, or a request below), when no CPU runs the
 * guest.  That changes a present host entry into another present one,
 * so the old translation is flushed from every CPU's TLB (an IPI to
 * each, which needs interrupts on: this thread never does it with them
 * off, and no other context ever changes a present entry).  Meanwhile a NIC receiving in softirq on
 * another CPU may hold the old translation: it only ever reads through
 * it (a write to a shared page is refused before the pointer is formed,
 * while the bit is set, under no lock but ordered by @lock's release),
 * and the shared page, held by the VM's reference to the image, holds
 * the same bytes as the copy until the guest runs again.  A write from
 * that context that finds the bit set is refused (the frame dropped and
 * counted) and asks the VM's thread to make the copy at its next exit:
 * changing the page under a guest that may be running on another CPU,
 * with the shared page in its TLB, would let the guest read the old
 * bytes after the host had written the new ones.
 */
bool denali_guest_page_shared(const struct denali_guest_mem *mem, u64 idx)
{
	return mem->pages && test_bit(idx, mem->pages->shared);
}

void denali_guest_pages_set_image(struct denali_guest_mem *mem,
				  struct denali_shared_image *si)
{
	mem->pages->image = si;
}

void denali_guest_pages_map_shared(struct denali_guest_mem *mem, u64 idx,
				   struct page *page)
{
	struct denali_guest_pages *gp = mem->pages;
	unsigned long addr = (unsigned long)mem->host + (idx << PAGE_SHIFT);
	unsigned long flags;
	pte_t *pte = area_entry(addr);

	if (!pte)
		return;
	spin_lock_irqsave(&gp->lock, flags);
	if (!WARN_ON_ONCE(test_bit(idx, gp->resident) ||
			  test_bit(idx, gp->shared))) {
		set_pte(pte, mk_pte(page, PAGE_KERNEL_RO));
		smp_wmb();	/* the entry before the bit */
		set_bit(idx, gp->shared);
		atomic_long_inc(&gp->shared_count);
	}
	spin_unlock_irqrestore(&gp->lock, flags);
}

static void flush_local_tlb(void *unused)
{
	__flush_tlb_all();
}

/*
 * Every CPU's TLB, global entries and every PCID's included.  Linux does
 * not export flush_tlb_kernel_range() to modules; a single INVLPG per CPU
 * would miss the non-global copies (PTI) other PCIDs may hold.  A page
 * becomes private at most once per VM and page, so the cost is bounded
 * by the image's writable pages.  Interrupts on, process context.
 */
static void flush_host_tlbs(void)
{
	on_each_cpu(flush_local_tlb, NULL, 1);
}

int denali_guest_pages_unshare(const struct denali_guest_mem *mem, u64 idx)
{
	struct denali_guest_pages *gp = mem->pages;
	unsigned long addr = (unsigned long)mem->host + (idx << PAGE_SHIFT);
	struct page *page, *old;
	struct mem_cgroup *memcg;
	unsigned long flags;
	pte_t *pte;

	might_sleep();
	if (!test_bit(idx, gp->shared))
		return 0;
	pte = area_entry(addr);
	old = vmalloc_to_page((void *)addr);
	if (WARN_ON_ONCE(!pte || !old))
		return -ENOMEM;
	if (!charge(PAGE_SIZE))
		return -ENOSPC;
	memcg = set_active_memcg(gp->memcg);
	page = alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_ACCOUNT |
			  __GFP_NOWARN);
	set_active_memcg(memcg);
	if (!page) {
		uncharge(PAGE_SIZE);
		return -ENOMEM;
	}
	copy_page(page_address(page), page_address(old));

	spin_lock_irqsave(&gp->lock, flags);
	set_pte(pte, mk_pte(page, PAGE_KERNEL));
	smp_wmb();	/* the entry before the bits */
	/* Resident before not shared: no reader sees neither and populates. */
	set_bit(idx, gp->resident);
	atomic_long_inc(&gp->count);
	smp_wmb();	/* resident before not shared (see above) */
	clear_bit(idx, gp->shared);
	atomic_long_dec(&gp->shared_count);
	clear_bit(idx, gp->cow_wanted);
	spin_unlock_irqrestore(&gp->lock, flags);
	/* Present to present: no CPU may keep the shared translation. */
	flush_host_tlbs();
	return 0;
}

void denali_guest_pages_want_private(const struct denali_guest_mem *mem,
				     u64 idx)
{
	struct denali_guest_pages *gp = mem->pages;

	set_bit(idx, gp->cow_wanted);
	atomic64_inc(&gp->cow_refused);
	smp_mb__before_atomic();	/* the bit before the flag */
	atomic_set(&gp->cow_pending, 1);
}

unsigned long denali_guest_pages_shared(const struct denali_guest_mem *mem)
{
	return mem->pages ? atomic_long_read(&mem->pages->shared_count) : 0;
}

void denali_guest_pages_describe(char *buf, size_t len, int err, u64 gva)
{
	if (err == -ENOSPC)
		snprintf(buf, len, "out of memory at 0x%llx: max_total_mem_mb (%llu MiB) reached",
			 gva, total_cap_bytes() >> 20);
	else
		snprintf(buf, len, "out of memory at 0x%llx: memory cgroup limit or host memory",
			 gva);
}

/* ---- 4. teardown and counters ------------------------------------------- */

void denali_guest_pages_destroy(struct denali_guest_mem *mem)
{
	struct denali_guest_pages *gp = mem->pages;
	unsigned long n = mem->size >> PAGE_SHIFT, idx, freed = 0;
	struct page *page, *next;
	LIST_HEAD(pages);

	if (!gp)
		return;
	/*
	 * Find the pages while they are mapped (a page we allocated is ours
	 * to list on its lru), unmap, then free them: the mapping never
	 * points at a freed page.
	 */
	for_each_set_bit(idx, gp->resident, n) {
		page = vmalloc_to_page(mem->host + (idx << PAGE_SHIFT));
		if (!WARN_ON_ONCE(!page))
			list_add(&page->lru, &pages);
	}
	vunmap(mem->host);
	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		__free_page(page);
		freed++;
	}
	uncharge((u64)freed << PAGE_SHIFT);
	/* Unmapped above: the image's pages may go with its last VM. */
	if (gp->image)
		denali_shared_put(gp->image);
	mem_cgroup_put(gp->memcg);
	bitmap_free(gp->resident);
	bitmap_free(gp->shared);
	bitmap_free(gp->cow_wanted);
	kfree(gp);
	mem->pages = NULL;
	mem->host = NULL;
}

unsigned long denali_guest_pages_resident(const struct denali_guest_mem *mem)
{
	return mem->pages ? atomic_long_read(&mem->pages->count) : 0;
}

unsigned long denali_guest_pages_overhead(const struct denali_guest_mem *mem)
{
	const struct denali_guest_pages *gp = mem->pages;

	if (!gp)
		return 0;
	return (gp->area_tables << PAGE_SHIFT) + sizeof(*gp) +
	       3 * BITS_TO_LONGS(mem->size >> PAGE_SHIFT) * sizeof(long);
}
