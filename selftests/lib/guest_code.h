/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw guests for the selftests, written in assembler.
 *
 * Many tests need a guest of a few instructions (exit with a status, spin,
 * touch one address) whose every byte is known.  GUEST_CODE() assembles
 * such a guest with the test itself, as top-level asm in a read-only data
 * section, so that the assembler (not a person) encodes the instructions
 * and computes every branch and every offset:
 *
 *	GUEST_CODE(exit7,
 *		"mov $1, %eax		# exit\n"
 *		"mov $7, %edi\n"
 *		"int $0x1f\n");
 *
 *	vm = denali_create_code(exit7, GUEST_CODE_LEN(exit7), MEM);
 *
 * The code is loaded at DENALI_GUEST_IMAGE_BASE and entered at its first
 * byte (elf_build_code()).  Branches to local labels ("1:", "jnz 1b") are
 * relative and so position-independent; absolute addresses appear only
 * as immediates.  A label the test needs the offset of is written
 * NAME_LABEL: in the code, declared with GUEST_CODE_LABEL(NAME, LABEL)
 * (or by GUEST_CODE_LABELED()) and measured with GUEST_CODE_AT(NAME,
 * LABEL).
 *
 * Hypercalls are "int $0x1f" with the number in EAX (docs/ABI.md); the
 * numbers the guests here use are checked against the uapi below.
 */
#ifndef DENALI_SELFTEST_GUEST_CODE_H
#define DENALI_SELFTEST_GUEST_CODE_H

#include <stddef.h>

#include "uapi/denali.h"

#define GUEST_CODE(name, text)						\
	extern const unsigned char name[], name##_end[]			\
		__attribute__((visibility("hidden")));			\
	asm(".pushsection .rodata.denali_guest_code, \"a\"\n"		\
	    ".type " #name ", @object\n"				\
	    #name ":\n"							\
	    text							\
	    "\n" #name "_end:\n"					\
	    ".size " #name ", " #name "_end - " #name "\n"		\
	    ".popsection\n")

/* GUEST_CODE() with the label NAME_LABEL in @text declared as well. */
#define GUEST_CODE_LABELED(name, label, text)				\
	extern const unsigned char name##_##label[]			\
		__attribute__((visibility("hidden")));			\
	GUEST_CODE(name, text)

/* GUEST_CODE() with the labels NAME_L1 and NAME_L2 declared as well. */
#define GUEST_CODE_LABELED2(name, l1, l2, text)				\
	extern const unsigned char name##_##l1[], name##_##l2[]		\
		__attribute__((visibility("hidden")));			\
	GUEST_CODE(name, text)

/* @x, macro-expanded, as assembler text: "mov $" GUEST_STR(N) ", %ecx". */
#define GUEST_STR_(x)	#x
#define GUEST_STR(x)	GUEST_STR_(x)

/* The length in bytes of guest code @name. */
#define GUEST_CODE_LEN(name)	((size_t)(name##_end - name))

/* Declare label NAME_LABEL inside guest code @name. */
#define GUEST_CODE_LABEL(name, label)					\
	extern const unsigned char name##_##label[]			\
		__attribute__((visibility("hidden")))

/* The offset of label NAME_LABEL from the start of guest code @name. */
#define GUEST_CODE_AT(name, label)	((size_t)(name##_##label - name))

/* The hypercall numbers and vector the guests' assembler text spells out. */
_Static_assert(DENALI_HYPERCALL_VECTOR == 0x1f, "int $0x1f");
_Static_assert(DENALI_HC_EXIT == 1, "mov $1, %eax: exit");
_Static_assert(DENALI_HC_CONSOLE_WRITE == 2, "mov $2, %eax: console_write");
_Static_assert(DENALI_HC_NULL == 3, "mov $3, %eax: null");
_Static_assert(DENALI_HC_IDLE == 4, "mov $4, %eax: idle");

#endif /* DENALI_SELFTEST_GUEST_CODE_H */
