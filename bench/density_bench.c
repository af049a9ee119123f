// SPDX-License-Identifier: GPL-2.0
/*
 * Live VMs per machine, from one process: the module's own cost per VM,
 * with no runner process per VM (bench/density.sh runs it; the runner
 * modes are in the script).
 *
 *   density_bench [-n N] [-s STEP] [-m MIB] [-r] [-i SECS] [-f N] IMAGE
 *   density_bench -a DENALICTL [-n N] [-s STEP] [-m MIB] IMAGE
 *   density_bench -e [-P] [-i SECS]
 *
 * Creates N demand-zero VMs of MIB MiB (default 1) from IMAGE, which must
 * be selftests/guests/mem_touch.img (mode "ping": it prints "mem: idle",
 * then "pong" for every console byte, idling with no timeout between),
 * printing a "step" line every STEP VMs.  With -r each VM is run by a
 * worker thread of this process (one DENALI_RUN each, blocked in the
 * guest's idle while it has nothing to do) and, once all are idle, the
 * idle host CPU and guest exits are counted over SECS seconds, every VM
 * is pinged once (a byte to its console input) and the answers counted.
 * Without -r the VMs are created and never run (the selftest's case).
 * With -a the VMs go to the shared runners `denalictl create --runner
 * auto` fills (auto-0, auto-1, ..., 1,000 VMs each, named dI): the first
 * VM of each runner is made by DENALICTL (`create IMAGE --runner auto`,
 * which starts the runner), the others are created here and handed to it
 * over its socket as denalictl does (pool.h) -- the same runners and the
 * same VMs, without an exec of denalictl per VM; then it exits, leaving
 * them live (measure them with -e).
 * Then every VM is destroyed and closed.  -f N first times N fork + exec
 * + waitpid of exit0_static (beside this program), for the creation
 * rate's yardstick.  With -e it creates nothing: it opens every VM
 * already listed (made by denalictl create, run by runner processes) and
 * measures them as -r does (MemAvailable drop then unknown: the caller
 * has it), without destroying them; -P skips the ping (VMs that do not
 * answer one on their console: web servers, asked over HTTP instead).
 *
 * Output, CSV lines "key,value" and "step,vms,seconds,memavailable_kb":
 *   vms, mem_mib, run        the configuration
 *   step,...                 creation progress: a curve of VMs against
 *                            MemAvailable (the plot)
 *   create_s, create_per_s   wall time of all creations, and the rate
 *   fork_exec_per_s          the yardstick (-f)
 *   memavail_drop_kb         MemAvailable before creation minus with all
 *                            live (and idle, with -r)
 *   per_vm_all_in_bytes      that drop / N
 *   resident_pages_per_vm, host_bytes_per_vm   DENALI_GET_STATS summed / N
 *   runner_rss_bytes_per_vm  this process's VmRSS / N (thread stacks)
 *   idle_cpu_busy_pct        non-idle share of all CPUs over SECS (/proc/stat)
 *   idle_exits_per_s         guest exits summed over all VMs, per second
 *   ping_answered, ping_s    VMs that answered "pong", and the time taken
 *   destroy_s                destroying and closing them all
 *   memavail_after_kb        MemAvailable afterwards (beside _before_kb)
 * Times are wall-clock seconds of the machine it runs in (functional under
 * TCG); counts are real.  Exits non-zero with a line on stderr when the
 * module cannot be loaded, a creation fails, or a VM stops.
 */
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "denali_util.h"
#include "bench_clock.h"
#include "pool.h"

struct vm {
	int fd;
	__u32 id;
	pthread_t thread;
};

static struct vm *vms;
static unsigned long n_vms;
static bool no_ping;
static const char *ctl;		/* -a: denalictl, for each runner's first VM */

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("density_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

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

static unsigned long long self_rss_bytes(void)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = strtoull(line + 6, NULL, 10) << 10;
	fclose(f);
	return v;
}

/* All CPUs' jiffies: total and idle (idle + iowait). */
static void cpu_jiffies(unsigned long long *total, unsigned long long *idle)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int i;

	*total = *idle = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		   &v[8], &v[9]) >= 4) {
		/* guest and guest_nice (8, 9) are already in user and nice. */
		for (i = 0; i < 8; i++)
			*total += v[i];
		*idle = v[3] + v[4];
	}
	fclose(f);
}

static double now_s(void)
{
	return denali_mono_ns() / 1e9;
}

