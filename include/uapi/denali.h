/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Denali: the contract between denali.ko and the programs that drive it
 * (denalictl, the selftests, anyone's tooling), and later between the
 * monitor and its guests.  docs/ABI.md is this file's prose twin: change
 * both together.
 *
 * Conventions (those of <linux/kvm.h>):
 *  - only fixed-width __u8..__u64 types; every struct has explicit padding
 *    and the same layout for 32- and 64-bit callers;
 *  - fields are marked IN (caller fills), OUT (module fills) or IN/OUT;
 *  - "reserved" and unused "flags" bits are IN and must be zero, so that a
 *    later minor version can give them meaning: a nonzero value is refused
 *    with EINVAL;
 *  - ioctl numbers are grouped by the kind of file descriptor they act on
 *    and are only ever appended.
 *
 * Versioning: DENALI_ABI_MAJOR changes when something an existing caller or
 * guest relies on changes incompatibly (a layout, a meaning, a removal).
 * DENALI_ABI_MINOR changes when something is added that old callers can
 * ignore (a new ioctl, a flag, a field carved out of reserved space).  A
 * caller built against major M works with any module reporting major M and
 * a minor at least as large as the one it needs.
 */
#ifndef _UAPI_LINUX_DENALI_H
#define _UAPI_LINUX_DENALI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DENALI_ABI_MAJOR 0
#define DENALI_ABI_MINOR 1

/* The control device, created by denali.ko. */
#define DENALI_DEVICE_NAME "denali"
#define DENALI_DEVICE_PATH "/dev/denali"

/* 0xDE is unused in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define DENALI_IOCTL_MAGIC 0xDE

/**
 * struct denali_version - what the loaded module implements
 * @abi_major:      OUT: DENALI_ABI_MAJOR of the module.
 * @abi_minor:      OUT: DENALI_ABI_MINOR of the module.
 * @flags:          IN: must be zero.
 * @pad:            IN: must be zero.
 * @module_version: OUT: the module's release, NUL-terminated text such as
 *                  "0.1.0"; for people, not for feature tests.
 * @reserved:       IN: must be zero.  OUT: zero.
 */
struct denali_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 flags;
	__u32 pad;
	char module_version[32];
	__u64 reserved[4];
};

/* ioctls on /dev/denali: 0x00-0x3f */
#define DENALI_GET_VERSION _IOWR(DENALI_IOCTL_MAGIC, 0x00, struct denali_version)

#endif /* _UAPI_LINUX_DENALI_H */
