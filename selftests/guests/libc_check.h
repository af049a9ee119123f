/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libc_* guests' one helper: CHECK(cond) prints the file, line and
 * condition of every failed check, and libc_done() ends with the
 * verdict every test guest gives (pv_check.h, denali_guest_verdict() on
 * the host):
 *
 *	NAME: N checks, F failed
 *	DENALI-TEST: done NAME: N checks
 *	DENALI-TEST: fail FILE:LINE: CONDITION: NAME: F of N checks failed
 *
 * (the first failed check's place), and returns 0 only when F is 0.
 * These guests are ordinary C programs on musl (built like ilwaco-cc
 * builds), so they use stdio, and the checks are about stdio too: they
 * cannot use pv_check.h, which is libilwaco's freestanding printf.
 */
#ifndef LIBC_CHECK_H
#define LIBC_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define LIBC_TAG	"DENALI-TEST: "

static int libc_checks, libc_failed;
static const char *libc_first_file, *libc_first_cond;
static int libc_first_line;

#define CHECK(cond) do {						\
	libc_checks++;							\
	if (!(cond)) {							\
		if (!libc_failed++) {					\
			libc_first_file = __FILE__;			\
			libc_first_line = __LINE__;			\
			libc_first_cond = #cond;			\
		}							\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

static inline int libc_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, libc_checks, libc_failed);
	if (libc_failed)
		printf(LIBC_TAG "fail %s:%d: %s: %s: %d of %d checks failed\n",
		       libc_first_file, libc_first_line, libc_first_cond,
		       name, libc_failed, libc_checks);
	else
		printf(LIBC_TAG "done %s: %d checks\n", name, libc_checks);
	return libc_failed ? 1 : 0;
}

#endif /* LIBC_CHECK_H */
