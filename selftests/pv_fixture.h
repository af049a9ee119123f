/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the paravirt_*_test suites share: the para-virtual architecture
 * (ABI 0.3) beyond idle (idle_test.c).
 *
 *	paravirt_test.c		virtual interrupts: raises while the VM is
 *				switched out are batched into one upcall;
 *				masked interrupts wait for the guest to
 *				enable them; an upcall resumes the
 *				interrupted code with every register intact,
 *				thousands of times; DENALI_RAISE_IRQ refuses
 *				what it must; and the clock never goes
 *				backwards while the runner migrates
 *	paravirt_hostile_test.c	nonsense in the writable register page
 *				stops that VM with a crash report (or is
 *				ignored, where the ABI says so) and the host
 *				carries on; the read-only page says who the
 *				VM is and stays read-only
 *	paravirt_io_test.c	console input reaches console_read whole and
 *				in order, a full queue and a stopped VM
 *				refuse it; boot arguments reach main()
 *				exactly, malformed ones are refused
 *
 * The guests are guests/pv_*.img, each with a top comment saying what it
 * expects; most take their mode as boot arguments, and each ends with a
 * verdict line (pv_check.h) that the test reads with
 * denali_guest_verdict().  A VM's DENALI_RUN loop runs in its own thread,
 * a "runner", so that the test can raise interrupts, write input and move
 * it between CPUs meanwhile; the runner carries on after EINTR.  The
 * checks are counts and orderings; times only turn a hang into a failure.
 */
#ifndef DENALI_PV_FIXTURE_H
#define DENALI_PV_FIXTURE_H

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define NS_PER_MS	1000000ull

/* Hang detectors: far beyond what a working module needs under TCG. */
#define HANG_MS		60000
#define TEST_TIMEOUT_S	120

#define BATCH_SAME_RAISES	100
#define MASKED_RAISES		1000
#define REGS_UPCALLS		2000
#define MIGRATIONS		200
#define INPUT_BYTES		(10 * 1024)
#define INPUT_CHUNK		1000
#define INPUT_PERIOD		251	/* pv_echo's pattern: byte i is i % 251 */

#define RUNNER_CPU	1	/* where a guest runs while the test raises */
#define TEST_CPU	0

/* exit(7) */
GUEST_CODE(exit7,
	"	mov $1, %eax		# exit(7)\n"
	"	mov $7, %edi\n"
	"	int $0x1f\n");

/* ---- the fixture --------------------------------------------------------- */

FIXTURE(pv) {
	int vm;
	__u32 id;
	bool two_cpus;
	struct denali_runner r;
	struct denali_console_text con;
};

FIXTURE_SETUP(pv)
{
	self->vm = -1;
	self->r.created = false;
	denali_console_reset(&self->con);
	if (!denali_setup_module(_metadata))
		return;
	self->two_cpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* End whatever a failed test left running, then close its VM. */
FIXTURE_TEARDOWN(pv)
{
	denali_runner_end(&self->r, self->id, HANG_MS);
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Make self->vm a fresh VM of guests/@guest.img with the boot arguments
 * that follow, closing the previous one and forgetting its console.
 */
#define NEW_VM(guest, ...) do {						\
	const char *const argv_[] = { __VA_ARGS__ };			\
	if (self->vm >= 0)						\
		close(self->vm);					\
	denali_console_reset(&self->con);				\
	self->vm = denali_create_guest(guest, MEM, argv_, ARRAY_SIZE(argv_),	\
				&self->id);				\
	ASSERT_LE(0, self->vm) TH_LOG("%s: %s", guest,			\
				      strerror(-self->vm));		\
} while (0)

/* Read self->vm's console until it holds @want; true if it came. */
#define CONSOLE_WAIT(want) \
	denali_console_wait(self->vm, &self->con, want, HANG_MS)

/* Run self->vm in a runner on @cpu (-1: anywhere). */
#define START(cpu) ASSERT_EQ(0, denali_runner_start(&self->r, self->vm, cpu, 0))

/* Wait for the runner to stop the VM and read the rest of its console. */
#define WAIT_STOP() do {						\
	ASSERT_TRUE(denali_runner_wait(&self->r, HANG_MS))		\
		TH_LOG("the guest is still running: %s",		\
		       self->con.text);					\
	denali_console_read_rest(self->vm, &self->con);				\
	ASSERT_EQ(0, self->r.ret);					\
} while (0)

/*
 * ... and check that it exited with @want_status, having reported "done"
 * with @want_text in its verdict (a trailing newline: at the end of it).
 */
#define EXPECT_EXIT(want_status, want_text) do {			\
	WAIT_STOP();							\
	ASSERT_EQ(DENALI_STOP_EXIT, self->r.run.reason)			\
		TH_LOG("stopped for %u: %s; console: %s",		\
		       self->r.run.reason,				\
		       self->r.run.crash.description, self->con.text);	\
	EXPECT_EQ(want_status, self->r.run.exit_status)			\
		TH_LOG("%s", self->con.text);				\
	if (self->r.run.exit_status == (want_status))			\
		EXPECT_GUEST_DONE(self->con.text, want_text);		\
} while (0)

/*
 * ... and check that it crashed for breaking the register contract,
 * with a description that holds @words.
 */
#define EXPECT_VREGS_CRASH(words) do {					\
	WAIT_STOP();							\
	ASSERT_EQ(DENALI_STOP_CRASH, self->r.run.reason)		\
		TH_LOG("stopped for %u; console: %s",			\
		       self->r.run.reason, self->con.text);		\
	EXPECT_EQ(DENALI_CRASH_VREGS, self->r.run.crash.cause)		\
		TH_LOG("%s", self->r.run.crash.description);		\
	EXPECT_EQ(0, self->r.run.crash.vector);				\
	EXPECT_NE(NULL, strstr(self->r.run.crash.description, words))	\
		TH_LOG("description: '%s'",				\
		       self->r.run.crash.description);			\
} while (0)

/* After a crash, the host still runs a new guest normally. */
static inline void expect_healthy_host(struct __test_metadata *_metadata)
{
	struct denali_run run;
	int vm = denali_create_code(exit7, GUEST_CODE_LEN(exit7), MEM);

	ASSERT_LE(0, vm) TH_LOG("%s", strerror(-vm));
	EXPECT_EQ(0, denali_run(vm, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(7, run.exit_status);
	close(vm);
}

#endif /* DENALI_PV_FIXTURE_H */
