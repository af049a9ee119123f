// SPDX-License-Identifier: GPL-2.0
/*
 * The runner thread of the Denali selftests and what /proc says about a
 * thread; the contracts are in denali_runner.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "denali_runner.h"

static void denali_runner_on_kick(int sig)
{
	(void)sig;
}

/* Install the kick's handler; sigaction()'s result. */
int denali_runner_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = denali_runner_on_kick;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must end DENALI_RUN with EINTR. */
	return sigaction(DENALI_RUNNER_KICK, &sa, NULL);
}

static void *denali_runner_main(void *arg)
{
	struct denali_runner *r = arg;
	struct denali_run run;
	bool ended = false;
	int ret = 0;

	memset(&run, 0, sizeof(run));
	atomic_store(&r->tid, gettid());
	while (!atomic_load(&r->stop)) {
		atomic_fetch_add(&r->calls, 1);
		ret = denali_run(r->fd, &run);
		if (ret == -EINTR) {
			/* At most one EINTR per kick: kicks counts first. */
			if (atomic_fetch_add(&r->eintr, 1) >=
			    atomic_load(&r->kicks))
				atomic_fetch_add(&r->spurious, 1);
			continue;
		}
		ended = true;
		break;
	}
	r->ret = ret;
	r->run = run;
	/* After ret and run, so that whoever sees either flag can read them. */
	if (ended)
		atomic_store(&r->ended, 1);
	atomic_store(&r->done, 1);
	return NULL;
}

/*
 * Start @r running VM @fd, pinned to @cpu from the start (-1: anywhere),
 * on a stack of @stack bytes (0: the default); 0 or -errno.
 */
int denali_runner_start(struct denali_runner *r, int fd,
			int cpu, size_t stack)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cpu = cpu;
	pthread_attr_init(&attr);
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	ret = pthread_create(&r->thread, &attr, denali_runner_main, r);
	pthread_attr_destroy(&attr);
	if (ret)
		return -ret;
	r->created = true;
	return 0;
}

/* Send @r one kick, counted before it is sent. */
void denali_runner_kick(struct denali_runner *r)
{
	atomic_fetch_add(&r->kicks, 1);
	pthread_kill(r->thread, DENALI_RUNNER_KICK);
}

/* Join @r if it ends by itself within @ms; true if it did. */
bool denali_runner_wait(struct denali_runner *r, long ms)
{
	struct timespec t0;

	if (!r->created)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&r->done) && denali_ms_since(&t0) < ms)
		denali_sleep_ms(1);
	if (!atomic_load(&r->done))
		return false;
	pthread_join(r->thread, NULL);
	r->created = false;
	return true;
}

/*
 * Stop and join the @n runners at @r, giving up after @ms; the number
 * that would not end.  A kick that lands between two DENALI_RUN calls
 * interrupts nothing and the runner may enter RUN once more before it
 * sees stop, so each is kicked again until it has ended.
 */
int denali_runners_stop(struct denali_runner *r, int n, long ms)
{
	struct timespec t0;
	int i, left;

	for (i = 0; i < n; i++)
		atomic_store(&r[i].stop, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (!r[i].created)
				continue;
			if (atomic_load(&r[i].done)) {
				pthread_join(r[i].thread, NULL);
				r[i].created = false;
				continue;
			}
			denali_runner_kick(&r[i]);
			left++;
		}
		if (!left || denali_ms_since(&t0) > ms)
			return left;
		denali_sleep_ms(10);
	}
}

void denali_runner_end(struct denali_runner *r, __u32 id, long ms)
{
	if (!r->created)
		return;
	denali_destroy_id(id);
	if (!denali_runner_wait(r, ms)) {
		pthread_detach(r->thread);
		r->created = false;
	}
}

/*
 * Read /proc/self/task/@tid/stat into @buf; a pointer just past the
 * command name's closing parenthesis, or NULL.
 */
static char *denali_task_stat(int tid, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strrchr(buf, ')');
}

/*
 * The CPU thread @tid of this process is on, or last ran on: field 39 of
 * its stat, the 37th after the command name's closing parenthesis.
 */
int denali_task_cpu(int tid)
{
	char buf[1024], *p = denali_task_stat(tid, buf, sizeof(buf));
	int i;

	for (i = 0; p && i < 37; i++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/*
 * utime + stime of thread @tid of this process, in clock ticks: fields
 * 14 and 15 of its stat, the 12th and 13th after the command name.
 */
long denali_task_cputime(int tid)
{
	char buf[1024], *p = denali_task_stat(tid, buf, sizeof(buf));
	unsigned long ut, st;

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return ut + st;
}
