// SPDX-License-Identifier: GPL-2.0
/*
 * What the module counts over many lifetimes: a thousand VMs made and
 * freed without memory creeping away, the tracepoints recording every
 * round trip, and a console that overflows before anyone reads it.
 *
 * See ops_fixture.h for what the ops_*_test suites share.
 */
#include "ops_fixture.h"

/*
 * The 6.1 lanes run the longest loops with fewer rounds: their kernels
 * are slower under TCG, and the loops look for leaks, which show in
 * fewer rounds as well.
 */
static bool reduced_lane(void)
{
	const char *lane = getenv("TESTVM_LANE");

	return lane && !strncmp(lane, "6.1-", 4);
}

/* Fields of /proc/meminfo, in KiB. */
struct meminfo {
	long available;
	long sunreclaim;
	long sreclaimable;
};

static long meminfo_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static int read_meminfo(struct meminfo *m)
{
	char text[8192];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	text[n] = '\0';
	m->available = meminfo_field(text, "\nMemAvailable:");
	m->sunreclaim = meminfo_field(text, "\nSUnreclaim:");
	m->sreclaimable = meminfo_field(text, "\nSReclaimable:");
	return m->available < 0 || m->sunreclaim < 0 ||
	       m->sreclaimable < 0 ? -EINVAL : 0;
}

/* Read @fd to end of file into @buf; the count, or -1 on an error. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

/* ---- 6. memory over many lifetimes --------------------------------------- */

/*
 * The stated bounds: over the cycles, MemAvailable may drop by less than
 * 16 MiB and unreclaimable slab (SUnreclaim) may grow by less than 4 MiB,
 * measured with the caches dropped at both ends.  A VM left behind per
 * cycle would cost its 1 MiB of guest memory; a structure left behind,
 * its size in slab.
 */
#define CYCLE_AVAILABLE_DROP_KIB	(16 * 1024)
#define CYCLE_SLAB_GROWTH_KIB		(4 * 1024)

/* One VM's whole life: create, run to exit(0), close; 0 or -errno. */
static int vm_cycle(int dev, int image, char *err)
{
	struct denali_run run;
	int fd, ret;

	fd = denali_create_on(dev, image, MEM, NULL, NULL, err);
	if (fd < 0)
		return fd;
	ret = denali_run(fd, &run);
	if (!ret && (run.reason != DENALI_STOP_EXIT || run.exit_status))
		ret = -EPROTO;
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(ops, thousand_create_run_destroy_cycles_keep_memory_flat,
	       TEST_TIMEOUT_S)
{
	int i, image, ret, n = reduced_lane() ? CYCLES_REDUCED : CYCLES;
	char err[DENALI_ERROR_MAX] = "";
	struct meminfo before, after;
	long avail_drop, unrecl_growth, recl_growth;
	struct timespec t0;

	if (!self->ready)
		return;
	image = CODE_IMAGE(exit0);
	ASSERT_LE(0, image);
	/* One-time costs (slab pages, per-CPU state) before the baseline. */
	for (i = 0; i < CYCLES_WARMUP; i++)
		ASSERT_EQ(0, vm_cycle(self->dev, image, err)) TH_LOG("%s", err);

	ASSERT_EQ(0, denali_write_file(DROP_CACHES, "3"));
	ASSERT_EQ(0, read_meminfo(&before));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		ret = vm_cycle(self->dev, image, err);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: %s %s", i, strerror(-ret),
					 err);
	}
	close(image);
	ASSERT_EQ(0, denali_write_file(DROP_CACHES, "3"));
	ASSERT_EQ(0, read_meminfo(&after));

	avail_drop = before.available - after.available;
	unrecl_growth = after.sunreclaim - before.sunreclaim;
	recl_growth = after.sreclaimable - before.sreclaimable;
	TH_LOG("%d cycles in %ld ms: MemAvailable %ld -> %ld kB (drop %ld kB), SUnreclaim %ld -> %ld kB (growth %ld kB), SReclaimable %ld -> %ld kB (growth %ld kB)",
	       n, denali_ms_since(&t0), before.available, after.available,
	       avail_drop, before.sunreclaim, after.sunreclaim,
	       unrecl_growth, before.sreclaimable, after.sreclaimable,
	       recl_growth);
	EXPECT_GT(CYCLE_AVAILABLE_DROP_KIB, avail_drop);
	EXPECT_GT(CYCLE_SLAB_GROWTH_KIB, unrecl_growth);
}

/* ---- 8. tracepoints ------------------------------------------------------ */

/*
 * denali:denali_vm_entry and denali:denali_vm_exit record every round
 * trip: a guest making NULL_CALLS null hypercalls and then exiting shows
 * at least that many exits plus one, exactly that many plus one of them
 * through the hypercall vector, one entry for each exit, and as many
 * exits as the VM's own statistics count.
 */
