/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Denali: the contract between denali.ko and the programs that drive it
 * (denalictl, the selftests, anyone's tooling), and, through
 * denali_guest.h which it includes, between the monitor and its guests.
 * The ABI version (DENALI_ABI_MAJOR, DENALI_ABI_MINOR) covers both parts
 * and is defined there.  docs/ABI.md is the prose twin of the two
 * headers: change them together.
 *
 * Conventions (those of <linux/kvm.h>):
 *  - only fixed-width __u8..__u64 types; every struct has explicit padding,
 *    every __u64 at an offset that is a multiple of 8, and the same layout
 *    for 32- and 64-bit callers (pinned by the asserts at the end, which
 *    selftests/host/uapi_layout.c also compiles with -m32 where it can);
 *  - an array marked "fixed" can grow only with a major version;
 *  - fields are marked IN (caller fills), OUT (module fills) or IN/OUT;
 *  - "reserved" and unused "flags" bits are IN and must be zero, so that a
 *    later minor version can give them meaning: a nonzero value is refused
 *    with EINVAL;
 *  - ioctl numbers are grouped by the kind of file descriptor they act on
 *    and are only ever appended.
 *
 * Versioning: see denali_guest.h.  A caller built against major M works
 * with any module reporting major M and a minor at least as large as the
 * one it needs.
 */
#ifndef _UAPI_LINUX_DENALI_H
#define _UAPI_LINUX_DENALI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#include "denali_guest.h"

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
	char module_version[32];	/* fixed */
	__u64 reserved[4];
};

/*
 * ---------------------------------------------------------------------
 * The host's view: creating and running VMs.
 * ---------------------------------------------------------------------
 */

#define DENALI_NAME_MAX		32	/* including the NUL; fixed */
#define DENALI_ERROR_MAX	128	/* including the NUL; fixed */

/**
 * struct denali_create_vm - DENALI_CREATE_VM's argument
 * @mem_size: IN: guest memory in bytes, a multiple of 4096 from
 *            DENALI_GUEST_MEM_MIN up to the module's max_vm_mem_mb.
 * @image_fd: IN: an open, readable file holding the guest's ELF image.
 * @flags:    IN: (ABI 0.6) DENALI_CREATE_PREALLOC, or zero.  By default
 *            @mem_size is a limit: a page is allocated, zeroed and
 *            charged (to the creator's memory cgroup and the module's
 *            max_total_mem_mb) when first touched, by the guest or by
 *            the host on its behalf.  DENALI_CREATE_PREALLOC allocates
 *            every page at creation, so the guest never takes a demand
 *            fault at run time.
 * @name:     IN: NUL-terminated, letters, digits, '.', '_' and '-' only;
 *            empty means "vm<id>".
 * @id:       OUT: the VM's number, unique among existing VMs; the id of
 *            a destroyed VM may be given to a later one.
 * @pad:      IN: must be zero.
 * @error:    OUT: when the ioctl fails, a NUL-terminated sentence saying
 *            precisely why (e.g. which segment is out of range); empty on
 *            success.
 * @args:     IN: (ABI 0.3) user address of the boot arguments:
 *            NUL-terminated strings back to back, @args_len bytes in all
 *            (at most DENALI_ARGS_MAX, the last byte a NUL); 0 with
 *            @args_len 0 for none (either without the other is EINVAL;
 *            an unreadable @args, EFAULT).  The guest finds them in its
 *            struct denali_vregs_ro.
 * @args_len: IN: (ABI 0.3) see @args.
 * @pad2:     IN: must be zero.
 * @nics:     IN: (ABI 0.5) user address of @nic_count struct
 *            denali_nic_config, one per NIC; 0 with @nic_count 0 for none.
 * @nic_count: IN: (ABI 0.5) at most DENALI_NIC_MAX.
 * @pad3:     IN: must be zero.
 *
 * Returns a new VM file descriptor (close-on-exec) on success.  Each NIC
 * is a Linux network interface from then until the VM is destroyed or
 * freed, with its carrier up while the VM can run.
 */
