// SPDX-License-Identifier: GPL-2.0
/*
 * The checked accessor for guest memory (see guest_mem.h).  Everything
 * the host reads or writes on a guest's behalf comes through
 * denali_guest_ptr(): hypercall buffers, crash-report instruction bytes,
 * the image loader's checks.  Pure logic, also built for host tests.
 */
#ifdef __KERNEL__
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/nospec.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "uapi/denali.h"
#include "exits.h"
#include "guest_pages.h"
#include "vm.h"
#else
#include <string.h>
#include "uapi/denali.h"
/* Host tests: no speculation to fence. */
#define array_index_nospec(index, size) (index)
#endif

#include "guest_mem.h"

void denali_guest_mem_default_prot(struct denali_guest_mem *mem)
{
	u64 pages = mem->size >> DENALI_PAGE_SHIFT;
	u64 first = DENALI_GUEST_IMAGE_BASE >> DENALI_PAGE_SHIFT;

	if (first > pages)
		first = pages;
	memset(mem->prot, 0, first);
	memset(mem->prot + first, DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE,
	       pages - first);
	/* The virtual-register pages: one the guest reads, one it writes. */
	if (pages <= DENALI_GUEST_VREGS_RW >> DENALI_PAGE_SHIFT)
		return;
	mem->prot[DENALI_GUEST_VREGS_RO >> DENALI_PAGE_SHIFT] =
		DENALI_PAGE_PRESENT;
	mem->prot[DENALI_GUEST_VREGS_RW >> DENALI_PAGE_SHIFT] =
		DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE;
}

#ifdef __KERNEL__
/*
 * May this context sleep to allocate?  Callers hold no spinlock and are
 * not in softirq except Linux transmitting on a NIC; without a preempt
 * count to tell, assume not.
 */
static bool may_sleep(void)
{
	return IS_ENABLED(CONFIG_PREEMPT_COUNT) && preemptible() &&
	       !rcu_preempt_depth();
}

/* Page @idx could not be made: the VM stops at its next entry. */
static void note_nomem(struct denali_guest_pages *gp, int err, u64 idx)
{
	/* The first failure is the one reported: 1 claims it, 2 has it. */
	if (atomic_cmpxchg(&gp->nomem, 0, 1) == 0) {
		gp->nomem_err = err;
		gp->nomem_gva = idx << DENALI_PAGE_SHIFT;
		smp_wmb();	/* the details before the flag */
		atomic_set(&gp->nomem, 2);
	}
}

/*
 * A write to guest pages [@first, @last]: none may be a shared image
 * page.  The VM's own thread, between guest entries, makes private
 * copies of copy-on-write ones (and fixes the guest's entries before it
 * runs again); any other context, which may run while the guest does on
 * another CPU, is refused and leaves the copy to that thread's next exit
 * (guest_pages.c, "Why this is safe").  Pages of read-only segments
 * never get here: the permission map refused the write already.
 */
static bool unshared(const struct denali_guest_mem *mem, u64 first, u64 last)
{
	struct denali_vm *vm = container_of(mem, struct denali_vm, mem);
	bool own;
	u64 idx;
	int err;

	/* Its hypercalls run in its thread in task context: never softirq. */
	own = READ_ONCE(vm->running) == current && !in_interrupt() &&
	      !irqs_disabled() &&
	      (!IS_ENABLED(CONFIG_PREEMPT_COUNT) || preemptible());

	for (idx = first; idx <= last; idx++) {
		if (!denali_guest_page_shared(mem, idx))
			continue;
		if (!own) {
			denali_guest_pages_want_private(mem, idx);
			return false;
		}
		err = denali_vm_unshare(vm, idx);
		if (err) {
			note_nomem(mem->pages, err, idx);
			return false;
		}
	}
	return true;
}

/* Guest pages [@first, @last] all populated (now, if they were not). */
static bool populated(const struct denali_guest_mem *mem, u64 first, u64 last)
{
	struct denali_guest_pages *gp = mem->pages;
	u64 idx;
	int err;

	for (idx = first; idx <= last; idx++)
		if (!denali_guest_page_resident(mem, idx))
			break;
	if (idx > last)
		return true;
	err = denali_guest_pages_populate(mem, idx, last, may_sleep());
	if (!err)
		return true;
	note_nomem(gp, err, idx);
	return false;
}
#endif

void *denali_guest_ptr(const struct denali_guest_mem *mem, u64 gva, u64 len,
		       u8 need)
{
	u64 end, page, last;

	need |= DENALI_PAGE_PRESENT;
	if (gva >= mem->size)
		return NULL;
	/*
	 * Guest values index host memory below: past each bound check, a
	 * mispredicted branch must not form an address outside the guest.
	 */
	gva = array_index_nospec(gva, mem->size);
	/* Overflow-safe: gva < size, so size - gva cannot wrap. */
	if (len > mem->size - gva)
		return NULL;
	len = array_index_nospec(len, mem->size - gva + 1);
	end = gva + len;
	last = len ? (end - 1) >> DENALI_PAGE_SHIFT : gva >> DENALI_PAGE_SHIFT;
	for (page = gva >> DENALI_PAGE_SHIFT; page <= last; page++)
		if ((mem->prot[page] & need) != need)
			return NULL;
#ifdef __KERNEL__
	if (mem->pages && (need & DENALI_PAGE_WRITE) &&
	    !unshared(mem, gva >> DENALI_PAGE_SHIFT, last))
		return NULL;
	if (mem->pages && !populated(mem, gva >> DENALI_PAGE_SHIFT, last))
		return NULL;
#endif
	return mem->host + gva;
}
