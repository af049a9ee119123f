// SPDX-License-Identifier: GPL-2.0
/*
 * Shared image pages (ABI 0.7): the VMs one user creates from one image
 * file map its file bytes from one copy, read-only; a writable page is
 * copied on its VM's first write, which no other VM ever sees.
 *
 *  1. Two and N VMs of one image: each maps every page of the image's
 *     file bytes shared (as many as its program headers say), the table
 *     holds them once (debugfs denali/shared, DENALI_LIST_VMS's total),
 *     and a VM's resident pages are its own only.
 *  2. Copy-on-write: a write to initialized data is one demand exit and
 *     one page moved from shared to resident, and the other VM still
 *     reads the image's value; the host writing into data for a VM (a
 *     console_read) copies the page first, into text fails (EFAULT).
 *  3. A write into text is a page fault report; the other VM runs on.
 *  4. A rewritten file gives new VMs its new bytes, old VMs keep theirs.
 *  5. The table empties with the last VM; rmmod and insmod are clean.
 *  6. A caller built against ABI 0.6 still gets its stats.
 *
 * The guest is guests/share_guest.c.  Counts, never times, are asserted.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "denali_runner.h"
#include "denali_test.h"
#include "denali_util.h"

#define MEM		(4ull << 20)
#define HANG_MS		60000
#define TEST_TIMEOUT_S	120
#define SHARED_FILE	"/sys/kernel/debug/denali/shared"
#define COPY		"/tmp/share_test.img"
#define NVMS		8

struct image_pages {
	unsigned long file;	/* pages holding file bytes of a PT_LOAD */
	unsigned long ro;	/* of which in segments without PF_W */
};

/* What the program headers of @path say the module will share. */
static int count_image_pages(const char *path, struct image_pages *ip)
{
	Elf64_Phdr ph[64];
	Elf64_Ehdr eh;
	unsigned long lo, hi, p;
	unsigned char seen[4096] = { 0 };	/* by page, below 16 MiB */
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || eh.e_phnum > 64 ||
	    pread(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) !=
	    (ssize_t)(eh.e_phnum * sizeof(*ph))) {
		close(fd);
		return -EIO;
	}
	close(fd);
	memset(ip, 0, sizeof(*ip));
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz ||
		    !ph[i].p_memsz)
			continue;
		lo = ph[i].p_vaddr >> 12;
		hi = (ph[i].p_vaddr + ph[i].p_filesz - 1) >> 12;
		for (p = lo; p <= hi; p++) {
			if (p >= sizeof(seen))
				return -E2BIG;
			if (seen[p])
				continue;
			seen[p] = 1;
			ip->file++;
			/* Pages of equal permissions only: this one's say. */
			if (!(ph[i].p_flags & PF_W))
				ip->ro++;
		}
	}
	return 0;
}

/* The guest image's path, beside this test. */
static void guest_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(buf, len, "%s/guests/share_guest.img", exe);
}

/* The module's table: images and pages, each counted once. */
static void table(struct __test_metadata *_metadata, unsigned long *images,
		  unsigned long *pages)
{
	FILE *f = fopen(SHARED_FILE, "r");

	ASSERT_NE(NULL, f) TH_LOG("%s: %s", SHARED_FILE, strerror(errno));
	ASSERT_EQ(2, fscanf(f, "images %lu pages %lu", images, pages));
	fclose(f);
}

struct slot {
	int vm;
	__u32 id;
	struct denali_runner r;
	struct denali_console_text con;
};

FIXTURE(share) {
	struct slot s[NVMS];
	char path[PATH_MAX + 64];
	struct image_pages ip;
	unsigned long images0, pages0;
};

FIXTURE_SETUP(share)
{
	int i;

	for (i = 0; i < NVMS; i++) {
		self->s[i].vm = -1;
		self->s[i].r.created = false;
		denali_console_reset(&self->s[i].con);
	}
	if (!denali_setup_module(_metadata))
		return;
	ASSERT_EQ(0, denali_runner_signals());
	guest_path(self->path, sizeof(self->path));
	ASSERT_EQ(0, count_image_pages(self->path, &self->ip));
	/* The guest's layout: text and rodata, then two data pages. */
	ASSERT_LT(0, self->ip.ro);
	ASSERT_EQ(self->ip.ro + 2, self->ip.file);
	table(_metadata, &self->images0, &self->pages0);
}