#define DENALI_CREATE_PREALLOC	(1u << 0)	/* ABI 0.6 */
#define DENALI_CREATE_FLAGS	DENALI_CREATE_PREALLOC

struct denali_create_vm {
	__u64 mem_size;
	__s32 image_fd;
	__u32 flags;
	char name[DENALI_NAME_MAX];	/* fixed */
	__u32 id;
	__u32 pad;
	char error[DENALI_ERROR_MAX];	/* fixed */
	__u64 args;
	__u32 args_len;
	__u32 pad2;
	__u64 nics;
	__u32 nic_count;
	__u32 pad3;
};

/**
 * struct denali_nic_config - one NIC of DENALI_CREATE_VM (ABI 0.5)
 * @flags:    IN: DENALI_NIC_MAC: use @mac; otherwise the MAC is a
 *            locally administered one derived from the VM's name and the
 *            NIC's number (the same every time for the same name).
 * @mac:      IN: a unicast MAC address, with DENALI_NIC_MAC.
 * @pad:      IN: must be zero.
 * @ifname:   IN: the interface's name, NUL-terminated; empty means
 *            "dn<id>" for NIC 0 and "dn<id>n<k>" for NIC k.
 * @pad2:     IN: must be zero.
 * @switch_name: IN: (ABI 0.7) with DENALI_NIC_SWITCH, the NIC is a port
 *            of the module's switch of this name (NUL-terminated, a valid
 *            interface name) instead of an interface of its own: the
 *            switch's one uplink interface has this name, in the
 *            creator's network namespace, and is created with the
 *            switch's first port and unregistered with its last.  @ifname
 *            must then be empty.  The port's MAC (@mac or the default)
 *            must be unique in the switch (EEXIST); the port may send
 *            only frames with its own MAC as the source (others are
 *            dropped and counted).  Without DENALI_NIC_SWITCH: all zero
 *            (it was "reserved" before ABI 0.7).
 */
struct denali_nic_config {
	__u32 flags;
	__u8 mac[6];
	__u8 pad[2];
	char ifname[16];		/* IFNAMSIZ; fixed */
	__u32 pad2;
	char switch_name[16];		/* IFNAMSIZ; fixed; ABI 0.7 */
};

#define DENALI_NIC_MAC		(1u << 0)
#define DENALI_NIC_SWITCH	(1u << 1)	/* ABI 0.7 */
#define DENALI_NIC_FLAGS	(DENALI_NIC_MAC | DENALI_NIC_SWITCH)

/**
 * struct denali_nic_stats - DENALI_GET_NIC_STATS's argument (ABI 0.7)
 * @nic:      IN: the NIC's number, below the VM's NIC count (else ENOENT).
 * @flags:    IN: must be zero.  OUT: DENALI_NIC_SWITCH if the NIC is a
 *            switch port.
 * @ifname:   OUT: the NIC's interface, or for a switch port the switch's
 *            uplink; NUL-terminated.
 * @mac:      OUT: the guest's MAC on this NIC.
 * @pad:      OUT: zero.
 * The counters (OUT) are the NIC's own, as ethtool -S names them on a
 * NIC's interface: frames and bytes put into the guest's receive ring,
 * frames lost on the way there (no buffer posted, a buffer too small,
 * rings not set up or broken), interrupts raised; frames and bytes the
 * guest sent that were taken, those lost after they were taken (no
 * memory, a full backlog, a port whose uplink is down), kicks, and
 * (a switch port) frames dropped because their source MAC was not the
 * port's.  Frames Linux sends to a MAC no port has are the switch's,
 * counted on its uplink.
 * @reserved: OUT: zero.
 */
struct denali_nic_stats {
	__u32 nic;
	__u32 flags;
	char ifname[16];		/* IFNAMSIZ; fixed */
	__u8 mac[6];
	__u8 pad[2];
	__u64 to_guest_packets;
	__u64 to_guest_bytes;
	__u64 drop_no_buffer;
	__u64 drop_too_big;
	__u64 drop_not_ready;
	__u64 irqs;
	__u64 from_guest_packets;
	__u64 from_guest_bytes;
	__u64 from_guest_dropped;
	__u64 kicks;
	__u64 drop_spoofed;
	__u64 reserved[5];
};

