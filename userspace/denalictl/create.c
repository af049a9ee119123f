// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl create: make a VM from a guest image and run it, either in a
 * runner process of its own that outlives the command (the default; see
 * runner.c) or, with --foreground, in this process with the console on
 * stdout until the VM stops.  Words after "--" become the guest's boot
 * arguments (its argv, with libilwaco), the same in either mode.  With
 * --runner NAME the VM goes to a runner shared by many VMs (pool.c).
 *
 * Exit statuses of create --foreground are the VM's: the guest's exit
 * status, 0 when it halted, 125 when it crashed (after a crash report on
 * stderr), 130 when interrupted by SIGINT or SIGTERM, 137 when the VM was
 * destroyed from outside (as for a process killed with SIGKILL); 1 and 2
 * as for every verb.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denalictl.h"
#include "parse.h"
#include "report.h"

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
#define EXIT_DESTROYED		137

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
			return EXIT_FAILED;
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
		return EXIT_FAILED;

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
		return EXIT_FAILED;
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
	case DENALI_STOP_DESTROYED:
		fprintf(stderr, "%s: VM %s was destroyed\n", progname, name);
		return EXIT_DESTROYED;
	default:
		fprintf(stderr,
			"%s: VM %s stopped for a reason this tool does not know (%u); use a denalictl built with the module\n",
			progname, name, run.reason);
		return EXIT_FAILED;
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

/*
 * Boot arguments: everything after the first "--" (`create IMAGE
 * [OPTIONS] -- ARGS...`), which may look like options themselves.
 * Returns the index of that "--", or @argc when there is none.  The
 * options are parsed only before it: getopt_long() given the shorter
 * argc neither permutes nor interprets a boot argument, and an option
 * whose value would have been the "--" is simply missing its value.
 */
static int boot_args_start(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return i;
	return argc;
}

/*
 * Pack @argc boot arguments into @buf (DENALI_ARGS_MAX bytes), or say
 * precisely why they do not fit; returns 0, or EXIT_USAGE after one line.
 */
static int pack_args_option(int argc, char **argv, char *buf, size_t *len)
{
	if (!pack_boot_args(argc, argv, buf, DENALI_ARGS_MAX, len))
		return 0;
	fprintf(stderr,
		"%s: create: the boot arguments take %zu bytes with their NULs, %zu more than the %d a VM can have\n",
		progname, *len, *len - DENALI_ARGS_MAX, DENALI_ARGS_MAX);
	return EXIT_USAGE;
}

/*
 * Whether the module behind @ctlfd predates boot arguments (ABI 0.3),
 * in which case it refuses them as a reserved field that is not zero.
 */
static bool module_lacks_boot_args(int ctlfd)
{
	struct denali_version v;

	memset(&v, 0, sizeof(v));
	if (ioctl(ctlfd, DENALI_GET_VERSION, &v))
		return false;
	return v.abi_major == DENALI_ABI_MAJOR && v.abi_minor < 3;
}

/*
 * Make the VM, with @args_len bytes of boot arguments at @args; returns
 * its fd, or -1 after printing why not.
 */
