// SPDX-License-Identifier: GPL-2.0
/*
 * A read-only file tree, linked into the image as data.
 *
 * `ilwaco-cc --files DIR` turns DIR into a table (tools/ilwaco-files):
 * one entry per directory and file, with its absolute path in the guest
 * (DIR itself is "/"), its contents in the image's read-only data, and
 * its parent.  This file serves the tree through the Linux calls: open,
 * openat, stat and friends, read, pread, readv, lseek, fstat,
 * getdents64, close, access, getcwd, and read-only private mmap (a copy
 * into fresh pages).  Anything that would change the tree fails with
 * EROFS; without a tree, "/" is an empty directory.
 *
 * The working directory is always "/".  Paths are resolved textually
 * ("." and ".." included); lookups are a linear search, which suits the
 * small trees guests carry.
 *
 * One path exists outside the tree: /dev/null, because programs write
 * what they mean to throw away there (lz4 -t tests a file by
 * decompressing into it) and a read-only tree would refuse the open.
 * It reads as empty and takes every write, as on Linux; it is not
 * listed in any directory.
 */
#include "posix.h"

#define O_ACCMODE	3
#define O_CREAT		0100
#define O_TRUNC		01000
#define O_DIRECTORY	0200000
#define AT_FDCWD	(-100)
#define AT_EMPTY_PATH	0x1000
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define MAX_FILES	64		/* open at once, besides the console */
#define PATH_MAX	4096
#define DT_DIR		4
#define DT_REG		8
/* open_files[].entry of /dev/null: no index of the table can be this. */
#define DEV_NULL	(~0ul)
#define DEV_NULL_PATH	"/dev/null"
#define DEV_NULL_RDEV	((1 << 8) | 3)	/* Linux's: char 1:3 */

static unsigned long file_count(void)
{
	return ilwaco_file_count;
}

static const struct file_entry *entry(unsigned long i)
{
	return &ilwaco_file_table[i];
}

/* Open files: the entry (+1, 0 is free) and the offset. */
static struct {
	unsigned long entry;
	unsigned long offset;
} open_files[MAX_FILES];

static int is_dir(const struct file_entry *e)
{
	return (e->mode & 0170000) == L_S_IFDIR;
}

/*
 * Resolve @path (relative to the entry @base) into @out, an absolute
 * path with no ".", ".." or repeated slashes; 0 or -errno.
 */
static long normalize(const char *path, unsigned long base, char *out)
{
	const char *p = path;
	unsigned long len = 0, n;

	if (!user_range_ok(path, 1))
		return -L_EFAULT;
	if (!*path)
		return -L_ENOENT;
	if (*p != '/') {
		const char *b = entry(base)->path;

		len = strlen(b);
		memcpy(out, b, len);
	}
	if (len == 1)			/* "/" */
		len = 0;
	while (*p) {
		while (*p == '/')
			p++;
		for (n = 0; p[n] && p[n] != '/'; n++)
			;
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
		} else {
			if (len + 1 + n >= PATH_MAX)
				return -36;	/* ENAMETOOLONG */
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

/* The entry for @path relative to @base, or -errno. */
static long lookup(const char *path, unsigned long base)
{
	static char norm[PATH_MAX];
	unsigned long i;
	long err = normalize(path, base, norm);

	if (err)
		return err;
	for (i = 0; i < file_count(); i++)
		if (!strcmp(entry(i)->path, norm))
			return i;
	return -L_ENOENT;
}

/* Does @path name /dev/null?  Only absolute paths do ("/" is the cwd). */
static int is_dev_null(const char *path, unsigned long base)
{
	static char norm[PATH_MAX];

	return !normalize(path, base, norm) && !strcmp(norm, DEV_NULL_PATH);
}

/* The open file of @fd, or NULL. */
static unsigned long *fd_entry(long fd)
{
	if (fd < 3 || fd >= 3 + MAX_FILES || !open_files[fd - 3].entry)
		return NULL;
	return &open_files[fd - 3].entry;
}

/* Is the open file @fd /dev/null?  (FD_ENTRY() is not for it.) */
static int fd_is_null(long fd)
{
	return fd_entry(fd) && open_files[fd - 3].entry == DEV_NULL;
}

#define FD_ENTRY(fd)	(entry(open_files[(fd) - 3].entry - 1))
#define FD_OFFSET(fd)	(open_files[(fd) - 3].offset)

/* The entry @dirfd stands for (AT_FDCWD: "/"), or -errno. */
static long dir_base(long dirfd, const char *path)
{
	if ((path && *path == '/') || dirfd == AT_FDCWD)
		return 0;
	if (!fd_entry(dirfd))
		return -L_EBADF;
	if (fd_is_null(dirfd) || !is_dir(FD_ENTRY(dirfd)))
		return -20;	/* ENOTDIR */
	return open_files[dirfd - 3].entry - 1;
}

/* The first free descriptor, now standing for @e (an entry + 1). */
static long new_fd(unsigned long e)
{
	int fd;

	for (fd = 0; fd < MAX_FILES; fd++) {
		if (!open_files[fd].entry) {
			open_files[fd].entry = e;
			open_files[fd].offset = 0;
			return fd + 3;
		}
	}
	return -24;	/* EMFILE */
}

static long do_openat(long dirfd, const char *path, long flags)
{
	long base = dir_base(dirfd, path), e;

	if (base < 0)
		return base;
	if (is_dev_null(path, base))
		return flags & O_DIRECTORY ? -20 : new_fd(DEV_NULL);
	e = lookup(path, base);
	if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC) ||
	    (e < 0 && (flags & O_CREAT)))
		return e < 0 && !(flags & O_CREAT) ? e : -L_EROFS;
	if (e < 0)
		return e;
	if ((flags & O_DIRECTORY) && !is_dir(entry(e)))
		return -20;	/* ENOTDIR */
	return new_fd(e + 1);
}

