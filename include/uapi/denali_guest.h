/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Denali: the contract between the monitor (denali.ko) and its guests,
 * on its own.  Everything a guest sees is here: the ABI version, the
 * image's ABI note, the address space, the entry state, the hypercalls
 * and the virtual-register pages (later, the NIC's rings).  Nothing here
 * concerns the host's ioctls: those are in denali.h, which includes this
 * file, so there is one contract with two parts, as <linux/kvm.h> and
 * <linux/kvm_para.h> are.  docs/ABI.md is the prose twin of both.
 *
 * This header needs a C99 compiler and nothing else: <stdint.h> and
 * <stddef.h>, which a freestanding implementation provides too (in the
 * kernel, the same names come from <linux/types.h> and <linux/stddef.h>).
 * A guest built with -nostdinc and its compiler's own headers, in any
 * language runtime, can include it as it is.
 *
 * Conventions: fixed-width types only, explicit padding, every uint64_t
 * at an offset that is a multiple of 8, the same layout for every
 * compiler; sizes and offsets are pinned by the DENALI_ABI_ASSERT()s at
 * the end.  An array marked "fixed" can grow only with a major version.
 *
 * Versioning: DENALI_ABI_MAJOR changes when something an existing caller or
 * guest relies on changes incompatibly (a layout, a meaning, a removal).
 * DENALI_ABI_MINOR changes when something is added that old callers and
 * guests can ignore (a hypercall, a flag, a field carved out of reserved
 * space).  Something built for M.m works with a monitor reporting major M
 * and a minor at least m.
 */
#ifndef _UAPI_LINUX_DENALI_GUEST_H
#define _UAPI_LINUX_DENALI_GUEST_H

#ifdef __KERNEL__
#include <linux/stddef.h>
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#define DENALI_ABI_MAJOR 0
#define DENALI_ABI_MINOR 7

/*
 * DENALI_ABI_ASSERT() - a layout the ABI pins, checked at compile time
 * where the compiler has _Static_assert (C11); a C99 compiler skips the
 * check (the declaration it leaves may be repeated freely).
 */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DENALI_ABI_ASSERT(cond, why)	_Static_assert(cond, why)
#else
#define DENALI_ABI_ASSERT(cond, why)	extern int denali_abi_unchecked
#endif

/*
 * ---------------------------------------------------------------------
 * The image, the address space, the entry state, the hypercalls.
 * ---------------------------------------------------------------------
 *
 * A guest is a static x86-64 ELF64 executable (ET_EXEC, EM_X86_64) linked
 * at DENALI_GUEST_IMAGE_BASE or above, which says in an ELF note which ABI
 * it was built for (below).  Its memory is one flat range of
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
 * The ABI note (ABI 0.4): an ELF note, in a segment a PT_NOTE program
 * header describes, with
 *
 *   n_namesz 7, name "Denali" (NUL-terminated, padded to 8 bytes),
 *   n_type   DENALI_NOTE_ABI,
 *   n_descsz 8, desc struct denali_note_abi: the DENALI_ABI_MAJOR and
 *            DENALI_ABI_MINOR the image was built against.
 *
 * The loader refuses an image whose note names another major version or
 * a newer minor than the monitor's, or that has two such notes or a
 * malformed one, with ENOEXEC and a sentence saying which.  An image
 * without the note was built before it existed and is taken as built for
 * DENALI_ABI_NO_NOTE_MINOR (0.3).  libilwaco puts the note in every image.
 */
#define DENALI_NOTE_NAME		"Denali"
#define DENALI_NOTE_ABI			1
#define DENALI_ABI_NO_NOTE_MINOR	3

/**
 * struct denali_note_abi - the descriptor of the DENALI_NOTE_ABI note
 * @major: the DENALI_ABI_MAJOR the image was built for.
 * @minor: the DENALI_ABI_MINOR the image was built for.
 */
struct denali_note_abi {
	uint32_t major;
	uint32_t minor;
};

/*
 * Hypercalls: `int $0x1f` (a vector the CPU reserves, so no device
 * interrupt can ever arrive on it).  Number in RAX; arguments in RDI, RSI,
 * RDX, R10, R8, R9; result in RAX, a negative errno on failure.  Every
 * other register, the flags and the FPU state are preserved.  Number 0 is
 * reserved and, like any unknown number, returns -ENOSYS.
 *
 * More than one result: RAX carries one value only, a count or a negative
 * errno.  A hypercall that has more to return takes, as its first
 * argument (RDI), the guest address of a struct of its own, named
 * struct denali_hc_<name>, laid out by the rules above (fixed-width types,
 * explicit padding, IN and OUT fields, reserved fields IN and zero).  The
 * monitor copies the struct in once, checks the copy, and on success
 * writes the whole struct back before returning 0 (or a count) in RAX; on
 * failure it writes nothing.  A struct not entirely in writable guest
 * memory is -EFAULT.  No result ever comes back in another register, so
 * "every other register is preserved" holds for every hypercall.
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
	/*
	 * set_base(which: RDI, base: RSI) (ABI 0.5): set the FS base
	 * (which = DENALI_BASE_FS) or the GS base (DENALI_BASE_GS) the
	 * guest runs with from now on; returns 0.  -EINVAL for another
	 * which, or a base at or above DENALI_GUEST_BASE_LIMIT.  Where
	 * denali_vregs_ro.flags has DENALI_VRO_FSGSBASE, wrfsbase and
	 * wrgsbase do the same without an exit.
	 */
	DENALI_HC_SET_BASE	= 8,
	/*
	 * net_setup(setup: RDI, struct denali_hc_net_setup *) (ABI 0.5):
	 * give NIC setup->nic its transmit and receive rings, once.  0, or
	 * -EINVAL (no such NIC, a ring size that is not a power of two in
	 * [DENALI_NET_RING_MIN, DENALI_NET_RING_MAX], max_mtu outside
	 * [DENALI_NET_MTU_MIN, DENALI_NET_MTU_MAX], reserved fields not
	 * zero), -EBUSY (already set up), -EFAULT (the struct, or a ring,
	 * not entirely in writable guest memory, or a ring not 64-byte
	 * aligned).
	 */
	DENALI_HC_NET_SETUP	= 9,
	/*
	 * net_kick(nic: RDI) (ABI 0.5): transmit every frame queued on the
	 * NIC's transmit ring; returns how many, or -EINVAL (no such NIC or
	 * not set up).  A malformed descriptor stops the VM (see below).
	 */
	DENALI_HC_NET_KICK	= 10,
};