FIXTURE_TEARDOWN(share)
{
	int i;

	for (i = 0; i < NVMS; i++) {
		denali_runner_end(&self->s[i].r, self->s[i].id, HANG_MS);
		if (self->s[i].vm >= 0)
			close(self->s[i].vm);
	}
	unlink(COPY);
}

static int create_from(const char *path, const char *const *argv, int argc,
		       __u32 *id, char *err)
{
	char args[256];
	struct denali_create_vm c;
	int vm;

	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.args_len = denali_pack_args(args, sizeof(args), argv, argc);
	c.args = (__u64)(unsigned long)args;
	c.image_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c.image_fd < 0)
		return -errno;
	vm = denali_create_req(&c);
	close(c.image_fd);
	*id = c.id;
	memcpy(err, c.error, DENALI_ERROR_MAX);
	return vm;
}

/* Slot @i: a new VM of the image at @file with the arguments that follow. */
#define NEW(i, file, ...) do {						\
	const char *const argv_[] = { __VA_ARGS__ };			\
	char err_[DENALI_ERROR_MAX];					\
	struct slot *s_ = &self->s[i];					\
									\
	s_->vm = create_from(file, argv_, ARRAY_SIZE(argv_), &s_->id,	\
			     err_);					\
	ASSERT_LE(0, s_->vm) TH_LOG("%s: %s", strerror(-s_->vm), err_);	\
} while (0)

static int start_slot(struct slot *s)
{
	return denali_runner_start(&s->r, s->vm, -1, 0);
}

#define START(i) ASSERT_EQ(0, start_slot(&self->s[i]))
#define WAIT_FOR(i, want) do {						\
	struct slot *w_ = &self->s[i];					\
									\
	ASSERT_TRUE(denali_console_wait(w_->vm, &w_->con, want, HANG_MS))\
		TH_LOG("VM %d: %s", i, w_->con.text);			\
} while (0)
#define SEND(i) ASSERT_EQ(1, write(self->s[i].vm, "x", 1))

/* Slot @i ends as the runner reports, its console read to the end. */
#define STOPPED(i) do {							\
	ASSERT_TRUE(denali_runner_wait(&self->s[i].r, HANG_MS))		\
		TH_LOG("VM %d still runs: %s", i, self->s[i].con.text);	\
	denali_console_read_rest(self->s[i].vm, &self->s[i].con);	\
	ASSERT_EQ(0, self->s[i].r.ret);					\
} while (0)

#define EXITED(i, want) do {						\
	STOPPED(i);							\
	ASSERT_EQ(DENALI_STOP_EXIT, self->s[i].r.run.reason)		\
		TH_LOG("VM %d: %s; %s", i,				\
		       self->s[i].r.run.crash.description,		\
		       self->s[i].con.text);				\
	EXPECT_GUEST_DONE(self->s[i].con.text, want);			\
} while (0)

/* Run slot @i (a write or read guest) to "ready". */
#define TO_READY(i) do {						\
	START(i);							\
	WAIT_FOR(i, "share: rehearsal");				\
	SEND(i);							\
	WAIT_FOR(i, "share: ready\n");					\
} while (0)

static struct denali_stats stats_of(struct __test_metadata *_metadata,
				    int vm)
{
	struct denali_stats st;

	EXPECT_EQ(0, denali_get_stats(vm, &st));
	return st;
}

/* DENALI_LIST_VMS's count of shared pages, each once. */
static unsigned long long listed_shared(struct __test_metadata *_metadata)
{
	struct denali_vm_info vms[16];
	struct denali_list_vms req;
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	memset(&req, 0, sizeof(req));
	req.capacity = ARRAY_SIZE(vms);
	req.vms = (__u64)(unsigned long)vms;
	EXPECT_EQ(0, ioctl(dev, DENALI_LIST_VMS, &req));
	close(dev);
	return req.shared_pages;
}

/* ---- 1 and 2: two VMs, one writes ------------------------------------- */

