// SPDX-License-Identifier: GPL-2.0
/*
 * Memory and string functions for guests; see include/ilwaco/string.h.
 *
 * memcpy and memset use the string instructions (rep movsb, rep stosb):
 * on every CPU with fast-string support they are as quick as anything
 * short of hand-tuned vector code, they are tiny, and they touch no SIMD
 * register, so they are safe to call from code that keeps vector state
 * live (tests such as state_junk do) and cost nothing extra on exits.
 *
 * The Makefile builds this file with -fno-tree-loop-distribute-patterns:
 * otherwise GCC recognises the byte loops below as "a memmove" or "a
 * strlen" and replaces them with calls to those very functions, which
 * would recurse forever.
 */
#include "ilwaco/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb"
		     : "+D" (d), "+S" (src), "+c" (n)
		     : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copying forwards is right unless dst starts inside src. */
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	asm volatile("rep stosb"
		     : "+D" (d), "+c" (n)
		     : "a" (c)
		     : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			return 0;
	}
	return 0;
}
