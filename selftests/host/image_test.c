// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the guest image loader (module/image.c).  The
 * loader is the module's first line of defence against a hostile user, so
 * every rule of image.h gets a test that breaks exactly that rule, with
 * the numbers an attacker would pick (values near 2^64, sums that wrap),
 * and every refusal must carry a message that says what is wrong.  The
 * images come from selftests/lib/elf_builder.h, the same builder the in-VM
 * tests use for their guests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "elf_builder.h"
#include "image.h"
#include "uapi/denali.h"

#define MEM_SIZE	DENALI_GUEST_MEM_MIN
#define BASE		DENALI_GUEST_IMAGE_BASE
#define PAGE		DENALI_GUEST_PAGE_SIZE

/* The permission map entries the loader should produce. */
#define P_R	DENALI_PAGE_PRESENT
#define P_RW	(DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE)
#define P_RX	(DENALI_PAGE_PRESENT | DENALI_PAGE_EXEC)
#define P_RWX	(P_RW | DENALI_PAGE_EXEC)

/* The image as a file: what the kernel's read callback does with a file. */
struct test_file {
	const uint8_t *bytes;
	u64 size;		/* what is really there */
	int reads_left;		/* then fail with @fail; < 0: never */
	int fail;
};

static int test_file_read(void *ctx, void *buf, u64 len, u64 off)
{
	struct test_file *f = ctx;

	if (f->reads_left == 0)
		return f->fail;
	if (f->reads_left > 0)
		f->reads_left--;
	if (off > f->size || len > f->size - off)
		return -ENOEXEC;
	memcpy(buf, f->bytes + off, len);
	return 0;
}

FIXTURE(image) {
	struct denali_guest_mem mem;
	struct elf_builder b;
	uint8_t img[0x8000];
	struct test_file file;
	u64 entry;
	char err[2 * DENALI_ERROR_MAX];	/* room to see overlong messages */
};

FIXTURE_SETUP(image)
{
	self->mem.size = MEM_SIZE;
	self->mem.host = calloc(1, MEM_SIZE);
	self->mem.prot = malloc(MEM_SIZE / PAGE);
	ASSERT_NE(NULL, self->mem.host);
	ASSERT_NE(NULL, self->mem.prot);
	denali_guest_mem_default_prot(&self->mem);
	elf_builder_init(&self->b, BASE);
	self->file.reads_left = -1;
	self->entry = 0;
	memset(self->err, 'x', sizeof(self->err) - 1);
	self->err[sizeof(self->err) - 1] = '\0';
}

FIXTURE_TEARDOWN(image)
{
	free(self->mem.host);
	free(self->mem.prot);
}

/*
 * The helpers take the fixture as struct _test_data_image, which is what
 * FIXTURE_DATA(image) expands to; spelled out, checkpatch reads it right.
 *
 * Write the image, then load it as a file claiming @file_size bytes.
 */
static int load_as(struct _test_data_image *self, u64 file_size)
{
	self->file.bytes = self->img;
	self->file.size = elf_builder_write(&self->b, self->img,
					    sizeof(self->img));
	if (!self->file.size)
		abort();	/* the test's own image does not fit */
	if (file_size < self->file.size)
		self->file.size = file_size;
	/* As a fresh VM would have it, even after an earlier failed load. */
	denali_guest_mem_default_prot(&self->mem);
	return denali_image_load(&self->mem, test_file_read, &self->file,
				 file_size, &self->entry, self->err,
				 sizeof(self->err));
}

static int load(struct _test_data_image *self)
{
	return load_as(self, elf_builder_write(&self->b, self->img,
					       sizeof(self->img)));
}

/* Load raw bytes, for images the builder would never produce. */
static int load_raw(struct _test_data_image *self, const void *bytes, u64 size)
{
	self->file.bytes = bytes;
	self->file.size = size;
	denali_guest_mem_default_prot(&self->mem);
	return denali_image_load(&self->mem, test_file_read, &self->file,
				 size, &self->entry, self->err,
				 sizeof(self->err));
}

/*
 * The refusal and the part of its sentence that proves it is the right
 * one.  Every message must fit struct denali_create_vm's error field.
 */