static void *runner(void *arg)
{
	struct vm *vm = arg;
	struct denali_run run;

	for (;;) {
		memset(&run, 0, sizeof(run));
		if (!ioctl(vm->fd, DENALI_RUN, &run))
			break;
		if (errno != EINTR)
			fail("DENALI_RUN of VM %u: %s", vm->id,
			     strerror(errno));
	}
	if (run.reason != DENALI_STOP_DESTROYED)
		fail("VM %u stopped (reason %u, status %d)", vm->id,
		     run.reason, run.exit_status);
	return NULL;
}

/* Read @vm's console until @want appears; false after @ms without it. */
static bool console_has(struct vm *vm, const char *want, long ms)
{
	char buf[256];
	size_t have = 0;
	ssize_t n;

	for (;;) {
		if (!denali_wait_readable(vm->fd, ms))
			return false;
		n = read(vm->fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return false;
		have += n;
		buf[have] = '\0';
		if (strstr(buf, want))
			return true;
		if (have > sizeof(buf) / 2) {
			/* Keep a tail long enough to hold @want. */
			memmove(buf, buf + have - strlen(want), strlen(want));
			have = strlen(want);
		}
	}
}

/*
 * Fork, exec and waitpid of exit0_static, @n times, per second.  The
 * program is exec'ed from a memfd copy, as the VMs' image is read from
 * one: the 9p share would make each exec a round trip to the host.
 */
static double fork_exec_rate(unsigned long n)
{
	static char *const args[] = { "exit0_static", NULL };
	static char *const env[] = { NULL };
	char exe[PATH_MAX], prog[PATH_MAX + 32];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned long i;
	int status, fd, mem;
	double t0;
	pid_t pid;

	if (len <= 0)
		fail("readlink /proc/self/exe: %s", strerror(errno));
	exe[len] = '\0';
	snprintf(prog, sizeof(prog), "%s/exit0_static", dirname(exe));
	fd = open(prog, O_RDONLY | O_CLOEXEC);
	mem = fd < 0 ? -1 : denali_image_in_memory(fd);
	if (mem < 0)
		fail("cannot copy %s to memory", prog);
	close(fd);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			fail("fork: %s", strerror(errno));
		if (!pid) {
			fexecve(mem, args, env);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			fail("%s did not exit 0", prog);
	}
	t0 = now_s() - t0;
	close(mem);
	return n / t0;
}

/*
 * Stats of every VM (resident pages, host bytes), then with all of them
 * idle: host CPU and guest exits over @secs, and one ping each.  True if
 * every VM answered.
 */
static bool idle_and_ping(unsigned long n, unsigned int secs)
{
	unsigned long long t0j, i0j, t1j, i1j, exits0 = 0, exits1 = 0;
	unsigned long long resident = 0, host = 0;
	unsigned long i, answered = 0;
	struct denali_stats st;
	double t;

	for (i = 0; i < n; i++) {
		if (denali_get_stats(vms[i].fd, &st))
			fail("stats of VM %u: %s", vms[i].id, strerror(errno));
		resident += st.resident_pages;
		host += st.host_bytes;
		exits0 += denali_all_exits(&st);
	}
	printf("resident_pages_per_vm,%.2f\n", (double)resident / n);
	printf("guest_bytes_per_vm,%.0f\n", resident * 4096.0 / n);
	printf("host_bytes_per_vm,%.0f\n", (double)host / n);
	fflush(stdout);

	cpu_jiffies(&t0j, &i0j);
	t = now_s();
	sleep(secs);
	cpu_jiffies(&t1j, &i1j);
	t = now_s() - t;
	for (i = 0; i < n; i++) {
		if (denali_get_stats(vms[i].fd, &st))
			fail("stats of VM %u", vms[i].id);
		exits1 += denali_all_exits(&st);
	}
	printf("idle_window_s,%.3f\n", t);
	printf("idle_cpu_busy_pct,%.2f\n", t1j == t0j ? 0.0 :
	       100.0 * ((t1j - t0j) - (i1j - i0j)) / (t1j - t0j));
	/* Exits between two sweeps of the stats, @secs apart. */
	printf("idle_exits_per_s,%.2f\n", (exits1 - exits0) / t);
	fflush(stdout);
	if (no_ping)
		return true;

	t = now_s();
	for (i = 0; i < n; i++)
		if (write(vms[i].fd, "p", 1) != 1)
			fail("ping VM %u: %s", vms[i].id, strerror(errno));
	for (i = 0; i < n; i++)
		answered += console_has(&vms[i], "pong", 60000);
	printf("ping_answered,%lu\nping_s,%.3f\n", answered, now_s() - t);
	fflush(stdout);
	return answered == n;
}

/* -e: the VMs runner processes hold, measured from here. */
static int measure_existing(unsigned int secs)
{
	struct denali_vm_info *list;
	__u32 count, total, i;
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	char buf[4096];
	struct rlimit rl;

	if (dev < 0)
		fail("%s: %s", DENALI_DEVICE_PATH, strerror(errno));
	if (denali_get_list(dev, NULL, 0, &count, &total))
		fail("DENALI_LIST_VMS: %s", strerror(errno));
	list = calloc(total + 1, sizeof(*list));
	vms = calloc(total + 1, sizeof(*vms));
	if (!list || !vms || !total)
		fail("no VMs listed, or no memory for %u", total);
	if (denali_get_list(dev, list, total, &count, &total))
		fail("DENALI_LIST_VMS: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max = count + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE: %s", strerror(errno));
	for (i = 0; i < count; i++) {
		vms[i].id = list[i].id;
		vms[i].fd = denali_vm_ref(dev, DENALI_OPEN_VM, list[i].id);
		if (vms[i].fd < 0)
			fail("open VM %u: %s", list[i].id, strerror(-vms[i].fd));
		/* Only what the guest says from now on (read blocks). */
		while (denali_wait_readable(vms[i].fd, 0) &&
		       read(vms[i].fd, buf, sizeof(buf)) > 0)
			;
	}
	printf("vms,%u\n", count);
	return idle_and_ping(count, secs) ? 0 : 1;
}

/*
 * -a: VM @i (fd @fd, id @id, name dI) to shared runner auto-(i / 1000).
 * VM 0 of each runner is not made here: `denalictl create --runner auto`
 * makes it, which starts that runner (the ones before it being full).
 */
static void ctl_create_first(int image, unsigned long i, unsigned long mib)
{
	char cmd[PATH_MAX + 160];

	/* Our memfd copy, so that every VM's image is the same file. */
	snprintf(cmd, sizeof(cmd),
		 "%s create /proc/%d/fd/%d --mem %luM --name d%lu --runner auto -- ping >/dev/null",
		 ctl, (int)getpid(), image, mib, i);
	if (system(cmd))
		fail("%s failed", cmd);
}

static void hand_over(int fd, __u32 id, unsigned long i)
{
	struct denali_pool_reply r = { 0 };
	char runner[32], name[32];
	struct sockaddr_un sa;
	socklen_t salen;
	int s, err;

	snprintf(runner, sizeof(runner), "auto-%lu", i / DENALI_POOL_AUTO_VMS);
	snprintf(name, sizeof(name), "d%lu", i);
	salen = denali_pool_addr(runner, getuid(), &sa);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, salen))
		fail("connecting to runner %s: %s", runner, strerror(errno));
	err = denali_pool_send(s, fd, id, name, &r);
	if (err)
		fail("handing VM %s to runner %s (it has %u): %s", name,
		     runner, r.vms, strerror(-err));
	close(s);
	close(fd);
}

