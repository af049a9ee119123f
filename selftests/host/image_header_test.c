// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image loader (module/image.c): the ELF header and program
 * header table, the sentences refusals carry, and random corruption.
 * See image_fixture.h.
 */
#include "image_fixture.h"

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

	p->p_type = PT_NOTE;
	p->p_offset = UINT64_MAX;
	p->p_filesz = UINT64_MAX;
	ASSERT_REJECTED(load_as(self, INT64_MAX),
			"note segment 63: 0xffffffffffffffff bytes at offset 0xffffffffffffffff");
	p->p_type = PT_LOAD;

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
