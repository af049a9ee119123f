// SPDX-License-Identifier: GPL-2.0
/*
 * Demand-zero guest memory (ABI 0.6): --mem is a limit, a page exists
 * from its first touch, and running out stops only the VM that ran out.
 *
 *  1. Page by page: each first touch, by the guest or by the host on its
 *     behalf, reads zeros and adds exactly one resident page.
 *  2. Limits: past --mem is a page fault; max_total_mem_mb and a memory
 *     cgroup's memory.max stop the VM with DENALI_CRASH_NOMEM, and a VM
 *     outside the cgroup carries on.
 *  3. DENALI_CREATE_PREALLOC: everything at creation, no demand fault.
 *  4. Density: many demand-zero VMs created, idle and destroyed leave
 *     host memory where it was.
 *
 * The guest is guests/mem_touch.c.  Counts, never times, are asserted.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include "pv_fixture.h"

#define PAGE		4096ull
#define STEP_MEM	(4ull << 20)
#define STEPS		16
/* Enough pages that 4 MiB of cgroup headroom runs out part way. */
#define FILL_PAGES	2048
#define FILL_MEM	(32ull << 20)
#define CGROUP		"/sys/fs/cgroup/denali-memory-test"

/*
 * VMs of the density test (issue 14 asks for 10,000 in every lane).  They
 * are made from a memfd copy of the image: from the 9p share each
 * creation waited for the host, five times slower (about 7 minutes for
 * 10,000 under TCG, 20 ms a VM); DENALI_DENSITY_VMS overrides the count.
 */
#define DENSITY_VMS	10000

static int create_mem_touch(unsigned long long mem, __u32 flags,
			    const char *const *argv, int argc, __u32 *id,
			    char *err)
{
	char args[256];
	struct denali_create_vm c;
	int vm;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.flags = flags;
	c.args_len = denali_pack_args(args, sizeof(args), argv, argc);
	c.args = (__u64)(unsigned long)args;
	c.image_fd = denali_guest_image("mem_touch");
	if (c.image_fd < 0)
		return c.image_fd;
	vm = denali_create_req(&c);
	close(c.image_fd);
	if (id)
		*id = c.id;
	if (err)
		memcpy(err, c.error, DENALI_ERROR_MAX);
	return vm;
}

#define NEW_TOUCH_VM(mem, flags, ...) do {				\
	const char *const argv_[] = { __VA_ARGS__ };			\
	char err_[DENALI_ERROR_MAX];					\
									\
	denali_console_reset(&self->con);				\
	self->vm = create_mem_touch(mem, flags, argv_,			\
				    ARRAY_SIZE(argv_), &self->id, err_);\
	ASSERT_LE(0, self->vm) TH_LOG("%s: %s", strerror(-self->vm), err_);\
} while (0)

static struct denali_stats stats_of(struct __test_metadata *_metadata,
				    int vm)
{
	struct denali_stats st;

	EXPECT_EQ(0, denali_get_stats(vm, &st));
	return st;
}

/* ---- 1. page by page -------------------------------------------------- */

/*
 * Each round: the guest touches one new page (it reads zeros: checked in
 * the guest), says so and waits; the VM then has exactly one more
 * resident page and one more demand exit than after the round before.
 */
static void page_by_page(struct __test_metadata *_metadata,
			 struct _test_data_pv *self, const char *mode)
{
	struct denali_stats st;
	unsigned long long base, demand;
	char want[64], steps[16];
	int i;

	snprintf(steps, sizeof(steps), "%d", STEPS);
	NEW_TOUCH_VM(STEP_MEM, 0, mode, steps);
	START(-1);
	ASSERT_TRUE(CONSOLE_WAIT("mem: rehearsal")) TH_LOG("%s", self->con.text);
	ASSERT_EQ(1, write(self->vm, "r", 1));
	ASSERT_TRUE(CONSOLE_WAIT("mem: ready\n")) TH_LOG("%s", self->con.text);
	st = stats_of(_metadata, self->vm);
	base = st.resident_pages;
	demand = st.exits[DENALI_EXITK_DEMAND];
	/* The image and its stack exist; the rest of 4 MiB does not. */
	EXPECT_LT(2, base);
	EXPECT_GT(STEP_MEM / PAGE / 4, base);

