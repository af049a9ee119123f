// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl console: a VM's console, from a VM file of our own
 * (DENALI_OPEN_VM): its output printed, our stdin sent to it as input.
 * Each file reads the output from its own position, starting at the
 * oldest byte the module still keeps, so this takes nothing away from the
 * runner or from another `console`.
 *
 * Output.  Without -f it prints what is there now and returns, which is
 * what a script wants; with -f it keeps printing, like `tail -f`, until
 * the VM stops (read returns end of file) or the user interrupts.
 *
 * Input.  What stdin is decides what happens to it, so that a script
 * started from a terminal behaves as it would anywhere else:
 *  - a pipe or a file: sent to the VM until end of file, output printed
 *    meanwhile; then -f keeps following, and without -f the tool prints
 *    what is there and returns, as it would have with no input;
 *  - a terminal, with -f, and we in its foreground: an interactive
 *    session.  The terminal goes raw-ish (no echo, no line editing, no
 *    signal keys: Ctrl-C is the guest's), each key is sent as typed,
 *    and Ctrl-] (CONSOLE_ESCAPE) detaches, as in telnet and virsh
 *    console.  The terminal's settings come back on every way out,
 *    signals included;
 *  - a terminal otherwise (no -f, or we are a background job): not
 *    read, as before console input existed;
 *  - -n: not read, whatever it is (as ssh -n), for scripts whose stdin
 *    is a pipe that never ends.
 * Input waits for the guest: the module queues at most
 * DENALI_CONSOLE_INPUT_BYTES unread, so a write may be short or find no
 * room (EAGAIN: we poll for POLLOUT, still printing output).  Once the
 * VM has stopped, writes fail with EPIPE, which ends the input quietly:
 * the output then runs to its end.
 *
 * One more way to end: the runner going away without the VM having
 * stopped (it was killed).  The VM then lives on only through our own
 * file and would never stop, so following it (or waiting for room for
 * input) would wait forever while keeping it alive and listed.  So we
 * watch the runner through a pidfd, and stop when the runner does;
 * closing our file then frees the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "denalictl.h"
#include "parse.h"

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

/*
 * ---------------------------------------------------------------------
 * The terminal of an interactive session.
 * ---------------------------------------------------------------------
 */

static struct termios saved_tty;
/* Atomic: read by the signal handler that restores the terminal. */
static atomic_int tty_raw;

/* Put the terminal back as it was; safe in a signal handler. */
static void restore_tty(void)
{
	/* Cleared after, not before: restoring twice does no harm. */
	if (atomic_load(&tty_raw)) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		atomic_store(&tty_raw, 0);
	}
}

/*
 * A signal that would end us leaves the terminal as it found it first,
 * then ends us the way the signal would have (the caller's shell sees
 * the same status).
 */
static void on_ending_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int ending_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE,
};

/*
 * Make the terminal on stdin raw-ish for a session: keys come one by
 * one, unechoed, and no key raises a signal, so the guest gets Ctrl-C,
 * Ctrl-Z and Ctrl-\ as bytes.  Enter still arrives as '\n' (ICRNL) and
 * '\n' from the guest still starts a new line (OPOST), since guests are
 * written for line-oriented consoles.  Returns 0, or -1 after a line.
 */