/* Why DENALI_RUN returned with the VM stopped. */
enum denali_stop_reason {
	DENALI_STOP_NONE	= 0,	/* not stopped */
	DENALI_STOP_EXIT	= 1,	/* exit hypercall; see exit_status */
	DENALI_STOP_HALT	= 2,	/* the guest executed hlt */
	DENALI_STOP_CRASH	= 3,	/* see struct denali_crash */
	DENALI_STOP_DESTROYED	= 4,	/* DENALI_DESTROY_VM ended it (ABI 0.2) */
};

/* What stopped a crashed VM. */
enum denali_crash_cause {
	DENALI_CRASH_EXCEPTION	= 1,	/* a fault or trap in the guest */
	DENALI_CRASH_PRIVILEGED	= 2,	/* a privileged instruction */
	DENALI_CRASH_INTERNAL	= 3,	/* the monitor could not continue */
	/*
	 * ABI 0.3: the guest broke the virtual-register contract, e.g. an
	 * upcall was due with upcall_entry outside its memory, or
	 * upcall_return found a context it may not resume; vector is 0 and
	 * the description says what.
	 */
	DENALI_CRASH_VREGS	= 4,
	/*
	 * ABI 0.5: the guest broke a NIC ring's contract (a descriptor
	 * outside its memory, a bad length, avail too far ahead); vector is
	 * 0 and the description names the NIC, the ring and the field.
	 */
	DENALI_CRASH_NET	= 5,
	/*
	 * ABI 0.6: a page of guest memory could not be allocated on its
	 * first touch (the creator's memory cgroup at memory.max, the
	 * module's max_total_mem_mb, or no host memory); cr2 is the page,
	 * vector 0, and the description says which limit.
	 */
	DENALI_CRASH_NOMEM	= 6,
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
	__u8 insn[16];	/* fixed */
	__u32 insn_len;
	__u32 pad;
	char description[64];	/* fixed */
};

/* struct denali_run's flags (ABI 0.7). */
#define DENALI_RUN_RETURN_IDLE	(1u << 0)	/* return when the guest idles */
#define DENALI_RUN_FLAGS_ALL	DENALI_RUN_RETURN_IDLE

/* struct denali_run's @result when @reason is DENALI_STOP_NONE (ABI 0.7). */
enum denali_run_result {
	DENALI_RUN_STOPPED	= 0,	/* see @reason */
	DENALI_RUN_IDLE		= 1,	/* idling: wait for EPOLLPRI */
	DENALI_RUN_PREEMPTED	= 2,	/* @slice_ns used up; still runnable */
};

/**
 * struct denali_run - DENALI_RUN's argument
 * @flags:       IN: DENALI_RUN_* (ABI 0.7), zero before.
 * @reason:      OUT: enum denali_stop_reason.
 * @exit_status: OUT: the guest's exit status when reason is EXIT.
 * @pad:         IN: must be zero.
 * @crash:       OUT: valid when reason is CRASH.
 * @slice_ns:    IN (ABI 0.7): return DENALI_RUN_PREEMPTED after about
 *               this long in DENALI_RUN; 0 = no slice.
 * @result:      OUT (ABI 0.7): enum denali_run_result.
 * @pad2:        IN: must be zero.
 * @reserved:    IN: must be zero.
 *
 * DENALI_RUN runs the guest in the calling thread until it stops (returns
 * 0 with @reason set) or a signal is pending (fails with EINTR and may be
 * called again).  Once stopped, a VM stays stopped: further calls return
 * the same report.  Only one thread may run a VM at a time (EBUSY).
 *
 * ABI 0.7, for a runner that hosts many VMs: with DENALI_RUN_RETURN_IDLE
 * it also returns 0, @reason DENALI_STOP_NONE and @result
 * DENALI_RUN_IDLE, when the guest idles, instead of sleeping in the
 * call; the module keeps the idle deadline and raises DENALI_IRQ_TIMER
 * at it from a timer.  With @slice_ns it returns DENALI_RUN_PREEMPTED
 * after that time.  Either way the guest sees nothing: the next
 * DENALI_RUN resumes it exactly where it was (its idle ends only on an
 * interrupt or its timeout).  poll() on the VM file reports EPOLLPRI
 * while the VM is runnable: not stopped, not inside DENALI_RUN, and not
 * idling or its idle over.
 */
