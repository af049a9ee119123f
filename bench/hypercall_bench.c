// SPDX-License-Identifier: GPL-2.0
/*
 * The null-hypercall round trip beside the null Linux system call, in one
 * process and one boot: the Denali paper's first microbenchmark.  A
 * hypercall that does nothing costs exactly one world switch out of the
 * guest and one back in, so it is the figure every other guest operation
 * builds on; a getppid that does nothing is Linux's equivalent for a
 * process, and the ratio of the two says what running a program as a
 * Denali guest costs over running it as a process.
 *
 * It loads denali.ko if needed, then prints CSV lines (see bench_clock.h
 * and bench/README.md):
 *   null_hypercall                 the round trip as shipped
 *   null_hypercall_no_neutralize   the same with the module parameter
 *                                  neutralize_syscall=0, i.e. without the
 *                                  EFER/SYSENTER_CS writes around each run
 *   getppid                        the null syscall in this process
 *   getppid_static                 the same in a static program,
 *                                  getppid_static, run from here
 * It exits non-zero with one line on stderr when the module cannot be
 * loaded, or a guest does not exit with status 0: a broken round trip
 * must not pass for a fast one.
 */
#include <sched.h>
#include <stdarg.h>

#include "denali_util.h"
#include "bench_clock.h"

#define NEUTRALIZE_PARAM "/sys/module/denali/parameters/neutralize_syscall"

/*
 * The guest, raw code at DENALI_GUEST_IMAGE_BASE: N null hypercalls, then
 * exit(0).  ECX counts because hypercalls preserve every register but RAX.
 *
 *	mov	$N, %ecx	b9 NN NN NN NN	(N, little-endian; patched in)
 * 1:	mov	$3, %eax	b8 03 00 00 00	(DENALI_HC_NULL)
 *	int	$0x1f		cd 1f
 *	dec	%ecx		ff c9
 *	jnz	1b		75 f5		(-11: back to 1)
 *	mov	$1, %eax	b8 01 00 00 00	(DENALI_HC_EXIT)
 *	xor	%edi, %edi	31 ff		(status 0)
 *	int	$0x1f		cd 1f
 */
static const unsigned char guest_code[] = {
	0xb9, 0x00, 0x00, 0x00, 0x00,
	0xb8, 0x03, 0x00, 0x00, 0x00,
	0xcd, 0x1f,
	0xff, 0xc9,
	0x75, 0xf5,
	0xb8, 0x01, 0x00, 0x00, 0x00,
	0x31, 0xff,
	0xcd, 0x1f,
};

#define GUEST_N_OFFSET	1

/* Whether we changed neutralize_syscall and must set it back to 1. */
static int param_changed;

static void param_write_quiet(int on);

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "hypercall_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* Never leave the host with syscall neutralization off. */
	if (param_changed)
		param_write_quiet(1);
	exit(1);
}