#define ASSERT_REJECTED(ret, text) do {					\
	ASSERT_EQ(-ENOEXEC, ret);					\
	ASSERT_NE(NULL, strstr(self->err, text))			\
		TH_LOG("error \"%s\" lacks \"%s\"", self->err, text);	\
	ASSERT_GT(DENALI_ERROR_MAX, strlen(self->err))			\
		TH_LOG("too long: %s", self->err);			\
} while (0)

/* Exactly this sentence. */
#define ASSERT_REJECTED_WITH(ret, text) do {				\
	ASSERT_EQ(-ENOEXEC, ret);					\
	ASSERT_STREQ(text, self->err);					\
	ASSERT_GT(DENALI_ERROR_MAX, strlen(self->err));			\
} while (0)

#define ASSERT_LOADED(ret) do {						\
	ASSERT_EQ(0, ret) TH_LOG("refused: %s", self->err);		\
	ASSERT_STREQ("", self->err);					\
} while (0)

/* The map the loader must leave: defaults, then these pages. */
struct prot_range {
	u64 first, last;	/* guest addresses, inclusive */
	u8 prot;
};

/* The first page whose entry is wrong, or -1. */
static long prot_mismatch(const struct denali_guest_mem *mem,
			  const struct prot_range *r, unsigned int n)
{
	u64 page, pages = mem->size / PAGE;
	unsigned int i;

	for (page = 0; page < pages; page++) {
		u8 want = page < BASE / PAGE ? 0 : P_RW;

		if (page == DENALI_GUEST_VREGS_RO / PAGE)
			want = DENALI_PAGE_PRESENT;
		if (page == DENALI_GUEST_VREGS_RW / PAGE)
			want = P_RW;
		for (i = 0; i < n; i++)
			if (page >= r[i].first / PAGE &&
			    page <= r[i].last / PAGE)
				want = r[i].prot;
		if (mem->prot[page] != want)
			return page;
	}
	return -1;
}

#define ASSERT_PROT(...) do {						\
	const struct prot_range __r[] = { __VA_ARGS__ };		\
	long __page = prot_mismatch(&self->mem, __r,			\
				    ARRAY_SIZE(__r));	\
	ASSERT_EQ(-1, __page)						\
		TH_LOG("page 0x%llx has prot 0x%x",			\
		       (u64)__page * PAGE, self->mem.prot[__page]);	\
} while (0)

static int all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

/* A small program: code, read-only data, data with bss; every rule met. */
static uint8_t text[0x1234], rodata[0x100], data[0x20], note[0x40];