static int make_tty_raw(void)
{
	struct termios t;
	struct sigaction sa;
	size_t i;

	if (tcgetattr(STDIN_FILENO, &saved_tty)) {
		fprintf(stderr, "%s: cannot read the terminal's settings: %s\n",
			progname, strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ending_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(ending_signals); i++)
		sigaddset(&sa.sa_mask, ending_signals[i]);
	for (i = 0; i < ARRAY_SIZE(ending_signals); i++)
		sigaction(ending_signals[i], &sa, NULL);

	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
	t.c_iflag &= ~(IXON | IXOFF | INLCR | IGNCR | ISTRIP | BRKINT);
	t.c_iflag |= ICRNL;
	t.c_oflag |= OPOST;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	/* Set before the change, so a signal just after it restores. */
	atomic_store(&tty_raw, 1);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		atomic_store(&tty_raw, 0);
		fprintf(stderr, "%s: cannot set up the terminal: %s\n",
			progname, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Whether stdin is a terminal we may take over: we are in its foreground
 * process group.  A background job that read it would be stopped by
 * SIGTTIN, and changing it is not a background job's business.
 */
static bool own_terminal(void)
{
	pid_t fg;

	if (!isatty(STDIN_FILENO))
		return false;
	fg = tcgetpgrp(STDIN_FILENO);
	return fg >= 0 && fg == getpgrp();
}

/*
 * ---------------------------------------------------------------------
 * Input: stdin to the VM.
 * ---------------------------------------------------------------------
 */

struct console_input {
	bool open;		/* stdin may have more for the VM */
	bool tty;		/* a session: CONSOLE_ESCAPE detaches */
	bool detach;		/* the escape was typed */
	size_t off, len;	/* buf[off, len) not yet written */
	char buf[DENALI_CONSOLE_INPUT_BYTES];
};

/* Whether input may still come or is waiting to go to the VM. */
static bool input_active(const struct console_input *in)
{
	return in->open || in->off < in->len;
}

/* Read what stdin has (poll said it is ready) into the empty buffer. */
static int read_input(struct console_input *in)
{
	ssize_t n = read(STDIN_FILENO, in->buf, sizeof(in->buf));
	size_t keep;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0 && !in->tty) {
		fprintf(stderr, "%s: cannot read stdin: %s\n", progname,
			strerror(errno));
		return -1;
	}
	if (n <= 0) {
		/* End of file; for a terminal, a hang-up (EIO): detach. */
		in->open = false;
		in->detach = in->tty;
		return 0;
	}
	keep = n;
	if (in->tty) {
		keep = console_escape_at(in->buf, n);
		in->detach = keep < (size_t)n;
	}
	in->off = 0;
	in->len = keep;
	return 0;
}

/*
 * Write what is buffered to @vmfd (non-blocking) until it is all gone or
 * the VM has no room (EAGAIN: poll for POLLOUT).  Returns 0, or -1 after
 * a line.  EPIPE, the VM having stopped, ends the input and is no error.
 */
static int write_input(int vmfd, struct console_input *in, const char *name)
{
	while (in->off < in->len) {
		ssize_t n = write(vmfd, in->buf + in->off, in->len - in->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == EPIPE) {
			in->open = false;
			in->off = in->len = 0;
			return 0;
		}
		if (n < 0) {
			fprintf(stderr, "%s: cannot send input to VM %s: %s\n",
				progname, name, errno == EINVAL ?
				"the loaded module does not take console input (ABI 0.3)" :
				strerror(errno));
			return -1;
		}
		in->off += n;
	}
	in->off = in->len = 0;
	return 0;
}

/*
 * ---------------------------------------------------------------------
 * The loop.
 * ---------------------------------------------------------------------
 */

/*
 * Print the console and send @in to the VM (@in->open false: no input)
 * until the VM stops, the runner goes (@pidfd, -1 if not watched), the
 * escape is typed, or, without @follow_it, the input has all gone.
 * Returns 0 or EXIT_FAILED.
 */
static int run_console(int vmfd, int pidfd, struct console_input *in,
		       bool follow_it, const char *name)
{
	struct pollfd pfd[3];
	int ret, nfds, in_slot, pid_slot;

	for (;;) {
		ret = copy_console(vmfd, name);
		if (ret)
			return ret < 0 ? EXIT_FAILED : 0;
		if (in->detach && in->off == in->len)
			return 0;
		if (!follow_it && !input_active(in))
			return 0;

		nfds = 0;
		pfd[nfds].fd = vmfd;
		pfd[nfds].events = POLLIN | (in->off < in->len ? POLLOUT : 0);
		nfds++;
		in_slot = -1;
		if (in->open && in->off == in->len && !in->detach) {
			in_slot = nfds;
			pfd[nfds].fd = STDIN_FILENO;
			pfd[nfds++].events = POLLIN;
		}
		pid_slot = -1;
		if (pidfd >= 0) {
			pid_slot = nfds;
			pfd[nfds].fd = pidfd;
			pfd[nfds++].events = POLLIN;
		}
		if (poll(pfd, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", progname,
				strerror(errno));
			return EXIT_FAILED;
		}
		/* The runner is gone: what the console holds, then stop. */
		if (pid_slot >= 0 && (pfd[pid_slot].revents & POLLIN))
			return copy_console(vmfd, name) < 0 ? EXIT_FAILED : 0;
		/* POLLHUP and POLLERR too: the read says what they mean. */
		if (in_slot >= 0 && pfd[in_slot].revents && read_input(in))
			return EXIT_FAILED;
		if (in->off < in->len && write_input(vmfd, in, name))
			return EXIT_FAILED;
		/* Detaching: what fitted has gone; the rest is dropped. */
		if (in->detach)
			in->off = in->len;
	}
}

int cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "no-input", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	static struct console_input in;
	struct denali_vm_info vm;
	char name[DENALI_NAME_MAX];
	bool follow_it = false, no_input = false, stdin_ok;
	int opt, ctlfd, vmfd, pidfd, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":fn", longopts, NULL)) != -1) {
		if (opt == 'f')
			follow_it = true;
		else if (opt == 'n')
			no_input = true;
		else
			return bad_option("console", opt, argv);
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"%s: console takes one ID or NAME (usage: %s console ID|NAME [-f] [-n])\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (check_vm_arg(argv[optind]))
		return EXIT_USAGE;

	/* Which input, before any I/O (see the top of this file). */
	memset(&in, 0, sizeof(in));
	/* A daemon may have closed stdin: then there is none to read. */
	stdin_ok = !no_input && fcntl(STDIN_FILENO, F_GETFD) >= 0;
	if (stdin_ok && !isatty(STDIN_FILENO))
		in.open = true;
	else if (stdin_ok && follow_it && own_terminal())
		in.open = in.tty = true;

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	ret = find_vm(ctlfd, argv[optind], &vm);
	if (ret) {
		close(ctlfd);
		return ret;
	}
	/* Watch the runner before opening: it may go in between. */
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
	 * Non-blocking: without -f and input, EAGAIN means "that was all";
	 * otherwise poll() does the waiting, for output, room for input,
	 * stdin and the runner at once.
	 */
	if (fcntl(vmfd, F_SETFL, fcntl(vmfd, F_GETFL) | O_NONBLOCK)) {
		fprintf(stderr, "%s: cannot read the console of VM %s: %s\n",
			progname, name, strerror(errno));
		ret = EXIT_FAILED;
	} else if (pidfd == -2) {
		/* Nobody runs the VM any more: nothing would read input. */
		ret = copy_console(vmfd, name) < 0 ? EXIT_FAILED : 0;
	} else if (in.tty) {
		fprintf(stderr,
			"%s: connected to the console of VM %s; Ctrl-] detaches\n",
			progname, name);
		ret = make_tty_raw();
		if (!ret)
			ret = run_console(vmfd, pidfd, &in, true, name);
		else
			ret = EXIT_FAILED;
		restore_tty();
	} else {
		ret = run_console(vmfd, pidfd, &in, follow_it, name);
	}
	if (pidfd >= 0)
		close(pidfd);
	close(vmfd);
	return ret;
}
