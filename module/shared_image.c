// SPDX-License-Identifier: GPL-2.0
/*
 * Shared image pages: one copy of an image's file bytes for all the VMs
 * one user creates from it.
 *
 * The table.  An entry is found by the file's identity as its owner
 * opened it: (owner, device, inode, generation, size, mtime, ctime).
 * The key only finds a candidate: every VM created from it still reads
 * the whole image, and each page's bytes are compared with the shared
 * page before that page is mapped (vm.c); a page that differs is loaded
 * privately and the entry is unlisted, so a file rewritten in place,
 * even within one timestamp tick, never gives a VM stale bytes.
 *
 * Users never share: an entry is keyed by the creating VM's owner, so no
 * user can tell from his memory charges, the counters or creation time
 * whether another user runs the same image.
 *
 * Lifetime.  Each VM mapping an entry's pages holds a reference, dropped
 * once its host mapping is gone (guest_pages.c); the entry and its pages
 * go with the last one, so nothing is left at rmmod.  An entry is built
 * by one creator, unlisted, and published when its load succeeded; two
 * creators racing both build, and the loser's entry serves its own VM.
 *
 * Charging: an entry's pages are allocated with __GFP_ACCOUNT by its
 * first creator, so they are charged to that creator's memory cgroup
 * until the entry is freed (docs/ARCHITECTURE.md), and counted once
 * against max_total_mem_mb.  A page that cannot be had (either limit)
 * is simply not shared: the VM then tries a private one, and fails
 * creation with that error if it cannot have that either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "guest_pages.h"
#include "shared_image.h"

static LIST_HEAD(table);
static DEFINE_MUTEX(table_lock);
static atomic_long_t images_held = ATOMIC_LONG_INIT(0);
static atomic_long_t pages_held = ATOMIC_LONG_INIT(0);
static u64 list_pass;

void denali_shared_key_of(struct file *file, kuid_t owner,
			  struct denali_shared_key *key)
{
	struct inode *inode = file_inode(file);

	memset(key, 0, sizeof(*key));
	key->owner = owner;
	key->dev = inode->i_sb->s_dev;
	key->ino = inode->i_ino;
	key->generation = inode->i_generation;
	key->size = i_size_read(inode);
#ifdef DENALI_HAVE_INODE_GET_MTIME
	key->mtime = inode_get_mtime(inode);
	key->ctime = inode_get_ctime(inode);
#else
	key->mtime = inode->i_mtime;
	key->ctime = inode->i_ctime;
#endif
}

static bool key_equal(const struct denali_shared_key *a,
		      const struct denali_shared_key *b)
{
	return uid_eq(a->owner, b->owner) && a->dev == b->dev &&
	       a->ino == b->ino && a->generation == b->generation &&
	       a->size == b->size &&
	       timespec64_equal(&a->mtime, &b->mtime) &&
	       timespec64_equal(&a->ctime, &b->ctime);
}

struct denali_shared_image *denali_shared_find(const struct denali_shared_key *key)
{
	struct denali_shared_image *si, *found = NULL;

	mutex_lock(&table_lock);
	list_for_each_entry(si, &table, node) {
		if (key_equal(&si->key, key)) {
			kref_get(&si->ref);
			found = si;
			break;
		}
	}
	mutex_unlock(&table_lock);
	return found;
}

struct denali_shared_image *denali_shared_new(const struct denali_shared_key *key)
{
	struct denali_shared_image *si;

	si = kzalloc(sizeof(*si), GFP_KERNEL_ACCOUNT);
	if (!si)
		return NULL;
	INIT_LIST_HEAD(&si->node);
	kref_init(&si->ref);
	xa_init(&si->pages);
	si->key = *key;
	atomic_long_inc(&images_held);
	return si;
}

struct page *denali_shared_page(struct denali_shared_image *si, u64 idx)
{
	return xa_load(&si->pages, idx);
}

struct page *denali_shared_add(struct denali_shared_image *si, u64 idx,
			       const void *bytes)
{
	struct page *page;

	/* Only the builder, before publishing, adds: no lock needed. */
	if (WARN_ON_ONCE(si->listed || xa_load(&si->pages, idx)))
		return NULL;
	if (!denali_guest_mem_charge(PAGE_SIZE))
		return NULL;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (!page)
		goto uncharge;
	memcpy(page_address(page), bytes, PAGE_SIZE);
	if (xa_err(xa_store(&si->pages, idx, page, GFP_KERNEL_ACCOUNT)))
		goto free;
	si->npages++;
	atomic_long_inc(&pages_held);
	return page;
free:
	__free_page(page);
uncharge:
	denali_guest_mem_uncharge(PAGE_SIZE);
	return NULL;
}

void denali_shared_publish(struct denali_shared_image *si)
{
	struct denali_shared_image *other;

	if (!si->npages)
		return;
	mutex_lock(&table_lock);
	list_for_each_entry(other, &table, node)
		if (key_equal(&other->key, &si->key))
			goto out;
	list_add(&si->node, &table);
	si->listed = true;
out:
	mutex_unlock(&table_lock);
}

void denali_shared_unlist(struct denali_shared_image *si)
{
	mutex_lock(&table_lock);
	if (si->listed) {
		list_del_init(&si->node);
		si->listed = false;
	}
	mutex_unlock(&table_lock);
}

/* Called with table_lock held by kref_put_mutex(); drops it. */
static void release_locked(struct kref *ref)
{
	struct denali_shared_image *si =
		container_of(ref, struct denali_shared_image, ref);
	struct page *page;
	unsigned long i;

	if (si->listed)
		list_del(&si->node);
	mutex_unlock(&table_lock);
	/* No VM maps these pages any more: their last mapping is gone. */
	xa_for_each(&si->pages, i, page) {
		__free_page(page);
		denali_guest_mem_uncharge(PAGE_SIZE);
		atomic_long_dec(&pages_held);
	}
	xa_destroy(&si->pages);
	kfree(si);
	atomic_long_dec(&images_held);
}

void denali_shared_put(struct denali_shared_image *si)
{
	/* The lock makes "last reference" and "not findable" one step. */
	kref_put_mutex(&si->ref, release_locked, &table_lock);
}

u64 denali_shared_list_pass(void)
{
	return ++list_pass;
}

unsigned long denali_shared_images(void)
{
	return atomic_long_read(&images_held);
}

unsigned long denali_shared_pages(void)
{
	return atomic_long_read(&pages_held);
}
