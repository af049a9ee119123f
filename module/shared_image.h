/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared image pages (shared_image.c): the file-backed pages of an image,
 * loaded once and mapped into every VM its owner creates from the same
 * file with the same bytes.  Read-only segments stay shared for the VM's
 * life; writable ones are copied on the VM's first write (guest_pages.c).
 */
#ifndef DENALI_SHARED_IMAGE_H
#define DENALI_SHARED_IMAGE_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

struct page;

struct denali_shared_key {
	kuid_t owner;		/* VMs of different users never share */
	dev_t dev;
	unsigned long ino;
	u32 generation;
	loff_t size;
	struct timespec64 mtime;
	struct timespec64 ctime;
};

struct denali_shared_image {
	struct list_head node;	/* in the table while listed */
	struct kref ref;	/* one per VM mapping it, one while building */
	bool listed;		/* findable by new VMs */
	struct denali_shared_key key;
	struct xarray pages;	/* guest page number -> struct page */
	unsigned long npages;	/* entries in @pages */
	u64 seen;		/* DENALI_LIST_VMS pass that last counted it */
};

/* The identity of @file as seen by @owner now. */
void denali_shared_key_of(struct file *file, kuid_t owner,
			  struct denali_shared_key *key);

/* A listed image of @key, with a reference, or NULL. */
struct denali_shared_image *denali_shared_find(const struct denali_shared_key *key);

/* A new, unlisted, empty image. */
struct denali_shared_image *denali_shared_new(const struct denali_shared_key *key);

/*
 * The page for guest page @idx: an existing one (NULL if none), or with
 * @bytes and a building image, a new page holding them (NULL: no memory).
 */
struct page *denali_shared_page(struct denali_shared_image *si, u64 idx);
struct page *denali_shared_add(struct denali_shared_image *si, u64 idx,
			       const void *bytes);

/* List a newly built image, unless one of the same key is listed. */
void denali_shared_publish(struct denali_shared_image *si);
/* New VMs must not find @si again (its file's bytes changed). */
void denali_shared_unlist(struct denali_shared_image *si);

void denali_shared_put(struct denali_shared_image *si);

/* Counted once for each distinct image in a listing pass (registry lock). */
u64 denali_shared_list_pass(void);

/* Module-wide: images and pages held (debugfs denali/shared_*). */
unsigned long denali_shared_images(void);
unsigned long denali_shared_pages(void);

#endif /* DENALI_SHARED_IMAGE_H */