#define DENALI_BASE_FS			0
#define DENALI_BASE_GS			1
#define DENALI_GUEST_BASE_LIMIT		(1ull << 47)

#define DENALI_CONSOLE_WRITE_MAX	4096u
#define DENALI_IDLE_FOREVER		(~0ull)

/*
 * ---------------------------------------------------------------------
 * The virtual NIC (ABI 0.5): up to DENALI_NIC_MAX Ethernet NICs per VM,
 * each a pair of rings in guest memory that the guest registers once
 * (net_setup) and the monitor then reads and writes directly.
 *
 * A ring is a struct denali_net_ring followed by @size descriptors.
 * Both rings work the same way: the guest fills descriptors and
 * advances @avail (a free-running count; slot = count % size), the
 * monitor completes them in order and advances @used.  Slots from used
 * to avail belong to the monitor, the others to the guest.
 *
 *  - Transmit: a descriptor is a frame (addr, len: a whole Ethernet
 *    frame without FCS, 14 to mtu + 14 bytes, in guest memory).  net_kick
 *    sends every one queued; so do the idle hypercall and the exit
 *    hypercall, so a guest that queues frames and then idles needs no
 *    kick.  Frames are copied out before the monitor advances @used.
 *  - Receive: a descriptor is an empty buffer (addr, len: its size).
 *    The monitor copies a frame into the next one, sets len to the
 *    frame's length, then advances @used.  A frame for a guest with no
 *    buffer posted, or bigger than the buffer, is dropped and counted
 *    (the host never waits for a guest and keeps no queue for it).
 *  - Interrupts: after advancing the receive ring's @used from n to
 *    n + 1, the monitor raises DENALI_IRQ_NET if n == @irq_at.  A guest
 *    that wants an interrupt for the next frame sets irq_at to the
 *    count it has consumed and then looks at @used once more (a frame
 *    may have landed in between); a guest that is busy polling simply
 *    leaves irq_at behind and takes no interrupt at all.
 *
 * The monitor reads avail, addr and len once per use and checks them:
 * avail more than size ahead of used, or a descriptor outside guest
 * memory (writable memory for receive buffers), or a transmit length
 * out of range, stops the VM with a DENALI_CRASH_NET report naming the
 * NIC, the ring and the field.  Nothing the guest writes can touch the
 * host.
 * ---------------------------------------------------------------------
 */
