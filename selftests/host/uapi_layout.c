// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled, never run: include/uapi/denali.h and denali_guest.h with
 * -Wpadded -Werror, so that no struct has padding the headers do not
 * spell out, and their layout asserts as both a 64-bit and a 32-bit
 * process see them.  An ioctl struct is compat-clean when its size and
 * every offset are the same for i386 as for x86-64 (i386 aligns __u64 to
 * 4 bytes, so a missing pad shows up here).  selftests/Makefile compiles
 * this with -m32 when the compiler can (gcc-multilib), and says so when
 * it cannot.
 */
#include "uapi/denali.h"
