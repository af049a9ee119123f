// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest and the read-only register page.
 *
 * See pv_fixture.h for what the paravirt_*_test suites share.
 */
#include "pv_fixture.h"

/* ---- 3. a hostile guest -------------------------------------------------- */

/*
 * An upcall due with upcall_entry outside guest memory (below the image
 * base, at or above mem_size, non-canonical) stops the VM with a report
 * naming the entry.
 */
TEST_F_TIMEOUT(pv, hostile_upcall_entry_crashes, TEST_TIMEOUT_S)
{
	static const char *const bad[] = {
		"0", "0x1000", "0x5000", "0xfff0", "0x100000", "0x101000",
		"0x8000000000000000", "0xffffffffffffff00",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_hostile", "entry", bad[i]);
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("entry");
		TH_LOG("upcall_entry %s: %s", bad[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/* Likewise upcall_stack outside (DENALI_GUEST_IMAGE_BASE, mem_size]. */
TEST_F_TIMEOUT(pv, hostile_upcall_stack_crashes, TEST_TIMEOUT_S)
{
	static const char *const bad[] = {
		"0x8", "0x5000", "0x10000", "0x100010", "0x200000",
		"0x8000000000000000", "0xfffffffffffffff0",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_hostile", "stack", bad[i]);
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("stack");
		TH_LOG("upcall_stack %s: %s", bad[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/*
 * upcall_return checks the frame it resumes: kernel selectors and a rip
 * outside guest memory stop the VM; IOPL and NT in rflags are dropped
 * (the guest resumes and finds them clear); an unchanged frame resumes,
 * and a rip moved elsewhere in the guest resumes there.
 */
TEST_F_TIMEOUT(pv, hostile_upcall_frame, TEST_TIMEOUT_S)
{
	static const char *const bad_rip[] = {
		"0", "0x5000", "0x100000", "0x8000000000000000",
		"0xffff800000000000",
	};
	unsigned int i;

	NEW_VM("pv_hostile", "frame", "none");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "frame: resumed");

	NEW_VM("pv_hostile", "frame", "jump");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	WAIT_STOP();
	EXPECT_EQ(DENALI_STOP_EXIT, self->r.run.reason);
	EXPECT_EQ(42, self->r.run.exit_status);

	NEW_VM("pv_hostile", "frame", "iopl");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "frame: resumed");

	NEW_VM("pv_hostile", "frame", "cs");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_VREGS_CRASH("cs");
	TH_LOG("cs 0x10: %s", self->r.run.crash.description);

	NEW_VM("pv_hostile", "frame", "ss");
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_VREGS_CRASH("ss");

	for (i = 0; i < ARRAY_SIZE(bad_rip); i++) {
		NEW_VM("pv_hostile", "frame", "rip", bad_rip[i]);
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
		START(-1);
		EXPECT_VREGS_CRASH("rip");
		TH_LOG("rip %s: %s", bad_rip[i],
		       self->r.run.crash.description);
	}
	expect_healthy_host(_metadata);
}

/*
 * Pending bits outside DENALI_IRQ_ALL, set by the guest, are nobody's:
 * no upcall with interrupts enabled, and no early end to an idle.
 */
TEST_F_TIMEOUT(pv, hostile_pending_bits_are_ignored, TEST_TIMEOUT_S)
{
	struct denali_stats st;

	NEW_VM("pv_hostile", "bogus");
	START(-1);
	EXPECT_EXIT(0, "bogus: ignored");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(0, st.upcalls);
	EXPECT_LE(1, st.idle_sleeps);
	expect_healthy_host(_metadata);
}

/* ---- 6. the read-only register page -------------------------------------- */

/* The page names the ABI, the VM and its memory, as created. */
TEST_F_TIMEOUT(pv, ro_page_fields, TEST_TIMEOUT_S)
{
	char want[128];

	NEW_VM("pv_ro", "fields");
	START(-1);
	snprintf(want, sizeof(want), "ro: abi=%d.%d id=%u mem=%llu\n",
		 DENALI_ABI_MAJOR, DENALI_ABI_MINOR, self->id, MEM);
	EXPECT_EXIT(0, want);
}

/*
 * Writing the read-only page, reading the reserved range, or executing
 * either register page stops the VM with a page fault at that address.
 */
TEST_F_TIMEOUT(pv, ro_page_is_read_only_and_pages_not_executable,
	       TEST_TIMEOUT_S)
{
	static const struct {
		const char *how, *addr;
		__u64 cr2, error_code;	/* P | W | U | I/D bits of #PF */
		const char *words;
	} bad[] = {
		{ "write", "0x1000", 0x1000, 0x7, "write at 0x1000 (not permitted)" },
		{ "write", "0x1800", 0x1800, 0x7, "not permitted" },
		{ "write", "0x1fff", 0x1fff, 0x7, "not permitted" },
		{ "read", "0x3000", 0x3000, 0x4, "not mapped" },
		{ "exec", "0x1000", 0x1000, 0x15, "instruction fetch" },
		{ "exec", "0x2000", 0x2000, 0x15, "instruction fetch" },
	};
	struct denali_crash *c = &self->r.run.crash;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		NEW_VM("pv_ro", bad[i].how, bad[i].addr);
		START(-1);
		WAIT_STOP();
		ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason)
			TH_LOG("%s %s: %s", bad[i].how, bad[i].addr,
			       self->con.text);
		EXPECT_EQ(DENALI_CRASH_EXCEPTION, c->cause);
		EXPECT_EQ(14, c->vector);
		EXPECT_EQ(bad[i].cr2, c->cr2);
		EXPECT_EQ(bad[i].error_code, c->error_code & 0x1f)
			TH_LOG("%s %s", bad[i].how, bad[i].addr);
		EXPECT_NE(NULL, strstr(c->description, bad[i].words))
			TH_LOG("description: '%s'", c->description);
	}
	expect_healthy_host(_metadata);
}

TEST_HARNESS_MAIN