	for (i = 0; i < STEPS; i++) {
		ASSERT_EQ(1, write(self->vm, "t", 1));
		snprintf(want, sizeof(want), "mem: touched %d\n", i);
		ASSERT_TRUE(CONSOLE_WAIT(want)) TH_LOG("%s", self->con.text);
		st = stats_of(_metadata, self->vm);
		EXPECT_EQ(base + i + 1, st.resident_pages)
			TH_LOG("after touch %d", i);
		EXPECT_EQ(demand + i + 1, st.exits[DENALI_EXITK_DEMAND])
			TH_LOG("after touch %d", i);
	}
	ASSERT_EQ(1, write(self->vm, "e", 1));
	snprintf(want, sizeof(want), "mem: %d pages zero", STEPS);
	EXPECT_EXIT(0, want);
}

TEST_F_TIMEOUT(pv, guest_touches_count_one_page_each, TEST_TIMEOUT_S)
{
	page_by_page(_metadata, self, "step");
}

/*
 * The host makes the page first (console_read into it, nothing pending):
 * one resident page, zeros when the guest reads it after, and the
 * guest's own first access is still one demand exit (its tables map the
 * page then) that adds no page.
 */
TEST_F_TIMEOUT(pv, host_touches_count_one_page_each, TEST_TIMEOUT_S)
{
	page_by_page(_metadata, self, "hostfirst");
}

/* ---- 2. limits ---------------------------------------------------------- */

/* The module as loaded by default (no cap left by an earlier test). */
static void reload_module(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, denali_unload_module());
	ASSERT_EQ(0, denali_load_module());
}

TEST_F_TIMEOUT(pv, past_mem_is_a_page_fault, TEST_TIMEOUT_S)
{
	NEW_TOUCH_VM(STEP_MEM, 0, "beyond");
	START(-1);
	WAIT_STOP();
	ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason) TH_LOG("%s",
								self->con.text);
	EXPECT_EQ(DENALI_CRASH_EXCEPTION, self->r.run.crash.cause);
	EXPECT_EQ(14, self->r.run.crash.vector);
	EXPECT_EQ(STEP_MEM, self->r.run.crash.cr2);
	EXPECT_NE(NULL, strstr(self->r.run.crash.description,
			       "beyond guest memory"))
		TH_LOG("%s", self->r.run.crash.description);
}

/*
 * max_total_mem_mb counts pages that exist: a VM touching more than the
 * cap stops out of memory, with a report naming the cap, and the host
 * goes on.
 */
TEST_F_TIMEOUT(pv, global_cap_stops_a_demand_vm, TEST_TIMEOUT_S)
{
	char pages[16];

	ASSERT_EQ(0, denali_unload_module());
	ASSERT_EQ(0, denali_load_module_with("max_total_mem_mb=4"));
	snprintf(pages, sizeof(pages), "%d", FILL_PAGES);
	NEW_TOUCH_VM(FILL_MEM, 0, "fill", pages);
	START(-1);
	WAIT_STOP();
	ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason) TH_LOG("%s",
								self->con.text);
	EXPECT_EQ(DENALI_CRASH_NOMEM, self->r.run.crash.cause);
	EXPECT_NE(NULL, strstr(self->r.run.crash.description,
			       "max_total_mem_mb"))
		TH_LOG("%s", self->r.run.crash.description);
	/* It stopped at a page it was touching, past what it had. */
	EXPECT_LE(FILL_MEM / 2, self->r.run.crash.cr2);
	EXPECT_GT(FILL_MEM, self->r.run.crash.cr2);
	/* Its pages go with it: room again for another VM. */
	denali_runner_end(&self->r, self->id, HANG_MS);
	close(self->vm);
	self->vm = -1;
	expect_healthy_host(_metadata);
	reload_module(_metadata);
}

static unsigned long long cg_read(const char *file, const char *key)
{
	char path[256], buf[4096], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", CGROUP, file);
	f = fopen(path, "r");
	if (!f)
		return ~0ull;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!key)
		return strtoull(buf, NULL, 10);
	p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : ~0ull;
}

static int move_self(const char *cg)
{
	char path[256], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return denali_write_file(path, pid);
}

/*
 * A VM created inside a cgroup is charged there for every page it
 * touches, even though the thread that runs it (and touches them) is
 * not: at memory.max it stops out of memory, with no OOM kill.  The same
 * guest created outside the cgroup fills all it asked for.
 */
