// SPDX-License-Identifier: GPL-2.0
/*
 * musl on libilwaco: the C library's everyday parts, checked from inside
 * a guest.  Expect the report of refused system calls, which lists fork
 * (57) once, then "libc_basic: N checks, 0 failed", the "done" verdict
 * and exit status 0 (with 4 MiB of memory or more); any "FAIL
 * file:line: condition" line names what broke.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <ilwaco/posix.h>

#include "libc_check.h"

static void check_stdio(void)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%x|%#o|%lld|%zu", -42,
		 7, 7, 42, 0xbeefu, 8u, -1234567890123ll, (size_t)99);
	CHECK(!strcmp(buf, "-42|    7|7    |00042|beef|010|-1234567890123|99"));
	snprintf(buf, sizeof(buf), "%.3f|%e|%g|%g|%+.1f|%10.2f", 3.14159,
		 12345.678, 0.0001, 1e20, 2.25, -1.005);
	CHECK(!strcmp(buf, "3.142|1.234568e+04|0.0001|1e+20|+2.2|     -1.00"));
	snprintf(buf, sizeof(buf), "%s|%.2s|%-4s|%c|%%", "abc", "xyz", "a", 'Z');
	CHECK(!strcmp(buf, "abc|xy|a   |Z|%"));
	CHECK(snprintf(buf, 4, "%s", "truncated") == 9 && !strcmp(buf, "tru"));
	snprintf(buf, sizeof(buf), "%f|%f", INFINITY, NAN);
	CHECK(!strcmp(buf, "inf|nan"));
	/* The console is a terminal: stdout is line-buffered. */
	CHECK(isatty(1) && isatty(2) && !isatty(3));
	CHECK(sscanf("17 0x1f word 2.5", "%d %i %s %lf", &(int){0}, &(int){0},
		     buf, &(double){0}) == 4 && !strcmp(buf, "word"));
}

static void check_strings(void)
{
	char buf[32] = "0123456789", *save, *tok;
	char list[] = "a,b,,c";
	int n = 0;

	memmove(buf + 2, buf, 8);
	CHECK(!strcmp(buf, "0101234567"));
	CHECK(strlen("hello") == 5 && strcmp("a", "b") < 0);
	CHECK(!strncmp("abcdef", "abcxyz", 3) && strstr("haystack", "st"));
	CHECK(strchr("path/to", '/') && !strrchr("none", '/'));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		n++;
	CHECK(n == 3);
	CHECK(!strcasecmp("HeLLo", "hello"));
	CHECK(!strcmp(strerror(ENOENT), "No such file or directory"));
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void check_numbers(void)
{
	int v[1000], i, sorted = 1;
	char *end;
	double d = strtod("  -12.5e-1xyz", &end);

	CHECK(d == -1.25 && !strcmp(end, "xyz"));
	CHECK(strtol("ff", NULL, 16) == 255 && strtoul("777", NULL, 8) == 511);
	errno = 0;
	CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX &&
	      errno == ERANGE);
	CHECK(fabs(sqrt(2.0) * sqrt(2.0) - 2.0) < 1e-12);
	for (i = 0; i < 1000; i++)
		v[i] = (i * 7919) % 1000;
	qsort(v, 1000, sizeof(v[0]), cmp_int);
	for (i = 0; i < 1000; i++)
		sorted &= v[i] == i;
	CHECK(sorted);
}

static void check_malloc(void)
{
	unsigned char *p = malloc(100), *q;
	void *blocks[4096];
	size_t i, n = 0, big = 64 << 10;
	int zero = 1;

	CHECK(p != NULL);
	memset(p, 0xab, 100);
	q = realloc(p, 100000);
	CHECK(q && q[0] == 0xab && q[99] == 0xab);
	free(q);
	p = calloc(1000, 100);
	for (i = 0; p && i < 100000; i++)
		zero &= p[i] == 0;
	CHECK(p && zero);
	free(p);
	/* Exhaustion: NULL and ENOMEM, then everything back and usable. */
	errno = 0;
	while (n < 4096 && (blocks[n] = malloc(big))) {
		memset(blocks[n], (int)n, big);
		n++;
	}
	CHECK(n > 0 && n < 4096 && errno == ENOMEM);
	for (i = 0; i < n; i++)
		CHECK(((unsigned char *)blocks[i])[big - 1] == (unsigned char)i);
	while (n)
		free(blocks[--n]);
	p = malloc(big);
	CHECK(p != NULL);
	free(p);
	CHECK(malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);
}

static void check_time(void)
{
	struct timespec a, b, req = { .tv_nsec = 20 * 1000 * 1000 };
	time_t now = time(NULL);

	CHECK(!clock_gettime(CLOCK_MONOTONIC, &a));
	CHECK(!nanosleep(&req, NULL));
	CHECK(!clock_gettime(CLOCK_MONOTONIC, &b));
	/* Never early. */
	CHECK((b.tv_sec - a.tv_sec) * 1000000000l + b.tv_nsec - a.tv_nsec >=
	      20 * 1000 * 1000);
	/* Real time: after 2024-01-01 (1704067200), from the host. */
	CHECK(now > 1704067200);
	CHECK(!clock_gettime(CLOCK_REALTIME, &a) && a.tv_sec >= now);
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL);
	a.tv_sec = 0;
	CHECK(usleep(1000) == 0);
}

static int got_signal;

static void on_usr1(int sig)
{
	got_signal = sig;
}

static void check_process(void)
{
	struct utsname u;
	static const unsigned char zero[16];
	unsigned char r1[32] = { 0 }, r2[32] = { 0 };
	sigset_t set;

	CHECK(!uname(&u) && !strcmp(u.machine, "x86_64") &&
	      !strcmp(u.sysname, "Denali"));
	CHECK(getpid() == 1);
	CHECK(getrandom(r1, sizeof(r1), 0) == sizeof(r1));
	CHECK(getrandom(r2, sizeof(r2), 0) == sizeof(r2));
	CHECK(memcmp(r1, r2, sizeof(r1)) != 0);
	/* AT_RANDOM: 16 bytes for the stack protector and friends. */
	CHECK(getauxval(AT_RANDOM) &&
	      memcmp((void *)getauxval(AT_RANDOM), r1 + 16, 16) &&
	      memcmp((void *)getauxval(AT_RANDOM), zero, 16));
	/* Signals a program sends itself: handled, or held while blocked. */
	CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
	CHECK(!raise(SIGUSR1) && got_signal == SIGUSR1);
	got_signal = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(!sigprocmask(SIG_BLOCK, &set, NULL));
	raise(SIGUSR1);
	CHECK(got_signal == 0);
	CHECK(!sigprocmask(SIG_UNBLOCK, &set, NULL) && got_signal == SIGUSR1);
	CHECK(signal(SIGCHLD, SIG_DFL) != SIG_ERR && !raise(SIGCHLD));
	/* What a guest cannot do fails cleanly, with ENOSYS. */
	errno = 0;
	CHECK(ilwaco_syscall_unsupported(SYS_fork) == 0);
	CHECK(fork() == -1 && errno == ENOSYS);
	/* Counted, for the report main() prints (libc_test checks it). */
	CHECK(ilwaco_syscall_unsupported(SYS_fork) == 1);
	CHECK(write(7, "x", 1) == -1 && errno == EBADF);
}

int main(void)
{
	check_stdio();
	check_strings();
	check_numbers();
	check_malloc();
	check_time();
	check_process();
	fflush(stdout);
	ilwaco_syscall_report();
	return libc_done("libc_basic");
}
