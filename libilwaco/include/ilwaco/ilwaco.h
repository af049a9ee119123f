/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libilwaco: the library OS that Denali guests are built on.
 *
 * One include for a guest program: hypercalls, console output, the
 * string functions, the error numbers, the para-virtual machine (clock,
 * idle, virtual interrupts, console input) and what the start-up code
 * (crt0.S, start.c) provides.
 *
 * A guest defines `int main(void)` or `int main(int argc, char **argv)`;
 * its return value becomes the VM's exit status.  argv holds the boot
 * arguments exactly as the VM's creator gave them (`denalictl create
 * IMAGE -- ARGS...`), so argc is their number and argv[0] the first of
 * them, not a program name; with none, argc is 0 and argv[0] is NULL.
 * argv[argc] is always NULL and the strings may be modified.  A guest
 * that wants a Unix-style program name passes one, first.
 *
 * Every image built with this library carries an ELF note naming the ABI
 * of the uapi headers it was built with (DENALI_ABI_MAJOR.MINOR), and
 * runs on a monitor implementing that major version and at least that
 * minor.  A monitor from ABI 0.4 on refuses any other image at creation;
 * should an older one run it anyway, the start-up code finds the
 * monitor's version in the read-only virtual registers, prints
 *
 *	libilwaco: built for Denali ABI 0.4, but the monitor implements 0.3
 *
 * and exits with ILWACO_EXIT_ABI before main() runs.
 */
#ifndef _ILWACO_ILWACO_H
#define _ILWACO_ILWACO_H

#include "ilwaco/compiler.h"
#include "ilwaco/console.h"
#include "ilwaco/errno.h"
#include "ilwaco/hypercall.h"
#include "ilwaco/string.h"
#include "ilwaco/vregs.h"

/*
 * The size of guest memory in bytes, as the monitor passed it in RDI at
 * entry; set before main() runs.  Guest memory is [0, ilwaco_mem_size):
 * the image from DENALI_GUEST_IMAGE_BASE, then free memory, with the
 * initial stack growing down from the top.
 */
extern unsigned long ilwaco_mem_size;

/* The exit status of a guest stopped by the start-up code's ABI check. */
#define ILWACO_EXIT_ABI		126

/*
 * ilwaco_start() - the C half of the start-up code
 * @mem_size: guest memory size from the entry state.
 *
 * Called only by _start (crt0.S) on the initial stack; records
 * @mem_size, collects the boot arguments, runs main() and exits the VM
 * with its return value.
 */
_Noreturn void ilwaco_start(unsigned long mem_size);

#endif /* _ILWACO_ILWACO_H */
