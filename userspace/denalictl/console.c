// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl console: a VM's console output, from a VM file of our own
 * (DENALI_OPEN_VM).  Each file reads the console from its own position,
 * starting at the oldest byte the module still keeps, so this takes
 * nothing away from the runner or from another `console`.
 *
 * Without -f it prints what is there now and returns, which is what a
 * script wants; with -f it keeps printing, like `tail -f`, until the VM
 * stops (read returns end of file) or the user interrupts.
 *
 * One more way -f must end: the runner going away without the VM having
 * stopped (it was killed).  The VM then lives on only through our own
 * file and would never stop, so we would wait forever while keeping it
 * alive and listed.  So -f also watches the runner, through a pidfd, and
 * stops when the runner does; closing our file then frees the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "denalictl.h"

/*
 * Copy what @vmfd (non-blocking) has now to stdout.  Returns 1 at end of
 * file, 0 when there is no more for now, -1 after explaining an error.
 */
static int copy_console(int vmfd, const char *name)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(vmfd, buf, sizeof(buf));

		if (n == 0)
			return 1;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			fprintf(stderr, "%s: cannot read the console of VM %s: %s\n",
				progname, name, strerror(errno));
			return -1;
		}
		if (write_all(STDOUT_FILENO, buf, n)) {
			fprintf(stderr, "%s: cannot write the console out: %s\n",
				progname, strerror(errno));
			return -1;
		}
	}
}

/*
 * A pidfd for the VM's runner, or -1 when there is none to watch: no
 * runner yet, or pidfds not supported (Linux before 5.3), in which case
 * -f follows the console alone.  -2 if the runner is gone already.
 */
static int watch_runner(const struct denali_vm_info *vm)
{
	int fd;

	if (vm->runner_pid <= 0)
		return -1;
	fd = syscall(SYS_pidfd_open, vm->runner_pid, 0);
	if (fd < 0 && errno == ESRCH)
		return -2;
	return fd < 0 ? -1 : fd;
}

/* Print until end of file or until the runner goes; 0 or EXIT_FAILED. */
static int follow(int vmfd, int pidfd, const char *name)
{
	struct pollfd pfd[2] = {
		{ .fd = vmfd, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	int ret;

	for (;;) {
		ret = copy_console(vmfd, name);
		if (ret)
			return ret < 0 ? EXIT_FAILED : 0;
		if (poll(pfd, pidfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll: %s\n", progname,
				strerror(errno));
			return EXIT_FAILED;
		}
		/* The runner is gone: what the console holds, then stop. */
		if (pidfd >= 0 && (pfd[1].revents & POLLIN))
			return copy_console(vmfd, name) < 0 ? EXIT_FAILED : 0;
	}
}

int cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct denali_vm_info vm;
	char name[DENALI_NAME_MAX];
	bool follow_it = false;
	int opt, ctlfd, vmfd, pidfd = -1, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f", longopts, NULL)) != -1) {
		if (opt != 'f')
			return bad_option("console", opt, argv);
		follow_it = true;
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"%s: console takes one ID or NAME (usage: %s console ID|NAME [-f])\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (check_vm_arg(argv[optind]))
		return EXIT_USAGE;

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	ret = find_vm(ctlfd, argv[optind], &vm);
	if (ret) {
		close(ctlfd);
		return ret;
	}
	/* Watch the runner before opening: it may go in between. */
	if (follow_it)
		pidfd = watch_runner(&vm);
	vmfd = open_vm(ctlfd, &vm);
	close(ctlfd);
	if (vmfd < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return EXIT_FAILED;
	}
	vm_label(&vm, name, sizeof(name));

	/*
	 * Non-blocking either way: without -f, EAGAIN means "that was
	 * all"; with -f, poll() does the waiting, so that the runner can be
	 * watched at the same time.
	 */
	if (fcntl(vmfd, F_SETFL, fcntl(vmfd, F_GETFL) | O_NONBLOCK)) {
		fprintf(stderr, "%s: cannot read the console of VM %s: %s\n",
			progname, name, strerror(errno));
		ret = EXIT_FAILED;
	} else if (!follow_it || pidfd == -2) {
		ret = copy_console(vmfd, name) < 0 ? EXIT_FAILED : 0;
	} else {
		ret = follow(vmfd, pidfd, name);
	}
	if (pidfd >= 0)
		close(pidfd);
	close(vmfd);
	return ret;
}
