/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libc_* guests' one helper: CHECK(cond) prints the file, line and
 * condition of every failed check, and libc_done() prints one summary
 * line, "NAME: N checks, F failed", and exits 0 only when F is 0.  These
 * guests are ordinary C programs on musl (built like ilwaco-cc builds),
 * so they use stdio, and the checks are about stdio too.
 */
#ifndef LIBC_CHECK_H
#define LIBC_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int libc_checks, libc_failed;

#define CHECK(cond) do {						\
	libc_checks++;							\
	if (!(cond)) {							\
		libc_failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

static inline int libc_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, libc_checks, libc_failed);
	return libc_failed ? 1 : 0;
}

#endif /* LIBC_CHECK_H */