SYSCALL_DEFINE(open)
{
	return do_openat(AT_FDCWD, (const char *)a1, a2);
}

SYSCALL_DEFINE(openat)
{
	return do_openat(a1, (const char *)a2, a3);
}

long ilwaco_file_close(long fd)
{
	if (!fd_entry(fd))
		return -L_EBADF;
	open_files[fd - 3].entry = 0;
	return 0;
}

/* Copy up to @len bytes at @off of @fd's file to @buf. */
static long file_copy(long fd, void *buf, unsigned long len, unsigned long off)
{
	const struct file_entry *e = FD_ENTRY(fd);

	if (is_dir(e))
		return -21;	/* EISDIR */
	if (!user_range_ok(buf, len))
		return -L_EFAULT;
	if (off >= e->size)
		return 0;
	if (len > e->size - off)
		len = e->size - off;
	memcpy(buf, e->data + off, len);
	return len;
}

long ilwaco_file_read(long fd, void *buf, unsigned long len)
{
	long n;

	if (!fd_entry(fd))
		return -L_EBADF;
	if (fd_is_null(fd))
		return 0;
	n = file_copy(fd, buf, len, FD_OFFSET(fd));
	if (n > 0)
		FD_OFFSET(fd) += n;
	return n;
}

SYSCALL_DEFINE(pread64)
{
	if (!fd_entry(a1))
		return -L_EBADF;
	if (a4 < 0)
		return -L_EINVAL;
	if (fd_is_null(a1))
		return 0;
	return file_copy(a1, (void *)a2, a3, a4);
}

/*
 * write(2) and writev(2) on a descriptor of this file: /dev/null takes
 * all of @len, a file of the tree was opened for reading (EBADF).
 */
long ilwaco_file_write(long fd, const void *buf, unsigned long len)
{
	if (!fd_is_null(fd))
		return -L_EBADF;
	if (!user_range_ok(buf, len))
		return -L_EFAULT;
	return len;
}

long ilwaco_file_lseek(long fd, long off, long whence)
{
	long base;

	if (!fd_entry(fd))
		return -L_EBADF;
	if (fd_is_null(fd))
		return 0;		/* as Linux's /dev/null does */
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = FD_OFFSET(fd);
		break;
	case SEEK_END:
		base = FD_ENTRY(fd)->size;
		break;
	default:
		return -L_EINVAL;
	}
	if (base + off < 0)
		return -L_EINVAL;
	FD_OFFSET(fd) = base + off;
	return base + off;
}

static void fill_stat(const struct file_entry *e, unsigned long index,
		      struct l_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = 0x1f;			/* one device: the image */
	st->ino = index + 1;
	st->nlink = is_dir(e) ? 2 : 1;
	st->mode = e->mode;
	st->size = e->size;
	st->blksize = 4096;
	st->blocks = (e->size + 511) / 512;
}

/* /dev/null's stat: a character device, 1:3, read and written by all. */
static void fill_null_stat(struct l_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = L_S_IFCHR | 0666;
	st->nlink = 1;
	st->rdev = DEV_NULL_RDEV;
	st->blksize = 4096;
}

long ilwaco_file_fstat(long fd, struct l_stat *st)
{
	if (!fd_entry(fd))
		return -L_EBADF;
	if (!user_range_ok(st, sizeof(*st)))
		return -L_EFAULT;
	if (fd_is_null(fd)) {
		fill_null_stat(st);
		return 0;
	}
	fill_stat(FD_ENTRY(fd), open_files[fd - 3].entry - 1, st);
	return 0;
}

