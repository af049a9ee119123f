// SPDX-License-Identifier: GPL-2.0
/*
 * The shared runner: one process hosting many VMs (`denalictl create
 * --runner NAME`, or `--runner auto` for a pool filled automatically).
 *
 * A runner of its own per VM (runner.c) costs a process and a thread
 * sleeping in DENALI_RUN for every VM, idle or not.  A shared runner
 * costs a thread only for a VM that has something to do.  The module
 * provides the mechanism (ABI 0.7): DENALI_RUN_RETURN_IDLE returns when
 * the guest idles, leaving its deadline to a timer in the module; a
 * slice returns a busy guest after a while; poll() reports EPOLLPRI
 * while a VM is runnable.  The policy is here:
 *
 *   - Every VM's file is in one epoll set, EPOLLPRI | EPOLLONESHOT: an
 *     event goes to one worker, and the VM stays out of the set until
 *     that worker re-arms it, so no two workers ever run one VM.
 *   - Workers sleep in epoll_wait(); there are never more than there
 *     are VMs, nor than online CPUs.  An idle VM is a file in the set.
 *   - DENALI_RUN runs a VM for at most SLICE_NS, so a busy guest hands
 *     the worker back to the others waiting.
 *   - A VM that stops (exit, halt, crash) stays, with its report, until
 *     destroyed: re-armed for nothing, it reports only EPOLLHUP, and the
 *     runner then closes it.  When its last VM goes, the runner exits.
 *   - Killing the runner, with any signal, closes every VM's last file:
 *     the module frees them all.  Nothing else needs cleaning up.
 *
 * VMs come in on an abstract unix socket (pool.h): the first with the
 * fork that starts the runner, the others from later creates, which
 * check the runner's uid as it checks theirs.  The runner raises its
 * open-file limit to the hard limit, and answers EMFILE when full.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "denalictl.h"
#include "pool.h"

/* Longest a busy VM keeps a worker while others may wait. */
#define SLICE_NS	(10 * 1000 * 1000ull)
/* Files a runner keeps for itself: stdio, epoll, socket, syslog... */
#define SPARE_FILES	16
/* How often create retries a runner that was exiting or just starting. */
#define CONNECT_TRIES	10
/* How long the runner waits for a connected create's message. */
#define RECV_TIMEOUT_S	5

struct pool_vm {
	int fd;
	__u32 id;
	char name[DENALI_NAME_MAX];
};

