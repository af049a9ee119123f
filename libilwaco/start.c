// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of a guest's start-up: between _start (crt0.S), which only
 * makes the entry state fit the C calling convention, and main().
 *
 * Nothing needs initialising here: the monitor's loader zeroes .bss (it
 * is the zero-filled tail of the data segment, as in any ELF loader),
 * the entry state fixes the FPU control words, and libilwaco runs no
 * constructors (guest.lds refuses images that have any).
 */
#include "ilwaco/ilwaco.h"

unsigned long ilwaco_mem_size;

_Noreturn void ilwaco_start(unsigned long mem_size)
{
	ilwaco_mem_size = mem_size;
	denali_exit(main());
}
