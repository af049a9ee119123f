// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image loader (module/image.c): what loads, and the rules for
 * segments (pages and permissions, bounds, overlaps, the entry point).
 * See image_fixture.h.
 */
#include "image_fixture.h"

TEST_F(image, valid_image_loads)
{
	const uint8_t *g = self->mem.host;
	u64 a;

	build_three_segments(&self->b);
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0x10010, self->entry);

	ASSERT_EQ(0, memcmp(g + 0x10000, text, sizeof(text)));
	ASSERT_EQ(0, memcmp(g + 0x12000, rodata, sizeof(rodata)));
	ASSERT_EQ(0, memcmp(g + 0x13000, data, sizeof(data)));
	/* bss, and everything else that no segment's file bytes cover. */
	ASSERT_TRUE(all_zero(g + 0x13000 + sizeof(data),
			     0x2100 - sizeof(data)));
	for (a = 0; a < MEM_SIZE; a++) {
		if ((a >= 0x10000 && a < 0x10000 + sizeof(text)) ||
		    (a >= 0x12000 && a < 0x12000 + sizeof(rodata)) ||
		    (a >= 0x13000 && a < 0x13000 + sizeof(data)))
			continue;
		ASSERT_EQ(0, g[a]) TH_LOG("stray byte at 0x%llx", a);
	}

	ASSERT_PROT({ 0x10000, 0x11fff, P_RX },
		    { 0x12000, 0x12fff, P_R },
		    { 0x13000, 0x150ff, P_RW });
}

TEST_F(image, prot_map_has_no_loader_marker_left)
{
	u64 page;

	build_three_segments(&self->b);
	ASSERT_LOADED(load(self));
	for (page = 0; page < MEM_SIZE / PAGE; page++)
		ASSERT_EQ(0, self->mem.prot[page] & DENALI_PAGE_SEGMENT);
}

TEST_F(image, elf_build_code_makes_a_loadable_guest)
{
	static const uint8_t code[] = { 0x0f, 0x01, 0xf8 };
	size_t size = elf_build_code(self->img, sizeof(self->img), code,
				     sizeof(code));

	ASSERT_NE(0, size);
	ASSERT_LOADED(load_raw(self, self->img, size));
	ASSERT_EQ(ELF_BUILDER_CODE_ADDR, self->entry);
	ASSERT_EQ(0, memcmp(self->mem.host + 0x10000, code, sizeof(code)));
	ASSERT_EQ(0, self->mem.host[0x10003]);
	ASSERT_PROT({ 0x10000, 0x10000, P_RX });
}

TEST_F(image, elf_build_code_refuses_a_small_buffer)
{
	static const uint8_t code[] = { 0x90 };

	ASSERT_EQ(0, elf_build_code(self->img, 100, code, sizeof(code)));
}

TEST_F(image, same_permission_page_sharing_is_accepted)
{
	uint8_t a[0x800], b[0x400], c[0x10];

	fill(a, sizeof(a), 4);
	fill(b, sizeof(b), 5);
	fill(c, sizeof(c), 6);
	/* Two R-X halves of one page, then two RW- segments sharing 0x11000. */
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, a,
			sizeof(a), sizeof(a));
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10800, b,
			sizeof(b), sizeof(b));
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x11000, c,
			sizeof(c), 0x100);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x11100, c,
			sizeof(c), 0x1000);
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0, memcmp(self->mem.host + 0x10000, a, sizeof(a)));
	ASSERT_EQ(0, memcmp(self->mem.host + 0x10800, b, sizeof(b)));
	ASSERT_EQ(0, memcmp(self->mem.host + 0x11100, c, sizeof(c)));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX },
		    { 0x11000, 0x120ff, P_RW });
}

TEST_F(image, different_permission_page_sharing_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x1800, 0x1800);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x11800, NULL,
			0x100, 0x800);
	ASSERT_REJECTED_WITH(load(self),
			     "segments 0 and 1 share the page at 0x11000 with different permissions (R-X, RW-); align segments to 4096");
}

TEST_F(image, sharing_names_the_segment_that_claimed_the_page)
{
	/* Segments 0 and 1 share 0x10000 rightly; 2 wrongly, with 1 too. */
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0x10000, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0x10100, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10f00, NULL,
			0x10, 0x200);
	ASSERT_REJECTED_WITH(load(self),
			     "segments 0 and 2 share the page at 0x10000 with different permissions (R--, R-X); align segments to 4096");
}

TEST_F(image, rwx_single_segment_is_accepted)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W | PF_X, 0x10000, NULL,
			0x10, 0x3000);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x12fff, P_RWX });
}

TEST_F(image, segment_without_pf_r_is_readable)
{
	elf_builder_add(&self->b, PT_LOAD, PF_X, 0x10000, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_W, 0x11000, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, 0, 0x12000, NULL, 0x10, 0x10);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX },
		    { 0x11000, 0x11fff, P_RW },
		    { 0x12000, 0x12fff, P_R });
}

