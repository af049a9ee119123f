// SPDX-License-Identifier: GPL-2.0
/*
 * Guests built from C on libilwaco, run by the module: each test guest in
 * selftests/guests/ states what it expects (its top comment); this checks
 * that the module delivers it, console and exit status alike.
 */
#include "denali_test.h"

#define MEM (4ull << 20)

FIXTURE(guest) {
	int vm;
	struct denali_run run;
	char out[16384];
};

FIXTURE_SETUP(guest)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(guest)
{
	if (self->vm >= 0)
		close(self->vm);
}

/* Run guest @name to its stop; its console lands in self->out. */
static void run_guest(struct __test_metadata *_metadata, int *vm,
		      const char *name, struct denali_run *run, char *out,
		      size_t cap)
{
	*vm = denali_create_file(name, MEM);
	ASSERT_LE(0, *vm) TH_LOG("%s: %s", name, strerror(-*vm));
	ASSERT_EQ(0, denali_run(*vm, run));
	denali_console_drain(*vm, out, cap);
	ASSERT_NE(DENALI_STOP_CRASH, run->reason)
		TH_LOG("%s crashed: %s at %#llx", name,
		       run->crash.description, run->crash.regs.rip);
}

TEST_F(guest, exit_status)
{
	run_guest(_metadata, &self->vm, "exit_status", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(DENALI_STOP_EXIT, self->run.reason);
	EXPECT_EQ(7, self->run.exit_status);
	EXPECT_STREQ("exit_status: about to exit 7\n", self->out);
}

TEST_F(guest, console_burst_arrives_whole_and_in_order)
{
	char want[32], *p;
	int i;

	run_guest(_metadata, &self->vm, "console_burst", &self->run,
		  self->out, sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status);
	p = self->out;
	for (i = 1; i <= 200; i++) {
		snprintf(want, sizeof(want), "line %03d of 200\n", i);
		ASSERT_EQ(0, strncmp(p, want, strlen(want)))
			TH_LOG("line %d: '%.20s'", i, p);
		p += strlen(want);
	}
	EXPECT_EQ(0, *p);
}

TEST_F(guest, null_calls)
{
	run_guest(_metadata, &self->vm, "null_calls", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "null_calls: 100000 ok\n");
}

TEST_F(guest, bad_hypercalls_fail_safely)
{
	run_guest(_metadata, &self->vm, "bad_hypercalls", &self->run,
		  self->out, sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "bad_hypercalls: ok\n");
}

TEST_F(guest, state_junk_survives_exits)
{
	run_guest(_metadata, &self->vm, "state_junk", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "state_junk: ok\n");
}

TEST_F(guest, fpu_starts_clean_and_stays_right)
{
	run_guest(_metadata, &self->vm, "fpu_check", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "fpu_check: ok\n");
}

TEST_HARNESS_MAIN