static int create_vm(int ctlfd, int imgfd, unsigned long long mem,
		     __u32 flags, const char *name, const char *args, size_t args_len,
		     const struct nic_spec *nics, unsigned int nnics,
		     unsigned int *id)
{
	struct denali_nic_config cfg[DENALI_NIC_MAX];
	struct denali_create_vm create;
	unsigned int i;
	int vmfd, err;

	memset(cfg, 0, sizeof(cfg));
	for (i = 0; i < nnics; i++) {
		memcpy(cfg[i].ifname, nics[i].ifname, sizeof(cfg[i].ifname));
		if (nics[i].sw[0]) {
			cfg[i].flags |= DENALI_NIC_SWITCH;
			memcpy(cfg[i].switch_name, nics[i].sw,
			       sizeof(cfg[i].switch_name));
		}
		if (nics[i].has_mac) {
			cfg[i].flags |= DENALI_NIC_MAC;
			memcpy(cfg[i].mac, nics[i].mac, 6);
		}
	}

	memset(&create, 0, sizeof(create));
	create.mem_size = mem;
	create.flags = flags;
	create.image_fd = imgfd;
	if (name)
		memcpy(create.name, name, strlen(name) + 1);
	if (args_len) {
		create.args = (uintptr_t)args;
		create.args_len = args_len;
	}
	if (nnics) {
		create.nics = (uintptr_t)cfg;
		create.nic_count = nnics;
	}
	vmfd = ioctl(ctlfd, DENALI_CREATE_VM, &create);
	err = errno;
	if (vmfd < 0) {
		size_t n = strnlen(create.error, sizeof(create.error));

		if (args_len && err == EINVAL &&
		    module_lacks_boot_args(ctlfd))
			fprintf(stderr,
				"%s: cannot create VM: the loaded module does not take boot arguments; load the denali.ko built with this tool (ABI %d.%d)\n",
				progname, DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
		/* The module's sentence says more than errno can. */
		else if (n)
			fprintf(stderr, "%s: cannot create VM: %.*s\n",
				progname, (int)n, create.error);
		else
			fprintf(stderr, "%s: cannot create VM: %s\n", progname,
				strerror(err));
		return -1;
	}
	*id = create.id;
	return vmfd;
}

/*
 * Attach each NIC that asked for a bridge; on failure destroy the VM, so
 * nothing is left half-made.  0, or EXIT_FAILED after saying why.
 */
static int attach_nics(int ctlfd, int vmfd, unsigned int id,
		       const struct nic_spec *nics, unsigned int nnics)
{
	struct denali_vm_ref ref;
	char ifname[16], err[256];
	unsigned int i;

	for (i = 0; i < nnics; i++) {
		if (!nics[i].bridge[0])
			continue;
		/* The module's default names (docs/ABI.md). */
		if (nics[i].ifname[0])
			snprintf(ifname, sizeof(ifname), "%s", nics[i].ifname);
		else if (i)
			snprintf(ifname, sizeof(ifname), "dn%un%u", id, i);
		else
			snprintf(ifname, sizeof(ifname), "dn%u", id);
		if (attach_to_bridge(ifname, nics[i].bridge, err,
				     sizeof(err))) {
			fprintf(stderr, "%s: --nic %u: %s; VM %u destroyed\n",
				progname, i, err, id);
			memset(&ref, 0, sizeof(ref));
			ref.id = id;
			ioctl(ctlfd, DENALI_DESTROY_VM, &ref);
			close(vmfd);
			return EXIT_FAILED;
		}
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "prealloc", no_argument, NULL, 'p' },
		{ "nic", required_argument, NULL, 'N' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "runner", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct nic_spec nics[DENALI_NIC_MAX];
	unsigned int nnics = 0;
	char nic_err[200];
	/* Static: 2K is a lot for a stack frame that does nothing else. */
	static char args[DENALI_ARGS_MAX];
	unsigned long long mem = DEFAULT_MEM_SIZE;
	const char *name = NULL, *image, *runner = NULL;
	char vm_name[DENALI_NAME_MAX + 16];
	bool foreground = false;
	__u32 flags = 0;
	int opt, imgfd, ctlfd, vmfd, status, nopts;
	unsigned int id;
	size_t args_len = 0;

	nopts = boot_args_start(argc, argv);
	/* Leading ':': report a missing argument as ':', not '?'. */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(nopts, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_mem_option(optarg, &mem))
				return EXIT_USAGE;
			break;
		case 'n':
			if (!valid_vm_name(optarg)) {
				fprintf(stderr,
					"%s: --name '%s': a VM name is 1 to 31 letters, digits, '.', '_' or '-'\n",
					progname, optarg);
				return EXIT_USAGE;
			}
			name = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'r':
			if (!valid_vm_name(optarg)) {
				fprintf(stderr,
					"%s: --runner '%s': a runner name is 1 to 31 letters, digits, '.', '_' or '-'\n",
					progname, optarg);
				return EXIT_USAGE;
			}
			runner = optarg;
			break;
		case 'p':
			flags |= DENALI_CREATE_PREALLOC;
			break;
		case 'N':
		case 'b':
			if (nnics == DENALI_NIC_MAX) {
				fprintf(stderr, "%s: at most %d NICs (--nic, --bridge)\n",
					progname, DENALI_NIC_MAX);
				return EXIT_USAGE;
			}
			if (opt == 'b') {
				snprintf(nic_err, sizeof(nic_err), "bridge=%s",
					 optarg);
				if (parse_nic_spec(nic_err, &nics[nnics], nic_err,
						   sizeof(nic_err))) {
					fprintf(stderr, "%s: --bridge '%s': %s\n",
						progname, optarg, nic_err);
					return EXIT_USAGE;
				}
			} else if (parse_nic_spec(optarg, &nics[nnics], nic_err,
						  sizeof(nic_err))) {
				fprintf(stderr, "%s: --nic '%s': %s\n", progname,
					optarg, nic_err);
				return EXIT_USAGE;
			}
			nnics++;
			break;
		default:
			return bad_option("create", opt, argv);
		}
	}
	if (nopts - optind != 1) {
		fprintf(stderr,
			"%s: create takes exactly one IMAGE, before any '--' (usage: %s create IMAGE [--mem SIZE] [--name NAME] [--nic SPEC]... [--bridge BR] [--foreground | --runner NAME] [-- ARGS...])\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (foreground && runner) {
		fprintf(stderr, "%s: --runner and --foreground exclude each other: a VM runs in this process or in a runner\n",
			progname);
		return EXIT_USAGE;
	}
	image = argv[optind];
	if (nopts < argc &&
	    pack_args_option(argc - nopts - 1, argv + nopts + 1, args,
			     &args_len))
		return EXIT_USAGE;

	imgfd = open_image(image);
	if (imgfd < 0)
		return EXIT_FAILED;
	ctlfd = open_control_device();
	if (ctlfd < 0) {
		close(imgfd);
		return EXIT_FAILED;
	}
	vmfd = create_vm(ctlfd, imgfd, mem, flags, name, args, args_len, nics, nnics,
			 &id);
	close(imgfd);
	if (vmfd < 0) {
		close(ctlfd);
		return EXIT_FAILED;
	}
	if (attach_nics(ctlfd, vmfd, id, nics, nnics)) {
		close(ctlfd);
		return EXIT_FAILED;
	}

	/* Without --name the module calls the VM "vm<id>". */
	if (name)
		snprintf(vm_name, sizeof(vm_name), "%s", name);
	else
		snprintf(vm_name, sizeof(vm_name), "vm%u", id);

	if (runner)
		/* Hands vmfd to the shared runner and closes it here. */
		return pool_hand_over(ctlfd, vmfd, vm_name, id, runner);
	if (!foreground)
		/* Hands vmfd to the runner and closes it here. */
		return start_runner(ctlfd, vmfd, vm_name, id);

	close(ctlfd);
	status = run_foreground(vmfd, vm_name, id);
	close(vmfd);
	return status;
}
