/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C library's memory and string functions that guests use.
 *
 * Besides being handy, memcpy, memmove, memset and memcmp must exist: GCC
 * emits calls to them on its own, even with -ffreestanding (for struct
 * copies, large initialisers and loops it recognises), and a guest has no
 * other C library to provide them.  Each behaves as the C standard says.
 */
#ifndef _ILWACO_STRING_H
#define _ILWACO_STRING_H

#include <stddef.h>

/* Copy @n bytes from @src to @dst; the ranges must not overlap.  Returns @dst. */
void *memcpy(void *dst, const void *src, size_t n);

/* Copy @n bytes from @src to @dst; the ranges may overlap.  Returns @dst. */
void *memmove(void *dst, const void *src, size_t n);

/* Set @n bytes at @dst to the byte @c.  Returns @dst. */
void *memset(void *dst, int c, size_t n);

/*
 * Compare @n bytes as unsigned chars; returns <0, 0 or >0 as the first
 * difference in @a is below, absent or above @b's.
 */
int memcmp(const void *a, const void *b, size_t n);

/* The number of bytes before the NUL that ends @s. */
size_t strlen(const char *s);

/* Compare NUL-terminated strings as unsigned chars, like memcmp(). */
int strcmp(const char *a, const char *b);

/* strcmp() that looks at no more than @n bytes of each string. */
int strncmp(const char *a, const char *b, size_t n);

#endif /* _ILWACO_STRING_H */
