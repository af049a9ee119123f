// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image loader (see image.h): the one place where bytes chosen
 * by an untrusted user become guest code.  The image is hostile until
 * proven otherwise, so every field is checked before it is used, every
 * sum is computed overflow-safely, and nothing is read into guest memory
 * until the whole set of program headers has been accepted.  Each refusal
 * says precisely what is wrong, since "invalid image" helps nobody who is
 * fighting a linker script.
 *
 * The image's ABI note (docs/ABI.md) is read before anything else in the
 * program headers is judged: an image built for another ABI would break
 * the other rules in ways whose messages would only mislead.
 *
 * Segments are copied, not mapped, so p_offset and p_align need no
 * relation to p_vaddr.  What does matter is the permission map: one entry
 * per guest page, so two segments may share a page only if they ask for
 * the same permissions; merging them would silently give one segment's
 * bytes the other's rights (typically: writable code).
 *
 * Pure logic, built both into denali.ko and into the host-side unit tests
 * (selftests/host/image_test.c); the two worlds differ only in the
 * includes below.
 */
#ifdef __KERNEL__
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#else
#include <elf.h>
#include "kshim.h"
#endif

#include "uapi/denali.h"
#include "image.h"

/* Real static executables have fewer than a dozen program headers. */
#define DENALI_IMAGE_MAX_PHDRS	64
/* The largest PT_NOTE read; real images' notes take a few dozen bytes. */
#define DENALI_IMAGE_MAX_NOTE_BYTES	4096u

/* Everything one load needs, so that the helpers take one argument. */
struct denali_loader {
	struct denali_guest_mem *mem;
	denali_image_read_t read;
	denali_image_place_t place;	/* NULL: read into guest memory */
	void *ctx;
	u64 file_size;
	char *err;
	size_t errlen;
	Elf64_Ehdr ehdr;
	Elf64_Phdr *phdr;	/* ehdr.e_phnum entries */
	unsigned int phnum;
	int abi_seg;		/* the segment with the ABI note, or -1 */
	struct denali_note_abi abi;
};