static struct {
	int ep;
	int sock;
	char name[DENALI_NAME_MAX];
	pthread_mutex_t lock;	/* the counts below */
	unsigned int vms, cap;
	unsigned int workers, max_workers;
	bool exiting;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* epoll's tag for the listening socket. */
static struct pool_vm listener;

static void *worker(void *arg);

static void arm(struct pool_vm *v, unsigned int events)
{
	struct epoll_event ev = {
		.events = events | EPOLLONESHOT,
		.data.ptr = v,
	};

	if (epoll_ctl(pool.ep, EPOLL_CTL_MOD, v->fd, &ev)) {
		syslog(LOG_ERR, "epoll_ctl: %m");
		runner_fail();
	}
}

/* A worker more, if there are fewer than VMs and than allowed. */
static void add_worker_locked(void)
{
	pthread_attr_t a;
	pthread_t t;

	if (pool.workers >= pool.max_workers || pool.workers >= pool.vms)
		return;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	/* Workers call little more than ioctl(): a small stack will do. */
	pthread_attr_setstacksize(&a, 256 * 1024);
	if (!pthread_create(&t, &a, worker, NULL))
		pool.workers++;
	else
		syslog(LOG_WARNING, "cannot start a worker: %m");
	pthread_attr_destroy(&a);
}

/* Take VM @fd into the set; 0 or an errno (EMFILE: full). */
static int add_vm(int fd, __u32 id, const char *name)
{
	struct epoll_event ev = { .events = EPOLLPRI | EPOLLONESHOT };
	struct pool_vm *v;
	int err = 0;

	pthread_mutex_lock(&pool.lock);
	if (pool.exiting) {
		err = ESHUTDOWN;
		goto out;
	}
	if (pool.vms >= pool.cap) {
		err = EMFILE;
		goto out;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		err = ENOMEM;
		goto out;
	}
	v->fd = fd;
	v->id = id;
	snprintf(v->name, sizeof(v->name), "%s", name);
	ev.data.ptr = v;
	if (epoll_ctl(pool.ep, EPOLL_CTL_ADD, fd, &ev)) {
		err = errno;
		free(v);
		goto out;
	}
	pool.vms++;
	add_worker_locked();
out:
	pthread_mutex_unlock(&pool.lock);
	return err;
}

/* VM @v is gone (destroyed): close it; the last one ends the runner. */
static void vm_gone(struct pool_vm *v)
{
	epoll_ctl(pool.ep, EPOLL_CTL_DEL, v->fd, NULL);
	close(v->fd);
	free(v);
	pthread_mutex_lock(&pool.lock);
	if (!--pool.vms) {
		/* No create may hand us a VM now: it gets ESHUTDOWN. */
		pool.exiting = true;
		_exit(0);
	}
	pthread_mutex_unlock(&pool.lock);
}

/* Run @v until it idles, is preempted or stops; re-arm or let it go. */
static void run_vm(struct pool_vm *v)
{
	struct denali_run run;

	memset(&run, 0, sizeof(run));
	run.flags = DENALI_RUN_RETURN_IDLE;
	run.slice_ns = SLICE_NS;
	if (ioctl(v->fd, DENALI_RUN, &run)) {
		/* EINTR: a stop and continue, say; EBUSY: run elsewhere. */
		if (errno == EINTR || errno == EBUSY) {
			arm(v, EPOLLPRI);
			return;
		}
		syslog(LOG_ERR, "VM %s (id %u): DENALI_RUN failed: %m",
		       v->name, v->id);
		vm_gone(v);
		return;
	}
	if (run.reason == DENALI_STOP_DESTROYED)
		vm_gone(v);
	else if (run.reason != DENALI_STOP_NONE)
		arm(v, 0);	/* stopped: listed until the hang-up */
	else
		arm(v, EPOLLPRI);
}

/* One create's connection: take its VM, answer. */
static void accept_one(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct denali_pool_reply r = { 0 };
	struct denali_pool_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	struct denali_stats st;
	struct cmsghdr *c;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int s, fd = -1;
	ssize_t n;

	s = accept4(pool.sock, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		return;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
	    cr.uid != getuid()) {
		r.err = EPERM;
		goto reply;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (msg.msg_flags & MSG_CTRUNC) {
		/* The file could not be installed: no descriptor left. */
		r.err = EMFILE;
		goto reply;
	}
	if (n != sizeof(m) || m.magic != DENALI_POOL_MAGIC || fd < 0) {
		r.err = EINVAL;
		goto reply;
	}
	/* Only a VM's file answers DENALI_GET_STATS. */
	memset(&st, 0, sizeof(st));
	if (ioctl(fd, DENALI_GET_STATS, &st)) {
		r.err = EINVAL;
		goto reply;
	}
	m.name[sizeof(m.name) - 1] = '\0';
	r.err = add_vm(fd, m.id, m.name);
	if (!r.err)
		fd = -1;	/* the pool's now */
reply:
	r.vms = pool.vms;
	send(s, &r, sizeof(r), MSG_NOSIGNAL);
	if (fd >= 0)
		close(fd);
	close(s);
}

static void *worker(void *arg)
{
	struct epoll_event ev;
	struct pool_vm *v;
	int n;

	(void)arg;
	for (;;) {
		n = epoll_wait(pool.ep, &ev, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			syslog(LOG_ERR, "epoll_wait: %m");
			runner_fail();
		}
		v = ev.data.ptr;
		if (v == &listener) {
			accept_one();
			arm(&listener, EPOLLIN);
		} else if (ev.events & EPOLLHUP) {
			vm_gone(v);
		} else {
			run_vm(v);
		}
	}
	return NULL;
}

/* Open files allowed: the soft limit raised to the hard one. */
static unsigned int raise_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024 - SPARE_FILES;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 1u << 30)
		rl.rlim_cur = 1u << 30;
	return rl.rlim_cur > 2 * SPARE_FILES ? rl.rlim_cur - SPARE_FILES :
					       SPARE_FILES;
}

/*
 * The shared runner, forked by create with the first VM @vmfd; never
 * returns.  Tells create on @readyfd: 'r' when it runs, 'b' when the
 * name was taken meanwhile (create then hands its VM to that runner).
 */
static _Noreturn void pool_main(int vmfd, int readyfd, const char *runner,
				const char *name, unsigned int id, bool autopool)
{
	char title[DENALI_NAME_MAX + sizeof("denali-runner:")];
	struct epoll_event ev;
	struct sockaddr_un sa;
	socklen_t salen;
	long cpus;

	/* @runner may be in argv[], which the title overwrites. */
	snprintf(pool.name, sizeof(pool.name), "%s", runner);
	runner = pool.name;
	runner_detach(&vmfd, &readyfd);
	snprintf(title, sizeof(title), "denali-runner:%s", runner);
	set_title(title);
	openlog(title, LOG_PID, LOG_DAEMON);

	pool.cap = raise_file_limit();
	if (autopool && pool.cap > DENALI_POOL_AUTO_VMS)
		pool.cap = DENALI_POOL_AUTO_VMS;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pool.max_workers = cpus > 0 ? cpus : 1;
	pool.workers = 1;	/* this thread, once set up */

	pool.ep = epoll_create1(EPOLL_CLOEXEC);
	pool.sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
			   SOCK_NONBLOCK, 0);
	if (pool.ep < 0 || pool.sock < 0)
		runner_fail();
	salen = denali_pool_addr(runner, getuid(), &sa);
	if (bind(pool.sock, (struct sockaddr *)&sa, salen)) {
		if (errno == EADDRINUSE && write(readyfd, "b", 1) == 1)
			_exit(0);
		runner_fail();
	}
	if (listen(pool.sock, 128))
		runner_fail();
	listener.fd = pool.sock;
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.ptr = &listener;
	if (epoll_ctl(pool.ep, EPOLL_CTL_ADD, pool.sock, &ev))
		runner_fail();
	errno = add_vm(vmfd, id, name);
	if (errno)
		runner_fail();

	/* Create may be gone (interrupted): SIGPIPE then ends us. */
	if (write(readyfd, "r", 1) != 1)
		runner_fail();
	close(readyfd);
	worker(NULL);
	_exit(0);
}

