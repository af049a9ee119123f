// SPDX-License-Identifier: GPL-2.0
/*
 * The runner: the process that runs a VM made by `denalictl create`
 * without --foreground, so that the VM outlives the command.
 *
 * A VM lives exactly as long as some file refers to it, and DENALI_RUN
 * runs the guest only in the thread that calls it.  So a background VM
 * needs a process of its own that holds the VM's file and sits in
 * DENALI_RUN: the runner.  It is the one thing an operator has to look
 * for, so it is easy to find (`denali:NAME` in ps and top, the pid in
 * `denalictl list`), and ending it ends the VM: any signal that kills it,
 * SIGKILL included, closes the VM's last file and the module frees the
 * VM.  Nothing else needs cleaning up, which is why SIGTERM, SIGINT and
 * SIGHUP are simply left to kill it (their default action) rather than
 * caught: a handler that sets a flag could miss a signal arriving just
 * before DENALI_RUN is entered, and the kernel's default action cannot.
 *
 * When the VM stops (exit, halt, crash) the runner stays: the stopped
 * VM stays listed with its status and crash report, its console stays
 * readable, until someone destroys it (the VM file then reports
 * EPOLLHUP) or kills the runner.
 *
 * The runner's exit status, seen only by create while it waits for the
 * runner to start: 0 when the VM was destroyed, otherwise the errno of
 * the step that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "denalictl.h"

/* How long create waits to see the VM running, in steps of RUN_WAIT_US. */
#define RUN_WAIT_US	2000
#define RUN_WAIT_STEPS	1000

/*
 * The process title.  Linux shows /proc/PID/cmdline from the memory that
 * held the argument strings at exec: [args, args + args_room), and when
 * a title outgrows that, up to the end of the environment strings that
 * follow them (title_room).  Recorded by proctitle_init() before
 * getopt_long() reorders argv[] (it moves pointers, not strings).
 */
static char *title_start;
static size_t args_room, title_room;

void proctitle_init(int argc, char **argv)
{
	char *end;
	int i;

	if (argc < 1 || !argv[0])
		return;
	end = argv[0];
	for (i = 0; i < argc && argv[i] == end; i++)
		end += strlen(argv[i]) + 1;
	title_start = argv[0];
	args_room = end - argv[0];
	title_room = args_room;
	/* The environment counts only if it follows without a gap. */
	if (i < argc)
		return;
	for (i = 0; environ && environ[i] && environ[i] == end; i++)
		end += strlen(environ[i]) + 1;
	title_room = end - argv[0];
}

/*
 * Show @title as this process's command line and name: in ps, top,
 * /proc/PID/cmdline, and (cut to 15 characters) /proc/PID/comm.
 */
void set_title(const char *title)
{
	char comm[16];
	size_t len = strlen(title), room = args_room;

	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(comm) - 1, title);
	prctl(PR_SET_NAME, comm, 0, 0, 0);

	if (!title_start || !args_room)
		return;
	if (len + 1 > args_room && title_room > args_room) {
		/* The runner needs no environment; take its room. */
		clearenv();
		room = title_room;
	}
	if (len + 1 > room)
		len = room - 1;
	memset(title_start, 0, room);
	memcpy(title_start, title, len);
	/*
	 * Linux shows the whole argument area, NULs and all, unless its
	 * last byte is not a NUL: then it shows the text up to the first
	 * NUL, the setproctitle() convention.  Ask for the latter, so that
	 * cmdline is exactly the title.
	 */
	if (len + 1 < args_room)
		title_start[args_room - 1] = ' ';
}

/* End the runner for a failed step, the step's errno as the status. */
_Noreturn void runner_fail(void)
{
	_exit(errno ? errno : EIO);
}

/* @fd moved above 0-2, which are about to become /dev/null. */
static int above_stdio(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		runner_fail();
	return nfd;
}

/*
 * Close every inherited file but @a and @b (both above 2): a runner
 * lives for long, and an inherited pipe would keep, say, a shell's
 * command substitution waiting for it.
 */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	/* close_range() cannot fail for these arguments on Linux >= 5.9. */
	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0u, 0);
}

