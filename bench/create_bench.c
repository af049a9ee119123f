// SPDX-License-Identifier: GPL-2.0
/*
 * Starting a Denali VM beside starting a Linux process, in one boot.  The
 * paper's case for lightweight VMs rests on their being cheap enough to
 * create one per request; this measures what DENALI_CREATE_VM and the
 * first DENALI_RUN cost, and holds it against what fork and exec cost a
 * process, so that "cheap" has a yardstick measured on the same kernel.
 *
 * It loads denali.ko if needed, then prints CSV lines (bench/README.md):
 *   create_to_first_insn_1m, _16m  CREATE ioctl to the guest's first
 *                                  instruction, an rdtsc (1 and 16 MiB)
 *   create_to_exit_1m, _16m        CREATE to DENALI_RUN returning the
 *                                  same guest's exit(0)
 *   create_rate_1m                 create, run to exit(0) and close,
 *                                  back to back, per VM
 *   create_to_first_insn_16m_prealloc, create_to_exit_16m_prealloc
 *                                  the same with DENALI_CREATE_PREALLOC
 *                                  (every page made at creation, as
 *                                  before demand-zero memory)
 *   create_rate_16m, create_rate_16m_prealloc
 *                                  the batch with 16 MiB VMs, demand-zero
 *                                  and preallocated (a quarter of the
 *                                  batch size)
 * and, as "# memory:" lines, what an idle VM holds (never run, and run
 * until it idles): resident guest pages and host_bytes from
 * DENALI_GET_STATS, demand-zero and preallocated.
 *   fork_exec_to_first_insn        fork to the first instruction, an
 *                                  rdtsc, of rdtsc_static (no libc),
 *                                  which does what the guest does
 *   fork_exec_exit_nolibc          fork to waitpid of that same program
 *   fork_exec_exit                 fork to waitpid of exit0_static, a
 *                                  glibc static program that exits 0
 *   fork_exec_rate                 fork, exec and waitpid of exit0_static,
 *                                  back to back, per process
 * Latencies are the best single operation of 4 x REPS; rates are the best
 * of REPS batches of N operations, divided by N.  It exits non-zero with one
 * line on stderr when the module cannot be loaded, a guest or a child
 * does not exit 0, or a guest's counter is not the host's.
 */
#include <sched.h>
#include <stdarg.h>
#include <termios.h>

#include "denali_util.h"
#include "bench_clock.h"

#define MIB			(1ull << 20)
#define CREATE_DEFAULT_BATCH	200ul
#define CREATE_DEFAULT_REPS	5u
/*
 * A single operation is short enough, and noise (the host running other
 * machines beside a plain-TCG one) frequent enough, that a latency needs
 * more tries than a batch, whose noise averages out: latencies take
 * this many times REPS.
 */
#define LATENCY_REPS_FACTOR	4u

/*
 * The guest of every VM here: its first instruction reads the time stamp
 * counter.  Exit statuses are 32 bits, so the 64-bit counter goes out
 * through the console instead: pushed, written (8 bytes), then
 * exit(written - 8), which is 0 exactly when the whole counter was
 * written.  Eleven instructions and two hypercalls: next to creating a
 * VM, running it costs next to nothing, so the figures are the VM's
 * start and stop.
 *
 *	rdtsc			0f 31
 *	shl	$32, %rdx	48 c1 e2 20
 *	or	%rdx, %rax	48 09 d0
 *	push	%rax		50
 *	mov	%rsp, %rdi	48 89 e7	(buf: the counter)
 *	mov	$8, %esi	be 08 00 00 00	(len)
 *	mov	$2, %eax	b8 02 00 00 00	(DENALI_HC_CONSOLE_WRITE)
 *	int	$0x1f		cd 1f
 *	lea	-8(%rax), %edi	8d 78 f8	(status: bytes written - 8)
 *	mov	$1, %eax	b8 01 00 00 00	(DENALI_HC_EXIT)
 *	int	$0x1f		cd 1f
 */
