/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What libilwaco's own files share and guests do not see: the link
 * between the upcall entry stub (upcall.S) and its C half (vregs.c).
 *
 * include/uapi/denali_guest.h declares types, so assembly cannot include it;
 * the two numbers the stub needs from it are repeated here, and vregs.c
 * checks at compile time that they still agree with the header.
 */
#ifndef _ILWACO_INTERNAL_H
#define _ILWACO_INTERNAL_H

#define ILWACO_HYPERCALL_VECTOR		0x1f	/* DENALI_HYPERCALL_VECTOR */
#define ILWACO_HC_UPCALL_RETURN		5	/* DENALI_HC_UPCALL_RETURN */

/* fxsave's area: 512 bytes, 16-byte aligned. */
#define ILWACO_FXSAVE_BYTES		512
/* MXCSR's value at reset: every SSE exception masked, round to nearest. */
#define ILWACO_MXCSR_INIT		0x1f80

#ifndef __ASSEMBLY__
#include "uapi/denali_guest.h"

/*
 * A guest defines main() with no parameters or with argc and argv.  It
 * is always called with both: in the x86-64 calling convention a
 * function that takes none simply ignores RDI and RSI, as C start-up
 * code has always relied on.  Declared here for start.c, not in
 * ilwaco.h, so that either definition compiles against that header.
 */
int main(int argc, char **argv);

/*
 * The start of a program built on musl (libilwaco-posix.a): the Linux
 * process stack's contents, then musl's __libc_start_main(), which runs
 * main() and exits.
 */
_Noreturn void ilwaco_posix_start(int argc, char **argv);

/* Where the monitor sends upcalls; never called from C. */
void ilwaco_upcall_entry(void);

/*
 * The C half of an upcall, called by ilwaco_upcall_entry with the FPU
 * state saved: takes the pending bits and hands them to the handler.
 */
void ilwaco_upcall_dispatch(struct denali_upcall_frame *frame);
#endif

#endif /* _ILWACO_INTERNAL_H */
