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
#define DENALI_ABI_MINOR 3

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
 *   0x01000 - 0x01fff   virtual registers the guest reads (ABI 0.3):
 *                       struct denali_vregs_ro, read-only, not executable
 *   0x02000 - 0x02fff   virtual registers the guest writes (ABI 0.3):
 *                       struct denali_vregs_rw, read-write, not executable
 *   0x03000 - 0x0ffff   reserved for the monitor: not mapped, never loadable
 *   0x10000 - mem_size  the image's PT_LOAD segments, then free memory
 *                       (read-write, not executable) up to the top
 *
 * Every address at or above mem_size is unmapped for the guest.
 */
#define DENALI_GUEST_PAGE_SIZE		0x1000ull
#define DENALI_GUEST_VREGS_RO		0x1000ull
#define DENALI_GUEST_VREGS_RW		0x2000ull
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
	/*
	 * idle(timeout_ns: RDI) (ABI 0.3): give up the CPU until a virtual
	 * interrupt is pending or timeout_ns nanoseconds have passed; the
	 * expiry itself raises DENALI_IRQ_TIMER.  Returns 0.  It returns at
	 * once when an interrupt is already pending (whether or not virtual
	 * interrupts are enabled), never before the timeout otherwise.
	 * timeout_ns 0 is a yield: other threads may run, then it returns
	 * (it neither counts as an idle sleep nor raises DENALI_IRQ_TIMER);
	 * DENALI_IDLE_FOREVER waits for an interrupt only.
	 */
	DENALI_HC_IDLE		= 4,
	/*
	 * upcall_return() (ABI 0.3): resume the context saved in
	 * denali_vregs_rw.saved and enable virtual interrupts, in one step.
	 * The context is checked like any entry: cs and ss must be the values
	 * the monitor stored there, rip inside guest memory (at or above
	 * DENALI_GUEST_IMAGE_BASE, below mem_size), else the VM stops with a
	 * crash report; rflags keeps only the arithmetic flags, TF, DF, AC and
	 * ID.  Does not return to its caller.
	 */
	DENALI_HC_UPCALL_RETURN	= 5,
	/*
	 * console_read(buf: RDI, len: RSI) (ABI 0.3): move up to len bytes of
	 * console input (written to the VM fd) to guest address buf; returns
	 * the count, 0 when there is none.  -EFAULT unless [buf, buf + len)
	 * is writable guest memory.
	 */
	DENALI_HC_CONSOLE_READ	= 6,
	/* time() (ABI 0.3): returns the VM's clock, as in denali_vclock. */
	DENALI_HC_TIME		= 7,
};

#define DENALI_CONSOLE_WRITE_MAX	4096u
#define DENALI_IDLE_FOREVER		(~0ull)

/*
 * ---------------------------------------------------------------------
 * Virtual registers (ABI 0.3): two pages of guest memory, so reading the
 * time or masking interrupts costs no exit.
 * ---------------------------------------------------------------------
 */

/*
 * Virtual interrupts: bits of denali_vregs_rw.pending.  An interrupt says
 * "this happened at least once since you last took the bit"; any number
 * of raises while the VM is switched out are one bit, delivered in one
 * upcall.  Bits outside DENALI_IRQ_ALL are never raised by the monitor;
 * if the guest sets them they are left as they are and ignored (they
 * neither cause an upcall nor end an idle).
 */
#define DENALI_IRQ_TIMER	(1ull << 0)	/* an idle timeout expired */
#define DENALI_IRQ_CONSOLE	(1ull << 1)	/* console input arrived */
#define DENALI_IRQ_NET		(1ull << 2)	/* reserved for the NIC */
#define DENALI_IRQ_USER_SHIFT	16		/* raised with DENALI_RAISE_IRQ */
#define DENALI_IRQ_USER(n)	(1ull << (DENALI_IRQ_USER_SHIFT + (n)))
#define DENALI_IRQ_USER_ALL	(0xffffull << DENALI_IRQ_USER_SHIFT)
#define DENALI_IRQ_ALL		(DENALI_IRQ_TIMER | DENALI_IRQ_CONSOLE | \
				 DENALI_IRQ_NET | DENALI_IRQ_USER_ALL)