TEST_F(image, pf_bits_beyond_rwx_are_ignored)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X | PF_MASKOS, 0x10000,
			NULL, 0x10, 0x10);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX });
}

TEST_F(image, empty_segments_are_skipped)
{
	Elf64_Phdr *p;

	/* Nonsense everywhere but in p_memsz, which makes it harmless. */
	p = elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W | PF_X, 0, NULL,
			    0, 0);
	p->p_offset = UINT64_MAX;
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x10000, NULL, 0, 0);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX });
}

TEST_F(image, empty_segments_still_count_in_numbering)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0, NULL, 0, 0);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0x1000, NULL, 0x10, 0x10);
	ASSERT_REJECTED(load(self),
			"segment 2: [0x1000, 0x1010) starts below 0x10000");
}

TEST_F(image, segments_are_numbered_by_program_header)
{
	/* As readelf -l numbers them: other header types count too. */
	elf_builder_add(&self->b, PT_NOTE, PF_R, 0, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_GNU_STACK, PF_R | PF_W, 0, NULL, 0, 0);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x20, 0x10);
	ASSERT_REJECTED(load(self), "segment 2: ");
}

TEST_F(image, other_header_types_are_ignored)
{
	Elf64_Phdr *p;

	/* Wild numbers in a header the loader ignores are nobody's business. */
	p = elf_builder_add(&self->b, PT_GNU_STACK, PF_R, UINT64_MAX, NULL,
			    UINT64_MAX, 0);
	p->p_offset = UINT64_MAX;
	elf_builder_add(&self->b, PT_TLS, PF_R, 0x10000, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	ASSERT_LOADED(load(self));
}

TEST_F(image, segment_ending_at_the_top_of_memory_is_accepted)
{
	uint8_t top[0x10];

	fill(top, sizeof(top), 9);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R, MEM_SIZE - 0x2000, NULL,
			0, 0x1ff0);
	elf_builder_add(&self->b, PT_LOAD, PF_R, MEM_SIZE - 0x10, top,
			sizeof(top), sizeof(top));
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0, memcmp(self->mem.host + MEM_SIZE - 0x10, top,
			    sizeof(top)));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX },
		    { MEM_SIZE - 0x2000, MEM_SIZE - 1, P_R });
}

TEST_F(image, segment_beyond_memory_is_rejected)
{
	elf_builder_add(&self->b, PT_NOTE, PF_R, 0, NULL, 0, 0);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			3, 0x200000);
	ASSERT_REJECTED_WITH(load(self),
			     "segment 1: [0x10000, 0x210000) ends beyond guest memory (0x100000 bytes)");
}

TEST_F(image, segment_one_byte_beyond_memory_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R, MEM_SIZE - 0x10, NULL,
			0x11, 0x11);
	ASSERT_REJECTED(load(self),
			"segment 1: [0xffff0, 0x100001) ends beyond guest memory");
}

TEST_F(image, segment_below_image_base_is_rejected)
{
	static const u64 bad[] = { 0, 0x1000, 0x2000, 0xf000, 0xffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		elf_builder_init(&self->b, 0x10000);
		/* Even when the segment reaches up into the image area. */
		elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, bad[i], NULL,
				0x10, 0x20000);
		ASSERT_REJECTED(load(self), "segment 0: [0x");
		ASSERT_REJECTED(-ENOEXEC,
				"starts below 0x10000 (the null page and the monitor's reserved pages)");
	}
}

TEST_F(image, filesz_above_memsz_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x20, 0x10);
	ASSERT_REJECTED_WITH(load(self),
			     "segment 0: file size 0x20 exceeds memory size 0x10");
}

TEST_F(image, segment_past_end_of_file_is_rejected)
{
	Elf64_Phdr *p;

	p = elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			    0x10, 0x10);
	p->p_filesz = 0x8000;
	p->p_memsz = 0x8000;
	ASSERT_REJECTED_WITH(load(self),
			     "segment 0: truncated: 0x8000 bytes at offset 0x1000, past end of file (0x1010 bytes)");
}

TEST_F(image, truncated_file_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x100, 0x100);
	/* The file stops one byte short of the segment's bytes. */
	ASSERT_REJECTED_WITH(load_as(self, 0x10ff),
			     "segment 0: truncated: 0x100 bytes at offset 0x1000, past end of file (0x10ff bytes)");
}

TEST_F(image, file_shrinking_while_loading_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x100, 0x100);
	/* The size said 0x1100, but only the headers can be read. */
	elf_builder_write(&self->b, self->img, sizeof(self->img));
	self->file.bytes = self->img;
	self->file.size = 0x1000;
	ASSERT_REJECTED(denali_image_load(&self->mem, test_file_read,
					  &self->file, 0x1100, &self->entry,
					  self->err, sizeof(self->err)),
			"segment 0: the file ended before byte 0x1100");
}