TEST_F_TIMEOUT(share, two_vms_share_text_and_copy_on_write, TEST_TIMEOUT_S)
{
	unsigned long images, pages, file = self->ip.file;
	unsigned long long listed0 = listed_shared(_metadata);
	struct denali_stats a, b, a2;

	NEW(0, self->path, "write", "0x1111");
	NEW(1, self->path, "read");
	a = stats_of(_metadata, self->s[0].vm);
	b = stats_of(_metadata, self->s[1].vm);
	/* Every page of file bytes shared; the table holds them once. */
	EXPECT_EQ(file, a.shared_pages);
	EXPECT_EQ(file, b.shared_pages);
	EXPECT_GT(file, a.resident_pages);
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0 + 1, images);
	EXPECT_EQ(self->pages0 + file, pages);
	EXPECT_EQ(listed0 + file, listed_shared(_metadata));

	TO_READY(0);
	TO_READY(1);
	a = stats_of(_metadata, self->s[0].vm);
	EXPECT_EQ(file, a.shared_pages);
	SEND(0);
	WAIT_FOR(0, "share: wrote\n");
	a2 = stats_of(_metadata, self->s[0].vm);
	/* One write to data: one demand exit, a page shared -> private. */
	EXPECT_EQ(a.exits[DENALI_EXITK_DEMAND] + 1,
		  a2.exits[DENALI_EXITK_DEMAND]);
	EXPECT_EQ(a.resident_pages + 1, a2.resident_pages);
	EXPECT_EQ(file - 1, a2.shared_pages);
	/* The table is unchanged: the copy is A's own. */
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->pages0 + file, pages);

	SEND(1);
	WAIT_FOR(1, "share: wrote\n");
	EXPECT_EQ(file, stats_of(_metadata, self->s[1].vm).shared_pages);
	SEND(1);
	EXITED(1, "share: value=5eed host=i");
	SEND(0);
	EXITED(0, "share: value=1111 host=i");
}

/* ---- 1: N VMs --------------------------------------------------------- */

TEST_F_TIMEOUT(share, n_vms_hold_one_copy, TEST_TIMEOUT_S)
{
	unsigned long images, pages, file = self->ip.file;
	unsigned long long resident = 0;
	struct denali_stats st;
	int i;

	for (i = 0; i < NVMS; i++) {
		NEW(i, self->path, "read");
		st = stats_of(_metadata, self->s[i].vm);
		EXPECT_EQ(file, st.shared_pages);
		resident += st.resident_pages;
	}
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0 + 1, images);
	EXPECT_EQ(self->pages0 + file, pages);
	/* Without sharing each would also hold the image's pages. */
	EXPECT_GT(NVMS * file, resident);
	TH_LOG("%d VMs: %lu image pages shared (held once), %llu resident in all",
	       NVMS, file, resident);
	for (i = 0; i < NVMS; i++) {
		close(self->s[i].vm);
		self->s[i].vm = -1;
	}
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0, images);
	EXPECT_EQ(self->pages0, pages);
}

/* ---- 2: the host writes for a VM -------------------------------------- */

TEST_F_TIMEOUT(share, host_writes_data_privately_never_text, TEST_TIMEOUT_S)
{
	unsigned long file = self->ip.file;
	struct denali_stats a, a2;

	NEW(0, self->path, "hostdata");
	NEW(1, self->path, "read");
	TO_READY(0);
	TO_READY(1);
	a = stats_of(_metadata, self->s[0].vm);
	/* One byte ends "ready"'s wait, the next lands in data. */
	ASSERT_EQ(2, write(self->s[0].vm, "xZ", 2));
	/* Into data: copied first, then written; into text: EFAULT. */
	EXITED(0, "share: host=Z text=-14");
	a2 = stats_of(_metadata, self->s[0].vm);
	EXPECT_EQ(a.resident_pages + 1, a2.resident_pages);
	EXPECT_EQ(file - 1, a2.shared_pages);
	/* A host copy is no guest fault. */
	EXPECT_EQ(a.exits[DENALI_EXITK_DEMAND], a2.exits[DENALI_EXITK_DEMAND]);

	SEND(1);
	WAIT_FOR(1, "share: wrote\n");
	SEND(1);
	EXITED(1, "share: value=5eed host=i");
}

/* ---- 3: a write into text --------------------------------------------- */

