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

/*
 * ---------------------------------------------------------------------
 * The guest's view: address space, entry state, hypercalls.
 * ---------------------------------------------------------------------
 *
 * A guest is a static x86-64 ELF64 executable (ET_EXEC, EM_X86_64) linked
 * at DENALI_GUEST_IMAGE_BASE or above.  Its memory is one flat range of
 * guest addresses [0, mem_size) with no paging of its own:
 *
 *   0x00000 - 0x00fff   null guard: never mapped
 *   0x01000 - 0x0ffff   reserved for the monitor (virtual-register pages):
 *                       not mapped now, never loadable
 *   0x10000 - mem_size  the image's PT_LOAD segments, then free memory
 *                       (read-write, not executable) up to the top
 *
 * Every address at or above mem_size is unmapped for the guest.
 */
#define DENALI_GUEST_PAGE_SIZE		0x1000ull
#define DENALI_GUEST_VREGS_RO		0x1000ull	/* reserved, see above */
#define DENALI_GUEST_VREGS_RW		0x2000ull	/* reserved, see above */
#define DENALI_GUEST_IMAGE_BASE		0x10000ull
#define DENALI_GUEST_MEM_MIN		(1ull << 20)

/*
 * Entry state.  RIP = e_entry; RSP = mem_size (the top of memory, 16-byte
 * aligned); RDI = mem_size; RFLAGS = 0x202 (IF set); every other
 * general-purpose register 0; FS/GS bases 0; DS/ES/FS/GS null; x87/SSE/AVX
 * in their initial state (FCW 0x37f, MXCSR 0x1f80).
 */
#define DENALI_GUEST_ENTRY_RFLAGS	0x202ull

/*
 * Hypercalls: `int $0x1f` (a vector the CPU reserves, so no device
 * interrupt can ever arrive on it).  Number in RAX; arguments in RDI, RSI,
 * RDX, R10, R8, R9; result in RAX, a negative errno on failure.  Every
 * other register, the flags and the FPU state are preserved.  Number 0 is
 * reserved and, like any unknown number, returns -ENOSYS.
 */
#define DENALI_HYPERCALL_VECTOR		0x1f

enum denali_hypercall {
	DENALI_HC_RESERVED	= 0,
	/* exit(status: RDI, int): stop the VM; never returns. */
	DENALI_HC_EXIT		= 1,
	/*
	 * console_write(buf: RDI, len: RSI): append the bytes at guest address
	 * buf to the console; returns the count written,
	 * min(len, DENALI_CONSOLE_WRITE_MAX).  -EFAULT unless all of
	 * [buf, buf + len) is mapped guest memory (for len 0: buf's page).
	 */
	DENALI_HC_CONSOLE_WRITE	= 2,
	/* null(): returns 0; for measuring the round trip. */
	DENALI_HC_NULL		= 3,
};

#define DENALI_CONSOLE_WRITE_MAX	4096u

/*
 * ---------------------------------------------------------------------
 * The host's view: creating and running VMs.
 * ---------------------------------------------------------------------
 */

#define DENALI_NAME_MAX		32	/* including the NUL */
#define DENALI_ERROR_MAX	128	/* including the NUL */

/**
 * struct denali_create_vm - DENALI_CREATE_VM's argument
 * @mem_size: IN: guest memory in bytes, a multiple of 4096 from
 *            DENALI_GUEST_MEM_MIN up to the module's max_vm_mem_mb.
 * @image_fd: IN: an open, readable file holding the guest's ELF image.
 * @flags:    IN: must be zero.
 * @name:     IN: NUL-terminated, letters, digits, '.', '_' and '-' only;
 *            empty means "vm<id>".
 * @id:       OUT: the VM's number, unique while the module is loaded.
 * @pad:      IN: must be zero.
 * @error:    OUT: when the ioctl fails, a NUL-terminated sentence saying
 *            precisely why (e.g. which segment is out of range); empty on
 *            success.
 * @reserved: IN: must be zero.
 *
 * Returns a new VM file descriptor (close-on-exec) on success.
 */
