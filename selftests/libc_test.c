// SPDX-License-Identifier: GPL-2.0
/*
 * Ordinary C programs on musl and libilwaco's POSIX layer (issue 12):
 * the guests selftests/guests/libc_*.c, each an unmodified-looking C
 * program whose system calls libilwaco serves in the guest, and two
 * real programs from Debian's source packages, unmodified: Lua 5.4
 * (tools/build-lua) and lz4 1.9.4 (tools/build-lz4).  Each guest says at
 * its top what it expects; this checks the console, the verdict line
 * (libc_check.h) and the exit status that reach the host.
 */
#include <libgen.h>

#include "kselftest_harness.h"
#include "denali_runner.h"
#include "denali_test.h"

#define MEM (16ull << 20)

FIXTURE(libc) {
	int vm;
	struct denali_run run;
	char out[65536];
	ssize_t out_len;
};

FIXTURE_SETUP(libc)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(libc)
{
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Run guest @name with @mem bytes and the @argc boot arguments @argv to
 * its exit; its console lands in @out (@cap bytes), its length in @len.
 * A guest that crashed instead shows its report and console.
 */
static void run_libc(struct __test_metadata *_metadata, int *vm,
		     struct denali_run *run, char *out, size_t cap,
		     ssize_t *len, const char *name, unsigned long long mem,
		     const char *const *argv, int argc)
{
	*vm = denali_create_guest(name, mem, argv, argc, NULL);
	ASSERT_LE(0, *vm) TH_LOG("%s: %s", name, strerror(-*vm));
	ASSERT_EQ(0, denali_run(*vm, run));
	*len = denali_console_drain(*vm, out, cap);
	ASSERT_LE(0, *len);
	ASSERT_EQ(DENALI_STOP_EXIT, run->reason)
		TH_LOG("%s stopped (reason %u: %s at %#llx); console:\n%s",
		       name, run->reason, run->crash.description,
		       run->crash.regs.rip, out);
}

#define run_libc_args(_metadata, self, name, mem, argv, argc) \
	run_libc(_metadata, &(self)->vm, &(self)->run, (self)->out, \
		 sizeof((self)->out), &(self)->out_len, name, mem, argv, argc)
#define run_libc_guest(_metadata, self, name, mem) \
	run_libc_args(_metadata, self, name, mem, NULL, 0)

/*
 * stdio, strings, numbers, malloc to exhaustion, time, signals,
 * randomness; and the refused system calls, counted and listed: fork
 * (57) once, what the guest asked for and did not get.
 */
TEST_F(libc, basic_conformance)
{
	const char *report;

	run_libc_guest(_metadata, self, "libc_basic", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "FAIL ")) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "libc_basic: ");
	report = strstr(self->out, "libilwaco: unsupported system calls: ");
	ASSERT_NE(NULL, report) TH_LOG("%s", self->out);
	report = strchr(report, ':') + 1;
	report = strchr(report, ':') + 1;
	EXPECT_NE(NULL, strstr(report, " 57x1")) TH_LOG("%s", report);
	EXPECT_LT(strstr(report, " 57x1"), strchr(report, '\n'));
}

/* The smallest guest memory still runs it, and exhaustion is ENOMEM. */
TEST_F(libc, basic_in_the_smallest_vm)
{
	run_libc_guest(_metadata, self, "libc_basic", DENALI_GUEST_MEM_MIN * 2);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_GUEST_DONE(self->out, "libc_basic: ");
}

/* exit(): atexit, then stdio flushed, then the status. */
TEST_F(libc, exit_runs_atexit_flushes_and_reports_status)
{
	run_libc_guest(_metadata, self, "libc_exit", MEM);
	EXPECT_EQ(42, self->run.exit_status);
	EXPECT_STREQ("buffered line\natexit ran\nno newline, flushed at exit",
		     self->out);
}

/* abort(): a report and 128 + SIGABRT, not a silent halt. */
TEST_F(libc, abort_ends_the_vm_with_a_report)
{
	run_libc_guest(_metadata, self, "libc_abort", MEM);
	EXPECT_EQ(128 + 6, self->run.exit_status);
	EXPECT_STREQ("about to abort\n"
		     "libilwaco: signal 6 SIGABRT raised: the VM ends\n",
		     self->out);
}

/* musl's a_crash() (a bad free here): a report, status 125. */
TEST_F(libc, musl_internal_crash_reports)
{
	run_libc_guest(_metadata, self, "libc_crash", MEM);
	EXPECT_EQ(125, self->run.exit_status);
	EXPECT_STREQ("freeing a bad pointer\n"
		     "libilwaco: musl found its state corrupt (a_crash): the VM ends\n",
		     self->out);
}