struct denali_run {
	__u32 flags;
	__u32 reason;
	__s32 exit_status;
	__u32 pad;
	struct denali_crash crash;
	__u64 slice_ns;
	__u32 result;
	__u32 pad2;
	__u64 reserved[2];
};

/* A VM's state, as listed. */
enum denali_vm_state {
	DENALI_VM_READY		= 1,	/* not running, not stopped */
	DENALI_VM_RUNNING	= 2,	/* a thread is inside DENALI_RUN */
	DENALI_VM_STOPPED	= 3,	/* see stop_reason; listed until destroyed */
};

/**
 * struct denali_vm_info - one VM, as DENALI_LIST_VMS reports it
 * @id, @name, @mem_size: as created.
 * @state:             enum denali_vm_state.
 * @owner_uid:         the creator's effective uid (in the caller's user
 *                     namespace; the overflow uid if unmapped).
 * @runner_pid:        the process that last ran it (in the caller's pid
 *                     namespace), or 0.
 * @stop_reason:       enum denali_stop_reason, for STOPPED.
 * @exit_status:       for DENALI_STOP_EXIT.
 * @crash_cause, @crash_vector, @crash_description: for DENALI_STOP_CRASH.
 * @resident_pages:    (ABI 0.6) guest pages that exist (see
 *                     struct denali_stats).
 * @host_bytes:        (ABI 0.6) host kernel memory of the VM beyond its
 *                     guest pages (see struct denali_stats).
 * @shared_pages:      (ABI 0.7) image pages it maps shared (see struct
 *                     denali_stats).
 * @reserved:          zero.
 */
struct denali_vm_info {
	__u32 id;
	__u32 state;
	char name[DENALI_NAME_MAX];	/* fixed */
	__u64 mem_size;
	__u32 owner_uid;
	__s32 runner_pid;
	__u32 stop_reason;
	__s32 exit_status;
	__u32 crash_cause;
	__u32 crash_vector;
	char crash_description[64];	/* fixed */
	__u64 resident_pages;
	__u64 host_bytes;
	__u64 shared_pages;
	__u64 reserved[1];
};

/**
 * struct denali_list_vms - DENALI_LIST_VMS's argument
 * @capacity: IN: how many struct denali_vm_info fit at @vms.
 * @count:    OUT: how many were written (<= @capacity), by id.
 * @total:    OUT: how many VMs the caller may see (may exceed @capacity:
 *            call again with more room).
 * @flags:    IN: must be zero.
 * @vms:      IN: user address of the array.
 * @shared_pages: OUT: (ABI 0.7) the shared image pages of all the VMs the
 *            caller may see, each page counted once however many of
 *            them map it (struct denali_vm_info's @shared_pages counts
 *            it for each); IN: must be zero, as a reserved word was.
 * @reserved: IN: must be zero.
 *
 * Unprivileged callers see their own VMs only; CAP_SYS_ADMIN sees all.
 */
struct denali_list_vms {
	__u32 capacity;
	__u32 count;
	__u32 total;
	__u32 flags;
	__u64 vms;
	__u64 shared_pages;
	__u64 reserved[3];
};

/**
 * struct denali_vm_ref - names one VM for DENALI_DESTROY_VM, DENALI_OPEN_VM
 * @id:       IN: the VM's id.
 * @flags:    IN: must be zero.
 * @reserved: IN: must be zero.
 *
 * Only the VM's owner or CAP_SYS_ADMIN may name it; for anyone else the
 * VM does not exist (ENOENT), so ids reveal nothing about other users.
 */
struct denali_vm_ref {
	__u32 id;
	__u32 flags;
	__u64 reserved[2];
};

