// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: the operator's tool for Denali VMs, used the way `ip` is.
 *
 * One verb per invocation; each verb is one function below.  Every
 * failure is one line on stderr that says what went wrong and, where there
 * is one, what to do about it, and a non-zero exit status: 1 for an
 * operation that failed, 2 for a command line that was wrong.  `create
 * --foreground` exits as the VM did: with the guest's exit status, 0 when
 * it halted, 125 when it crashed (after a crash report on stderr), and
 * 130 when interrupted by SIGINT or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi.h"
#include "parse.h"
#include "report.h"
#include "uapi/denali.h"

#define DENALICTL_VERSION "0.1.0"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *progname = "denalictl";

/*
 * Open the control device, or explain in one line why it cannot be
 * opened; returns -1 after printing.
 */
static int open_control_device(void)
{
	int fd = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"%s: the denali module is not loaded (%s is missing); load it with 'insmod denali.ko' as root\n",
			progname, DENALI_DEVICE_PATH);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"%s: cannot open %s: permission denied (run as root or as a member of the device's group)\n",
			progname, DENALI_DEVICE_PATH);
		break;
	default:
		fprintf(stderr, "%s: cannot open %s: %s\n", progname,
			DENALI_DEVICE_PATH, strerror(errno));
	}
	return -1;
}

static int cmd_version(int argc, char **argv)
{
	struct denali_version v;
	char modver[sizeof(v.module_version) + 1];
	int fd;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "%s: version takes no arguments\n", progname);
		return 2;
	}
	printf("denalictl %s, ABI %d.%d\n", DENALICTL_VERSION,
	       DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	fflush(stdout);

	fd = open_control_device();
	if (fd < 0)
		return 1;
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, DENALI_GET_VERSION, &v) < 0) {
		fprintf(stderr, "%s: DENALI_GET_VERSION failed: %s\n",
			progname, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);

	denali_module_version_str(&v, modver, sizeof(modver));
	printf("denali.ko %s, ABI %u.%u\n", modver, v.abi_major, v.abi_minor);
	if (!denali_abi_compatible(DENALI_ABI_MAJOR, DENALI_ABI_MINOR,
				   v.abi_major, v.abi_minor)) {
		fprintf(stderr,
			"%s: the loaded module's ABI %u.%u cannot serve this tool's ABI %d.%d; use a denalictl built with the module\n",
			progname, v.abi_major, v.abi_minor, DENALI_ABI_MAJOR,
			DENALI_ABI_MINOR);
		return 1;
	}
	return 0;
}

/*
 * ---------------------------------------------------------------------
 * create --foreground: run a VM in this process.
 * ---------------------------------------------------------------------
 *
 * Two threads.  The main thread calls DENALI_RUN, which runs the guest
 * in the calling thread until the VM stops.  A console thread copies the
 * VM's console (read(2) on the VM fd) to stdout until end of file, which
 * the module signals once the VM has stopped and everything was read;
 * the main thread joins it before reporting, so the guest's last words
 * always come out before the tool's.
 *
 * SIGINT and SIGTERM must reach the main thread, because only a signal
 * pending in the thread inside DENALI_RUN makes the ioctl return (EINTR):
 * the console thread blocks them.  Their handler sets a flag, and the
 * loop ends when DENALI_RUN returns EINTR with the flag set.  One race is
 * left by that alone: a signal arriving just before the ioctl is entered
 * has already been handled, nothing is pending, and DENALI_RUN would run
 * a spinning guest forever.  So while the main thread is at or in the
 * ioctl, the handler leaves by siglongjmp() to the reporting code
 * instead of returning.  That is safe here: the code it abandons is the
 * ioctl call and nothing else.
 */

#define DEFAULT_MEM_SIZE	(16ull << 20)
#define EXIT_CRASHED		125
#define EXIT_INTERRUPTED	130

static sigjmp_buf run_jmp;
static atomic_int stop_signal;	/* SIGINT or SIGTERM once received */
static atomic_int in_run;	/* 1 while at or in DENALI_RUN */

static void on_stop_signal(int sig)
{
	atomic_store(&stop_signal, sig);
	if (atomic_load(&in_run)) {
		atomic_store(&in_run, 0);
		siglongjmp(run_jmp, 1);
	}
}

/*
 * Handle SIGINT and SIGTERM without SA_RESTART, so that DENALI_RUN (and
 * nothing else: the console thread blocks them) fails with EINTR.
 */
