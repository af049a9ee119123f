/* SPDX-License-Identifier: GPL-2.0 */
/*
 * denalictl's JSON output (`list -j`, `stats -j`): pure writers to a
 * FILE, kept apart from the I/O so that the host-side unit tests can
 * check that what scripts parse is valid JSON whatever bytes the module
 * or a user put into a name or description.
 */
#ifndef DENALICTL_JSON_H
#define DENALICTL_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "format.h"
#include "uapi/denali.h"

/*
 * json_write_string() - @s as a JSON string literal, quotes included
 * @s:      text of at most @maxlen bytes, ending at the first NUL if any
 *          (fixed-size fields of the module need not hold one).
 *
 * Escapes the double quote and the backslash with a backslash; \b, \f,
 * \n, \r and \t by those names; other control characters and DEL as
 * \u00XX.  Well-formed UTF-8
 * is copied as it is; every byte that is not part of a well-formed
 * sequence (stray continuation bytes, overlong forms, surrogates, values
 * above U+10FFFF, truncated sequences) becomes \ufffd, since JSON text
 * must be UTF-8 (RFC 8259) and a parser would otherwise refuse the
 * whole document.  NULL is written as null.
 */
void json_write_string(FILE *out, const char *s, size_t maxlen);

/*
 * json_print_vm() - one VM as a JSON object on one line, no newline
 *
 * Every field of struct denali_vm_info under its own name, the numbers
 * as numbers (enums as their values): id, name, state, mem_size,
 * owner_uid, runner_pid, stop_reason, exit_status, crash_cause,
 * crash_vector, crash_description; then, for people and scripts that
 * would rather not decode the enums: "state_name" (denali_state_name()),
 * "status" (the text of the STATUS column, denali_format_status()) and
 * "owner" (@owner, the owner's user name, or null when unknown); last,
 * "nics": the names of its interfaces among @nics (@n of them, every
 * VM's; see struct denali_nic_view), in NIC order, [] for none.
 */
void json_print_vm(FILE *out, const struct denali_vm_info *vm,
		   const char *owner, const struct denali_nic_view *nics,
		   size_t n);

/*
 * json_print_stats() - `stats -j`: one JSON object and a newline
 *
 *   {"id": 3, "name": "web", "runs": 2,
 *    "exits": {"hypercall": 201, ..., "kick": 0},
 *    "hypercalls": {"reserved": 0, "exit": 1, "console_write": 200,
 *                   "null": 0, "idle": 40, "upcall_return": 12,
 *                   "console_read": 3, "time": 0, "8": 0, ..., "14": 0,
 *                   "15+": 0},
 *    "guest_ns": 1204518330, "console_bytes": 3200,
 *    "console_dropped": 0, "upcalls": 12, "idle_sleeps": 40,
 *    "irqs_raised": 13,
 *    "nics": [{"nic": 0, "ifname": "dn3", "rx_packets": 25, "rx_bytes": 2050,
 *              "rx_dropped": 0, "tx_packets": 25, "tx_bytes": 2050,
 *              "tx_dropped": 0, "ethtool": {"to_guest_packets": 25, ...}}]}
 *
 * on one line; "nics" holds @nics (@n of them, this VM's), [] for none.  Every counter is present, so the keys do not depend on
 * what the guest did; an exit kind without a name is keyed by its
 * number.
 */
void json_print_stats(FILE *out, const char *name, unsigned int id,
		      const struct denali_stats *st,
		      const struct denali_nic_view *nics, size_t n);

#endif /* DENALICTL_JSON_H */
