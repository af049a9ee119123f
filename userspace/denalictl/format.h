/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How denalictl words what the module reports: sizes, VM states and
 * statuses, exit kinds, hypercall names, and the text of `stats`.  Pure
 * formatting into buffers or a FILE, kept apart from the I/O so that the
 * host-side unit tests can pin the exact text that people read and
 * scripts parse.
 *
 * Everything here treats the module's reports as untrusted for
 * formatting: fixed-size text fields are read only up to their end even
 * without a NUL, and bytes that would drive a terminal are replaced.
 */
#ifndef DENALICTL_FORMAT_H
#define DENALICTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "uapi/denali.h"

/* Room for any text denali_format_size() writes ("1023.9E"), with NUL. */
#define DENALI_SIZE_TEXT	16

/* Room for any status text: "crashed: " and a whole description. */
#define DENALI_STATUS_TEXT	(sizeof("crashed: ") + \
				 sizeof(((struct denali_vm_info *)0)->crash_description))

/*
 * denali_format_size() - a byte count the way people read it
 *
 * Exact when it can be short: the largest of K, M, G, T, P, E (powers of
 * 1024) that divides @bytes, as long as that takes at most four digits
 * ("16M", "1536M", "1028K"); below 1K, the plain number ("512").  What
 * cannot be exact so briefly is rounded to one decimal in the largest
 * unit that fits ("1.5K", "1.0G"), the decimal point marking it as
 * approximate.  Exact values in K, M and G read back through
 * parse_size() (--mem) unchanged.
 * Writes at most @len bytes including the NUL (DENALI_SIZE_TEXT always
 * suffices).
 */
void denali_format_size(unsigned long long bytes, char *buf, size_t len);

/* "ready", "running", "stopped" for enum denali_vm_state; else "unknown". */
const char *denali_state_name(unsigned int state);

/*
 * denali_format_status() - the STATUS column of `list`
 *
 * "ready" and "running" as the state says; for a stopped VM, how it
 * stopped: "exit 7", "halted", "crashed: <description>" (the cause's name
 * when the module gave no description), "destroyed", or "stopped
 * (reason N)" for a reason this tool does not know.  "unknown state N"
 * for a state it does not know.  Non-printable bytes of the description
 * become '?'.  Writes at most @len bytes including the NUL
 * (DENALI_STATUS_TEXT always suffices).
 */
void denali_format_status(const struct denali_vm_info *vm, char *buf,
			  size_t len);

/*
 * denali_copy_printable() - a fixed-size text field, safe for a terminal
 * @src: up to @srclen bytes, ending at the first NUL if there is one.
 *
 * Copies into @dst (of @dstlen bytes, always NUL-terminated when @dstlen
 * is not 0), replacing every byte outside printable ASCII with '?', so a
 * name or description cannot move the cursor or change the terminal.
 */
void denali_copy_printable(char *dst, size_t dstlen, const char *src,
			   size_t srclen);

/*
 * The name of enum denali_exit_kind @kind in lower case ("hypercall",
 * "interrupt", "nmi", "mce", "fault", "aborted", "kick"), or NULL for a
 * kind this tool does not know.
 */
const char *denali_exit_kind_name(unsigned int kind);

/*
 * The name of hypercall @nr ("exit", "console_write", "null", "idle",
 * "upcall_return", "console_read", "time"; "reserved" for 0), or NULL
 * for a number without one.
 */
const char *denali_hypercall_name(unsigned int nr);

/*
 * The counters of struct denali_stats, in its order, from the one list in
 * include/denali_stats.h: what `stats` prints and `stats -j` writes.
 */
enum denali_stat_kind {
	DENALI_STAT_COUNT,		/* a number */
	DENALI_STAT_NS,			/* nanoseconds, shown as seconds */
	DENALI_STAT_EXITS,		/* __u64[DENALI_EXIT_KINDS] */
	DENALI_STAT_HYPERCALLS,		/* __u64[DENALI_STATS_HYPERCALLS] */
};