static int install_stop_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		fprintf(stderr, "%s: cannot handle SIGINT and SIGTERM: %s\n",
			progname, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Copy the console to stdout until end of file.  Should writing fail (a
 * full disk, a hung-up terminal), keep reading and discarding, so that
 * the VM still runs to its end and its stop is still reported.  A closed
 * pipe raises SIGPIPE and ends the tool, as it does any filter.
 */
static void *console_thread(void *arg)
{
	int fd = *(const int *)arg;
	bool stdout_ok = true;
	char buf[16384];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: cannot read the VM's console: %s\n",
				progname, strerror(errno));
			break;
		}
		if (stdout_ok && write_all(STDOUT_FILENO, buf, n))
			stdout_ok = false;
	}
	return NULL;
}

/*
 * Call DENALI_RUN until the VM stops.  Returns 0 with @run filled in,
 * EXIT_INTERRUPTED after a stop signal, or 1 after printing an error.
 * A function of its own so that no local of run_foreground() changes
 * between its sigsetjmp() and a siglongjmp() (such locals would have
 * undefined values afterwards).
 */
static int run_until_stopped(int vmfd, struct denali_run *run)
{
	for (;;) {
		int ret;

		memset(run, 0, sizeof(*run));
		atomic_store(&in_run, 1);
		/* A signal before in_run was set is seen here, after it. */
		if (atomic_load(&stop_signal))
			return EXIT_INTERRUPTED;
		ret = ioctl(vmfd, DENALI_RUN, run);
		atomic_store(&in_run, 0);
		if (!ret)
			return 0;
		if (errno != EINTR) {
			fprintf(stderr, "%s: DENALI_RUN failed: %s\n", progname,
				strerror(errno));
			return 1;
		}
		if (atomic_load(&stop_signal))
			return EXIT_INTERRUPTED;
		/* Another signal (SIGWINCH, SIGCHLD...): run on. */
	}
}

/* Run the VM on @vmfd to its end; returns denalictl's exit status. */
static int run_foreground(int vmfd, const char *name, unsigned int id)
{
	/*
	 * Static: the console thread keeps using console_fd's address even
	 * when this function returns without joining it (interrupted), and
	 * run is filled in after the sigsetjmp() below, which a local must
	 * not be.
	 */
	static struct denali_run run;
	static int console_fd;
	pthread_t console;
	sigset_t stop, old;
	int ret;

	if (install_stop_handlers())
		return 1;

	/* The console thread inherits a mask with both signals blocked. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	console_fd = vmfd;
	ret = pthread_create(&console, NULL, console_thread, &console_fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		fprintf(stderr, "%s: cannot start the console thread: %s\n",
			progname, strerror(ret));
		return 1;
	}

	if (sigsetjmp(run_jmp, 1))
		ret = EXIT_INTERRUPTED;
	else
		ret = run_until_stopped(vmfd, &run);
	if (ret == EXIT_INTERRUPTED) {
		/* The VM has not stopped: its console never ends; no join. */
		fprintf(stderr, "%s: interrupted\n", progname);
		return EXIT_INTERRUPTED;
	}
	if (ret)
		return ret;

	pthread_join(console, NULL);
	switch (run.reason) {
	case DENALI_STOP_EXIT:
		return run.exit_status & 0xff;
	case DENALI_STOP_HALT:
		fprintf(stderr, "%s: VM %s halted\n", progname, name);
		return 0;
	case DENALI_STOP_CRASH:
		denali_print_crash(stderr, progname, name, id, &run.crash);
		return EXIT_CRASHED;
	default:
		fprintf(stderr,
			"%s: VM %s stopped for a reason this tool does not know (%u); use a denalictl built with the module\n",
			progname, name, run.reason);
		return 1;
	}
}

/*
 * Open the guest image for the module to read, or explain why not in
 * one line; returns -1 after printing.  Only a regular file will do: a
 * directory opens fine but reads fail obscurely in the module, and a FIFO
 * or device could block it.
 */
static int open_image(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open image '%s': %s\n", progname,
			path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		fprintf(stderr, "%s: cannot open image '%s': %s\n", progname,
			path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: cannot use image '%s': %s\n", progname,
			path, S_ISDIR(st.st_mode) ? "it is a directory" :
			"it is not a regular file");
		close(fd);
		return -1;
	}
	return fd;
}

