// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: anonymous mmap, munmap, mremap and madvise over a page
 * allocator in guest memory.
 *
 * A guest has one flat range of memory and no paging of its own, so
 * "mapping" a page only means handing it out: one bit per page, from
 * the first page after the image to the bottom of the initial stack's
 * reserve at the top of memory.  Pages handed out are always zero:
 * memory comes zeroed from the monitor, and every page is zeroed again
 * when it is given back.  When no run of free pages is long enough the
 * call fails with ENOMEM, honestly: there is nothing to overcommit.
 *
 * What cannot be had without paging: protections (mprotect succeeds
 * and changes nothing: every page stays readable and writable, and no
 * guard page stops a stack overflow), file mappings other than private
 * copies of the read-only tree's files (files.c), shared
 * mappings between processes (there is one process).  brk never grows
 * (it returns the current break, which is how Linux says no); musl's
 * malloc then takes its memory from mmap.
 */
#include "posix.h"

#define PAGE		4096ul
#define PROT_MASK	0x7
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#define MADV_DONTNEED	4
#define MADV_FREE	8

/* Guest memory is at most this (the monitor's max_vm_mem_mb default). */
#define MAX_PAGES	(1024ul * 1024 * 1024 / PAGE)
#define WORD_BITS	64

static unsigned long page_bits[MAX_PAGES / WORD_BITS];
static unsigned long heap_base, heap_pages;

void ilwaco_memory_init(void)
{
	unsigned long top = ilwaco_mem_size, reserve;

	/* The initial stack: 1 MiB, or an eighth of a small guest. */
	reserve = top >= 16 * 1024 * 1024 ? 1024 * 1024 : top / 8;
	reserve = (reserve + PAGE - 1) & ~(PAGE - 1);
	heap_base = ((unsigned long)_end + PAGE - 1) & ~(PAGE - 1);
	if (top - reserve <= heap_base)
		heap_pages = 0;
	else
		heap_pages = (top - reserve - heap_base) / PAGE;
	if (heap_pages > MAX_PAGES)
		heap_pages = MAX_PAGES;
}

static int page_used(unsigned long i)
{
	return page_bits[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

static void mark(unsigned long first, unsigned long n, int used)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		if (used)
			page_bits[i / WORD_BITS] |= 1ul << (i % WORD_BITS);
		else
			page_bits[i / WORD_BITS] &= ~(1ul << (i % WORD_BITS));
	}
}

static int range_free(unsigned long first, unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n; i++)
		if (page_used(i))
			return 0;
	return 1;
}

/* First fit: the lowest run of @n free pages, or -1. */
static long find_free(unsigned long n)
{
	unsigned long i = 0, run = 0;

	while (i < heap_pages) {
		if (!(i % WORD_BITS) && page_bits[i / WORD_BITS] == ~0ul) {
			i += WORD_BITS;
			run = 0;
			continue;
		}
		run = page_used(i) ? 0 : run + 1;
		i++;
		if (run == n)
			return i - n;
	}
	return -1;
}

static void *page_addr(unsigned long i)
{
	return (void *)(heap_base + i * PAGE);
}

/*
 * The pages of [@addr, @addr + @len) as a first page and count, if the
 * range is page-aligned and inside the heap; else -EINVAL.
 */
static long to_pages(unsigned long addr, unsigned long len,
		     unsigned long *first, unsigned long *n)
{
	if (addr % PAGE || addr < heap_base || !len)
		return -L_EINVAL;
	len = (len + PAGE - 1) & ~(PAGE - 1);
	*first = (addr - heap_base) / PAGE;
	*n = len / PAGE;
	if (*first >= heap_pages || *n > heap_pages - *first)
		return -L_EINVAL;
	return 0;
}

/* Give pages back: zeroed now, so that every page handed out is zero. */
static void release(unsigned long first, unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		if (page_used(i)) {
			memset(page_addr(i), 0, PAGE);
			mark(i, 1, 0);
		}
	}
}

SYSCALL_DEFINE(brk)
{
	/* Never grows: the answer is the break as it stands. */
	return heap_base;
}

SYSCALL_DEFINE(mmap)
{
	unsigned long addr = a1, len = a2, first, n;
	long flags = a4, at;

	if (!len || len > heap_pages * PAGE)
		return len ? -L_ENOMEM : -L_EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return ilwaco_file_mmap(len, a3, flags, a5, a6);
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 || (a3 & ~PROT_MASK))
		return -L_EINVAL;
	n = (len + PAGE - 1) / PAGE;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (to_pages(addr, len, &first, &n))
			return -L_ENOMEM;
		if (!range_free(first, n)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -17;	/* EEXIST */
			release(first, n);	/* the old mapping goes */
		}
		mark(first, n, 1);
		return addr;
	}
	at = find_free(n);
	if (at < 0)
		return -L_ENOMEM;
	mark(at, n, 1);
	return (long)page_addr(at);
}

SYSCALL_DEFINE(munmap)
{
	unsigned long first, n;

	if ((unsigned long)a1 % PAGE || !a2)
		return -L_EINVAL;
	/* Unmapping what was never mapped here succeeds, as on Linux. */
	if (to_pages(a1, a2, &first, &n))
		return 0;
	release(first, n);
	return 0;
}

SYSCALL_DEFINE(mremap)
{
	unsigned long old = a1, first, n, want, i;
	long at;

	if (a4 & MREMAP_FIXED)
		return -L_EINVAL;
	if (to_pages(old, a2, &first, &n) || !a3)
		return -L_EINVAL;
	want = ((unsigned long)a3 + PAGE - 1) / PAGE;
	for (i = first; i < first + n; i++)
		if (!page_used(i))
			return -L_EFAULT;
	if (want <= n) {
		release(first + want, n - want);
		return old;
	}
	if (first + want <= heap_pages && range_free(first + n, want - n)) {
		mark(first + n, want - n, 1);
		return old;
	}
	if (!(a4 & MREMAP_MAYMOVE))
		return -L_ENOMEM;
	at = find_free(want);
	if (at < 0)
		return -L_ENOMEM;
	mark(at, want, 1);
	memcpy(page_addr(at), (void *)old, n * PAGE);
	release(first, n);
	return (long)page_addr(at);
}

SYSCALL_DEFINE(madvise)
{
	unsigned long first, n, i;

	if ((unsigned long)a1 % PAGE)
		return -L_EINVAL;
	if ((a3 == MADV_DONTNEED || a3 == MADV_FREE) &&
	    !to_pages(a1, a2, &first, &n)) {
		/* Private anonymous pages read back as zero afterwards. */
		for (i = first; i < first + n; i++)
			if (page_used(i))
				memset(page_addr(i), 0, PAGE);
	}
	return 0;
}

SYSCALL_DEFINE(mprotect)
{
	/* No guest paging: every page stays readable and writable. */
	return (unsigned long)a1 % PAGE ? -L_EINVAL : 0;
}