/*
 * The thread pointer through the set_base hypercall, wrfsbase marked
 * unusable (ABI 0.5), and errno behind it.  The guest's first line says
 * which path start-up took; the lanes' CPUs have FSGSBASE, so there
 * both paths run.
 */
TEST_F(libc, fs_base_by_hypercall)
{
	run_libc_guest(_metadata, self, "libc_fsbase", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_GUEST_DONE(self->out, "libc_fsbase: ");
	EXPECT_EQ(0, strncmp(self->out, "wrfsbase: ", 10));
	TH_LOG("%.*s", (int)strcspn(self->out, "\n"), self->out);
}

/* pthreads: condvars, join, detached, errno per thread, 1,000 threads. */
TEST_F(libc, threads)
{
	run_libc_guest(_metadata, self, "libc_threads", 64ull << 20);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_GUEST_DONE(self->out, "libc_threads: ");
}

/*
 * Four blocked threads (sleeping, waiting on a condvar, reading the
 * console) and a joining main: no exit in 10 s.  Console input then
 * wakes the reader, and only it.
 */
TEST_F_TIMEOUT(libc, idle_threads_make_no_exits, 60)
{
	static struct denali_console_text con;
	struct denali_runner r;
	struct denali_stats st;
	unsigned long long before, after;

	denali_console_reset(&con);
	self->vm = denali_create_guest("libc_idle", MEM, NULL, 0, NULL);
	ASSERT_LE(0, self->vm) TH_LOG("libc_idle: %s", strerror(-self->vm));
	ASSERT_EQ(0, denali_runner_start(&r, self->vm, -1, 0));
	ASSERT_TRUE(denali_console_wait(self->vm, &con, "idle\n", 10000))
		TH_LOG("%s", con.text);
	denali_sleep_ms(500);	/* the last printf's exit, and settling */
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	before = denali_all_exits(&st);
	sleep(10);
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	after = denali_all_exits(&st);
	EXPECT_EQ(before, after) TH_LOG("%llu exits in 10 s", after - before);
	ASSERT_EQ(1, write(self->vm, "x", 1));
	EXPECT_TRUE(denali_runner_wait(&r, 10000));
	if (r.created)
		denali_runners_stop(&r, 1, 5000);
	EXPECT_EQ(DENALI_STOP_EXIT, r.run.reason);
	EXPECT_EQ(7, r.run.exit_status);
	EXPECT_TRUE(denali_console_wait(self->vm, &con, "read: x\n", 2000))
		TH_LOG("%s", con.text);
}

/* poll/select: timeouts, then a poll with none that console input ends. */
TEST_F_TIMEOUT(libc, poll_and_select_on_the_console, 60)
{
	static struct denali_console_text con;
	struct denali_runner r;

	denali_console_reset(&con);
	self->vm = denali_create_guest("libc_poll", MEM, NULL, 0, NULL);
	ASSERT_LE(0, self->vm) TH_LOG("libc_poll: %s", strerror(-self->vm));
	ASSERT_EQ(0, denali_runner_start(&r, self->vm, -1, 0));
	ASSERT_TRUE(denali_console_wait(self->vm, &con, "waiting\n", 10000))
		TH_LOG("%s", con.text);
	denali_sleep_ms(200);	/* let it block in poll first */
	ASSERT_EQ(5, write(self->vm, "hello", 5));
	EXPECT_TRUE(denali_runner_wait(&r, 10000));
	if (r.created)
		denali_runners_stop(&r, 1, 5000);
	denali_console_read_rest(self->vm, &con);
	EXPECT_EQ(DENALI_STOP_EXIT, r.run.reason);
	EXPECT_EQ(0, r.run.exit_status) TH_LOG("%s", con.text);
	EXPECT_NE(NULL, strstr(con.text, "got: hello\n")) TH_LOG("%s", con.text);
	EXPECT_GUEST_DONE(con.text, "libc_poll: ");
}

/* The read-only tree: reads, seeks, stat, mmap, listings, EROFS. */
TEST_F(libc, file_tree)
{
	run_libc_guest(_metadata, self, "libc_files", MEM);
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("console:\n%s", self->out);
	EXPECT_GUEST_DONE(self->out, "libc_files: ");
}

/* A program built with ilwaco-cc --files, as a user would. */
TEST_F(libc, ilwaco_cc_builds_a_guest)
{
	run_libc_guest(_metadata, self, "cc_prog", MEM);
	EXPECT_EQ(3, self->run.exit_status);
	EXPECT_STREQ("argc=0 motd=hello from the tree\n", self->out);
}

/*
 * Lua 5.4 from Debian's source package, unmodified (tools/build-lua),
 * runs a script given on its command line: strings, floats, tables,
 * closures, pcall/error, os.time from the host's clock, string.format.
 */
TEST_F(libc, lua_from_debian_runs_a_script)
{
	static const char *const lines[] = {
		"local t = {}",
		"for i = 1, 100000 do t[i] = i * i end",
		"local function add(n) return function(x) return x + n end; end",
		"local ok, err = pcall(error, 'boom')",
		"print(#t, t[100000], add(2)(40), ok, err, ('ab'):rep(3),",
		"      string.format('%5.2f', math.pi), os.time() > 1704067200)",
		"os.exit(5)",
	};
	char script[512] = "";
	const char *const argv[] = { "lua", "-e", script };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		strcat(script, lines[i]);
		strcat(script, "\n");
	}
	run_libc_args(_metadata, self, "lua", MEM, argv, ARRAY_SIZE(argv));
	EXPECT_EQ(5, self->run.exit_status);
	EXPECT_STREQ("100000\t10000000000\t42\tfalse\tboom\tababab\t 3.14\ttrue\n",
		     self->out);
}