struct denali_stat_desc {
	const char *key;		/* the field's name, the JSON key */
	const char *label;		/* the text label */
	size_t offset;			/* in struct denali_stats */
	size_t size;			/* bytes */
	enum denali_stat_kind kind;
};

extern const struct denali_stat_desc denali_stat_descs[];
extern const size_t denali_stat_count;

/* The first u64 of counter @d in @st. */
static inline const __u64 *denali_stat_value(const struct denali_stats *st,
					     const struct denali_stat_desc *d)
{
	return (const __u64 *)((const char *)st + d->offset);
}

/*
 * denali_print_stats() - the text of `stats`, several lines, to @out
 *
 *   VM web (id 3)
 *   runs                 2
 *   exits                1205
 *     hypercall          201
 *     interrupt          1003
 *     ...                (every kind with a name; others if nonzero)
 *   hypercalls           201
 *     exit (1)           1
 *     console_write (2)  200
 *     null (3)           0
 *     ...                (every call with a name: idle (4),
 *                         upcall_return (5), console_read (6), time (7))
 *     8                  0  (0 and the numbers without a name only when
 *                            nonzero; the last as "15+")
 *   guest time           1.204518330 s
 *   console bytes        3200
 *   console dropped      0
 *   upcalls              12
 *   idle sleeps          40
 *   irqs raised          13
 */
void denali_print_stats(FILE *out, const char *name, unsigned int id,
			const struct denali_stats *st);

/* Bytes of an interface name, with its NUL (Linux's IFNAMSIZ). */
#define DENALI_IFNAME_MAX	16
/* Bytes of one ethtool counter's name (ETH_GSTRING_LEN). */
#define DENALI_NIC_KEY_MAX	32

/*
 * struct denali_nic_view - one NIC of a VM, as denalictl reports it
 *
 * Gathered by nics.c from Linux, not from /dev/denali: each NIC is a
 * net_device whose `ethtool -i` bus_info says "vm<ID>/nic<K>", and its
 * counters are the device's (what `ip -s link` shows) and the driver's
 * own (what `ethtool -S` shows, the drops by reason among them).  Only
 * the interfaces of the caller's network namespace are seen.
 */
struct denali_nic_view {
	unsigned int vm_id;
	unsigned int index;		/* the NIC's number in its VM */
	char ifname[DENALI_IFNAME_MAX];
	/*
	 * ABI 0.7: a port of the module's switch whose uplink is @ifname;
	 * it has no interface, and its counters come from the module
	 * (DENALI_GET_NIC_STATS), in the same device's view.
	 */
	bool switch_port;
	/*
	 * The device's view, as `ip -s link`: rx is what the guest sent
	 * (Linux received it on the device), tx what Linux sent the guest.
	 */
	unsigned long long rx_packets, rx_bytes, rx_dropped;
	unsigned long long tx_packets, tx_bytes, tx_dropped;
	/* `ethtool -S`: @nkeys names and values, in the driver's order. */
	unsigned int nkeys;
	char (*keys)[DENALI_NIC_KEY_MAX];
	unsigned long long *values;
};

/*
 * denali_format_nics() - the NICS column of `list`: the interface names
 * of VM @vm_id's NICs among @nics (@n of them, in NIC order), joined by
 * ",", e.g. "dn3,dn3n1"; "-" for none.  Names longer than fit in @len
 * bytes are cut and the text ends "...".
 */
void denali_format_nics(const struct denali_nic_view *nics, size_t n,
			unsigned int vm_id, char *buf, size_t len);

/*
 * denali_print_nic_stats() - the lines `stats` adds per NIC, after the
 * VM's own counters:
 *
 *   NIC 0 dn3 (rx: from the guest, tx: to the guest)
 *   rx packets           25
 *   rx bytes             2050
 *   rx dropped           0
 *   tx packets           25
 *   tx bytes             2050
 *   tx dropped           0
 *   to_guest_packets     25
 *   ...                  (every ethtool -S counter, in the driver's order)
 */
void denali_print_nic_stats(FILE *out, const struct denali_nic_view *nic);

#endif /* DENALICTL_FORMAT_H */
