/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixed-width types of <linux/types.h>, for guests.
 *
 * include/uapi/denali.h is shared with the host and includes
 * <linux/types.h>.  Guests are built with -nostdinc, so they cannot see
 * the host's kernel headers (and must not: that path also holds glibc's).
 * This file gives the header the few types it needs, with the kernel's
 * exact definitions so that struct layouts match on both sides.
 */
#ifndef _ILWACO_LINUX_TYPES_H
#define _ILWACO_LINUX_TYPES_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef signed short __s16;
typedef unsigned int __u32;
typedef signed int __s32;
typedef unsigned long long __u64;
typedef signed long long __s64;

#endif /* _ILWACO_LINUX_TYPES_H */