/* denali_vclock.flags */
#define DENALI_VCLOCK_TSC_STABLE	(1u << 0)

/**
 * struct denali_vclock - the VM's clock: nanoseconds since the VM was made
 * @seq:           odd while the monitor updates the fields below: read
 *                 @seq, the fields, then @seq again, and retry if it was
 *                 odd or changed.
 * @flags:         DENALI_VCLOCK_TSC_STABLE: the TSC runs at a constant
 *                 rate on every CPU, so
 *                 ns = system_ns + scale(rdtsc() - tsc_timestamp), where
 *                 scale(d) = ((tsc_shift >= 0 ? d << tsc_shift :
 *                              d >> -tsc_shift) * tsc_mul) >> 32
 *                 (a 64x32-bit multiply keeping bits 32-95).  Without it
 *                 the TSC is not to be used: read @host_ns, or make the
 *                 time hypercall for the current value.
 * @tsc_mul:       see @flags.
 * @tsc_shift:     see @flags.
 * @pad:           zero.
 * @tsc_timestamp: see @flags.
 * @system_ns:     see @flags.
 * @host_ns:       the clock as the monitor last entered the guest
 *                 (refreshed on every entry, with one aligned store that
 *                 needs no @seq round).
 *
 * Every source gives a clock that never goes backwards, on any CPU.
 */
struct denali_vclock {
	__u32 seq;
	__u32 flags;
	__u32 tsc_mul;
	__s8 tsc_shift;
	__u8 pad[3];
	__u64 tsc_timestamp;
	__u64 system_ns;
	__u64 host_ns;
};

#define DENALI_ARGS_MAX			2048	/* bytes of boot arguments */
#define DENALI_VREGS_ARGS_OFFSET	2048	/* of args in the RO page */

/**
 * struct denali_vregs_ro - the page at DENALI_GUEST_VREGS_RO
 * @abi_major: the monitor's DENALI_ABI_MAJOR.
 * @abi_minor: the monitor's DENALI_ABI_MINOR.
 * @vm_id:     the VM's id (as listed).
 * @flags:     zero.
 * @mem_size:  guest memory in bytes.
 * @mac:       the NIC's MAC address; all zero while the VM has no NIC.
 * @pad:       zero.
 * @argc:      how many boot arguments there are.
 * @args_len:  bytes used at @args, including every string's NUL.
 * @clock:     the time (struct denali_vclock).
 * @reserved:  zero.
 * @args:      the boot arguments, NUL-terminated strings back to back.
 */
struct denali_vregs_ro {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 vm_id;
	__u32 flags;
	__u64 mem_size;
	__u8 mac[6];
	__u8 pad[2];
	__u32 argc;
	__u32 args_len;
	struct denali_vclock clock;
	__u64 reserved[(DENALI_VREGS_ARGS_OFFSET - 80) / 8];
	char args[DENALI_ARGS_MAX];
};

/**
 * struct denali_upcall_frame - a context interrupted by an upcall
 *
 * The monitor stores every general-purpose register, rip, rflags and the
 * selectors the guest ran with; upcall_return resumes exactly what is
 * here, so a handler may change it (e.g. to switch threads).
 */
struct denali_upcall_frame {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u16 cs, ss;
	__u16 pad[2];
};

