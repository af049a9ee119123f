/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's vocabulary to compile the module's pure
 * logic (guest_mem.c, image.c) into host-side unit tests.
 *
 * The integer types follow the kernel's asm-generic/int-ll64.h (u64 is
 * unsigned long long, not uint64_t's unsigned long), so that the same
 * "%llx" formats compile warning-free in both worlds.
 */
#ifndef DENALI_KSHIM_H
#define DENALI_KSHIM_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

/* Through a helper, or checkpatch would ask for __printf() in its own body. */
#define __kshim_attribute(x)	__attribute__(x)
#define __printf(a, b)		__kshim_attribute((format(printf, a, b)))

/* Like the kernel's: true if the sum wrapped; *d gets the wrapped sum. */
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)

/* The tests never pass arguments with side effects. */
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(type, a, b)	min((type)(a), (type)(b))

/* calloc checks n * size for overflow, as kmalloc_array does. */
#define GFP_KERNEL			0
#define kmalloc_array(n, size, gfp)	calloc(n, size)
#define kmalloc(size, gfp)		malloc(size)
#define kfree(p)			free(p)

#endif /* DENALI_KSHIM_H */
