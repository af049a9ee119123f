/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest image loader: validates a static x86-64 ELF64 executable
 * against the rules of docs/ABI.md and copies its PT_LOAD segments into
 * guest memory, recording each page's permissions.  Pure logic (no file,
 * no allocation of guest memory): the caller supplies a read callback, so
 * the same code runs in the module and in host-side unit tests.
 */
#ifndef DENALI_IMAGE_H
#define DENALI_IMAGE_H

#include "guest_mem.h"

/*
 * Read exactly @len bytes at offset @off of the image into @buf.  Returns
 * 0, -ENOEXEC if the image is shorter than @off + @len (a truncated
 * image), or another negative errno for an I/O error.
 */
typedef int (*denali_image_read_t)(void *ctx, void *buf, u64 len, u64 off);

/**
 * denali_image_load() - validate an ELF image and load it into guest memory
 * @mem:       guest memory, zeroed, with mem->prot filled by
 *             denali_guest_mem_default_prot(); on success the pages of
 *             each PT_LOAD segment carry that segment's permissions.
 * @read:      reads the image.
 * @ctx:       passed to @read.
 * @file_size: the image's size in bytes.
 * @entry:     OUT: the entry point; written only on success.
 * @err:       OUT: on failure, one NUL-terminated sentence saying exactly
 *             what is wrong, e.g. "segment 1: [0x10000, 0x210000) ends
 *             beyond guest memory (0x100000 bytes)"; empty on success.
 *             Every failure, a read error included, writes one, and none
 *             is longer than DENALI_ERROR_MAX - 1 characters.  "segment N"
 *             is entry N of the program header table, as readelf -l
 *             numbers them.  May be NULL when @errlen is 0.
 * @errlen:    size of @err.
 *
 * PT_LOAD segments with p_memsz 0 are ignored; PT_NOTE segments are read
 * for the ABI note only; other program header types except PT_INTERP and
 * PT_DYNAMIC are ignored.  Two segments may share a page only if they
 * have the same permissions.
 *
 * Returns 0; -ENOEXEC for any image that breaks the rules (not ELF, wrong
 * class, byte order, machine or type, bad program headers, built for
 * another ABI major version or a newer minor by its ABI note, a malformed
 * or repeated ABI note, a note segment outside the file or over 4 KiB,
 * segments outside memory or over reserved pages, filesz > memsz,
 * overflow, overlapping segments, two segments sharing a page with
 * different permissions, an entry point outside every executable
 * segment, no PT_LOAD, a dynamic image); -ENOMEM if the program headers
 * or a note segment cannot be buffered; or the read callback's error.
 * On failure guest memory and @mem->prot hold partial results: discard
 * the VM.
 */
int denali_image_load(struct denali_guest_mem *mem, denali_image_read_t read,
		      void *ctx, u64 file_size, u64 *entry, char *err,
		      size_t errlen);

/*
 * Place guest page @page, whose final bytes (file bytes of every segment
 * touching it, zeros elsewhere) are the DENALI_PAGE_BYTES at @bytes, its
 * permissions already in mem->prot.  0, or a negative errno after
 * writing its own message.
 */
typedef int (*denali_image_place_t)(void *ctx, u64 page, const void *bytes);

/*
 * As denali_image_load(), but the file bytes go to @place a page at a
 * time (each page holding file bytes once), never into mem->host; @read
 * then reads into the loader's own buffer only.
 */
int denali_image_load_placed(struct denali_guest_mem *mem,
			     denali_image_read_t read,
			     denali_image_place_t place, void *ctx,
			     u64 file_size, u64 *entry, char *err,
			     size_t errlen);

#endif /* DENALI_IMAGE_H */