/* Why a VM exited to the monitor, for struct denali_stats. */
enum denali_exit_kind {
	DENALI_EXITK_HYPERCALL	= 0,
	DENALI_EXITK_INTERRUPT	= 1,	/* a host interrupt */
	DENALI_EXITK_NMI	= 2,
	DENALI_EXITK_MCE	= 3,
	DENALI_EXITK_FAULT	= 4,	/* a guest fault or trap: it stopped */
	DENALI_EXITK_ABORTED	= 5,	/* entry abandoned for an NMI/#MC */
	DENALI_EXITK_KICK	= 6,	/* a host interrupt sent to stop it */
	DENALI_EXITK_DEMAND	= 7,	/* first touch of a page (ABI 0.6) */
	DENALI_EXIT_KINDS	= 8	/* fixed */
};

#define DENALI_STATS_HYPERCALLS	16	/* by number; [15]: 15 and above; fixed */

/**
 * struct denali_stats - DENALI_GET_STATS's argument (on a VM fd)
 * @flags:           IN: must be zero.
 * @pad:             IN: must be zero.
 * @runs:            OUT: DENALI_RUN calls.
 * @exits:           OUT: round trips that ended, by enum denali_exit_kind.
 * @hypercalls:      OUT: by number, numbers above 14 counted in [15].
 * @guest_ns:        OUT: nanoseconds spent in round trips (guest time plus
 *                   the switch itself).
 * @console_bytes:   OUT: bytes the guest wrote to its console.
 * @console_dropped: OUT: bytes that fell out of the console buffer
 *                   before anyone could read them.
 * @upcalls:         OUT: (ABI 0.3) virtual interrupt upcalls delivered.
 * @idle_sleeps:     OUT: (ABI 0.3) idle hypercalls that had to wait.
 * @irqs_raised:     OUT: (ABI 0.3) virtual interrupts raised, from every
 *                   source (idle expiry, console input, DENALI_RAISE_IRQ):
 *                   each raise of each bit counts, however many were
 *                   merged into one pending bit.
 * @resident_pages:  OUT: (ABI 0.6) guest pages that exist: touched by the
 *                   guest or the host (all of them with
 *                   DENALI_CREATE_PREALLOC), 4096 bytes each, charged to
 *                   the creator's memory cgroup.
 * @host_bytes:      OUT: (ABI 0.6) host kernel memory the VM holds beyond
 *                   its guest pages: its page tables, its host mapping's
 *                   tables, the VM, console and vCPU state, its NICs'
 *                   devices (docs/ARCHITECTURE.md gives the formula).
 * @shared_pages:    OUT: (ABI 0.7) pages of the image's file bytes the VM
 *                   maps from the module's one copy, shared with the other
 *                   VMs its owner created from the same file: read-only
 *                   segments' pages, and writable ones not yet written
 *                   (the first write, the guest's (a demand exit) or the
 *                   host's on its behalf, makes a private copy, and the
 *                   page moves to @resident_pages).  Not
 *                   in @resident_pages; the same whether or not another
 *                   VM shares them.
 *
 * ABI 0.7 added @shared_pages at the end; DENALI_GET_STATS takes the
 * struct's size from the ioctl number, so a caller built against 0.6
 * (DENALI_GET_STATS_0_6, the struct without @shared_pages) still works
 * and gets the 0.6 fields.
 */
struct denali_stats {
	__u32 flags;
	__u32 pad;
	__u64 runs;
	__u64 exits[DENALI_EXIT_KINDS];	/* fixed */
	__u64 hypercalls[DENALI_STATS_HYPERCALLS];	/* fixed */
	__u64 guest_ns;
	__u64 console_bytes;
	__u64 console_dropped;
	__u64 upcalls;
	__u64 idle_sleeps;
	__u64 irqs_raised;
	__u64 resident_pages;
	__u64 host_bytes;
	__u64 shared_pages;
};

/* struct denali_stats's size before ABI 0.7 (without shared_pages). */
#define DENALI_STATS_SIZE_0_6	(sizeof(struct denali_stats) - sizeof(__u64))

