// SPDX-License-Identifier: GPL-2.0
/*
 * An idle multi-threaded guest costs no exits: four threads block (two
 * sleep for an hour, one waits on a condition variable nobody signals,
 * one reads the console) and main joins one of the sleepers, then
 * prints "idle\n".  From then on the VM should make no exit until
 * console input arrives; the reader then prints "read: X\n" (X the
 * first byte) and ends the VM with exit(7).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *sleeper(void *arg)
{
	(void)arg;
	sleep(3600);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}

static void *reader(void *arg)
{
	char c;

	(void)arg;
	if (read(0, &c, 1) == 1)
		printf("read: %c\n", c);
	exit(7);
}

int main(void)
{
	pthread_t t[4];

	pthread_create(&t[0], NULL, sleeper, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, waiter, NULL);
	pthread_create(&t[3], NULL, reader, NULL);
	printf("idle\n");
	pthread_join(t[0], NULL);
	return 1;
}