static void build_three_segments(struct elf_builder *b)
{
	fill(text, sizeof(text), 1);
	fill(rodata, sizeof(rodata), 2);
	fill(data, sizeof(data), 3);
	memset(note, 0xaa, sizeof(note));
	elf_builder_init(b, 0x10010);
	elf_builder_add(b, PT_LOAD, PF_R | PF_X, 0x10000, text,
			sizeof(text), sizeof(text));
	elf_builder_add(b, PT_LOAD, PF_R, 0x12000, rodata,
			sizeof(rodata), sizeof(rodata));
	/* Data then bss, 0x2100 bytes: pages 0x13000 to 0x15000. */
	elf_builder_add(b, PT_LOAD, PF_R | PF_W, 0x13000, data,
			sizeof(data), 0x2100);
	/* Bytes after the data in the file, which must not leak into bss. */
	elf_builder_add(b, PT_NOTE, PF_R, 0, note, sizeof(note), sizeof(note));
}

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

	/* A PT_NOTE with wild numbers is nobody's business. */
	p = elf_builder_add(&self->b, PT_NOTE, PF_R, UINT64_MAX, NULL,
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

TEST_F(image, not_an_elf_file_is_rejected)
{
	static const char script[] = "#!/bin/sh\necho this is no guest\n"
		"...............................................\n";

	ASSERT_REJECTED_WITH(load_raw(self, script, sizeof(script)),
			     "not an ELF file (bad magic number)");
	ASSERT_REJECTED_WITH(load_raw(self, script, 3),
			     "not an ELF file (only 3 bytes)");
	ASSERT_REJECTED_WITH(load_raw(self, script, 0),
			     "not an ELF file (only 0 bytes)");
}

TEST_F(image, file_shorter_than_an_elf_header_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	ASSERT_REJECTED_WITH(load_as(self, 40),
			     "file is 40 bytes, shorter than an ELF64 header (64 bytes)");
	ASSERT_REJECTED(load_as(self, 63), "shorter than an ELF64 header");
}

TEST_F(image, elf32_is_rejected)
{
	self->b.ehdr.e_ident[EI_CLASS] = ELFCLASS32;
	ASSERT_REJECTED_WITH(load(self), "32-bit ELF; Denali guests are ELF64");
	/* Also when the file is a (short) 32-bit header and nothing else. */
	ASSERT_REJECTED_WITH(load_as(self, 52),
			     "32-bit ELF; Denali guests are ELF64");
}

TEST_F(image, unknown_class_is_rejected)
{
	self->b.ehdr.e_ident[EI_CLASS] = ELFCLASSNONE;
	ASSERT_REJECTED(load(self), "unknown ELF class 0");
	self->b.ehdr.e_ident[EI_CLASS] = 3;
	ASSERT_REJECTED(load(self), "unknown ELF class 3");
}

TEST_F(image, big_endian_is_rejected)
{
	self->b.ehdr.e_ident[EI_DATA] = ELFDATA2MSB;
	ASSERT_REJECTED_WITH(load(self),
			     "big-endian ELF; Denali guests are little-endian");
	self->b.ehdr.e_ident[EI_DATA] = ELFDATANONE;
	ASSERT_REJECTED(load(self), "unknown ELF byte order 0");
}

TEST_F(image, wrong_elf_version_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	self->b.ehdr.e_ident[EI_VERSION] = EV_NONE;
	ASSERT_REJECTED_WITH(load(self),
			     "unsupported ELF version (identification 0, header 1); need 1");
	self->b.ehdr.e_ident[EI_VERSION] = EV_CURRENT;
	self->b.ehdr.e_version = 2;
	ASSERT_REJECTED(load(self),
			"unsupported ELF version (identification 1, header 2)");
}

TEST_F(image, wrong_machine_is_rejected)
{
	self->b.ehdr.e_machine = EM_386;
	ASSERT_REJECTED_WITH(load(self), "wrong machine 3; need x86-64 (62)");
	self->b.ehdr.e_machine = EM_AARCH64;
	ASSERT_REJECTED_WITH(load(self), "wrong machine 183; need x86-64 (62)");
}

TEST_F(image, position_independent_image_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	self->b.ehdr.e_type = ET_DYN;
	ASSERT_REJECTED_WITH(load(self),
			     "position-independent (ET_DYN) image; link with -static -no-pie");
}

TEST_F(image, non_executable_types_are_rejected)
{
	self->b.ehdr.e_type = ET_REL;
	ASSERT_REJECTED_WITH(load(self),
			     "ELF type 1 is not an executable (ET_EXEC)");
	self->b.ehdr.e_type = ET_CORE;
	ASSERT_REJECTED(load(self), "ELF type 4 is not an executable");
	self->b.ehdr.e_type = ET_NONE;
	ASSERT_REJECTED(load(self), "ELF type 0 is not an executable");
}

TEST_F(image, wrong_program_header_size_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	self->b.ehdr.e_phentsize = sizeof(Elf32_Phdr);
	ASSERT_REJECTED_WITH(load(self),
			     "program header entries are 32 bytes; need 56");
	self->b.ehdr.e_phentsize = 0;
	ASSERT_REJECTED(load(self), "program header entries are 0 bytes");
}

TEST_F(image, no_program_headers_is_rejected)
{
	ASSERT_REJECTED_WITH(load(self),
			     "no program headers: nothing to load");
}

TEST_F(image, more_than_64_program_headers_is_rejected)
{
	unsigned int i;

	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	for (i = 1; i < 65; i++)
		ASSERT_NE(NULL, elf_builder_add(&self->b, PT_NOTE, PF_R, 0,
						NULL, 0, 0));
	ASSERT_REJECTED_WITH(load(self),
			     "65 program headers; at most 64 are allowed");

	/* The one limit that does not depend on the table being there. */
	self->b.ehdr.e_phnum = 0xffff;		/* PN_XNUM */
	ASSERT_REJECTED(load(self), "65535 program headers");
}

TEST_F(image, exactly_64_program_headers_are_accepted)
{
	unsigned int i;

	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	for (i = 1; i < 64; i++)
		elf_builder_add(&self->b, PT_LOAD, PF_R, 0x20000 + i * 0x1000,
				NULL, 1, 1);
	ASSERT_LOADED(load(self));
	ASSERT_PROT({ 0x10000, 0x10fff, P_RX },
		    { 0x21000, 0x5ffff, P_R });
}

TEST_F(image, program_header_table_outside_the_file_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	/* The file ends at 0x1010: the table is one byte short. */
	self->b.ehdr.e_phoff = 0x1010 - 0x37;
	ASSERT_REJECTED_WITH(load_as(self, 0x1010),
			     "program header table: 0x38 bytes at offset 0xfd9 run past the end of the file (0x1010 bytes)");

	self->b.ehdr.e_phoff = 0x100000;
	ASSERT_REJECTED(load(self),
			"program header table: 0x38 bytes at offset 0x100000");

	/* e_phoff + the table's size wraps around to a small number. */
	self->b.ehdr.e_phoff = UINT64_MAX - 0x10;
	ASSERT_REJECTED(load(self), "run past the end of the file");
}

TEST_F(image, program_header_table_may_sit_anywhere_in_the_file)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	/* Unaligned and after the payload: allowed, it is only read. */
	self->b.ehdr.e_phoff = 0x1013;
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0x10000, self->entry);
}

