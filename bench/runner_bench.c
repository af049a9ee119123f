// SPDX-License-Identifier: GPL-2.0
/*
 * runner_bench: what N idle VMs cost in one shared runner (issue 14,
 * item 3), beside one VM in a runner of its own.
 *
 *	build/bench/runner_bench [N [SECONDS]]	(default 1000 VMs, 10 s)
 *
 * The first VM is made by `denalictl create --runner bench-N`, the others
 * are made here and handed to that runner over its socket, as denalictl
 * does (pool.h).  Every VM idles for ever.  After a settling second, over
 * SECONDS: the runner's CPU time (utime + stime from /proc, in clock
 * ticks), the exits and DENALI_RUN calls of all N VMs (counts, real under
 * TCG too), and at the end the runner's threads and VmRSS, per VM.  The
 * same RSS for a classic runner (`denalictl create` without --runner,
 * one process per VM) is the comparison.
 *
 * Prints one line of CSV after a header:
 *	vms,seconds,runner_cpu_ms,exits,exits_per_s,runs,threads,
 *	runner_rss_kib,rss_per_vm_kib,classic_rss_kib
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "denali_util.h"
#include "guest_code.h"
#include "pool.h"

#define MEM	DENALI_GUEST_MEM_MIN

GUEST_CODE(idler_code,
	"1:	mov $4, %eax		# idle\n"
	"	mov $-1, %rdi		# DENALI_IDLE_FOREVER\n"
	"	int $0x1f\n"
	"	jmp 1b\n");

static char ctl[PATH_MAX + 32];

static void die(const char *what)
{
	fprintf(stderr, "runner_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* build/userspace/denalictl, beside our own build/bench/. */
static void find_denalictl(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		die("readlink /proc/self/exe");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(ctl, sizeof(ctl), "%s/../userspace/denalictl", exe);
}

/* `denalictl create [--runner R] IMG`: its "id N name X pid P" line. */
static int ctl_create(const char *runner, const char *name, int img,
		      unsigned int *id, int *pid)
{
	char cmd[PATH_MAX + 256], line[256];
	FILE *p;
	int ok = 0;

	snprintf(cmd, sizeof(cmd), "%s create %s%s --name %s --mem 1M /proc/%d/fd/%d",
		 ctl, runner ? "--runner " : "", runner ? runner : "", name,
		 (int)getpid(), img);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (!ok && sscanf(line, "id %u name %*s pid %d", id, pid) == 2)
			ok = 1;
	pclose(p);
	return ok ? 0 : -1;
}

/* A number from /proc/PID/status ("VmRSS:", "Threads:"). */
static long status_field(int pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = atol(line + strlen(field));
	fclose(f);
	return v;
}

/* utime + stime of @pid, in clock ticks. */
static unsigned long long cpu_ticks(int pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], line[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		p = strrchr(line, ')');
		/* After ')': state is field 3; utime, stime are 14 and 15. */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st) != 2)
			ut = st = 0;
	}
	fclose(f);
	return ut + st;
}

static void sum_stats(const int *fd, int n, unsigned long long *exits,
		      unsigned long long *runs)
{
	struct denali_stats st;
	int i;

	*exits = *runs = 0;
	for (i = 0; i < n; i++) {
		if (denali_get_stats(fd[i], &st))
			continue;
		*exits += denali_all_exits(&st);
		*runs += st.runs;
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int secs = argc > 2 ? atoi(argv[2]) : 10;
	unsigned long long t0, t1, e0, e1, r0, r1;
	char runner[32], name[32];
	int *fd, dev, img, i, s, err, pid, cpid;
	long rss, crss, threads, hz = sysconf(_SC_CLK_TCK);
	struct sockaddr_un sa;
	struct rlimit rl;
	socklen_t salen;
	unsigned int id;

	if (n < 1 || secs < 1) {
		fprintf(stderr, "usage: runner_bench [VMS [SECONDS]]\n");
		return 2;
	}
	if (denali_ensure_loaded())
		die("loading the module");
	find_denalictl();
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fd = calloc(n, sizeof(*fd));
	dev = open("/dev/denali", O_RDWR | O_CLOEXEC);
	img = denali_code_image(idler_code, GUEST_CODE_LEN(idler_code));
	if (!fd || dev < 0 || img < 0)
		die("setting up");
	/* denalictl opens the image by its /proc path: not close-on-exec. */
	fcntl(img, F_SETFD, 0);

	/* The comparison: one VM, one classic runner. */
	if (ctl_create(NULL, "bench-classic", img, &id, &cpid))
		die("denalictl create (classic)");
	sleep(1);
	crss = status_field(cpid, "VmRSS:");
	denali_vm_ref(dev, DENALI_DESTROY_VM, id);

	snprintf(runner, sizeof(runner), "bench-%d", n);
	if (ctl_create(runner, "bench-0", img, &id, &pid))
		die("denalictl create --runner");
	fd[0] = denali_vm_ref(dev, DENALI_OPEN_VM, id);
	salen = denali_pool_addr(runner, getuid(), &sa);
	for (i = 1; i < n; i++) {
		fd[i] = denali_create_on(dev, img, MEM, NULL, &id, NULL);
		if (fd[i] < 0) {
			errno = -fd[i];
			die("DENALI_CREATE_VM");
		}
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, salen))
			die("connecting to the runner");
		snprintf(name, sizeof(name), "bench-%d", i);
		err = denali_pool_send(s, fd[i], id, name, NULL);
		if (err) {
			errno = -err;
			die("handing a VM over");
		}
		close(s);
	}

	sleep(1);
	t0 = cpu_ticks(pid);
	sum_stats(fd, n, &e0, &r0);
	sleep(secs);
	t1 = cpu_ticks(pid);
	sum_stats(fd, n, &e1, &r1);
	rss = status_field(pid, "VmRSS:");
	threads = status_field(pid, "Threads:");

	printf("vms,seconds,runner_cpu_ms,exits,exits_per_s,runs,threads,runner_rss_kib,rss_per_vm_kib,classic_rss_kib\n");
	printf("%d,%d,%llu,%llu,%.3f,%llu,%ld,%ld,%.2f,%ld\n", n, secs,
	       (t1 - t0) * 1000 / hz, e1 - e0, (double)(e1 - e0) / secs,
	       r1 - r0, threads, rss, (double)rss / n, crss);

	kill(pid, SIGKILL);
	for (i = 0; i < n; i++)
		close(fd[i]);
	close(img);
	close(dev);
	return 0;
}
