/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's memory as the host sees it, and the one checked accessor
 * through which every guest address is turned into a host pointer.
 *
 * Guest memory is one host mapping: guest address A lives at host + A.
 * In the module its pages exist only once touched (guest_pages.h: the
 * accessor populates what it returns, so the host sees zeros for pages
 * the guest never touched); host tests give a plain buffer.  Beside it, one byte per guest page says how the guest may use
 * the page (DENALI_PAGE_*); the page tables are built from that map, and
 * the accessor honours it, so the host never reads a guest address the
 * guest itself could not.
 *
 * This header is shared by the module and by host-side unit tests
 * (selftests/host/), which compile the pure parts (guest_mem.c helpers,
 * image.c) against a small shim; keep it free of kernel-only types.
 */
#ifndef DENALI_GUEST_MEM_H
#define DENALI_GUEST_MEM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "kshim.h"
#endif

/* Bits of a guest page's entry in the permission map. */
#define DENALI_PAGE_PRESENT	0x01	/* mapped for the guest (readable) */
#define DENALI_PAGE_WRITE	0x02	/* writable */
#define DENALI_PAGE_EXEC	0x04	/* executable (else NX) */
#define DENALI_PAGE_PLACED	0x40	/* loader only: file bytes placed */
#define DENALI_PAGE_SEGMENT	0x80	/* loader only: claimed by a PT_LOAD */

#define DENALI_PAGE_SHIFT	12
#define DENALI_PAGE_BYTES	(1ull << DENALI_PAGE_SHIFT)

struct denali_guest_mem {
	u8 *host;	/* host mapping of guest addresses [0, size) */
	u64 size;	/* bytes, a multiple of DENALI_PAGE_BYTES */
	u8 *prot;	/* size >> DENALI_PAGE_SHIFT entries */
	/* The module's demand-zero pages (guest_pages.h); NULL: all there. */
	struct denali_guest_pages *pages;
};

/*
 * Fill @mem->prot with the layout every guest starts from (docs/ABI.md):
 * the null page and the reserved pages below DENALI_GUEST_IMAGE_BASE
 * absent, except the virtual-register pages (read-only at
 * DENALI_GUEST_VREGS_RO, writable at DENALI_GUEST_VREGS_RW); everything
 * else present, writable and not executable.
 */
void denali_guest_mem_default_prot(struct denali_guest_mem *mem);

/*
 * The host pointer for guest bytes [@gva, @gva + @len), or NULL unless
 * every byte is in a page the guest has mapped with at least @need
 * (DENALI_PAGE_PRESENT, optionally | DENALI_PAGE_WRITE) and the range does
 * not wrap.  With @len 0, the page holding @gva must still be mapped.
 * Pages of the range not yet populated are populated (zeroed, charged):
 * sleeping if the caller may, else without; NULL if that fails, and the
 * VM then stops with an out-of-memory report at its next entry.  Safe in
 * softirq context.
 */
void *denali_guest_ptr(const struct denali_guest_mem *mem, u64 gva, u64 len,
		       u8 need);

#endif /* DENALI_GUEST_MEM_H */
