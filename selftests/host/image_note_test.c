// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image loader (module/image.c): the ABI note every libilwaco
 * image carries, and each way a note can be wrong.  See image_fixture.h.
 */
#include "image_fixture.h"

/*
 * The ABI note (docs/ABI.md, "The ABI note").  A valid little program
 * with a note added; each test breaks one rule of the note.
 */
static void add_code(struct elf_builder *b)
{
	elf_builder_add(b, PT_LOAD, PF_R | PF_X, 0x10000, NULL, 0x10, 0x10);
}

/* The exact sentence for an image built for @major.@minor. */
static const char *abi_error(char *buf, size_t len, unsigned int major,
			     unsigned int minor)
{
	if (major != DENALI_ABI_MAJOR)
		snprintf(buf, len,
			 "built for Denali ABI %u.%u; this monitor implements %u.%u, another major version",
			 major, minor, DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	else
		snprintf(buf, len,
			 "built for Denali ABI %u.%u; this monitor implements %u.%u, an older minor: load a newer denali.ko",
			 major, minor, DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	return buf;
}

TEST_F(image, abi_note_for_this_abi_is_accepted)
{
	struct elf_builder_abi_note n;

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR);
	ASSERT_LOADED(load(self));
}

TEST_F(image, abi_note_for_an_older_minor_is_accepted)
{
	struct elf_builder_abi_note n;

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR, 0);
	ASSERT_LOADED(load(self));
}

TEST_F(image, image_without_abi_note_is_accepted_as_0_3)
{
	ASSERT_EQ(0, DENALI_ABI_MAJOR);
	ASSERT_EQ(3, DENALI_ABI_NO_NOTE_MINOR);
	add_code(&self->b);
	ASSERT_LOADED(load(self));
}

TEST_F(image, abi_note_for_a_newer_minor_is_rejected)
{
	struct elf_builder_abi_note n;
	char want[DENALI_ERROR_MAX];

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR + 1);
	ASSERT_REJECTED_WITH(load(self),
			     abi_error(want, sizeof(want), DENALI_ABI_MAJOR,
				       DENALI_ABI_MINOR + 1));
	/* Spelled out once, as docs/ABI.md quotes it. */
	if (DENALI_ABI_MAJOR == 0 && DENALI_ABI_MINOR == 4) {
		n.desc.minor = 5;
		ASSERT_REJECTED_WITH(load(self),
				     "built for Denali ABI 0.5; this monitor implements 0.4, an older minor: load a newer denali.ko");
	}
}

TEST_F(image, abi_note_for_another_major_is_rejected)
{
	struct elf_builder_abi_note n;
	char want[DENALI_ERROR_MAX];

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR + 1, 0);
	ASSERT_REJECTED_WITH(load(self),
			     abi_error(want, sizeof(want),
				       DENALI_ABI_MAJOR + 1, 0));
	/* An older minor of another major is no better. */
	n.desc.minor = UINT32_MAX;
	ASSERT_REJECTED_WITH(load(self),
			     abi_error(want, sizeof(want),
				       DENALI_ABI_MAJOR + 1, UINT32_MAX));
	n.desc.major = UINT32_MAX;
	ASSERT_REJECTED_WITH(load(self),
			     abi_error(want, sizeof(want), UINT32_MAX,
				       UINT32_MAX));
	if (DENALI_ABI_MAJOR == 0 && DENALI_ABI_MINOR == 4) {
		n.desc.major = 1;
		n.desc.minor = 0;
		ASSERT_REJECTED_WITH(load(self),
				     "built for Denali ABI 1.0; this monitor implements 0.4, another major version");
	}
}

TEST_F(image, abi_is_checked_before_the_other_rules)
{
	struct elf_builder_abi_note n;
	char want[DENALI_ERROR_MAX];

	/* A dynamic image below the base: the ABI is what is reported. */
	elf_builder_add(&self->b, PT_INTERP, PF_R, 0, NULL, 0x10, 0x10);
	elf_builder_add(&self->b, PT_LOAD, PF_R | PF_X, 0x1000, NULL,
			0x10, 0x10);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR + 1, 2);
	ASSERT_REJECTED_WITH(load(self),
			     abi_error(want, sizeof(want),
				       DENALI_ABI_MAJOR + 1, 2));
}

TEST_F(image, abi_note_with_a_wrong_descriptor_size_is_rejected)
{
	struct elf_builder_abi_note n;

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR);
	n.nhdr.n_descsz = 4;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: the Denali ABI note's descriptor is 4 bytes; it must be 8");
	n.nhdr.n_descsz = 0;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: the Denali ABI note's descriptor is 0 bytes; it must be 8");
}

TEST_F(image, two_abi_notes_are_rejected)
{
	struct elf_builder_abi_note n[2];

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n[0], DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR);
	elf_builder_add_abi_note(&self->b, &n[1], DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR);
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 2: a second Denali ABI note (the first is in segment 1)");
}

TEST_F(image, two_abi_notes_in_one_segment_are_rejected)
{
	struct elf_builder_abi_note n[2];
	struct elf_builder b2;
	Elf64_Phdr *p;

	elf_builder_add_abi_note(&b2, &n[0], DENALI_ABI_MAJOR, 0);
	elf_builder_add_abi_note(&b2, &n[1], DENALI_ABI_MAJOR, 1);
	add_code(&self->b);
	p = elf_builder_add(&self->b, PT_NOTE, PF_R, 0, n, sizeof(n),
			    sizeof(n));
	p->p_align = 4;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: a second Denali ABI note (the first is in segment 1)");
}