static long do_stat(long dirfd, const char *path, struct l_stat *st,
		    long flags)
{
	long base, e;

	if ((flags & AT_EMPTY_PATH) && user_range_ok(path, 1) && !*path)
		return dirfd < 3 ? sys_fstat(dirfd, (long)st, 0, 0, 0, 0) :
		       ilwaco_file_fstat(dirfd, st);
	base = dir_base(dirfd, path);
	if (base < 0)
		return base;
	e = is_dev_null(path, base) ? 0 : lookup(path, base);
	if (e < 0)
		return e;
	if (!user_range_ok(st, sizeof(*st)))
		return -L_EFAULT;
	if (is_dev_null(path, base))
		fill_null_stat(st);
	else
		fill_stat(entry(e), e, st);
	return 0;
}

SYSCALL_DEFINE(stat)
{
	return do_stat(AT_FDCWD, (const char *)a1, (void *)a2, 0);
}

SYSCALL_DEFINE(newfstatat)
{
	return do_stat(a1, (const char *)a2, (void *)a3, a4);
}

static long do_access(long dirfd, const char *path, long mode)
{
	long base = dir_base(dirfd, path), e;

	if (base < 0)
		return base;
	if (is_dev_null(path, base))
		return mode & 1 ? -13 : 0;	/* EACCES for X_OK */
	e = lookup(path, base);
	if (e < 0)
		return e;
	if (mode & 2)			/* W_OK */
		return -L_EROFS;
	if ((mode & 1) && !(entry(e)->mode & 0111))
		return -13;		/* EACCES */
	return 0;
}

SYSCALL_DEFINE(access)
{
	return do_access(AT_FDCWD, (const char *)a1, a2);
}

SYSCALL_DEFINE(faccessat)
{
	return do_access(a1, (const char *)a2, a3);
}

SYSCALL_DEFINE(getcwd)
{
	if (a2 < 2)
		return -34;		/* ERANGE */
	if (!user_range_ok((void *)a1, 2))
		return -L_EFAULT;
	memcpy((void *)a1, "/", 2);
	return 2;
}

/* What would change the tree: mkdir, rmdir, unlink, rename, ... */
SYSCALL_DEFINE(erofs)
{
	return -L_EROFS;
}

/*
 * getdents64: the directory's children, in the table's (sorted) order,
 * after "." and ".."; the offset counts entries handed out.
 */
SYSCALL_DEFINE(getdents64)
{
	unsigned char *buf = (void *)a2;
	unsigned long dir, i, pos = 0, k;
	long done = 0;

	if (!fd_entry(a1))
		return -L_EBADF;
	if (fd_is_null(a1) || !is_dir(FD_ENTRY(a1)))
		return -20;	/* ENOTDIR */
	if (!user_range_ok(buf, a3))
		return -L_EFAULT;
	dir = open_files[a1 - 3].entry - 1;
	for (i = 0, k = 0; i < file_count() + 2; i++) {
		const char *name;
		unsigned long len, reclen, ino;
		unsigned char type = DT_DIR;

		if (i == 0) {
			name = ".";
			ino = dir + 1;
		} else if (i == 1) {
			name = "..";
			ino = entry(dir)->parent + 1;
		} else {
			const struct file_entry *e = entry(i - 2);

			if (i - 2 == 0 || e->parent != dir)
				continue;
			name = e->path + strlen(e->path);
			while (name[-1] != '/')
				name--;
			ino = i - 1;
			type = is_dir(e) ? DT_DIR : DT_REG;
		}
		if (k++ < FD_OFFSET(a1))
			continue;
		len = strlen(name);
		reclen = (19 + len + 1 + 7) & ~7ul;
		if (pos + reclen > (unsigned long)a3)
			return done ? done : -L_EINVAL;
		memcpy(buf + pos, &ino, 8);
		memcpy(buf + pos + 8, &(long){ k }, 8);
		memcpy(buf + pos + 16, &(unsigned short){ reclen }, 2);
		buf[pos + 18] = type;
		memcpy(buf + pos + 19, name, len + 1);
		pos += reclen;
		done = pos;
		FD_OFFSET(a1) = k;
	}
	return done;
}

/*
 * mmap of a file: a private copy into fresh pages (never shared, and
 * never written back: the tree is read-only).  0 if @fd is not a file
 * here, else the address or -errno.
 */
long ilwaco_file_mmap(long len, long prot, long flags, long fd, long off)
{
	const struct file_entry *e;
	long addr, n;

	if (!fd_entry(fd))
		return -L_EBADF;
	if (fd_is_null(fd))
		return -L_ENODEV;
	e = FD_ENTRY(fd);
	if (is_dir(e))
		return -L_ENODEV;
	if ((flags & 3) != 2 && (prot & 2))	/* shared and writable */
		return -13;			/* EACCES */
	if (off < 0 || off % 4096)
		return -L_EINVAL;
	addr = sys_mmap(0, len, prot, 0x22, -1, 0);	/* PRIVATE|ANONYMOUS */
	if (addr < 0)
		return addr;
	if ((unsigned long)off < e->size) {
		n = e->size - off;
		if (n > len)
			n = len;
		memcpy((void *)addr, e->data + off, n);
	}
	return addr;
}
