// SPDX-License-Identifier: GPL-2.0
/*
 * pv_ro: the read-only register page says who the VM is, and cannot be
 * written; neither virtual register page can be executed.
 *
 * Boot arguments select what it does:
 *
 *   fields
 *	Checks that the read-only page's pad and reserved fields are
 *	zero, that flags has no bit but DENALI_VRO_FSGSBASE, that
 *	wall_offset_ns puts real time after 2024, and that the writable
 *	page starts zeroed (interrupts disabled, nothing pending, no
 *	upcall entry or stack), then prints
 *	"DENALI-TEST: done ro: abi=MAJOR.MINOR id=ID mem=BYTES\n" for the
 *	host to compare with what it created, and exits 0.
 *
 *   write ADDR
 *	Stores one byte at ADDR: for the read-only page this must stop the
 *	VM with a page fault.  If the store survives, prints "write:
 *	survived\n" and exits 1.
 *
 *   read ADDR
 *	Loads one byte from ADDR (e.g. the reserved, unmapped 0x3000):
 *	likewise.
 *
 *   exec ADDR
 *	Calls ADDR: a page fault for either register page (not
 *	executable).
 *
 * Any failure prints "DENALI-TEST: fail pv_ro.c:LINE: ..." and exits 1.
 */
#include "pv_check.h"

/* Short names for the two pages, for this file only. */
#define RO ILWACO_VREGS_RO
#define RW ILWACO_VREGS_RW

static int show_fields(void)
{
	unsigned int i;

	/* ABI 0.5: one defined flag; real time after 2024-01-01. */
	PV_CHECK(!(RO->flags & ~DENALI_VRO_FSGSBASE), "flags 0x%x", RO->flags);
	PV_CHECK(RO->wall_offset_ns > 1704067200l * 1000000000l,
		 "wall_offset_ns %ld", (long)RO->wall_offset_ns);
	PV_CHECK(RO->pad[0] == 0 && RO->pad[1] == 0, "pad is not zero");
	PV_CHECK(RO->clock.pad[0] == 0 && RO->clock.pad[1] == 0 &&
		 RO->clock.pad[2] == 0, "clock.pad is not zero");
	for (i = 0; i < PV_ARRAY_SIZE(RO->reserved); i++)
		PV_CHECK(RO->reserved[i] == 0, "reserved[%u] is 0x%lx", i,
			 (unsigned long)RO->reserved[i]);
	PV_CHECK(RO->mem_size == ilwaco_mem_size,
		 "mem_size %lu, but the entry state said %lu",
		 (unsigned long)RO->mem_size, ilwaco_mem_size);
	PV_CHECK(RW->irq_enabled == 0, "irq_enabled %u at start",
		 RW->irq_enabled);
	PV_CHECK(RW->pending == 0, "pending 0x%lx at start",
		 (unsigned long)RW->pending);
	PV_CHECK(RW->upcall_entry == 0 && RW->upcall_stack == 0,
		 "upcall_entry or upcall_stack set at start");
	pv_done("ro: abi=%u.%u id=%u mem=%lu", RO->abi_major, RO->abi_minor,
		RO->vm_id, (unsigned long)RO->mem_size);
}

int main(int argc, char **argv)
{
	unsigned long addr = argc == 2 ? pv_num(argv[1]) : 0;

	if (argc == 1 && !strcmp(argv[0], "fields"))
		return show_fields();
	if (argc == 2 && !strcmp(argv[0], "write")) {
		__atomic_store_n((unsigned char *)addr, 1, __ATOMIC_RELAXED);
		PV_FAIL("write: survived a store to 0x%lx", addr);
	}
	if (argc == 2 && !strcmp(argv[0], "read")) {
		PV_FAIL("read: survived a load of %u from 0x%lx",
			__atomic_load_n((unsigned char *)addr, __ATOMIC_RELAXED),
			addr);
	}
	if (argc == 2 && !strcmp(argv[0], "exec")) {
		((void (*)(void))addr)();
		PV_FAIL("exec: survived a call to 0x%lx", addr);
	}
	PV_FAIL("pv_ro: bad arguments");
}
