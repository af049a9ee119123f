// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page tables.
 *
 * A guest runs on page tables of our own making, with as many levels as
 * the host's (4, or 5 with LA57) so that the switcher keeps its host
 * virtual addresses.  They map exactly three things:
 *  - guest memory [0, mem_size) as user pages, with the permissions the
 *    image loader recorded (the null page and reserved pages absent, NX
 *    wherever the image did not ask for execution);
 *  - the switcher's code, supervisor-only and read-only;
 *  - the switcher area of the one CPU the guest is running on,
 *    supervisor-only and NX: when the guest moves to another CPU, the old
 *    area is unmapped first, so no guest can ever reach the registers
 *    another guest left in another CPU's area.
 * Nothing is global: every guest CR3 load flushes the last guest's
 * translations (PCID 0, which Linux never uses for itself).
 *
 * The tables for every CPU's area are allocated at creation, so that
 * moving CPUs, done with interrupts off just before entry, never
 * allocates.  Guest memory is mapped as it is populated (guest_pages.c):
 * a page's entry, and any table above it, is added by the VM's own
 * thread when the guest first touches it, so a VM's tables grow with
 * what it touches, not with its --mem.  Shared image pages are mapped at
 * creation, read-only; a copy-on-write one is remapped, writable, to its
 * private copy on the first write.  Only the VM's thread writes the
 * tables, between guest entries: every guest entry reloads CR3 with PCID
 * 0, so no stale guest translation survives a change.
 */
#include <linux/gfp.h>
#include <linux/mem_encrypt.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#include "address_space.h"
#include "guest_pages.h"
#include "switcher.h"

#define TABLE_USER	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define TABLE_KERNEL	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)

static u64 pte_nx(void)
{
	return _PAGE_NX & __supported_pte_mask;
}

static u64 *table_of(u64 entry)
{
	return __va(entry & PTE_PFN_MASK);
}

/*
 * The leaf entry for @va, creating missing tables if @alloc (then the new
 * upper-level entries are user or supervisor as @user says; the two never
 * share a table, living in different halves of the address space).
 */
static u64 *walk(struct denali_aspace *as, unsigned long va, bool alloc,
		 bool user)
{
	u64 *table = as->root;
	unsigned int level;

	for (level = as->levels; level > 1; level--) {
		unsigned int idx = (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;

		if (!(table[idx] & _PAGE_PRESENT)) {
			u64 *next;

			if (!alloc)
				return NULL;
			/* No OOM killer for a guest's tables either. */
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT |
						      __GFP_NORETRY |
						      __GFP_NOWARN);
			if (!next)
				return NULL;
			as->tables++;
			table[idx] = __sme_set(__pa(next)) |
				     (user ? TABLE_USER : TABLE_KERNEL);
		}
		table = table_of(table[idx]);
	}
	return &table[(va >> PAGE_SHIFT) & 511];
}

static u64 leaf(struct page *page, u64 flags)
{
	return __sme_set(page_to_phys(page)) | flags;
}

/* The guest's entry for guest page @i, as its permission byte says. */
static int map_one(struct denali_aspace *as,
		   const struct denali_guest_mem *mem, u64 i)
{
	u8 prot = mem->prot[i];
	u64 flags, *pte;

	flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
	/*
	 * A shared image page is read-only whatever its segment asks: a
	 * write to a copy-on-write one faults, and the monitor copies it.
	 */
	if ((prot & DENALI_PAGE_WRITE) && !denali_guest_page_shared(mem, i))
		flags |= _PAGE_RW;
	if (!(prot & DENALI_PAGE_EXEC))
		flags |= pte_nx();
	pte = walk(as, i << PAGE_SHIFT, true, true);
	if (!pte)
		return -ENOMEM;
	*pte = leaf(vmalloc_to_page(mem->host + (i << PAGE_SHIFT)), flags);
	return 0;
}

/*
 * What exists at creation: every page with prealloc, else only those the
 * loader and the virtual registers touched.  The rest, and the tables
 * above it, come one first touch at a time (denali_aspace_map_page()).
 */
static int map_guest_memory(struct denali_aspace *as,
			    const struct denali_guest_mem *mem)
{
	u64 pages = mem->size >> PAGE_SHIFT, i;
	int err;

	for (i = 0; i < pages; i++) {
		if (!(mem->prot[i] & DENALI_PAGE_PRESENT))
			continue;
		if (mem->pages && !denali_guest_page_resident(mem, i) &&
		    !denali_guest_page_shared(mem, i))
			continue;
		err = map_one(as, mem, i);
		if (err)
			return err;
		if (need_resched())
			cond_resched();
	}
	return 0;
}

int denali_aspace_map_page(struct denali_aspace *as,
			   const struct denali_guest_mem *mem, u64 idx)
{
	return map_one(as, mem, idx);
}

static int map_switcher(struct denali_aspace *as)
{
	unsigned long va = denali_switcher_text_va();
	unsigned long end = va + denali_switcher_text_size();
	unsigned int cpu, i;
	u64 *pte;

	for (; va < end; va += PAGE_SIZE) {
		pte = walk(as, va, true, false);
		if (!pte)
			return -ENOMEM;
		*pte = leaf(vmalloc_to_page((void *)va),
			    _PAGE_PRESENT | _PAGE_ACCESSED);
	}
	/* Tables only: the leaves are filled for one CPU at a time. */
	for_each_possible_cpu(cpu) {
		for (i = 0; i < DENALI_SW_PAGES; i++) {
			va = denali_switcher_area_va(cpu) + i * PAGE_SIZE;
			if (!walk(as, va, true, false))
				return -ENOMEM;
		}
	}
	return 0;
}

int denali_aspace_init(struct denali_aspace *as,
		       const struct denali_guest_mem *mem)
{
	int err;

	as->levels = pgtable_l5_enabled() ? 5 : 4;
	as->mapped_cpu = -1;
	as->tables = 1;
	as->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!as->root)
		return -ENOMEM;
	err = map_guest_memory(as, mem);
	if (!err)
		err = map_switcher(as);
	if (err)
		denali_aspace_destroy(as);
	return err;
}

static void free_table(u64 *table, unsigned int level)
{
	unsigned int i;

	if (level > 1)
		for (i = 0; i < 512; i++)
			if (table[i] & _PAGE_PRESENT)
				free_table(table_of(table[i]), level - 1);
	free_page((unsigned long)table);
}

void denali_aspace_destroy(struct denali_aspace *as)
{
	if (as->root)
		free_table(as->root, as->levels);
	as->root = NULL;
}

static void set_area_leaves(struct denali_aspace *as, unsigned int cpu,
			    bool map)
{
	unsigned int i;

	for (i = 0; i < DENALI_SW_PAGES; i++) {
		unsigned long va = denali_switcher_area_va(cpu) + i * PAGE_SIZE;
		u64 *pte = walk(as, va, false, false);

		if (WARN_ON_ONCE(!pte))
			return;
		*pte = map ? leaf(vmalloc_to_page((void *)va),
				  _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED |
				  _PAGE_DIRTY | pte_nx()) : 0;
	}
}

void denali_aspace_enter_cpu(struct denali_aspace *as, unsigned int cpu)
{
	if (as->mapped_cpu == (int)cpu)
		return;
	if (as->mapped_cpu >= 0)
		set_area_leaves(as, as->mapped_cpu, false);
	set_area_leaves(as, cpu, true);
	as->mapped_cpu = cpu;
}

u64 denali_aspace_cr3(const struct denali_aspace *as)
{
	return __sme_set(__pa(as->root));
}