#define DENALI_NIC_MAX		8
#define DENALI_NET_RING_MIN	2
#define DENALI_NET_RING_MAX	4096
#define DENALI_NET_RING_ALIGN	64
#define DENALI_NET_MTU_MIN	68
#define DENALI_NET_MTU_MAX	9000
#define DENALI_NET_MTU_DEFAULT	1500
#define DENALI_NET_HLEN		14	/* Ethernet header, no VLAN tag */

/**
 * struct denali_net_desc - one frame or buffer
 * @addr:  guest address of the frame or buffer.
 * @len:   transmit: the frame's length; receive: the buffer's size,
 *         replaced by the frame's length when the monitor fills it.
 * @flags: zero.
 */
struct denali_net_desc {
	uint64_t addr;
	uint32_t len;
	uint32_t flags;
};

/**
 * struct denali_net_ring - a ring's header, followed by its descriptors
 * @avail:    written by the guest: descriptors it has posted, ever.
 * @used:     written by the monitor: descriptors it has completed, ever.
 * @irq_at:   receive ring: see "Interrupts" above; transmit ring: zero.
 * @flags:    zero.
 * @reserved: zero.
 * @desc:     the ring's size descriptors.
 */
struct denali_net_ring {
	uint32_t avail;
	uint32_t used;
	uint32_t irq_at;
	uint32_t flags;
	uint64_t reserved[2];
	struct denali_net_desc desc[];
};

/**
 * struct denali_hc_net_setup - net_setup's argument (all IN)
 * @nic:       which NIC, 0 to nic_count - 1.
 * @ring_size: descriptors per ring, a power of two.
 * @tx_ring:   guest address of the transmit ring (64-byte aligned).
 * @rx_ring:   guest address of the receive ring (64-byte aligned).
 * @max_mtu:   the largest MTU the guest can take: the operator cannot
 *             set the interface's MTU above it.
 * @flags:     zero.
 * @reserved:  zero.
 */
struct denali_hc_net_setup {
	uint32_t nic;
	uint32_t ring_size;
	uint64_t tx_ring;
	uint64_t rx_ring;
	uint32_t max_mtu;
	uint32_t flags;
	uint64_t reserved[2];
};

/** The bytes a ring of @size descriptors takes in guest memory. */
#define DENALI_NET_RING_BYTES(size) \
	(sizeof(struct denali_net_ring) + \
	 (size) * sizeof(struct denali_net_desc))

/**
 * struct denali_nic_info - a NIC, as the read-only page describes it
 * @mac:  its MAC address.
 * @pad:  zero.
 * @mtu:  the interface's MTU now (the operator may change it, up to the
 *        guest's max_mtu); receive buffers of mtu + DENALI_NET_HLEN
 *        bytes take every frame.
 * @ring_max: DENALI_NET_RING_MAX.
 */
struct denali_nic_info {
	uint8_t mac[6];
	uint16_t pad;
	uint32_t mtu;
	uint32_t ring_max;
};

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
#define DENALI_IRQ_NET		(1ull << 2)	/* a NIC received (ABI 0.5) */
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
	uint32_t seq;
	uint32_t flags;
	uint32_t tsc_mul;
	int8_t tsc_shift;
	uint8_t pad[3];
	uint64_t tsc_timestamp;
	uint64_t system_ns;
	uint64_t host_ns;
};

#define DENALI_ARGS_MAX			2048	/* bytes of boot arguments */
#define DENALI_VRO_FSGSBASE		(1u << 0)	/* denali_vregs_ro.flags */
#define DENALI_VREGS_ARGS_OFFSET	2048	/* of args in the RO page */