/* Record why the load failed, and return @ret for the caller to pass up. */
static __printf(3, 4) int image_fail(struct denali_loader *ld, int ret,
				     const char *fmt, ...)
{
	va_list ap;

	if (ld->err && ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err, ld->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * Read @len bytes at @off for the headers.  The bounds were checked
 * against file_size already, so a short read means the file shrank under
 * us; say so rather than blaming the image's headers.
 */
static int image_read(struct denali_loader *ld, void *buf, u64 len, u64 off,
		      const char *what)
{
	int ret = ld->read(ld->ctx, buf, len, off);

	if (!ret)
		return 0;
	if (ret > 0)
		ret = -EIO;	/* the callback broke its contract */
	if (ret == -ENOEXEC)
		return image_fail(ld, ret,
				  "%s: the file ended before byte 0x%llx (truncated while loading)",
				  what, off + len);
	return image_fail(ld, ret, "%s: read failed (error %d)", what, ret);
}

/* A PT_LOAD that occupies memory; empty ones are ignored entirely. */
static bool image_seg_loaded(const Elf64_Phdr *p)
{
	return p->p_type == PT_LOAD && p->p_memsz;
}

/*
 * The page-map entry of a segment.  x86 pages are always readable, so a
 * segment without PF_R is loaded readable rather than refused.
 */
static u8 image_seg_prot(const Elf64_Phdr *p)
{
	u8 prot = DENALI_PAGE_PRESENT | DENALI_PAGE_SEGMENT;

	if (p->p_flags & PF_W)
		prot |= DENALI_PAGE_WRITE;
	if (p->p_flags & PF_X)
		prot |= DENALI_PAGE_EXEC;
	return prot;
}

static const char *image_prot_name(u8 prot)
{
	if (prot & DENALI_PAGE_WRITE)
		return prot & DENALI_PAGE_EXEC ? "RWX" : "RW-";
	return prot & DENALI_PAGE_EXEC ? "R-X" : "R--";
}

/* The ELF header alone: identity, machine, type, program header table. */
static int image_check_ehdr(struct denali_loader *ld)
{
	Elf64_Ehdr *eh = &ld->ehdr;
	u64 phoff, table_len, table_end;
	int ret;

	/* Read what there is, so that short junk is still "not an ELF". */
	if (ld->file_size < SELFMAG)
		return image_fail(ld, -ENOEXEC,
				  "not an ELF file (only %llu bytes)",
				  ld->file_size);
	ret = image_read(ld, eh, min_t(u64, ld->file_size, sizeof(*eh)), 0,
			 "ELF header");
	if (ret)
		return ret;
	phoff = eh->e_phoff;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return image_fail(ld, -ENOEXEC,
				  "not an ELF file (bad magic number)");
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return image_fail(ld, -ENOEXEC,
				  "32-bit ELF; Denali guests are ELF64");
	if (ld->file_size < sizeof(*eh))
		return image_fail(ld, -ENOEXEC,
				  "file is %llu bytes, shorter than an ELF64 header (%zu bytes)",
				  ld->file_size, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return image_fail(ld, -ENOEXEC,
				  "unknown ELF class %u; Denali guests are ELF64",
				  eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] == ELFDATA2MSB)
		return image_fail(ld, -ENOEXEC,
				  "big-endian ELF; Denali guests are little-endian");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return image_fail(ld, -ENOEXEC,
				  "unknown ELF byte order %u; Denali guests are little-endian",
				  eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return image_fail(ld, -ENOEXEC,
				  "unsupported ELF version (identification %u, header %u); need %u",
				  eh->e_ident[EI_VERSION], eh->e_version,
				  EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return image_fail(ld, -ENOEXEC,
				  "wrong machine %u; need x86-64 (%u)",
				  eh->e_machine, EM_X86_64);
	if (eh->e_type == ET_DYN)
		return image_fail(ld, -ENOEXEC,
				  "position-independent (ET_DYN) image; link with -static -no-pie");
	if (eh->e_type != ET_EXEC)
		return image_fail(ld, -ENOEXEC,
				  "ELF type %u is not an executable (ET_EXEC)",
				  eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return image_fail(ld, -ENOEXEC,
				  "program header entries are %u bytes; need %zu",
				  eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!eh->e_phnum)
		return image_fail(ld, -ENOEXEC,
				  "no program headers: nothing to load");
	if (eh->e_phnum > DENALI_IMAGE_MAX_PHDRS)
		return image_fail(ld, -ENOEXEC,
				  "%u program headers; at most %u are allowed",
				  eh->e_phnum, DENALI_IMAGE_MAX_PHDRS);

	/* At most 64 * 56 bytes: only the addition can overflow. */
	table_len = (u64)eh->e_phnum * sizeof(Elf64_Phdr);
	if (check_add_overflow(phoff, table_len, &table_end) ||
	    table_end > ld->file_size)
		return image_fail(ld, -ENOEXEC,
				  "program header table: 0x%llx bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
				  table_len, phoff, ld->file_size);
	ld->phnum = eh->e_phnum;
	return 0;
}

/* One PT_LOAD on its own: sizes, file range, guest range. */
static int image_check_seg(struct denali_loader *ld, unsigned int i)
{
	const Elf64_Phdr *p = &ld->phdr[i];
	u64 offset = p->p_offset, filesz = p->p_filesz;
	u64 vaddr = p->p_vaddr, memsz = p->p_memsz;
	u64 file_end, end;

	if (filesz > memsz)
		return image_fail(ld, -ENOEXEC,
				  "segment %u: file size 0x%llx exceeds memory size 0x%llx",
				  i, filesz, memsz);
	if (check_add_overflow(offset, filesz, &file_end) ||
	    file_end > ld->file_size)
		return image_fail(ld, -ENOEXEC,
				  "segment %u: truncated: 0x%llx bytes at offset 0x%llx, past end of file (0x%llx bytes)",
				  i, filesz, offset, ld->file_size);
	if (check_add_overflow(vaddr, memsz, &end))
		return image_fail(ld, -ENOEXEC,
				  "segment %u: 0x%llx bytes at 0x%llx wrap around the address space",
				  i, memsz, vaddr);
	if (vaddr < DENALI_GUEST_IMAGE_BASE)
		return image_fail(ld, -ENOEXEC,
				  "segment %u: [0x%llx, 0x%llx) starts below 0x%llx (the null page and the monitor's reserved pages)",
				  i, vaddr, end, DENALI_GUEST_IMAGE_BASE);
	if (end > ld->mem->size)
		return image_fail(ld, -ENOEXEC,
				  "segment %u: [0x%llx, 0x%llx) ends beyond guest memory (0x%llx bytes)",
				  i, vaddr, end, ld->mem->size);
	return 0;
}

/*
 * Every segment against every other (at most 64 * 63 / 2 pairs).  Runs
 * after image_check_seg() accepted them all, so vaddr + memsz is exact.
 */
static int image_check_overlaps(struct denali_loader *ld)
{
	unsigned int i, j;

	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *a = &ld->phdr[i];

		if (!image_seg_loaded(a))
			continue;
		for (j = i + 1; j < ld->phnum; j++) {
			const Elf64_Phdr *b = &ld->phdr[j];
			u64 lo, hi;

			if (!image_seg_loaded(b))
				continue;
			lo = max(a->p_vaddr, b->p_vaddr);
			hi = min(a->p_vaddr + a->p_memsz,
				 b->p_vaddr + b->p_memsz);
			if (lo < hi)
				return image_fail(ld, -ENOEXEC,
						  "segments %u and %u overlap at 0x%llx",
						  i, j, lo);
		}
	}
	return 0;
}

/* The first loaded segment before @limit that touches @page. */
static unsigned int image_page_owner(struct denali_loader *ld, u64 page,
				     unsigned int limit)
{
	unsigned int j;

	for (j = 0; j < limit; j++) {
		const Elf64_Phdr *p = &ld->phdr[j];

		if (image_seg_loaded(p) &&
		    (p->p_vaddr >> DENALI_PAGE_SHIFT) <= page &&
		    ((p->p_vaddr + p->p_memsz - 1) >>
		     DENALI_PAGE_SHIFT) >= page)
			return j;
	}
	return limit;	/* not reached: the page's marker came from one */
}

/*
 * Give each segment's pages its permissions.  DENALI_PAGE_SEGMENT tells a
 * page already claimed by an earlier segment from one that merely has the
 * default permissions; segments do not overlap by now, so each page is
 * visited at most once per segment touching it.
 */
static int image_set_prot(struct denali_loader *ld)
{
	unsigned int i;

	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *p = &ld->phdr[i];
		u8 prot = image_seg_prot(p);
		u64 page, last;

		if (!image_seg_loaded(p))
			continue;
		page = p->p_vaddr >> DENALI_PAGE_SHIFT;
		last = (p->p_vaddr + p->p_memsz - 1) >> DENALI_PAGE_SHIFT;
		for (; page <= last; page++) {
			u8 old = ld->mem->prot[page];

			if ((old & DENALI_PAGE_SEGMENT) && old != prot)
				return image_fail(ld, -ENOEXEC,
						  "segments %u and %u share the page at 0x%llx with different permissions (%s, %s); align segments to %llu",
						  image_page_owner(ld, page, i),
						  i, page << DENALI_PAGE_SHIFT,
						  image_prot_name(old),
						  image_prot_name(prot),
						  DENALI_PAGE_BYTES);
			ld->mem->prot[page] = prot;
		}
	}
	return 0;
}

static int image_check_entry(struct denali_loader *ld)
{
	u64 entry = ld->ehdr.e_entry;
	unsigned int i;

	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *p = &ld->phdr[i];

		if (image_seg_loaded(p) && (p->p_flags & PF_X) &&
		    entry >= p->p_vaddr && entry - p->p_vaddr < p->p_memsz)
			return 0;
	}
	return image_fail(ld, -ENOEXEC,
			  "entry point 0x%llx is not inside an executable segment",
			  entry);
}

/* A failed segment read, said as image_copy() says it. */
static int image_copy_fail(struct denali_loader *ld, unsigned int i, int ret,
			   u64 len, u64 off)
{
	if (ret > 0)
		ret = -EIO;
	if (ret == -ENOEXEC)
		return image_fail(ld, ret,
				  "segment %u: the file ended before byte 0x%llx (truncated while loading)",
				  i, off + len);
	return image_fail(ld, ret,
			  "segment %u: reading 0x%llx bytes at offset 0x%llx failed (error %d)",
			  i, len, off, ret);
}

/*
 * Page by page, for a caller that places each page itself (the module,
 * sharing image pages between VMs): every guest page holding file bytes
 * of some segment is composed whole in @buf, the bytes of each segment
 * that touches it (two may, with equal permissions) over zeros, then
 * handed to ld->place once.  Pages of bss alone are never placed.
 */
static int image_copy_paged(struct denali_loader *ld, u8 *buf)
{
	unsigned int i, j;
	u64 page, last;
	int ret;

	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *p = &ld->phdr[i];

		if (!image_seg_loaded(p) || !p->p_filesz)
			continue;
		page = p->p_vaddr >> DENALI_PAGE_SHIFT;
		last = (p->p_vaddr + p->p_filesz - 1) >> DENALI_PAGE_SHIFT;
		for (; page <= last; page++) {
			u64 start = page << DENALI_PAGE_SHIFT;
			u64 end = start + DENALI_PAGE_BYTES;

			if (ld->mem->prot[page] & DENALI_PAGE_PLACED)
				continue;
			memset(buf, 0, DENALI_PAGE_BYTES);
			for (j = 0; j < ld->phnum; j++) {
				const Elf64_Phdr *q = &ld->phdr[j];
				u64 lo, hi, off;

				if (!image_seg_loaded(q) || !q->p_filesz)
					continue;
				lo = max(start, q->p_vaddr);
				hi = min(end, q->p_vaddr + q->p_filesz);
				if (lo >= hi)
					continue;
				off = q->p_offset + (lo - q->p_vaddr);
				ret = ld->read(ld->ctx, buf + (lo - start),
					       hi - lo, off);
				if (ret)
					return image_copy_fail(ld, j, ret,
							       hi - lo, off);
			}
			ld->mem->prot[page] |= DENALI_PAGE_PLACED;
			ret = ld->place(ld->ctx, page, buf);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Copy the file bytes; the rest of each segment (bss) is already zero. */
static int image_copy(struct denali_loader *ld)
{
	unsigned int i;
	int ret;

	if (ld->place) {
		u8 *buf = kmalloc(DENALI_PAGE_BYTES, GFP_KERNEL);

		if (!buf)
			return image_fail(ld, -ENOMEM,
					  "out of memory for a page buffer");
		ret = image_copy_paged(ld, buf);
		kfree(buf);
		return ret;
	}
	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *p = &ld->phdr[i];
		u64 offset = p->p_offset, filesz = p->p_filesz;

		if (!image_seg_loaded(p) || !filesz)
			continue;
		ret = ld->read(ld->ctx, ld->mem->host + p->p_vaddr, filesz,
			       offset);
		if (ret)
			return image_copy_fail(ld, i, ret, filesz, offset);
	}
	return 0;
}

/* @n rounded up to @align, a power of two; @n is below 2^34. */
static u64 image_note_pad(u64 n, u64 align)
{
	return (n + align - 1) & ~(align - 1);
}

/* The ABI note, found in segment @i: keep it unless it is malformed. */
static int image_take_abi_note(struct denali_loader *ld, unsigned int i,
			       const Elf64_Nhdr *nh, const u8 *desc)
{
	if (nh->n_descsz != sizeof(ld->abi))
		return image_fail(ld, -ENOEXEC,
				  "note segment %u: the Denali ABI note's descriptor is %u bytes; it must be %zu",
				  i, nh->n_descsz, sizeof(ld->abi));
	if (ld->abi_seg >= 0)
		return image_fail(ld, -ENOEXEC,
				  "note segment %u: a second Denali ABI note (the first is in segment %d)",
				  i, ld->abi_seg);
	memcpy(&ld->abi, desc, sizeof(ld->abi));
	ld->abi_seg = i;
	return 0;
}

/*
 * Walk the notes of segment @i, @size bytes read into @buf.  Each note is
 * a header and its name, then its descriptor at the next multiple of
 * @align bytes (from the segment's start), then the next note at the
 * next multiple again; notes of other owners are skipped, and trailing
 * bytes too few for a header are padding.
 */
static int image_parse_notes(struct denali_loader *ld, unsigned int i,
			     const u8 *buf, u64 size, u64 align)
{
	u64 off = 0;
	int ret;

	while (size - off >= sizeof(Elf64_Nhdr)) {
		u64 name = off + sizeof(Elf64_Nhdr), desc, next;
		Elf64_Nhdr nh;

		memcpy(&nh, buf + off, sizeof(nh));
		desc = image_note_pad(name + nh.n_namesz, align);
		next = image_note_pad(desc + nh.n_descsz, align);
		if (desc + nh.n_descsz > size)
			return image_fail(ld, -ENOEXEC,
					  "note segment %u: the note at offset 0x%llx runs past the segment's end (0x%llx bytes)",
					  i, off, size);
		if (nh.n_type == DENALI_NOTE_ABI &&
		    nh.n_namesz == sizeof(DENALI_NOTE_NAME) &&
		    !memcmp(buf + name, DENALI_NOTE_NAME, nh.n_namesz)) {
			ret = image_take_abi_note(ld, i, &nh, buf + desc);
			if (ret)
				return ret;
		}
		off = min(next, size);
	}
	return 0;
}

/* Read PT_NOTE segment @i and look for the ABI note in it. */
static int image_scan_note_seg(struct denali_loader *ld, unsigned int i)
{
	const Elf64_Phdr *p = &ld->phdr[i];
	u64 size = p->p_filesz, offset = p->p_offset, end;
	u8 *buf;
	int ret;

	if (!size)
		return 0;
	if (check_add_overflow(offset, size, &end) || end > ld->file_size)
		return image_fail(ld, -ENOEXEC,
				  "note segment %u: 0x%llx bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
				  i, size, offset, ld->file_size);
	if (size > DENALI_IMAGE_MAX_NOTE_BYTES)
		return image_fail(ld, -ENOEXEC,
				  "note segment %u: 0x%llx bytes; at most 0x%x are allowed",
				  i, size, DENALI_IMAGE_MAX_NOTE_BYTES);
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return image_fail(ld, -ENOMEM,
				  "out of memory for note segment %u", i);
	ret = image_read(ld, buf, size, offset, "note segment");
	if (!ret)
		ret = image_parse_notes(ld, i, buf, size,
					p->p_align == 8 ? 8 : 4);
	kfree(buf);
	return ret;
}

/*
 * Which ABI the image was built for: its ABI note's, or, without one,
 * 0.DENALI_ABI_NO_NOTE_MINOR (images made before the note existed).  The
 * monitor runs images built for its own major version and a minor no
 * newer than its own.
 */
static int image_check_abi(struct denali_loader *ld)
{
	const char *how = "";
	unsigned int i;
	int ret;

	for (i = 0; i < ld->phnum; i++) {
		if (ld->phdr[i].p_type != PT_NOTE)
			continue;
		ret = image_scan_note_seg(ld, i);
		if (ret)
			return ret;
	}
	if (ld->abi_seg < 0) {
		ld->abi.major = 0;
		ld->abi.minor = DENALI_ABI_NO_NOTE_MINOR;
		how = " (it has no ABI note)";
	}
	if (ld->abi.major != DENALI_ABI_MAJOR)
		return image_fail(ld, -ENOEXEC,
				  "built for Denali ABI %u.%u%s; this monitor implements %u.%u, another major version",
				  ld->abi.major, ld->abi.minor, how,
				  DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	if (ld->abi.minor > DENALI_ABI_MINOR)
		return image_fail(ld, -ENOEXEC,
				  "built for Denali ABI %u.%u; this monitor implements %u.%u, an older minor: load a newer denali.ko",
				  ld->abi.major, ld->abi.minor,
				  DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	return 0;
}

/* Everything after the ELF header, with ld->phdr allocated. */
static int image_load_segments(struct denali_loader *ld)
{
	unsigned int i, loads = 0;
	u64 page, pages;
	int ret;

	ret = image_read(ld, ld->phdr, (u64)ld->phnum * sizeof(Elf64_Phdr),
			 ld->ehdr.e_phoff, "program header table");
	if (!ret)
		ret = image_check_abi(ld);
	if (ret)
		return ret;

	for (i = 0; i < ld->phnum; i++) {
		const Elf64_Phdr *p = &ld->phdr[i];

		if (p->p_type == PT_INTERP || p->p_type == PT_DYNAMIC)
			return image_fail(ld, -ENOEXEC,
					  "program header %u is %s: dynamic image; link statically",
					  i, p->p_type == PT_INTERP ?
					  "PT_INTERP" : "PT_DYNAMIC");
		if (image_seg_loaded(p))
			loads++;
	}
	if (!loads)
		return image_fail(ld, -ENOEXEC,
				  "no PT_LOAD segment with a nonzero memory size: nothing to load");

	for (i = 0; i < ld->phnum; i++) {
		if (!image_seg_loaded(&ld->phdr[i]))
			continue;
		ret = image_check_seg(ld, i);
		if (ret)
			return ret;
	}
	ret = image_check_overlaps(ld);
	if (!ret)
		ret = image_set_prot(ld);
	if (!ret)
		ret = image_check_entry(ld);
	if (!ret)
		ret = image_copy(ld);
	if (ret)
		return ret;

	/* The marker is the loader's business only. */
	pages = ld->mem->size >> DENALI_PAGE_SHIFT;
	for (page = 0; page < pages; page++)
		ld->mem->prot[page] &= ~(DENALI_PAGE_SEGMENT |
					 DENALI_PAGE_PLACED);
	return 0;
}

int denali_image_load(struct denali_guest_mem *mem, denali_image_read_t read,
		      void *ctx, u64 file_size, u64 *entry, char *err,
		      size_t errlen)
{
	return denali_image_load_placed(mem, read, NULL, ctx, file_size,
					entry, err, errlen);
}

int denali_image_load_placed(struct denali_guest_mem *mem,
			     denali_image_read_t read,
			     denali_image_place_t place, void *ctx,
			     u64 file_size, u64 *entry, char *err,
			     size_t errlen)
{
	struct denali_loader ld = {
		.mem = mem,
		.read = read,
		.place = place,
		.ctx = ctx,
		.file_size = file_size,
		.err = err,
		.errlen = errlen,
		.abi_seg = -1,
	};
	int ret;

	if (err && errlen)
		err[0] = '\0';

	ret = image_check_ehdr(&ld);
	if (ret)
		return ret;

	ld.phdr = kmalloc_array(ld.phnum, sizeof(*ld.phdr), GFP_KERNEL);
	if (!ld.phdr)
		return image_fail(&ld, -ENOMEM,
				  "out of memory for %u program headers",
				  ld.phnum);
	ret = image_load_segments(&ld);
	kfree(ld.phdr);
	if (!ret)
		*entry = ld.ehdr.e_entry;
	return ret;
}