int main(int argc, char **argv)
{
	unsigned long n = 1000, step = 1000, mib = 1, forks = 0, i;
	unsigned long long before, during, after;
	const char *const argv_ping[] = { "ping" };
	unsigned int idle_secs = 5;
	bool run = false, existing = false;
	struct denali_create_vm c;
	pthread_attr_t attr;
	struct rlimit rl;
	char args[32];
	int opt, dev, image;
	double t;
	int answered = 0;

	while ((opt = getopt(argc, argv, "n:s:m:ri:f:ePa:")) != -1) {
		switch (opt) {
		case 'a':
			ctl = optarg;
			break;
		case 'P':
			no_ping = true;
			break;
		case 'e':
			existing = true;
			run = true;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			step = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			run = true;
			break;
		case 'i':
			idle_secs = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			forks = strtoul(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - !existing || !n || !step || !mib ||
	    (ctl && (run || existing)))
		goto usage;
	if (existing)
		return measure_existing(idle_secs);

	bench_default_module();
	if (denali_ensure_loaded())
		fail("cannot load denali.ko (%s)", getenv("DENALI_KO"));
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	image = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (dev < 0 || image < 0)
		fail("cannot open %s or %s: %s", DENALI_DEVICE_PATH,
		     argv[optind], strerror(errno));
	/* The module's cost, not the test machine's 9p share's. */
	image = denali_image_in_memory(image);
	if (image < 0)
		fail("cannot copy the image to memory: %s", strerror(-image));
	/* -a: denalictl opens it by its /proc path. */
	if (ctl)
		fcntl(image, F_SETFD, 0);
	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE %lu: %s", n + 64, strerror(errno));
	vms = calloc(n, sizeof(*vms));
	if (!vms)
		fail("no memory for %lu VMs", n);

	printf("vms,%lu\nmem_mib,%lu\nrun,%d\n", n, mib, run);
	if (forks)
		printf("fork_exec_per_s,%.1f\n", fork_exec_rate(forks));

	before = meminfo_kb("MemAvailable:");
	printf("memavail_before_kb,%llu\n", before);
	printf("step,0,0,%llu\n", before);
	fflush(stdout);
	t = now_s();
	for (i = 0; i < n; i++) {
		if (ctl && i % DENALI_POOL_AUTO_VMS == 0) {
			ctl_create_first(image, i, mib);
			vms[i].fd = -1;
			goto step;
		}
		memset(&c, 0, sizeof(c));
		if (ctl)
			snprintf(c.name, sizeof(c.name), "d%lu", i);
		c.mem_size = mib << 20;
		c.image_fd = image;
		c.args_len = denali_pack_args(args, sizeof(args), argv_ping, 1);
		c.args = (__u64)(unsigned long)args;
		vms[i].fd = ioctl(dev, DENALI_CREATE_VM, &c);
		if (vms[i].fd < 0)
			fail("VM %lu of %lu: %s: %s", i + 1, n,
			     strerror(errno), c.error);
		vms[i].id = c.id;
		if (ctl) {
			hand_over(vms[i].fd, c.id, i);
			vms[i].fd = -1;
		}
step:
		n_vms = i + 1;
		if (n_vms % step == 0 || n_vms == n) {
			printf("step,%lu,%.3f,%llu\n", n_vms, now_s() - t,
			       meminfo_kb("MemAvailable:"));
			fflush(stdout);
		}
	}
	t = now_s() - t;
	printf("create_s,%.3f\ncreate_per_s,%.1f\n", t, n / t);
	if (ctl)
		return 0;	/* live in their runners: the caller measures */

	if (run) {
		pthread_attr_init(&attr);
		/* A worker only calls DENALI_RUN: a small stack is plenty. */
		pthread_attr_setstacksize(&attr, 64 << 10);
		t = now_s();
		for (i = 0; i < n; i++)
			if (pthread_create(&vms[i].thread, &attr, runner,
					   &vms[i]))
				fail("thread %lu: %s", i, strerror(errno));
		for (i = 0; i < n; i++)
			if (!console_has(&vms[i], "mem: idle", 600000))
				fail("VM %u never said it was idle", vms[i].id);
		printf("run_to_idle_s,%.3f\n", now_s() - t);
	}

	during = meminfo_kb("MemAvailable:");
	printf("memavail_during_kb,%llu\n", during);
	printf("memavail_drop_kb,%lld\n", (long long)(before - during));
	printf("per_vm_all_in_bytes,%.0f\n", (before - during) * 1024.0 / n);
	printf("runner_rss_bytes_per_vm,%.0f\n", (double)self_rss_bytes() / n);
	if (run && !idle_and_ping(n, idle_secs))
		answered = -1;

	t = now_s();
	for (i = 0; i < n; i++) {
		if (run && denali_destroy_id(vms[i].id))
			fail("destroy VM %u: %s", vms[i].id, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		if (run)
			pthread_join(vms[i].thread, NULL);
		close(vms[i].fd);
	}
	printf("destroy_s,%.3f\n", now_s() - t);
	after = meminfo_kb("MemAvailable:");
	printf("memavail_after_kb,%llu\n", after);
	return answered < 0 ? 1 : 0;
usage:
	fprintf(stderr, "usage: density_bench [-n N] [-s STEP] [-m MIB] [-r] [-i SECS] [-f N] IMAGE\n       density_bench -a DENALICTL [-n N] [-s STEP] [-m MIB] IMAGE\n       density_bench -e [-P] [-i SECS]\n");
	return 2;
}