/**
 * struct denali_vregs_ro - the page at DENALI_GUEST_VREGS_RO
 * @abi_major: the monitor's DENALI_ABI_MAJOR.
 * @abi_minor: the monitor's DENALI_ABI_MINOR.
 * @vm_id:     the VM's id (as listed).
 * @flags:     DENALI_VRO_FSGSBASE (ABI 0.5): the guest may use the
 *             rdfsbase/wrfsbase/rdgsbase/wrgsbase instructions (the
 *             host enabled them); without it they fault.  Other bits zero.
 * @mem_size:  guest memory in bytes.
 * @mac:       NIC 0's MAC address; all zero while the VM has no NIC.
 * @pad:       zero.
 * @argc:      how many boot arguments there are.
 * @args_len:  bytes used at @args, including every string's NUL.
 * @clock:     the time (struct denali_vclock).
 * @wall_offset_ns: (ABI 0.5) the host's real time (CLOCK_REALTIME, ns
 *             since 1970) minus the VM's clock: real time is the VM's
 *             clock plus this.  Refreshed before every entry with one
 *             aligned store (the host's real time may be stepped).
 * @nic_count: how many NICs the VM has (ABI 0.5).
 * @pad2:      zero.
 * @nics:      each NIC (ABI 0.5); entries from nic_count on are zero.
 * @reserved:  zero.
 * @args:      the boot arguments, NUL-terminated strings back to back.
 */
struct denali_vregs_ro {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t vm_id;
	uint32_t flags;
	uint64_t mem_size;
	uint8_t mac[6];			/* fixed */
	uint8_t pad[2];
	uint32_t argc;
	uint32_t args_len;
	struct denali_vclock clock;
	int64_t wall_offset_ns;
	uint32_t nic_count;
	uint32_t pad2;
	struct denali_nic_info nics[DENALI_NIC_MAX];	/* fixed */
	uint64_t reserved[(DENALI_VREGS_ARGS_OFFSET - 224) / 8];
	char args[DENALI_ARGS_MAX];	/* fixed */
};

/**
 * struct denali_upcall_frame - a context interrupted by an upcall
 *
 * The monitor stores every general-purpose register, rip, rflags and the
 * selectors the guest ran with; upcall_return resumes exactly what is
 * here, so a handler may change it (e.g. to switch threads).
 */
struct denali_upcall_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint16_t cs, ss;
	uint16_t pad[2];
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
	uint32_t irq_enabled;
	uint32_t pad;
	uint64_t pending;
	uint64_t upcall_entry;
	uint64_t upcall_stack;
	struct denali_upcall_frame saved;
};

#define DENALI_UPCALL_RED_ZONE	128


/*
 * ---------------------------------------------------------------------
 * The layouts above, pinned: a change that moves a field fails to build.
 * ---------------------------------------------------------------------
 */
