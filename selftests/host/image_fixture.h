/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host-side tests of the guest image loader (module/image.c)
 * share: an image built in memory with selftests/lib/elf_builder.h (the
 * same builder the in-VM tests use for their guests), read back through
 * the loader's read callback as a file would be, and checks of the
 * refusal and the permission map it leaves.
 *
 *	image_test.c		what loads, and the segments' rules: pages
 *				and permissions, bounds, overlaps, the entry
 *	image_header_test.c	the ELF header and program header table, the
 *				error sentences, and random corruption
 *
 * The loader is the module's first line of defence against a hostile
 * user, so every rule of image.h gets a test that breaks exactly that
 * rule, with the numbers an attacker would pick (values near 2^64, sums
 * that wrap), and every refusal must carry a message that says what is
 * wrong.
 */
#ifndef DENALI_IMAGE_FIXTURE_H
#define DENALI_IMAGE_FIXTURE_H

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

static inline int test_file_read(void *ctx, void *buf, u64 len, u64 off)
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
static inline int load_as(struct _test_data_image *self, u64 file_size)
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

static inline int load(struct _test_data_image *self)
{
	return load_as(self, elf_builder_write(&self->b, self->img,
					       sizeof(self->img)));
}

/* Load raw bytes, for images the builder would never produce. */
static inline int load_raw(struct _test_data_image *self, const void *bytes,
			   u64 size)
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
static inline long prot_mismatch(const struct denali_guest_mem *mem,
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

static inline int all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

static inline void fill(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

/* A small program: code, read-only data, data with bss; every rule met. */
static uint8_t text[0x1234], rodata[0x100], data[0x20], note[0x40];

static inline void build_three_segments(struct elf_builder *b)
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
	elf_builder_add(b, PT_NULL, PF_R, 0, note, sizeof(note), sizeof(note));
}

#endif /* DENALI_IMAGE_FIXTURE_H */