/**
 * struct denali_irq - DENALI_RAISE_IRQ's argument (ABI 0.3)
 * @bits:     IN: DENALI_IRQ_USER(n) bits to raise, at least one, no other.
 * @flags:    IN: must be zero.
 * @pad:      IN: must be zero.
 */
struct denali_irq {
	__u64 bits;
	__u32 flags;
	__u32 pad;
};

/* ioctls on /dev/denali: 0x00-0x3f */
#define DENALI_GET_VERSION _IOWR(DENALI_IOCTL_MAGIC, 0x00, struct denali_version)
#define DENALI_CREATE_VM   _IOWR(DENALI_IOCTL_MAGIC, 0x01, struct denali_create_vm)
/* ABI 0.2 */
#define DENALI_LIST_VMS    _IOWR(DENALI_IOCTL_MAGIC, 0x02, struct denali_list_vms)
/*
 * Stop the VM at once (it ends with DENALI_STOP_DESTROYED) and unlist it;
 * its memory is freed when the last file referring to it is closed.
 */
#define DENALI_DESTROY_VM  _IOW(DENALI_IOCTL_MAGIC, 0x03, struct denali_vm_ref)
/* Returns a new file descriptor for an existing VM (its console, stats). */
#define DENALI_OPEN_VM     _IOW(DENALI_IOCTL_MAGIC, 0x04, struct denali_vm_ref)

/*
 * ioctls on a VM file descriptor: 0x40-0x7f.
 *
 * read(2) on a VM fd returns the guest's console output.  The console
 * keeps the last DENALI_CONSOLE_BYTES written; each open file reads it
 * from its own position, starting at the oldest byte still kept when it
 * was opened (bytes overwritten before a file read them are skipped, and
 * counted in console_dropped).  read blocks while there is nothing new
 * and the VM has not stopped (EAGAIN with O_NONBLOCK), and returns 0 (end
 * of file) once the VM has stopped and everything was read.  poll(2)
 * reports EPOLLIN for something to read, EPOLLHUP once the VM has been
 * destroyed (ABI 0.2).
 *
 * write(2) on a VM fd (ABI 0.3) is console input: the bytes queue for the
 * guest's console_read hypercall (at most DENALI_CONSOLE_INPUT_BYTES
 * unread) and raise DENALI_IRQ_CONSOLE.  A write takes what fits; with
 * nothing fitting it blocks (EAGAIN with O_NONBLOCK) until the guest reads
 * or stops.  Writing to a stopped VM fails with EPIPE.  poll(2) reports
 * EPOLLOUT while there is room, and once the VM has stopped (the write
 * then fails at once with EPIPE).
 */
#define DENALI_CONSOLE_BYTES	(64 * 1024)
#define DENALI_CONSOLE_INPUT_BYTES	4096

#define DENALI_RUN         _IOWR(DENALI_IOCTL_MAGIC, 0x40, struct denali_run)
/* ABI 0.2 */
#define DENALI_GET_STATS   _IOWR(DENALI_IOCTL_MAGIC, 0x41, struct denali_stats)
/* The same, as callers built against ABI 0.6 number it. */
#define DENALI_GET_STATS_0_6 _IOC(_IOC_READ | _IOC_WRITE, DENALI_IOCTL_MAGIC, \
				  0x41, DENALI_STATS_SIZE_0_6)
/*
 * ABI 0.3: raise virtual interrupts, as a device model in the runner
 * would; a VM running on another CPU is interrupted so that it sees them
 * at its next entry, an idle one is woken.  EINVAL for bits outside
 * DENALI_IRQ_USER_ALL or none; EPIPE once the VM has stopped.
 */
#define DENALI_RAISE_IRQ   _IOW(DENALI_IOCTL_MAGIC, 0x42, struct denali_irq)
/* ABI 0.7: one NIC's counters, from the module (switch ports have no interface). */
#define DENALI_GET_NIC_STATS _IOWR(DENALI_IOCTL_MAGIC, 0x43, struct denali_nic_stats)


/*
 * ---------------------------------------------------------------------
 * The layouts above, pinned (DENALI_ABI_SIZE/AT are in denali_guest.h).
 * Every struct an ioctl passes has the same size and offsets in a 32-bit
 * process: selftests/host/uapi_layout.c compiles this header with -m32.
 * ---------------------------------------------------------------------
 */
