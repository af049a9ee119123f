// SPDX-License-Identifier: GPL-2.0
/*
 * musl's pthreads on libilwaco's cooperative threads: mutexes and
 * condition variables, join with values, detached threads, errno per
 * thread, timed waits that time out, sleeping threads that let others
 * run, and 1,000 threads created and joined.  Expect
 * "libc_threads: N checks, 0 failed" and exit status 0 (64 MiB).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libc_check.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int queue[16], head, tail, done_producing;
static long consumed_sum;

static void *producer(void *arg)
{
	int i, n = (int)(intptr_t)arg;

	for (i = 1; i <= n; i++) {
		pthread_mutex_lock(&lock);
		while (tail - head == 16)
			pthread_cond_wait(&cond, &lock);
		queue[tail++ % 16] = i;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	done_producing = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return (void *)(intptr_t)n;
}

static void *consumer(void *arg)
{
	long got = 0;

	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (head == tail && !done_producing)
			pthread_cond_wait(&cond, &lock);
		if (head == tail)
			break;
		got += queue[head++ % 16];
		pthread_cond_broadcast(&cond);
	}
	consumed_sum += got;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void check_condvars(void)
{
	pthread_t p, c[3];
	void *ret;
	int i;

	for (i = 0; i < 3; i++)
		CHECK(!pthread_create(&c[i], NULL, consumer, NULL));
	CHECK(!pthread_create(&p, NULL, producer, (void *)1000));
	CHECK(!pthread_join(p, &ret) && ret == (void *)1000);
	for (i = 0; i < 3; i++)
		CHECK(!pthread_join(c[i], NULL));
	CHECK(consumed_sum == 1000 * 1001 / 2);
}

/* errno is per thread: each sets its own, yields, and finds it intact. */
static void *errno_keeper(void *arg)
{
	int mine = (int)(intptr_t)arg, i, ok = 1;

	for (i = 0; i < 5; i++) {
		errno = mine;
		sched_yield();
		usleep(100);
		ok &= errno == mine;
	}
	return (void *)(intptr_t)ok;
}

static void check_errno(void)
{
	pthread_t t[4];
	void *ok;
	int i;

	for (i = 0; i < 4; i++)
		CHECK(!pthread_create(&t[i], NULL, errno_keeper,
				      (void *)(intptr_t)(100 + i)));
	for (i = 0; i < 4; i++)
		CHECK(!pthread_join(t[i], &ok) && ok == (void *)1);
}

static int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	detached_ran++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void check_detached_and_timeouts(void)
{
	pthread_attr_t attr;
	struct timespec t0, t1, until;
	pthread_t t;
	int i, rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < 10; i++)
		CHECK(!pthread_create(&t, &attr, detached, NULL));
	pthread_mutex_lock(&lock);
	while (detached_ran < 10)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	CHECK(detached_ran == 10);

	/* A timed wait nobody signals ends with ETIMEDOUT, not early. */
	clock_gettime(CLOCK_REALTIME, &t0);
	until = t0;
	until.tv_nsec += 30 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lock);
	rc = pthread_cond_timedwait(&cond, &lock, &until);
	pthread_mutex_unlock(&lock);
	clock_gettime(CLOCK_REALTIME, &t1);
	CHECK(rc == ETIMEDOUT);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000000000l + t1.tv_nsec - t0.tv_nsec >=
	      30 * 1000 * 1000);
}

static int counter;

static void *count_one(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	counter++;
	pthread_mutex_unlock(&lock);
	return arg;
}

/* 1,000 threads, 100 alive at a time, each joined with its value. */
static void check_thousand(void)
{
	pthread_attr_t attr;
	pthread_t t[100];
	int round, i, created = 0, joined = 0;
	void *ret;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 16384);
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 100; i++)
			created += !pthread_create(&t[i], &attr, count_one,
						   (void *)(intptr_t)i);
		for (i = 0; i < 100; i++)
			joined += !pthread_join(t[i], &ret) &&
				  ret == (void *)(intptr_t)i;
	}
	CHECK(created == 1000 && joined == 1000 && counter == 1000);
	CHECK(pthread_self() != 0 && gettid() == 1);
}

int main(void)
{
	check_condvars();
	check_errno();
	check_detached_and_timeouts();
	check_thousand();
	return libc_done("libc_threads");
}