/* neutralize_syscall: 1 or 0, or -1 when it cannot be read. */
static int param_read(void)
{
	char c = 0;
	int fd = open(NEUTRALIZE_PARAM, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	if (c == 'Y' || c == '1')
		return 1;
	if (c == 'N' || c == '0')
		return 0;
	return -1;
}

/*
 * 0, or -errno.  neutralize_syscall is read-only while the module is
 * loaded (a half-updated pair of MSRs is never wanted), so a change
 * reloads the module with the new value; no VM may exist meanwhile.
 */
static int param_write(int on)
{
	char params[32];
	int ret, i;

	if (param_read() == on)
		return 0;
	for (i = 0; i < 100; i++) {
		ret = denali_unload_module();
		if (ret != -EAGAIN && ret != -EBUSY && ret != -EWOULDBLOCK)
			break;
		usleep(10000);
	}
	if (ret)
		return ret;
	snprintf(params, sizeof(params), "neutralize_syscall=%d", on);
	ret = denali_load_module_with(params);
	if (!ret && param_read() != on)
		ret = -EIO;
	return ret;
}

static void param_write_quiet(int on)
{
	if (param_write(on))
		fprintf(stderr, "hypercall_bench: could not set %s back to %d\n",
			NEUTRALIZE_PARAM, on);
}

static void param_set(int on)
{
	int ret = param_write(on);

	if (ret)
		fail("cannot write %d to %s: %s", on, NEUTRALIZE_PARAM,
		     strerror(-ret));
	param_changed = !on;
}

/*
 * The module beside this program in the build tree:
 * build/bench/../kernel/<release>/denali.ko.  denali_ensure_loaded()
 * takes it from $DENALI_KO, which a caller may also set itself.
 */
static void load_module(void)
{
	int ret;

	bench_default_module();
	ret = denali_ensure_loaded();
	if (ret)
		fail("cannot load denali.ko (%s): %s", getenv("DENALI_KO"),
		     strerror(-ret));
	if (access(DENALI_DEVICE_PATH, R_OK | W_OK))
		fail("denali.ko is loaded but %s is not usable: %s",
		     DENALI_DEVICE_PATH, strerror(errno));
}

static void check_stop(const struct denali_run *run, unsigned long n)
{
	const struct denali_crash *c = &run->crash;

	if (run->reason == DENALI_STOP_EXIT && run->exit_status == 0)
		return;
	if (run->reason == DENALI_STOP_EXIT)
		fail("guest (N=%lu) exited with status %d, not 0", n,
		     run->exit_status);
	if (run->reason == DENALI_STOP_CRASH)
		fail("guest (N=%lu) crashed: %.64s (vector %u, error code %#llx, rip %#llx, rcx %#llx)",
		     n, c->description, c->vector,
		     (unsigned long long)c->error_code,
		     (unsigned long long)c->regs.rip,
		     (unsigned long long)c->regs.rcx);
	fail("guest (N=%lu) stopped with reason %u, not an exit", n,
	     run->reason);
}

/*
 * One guest of @n hypercalls, from a fresh VM (a stopped VM stays
 * stopped).  Only DENALI_RUN is timed: creating the VM and loading its
 * image are not part of a round trip.
 */
static void hypercall_run(unsigned long n, struct bench_sample *s)
{
	unsigned char code[sizeof(guest_code)];
	struct denali_run run;
	uint32_t n32 = n;
	int vm, ret;

	memcpy(code, guest_code, sizeof(code));
	memcpy(code + GUEST_N_OFFSET, &n32, sizeof(n32));
	vm = denali_create_code(code, sizeof(code), DENALI_GUEST_MEM_MIN);
	if (vm < 0)
		fail("cannot create the guest VM: %s", strerror(-vm));

	bench_start(s);
	/* A signal interrupts DENALI_RUN; calling again resumes the guest. */
	do {
		ret = denali_run(vm, &run);
	} while (ret == -EINTR);
	bench_stop(s);

	close(vm);
	if (ret)
		fail("DENALI_RUN (N=%lu): %s", n, strerror(-ret));
	check_stop(&run, n);
}

struct hc_result {
	struct bench_sample many, one;
};

/*
 * The best of @reps runs of @n and of 1 hypercalls, for each value of
 * neutralize_syscall in @modes (1, then 0 when @nmodes is 2).  The modes
 * alternate inside each repetition rather than one after the other, so
 * slow drift in the machine (QEMU's translation cache warming, the host
 * getting busier) weighs on both alike.
 */
static void measure_hypercalls(unsigned long n, unsigned int reps,
			       const int *modes, int nmodes,
			       struct hc_result *res)
{
	struct bench_sample s;
	unsigned int i;
	int m;

	for (m = 0; m < nmodes; m++) {
		bench_reset(&res[m].many);
		bench_reset(&res[m].one);
	}
	for (i = 0; i < reps; i++) {
		for (m = 0; m < nmodes; m++) {
			if (nmodes > 1)
				param_set(modes[m]);
			hypercall_run(n, &s);
			bench_keep_min(&res[m].many, &s);
			hypercall_run(1, &s);
			bench_keep_min(&res[m].one, &s);
		}
	}
	if (nmodes > 1)
		param_set(1);
}

/* Run getppid_static, which sits beside this program, with our options. */
static void run_static(const struct bench_opts *o)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], n[24], reps[16];
	char *argv[10] = { path, "-n", n, "-r", reps, "-l", (char *)o->lane,
			 "-c", (char *)o->mode, NULL };
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	pid_t pid;
	int status;

	if (len < 0)
		fail("readlink /proc/self/exe: %s", strerror(errno));
	exe[len] = '\0';
	snprintf(path, sizeof(path), "%s/getppid_static", dirname(exe));
	snprintf(n, sizeof(n), "%lu", o->n);
	snprintf(reps, sizeof(reps), "%u", o->reps);

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		execv(path, argv);
		fprintf(stderr, "hypercall_bench: cannot run %s: %s\n", path,
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("%s failed (wait status %#x)", path, status);
}

int main(int argc, char **argv)
{
	static const int both[] = { 1, 0 };
	struct hc_result hc[2];
	struct bench_sample gp_many, gp_one, warm;
	struct bench_opts o;
	struct utsname u;
	int param, nmodes = 2;

	if (bench_parse(argc, argv, &o))
		return 2;
	if (geteuid())
		fail("needs root, to load denali.ko and open %s",
		     DENALI_DEVICE_PATH);
	/* Says the machine got this far, should it die or hang later. */
	fprintf(stderr, "hypercall_bench: measuring on %s (%s), N=%lu, best of %u\n",
		o.lane, o.mode, o.n, o.reps);
	bench_pin_to_this_cpu();
	load_module();

	/*
	 * null_hypercall is the module as shipped, neutralization on.  A
	 * parameter we cannot write still lets that be measured, provided
	 * it is on.
	 */
	param = param_read();
	if (param_write(1)) {
		if (param == 0)
			fail("%s is 0 and cannot be set to 1", NEUTRALIZE_PARAM);
		nmodes = 1;
		printf("# %s: %s is not writable, null_hypercall_no_neutralize skipped\n",
		       o.lane, NEUTRALIZE_PARAM);
	}

	/* First use of the module's and QEMU's code paths, not timed. */
	hypercall_run(2, &warm);
	bench_getppid_loop(2);

	measure_hypercalls(o.n, o.reps, both, nmodes, hc);
	bench_getppid(o.n, o.reps, &gp_many, &gp_one);

	if (uname(&u))
		strcpy(u.release, "?");
	printf("# %s: kernel %s, clock_mode %s, N=%lu, best of %u; best N=1 run (one null hypercall, then exit): %llu ns, %llu tsc\n",
	       o.lane, u.release, o.mode, o.n, o.reps,
	       (unsigned long long)hc[0].one.ns,
	       (unsigned long long)hc[0].one.tsc);
	printf("%s\n", BENCH_CSV_HEADER);
	bench_print(o.lane, o.mode, "null_hypercall", o.n, &hc[0].many,
		    &hc[0].one);
	if (nmodes == 2)
		bench_print(o.lane, o.mode, "null_hypercall_no_neutralize",
			    o.n, &hc[1].many, &hc[1].one);
	bench_print(o.lane, o.mode, "getppid", o.n, &gp_many, &gp_one);
	run_static(&o);
	bench_drain_stdout();
	return 0;
}