static const unsigned char guest_code[] = {
	0x0f, 0x31,
	0x48, 0xc1, 0xe2, 0x20,
	0x48, 0x09, 0xd0,
	0x50,
	0x48, 0x89, 0xe7,
	0xbe, 0x08, 0x00, 0x00, 0x00,
	0xb8, 0x02, 0x00, 0x00, 0x00,
	0xcd, 0x1f,
	0x8d, 0x78, 0xf8,
	0xb8, 0x01, 0x00, 0x00, 0x00,
	0xcd, 0x1f,
};

struct create_opts {
	unsigned long batch;
	unsigned int reps;
	const char *lane;
	const char *mode;
};

static int dev_fd = -1;
/* The guest's ELF image, in a memfd: CREATE reads no disk. */
static int image_fd = -1;
/* Copies of the two programs in a tmpfs, see copy_programs(). */
static char tmp_dir[64], exit0_path[128], rdtsc_path[128];

static void remove_copies(void)
{
	if (!tmp_dir[0])
		return;
	unlink(exit0_path);
	unlink(rdtsc_path);
	rmdir(tmp_dir);
	tmp_dir[0] = '\0';
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("create_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	remove_copies();
	exit(1);
}

static int parse_opts(int argc, char **argv, struct create_opts *o)
{
	const char *lane = getenv("TESTVM_LANE");
	char *end;
	int c;

	o->batch = CREATE_DEFAULT_BATCH;
	o->reps = CREATE_DEFAULT_REPS;
	o->lane = lane && *lane ? lane : "host";
	o->mode = "unspecified";
	while ((c = getopt(argc, argv, "n:r:l:c:")) != -1) {
		switch (c) {
		case 'n':
			o->batch = strtoul(optarg, &end, 0);
			if (*end || o->batch < 1 || o->batch > 1000000)
				goto usage;
			break;
		case 'r':
			o->reps = strtoul(optarg, &end, 0);
			if (*end || o->reps < 1 || o->reps > 1000)
				goto usage;
			break;
		case 'l':
			o->lane = optarg;
			break;
		case 'c':
			o->mode = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return 0;
usage:
	fprintf(stderr, "usage: %s [-n BATCH (default %lu)] [-r REPS (default %u)] [-l LANE] [-c CLOCK_MODE]\n",
		argv[0], CREATE_DEFAULT_BATCH, CREATE_DEFAULT_REPS);
	return -1;
}

/* The folder this program was started from: build/bench/. */
static void own_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		fail("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	snprintf(buf, len, "%s", dirname(exe));
}

/*
 * denali.ko for the running kernel, from build/kernel/<release>/ beside
 * build/bench/ unless $DENALI_KO says otherwise.
 */
static void load_module(void)
{
	int ret;

	bench_default_module();
	ret = denali_ensure_loaded();
	if (ret)
		fail("cannot load denali.ko (%s): %s", getenv("DENALI_KO"),
		     strerror(-ret));
	dev_fd = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		fail("denali.ko is loaded but %s cannot be opened: %s",
		     DENALI_DEVICE_PATH, strerror(errno));
}

static int make_image(const unsigned char *code, size_t len)
{
	static unsigned char elf[2 * ELF_BUILDER_DATA];
	size_t n = elf_build_code(elf, sizeof(elf), code, len);
	int fd;

	if (!n)
		fail("cannot build a guest image of %zu bytes", len);
	fd = denali_image_fd(elf, n);
	if (fd < 0)
		fail("cannot put a guest image in a memfd: %s", strerror(-fd));
	return fd;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	ssize_t n = 0;

	if (in < 0 || out < 0)
		fail("cannot copy %s to %s: %s", from, to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	if (n != 0 || close(out))
		fail("cannot copy %s to %s: %s", from, to, strerror(errno));
	close(in);
}

/*
 * The guests' images are in memfds, so the programs they are compared
 * with run from a tmpfs too: exec'ing them from build/bench/ would read
 * the 9p file system between the test machine and its host, which is
 * not what starting a process costs.
 */
static void copy_programs(const char *dir)
{
	char from[PATH_MAX + 32];

	snprintf(tmp_dir, sizeof(tmp_dir), "/dev/shm/create_bench.XXXXXX");
	if (!mkdtemp(tmp_dir)) {
		tmp_dir[0] = '\0';
		fail("cannot make a folder in /dev/shm: %s", strerror(errno));
	}
	snprintf(exit0_path, sizeof(exit0_path), "%s/exit0_static", tmp_dir);
	snprintf(rdtsc_path, sizeof(rdtsc_path), "%s/rdtsc_static", tmp_dir);
	snprintf(from, sizeof(from), "%s/exit0_static", dir);
	copy_file(from, exit0_path);
	snprintf(from, sizeof(from), "%s/rdtsc_static", dir);
	copy_file(from, rdtsc_path);
}

static __u32 create_flags;	/* DENALI_CREATE_PREALLOC while measuring it */

static void vm_request(struct denali_create_vm *c, int image,
		       unsigned long long mem)
{
	memset(c, 0, sizeof(*c));
	c->mem_size = mem;
	c->image_fd = image;
	c->flags = create_flags;
}

/* Create the VM @c describes, or fail with the module's reason. */
static int vm_create(struct denali_create_vm *c)
{
	int vm = ioctl(dev_fd, DENALI_CREATE_VM, c);

	if (vm < 0)
		fail("DENALI_CREATE_VM (%llu MiB): %s: %.*s",
		     (unsigned long long)c->mem_size >> 20, strerror(errno),
		     DENALI_ERROR_MAX, c->error);
	return vm;
}

/* Run @vm until it stops; fail unless it stopped with exit(0). */
static void vm_run_to_exit(int vm)
{
	struct denali_run run;
	const struct denali_crash *c = &run.crash;
	int ret;

	/* A signal interrupts DENALI_RUN; calling again resumes the guest. */
	do {
		ret = denali_run(vm, &run);
	} while (ret == -EINTR);
	if (ret)
		fail("DENALI_RUN: %s", strerror(-ret));
	if (run.reason == DENALI_STOP_EXIT && run.exit_status == 0)
		return;
	if (run.reason == DENALI_STOP_EXIT)
		fail("the guest exited with status %d, not 0", run.exit_status);
	if (run.reason == DENALI_STOP_CRASH)
		fail("the guest crashed: %.64s (vector %u, rip %#llx)",
		     c->description, c->vector,
		     (unsigned long long)c->regs.rip);
	fail("the guest stopped with reason %u, not an exit", run.reason);
}

/*
 * One VM of @mem bytes, timed from just before CREATE to DENALI_RUN's
 * return (close() is not timed); *@first is the guest's counter minus
 * the host's read just before CREATE.
 */
static void vm_once(unsigned long long mem, struct bench_sample *s,
		    uint64_t *first)
{
	struct denali_create_vm c;
	uint64_t t0, guest;
	int vm;

	vm_request(&c, image_fd, mem);
	bench_start(s);
	t0 = s->tsc;
	vm = vm_create(&c);
	vm_run_to_exit(vm);
	bench_stop(s);

	if (read(vm, &guest, sizeof(guest)) != sizeof(guest))
		fail("the guest's console does not hold its 8-byte counter");
	/*
	 * A counter outside the host's interval would mean the guest does
	 * not read the clock the host reads: no latency then.
	 */
	if (guest <= t0 || guest - t0 >= s->tsc)
		fail("the guest's counter %llu is outside the host's interval [%llu, %llu]",
		     (unsigned long long)guest, (unsigned long long)t0,
		     (unsigned long long)(t0 + s->tsc));
	*first = guest - t0;
	close(vm);
}

/* @n VMs of @mem created, run to exit(0) and closed, one after another. */
static void vm_batch(unsigned long n, unsigned long long mem,
		     struct bench_sample *s)
{
	struct denali_create_vm c;
	unsigned long i;
	int vm;

	vm_request(&c, image_fd, mem);
	bench_start(s);
	for (i = 0; i < n; i++) {
		vm = vm_create(&c);
		vm_run_to_exit(vm);
		close(vm);
	}
	bench_stop(s);
}

/*
 * fork and exec @path with no arguments and an empty environment (which
 * leaves glibc's start-up nothing to parse), its standard output on @out
 * when @out is not -1.
 */
static pid_t spawn(const char *path, int out)
{
	char *const argv[] = { (char *)path, NULL };
	char *const envp[] = { NULL };
	pid_t pid = fork();

	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if (out >= 0 && dup2(out, STDOUT_FILENO) < 0)
			_exit(126);
		execve(path, argv, envp);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid, const char *path)
{
	int status = 0;
	pid_t ret;

	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret != pid)
		fail("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("%s did not exit 0 (wait status %#x; 127: exec failed)",
		     path, status);
}

/*
 * rdtsc_static, timed from just before fork to waitpid's return; *@first
 * is its first instruction's counter minus the host's before fork.  The
 * pipe is read after waitpid, so a child that never writes cannot hang
 * us, and the read is no part of the timed interval.
 */
static void proc_first(int pipe_r, int pipe_w, struct bench_sample *s,
		       uint64_t *first)
{
	uint64_t t0, child;

	bench_start(s);
	t0 = s->tsc;
	reap(spawn(rdtsc_path, pipe_w), rdtsc_path);
	bench_stop(s);

	if (read(pipe_r, &child, sizeof(child)) != sizeof(child))
		fail("%s did not write its 8-byte counter", rdtsc_path);
	if (child <= t0 || child - t0 >= s->tsc)
		fail("the child's counter %llu is outside the parent's interval [%llu, %llu]",
		     (unsigned long long)child, (unsigned long long)t0,
		     (unsigned long long)(t0 + s->tsc));
	*first = child - t0;
}

static void proc_once(struct bench_sample *s)
{
	bench_start(s);
	reap(spawn(exit0_path, -1), exit0_path);
	bench_stop(s);
}

static void proc_batch(unsigned long n, struct bench_sample *s)
{
	unsigned long i;

	bench_start(s);
	for (i = 0; i < n; i++)
		reap(spawn(exit0_path, -1), exit0_path);
	bench_stop(s);
}

enum {
	M_FIRST_1M, M_FIRST_16M, M_EXIT_1M, M_EXIT_16M, M_RATE_1M,
	M_FORK_FIRST, M_FORK_EXIT_NOLIBC, M_FORK_EXIT, M_FORK_RATE,
	M_FIRST_16M_PRE, M_EXIT_16M_PRE, M_RATE_16M, M_RATE_16M_PRE,
	M_COUNT
};

static const char *const measure_name[M_COUNT] = {
	[M_FIRST_1M]		= "create_to_first_insn_1m",
	[M_FIRST_16M]		= "create_to_first_insn_16m",
	[M_EXIT_1M]		= "create_to_exit_1m",
	[M_EXIT_16M]		= "create_to_exit_16m",
	[M_RATE_1M]		= "create_rate_1m",
	[M_FORK_FIRST]		= "fork_exec_to_first_insn",
	[M_FORK_EXIT_NOLIBC]	= "fork_exec_exit_nolibc",
	[M_FORK_EXIT]		= "fork_exec_exit",
	[M_FORK_RATE]		= "fork_exec_rate",
	[M_FIRST_16M_PRE]	= "create_to_first_insn_16m_prealloc",
	[M_EXIT_16M_PRE]	= "create_to_exit_16m_prealloc",
	[M_RATE_16M]		= "create_rate_16m",
	[M_RATE_16M_PRE]	= "create_rate_16m_prealloc",
};

/* The batch size of measure @m. */
static unsigned long batch_of(const struct create_opts *o, int m)
{
	if (m == M_RATE_16M || m == M_RATE_16M_PRE)
		return o->batch / 4 ? o->batch / 4 : 1;
	if (m == M_RATE_1M || m == M_FORK_RATE)
		return o->batch;
	return 1;
}

/*
 * Every latency once per repetition, then every batch once per
 * repetition, so that slow drift (QEMU's translation cache, the host
 * getting busier) weighs on the VM and the process figures alike.  The
 * first instruction and the exit of one VM (or process) come from the
 * same run, so the one never exceeds the other.  The first-instruction
 * figures exist in counter ticks only (a guest has no other clock); they
 * go into .tsc and leave .ns for later.
 */
static void measure(const struct create_opts *o, struct bench_sample *best)
{
	struct bench_sample s, first;
	int pipe_fd[2];
	unsigned int i;
	int m;

	for (m = 0; m < M_COUNT; m++)
		bench_reset(&best[m]);
	/* Non-blocking: a missing counter must fail, not wait. */
	if (pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK))
		fail("pipe2: %s", strerror(errno));

	for (i = 0; i < LATENCY_REPS_FACTOR * o->reps; i++) {
		first.ns = 0;
		vm_once(MIB, &s, &first.tsc);
		bench_keep_min(&best[M_FIRST_1M], &first);
		bench_keep_min(&best[M_EXIT_1M], &s);
		vm_once(16 * MIB, &s, &first.tsc);
		bench_keep_min(&best[M_FIRST_16M], &first);
		bench_keep_min(&best[M_EXIT_16M], &s);
		create_flags = DENALI_CREATE_PREALLOC;
		vm_once(16 * MIB, &s, &first.tsc);
		create_flags = 0;
		bench_keep_min(&best[M_FIRST_16M_PRE], &first);
		bench_keep_min(&best[M_EXIT_16M_PRE], &s);

		proc_first(pipe_fd[0], pipe_fd[1], &s, &first.tsc);
		bench_keep_min(&best[M_FORK_FIRST], &first);
		bench_keep_min(&best[M_FORK_EXIT_NOLIBC], &s);
		proc_once(&s);
		bench_keep_min(&best[M_FORK_EXIT], &s);
	}
	for (i = 0; i < o->reps; i++) {
		vm_batch(o->batch, MIB, &s);
		bench_keep_min(&best[M_RATE_1M], &s);
		proc_batch(o->batch, &s);
		bench_keep_min(&best[M_FORK_RATE], &s);
		vm_batch(batch_of(o, M_RATE_16M), 16 * MIB, &s);
		bench_keep_min(&best[M_RATE_16M], &s);
		create_flags = DENALI_CREATE_PREALLOC;
		vm_batch(batch_of(o, M_RATE_16M_PRE), 16 * MIB, &s);
		create_flags = 0;
		bench_keep_min(&best[M_RATE_16M_PRE], &s);
	}
	close(pipe_fd[0]);
	close(pipe_fd[1]);
}

/* First use of every path, untimed: QEMU translates, exec caches. */
static void warm_up(void)
{
	struct bench_sample s;
	uint64_t first;
	int pipe_fd[2];

	if (pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK))
		fail("pipe2: %s", strerror(errno));
	vm_once(MIB, &s, &first);
	vm_once(16 * MIB, &s, &first);
	vm_batch(2, MIB, &s);
	create_flags = DENALI_CREATE_PREALLOC;
	vm_batch(2, 16 * MIB, &s);
	create_flags = 0;
	proc_first(pipe_fd[0], pipe_fd[1], &s, &first);
	proc_batch(2, &s);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
}

/*
 * The idle guest of the memory figures: idle forever, with no timeout,
 * as an unpopular service waits for a request.
 *
 *	mov	$-1, %rdi	48 c7 c7 ff ff ff ff	(DENALI_IDLE_FOREVER)
 *	mov	$4, %eax	b8 04 00 00 00		(DENALI_HC_IDLE)
 *	int	$0x1f		cd 1f
 *	jmp	.-14		eb f0
 */
static const unsigned char idle_code[] = {
	0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff,
	0xb8, 0x04, 0x00, 0x00, 0x00,
	0xcd, 0x1f,
	0xeb, 0xf0,
};

static void print_memory(const struct create_opts *o, const char *when,
			 unsigned long long mem, __u32 flags,
			 const struct denali_stats *st)
{
	printf("# memory: %s,%s,idle_vm_%llum%s_%s,resident_pages=%llu,resident_bytes=%llu,host_bytes=%llu,demand_exits=%llu\n",
	       o->lane, o->mode, mem >> 20, flags ? "_prealloc" : "", when,
	       (unsigned long long)st->resident_pages,
	       (unsigned long long)st->resident_pages * 4096,
	       (unsigned long long)st->host_bytes,
	       (unsigned long long)st->exits[DENALI_EXITK_DEMAND]);
}

/*
 * What one idle VM of @mem holds: just created, then run until it idles
 * (a runner thread, stopped with a signal once the guest sleeps).
 * Counts, not times: the same on any lane and in any clock mode.
 */
static void idle_memory(const struct create_opts *o, unsigned long long mem,
			__u32 flags)
{
	struct denali_create_vm c;
	struct denali_stats st;
	struct denali_run run;
	int image = make_image(idle_code, sizeof(idle_code)), vm, i;

	vm_request(&c, image, mem);
	c.flags = flags;
	vm = vm_create(&c);
	if (denali_get_stats(vm, &st))
		fail("DENALI_GET_STATS: %s", strerror(errno));
	print_memory(o, "created", mem, flags, &st);
	/* Run until the guest has idled once: an alarm ends DENALI_RUN. */
	for (i = 0; i < 100; i++) {
		alarm(1);
		if (denali_run(vm, &run) != -EINTR)
			fail("the idle guest stopped (reason %u)", run.reason);
		if (denali_get_stats(vm, &st))
			fail("DENALI_GET_STATS: %s", strerror(errno));
		if (st.idle_sleeps)
			break;
	}
	alarm(0);
	if (!st.idle_sleeps)
		fail("the idle guest never idled");
	print_memory(o, "idle", mem, flags, &st);
	close(vm);
	close(image);
}

static void noop(int sig)
{
	(void)sig;
}

static void print_line(const struct create_opts *o, int m, unsigned long n,
		       double ns, double tsc)
{
	printf("%s,%s,%s,%lu,%.1f,%.1f\n", o->lane, o->mode, measure_name[m],
	       n, ns, tsc);
}

int main(int argc, char **argv)
{
	struct bench_sample best[M_COUNT], run;
	struct create_opts o;
	char dir[PATH_MAX];
	struct utsname u;
	double ns_per_tsc;
	int m;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (geteuid())
		fail("needs root, to load denali.ko and open %s",
		     DENALI_DEVICE_PATH);
	/* Says the machine got this far, should it die or hang later. */
	fprintf(stderr, "create_bench: measuring on %s (%s), batch %lu, best of %u (latencies %u)\n",
		o.lane, o.mode, o.batch, o.reps, LATENCY_REPS_FACTOR * o.reps);
	bench_pin_to_this_cpu();
	/* SIGALRM interrupts DENALI_RUN (idle_memory()), killing nothing. */
	{
		struct sigaction sa = { .sa_handler = noop };

		sigaction(SIGALRM, &sa, NULL);
	}
	own_dir(dir, sizeof(dir));
	load_module();
	copy_programs(dir);
	image_fd = make_image(guest_code, sizeof(guest_code));

	bench_start(&run);
	warm_up();
	measure(&o, best);
	bench_stop(&run);
	remove_copies();

	/*
	 * The ratio of the two clocks over the whole run (seconds of
	 * plain TCG, or millions of instructions under -icount) converts
	 * the first-instruction counts to nanoseconds.
	 */
	ns_per_tsc = (double)run.ns / (double)run.tsc;
	best[M_FIRST_1M].ns = best[M_FIRST_1M].tsc * ns_per_tsc;
	best[M_FIRST_16M].ns = best[M_FIRST_16M].tsc * ns_per_tsc;
	best[M_FORK_FIRST].ns = best[M_FORK_FIRST].tsc * ns_per_tsc;
	best[M_FIRST_16M_PRE].ns = best[M_FIRST_16M_PRE].tsc * ns_per_tsc;

	if (uname(&u))
		strcpy(u.release, "?");
	printf("# %s: kernel %s, clock_mode %s, batch %lu; latencies best of %u, batches best of %u; %.4f ns per counter tick over the run (%.2f s)\n",
	       o.lane, u.release, o.mode, o.batch,
	       LATENCY_REPS_FACTOR * o.reps, o.reps, ns_per_tsc,
	       run.ns / 1e9);
	printf("%s\n", BENCH_CSV_HEADER);
	for (m = 0; m < M_COUNT; m++) {
		unsigned long n = batch_of(&o, m);

		print_line(&o, m, n, (double)best[m].ns / n,
			   (double)best[m].tsc / n);
	}
	idle_memory(&o, MIB, 0);
	idle_memory(&o, 16 * MIB, 0);
	idle_memory(&o, 16 * MIB, DENALI_CREATE_PREALLOC);
	/*
	 * In a test machine, standard output is a serial port that the
	 * machine powers off right after we exit: wait until the port has
	 * sent every line, or the last ones may never reach the host.
	 */
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
	return 0;
}