#define DENALI_ABI_AT(type, field, off) \
	DENALI_ABI_ASSERT(offsetof(struct type, field) == (off), \
			  #type "." #field " moved")
#define DENALI_ABI_SIZE(type, size) \
	DENALI_ABI_ASSERT(sizeof(struct type) == (size), \
			  "struct " #type " changed size")

DENALI_ABI_SIZE(denali_note_abi, 8);
DENALI_ABI_AT(denali_note_abi, minor, 4);

DENALI_ABI_SIZE(denali_vclock, 40);
DENALI_ABI_AT(denali_vclock, seq, 0);
DENALI_ABI_AT(denali_vclock, flags, 4);
DENALI_ABI_AT(denali_vclock, tsc_mul, 8);
DENALI_ABI_AT(denali_vclock, tsc_shift, 12);
DENALI_ABI_AT(denali_vclock, pad, 13);
DENALI_ABI_AT(denali_vclock, tsc_timestamp, 16);
DENALI_ABI_AT(denali_vclock, system_ns, 24);
DENALI_ABI_AT(denali_vclock, host_ns, 32);

/* The read-only page: one page, args where the ABI says. */
DENALI_ABI_SIZE(denali_vregs_ro, DENALI_GUEST_PAGE_SIZE);
DENALI_ABI_AT(denali_vregs_ro, abi_major, 0);
DENALI_ABI_AT(denali_vregs_ro, abi_minor, 4);
DENALI_ABI_AT(denali_vregs_ro, vm_id, 8);
DENALI_ABI_AT(denali_vregs_ro, flags, 12);
DENALI_ABI_AT(denali_vregs_ro, mem_size, 16);
DENALI_ABI_AT(denali_vregs_ro, mac, 24);
DENALI_ABI_AT(denali_vregs_ro, pad, 30);
DENALI_ABI_AT(denali_vregs_ro, argc, 32);
DENALI_ABI_AT(denali_vregs_ro, args_len, 36);
DENALI_ABI_AT(denali_vregs_ro, clock, 40);
DENALI_ABI_AT(denali_vregs_ro, wall_offset_ns, 80);
DENALI_ABI_AT(denali_vregs_ro, nic_count, 88);
DENALI_ABI_AT(denali_vregs_ro, nics, 96);
DENALI_ABI_AT(denali_vregs_ro, reserved, 224);

DENALI_ABI_SIZE(denali_nic_info, 16);
DENALI_ABI_AT(denali_nic_info, mtu, 8);
DENALI_ABI_AT(denali_nic_info, ring_max, 12);

DENALI_ABI_SIZE(denali_net_desc, 16);
DENALI_ABI_AT(denali_net_desc, len, 8);
DENALI_ABI_AT(denali_net_desc, flags, 12);
DENALI_ABI_SIZE(denali_net_ring, 32);
DENALI_ABI_AT(denali_net_ring, used, 4);
DENALI_ABI_AT(denali_net_ring, irq_at, 8);
DENALI_ABI_AT(denali_net_ring, desc, 32);
DENALI_ABI_SIZE(denali_hc_net_setup, 48);
DENALI_ABI_AT(denali_hc_net_setup, tx_ring, 8);
DENALI_ABI_AT(denali_hc_net_setup, rx_ring, 16);
DENALI_ABI_AT(denali_hc_net_setup, max_mtu, 24);
DENALI_ABI_AT(denali_hc_net_setup, reserved, 32);
DENALI_ABI_AT(denali_vregs_ro, args, DENALI_VREGS_ARGS_OFFSET);
DENALI_ABI_ASSERT(DENALI_VREGS_ARGS_OFFSET == 2048 &&
		  DENALI_VREGS_ARGS_OFFSET + DENALI_ARGS_MAX ==
		  DENALI_GUEST_PAGE_SIZE,
		  "args must fill the read-only page from offset 2048");

DENALI_ABI_SIZE(denali_upcall_frame, 152);
DENALI_ABI_AT(denali_upcall_frame, rax, 0);
DENALI_ABI_AT(denali_upcall_frame, rsp, 56);
DENALI_ABI_AT(denali_upcall_frame, r8, 64);
DENALI_ABI_AT(denali_upcall_frame, r15, 120);
DENALI_ABI_AT(denali_upcall_frame, rip, 128);
DENALI_ABI_AT(denali_upcall_frame, rflags, 136);
DENALI_ABI_AT(denali_upcall_frame, cs, 144);
DENALI_ABI_AT(denali_upcall_frame, ss, 146);
DENALI_ABI_AT(denali_upcall_frame, pad, 148);

/* The writable page: its struct fits its page, saved at 0x2020. */
DENALI_ABI_SIZE(denali_vregs_rw, 184);
DENALI_ABI_ASSERT(sizeof(struct denali_vregs_rw) <= DENALI_GUEST_PAGE_SIZE,
		  "struct denali_vregs_rw must fit its page");
DENALI_ABI_AT(denali_vregs_rw, irq_enabled, 0);
DENALI_ABI_AT(denali_vregs_rw, pad, 4);
DENALI_ABI_AT(denali_vregs_rw, pending, 8);
DENALI_ABI_AT(denali_vregs_rw, upcall_entry, 16);
DENALI_ABI_AT(denali_vregs_rw, upcall_stack, 24);
DENALI_ABI_AT(denali_vregs_rw, saved, 32);

#endif /* _UAPI_LINUX_DENALI_GUEST_H */