void runner_detach(int *a, int *b)
{
	static const int ending[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE };
	sigset_t none;
	size_t i;
	int null;

	/*
	 * A shell starts background jobs with SIGINT ignored, nohup
	 * ignores SIGHUP: undo that, so these signals end the runner
	 * whoever started it.
	 */
	for (i = 0; i < ARRAY_SIZE(ending); i++)
		signal(ending[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* Detach: own session, no terminal, no hold on any directory. */
	*a = above_stdio(*a);
	*b = above_stdio(*b);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || setsid() < 0 || chdir("/"))
		runner_fail();
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		runner_fail();
	close_others(*a, *b);
}

/* The runner itself; never returns. */
static _Noreturn void runner_main(int vmfd, int readyfd, const char *name,
				  unsigned int id)
{
	char title[DENALI_NAME_MAX + sizeof("denali:")];
	struct denali_run run;

	runner_detach(&vmfd, &readyfd);

	snprintf(title, sizeof(title), "denali:%s", name);
	set_title(title);
	/* Nobody sees stderr now; the system log can tell what went wrong. */
	openlog(title, LOG_PID, LOG_DAEMON);

	/*
	 * Tell create the runner is up.  If create is gone (interrupted),
	 * SIGPIPE ends the runner and with it a VM nobody was told about.
	 */
	if (write(readyfd, "r", 1) != 1)
		runner_fail();
	close(readyfd);

	for (;;) {
		memset(&run, 0, sizeof(run));
		if (!ioctl(vmfd, DENALI_RUN, &run))
			break;
		/* EINTR: a stop and continue, say; the guest runs on. */
		if (errno != EINTR) {
			syslog(LOG_ERR, "VM %s (id %u): DENALI_RUN failed: %m",
			       name, id);
			runner_fail();
		}
	}
	if (run.reason == DENALI_STOP_DESTROYED)
		_exit(0);

	/*
	 * Stopped: stay, keeping the VM and its report, until it is
	 * destroyed.  No events asked for: the console being readable must
	 * not wake us, only the hang-up that poll() always reports.
	 */
	for (;;) {
		struct pollfd pfd = { .fd = vmfd, .events = 0 };
		int n = poll(&pfd, 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			syslog(LOG_ERR, "VM %s (id %u): poll failed: %m", name,
			       id);
			runner_fail();
		}
		if (pfd.revents & POLLHUP)
			_exit(0);
		syslog(LOG_ERR, "VM %s (id %u): unexpected poll events 0x%x",
		       name, id, pfd.revents);
		_exit(EIO);
	}
}

/* Say why the runner (wait status @status) ended before its VM ran. */
void explain_runner_exit(const char *name, unsigned int id,
				int status)
{
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		fprintf(stderr, "%s: VM %s (id %u) was destroyed before it ran\n",
			progname, name, id);
	else if (WIFEXITED(status))
		fprintf(stderr, "%s: the runner of VM %s (id %u) failed: %s\n",
			progname, name, id, strerror(WEXITSTATUS(status)));
	else if (WIFSIGNALED(status))
		fprintf(stderr,
			"%s: the runner of VM %s (id %u) was killed by signal %d (%s) before the VM ran\n",
			progname, name, id, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "%s: the runner of VM %s (id %u) ended\n",
			progname, name, id);
}

/*
 * Wait, briefly, until the module lists VM @id as run by @pid, so that a
 * `list` right after `create` shows it running (with @ran, as having run
 * there: a shared runner's idle VM is READY, not RUNNING).  Returns 0, also when it
 * cannot tell (the runner is up; it will be running soon), or
 * EXIT_FAILED after explaining that the runner ended.
 */
int wait_until_running(int ctlfd, unsigned int id, pid_t pid,
		       const char *name, bool ran)
{
	struct denali_vm_info *vms;
	unsigned int state;
	int step, status;
	size_t n, i;

	for (step = 0; step < RUN_WAIT_STEPS; step++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			explain_runner_exit(name, id, status);
			return EXIT_FAILED;
		}
		if (list_vms(ctlfd, &vms, &n))
			return 0;
		state = 0;
		for (i = 0; i < n; i++)
			if (vms[i].id == id && vms[i].runner_pid == pid)
				state = vms[i].state;
		free(vms);
		if (state == DENALI_VM_RUNNING || state == DENALI_VM_STOPPED ||
		    (ran && state))
			return 0;
		usleep(RUN_WAIT_US);
	}
	return 0;
}

int start_runner(int ctlfd, int vmfd, const char *name, unsigned int id)
{
	int ready[2], status, err;
	pid_t pid, ret;
	ssize_t n;
	char c;

	if (pipe2(ready, O_CLOEXEC)) {
		err = errno;
		goto fail;
	}
	/* Nothing buffered may come out twice, once from each process. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(ready[0]);
		close(ready[1]);
		goto fail;
	}
	if (!pid) {
		close(ready[0]);
		runner_main(vmfd, ready[1], name, id);
	}

	/* From here on the runner's file is the VM's only one. */
	close(ready[1]);
	close(vmfd);
	do {
		n = read(ready[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n != 1) {
		/* It ended without a word: its exit status says why. */
		do {
			ret = waitpid(pid, &status, 0);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			status = EIO << 8;	/* as if it had exit(EIO) */
		explain_runner_exit(name, id, status);
		close(ctlfd);
		return EXIT_FAILED;
	}
	status = wait_until_running(ctlfd, id, pid, name, false);
	close(ctlfd);
	if (status)
		return status;
	printf("id %u name %s pid %d\n", id, name, (int)pid);
	return 0;

fail:
	fprintf(stderr, "%s: cannot start a runner for VM %s (id %u): %s\n",
		progname, name, id, strerror(err));
	close(vmfd);
	close(ctlfd);
	return EXIT_FAILED;
}