struct denali_create_vm {
	__u64 mem_size;
	__s32 image_fd;
	__u32 flags;
	char name[DENALI_NAME_MAX];
	__u32 id;
	__u32 pad;
	char error[DENALI_ERROR_MAX];
	__u64 reserved[4];
};

/* Why DENALI_RUN returned with the VM stopped. */
enum denali_stop_reason {
	DENALI_STOP_NONE	= 0,	/* not stopped */
	DENALI_STOP_EXIT	= 1,	/* exit hypercall; see exit_status */
	DENALI_STOP_HALT	= 2,	/* the guest executed hlt */
	DENALI_STOP_CRASH	= 3,	/* see struct denali_crash */
};

/* What stopped a crashed VM. */
enum denali_crash_cause {
	DENALI_CRASH_EXCEPTION	= 1,	/* a fault or trap in the guest */
	DENALI_CRASH_PRIVILEGED	= 2,	/* a privileged instruction */
	DENALI_CRASH_INTERNAL	= 3,	/* the monitor could not continue */
};

/* The guest's registers, as the monitor saw them when it stopped. */
struct denali_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 fs_base, gs_base;
	__u16 cs, ss, ds, es, fs, gs;
	__u16 pad[2];
};

/**
 * struct denali_crash - the crash report of a stopped VM
 * @cause:       enum denali_crash_cause.
 * @vector:      the x86 exception vector (13 for #GP, 14 for #PF, ...).
 * @error_code:  the exception's error code, 0 when it has none.
 * @cr2:         the faulting address of a #PF, else 0.
 * @regs:        the guest's registers at the faulting instruction.
 * @insn:        up to 16 bytes of guest memory at regs.rip.
 * @insn_len:    how many bytes of @insn could be read.
 * @pad:         zero.
 * @description: NUL-terminated text, e.g. "privileged instruction: cli".
 */
struct denali_crash {
	__u32 cause;
	__u32 vector;
	__u64 error_code;
	__u64 cr2;
	struct denali_regs regs;
	__u8 insn[16];
	__u32 insn_len;
	__u32 pad;
	char description[64];
};

/**
 * struct denali_run - DENALI_RUN's argument
 * @flags:       IN: must be zero.
 * @reason:      OUT: enum denali_stop_reason.
 * @exit_status: OUT: the guest's exit status when reason is EXIT.
 * @pad:         IN: must be zero.
 * @crash:       OUT: valid when reason is CRASH.
 * @reserved:    IN: must be zero.
 *
 * DENALI_RUN runs the guest in the calling thread until it stops (returns
 * 0 with @reason set) or a signal is pending (fails with EINTR and may be
 * called again).  Once stopped, a VM stays stopped: further calls return
 * the same report.  Only one thread may run a VM at a time (EBUSY).
 */
struct denali_run {
	__u32 flags;
	__u32 reason;
	__s32 exit_status;
	__u32 pad;
	struct denali_crash crash;
	__u64 reserved[4];
};

/* ioctls on /dev/denali: 0x00-0x3f */
#define DENALI_GET_VERSION _IOWR(DENALI_IOCTL_MAGIC, 0x00, struct denali_version)
#define DENALI_CREATE_VM   _IOWR(DENALI_IOCTL_MAGIC, 0x01, struct denali_create_vm)

/*
 * ioctls on a VM file descriptor: 0x40-0x7f.  read(2) on a VM fd returns
 * the guest's console output: it blocks while the console is empty and
 * the VM has not stopped (EAGAIN with O_NONBLOCK), and returns 0 (end of
 * file) once the VM has stopped and everything was read.
 */
#define DENALI_RUN         _IOWR(DENALI_IOCTL_MAGIC, 0x40, struct denali_run)

#endif /* _UAPI_LINUX_DENALI_H */