TEST_F_TIMEOUT(pv, memory_max_stops_the_vm_inside_and_nothing_else,
	       TEST_TIMEOUT_S)
{
	struct denali_runner other = { .created = false };
	struct denali_console_text other_con;
	char pages[16], max[32], err[DENALI_ERROR_MAX];
	const char *const argv[] = { "fill", pages };
	__u32 other_id;
	int other_vm;

	reload_module(_metadata);
	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK) ||
	    denali_write_file("/sys/fs/cgroup/cgroup.subtree_control",
			      "+memory"))
		SKIP(return, "no cgroup2 memory controller");
	mkdir(CGROUP, 0755);
	ASSERT_EQ(0, move_self(CGROUP));
	snprintf(pages, sizeof(pages), "%d", FILL_PAGES);
	NEW_TOUCH_VM(FILL_MEM, 0, "fill", pages);
	/* 4 MiB of room, then back out: the VM's pages are still its. */
	snprintf(max, sizeof(max), "%llu",
		 cg_read("memory.current", NULL) + (4ull << 20));
	ASSERT_EQ(0, denali_write_file(CGROUP "/memory.max", max));
	ASSERT_EQ(0, move_self("/sys/fs/cgroup"));

	other_vm = create_mem_touch(FILL_MEM, 0, argv, 2, &other_id, err);
	ASSERT_LE(0, other_vm) TH_LOG("%s", err);
	START(-1);
	ASSERT_EQ(0, denali_runner_start(&other, other_vm, -1, 0));

	WAIT_STOP();
	ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason) TH_LOG("%s",
								self->con.text);
	EXPECT_EQ(DENALI_CRASH_NOMEM, self->r.run.crash.cause);
	EXPECT_NE(NULL, strstr(self->r.run.crash.description,
			       "memory cgroup"))
		TH_LOG("%s", self->r.run.crash.description);
	EXPECT_EQ(0, cg_read("memory.events", "oom_kill "));
	EXPECT_LE(1, cg_read("memory.events", "max "));

	ASSERT_TRUE(denali_runner_wait(&other, HANG_MS));
	denali_console_reset(&other_con);
	denali_console_read_rest(other_vm, &other_con);
	EXPECT_EQ(DENALI_STOP_EXIT, other.run.reason)
		TH_LOG("%s %s", other.run.crash.description, other_con.text);
	EXPECT_EQ(0, other.run.exit_status);
	EXPECT_LE(FILL_PAGES, stats_of(_metadata, other_vm).resident_pages);
	denali_runner_end(&other, other_id, HANG_MS);
	close(other_vm);

	/* Its pages go with it, and the cgroup with them. */
	denali_runner_end(&self->r, self->id, HANG_MS);
	close(self->vm);
	self->vm = -1;
	EXPECT_EQ(0, rmdir(CGROUP)) TH_LOG("rmdir: %s", strerror(errno));
}

/* ---- 3. prealloc ------------------------------------------------------- */

/*
 * DENALI_CREATE_PREALLOC: every page the guest may use exists at
 * creation, and filling them takes no demand exit; the same guest
 * without it has fewer pages at first and takes one exit per page.
 */
TEST_F_TIMEOUT(pv, prealloc_faults_nothing_at_run_time, TEST_TIMEOUT_S)
{
	unsigned long long all = (STEP_MEM - DENALI_GUEST_IMAGE_BASE) / PAGE +
				 2;
	struct denali_stats st;
	char pages[16];

	snprintf(pages, sizeof(pages), "%d", 256);
	NEW_TOUCH_VM(STEP_MEM, DENALI_CREATE_PREALLOC, "fill", pages);
	/* The image's file pages are shared (ABI 0.7), the rest private. */
	st = stats_of(_metadata, self->vm);
	EXPECT_LT(0, st.shared_pages);
	EXPECT_EQ(all, st.resident_pages + st.shared_pages);
	START(-1);
	EXPECT_EXIT(0, "mem: filled 256");
	st = stats_of(_metadata, self->vm);
	/* mem_touch writes no initialized data: nothing was copied. */
	EXPECT_EQ(0, st.exits[DENALI_EXITK_DEMAND]);
	EXPECT_EQ(all, st.resident_pages + st.shared_pages);
	denali_runner_end(&self->r, self->id, HANG_MS);
	close(self->vm);
	self->vm = -1;

	NEW_TOUCH_VM(STEP_MEM, 0, "fill", pages);
	EXPECT_GT(all / 4, stats_of(_metadata, self->vm).resident_pages);
	START(-1);
	EXPECT_EXIT(0, "mem: filled 256");
	st = stats_of(_metadata, self->vm);
	EXPECT_LE(256, st.exits[DENALI_EXITK_DEMAND]);
	EXPECT_GT(all / 2, st.resident_pages);
}

