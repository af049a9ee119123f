/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny in-memory ELF64 writer for the selftests.  Guests for the tests
 * are a few bytes of machine code; building them here, at run time, keeps
 * the tests free of a cross toolchain and of binary files in the tree, and
 * lets the loader's tests hand it precisely the broken image they mean to.
 *
 * Use:
 *	struct elf_builder b;
 *
 *	elf_builder_init(&b, entry);
 *	elf_builder_add(&b, PT_LOAD, PF_R | PF_X, 0x10000, code, len, len);
 *	b.ehdr.e_machine = EM_386;		(any field may be corrupted)
 *	size = elf_builder_write(&b, buf, sizeof(buf));
 *
 * elf_builder_init() fills a valid ET_EXEC, EM_X86_64 header whose program
 * header table sits right after it; each elf_builder_add() appends one
 * program header, places its payload in the file after ELF_BUILDER_DATA
 * (16-byte aligned) and bumps e_phnum.  Between the calls and
 * elf_builder_write(), b.ehdr and b.phdr[] are the caller's to edit:
 * elf_builder_write() writes them as they are.  It writes the table at
 * e_phoff and each payload at its p_offset only where they fit in the
 * buffer, so hostile offsets are harmless; e_phnum only affects the
 * header, the table always holds the headers that were added.
 *
 * Userspace only; for the host unit tests and the in-VM tests alike.
 */
#ifndef DENALI_ELF_BUILDER_H
#define DENALI_ELF_BUILDER_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "uapi/denali_guest.h"

/* More than the loader's limit of 64, so that limit can be tested. */
#define ELF_BUILDER_MAX_PHDRS	70
/* Where payloads start in the file: after the largest possible table. */
#define ELF_BUILDER_DATA	0x1000
/* Where elf_build_code() loads its code, and enters it. */
#define ELF_BUILDER_CODE_ADDR	0x10000

struct elf_builder {
	Elf64_Ehdr ehdr;
	Elf64_Phdr phdr[ELF_BUILDER_MAX_PHDRS];
	const void *data[ELF_BUILDER_MAX_PHDRS];	/* p_filesz bytes */
	unsigned int nphdr;	/* headers added */
	uint64_t next;		/* file offset for the next payload */
};

static inline void elf_builder_init(struct elf_builder *b, uint64_t entry)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->ehdr.e_ident, ELFMAG, SELFMAG);
	b->ehdr.e_ident[EI_CLASS] = ELFCLASS64;
	b->ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	b->ehdr.e_ident[EI_VERSION] = EV_CURRENT;
	b->ehdr.e_ident[EI_OSABI] = ELFOSABI_NONE;
	b->ehdr.e_type = ET_EXEC;
	b->ehdr.e_machine = EM_X86_64;
	b->ehdr.e_version = EV_CURRENT;
	b->ehdr.e_entry = entry;
	b->ehdr.e_phoff = sizeof(Elf64_Ehdr);
	b->ehdr.e_ehsize = sizeof(Elf64_Ehdr);
	b->ehdr.e_phentsize = sizeof(Elf64_Phdr);
	b->next = ELF_BUILDER_DATA;
}

/*
 * Append a program header whose @filesz payload bytes come from @data
 * (NULL: zeros), copied when the image is written.  Returns the header,
 * for the caller to adjust, or NULL when the table is full.
 */
static inline Elf64_Phdr *elf_builder_add(struct elf_builder *b,
					  uint32_t type, uint32_t flags,
					  uint64_t vaddr, const void *data,
					  uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *p;

	if (b->nphdr >= ELF_BUILDER_MAX_PHDRS)
		return NULL;
	p = &b->phdr[b->nphdr];
	b->data[b->nphdr] = data;
	b->nphdr++;
	b->ehdr.e_phnum = b->nphdr;

	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = b->next;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
	/* Huge sizes are for corrupt images; they get no file space. */
	if (filesz < (1u << 30))
		b->next = (b->next + filesz + 15) & ~(uint64_t)15;
	return p;
}

