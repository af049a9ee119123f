/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for <linux/ioctl.h>, for guests.
 *
 * include/uapi/denali.h includes <linux/ioctl.h> for the host's ioctl
 * numbers.  A guest never issues ioctls, so it only needs the include to
 * resolve; the _IO* macros are deliberately left undefined so that any
 * guest code that tried to use an ioctl number fails to compile.
 */
#ifndef _ILWACO_LINUX_IOCTL_H
#define _ILWACO_LINUX_IOCTL_H
#endif /* _ILWACO_LINUX_IOCTL_H */