TEST_F(image, read_errors_are_passed_up)
{
	int reads;

	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x100, 0x100);
	/* ELF header, program header table, then the segment. */
	for (reads = 0; reads < 3; reads++) {
		self->file.reads_left = reads;
		self->file.fail = -EIO;
		self->err[0] = '\0';
		ASSERT_EQ(-EIO, load(self));
		ASSERT_NE(NULL, strstr(self->err, "(error -5)"))
			TH_LOG("%d: %s", reads, self->err);
	}
	self->file.reads_left = 3;
	ASSERT_LOADED(load(self));
}

TEST_F(image, huge_vaddr_wraps_and_is_rejected)
{
	Elf64_Phdr *p;

	p = elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X,
			    0xfffffffffffff000ull, NULL, 0x10, 0x2000);
	ASSERT_REJECTED_WITH(load(self),
			     "segment 0: 0x2000 bytes at 0xfffffffffffff000 wrap around the address space");

	p->p_vaddr = UINT64_MAX;
	p->p_memsz = 1;
	p->p_filesz = 1;
	ASSERT_REJECTED(load(self), "wrap around the address space");

	p->p_vaddr = 1ull << 63;
	p->p_memsz = 1ull << 63;
	ASSERT_REJECTED(load(self), "wrap around the address space");

	/* No wrap, just far away. */
	p->p_vaddr = UINT64_MAX - 0x10;
	p->p_memsz = 0x10;
	ASSERT_REJECTED(load(self), "ends beyond guest memory");
}

TEST_F(image, huge_memsz_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 1ull << 63);
	ASSERT_REJECTED_WITH(load(self),
			     "segment 0: [0x10000, 0x8000000000010000) ends beyond guest memory (0x100000 bytes)");
}

TEST_F(image, huge_offset_is_rejected)
{
	Elf64_Phdr *p;

	p = elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			    1, 0x10);
	p->p_offset = UINT64_MAX;
	ASSERT_REJECTED(load(self),
			"segment 0: truncated: 0x1 bytes at offset 0xffffffffffffffff");

	/* Even with no file bytes: an offset outside the file is corrupt. */
	p->p_filesz = 0;
	ASSERT_REJECTED(load(self), "segment 0: truncated");

	/* Sizes that make offset + filesz wrap to a small number. */
	p->p_offset = 0x1000;
	p->p_filesz = UINT64_MAX;
	p->p_memsz = UINT64_MAX;
	ASSERT_REJECTED(load(self), "segment 0: truncated");
}

TEST_F(image, overlapping_segments_are_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x2000);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x20000, NULL,
			0x10, 0x1000);
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0x11800, NULL, 0x10, 0x1800);
	ASSERT_REJECTED_WITH(load(self),
			     "segments 0 and 2 overlap at 0x11800");
}

TEST_F(image, overlap_with_same_permissions_is_rejected)
{
	/* Never let a later segment's bytes overwrite an earlier one's. */
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x100);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x100ff, NULL,
			0x10, 0x10);
	ASSERT_REJECTED_WITH(load(self), "segments 0 and 1 overlap at 0x100ff");
}

TEST_F(image, nested_segment_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R, 0x12000, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10000);
	ASSERT_REJECTED_WITH(load(self), "segments 0 and 1 overlap at 0x12000");
}

TEST_F(image, touching_segments_do_not_overlap)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x1000);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x11000, NULL,
			0x10, 0x1000);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX }, { 0x11000, 0x11fff, P_RW });
}

TEST_F(image, entry_outside_every_segment_is_rejected)
{
	self->b.ehdr.e_entry = 0x50000;
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	ASSERT_REJECTED_WITH(load(self),
			     "entry point 0x50000 is not inside an executable segment");
}

TEST_F(image, entry_in_a_non_executable_segment_is_rejected)
{
	self->b.ehdr.e_entry = 0x11000;
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_W, 0x11000, NULL,
			0x10, 0x10);
	ASSERT_REJECTED(load(self), "entry point 0x11000 is not inside");
}

TEST_F(image, entry_bounds_are_the_segment_bounds)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x20);

	self->b.ehdr.e_entry = 0x10020;		/* one past the end */
	ASSERT_REJECTED(load(self), "entry point 0x10020");
	self->b.ehdr.e_entry = 0xffff;		/* one before the start */
	ASSERT_REJECTED(load(self), "entry point 0xffff");
	self->b.ehdr.e_entry = UINT64_MAX;
	ASSERT_REJECTED(load(self), "entry point 0xffffffffffffffff");

	self->b.ehdr.e_entry = 0x1001f;		/* last byte, in bss */
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0x1001f, self->entry);
}

TEST_F(image, entry_in_an_empty_executable_segment_is_rejected)
{
	self->b.ehdr.e_entry = 0x20000;
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x20000, NULL, 0, 0);
	ASSERT_REJECTED(load(self), "entry point 0x20000");
}

TEST_HARNESS_MAIN
