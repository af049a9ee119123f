// SPDX-License-Identifier: GPL-2.0
/*
 * The read-only file tree: files/ beside this file, linked into the
 * image (tools/ilwaco-files).  stdio and POSIX reads, seeks, stat,
 * relative and dirfd-relative opens, a private mmap, directory
 * listings, EROFS for everything that would write, and /dev/null,
 * the one writable path.  Expect "libc_files: N checks, 0 failed", the
 * "done" verdict and exit status 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libc_check.h"

static void check_reads(void)
{
	char buf[64], line[16];
	struct stat st;
	FILE *f = fopen("/etc/motd", "r");
	long sum = 0;
	int fd, n = 0;

	CHECK(f && fgets(buf, sizeof(buf), f) &&
	      !strcmp(buf, "hello from the tree\n"));
	CHECK(f && fgetc(f) == EOF && feof(f));
	CHECK(f && !fseek(f, 6, SEEK_SET) && ftell(f) == 6 &&
	      fgets(buf, sizeof(buf), f) && !strcmp(buf, "from the tree\n"));
	if (f)
		fclose(f);

	/* A file bigger than stdio's buffer, line by line. */
	f = fopen("data/../data/numbers", "r");
	while (f && fgets(line, sizeof(line), f)) {
		sum += atoi(line);
		n++;
	}
	CHECK(f && n == 500 && sum == 500 * 501 / 2);
	if (f)
		fclose(f);

	CHECK(!stat("/data/numbers", &st) && S_ISREG(st.st_mode) &&
	      st.st_size == 1892);
	CHECK(!stat("/data", &st) && S_ISDIR(st.st_mode));
	CHECK(stat("/nope", &st) == -1 && errno == ENOENT);
	CHECK(!access("/etc/motd", R_OK) && access("/etc/motd", W_OK) == -1 &&
	      errno == EROFS);

	fd = open("/data", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 3);
	n = openat(fd, "sub/deep", O_RDONLY);
	CHECK(n >= 3 && read(n, buf, sizeof(buf)) == 5 && !memcmp(buf, "deep\n", 5));
	CHECK(pread(n, buf, 3, 1) == 3 && !memcmp(buf, "eep", 3));
	CHECK(lseek(n, 0, SEEK_END) == 5 && read(n, buf, 1) == 0);
	CHECK(read(fd, buf, 1) == -1 && errno == EISDIR);
	CHECK(write(n, "x", 1) == -1 && errno == EBADF);
	close(n);
	close(fd);
	CHECK(read(n, buf, 1) == -1 && errno == EBADF);
}

static void check_mmap(void)
{
	int fd = open("/data/numbers", O_RDONLY);
	char *p = mmap(NULL, 1892, PROT_READ, MAP_PRIVATE, fd, 0);

	CHECK(p != MAP_FAILED && !memcmp(p, "1\n2\n3\n", 6) &&
	      !memcmp(p + 1892 - 4, "500\n", 4));
	if (p != MAP_FAILED)
		munmap(p, 1892);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
	      MAP_FAILED && errno == EACCES);
	close(fd);
}

static void check_dirs(void)
{
	DIR *d = opendir("/");
	struct dirent *e;
	int seen = 0, n = 0;

	while (d && (e = readdir(d))) {
		n++;
		seen |= !strcmp(e->d_name, "etc") && e->d_type == DT_DIR;
		seen |= (!strcmp(e->d_name, "data") && e->d_type == DT_DIR) << 1;
		seen |= !strcmp(e->d_name, ".") << 2;
	}
	CHECK(d && n == 4 && seen == 7);
	if (d)
		closedir(d);
	d = opendir("/data/sub");
	e = d ? readdir(d) : NULL;
	while (e && e->d_name[0] == '.')
		e = readdir(d);
	CHECK(e && !strcmp(e->d_name, "deep") && e->d_type == DT_REG &&
	      !readdir(d));
	if (d)
		closedir(d);
}

static void check_erofs(void)
{
	char cwd[8];

	CHECK(open("/etc/motd", O_WRONLY) == -1 && errno == EROFS);
	CHECK(open("/etc/motd", O_RDWR) == -1 && errno == EROFS);
	CHECK(!fopen("/new", "w") && errno == EROFS);
	CHECK(open("/nope", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(mkdir("/dir", 0755) == -1 && errno == EROFS);
	CHECK(unlink("/etc/motd") == -1 && errno == EROFS);
	CHECK(rename("/etc/motd", "/etc/x") == -1 && errno == EROFS);
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
}

/* /dev/null: writes vanish, reads end at once, stat says 1:3. */
static void check_dev_null(void)
{
	struct stat st;
	char buf[4];
	FILE *f;
	int fd;

	fd = open("/dev/null", O_WRONLY | O_TRUNC);
	CHECK(fd >= 3);
	CHECK(write(fd, "gone", 4) == 4);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(lseek(fd, 100, SEEK_SET) == 0);
	CHECK(!fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == 0x103);
	CHECK(!close(fd));
	CHECK(!stat("/dev/../dev/null", &st) && S_ISCHR(st.st_mode));
	CHECK(!access("/dev/null", W_OK));
	CHECK(open("/dev/null", O_RDONLY | O_DIRECTORY) == -1 &&
	      errno == ENOTDIR);
	f = fopen("/dev/null", "w");
	CHECK(f && fprintf(f, "%0*d", 10000, 0) == 10000 && !fclose(f));
	CHECK(open("/dev/zero", O_RDONLY) == -1 && errno == ENOENT);
}

int main(void)
{
	check_reads();
	check_mmap();
	check_dirs();
	check_erofs();
	check_dev_null();
	return libc_done("libc_files");
}
