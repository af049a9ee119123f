// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the guest memory accessor (module/guest_mem.c).
 * denali_guest_ptr() stands between every guest-supplied address and a
 * host pointer, so its edges matter most: the first and last byte of
 * memory, ranges that wrap around 2^64, pages the guest cannot see or
 * cannot write, and the empty range.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "guest_mem.h"
#include "uapi/denali.h"

#define MEM_SIZE	DENALI_GUEST_MEM_MIN
#define BASE		DENALI_GUEST_IMAGE_BASE
#define PAGE		DENALI_GUEST_PAGE_SIZE
#define P_RW		(DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE)

FIXTURE(mem) {
	struct denali_guest_mem mem;
};

FIXTURE_SETUP(mem)
{
	self->mem.size = MEM_SIZE;
	self->mem.host = calloc(1, MEM_SIZE);
	self->mem.prot = malloc(MEM_SIZE / PAGE);
	ASSERT_NE(NULL, self->mem.host);
	ASSERT_NE(NULL, self->mem.prot);
	denali_guest_mem_default_prot(&self->mem);
}

FIXTURE_TEARDOWN(mem)
{
	free(self->mem.host);
	free(self->mem.prot);
}

/* The accessor under test, and the host pointer it should return. */
#define PTR(gva, len, need) denali_guest_ptr(&self->mem, gva, len, need)
#define AT(gva) ((void *)(self->mem.host + (gva)))

TEST_F(mem, default_prot_hides_the_low_pages)
{
	u64 page;
	u8 want;

	for (page = 0; page < MEM_SIZE / PAGE; page++) {
		want = page < BASE / PAGE ? 0 : P_RW;
		/* But for the virtual registers: read-only, then writable. */
		if (page == DENALI_GUEST_VREGS_RO / PAGE)
			want = DENALI_PAGE_PRESENT;
		if (page == DENALI_GUEST_VREGS_RW / PAGE)
			want = P_RW;
		ASSERT_EQ(want, self->mem.prot[page])
			TH_LOG("page %llu", page);
	}
}

TEST(default_prot_of_memory_smaller_than_the_image_base)
{
	u8 prot[4] = { 0xff, 0xff, 0xff, 0xff };
	struct denali_guest_mem tiny = { .size = 4 * PAGE, .prot = prot };

	denali_guest_mem_default_prot(&tiny);
	ASSERT_EQ(0, prot[0]);
	ASSERT_EQ(0, prot[3]);
}

TEST_F(mem, range_inside_memory)
{
	ASSERT_EQ(AT(BASE), PTR(BASE, 1, 0));
	ASSERT_EQ(AT(0x12345), PTR(0x12345, 0x100, DENALI_PAGE_WRITE));
	/* Everything the guest can see, at once. */
	ASSERT_EQ(AT(BASE), PTR(BASE, MEM_SIZE - BASE, DENALI_PAGE_PRESENT));
}

TEST_F(mem, last_byte_of_memory)
{
	ASSERT_EQ(AT(MEM_SIZE - 1), PTR(MEM_SIZE - 1, 1, 0));
	ASSERT_EQ(AT(MEM_SIZE - PAGE), PTR(MEM_SIZE - PAGE, PAGE, 0));
	ASSERT_EQ(NULL, PTR(MEM_SIZE - 1, 2, 0));
	ASSERT_EQ(NULL, PTR(MEM_SIZE - PAGE, PAGE + 1, 0));
}

TEST_F(mem, addresses_at_or_above_the_top_are_refused)
{
	ASSERT_EQ(NULL, PTR(MEM_SIZE, 1, 0));
	ASSERT_EQ(NULL, PTR(MEM_SIZE + PAGE, 1, 0));
	ASSERT_EQ(NULL, PTR(UINT64_MAX, 1, 0));
	ASSERT_EQ(NULL, PTR(1ull << 63, PAGE, 0));
}

TEST_F(mem, wrapping_ranges_are_refused)
{
	/* gva + len wraps to a small number that would look in range. */
	ASSERT_EQ(NULL, PTR(BASE, UINT64_MAX, 0));
	ASSERT_EQ(NULL, PTR(BASE, UINT64_MAX - BASE + 2, 0));
	ASSERT_EQ(NULL, PTR(UINT64_MAX, 2, 0));
	ASSERT_EQ(NULL, PTR(MEM_SIZE - 1, UINT64_MAX, 0));
}