/*
 * Fork runner @runner with VM @vmfd.  0 with *@pid set when it runs;
 * -EADDRINUSE when the name was taken meanwhile (vmfd still ours);
 * EXIT_FAILED after a message.
 */
static int start_pool(int vmfd, const char *runner, const char *name,
		      unsigned int id, bool autopool, pid_t *pid)
{
	int ready[2], status;
	pid_t ret;
	ssize_t n;
	char c;

	if (pipe2(ready, O_CLOEXEC)) {
		fprintf(stderr, "%s: cannot start runner %s: %s\n", progname,
			runner, strerror(errno));
		return EXIT_FAILED;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		fprintf(stderr, "%s: cannot start runner %s: %s\n", progname,
			runner, strerror(errno));
		close(ready[0]);
		close(ready[1]);
		return EXIT_FAILED;
	}
	if (!*pid) {
		close(ready[0]);
		pool_main(vmfd, ready[1], runner, name, id, autopool);
	}
	close(ready[1]);
	do {
		n = read(ready[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n == 1 && c == 'b') {
		waitpid(*pid, &status, 0);
		return -EADDRINUSE;
	}
	if (n != 1) {
		do {
			ret = waitpid(*pid, &status, 0);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			status = EIO << 8;
		explain_runner_exit(name, id, status);
		return EXIT_FAILED;
	}
	return 0;
}

/*
 * Hand VM @vmfd to runner @runner, starting it if there is none.  0 with
 * *@pid set; -EMFILE when it is full (after a message unless @quiet);
 * EXIT_FAILED after a message.
 */
static int hand_to(int vmfd, const char *runner, const char *name,
		   unsigned int id, bool autopool, pid_t *pid)
{
	struct denali_pool_reply r = { 0 };
	struct sockaddr_un sa;
	socklen_t salen = denali_pool_addr(runner, getuid(), &sa);
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int s, err, tries;

	for (tries = 0; tries < CONNECT_TRIES; tries++) {
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (s < 0)
			break;
		if (connect(s, (struct sockaddr *)&sa, salen)) {
			err = errno;
			close(s);
			if (err != ECONNREFUSED && err != ENOENT) {
				errno = err;
				break;
			}
			/* No runner of that name: start it. */
			err = start_pool(vmfd, runner, name, id, autopool, pid);
			if (err == -EADDRINUSE)
				continue;
			return err;
		}
		if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
		    cr.uid != getuid()) {
			fprintf(stderr,
				"%s: runner %s: its socket belongs to another user (uid %u), not to you\n",
				progname, runner, (unsigned int)cr.uid);
			close(s);
			return EXIT_FAILED;
		}
		err = denali_pool_send(s, vmfd, id, name, &r);
		close(s);
		if (!err) {
			*pid = cr.pid;
			return 0;
		}
		if (err == -EMFILE) {
			if (!autopool)
				fprintf(stderr,
					"%s: runner %s is full: it hosts %u VMs, as many as its open-file limit allows\n",
					progname, runner, r.vms);
			return -EMFILE;
		}
		/* It was exiting, its last VM gone: start another. */
		if (err == -ESHUTDOWN || err == -EPIPE || err == -ECONNRESET) {
			usleep(1000);
			continue;
		}
		errno = -err;
		break;
	}
	fprintf(stderr, "%s: cannot hand VM %s (id %u) to runner %s: %s\n",
		progname, name, id, runner, strerror(errno));
	return EXIT_FAILED;
}

int pool_hand_over(int ctlfd, int vmfd, const char *name, unsigned int id,
		   const char *runner)
{
	char auto_name[DENALI_NAME_MAX];
	pid_t pid = 0;
	int status, i;

	if (strcmp(runner, "auto")) {
		status = hand_to(vmfd, runner, name, id, false, &pid);
	} else {
		/* The first auto runner with room, or a new one. */
		for (i = 0;; i++) {
			snprintf(auto_name, sizeof(auto_name), "auto-%d", i);
			status = hand_to(vmfd, auto_name, name, id, true, &pid);
			if (status != -EMFILE)
				break;
		}
	}
	close(vmfd);
	if (status) {
		close(ctlfd);
		return status < 0 ? EXIT_FAILED : status;
	}
	status = wait_until_running(ctlfd, id, pid, name, true);
	close(ctlfd);
	if (status)
		return status;
	printf("id %u name %s pid %d\n", id, name, (int)pid);
	return 0;
}
