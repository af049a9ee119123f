/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libilwaco: the library OS that Denali guests are built on.
 *
 * One include for a guest program: hypercalls, console output, the
 * string functions, the error numbers, and what the start-up code
 * (crt0.S, start.c) provides.  A guest defines `int main(void)`; its
 * return value becomes the VM's exit status.
 */
#ifndef _ILWACO_ILWACO_H
#define _ILWACO_ILWACO_H

#include "ilwaco/compiler.h"
#include "ilwaco/console.h"
#include "ilwaco/errno.h"
#include "ilwaco/hypercall.h"
#include "ilwaco/string.h"

/*
 * The size of guest memory in bytes, as the monitor passed it in RDI at
 * entry; set before main() runs.  Guest memory is [0, ilwaco_mem_size):
 * the image from DENALI_GUEST_IMAGE_BASE, then free memory, with the
 * initial stack growing down from the top.
 */
extern unsigned long ilwaco_mem_size;

/* The guest program's entry point, called once by ilwaco_start(). */
int main(void);

/*
 * ilwaco_start() - the C half of the start-up code
 * @mem_size: guest memory size from the entry state.
 *
 * Called only by _start (crt0.S) on the initial stack; records
 * @mem_size, runs main() and exits the VM with its return value.
 */
_Noreturn void ilwaco_start(unsigned long mem_size);

#endif /* _ILWACO_ILWACO_H */