TEST_F(mem, empty_range)
{
	/* Any address in a page the guest can see; none beyond the top. */
	ASSERT_EQ(AT(BASE), PTR(BASE, 0, 0));
	ASSERT_EQ(AT(MEM_SIZE - 1), PTR(MEM_SIZE - 1, 0, 0));
	ASSERT_EQ(NULL, PTR(MEM_SIZE, 0, 0));
	ASSERT_EQ(NULL, PTR(UINT64_MAX, 0, 0));
}

TEST_F(mem, empty_range_still_needs_its_page)
{
	/* The page holding gva is checked, so len 0 cannot probe holes. */
	ASSERT_EQ(NULL, PTR(0, 0, 0));
	ASSERT_EQ(NULL, PTR(BASE - 1, 0, 0));
}

TEST_F(mem, absent_pages_are_refused)
{
	ASSERT_EQ(NULL, PTR(0, 1, 0));
	ASSERT_EQ(NULL, PTR(DENALI_GUEST_VREGS_RW + PAGE, 8, 0));
	ASSERT_EQ(NULL, PTR(BASE - 1, 1, 0));
	/* A range that merely starts in an absent page. */
	ASSERT_EQ(NULL, PTR(BASE - 1, 2, 0));
	ASSERT_EQ(NULL, PTR(BASE - PAGE, 2 * PAGE, 0));
}

TEST_F(mem, virtual_register_pages_are_readable_and_one_writable)
{
	ASSERT_EQ(AT(DENALI_GUEST_VREGS_RO), PTR(DENALI_GUEST_VREGS_RO, 8, 0));
	ASSERT_EQ(NULL, PTR(DENALI_GUEST_VREGS_RO, 8, DENALI_PAGE_WRITE));
	ASSERT_EQ(AT(DENALI_GUEST_VREGS_RW),
		  PTR(DENALI_GUEST_VREGS_RW, 8, DENALI_PAGE_WRITE));
	/* Both pages at once, for reading; never with what lies above. */
	ASSERT_EQ(AT(DENALI_GUEST_VREGS_RO),
		  PTR(DENALI_GUEST_VREGS_RO, 2 * PAGE, 0));
	ASSERT_EQ(NULL, PTR(DENALI_GUEST_VREGS_RO, 3 * PAGE, 0));
}

TEST_F(mem, hole_in_the_middle_is_refused)
{
	self->mem.prot[0x20] = 0;
	ASSERT_EQ(NULL, PTR(0x1f000, 0x3000, 0));
	ASSERT_EQ(NULL, PTR(0x1ffff, 2, 0));
	ASSERT_EQ(NULL, PTR(0x20fff, 1, 0));
	/* Ranges ending exactly where the hole starts, or starting after. */
	ASSERT_EQ(AT(0x1f000), PTR(0x1f000, 0x1000, 0));
	ASSERT_EQ(AT(0x21000), PTR(0x21000, 0x1000, 0));
}

TEST_F(mem, write_needs_a_writable_page)
{
	self->mem.prot[0x20] = DENALI_PAGE_PRESENT;
	ASSERT_EQ(AT(0x20000), PTR(0x20000, PAGE, 0));
	ASSERT_EQ(AT(0x20000), PTR(0x20000, PAGE, DENALI_PAGE_PRESENT));
	ASSERT_EQ(NULL, PTR(0x20000, 1, DENALI_PAGE_WRITE));
	ASSERT_EQ(NULL, PTR(0x1f800, 0x1000, DENALI_PAGE_WRITE));
	ASSERT_EQ(NULL, PTR(0x20fff, 0, DENALI_PAGE_WRITE));
	ASSERT_EQ(AT(0x1f000), PTR(0x1f000, PAGE, DENALI_PAGE_WRITE));
}

TEST_F(mem, executable_only_pages_are_readable)
{
	self->mem.prot[0x10] = DENALI_PAGE_PRESENT | DENALI_PAGE_EXEC;
	ASSERT_EQ(AT(0x10000), PTR(0x10000, 16, 0));
	ASSERT_EQ(NULL, PTR(0x10000, 16, DENALI_PAGE_WRITE));
}

TEST_F(mem, write_bit_without_present_is_not_enough)
{
	/* Only PRESENT makes a page visible; need always includes it. */
	self->mem.prot[0x20] = DENALI_PAGE_WRITE;
	ASSERT_EQ(NULL, PTR(0x20000, 1, 0));
	ASSERT_EQ(NULL, PTR(0x20000, 1, DENALI_PAGE_WRITE));
}

TEST_HARNESS_MAIN