/* denalictl beside the tests: build/userspace/denalictl, into @buf. */
static void denalictl_path(char *buf, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	snprintf(buf, cap, "%s/../../userspace/denalictl", dirname(exe));
}

/*
 * `denalictl create guests/@guest.img --foreground`: its output (stdout
 * and stderr) into @out, its wait status, or -1.
 */
static int denalictl_run(const char *guest, char *out, size_t cap)
{
	char ctl[PATH_MAX], exe[PATH_MAX], cmd[3 * PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len;
	FILE *p;

	exe[n > 0 ? n : 0] = '\0';
	denalictl_path(ctl, sizeof(ctl));
	snprintf(cmd, sizeof(cmd), "%s create %s/guests/%s.img --foreground 2>&1",
		 ctl, dirname(exe), guest);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(out, 1, cap - 1, p);
	out[len] = '\0';
	return pclose(p);
}

/*
 * The status a program gives exit(), or the one abort() ends it with,
 * is denalictl's own, as a shell script running the guest would see it.
 */
TEST_F(libc, exit_status_reaches_denalictl)
{
	int st = denalictl_run("libc_exit", self->out, sizeof(self->out));

	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("wait status %#x", st);
	EXPECT_EQ(42, WEXITSTATUS(st)) TH_LOG("%s", self->out);
	EXPECT_STREQ("buffered line\natexit ran\nno newline, flushed at exit",
		     self->out);

	st = denalictl_run("libc_abort", self->out, sizeof(self->out));
	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("wait status %#x", st);
	EXPECT_EQ(128 + 6, WEXITSTATUS(st)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "SIGABRT raised: the VM ends\n"))
		TH_LOG("%s", self->out);
}

/*
 * CLOCK_REALTIME is the host's: Lua's os.time() (time(), through
 * musl's clock_gettime) falls between two readings the host takes
 * around the guest's run.
 */
TEST_F(libc, realtime_is_the_hosts)
{
	const char *const argv[] = { "lua", "-e", "print(os.time())" };
	time_t before, after;
	long long guest;
	char *end;

	before = time(NULL);
	run_libc_args(_metadata, self, "lua", MEM, argv, ARRAY_SIZE(argv));
	after = time(NULL);
	EXPECT_EQ(0, self->run.exit_status);
	guest = strtoll(self->out, &end, 10);
	ASSERT_STREQ("\n", end) TH_LOG("%s", self->out);
	EXPECT_LE(before, guest);
	EXPECT_GE(after, guest);
}

/* ---- lz4 from Debian, driven through the console ------------------------ */

/* @name (lz4_native, lz4_tree/F) beside the guests, into @buf. */
static void lz4_path(char *buf, size_t cap, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	snprintf(buf, cap, "%s/guests/%s", dirname(exe), name);
}

/*
 * Run the reference lz4 (built for Linux from the same source) with
 * @args, its standard input from the @in_len bytes at @in (none if
 * NULL); its output into @out (@cap bytes): the length, or -1.
 */