DENALI_ABI_SIZE(denali_version, 80);
DENALI_ABI_AT(denali_version, abi_major, 0);
DENALI_ABI_AT(denali_version, abi_minor, 4);
DENALI_ABI_AT(denali_version, flags, 8);
DENALI_ABI_AT(denali_version, pad, 12);
DENALI_ABI_AT(denali_version, module_version, 16);
DENALI_ABI_AT(denali_version, reserved, 48);

DENALI_ABI_SIZE(denali_create_vm, 216);
DENALI_ABI_AT(denali_create_vm, mem_size, 0);
DENALI_ABI_AT(denali_create_vm, image_fd, 8);
DENALI_ABI_AT(denali_create_vm, flags, 12);
DENALI_ABI_AT(denali_create_vm, name, 16);
DENALI_ABI_AT(denali_create_vm, id, 48);
DENALI_ABI_AT(denali_create_vm, pad, 52);
DENALI_ABI_AT(denali_create_vm, error, 56);
DENALI_ABI_AT(denali_create_vm, args, 184);
DENALI_ABI_AT(denali_create_vm, args_len, 192);
DENALI_ABI_AT(denali_create_vm, pad2, 196);
DENALI_ABI_AT(denali_create_vm, nics, 200);
DENALI_ABI_AT(denali_create_vm, nic_count, 208);
DENALI_ABI_AT(denali_create_vm, pad3, 212);
DENALI_ABI_SIZE(denali_nic_config, 48);
DENALI_ABI_AT(denali_nic_config, mac, 4);
DENALI_ABI_AT(denali_nic_config, ifname, 12);
DENALI_ABI_AT(denali_nic_config, pad2, 28);
DENALI_ABI_AT(denali_nic_config, switch_name, 32);
DENALI_ABI_SIZE(denali_nic_stats, 160);
DENALI_ABI_AT(denali_nic_stats, ifname, 8);
DENALI_ABI_AT(denali_nic_stats, mac, 24);
DENALI_ABI_AT(denali_nic_stats, to_guest_packets, 32);
DENALI_ABI_AT(denali_nic_stats, drop_spoofed, 112);
DENALI_ABI_AT(denali_nic_stats, reserved, 120);

DENALI_ABI_SIZE(denali_regs, 176);
DENALI_ABI_AT(denali_regs, rax, 0);
DENALI_ABI_AT(denali_regs, r8, 64);
DENALI_ABI_AT(denali_regs, rip, 128);
DENALI_ABI_AT(denali_regs, rflags, 136);
DENALI_ABI_AT(denali_regs, fs_base, 144);
DENALI_ABI_AT(denali_regs, gs_base, 152);
DENALI_ABI_AT(denali_regs, cs, 160);
DENALI_ABI_AT(denali_regs, ss, 162);
DENALI_ABI_AT(denali_regs, ds, 164);
DENALI_ABI_AT(denali_regs, es, 166);
DENALI_ABI_AT(denali_regs, fs, 168);
DENALI_ABI_AT(denali_regs, gs, 170);
DENALI_ABI_AT(denali_regs, pad, 172);

DENALI_ABI_SIZE(denali_crash, 288);
DENALI_ABI_AT(denali_crash, cause, 0);
DENALI_ABI_AT(denali_crash, vector, 4);
DENALI_ABI_AT(denali_crash, error_code, 8);
DENALI_ABI_AT(denali_crash, cr2, 16);
DENALI_ABI_AT(denali_crash, regs, 24);
DENALI_ABI_AT(denali_crash, insn, 200);
DENALI_ABI_AT(denali_crash, insn_len, 216);
DENALI_ABI_AT(denali_crash, pad, 220);
DENALI_ABI_AT(denali_crash, description, 224);