/**
 * struct denali_vregs_rw - the page at DENALI_GUEST_VREGS_RW
 * @irq_enabled:  the virtual interrupt flag: nonzero lets the monitor
 *                deliver upcalls.  The guest sets and clears it with a
 *                plain store; the monitor clears it when it delivers an
 *                upcall and sets it in upcall_return.  A guest that sets
 *                it while bits are pending should handle them itself or
 *                yield (idle with timeout 0): the upcall comes on the
 *                next entry, not at the store.
 * @pad:          ignored.
 * @pending:      pending interrupts (DENALI_IRQ_*).  The monitor sets
 *                bits with atomic read-modify-writes at any time, from any
 *                CPU; the guest takes them with an atomic exchange
 *                (`xchg`), never a plain store.
 * @upcall_entry: where upcalls begin; must lie inside guest memory
 *                (>= DENALI_GUEST_IMAGE_BASE, < mem_size) when an upcall
 *                is due, else the VM stops with a crash report.
 * @upcall_stack: the stack upcalls run on: RSP is set to it, rounded down
 *                to 16 bytes; it must lie in (DENALI_GUEST_IMAGE_BASE,
 *                mem_size].  0: run on the interrupted stack, below its
 *                128-byte red zone (RSP = (rsp - 128) & ~15).
 * @saved:        the interrupted context, written by the monitor at each
 *                upcall, read back by upcall_return.
 *
 * The page starts zeroed: interrupts disabled, nothing pending, no
 * upcall entry.
 *
 * An upcall starts at @upcall_entry with RSP as above, RDI = the guest
 * address of @saved, RFLAGS = 0x202, every other register (and the FPU,
 * which is the guest's to save) as it was when the guest was interrupted,
 * and @irq_enabled already 0.  The monitor reads each field of this page
 * once per use and trusts none of them.
 */
struct denali_vregs_rw {
	__u32 irq_enabled;
	__u32 pad;
	__u64 pending;
	__u64 upcall_entry;
	__u64 upcall_stack;
	struct denali_upcall_frame saved;
};

#define DENALI_UPCALL_RED_ZONE	128

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
	__u64 args;
	__u32 args_len;
	__u32 pad2;
	__u64 reserved[2];
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
 * @reserved:          zero.
 */
struct denali_vm_info {
	__u32 id;
	__u32 state;
	char name[DENALI_NAME_MAX];
	__u64 mem_size;
	__u32 owner_uid;
	__s32 runner_pid;
	__u32 stop_reason;
	__s32 exit_status;
	__u32 crash_cause;
	__u32 crash_vector;
	char crash_description[64];
	__u64 reserved[4];
};

/**
 * struct denali_list_vms - DENALI_LIST_VMS's argument
 * @capacity: IN: how many struct denali_vm_info fit at @vms.
 * @count:    OUT: how many were written (<= @capacity), by id.
 * @total:    OUT: how many VMs the caller may see (may exceed @capacity:
 *            call again with more room).
 * @flags:    IN: must be zero.
 * @vms:      IN: user address of the array.
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
	__u64 reserved[4];
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
	DENALI_EXIT_KINDS	= 8
};

#define DENALI_STATS_HYPERCALLS	16	/* by number; [15]: 15 and above */

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
 * @reserved:        IN: must be zero.  OUT: zero.
 */
struct denali_stats {
	__u32 flags;
	__u32 pad;
	__u64 runs;
	__u64 exits[DENALI_EXIT_KINDS];
	__u64 hypercalls[DENALI_STATS_HYPERCALLS];
	__u64 guest_ns;
	__u64 console_bytes;
	__u64 console_dropped;
	__u64 upcalls;
	__u64 idle_sleeps;
	__u64 irqs_raised;
	__u64 reserved[2];
};

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
/*
 * ABI 0.3: raise virtual interrupts, as a device model in the runner
 * would; a VM running on another CPU is interrupted so that it sees them
 * at its next entry, an idle one is woken.  EINVAL for bits outside
 * DENALI_IRQ_USER_ALL or none; EPIPE once the VM has stopped.
 */
#define DENALI_RAISE_IRQ   _IOW(DENALI_IOCTL_MAGIC, 0x42, struct denali_irq)

#endif /* _UAPI_LINUX_DENALI_H */