TEST_F(image, pt_interp_is_rejected)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_INTERP, PF_R, 0, "/lib/ld.so", 11, 11);
	ASSERT_REJECTED_WITH(load(self),
			     "program header 1 is PT_INTERP: dynamic image; link statically");
}

TEST_F(image, pt_dynamic_is_rejected)
{
	elf_builder_add(&self->b, PT_DYNAMIC, PF_R | PF_W, 0x11000, NULL,
			0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	ASSERT_REJECTED_WITH(load(self),
			     "program header 0 is PT_DYNAMIC: dynamic image; link statically");
}

TEST_F(image, no_pt_load_is_rejected)
{
	elf_builder_add(&self->b, PT_NOTE, PF_R, 0x10000, NULL, 0x10, 0x10);
	ASSERT_REJECTED(load(self), "no PT_LOAD segment");
	/* Only empty ones is no better. */
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL, 0, 0);
	ASSERT_REJECTED(load(self), "no PT_LOAD segment");
}

TEST_F(image, error_buffer_is_bounded_and_terminated)
{
	char small[8];

	self->b.ehdr.e_machine = EM_386;
	elf_builder_write(&self->b, self->img, sizeof(self->img));
	self->file.bytes = self->img;
	self->file.size = sizeof(self->img);
	memset(small, 'x', sizeof(small));
	ASSERT_EQ(-ENOEXEC, denali_image_load(&self->mem, test_file_read,
					      &self->file, self->file.size,
					      &self->entry, small,
					      sizeof(small)));
	ASSERT_STREQ("wrong m", small);
	/* No buffer at all is allowed too. */
	ASSERT_EQ(-ENOEXEC, denali_image_load(&self->mem, test_file_read,
					      &self->file, self->file.size,
					      &self->entry, NULL, 0));
}

TEST_F(image, worst_case_messages_fit_the_error_field)
{
	Elf64_Phdr *p;
	unsigned int i;

	/* Two-digit segment numbers and 16-digit numbers everywhere. */
	for (i = 0; i < 63; i++)
		elf_builder_add(&self->b, PT_NOTE, PF_R, 0, NULL, 0, 0);
	p = elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, BASE, NULL, 0, 1);

	p->p_offset = UINT64_MAX;
	p->p_filesz = UINT64_MAX;
	p->p_memsz = UINT64_MAX;
	ASSERT_REJECTED(load_as(self, INT64_MAX), "segment 63: truncated");

	p->p_offset = 0x1000;
	p->p_filesz = 0;
	p->p_vaddr = UINT64_MAX;
	ASSERT_REJECTED(load_as(self, INT64_MAX), "segment 63: 0xf");

	p->p_vaddr = BASE - 1;
	p->p_memsz = UINT64_MAX - p->p_vaddr;
	ASSERT_REJECTED(load_as(self, INT64_MAX), "segment 63: [0xffff, 0xf");

	p->p_vaddr = INT64_MAX;
	p->p_memsz = INT64_MAX;
	ASSERT_REJECTED(load_as(self, INT64_MAX), "segment 63: [0x7f");

	self->b.ehdr.e_phoff = UINT64_MAX;
	ASSERT_REJECTED(load_as(self, INT64_MAX), "program header table: ");

	self->b.ehdr.e_version = UINT32_MAX;
	self->b.ehdr.e_ident[EI_VERSION] = 0xff;
	ASSERT_REJECTED(load(self), "unsupported ELF version");
}