DENALI_ABI_SIZE(denali_run, 336);
DENALI_ABI_AT(denali_run, flags, 0);
DENALI_ABI_AT(denali_run, reason, 4);
DENALI_ABI_AT(denali_run, exit_status, 8);
DENALI_ABI_AT(denali_run, pad, 12);
DENALI_ABI_AT(denali_run, crash, 16);
DENALI_ABI_AT(denali_run, slice_ns, 304);
DENALI_ABI_AT(denali_run, result, 312);
DENALI_ABI_AT(denali_run, pad2, 316);
DENALI_ABI_AT(denali_run, reserved, 320);

DENALI_ABI_SIZE(denali_vm_info, 168);
DENALI_ABI_AT(denali_vm_info, id, 0);
DENALI_ABI_AT(denali_vm_info, state, 4);
DENALI_ABI_AT(denali_vm_info, name, 8);
DENALI_ABI_AT(denali_vm_info, mem_size, 40);
DENALI_ABI_AT(denali_vm_info, owner_uid, 48);
DENALI_ABI_AT(denali_vm_info, runner_pid, 52);
DENALI_ABI_AT(denali_vm_info, stop_reason, 56);
DENALI_ABI_AT(denali_vm_info, exit_status, 60);
DENALI_ABI_AT(denali_vm_info, crash_cause, 64);
DENALI_ABI_AT(denali_vm_info, crash_vector, 68);
DENALI_ABI_AT(denali_vm_info, crash_description, 72);
DENALI_ABI_AT(denali_vm_info, resident_pages, 136);
DENALI_ABI_AT(denali_vm_info, host_bytes, 144);
DENALI_ABI_AT(denali_vm_info, shared_pages, 152);
DENALI_ABI_AT(denali_vm_info, reserved, 160);

DENALI_ABI_SIZE(denali_list_vms, 56);
DENALI_ABI_AT(denali_list_vms, capacity, 0);
DENALI_ABI_AT(denali_list_vms, count, 4);
DENALI_ABI_AT(denali_list_vms, total, 8);
DENALI_ABI_AT(denali_list_vms, flags, 12);
DENALI_ABI_AT(denali_list_vms, vms, 16);
DENALI_ABI_AT(denali_list_vms, shared_pages, 24);
DENALI_ABI_AT(denali_list_vms, reserved, 32);

DENALI_ABI_SIZE(denali_vm_ref, 24);
DENALI_ABI_AT(denali_vm_ref, id, 0);
DENALI_ABI_AT(denali_vm_ref, flags, 4);
DENALI_ABI_AT(denali_vm_ref, reserved, 8);

DENALI_ABI_SIZE(denali_stats, 280);
DENALI_ABI_AT(denali_stats, flags, 0);
DENALI_ABI_AT(denali_stats, pad, 4);
DENALI_ABI_AT(denali_stats, runs, 8);
DENALI_ABI_AT(denali_stats, exits, 16);
DENALI_ABI_AT(denali_stats, hypercalls, 80);
DENALI_ABI_AT(denali_stats, guest_ns, 208);
DENALI_ABI_AT(denali_stats, console_bytes, 216);
DENALI_ABI_AT(denali_stats, console_dropped, 224);
DENALI_ABI_AT(denali_stats, upcalls, 232);
DENALI_ABI_AT(denali_stats, idle_sleeps, 240);
DENALI_ABI_AT(denali_stats, irqs_raised, 248);
DENALI_ABI_AT(denali_stats, resident_pages, 256);
DENALI_ABI_AT(denali_stats, host_bytes, 264);
DENALI_ABI_AT(denali_stats, shared_pages, 272);

DENALI_ABI_SIZE(denali_irq, 16);
DENALI_ABI_AT(denali_irq, bits, 0);
DENALI_ABI_AT(denali_irq, flags, 8);
DENALI_ABI_AT(denali_irq, pad, 12);

/* The fixed arrays: a major version, not a minor one, changes these. */
DENALI_ABI_ASSERT(DENALI_NAME_MAX == 32 && DENALI_ERROR_MAX == 128 &&
		  DENALI_EXIT_KINDS == 8 && DENALI_STATS_HYPERCALLS == 16,
		  "a fixed array changed size");

#endif /* _UAPI_LINUX_DENALI_H */