/* ---- 4. density -------------------------------------------------------- */

static unsigned long long meminfo_kb(const char *key)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/* Create @n idle VMs into @vms, check each, and return the host's use. */
static void make_idle_vms(struct __test_metadata *_metadata, int *vms,
			  int n, int image)
{
	struct denali_create_vm c;
	char args[32];
	const char *const argv[] = { "idle" };
	int i, dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.mem_size = DENALI_GUEST_MEM_MIN;
		c.image_fd = image;
		c.args_len = denali_pack_args(args, sizeof(args), argv, 1);
		c.args = (__u64)(unsigned long)args;
		vms[i] = ioctl(dev, DENALI_CREATE_VM, &c);
		ASSERT_LE(0, vms[i]) TH_LOG("VM %d: %s", i, c.error);
	}
	close(dev);
}

static void end_vms(int *vms, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(vms[i]);
}

/*
 * N demand-zero VMs of 1 MiB created and left idle (never run: no thread,
 * no page beyond what creation touched), then destroyed: a round costs
 * the host what N VMs hold while they live, and leaves MemAvailable
 * within one page per VM of where the round before left it (the first
 * round warms slabs and the kernel's vmalloc page tables, which Linux
 * keeps).
 */
TEST_F_TIMEOUT(pv, many_idle_vms_leave_host_memory_flat, 600)
{
	const char *env = getenv("DENALI_DENSITY_VMS");
	int n = env ? atoi(env) : DENSITY_VMS, image, *vms;
	unsigned long long before, during, after, resident = 0, host = 0;
	long areas_before, areas_during, areas_after;
	struct rlimit rl = { n + 64, n + 64 };
	struct denali_stats st;
	int i;

	ASSERT_LT(0, n);
	reload_module(_metadata);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl)) TH_LOG("%s",
							    strerror(errno));
	vms = calloc(n, sizeof(*vms));
	ASSERT_NE(NULL, vms);
	i = denali_guest_image("mem_touch");
	ASSERT_LE(0, i);
	image = denali_image_in_memory(i);
	close(i);
	ASSERT_LE(0, image) TH_LOG("%s", strerror(-image));

	make_idle_vms(_metadata, vms, n, image);
	end_vms(vms, n);
	before = meminfo_kb("MemAvailable:");
	areas_before = denali_module_vmallocs();
	ASSERT_LE(0, areas_before);

	make_idle_vms(_metadata, vms, n, image);
	during = meminfo_kb("MemAvailable:");
	for (i = 0; i < n; i++) {
		st = stats_of(_metadata, vms[i]);
		resident += st.resident_pages;
		host += st.host_bytes;
	}
	areas_during = denali_module_vmallocs();
	end_vms(vms, n);
	after = meminfo_kb("MemAvailable:");
	areas_after = denali_module_vmallocs();
	close(image);
	free(vms);

	TH_LOG("%d idle VMs: MemAvailable %llu -> %llu -> %llu kB; "
	       "%llu resident pages (%.1f per VM), host_bytes %.0f per VM",
	       n, before, during, after, resident, (double)resident / n,
	       (double)host / n);
	/* Each VM holds only the pages creation touched. */
	EXPECT_GT(64ull * n, resident);
	/* They held something (a console buffer each, at least)... */
	EXPECT_LT(during + 4ull * n, before);
	/*
	 * ...and gave it all back.  Exactly, for what the module maps: every
	 * vmalloc/vmap area it made for a VM is gone (each VM holds several
	 * while it lives).
	 */
	TH_LOG("module's vmalloc areas: %ld -> %ld -> %ld", areas_before,
	       areas_during, areas_after);
	EXPECT_LE((long)n, areas_during - areas_before);
	EXPECT_EQ(areas_before, areas_after);
	/*
	 * Approximately, for the rest: Linux keeps what it keeps of its own.
	 * The kernel page tables under a vmalloc range are never freed, and
	 * ranges freed lazily (vunmap, vfree) are not reused until a purge,
	 * so the next round's ranges may need new tables: a few 4 KiB
	 * tables per VM can stay (seen: 3.5 and 11 kB per VM in 6.12).  A
	 * whole VM leaking (about 100 kB while it lives, above) would still
	 * show.
	 */
	EXPECT_LE(before, after + 24ull * n) TH_LOG("lost %lld kB",
						     (long long)(before - after));
}

TEST_HARNESS_MAIN
