/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of struct denali_stats (uapi/denali.h), described once.
 *
 * The module's copy of them (module/vm.c) and denalictl's `stats` text
 * and JSON (userspace/denalictl/format.c, json.c) are generated from the
 * list below, as veth's ethtool strings come from one key table.  A new
 * counter is a field carved out of denali_stats.reserved (a minor
 * version), one line here, and the code that counts it (for a VM
 * counter, also its field in the module's struct denali_vm_stats, which
 * the build checks).
 *
 * Include this file with DENALI_STAT(field, label, kind, source) defined,
 * as KVM includes kvm-x86-ops.h; it is undefined again at the end.  One
 * DENALI_STAT() per counter, in the struct's order (a host test checks
 * that the list covers the struct exactly):
 *
 *   field   the member of struct denali_stats, and its key in
 *           `denalictl stats -j`;
 *   label   its name in `denalictl stats`;
 *   kind    how denalictl shows it: COUNT a number; NS nanoseconds, as
 *           seconds; EXITS the array by enum denali_exit_kind; HYPERCALLS
 *           the array by hypercall number;
 *   source  where the module takes it from: VM, the member of the same
 *           name and size of its struct denali_vm_stats, written by the
 *           VM's running thread alone and copied as it is; CUSTOM,
 *           computed by the ioctl (kept under a lock, atomically, or in
 *           other units).
 *
 * Not a uapi header: the labels are presentation, not ABI.
 */
#ifndef DENALI_STAT
#error "define DENALI_STAT(field, label, kind, source) before including denali_stats.h"
#endif

DENALI_STAT(runs,		"runs",			COUNT,		VM)
DENALI_STAT(exits,		"exits",		EXITS,		VM)
DENALI_STAT(hypercalls,		"hypercalls",		HYPERCALLS,	VM)
DENALI_STAT(guest_ns,		"guest time",		NS,		CUSTOM)
DENALI_STAT(console_bytes,	"console bytes",	COUNT,		CUSTOM)
DENALI_STAT(console_dropped,	"console dropped",	COUNT,		CUSTOM)
DENALI_STAT(upcalls,		"upcalls",		COUNT,		VM)
DENALI_STAT(idle_sleeps,	"idle sleeps",		COUNT,		VM)
DENALI_STAT(irqs_raised,	"irqs raised",		COUNT,		CUSTOM)
DENALI_STAT(resident_pages,	"resident pages",	COUNT,		CUSTOM)
DENALI_STAT(host_bytes,		"host bytes",		COUNT,		CUSTOM)
DENALI_STAT(shared_pages,	"shared pages",		COUNT,		CUSTOM)

#undef DENALI_STAT