/* Check a --mem value; returns 0 and sets *@mem, or prints and -1. */
static int parse_mem_option(const char *arg, unsigned long long *mem)
{
	int ret = parse_size(arg, mem);

	if (ret == -ERANGE) {
		fprintf(stderr, "%s: --mem '%s': too large\n", progname, arg);
		return -1;
	}
	if (ret) {
		fprintf(stderr,
			"%s: --mem '%s': not a size (give bytes, or a number with K, M or G)\n",
			progname, arg);
		return -1;
	}
	if (*mem < DENALI_GUEST_MEM_MIN || *mem % DENALI_GUEST_PAGE_SIZE) {
		fprintf(stderr,
			"%s: --mem '%s': guest memory must be a multiple of 4K and at least 1M\n",
			progname, arg);
		return -1;
	}
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct denali_create_vm create;
	unsigned long long mem = DEFAULT_MEM_SIZE;
	const char *name = NULL, *image;
	char vm_name[DENALI_NAME_MAX + 16];
	bool foreground = false;
	int opt, imgfd, ctlfd, vmfd, status;

	/* Leading ':': report a missing argument as ':', not '?'. */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_mem_option(optarg, &mem))
				return 2;
			break;
		case 'n':
			if (!valid_vm_name(optarg)) {
				fprintf(stderr,
					"%s: --name '%s': a VM name is 1 to 31 letters, digits, '.', '_' or '-'\n",
					progname, optarg);
				return 2;
			}
			name = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case ':':
			fprintf(stderr, "%s: create: %s needs a value\n",
				progname, argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr,
				"%s: create: unknown option %s (try '%s help')\n",
				progname, argv[optind - 1], progname);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"%s: create takes exactly one IMAGE (usage: %s create IMAGE [--mem SIZE] [--name NAME] --foreground)\n",
			progname, progname);
		return 2;
	}
	image = argv[optind];
	if (!foreground) {
		fprintf(stderr,
			"%s: create without --foreground is not available yet; use --foreground\n",
			progname);
		return 2;
	}

	imgfd = open_image(image);
	if (imgfd < 0)
		return 1;
	ctlfd = open_control_device();
	if (ctlfd < 0) {
		close(imgfd);
		return 1;
	}

	memset(&create, 0, sizeof(create));
	create.mem_size = mem;
	create.image_fd = imgfd;
	if (name)
		memcpy(create.name, name, strlen(name) + 1);
	vmfd = ioctl(ctlfd, DENALI_CREATE_VM, &create);
	status = errno;
	close(ctlfd);
	close(imgfd);
	if (vmfd < 0) {
		size_t n = strnlen(create.error, sizeof(create.error));

		/* The module's sentence says more than errno can. */
		if (n)
			fprintf(stderr, "%s: cannot create VM: %.*s\n",
				progname, (int)n, create.error);
		else
			fprintf(stderr, "%s: cannot create VM: %s\n", progname,
				strerror(status));
		return 1;
	}

	/* Without --name the module calls the VM "vm<id>". */
	if (name)
		snprintf(vm_name, sizeof(vm_name), "%s", name);
	else
		snprintf(vm_name, sizeof(vm_name), "vm%u", create.id);
	status = run_foreground(vmfd, vm_name, create.id);
	close(vmfd);
	return status;
}

static int cmd_help(int argc, char **argv);

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
	/* Lines describing the options, or NULL. */
	const char * const *options;
};

static const char * const create_options[] = {
	"--mem SIZE      guest memory: bytes, or a number with K, M or G",
	"                (powers of 1024); a multiple of 4K, at least 1M;",
	"                default 16M",
	"--name NAME     1 to 31 letters, digits, '.', '_' or '-';",
	"                default vm<id>",
	"--foreground    run the VM in this process, its console on stdout,",
	"                until it stops; exit with the guest's status (0 if",
	"                it halted, 125 if it crashed, 130 if interrupted);",
	"                required for now",
	NULL
};

static const struct verb verbs[] = {
	{ "version", cmd_version, "version",
	  "print this tool's and the loaded module's versions", NULL },
	{ "create", cmd_create,
	  "create IMAGE [--mem SIZE] [--name NAME] --foreground",
	  "run the guest ELF image IMAGE in a new VM", create_options },
	{ "help", cmd_help, "help", "print this help", NULL },
};

static void print_usage(FILE *out)
{
	const char * const *opt;
	size_t i;

	fprintf(out, "usage: %s VERB [ARGS...]\n\nverbs:\n", progname);
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		/* A usage too long for its column gets a line of its own. */
		if (strlen(verbs[i].usage) > 24)
			fprintf(out, "  %s\n  %-24s %s\n", verbs[i].usage, "",
				verbs[i].summary);
		else
			fprintf(out, "  %-24s %s\n", verbs[i].usage,
				verbs[i].summary);
		for (opt = verbs[i].options; opt && *opt; opt++)
			fprintf(out, "      %s\n", *opt);
	}
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);

	fprintf(stderr, "%s: unknown verb '%s' (try '%s help')\n", progname,
		argv[1], progname);
	return 2;
}
