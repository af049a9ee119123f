// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled, never run: the layout asserts of include/uapi/denali.h and
 * denali_guest.h as a 32-bit process sees them.  An ioctl struct is
 * compat-clean when its size and every offset are the same for i386 as
 * for x86-64 (i386 aligns __u64 to 4 bytes, so a missing pad shows here),
 * and the same asserts run in every 64-bit build.  selftests/Makefile
 * compiles this with -m32 when the compiler can (gcc-multilib), and says
 * so when it cannot.
 */
#include "uapi/denali.h"