static ssize_t lz4_native(const char *args, const void *in, size_t in_len,
			  char *out, size_t cap)
{
	char exe[PATH_MAX], tmp[] = "/tmp/lz4_test.XXXXXX", cmd[2 * PATH_MAX];
	ssize_t len = -1;
	FILE *p;
	int fd;

	lz4_path(exe, sizeof(exe), "lz4_native");
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	if (in && write(fd, in, in_len) != (ssize_t)in_len)
		goto out;
	snprintf(cmd, sizeof(cmd), "%s %s < %s", exe, args, tmp);
	p = popen(cmd, "r");
	if (!p)
		goto out;
	len = fread(out, 1, cap, p);
	if (pclose(p) != 0)
		len = -1;
out:
	close(fd);
	unlink(tmp);
	return len;
}

/* The whole of lz4_tree/@name into @buf (@cap bytes): its length, or -1. */
static ssize_t lz4_tree_file(const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX], rel[64];
	ssize_t len;
	int fd;

	snprintf(rel, sizeof(rel), "lz4_tree/%s", name);
	lz4_path(path, sizeof(path), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, cap);
	close(fd);
	return len;
}

static char lz4_want[65536], lz4_back[65536];

/*
 * lz4 compresses a file of its tree to the console, at its default
 * level (lz4.c) and at -9 (lz4hc.c): the bytes are exactly those the
 * same lz4 built for Linux writes, and they decompress to the file.
 * Everything fits the console's buffer, so no byte can be dropped.
 */
TEST_F(libc, lz4_compresses_to_the_console_byte_exact)
{
	static const char *const levels[] = { "-1", "-9" };
	ssize_t orig, want, back;
	size_t i;

	orig = lz4_tree_file("lz4.h", lz4_back, sizeof(lz4_back));
	ASSERT_LT(0, orig);
	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		const char *const argv[] = { "lz4", "-q", levels[i], "-c", "/lz4.h" };
		char args[32];

		run_libc_args(_metadata, self, "lz4", MEM, argv,
			      ARRAY_SIZE(argv));
		EXPECT_EQ(0, self->run.exit_status);
		snprintf(args, sizeof(args), "-q %s -c", levels[i]);
		want = lz4_native(args, lz4_back, orig, lz4_want,
				  sizeof(lz4_want));
		ASSERT_LT(0, want);
		ASSERT_GT(DENALI_CONSOLE_BYTES, want);
		EXPECT_EQ(want, self->out_len) TH_LOG("level %s", levels[i]);
		EXPECT_EQ(0, memcmp(lz4_want, self->out, want))
			TH_LOG("level %s: the frames differ", levels[i]);
		/* And the guest's frame decompresses, on Linux, to the file. */
		back = lz4_native("-q -d -c", self->out, self->out_len,
				  lz4_want, sizeof(lz4_want));
		EXPECT_EQ(orig, back);
		EXPECT_EQ(0, memcmp(lz4_want, lz4_back, orig));
		close(self->vm);
		self->vm = -1;
	}
}

/* lz4 decompresses a frame of its tree to the console, byte for byte. */
TEST_F(libc, lz4_decompresses_to_the_console_byte_exact)
{
	const char *const argv[] = { "lz4", "-q", "-d", "-c", "/lz4frame.h.lz4" };
	ssize_t want = lz4_tree_file("lz4frame.h", lz4_want, sizeof(lz4_want));

	ASSERT_LT(0, want);
	run_libc_args(_metadata, self, "lz4", MEM, argv, ARRAY_SIZE(argv));
	EXPECT_EQ(0, self->run.exit_status);
	EXPECT_EQ(want, self->out_len);
	EXPECT_EQ(0, memcmp(lz4_want, self->out, want));
}

/*
 * lz4's own check, -t: it decompresses into /dev/null and verifies the
 * frame's checksum.  A good 113 KB frame passes silently; one with a
 * byte flipped fails as lz4 does on Linux: the checksum's message, and
 * status 66 (lz4io.c's for a decompression error).
 */
TEST_F(libc, lz4_tests_frames_into_dev_null)
{
	const char *const good[] = { "lz4", "-q", "-t", "/lz4.c.lz4" };
	const char *const bad[] = { "lz4", "-q", "-t", "/corrupt.lz4" };

	run_libc_args(_metadata, self, "lz4", MEM, good, ARRAY_SIZE(good));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_EQ(0, self->out_len) TH_LOG("%s", self->out);
	close(self->vm);
	self->vm = -1;

	run_libc_args(_metadata, self, "lz4", MEM, bad, ARRAY_SIZE(bad));
	EXPECT_EQ(66, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "ERROR_contentChecksum_invalid"))
		TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