TEST_F_TIMEOUT(share, write_to_text_faults_other_vm_runs_on, TEST_TIMEOUT_S)
{
	const char *d;

	NEW(0, self->path, "text");
	NEW(1, self->path, "read");
	TO_READY(1);
	START(0);
	STOPPED(0);
	ASSERT_EQ(DENALI_STOP_CRASH, self->s[0].r.run.reason)
		TH_LOG("%s", self->s[0].con.text);
	EXPECT_EQ(DENALI_CRASH_EXCEPTION, self->s[0].r.run.crash.cause);
	EXPECT_EQ(14, self->s[0].r.run.crash.vector);
	d = self->s[0].r.run.crash.description;
	EXPECT_NE(NULL, strstr(d, "write")) TH_LOG("%s", d);
	EXPECT_NE(NULL, strstr(d, "not permitted")) TH_LOG("%s", d);
	EXPECT_EQ(self->ip.file,
		  stats_of(_metadata, self->s[0].vm).shared_pages);

	SEND(1);
	WAIT_FOR(1, "share: wrote\n");
	SEND(1);
	EXITED(1, "share: value=5eed host=i");
}

/* ---- 4: a rewritten file ---------------------------------------------- */

static int copy_file(const char *from, const char *to, bool patch)
{
	static char buf[1 << 20];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof(buf));
	char *m;

	if (in >= 0)
		close(in);
	if (n <= 0 || n == sizeof(buf))
		return -EIO;
	m = memmem(buf, n, "share-marker-A", 14);
	if (!m)
		return -ENOENT;
	if (patch)
		m[13] = 'B';
	/* The same inode, rewritten in place. */
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	if (write(out, buf, n) != n) {
		close(out);
		return -EIO;
	}
	return close(out) ? -errno : 0;
}

TEST_F_TIMEOUT(share, rewritten_file_new_vms_new_bytes, TEST_TIMEOUT_S)
{
	unsigned long images, pages;
	struct stat before, after;

	ASSERT_EQ(0, copy_file(self->path, COPY, false));
	ASSERT_EQ(0, stat(COPY, &before));
	NEW(0, COPY, "marker");
	NEW(1, COPY, "marker");
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0 + 1, images);

	ASSERT_EQ(0, copy_file(self->path, COPY, true));
	ASSERT_EQ(0, stat(COPY, &after));
	EXPECT_EQ(before.st_ino, after.st_ino);
	NEW(2, COPY, "marker");
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0 + 2, images);
	EXPECT_EQ(self->pages0 + 2 * self->ip.file, pages);

	START(2);
	EXITED(2, "share: marker share-marker-B");
	START(0);
	EXITED(0, "share: marker share-marker-A");
	START(1);
	EXITED(1, "share: marker share-marker-A");
}

/* ---- 5: nothing left -------------------------------------------------- */

TEST_F_TIMEOUT(share, table_empty_after_vms_and_rmmod, TEST_TIMEOUT_S)
{
	unsigned long images, pages;

	NEW(0, self->path, "read");
	NEW(1, self->path, "read");
	close(self->s[0].vm);
	self->s[0].vm = -1;
	table(_metadata, &images, &pages);
	EXPECT_EQ(self->images0 + 1, images);
	close(self->s[1].vm);
	self->s[1].vm = -1;
	table(_metadata, &images, &pages);
	EXPECT_EQ(0, images);
	EXPECT_EQ(0, pages);

	/* Unloading with the table empty, loading again: clean. */
	ASSERT_EQ(0, denali_unload_module());
	ASSERT_EQ(0, denali_load_module());
	table(_metadata, &images, &pages);
	EXPECT_EQ(0, images);
	EXPECT_EQ(0, pages);
	NEW(0, self->path, "read");
	EXPECT_EQ(self->ip.file,
		  stats_of(_metadata, self->s[0].vm).shared_pages);
}

/* ---- 6: an ABI 0.6 caller --------------------------------------------- */

TEST_F(share, stats_at_the_old_size)
{
	unsigned char buf[sizeof(struct denali_stats) + 16];
	struct denali_stats *st = (void *)buf;

	NEW(0, self->path, "read");
	memset(buf, 0xa5, sizeof(buf));
	st->flags = 0;
	st->pad = 0;
	ASSERT_EQ(0, ioctl(self->s[0].vm, DENALI_GET_STATS_0_6, buf));
	EXPECT_LT(0, st->resident_pages);
	/* Nothing past the 0.6 struct was written. */
	EXPECT_EQ(0xa5, buf[DENALI_STATS_SIZE_0_6]);
	ASSERT_EQ(0, ioctl(self->s[0].vm, DENALI_GET_STATS, buf));
	EXPECT_EQ(self->ip.file, st->shared_pages);
}

TEST_HARNESS_MAIN
