// SPDX-License-Identifier: GPL-2.0
/*
 * poll and select over the console, blocking the calling thread only:
 * timeouts that are never early while another thread keeps running,
 * POLLOUT at once, POLLNVAL and EBADF for descriptors that do not
 * exist.  Then it prints "waiting\n" and polls stdin with no timeout:
 * the host sends console input, and the guest prints "got: INPUT\n"
 * (the bytes read), then "libc_poll: N checks, 0 failed", exit 0.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "libc_check.h"

/* Plain ints: the calls in both loops are where the other thread runs. */
static int ticks, stop;

static void *ticker(void *arg)
{
	(void)arg;
	while (!stop) {
		ticks++;
		usleep(1000);
	}
	return NULL;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	struct timeval tv = { .tv_usec = 30000 };
	struct timespec t0;
	pthread_t t;
	fd_set rd;
	char buf[64];
	ssize_t n;

	CHECK(!pthread_create(&t, NULL, ticker, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(poll(&p, 1, 50) == 0 && p.revents == 0);
	CHECK(ms_since(&t0) >= 50);
	CHECK(ticks > 5);	/* the other thread ran meanwhile */

	p.fd = 1;
	p.events = POLLOUT;
	CHECK(poll(&p, 1, -1) == 1 && p.revents == POLLOUT);
	p.fd = 9;
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLNVAL);

	FD_ZERO(&rd);
	FD_SET(0, &rd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(select(1, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(0, &rd));
	CHECK(ms_since(&t0) >= 30);
	FD_ZERO(&rd);
	FD_SET(9, &rd);
	CHECK(select(10, &rd, NULL, NULL, NULL) == -1 && errno == EBADF);
	stop = 1;
	CHECK(!pthread_join(t, NULL));

	printf("waiting\n");
	p.fd = 0;
	p.events = POLLIN;
	CHECK(poll(&p, 1, -1) == 1 && p.revents == POLLIN);
	n = read(0, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	printf("got: %s\n", buf);
	return libc_done("libc_poll");
}