TEST_F(image, other_owners_notes_are_skipped)
{
	/* A GNU build-id note, then ours, then padding too short to parse. */
	static const uint8_t gnu[] = {
		4, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
		1, 2, 3, 4, 5, 6, 7, 8,
	};
	struct elf_builder_abi_note ours;
	uint8_t seg[sizeof(gnu) + sizeof(ours) + 8];
	struct elf_builder b2;
	Elf64_Phdr *p;

	elf_builder_add_abi_note(&b2, &ours, DENALI_ABI_MAJOR + 1, 0);
	memset(seg, 0, sizeof(seg));
	memcpy(seg, gnu, sizeof(gnu));
	memcpy(seg + sizeof(gnu), &ours, sizeof(ours));
	add_code(&self->b);
	p = elf_builder_add(&self->b, PT_NOTE, PF_R, 0, seg, sizeof(seg),
			    sizeof(seg));
	p->p_align = 4;
	/* Found behind the GNU note: refused for its major. */
	ASSERT_REJECTED(load(self), "another major version");

	/* A name that merely starts like ours, or another type: not ours. */
	memcpy(seg + sizeof(gnu) + 12, "DenaliX", 8);
	seg[sizeof(gnu)] = 8;
	ASSERT_LOADED(load(self));
	memcpy(seg + sizeof(gnu), &ours, sizeof(ours));
	seg[sizeof(gnu) + 8] = 2;
	ASSERT_LOADED(load(self));
}

TEST_F(image, notes_in_an_8_byte_aligned_segment_are_found)
{
	/*
	 * As GNU property notes are laid out: each descriptor and each
	 * note at a multiple of 8 from the segment's start.
	 */
	static const uint8_t seg[] = {
		/* 0: "GNU", a 4-byte descriptor at 16, next note at 24 */
		4, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 'G', 'N', 'U', 0,
		1, 2, 3, 4, 0, 0, 0, 0,
		/* 24: "Denali", the descriptor at 48 (24 + 19 rounded up) */
		7, 0, 0, 0, 8, 0, 0, 0, DENALI_NOTE_ABI, 0, 0, 0,
		'D', 'e', 'n', 'a', 'l', 'i', 0, 0, 0, 0, 0, 0,
		DENALI_ABI_MAJOR + 1, 0, 0, 0, 0, 0, 0, 0,
	};
	Elf64_Phdr *p;

	add_code(&self->b);
	p = elf_builder_add(&self->b, PT_NOTE, PF_R, 0, seg, sizeof(seg),
			    sizeof(seg));
	p->p_align = 8;
	ASSERT_REJECTED(load(self), "another major version");
}

TEST_F(image, note_running_past_its_segment_is_rejected)
{
	struct elf_builder_abi_note n;
	Elf64_Phdr *p;

	add_code(&self->b);
	p = elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				     DENALI_ABI_MINOR);
	p->p_filesz = sizeof(n) - 1;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: the note at offset 0x0 runs past the segment's end (0x1b bytes)");

	/* Sizes near 2^32 must not wrap the walk. */
	p->p_filesz = sizeof(n);
	n.nhdr.n_namesz = UINT32_MAX;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: the note at offset 0x0 runs past the segment's end (0x1c bytes)");
	n.nhdr.n_namesz = 7;
	n.nhdr.n_descsz = UINT32_MAX - 2;
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: the note at offset 0x0 runs past the segment's end (0x1c bytes)");
}

TEST_F(image, note_segment_outside_the_file_is_rejected)
{
	struct elf_builder_abi_note n;
	Elf64_Phdr *p;

	add_code(&self->b);
	p = elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				     DENALI_ABI_MINOR);
	p->p_offset = 0x7ff0;
	ASSERT_REJECTED_WITH(load_as(self, 0x7ff8),
			     "note segment 1: 0x1c bytes at offset 0x7ff0 run past the end of the file (0x7ff8 bytes)");
	p->p_offset = UINT64_MAX;
	ASSERT_REJECTED(load(self),
			"note segment 1: 0x1c bytes at offset 0xffffffffffffffff run past the end of the file (0x");
}

TEST_F(image, note_segment_over_4k_is_rejected)
{
	static uint8_t big[0x1001];
	Elf64_Phdr *p;

	add_code(&self->b);
	p = elf_builder_add(&self->b, PT_NOTE, PF_R, 0, big, sizeof(big),
			    sizeof(big));
	ASSERT_REJECTED_WITH(load(self),
			     "note segment 1: 0x1001 bytes; at most 0x1000 are allowed");
	/* 4 KiB of empty notes is fine. */
	p->p_filesz = 0x1000;
	ASSERT_LOADED(load(self));
}

TEST_F(image, empty_note_segment_is_ignored)
{
	add_code(&self->b);
	elf_builder_add(&self->b, PT_NOTE, PF_R, UINT64_MAX, NULL, 0, 0);
	self->b.phdr[1].p_offset = UINT64_MAX;
	ASSERT_LOADED(load(self));
}

TEST_F(image, note_read_errors_are_passed_up)
{
	struct elf_builder_abi_note n;

	add_code(&self->b);
	elf_builder_add_abi_note(&self->b, &n, DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR);
	/* Header, table, then the note. */
	self->file.reads_left = 2;
	self->file.fail = -EIO;
	ASSERT_EQ(-EIO, load(self));
	ASSERT_STREQ("note segment: read failed (error -5)", self->err);
}


TEST_HARNESS_MAIN