/* Whether [off, off + len) lies inside a buffer of @cap bytes. */
static inline int elf_builder_fits(uint64_t off, uint64_t len, size_t cap)
{
	return off <= cap && len <= cap - off;
}

/*
 * Write the image into @buf.  Returns its size in bytes: the end of the
 * furthest thing written, or of the payload area when that is further
 * (so trailing padding is part of the file).  Returns 0 when @cap cannot
 * hold the image as elf_builder_add() laid it out.
 */
static inline size_t elf_builder_write(const struct elf_builder *b,
				       void *buf, size_t cap)
{
	uint64_t table = (uint64_t)b->nphdr * sizeof(Elf64_Phdr);
	uint8_t *out = buf;
	size_t size = b->next;
	unsigned int i;

	if (cap < b->next)
		return 0;
	memset(out, 0, b->next);
	memcpy(out, &b->ehdr, sizeof(b->ehdr));
	if (elf_builder_fits(b->ehdr.e_phoff, table, cap)) {
		memcpy(out + b->ehdr.e_phoff, b->phdr, table);
		if (b->ehdr.e_phoff + table > size)
			size = b->ehdr.e_phoff + table;
	}
	for (i = 0; i < b->nphdr; i++) {
		const Elf64_Phdr *p = &b->phdr[i];

		if (!elf_builder_fits(p->p_offset, p->p_filesz, cap))
			continue;
		if (b->data[i])
			memcpy(out + p->p_offset, b->data[i], p->p_filesz);
		else
			memset(out + p->p_offset, 0, p->p_filesz);
		if (p->p_offset + p->p_filesz > size)
			size = p->p_offset + p->p_filesz;
	}
	return size;
}

/*
 * The smallest useful guest: @len bytes of code in one R-X segment at
 * ELF_BUILDER_CODE_ADDR, entered at its first byte.  Everything above the
 * image is read-write guest memory, so no stack segment is needed.
 * Returns the image's size, or 0 if @cap is too small.
 */
static inline size_t elf_build_code(void *buf, size_t cap, const void *code,
				    size_t len)
{
	struct elf_builder b;

	elf_builder_init(&b, ELF_BUILDER_CODE_ADDR);
	elf_builder_add(&b, PT_LOAD, PF_R | PF_X, ELF_BUILDER_CODE_ADDR, code,
			len, len);
	return elf_builder_write(&b, buf, cap);
}

/*
 * The Denali ABI note (docs/ABI.md), as libilwaco's start.c lays it out:
 * header, "Denali" padded to 8 bytes, struct denali_note_abi.
 */
struct elf_builder_abi_note {
	Elf64_Nhdr nhdr;
	char name[8];
	struct denali_note_abi desc;
};

/*
 * Append a PT_NOTE holding one ABI note for @major.@minor, written into
 * @note (which must live until elf_builder_write()).  Returns the header,
 * or NULL when the table is full.
 */
static inline Elf64_Phdr *
elf_builder_add_abi_note(struct elf_builder *b,
			 struct elf_builder_abi_note *note, uint32_t major,
			 uint32_t minor)
{
	Elf64_Phdr *p;

	memset(note, 0, sizeof(*note));
	note->nhdr.n_namesz = sizeof(DENALI_NOTE_NAME);
	note->nhdr.n_descsz = sizeof(note->desc);
	note->nhdr.n_type = DENALI_NOTE_ABI;
	memcpy(note->name, DENALI_NOTE_NAME, sizeof(DENALI_NOTE_NAME));
	note->desc.major = major;
	note->desc.minor = minor;
	p = elf_builder_add(b, PT_NOTE, PF_R, 0, note, sizeof(*note),
			    sizeof(*note));
	if (p)
		p->p_align = 4;
	return p;
}

#endif /* DENALI_ELF_BUILDER_H */