TEST_F(image, success_leaves_an_empty_error_and_failure_no_entry)
{
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x10000, NULL,
			0x10, 0x10);
	self->entry = 42;
	self->b.ehdr.e_entry = 0x10001;
	self->b.ehdr.e_machine = EM_386;
	ASSERT_EQ(-ENOEXEC, load(self));
	ASSERT_EQ(42, self->entry);

	self->b.ehdr.e_machine = EM_X86_64;
	memset(self->err, 'x', sizeof(self->err) - 1);
	ASSERT_LOADED(load(self));
	ASSERT_EQ(0x10001, self->entry);
}

/* xorshift64: deterministic, so a failure can be replayed. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random damage to a valid image must never crash the loader, and
 * whatever it accepts must still obey the rules.  Mostly the header and
 * the program header table are hit, with the values attackers like.
 */
TEST_F(image, random_corruption_is_survived)
{
	static const uint64_t nasty[] = {
		0, 1, 0x38, 0x40, 0xfff, 0x1000, 0x10000, 0x100000,
		0x7fffffffffffffffull, 0x8000000000000000ull,
		0xfffffffffffff000ull, 0xffffffffffffffffull,
	};
	static uint8_t good[0x8000];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t size, hot;
	unsigned int iter, accepted = 0;

	build_three_segments(&self->b);
	size = elf_builder_write(&self->b, good, sizeof(good));
	hot = sizeof(Elf64_Ehdr) + 4 * sizeof(Elf64_Phdr);

	for (iter = 0; iter < 50000; iter++) {
		unsigned int n = 1 + next_rand(&seed) % 4, k;
		u64 page, file_size = size;
		int ret;

		memcpy(self->img, good, size);
		for (k = 0; k < n; k++) {
			uint64_t r = next_rand(&seed);
			size_t at = r % 8 ? r % hot : r % size;

			if (r & 0x100 && at + 8 <= size) {
				uint64_t v = nasty[(r >> 16) % 12];

				memcpy(self->img + (at & ~7ul), &v, sizeof(v));
			} else {
				self->img[at] ^= 1 << ((r >> 16) % 8);
			}
		}
		if (next_rand(&seed) % 16 == 0)
			file_size = next_rand(&seed) % size;

		self->err[0] = '\0';
		ret = load_raw(self, self->img, file_size);
		if (ret) {
			ASSERT_EQ(-ENOEXEC, ret) TH_LOG("iteration %u", iter);
			ASSERT_NE(0, strlen(self->err))
				TH_LOG("iteration %u", iter);
			continue;
		}
		accepted++;
		ASSERT_STREQ("", self->err);
		for (page = 0; page < MEM_SIZE / PAGE; page++) {
			u8 prot = self->mem.prot[page];

			ASSERT_EQ(0, prot & DENALI_PAGE_SEGMENT);
			/*
			 * Below the image base only the virtual registers,
			 * as they were; a hole nowhere else.
			 */
			if (page == DENALI_GUEST_VREGS_RO / PAGE) {
				ASSERT_EQ(DENALI_PAGE_PRESENT, prot);
			} else if (page == DENALI_GUEST_VREGS_RW / PAGE) {
				ASSERT_EQ(P_RW, prot);
			} else {
				ASSERT_TRUE(page < BASE / PAGE ?
					    !prot :
					    !!(prot & DENALI_PAGE_PRESENT))
					TH_LOG("iteration %u, page %llu", iter,
					       page);
			}
		}
		ASSERT_LT(self->entry, MEM_SIZE);
		ASSERT_NE(0, self->mem.prot[self->entry / PAGE] &
			  DENALI_PAGE_EXEC) TH_LOG("iteration %u", iter);
	}
	/* The damage must not be so heavy that nothing gets through. */
	ASSERT_LT(100, accepted);
}

TEST_HARNESS_MAIN