TEST_F_TIMEOUT(ops, tracepoints_record_round_trips, TEST_TIMEOUT_S)
{
	char line[512], exit_tag[64], hc_tag[64], entry_tag[64], on[8];
	unsigned long long stat_exits = 0;
	int image, fd, k, exits = 0, hc_exits = 0, entries = 0;
	struct denali_stats st;
	struct denali_run run;
	FILE *trace;
	__u32 id = 0;

	if (!self->ready)
		return;
	if (access(TRACING "/trace", F_OK))
		SKIP(return, "no tracefs at %s", TRACING);
	ASSERT_EQ(0, access(TRACE_EVENTS "/denali_vm_exit/enable", W_OK));

	self->tracing = true;
	ASSERT_EQ(0, denali_read_line(TRACING "/tracing_on", on, sizeof(on)));
	if (!strcmp(on, "0")) {
		self->tracing_was_off = true;
		ASSERT_EQ(0, denali_write_file(TRACING "/tracing_on", "1"));
	}
	trace_clear();
	ASSERT_EQ(0, denali_write_file(TRACE_EVENTS "/denali_vm_entry/enable",
				       "1"));
	ASSERT_EQ(0, denali_write_file(TRACE_EVENTS "/denali_vm_exit/enable",
				       "1"));

	image = CODE_IMAGE(null_calls);
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, denali_run(fd, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0, run.exit_status);
	trace_events_enable("0");

	snprintf(exit_tag, sizeof(exit_tag), "denali_vm_exit: vm %u exit ", id);
	snprintf(hc_tag, sizeof(hc_tag), "denali_vm_exit: vm %u exit %#x ", id,
		 DENALI_HYPERCALL_VECTOR);
	snprintf(entry_tag, sizeof(entry_tag), "denali_vm_entry: vm %u rip ",
		 id);
	trace = fopen(TRACING "/trace", "re");
	ASSERT_NE(NULL, trace);
	while (fgets(line, sizeof(line), trace)) {
		exits += !!strstr(line, exit_tag);
		hc_exits += !!strstr(line, hc_tag);
		entries += !!strstr(line, entry_tag);
	}
	fclose(trace);

	ASSERT_EQ(0, denali_get_stats(fd, &st));
	for (k = 0; k < DENALI_EXIT_KINDS; k++)
		stat_exits += st.exits[k];
	TH_LOG("vm %u: %d exits traced (%d hypercalls), %d entries; stats: %llu exits",
	       id, exits, hc_exits, entries, stat_exits);
	EXPECT_LE(NULL_CALLS + 1, exits);
	EXPECT_EQ(NULL_CALLS + 1, hc_exits);
	EXPECT_EQ(exits, entries);
	EXPECT_EQ(stat_exits, exits);
}

/* ---- 9. the console overflows -------------------------------------------- */

/* Is @buf (@len bytes) the burst's pattern from stream position @pos on? */
static bool is_burst_tail(const unsigned char *buf, size_t len, size_t pos)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (pos + i) % BURST_PATTERN)
			return false;
	return true;
}

/*
 * A guest writes more than the console keeps before anyone reads: the
 * statistics count every byte written and every byte lost, and each file
 * reads, on its own, exactly the last DENALI_CONSOLE_BYTES, in order.
 */
TEST_F_TIMEOUT(ops, console_overflow_is_counted, TEST_TIMEOUT_S)
{
	const size_t kept = DENALI_CONSOLE_BYTES;
	const size_t lost = BURST_BYTES - DENALI_CONSOLE_BYTES;
	static unsigned char buf[2 * DENALI_CONSOLE_BYTES];
	struct denali_stats st;
	struct denali_run run;
	int image, fd, second;
	ssize_t n;
	__u32 id = 0;

	if (!self->ready)
		return;
	image = CODE_IMAGE(burst);
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, denali_run(fd, &run));
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	ASSERT_EQ(0, run.exit_status) TH_LOG("a console write was short");

	ASSERT_EQ(0, denali_get_stats(fd, &st));
	EXPECT_EQ(BURST_BYTES, st.console_bytes);
	EXPECT_EQ(lost, st.console_dropped);

	/* Opened now, before the first file reads anything. */
	second = keep_vm(&self->p, denali_vm_ref(self->dev, DENALI_OPEN_VM, id));
	ASSERT_LE(0, second);

	n = read_all(fd, buf, sizeof(buf));
	ASSERT_EQ(kept, n);
	EXPECT_TRUE(is_burst_tail(buf, n, lost));

	/* The first file's reading took nothing from the second's. */
	memset(buf, 0, sizeof(buf));
	n = read_all(second, buf, sizeof(buf));
	ASSERT_EQ(kept, n);
	EXPECT_TRUE(is_burst_tail(buf, n, lost));

	/* Bytes read late were not lost: the count stands. */
	ASSERT_EQ(0, denali_get_stats(fd, &st));
	EXPECT_EQ(BURST_BYTES, st.console_bytes);
	EXPECT_EQ(lost, st.console_dropped);
}

TEST_HARNESS_MAIN
