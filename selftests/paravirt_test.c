// SPDX-License-Identifier: GPL-2.0
/*
 * The para-virtual machine's virtual interrupts and its clock.
 *
 * See pv_fixture.h for what the paravirt_*_test suites share.
 */
#include "pv_fixture.h"

/* ---- 1. virtual interrupts ----------------------------------------------- */

/*
 * Sixteen different bits raised while the VM is switched out (created,
 * not yet run) arrive in one upcall that carries all of them; the module
 * counts sixteen raises and one upcall.
 */
TEST_F_TIMEOUT(pv, sixteen_raises_batch_into_one_upcall, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	int n;

	NEW_VM("pv_irq", "batch", "0xffff0000");
	for (n = 0; n < 16; n++)
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(n)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0xffff0000\n");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(16, st.irqs_raised);
}

/* Many raises of one bit while switched out: one upcall, all counted. */
TEST_F_TIMEOUT(pv, same_bit_raised_many_times_is_one_upcall, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	int n;

	NEW_VM("pv_irq", "batch", "0x800000");
	for (n = 0; n < BATCH_SAME_RAISES; n++)
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(7)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0x800000\n");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(BATCH_SAME_RAISES, st.irqs_raised);
}

/*
 * With interrupts disabled, raises wake the idle guest and interrupt the
 * running one, but no upcall runs (the guest checks throughout); once it
 * enables them, exactly one upcall brings everything raised meanwhile.
 */
TEST_F_TIMEOUT(pv, masked_interrupts_wait_for_enable, TEST_TIMEOUT_S)
{
	struct denali_stats st;
	struct timespec t0;
	int n;

	NEW_VM("pv_irq", "masked");
	ASSERT_EQ(0, denali_pin_self(TEST_CPU));	/* CPU 0 always exists */
	START(self->two_cpus ? RUNNER_CPU : -1);
	ASSERT_TRUE(CONSOLE_WAIT("masked: idle\n"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!denali_get_stats(self->vm, &st) && !st.idle_sleeps &&
	       denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	ASSERT_EQ(1, st.idle_sleeps);
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(1)));

	ASSERT_TRUE(CONSOLE_WAIT("masked: spin\n"))
		TH_LOG("%s", self->con.text);
	for (n = 0; n < MASKED_RAISES; n++)
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(3)));
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(2)));

	EXPECT_EXIT(0, "1 upcall with bits 0xe0000\n");
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.upcalls);
	EXPECT_EQ(MASKED_RAISES + 2, st.irqs_raised);
	TH_LOG("%llu interrupt exits: %s", st.exits[DENALI_EXITK_INTERRUPT],
	       self->con.text);
}

/*
 * The guest keeps known, changing values in all fifteen general-purpose
 * registers besides RSP and checks them in a tight loop, while the test
 * raises an interrupt from the other CPU, one upcall at a time, thousands
 * of times.  Every handler clobbers registers, every other one all of
 * them, RSP and the flags included.  The guest never sees a register
 * change.
 */
TEST_F_TIMEOUT(pv, registers_survive_thousands_of_upcalls, TEST_TIMEOUT_S)
{
	unsigned long long upcalls = 0, in_loop = 0, iterations = 0;
	struct denali_stats st;
	struct timespec t0;
	char detail[512];
	int n;

	if (!self->two_cpus)
		SKIP(return, "needs a second CPU to raise interrupts from");
	NEW_VM("pv_regs");
	ASSERT_EQ(0, denali_pin_self(TEST_CPU));
	START(RUNNER_CPU);
	ASSERT_TRUE(CONSOLE_WAIT("regs: ready\n"));
	for (n = 0; n < REGS_UPCALLS && !atomic_load(&self->r.done); n++) {
		ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(n % 15)));
		/*
		 * One upcall per raise: the next raise waits until this
		 * one's handler has taken the bit (and said so with a null
		 * hypercall), or the two would be batched into one upcall.
		 */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!denali_get_stats(self->vm, &st) &&
		       st.hypercalls[DENALI_HC_NULL] <= (__u64)n &&
		       !atomic_load(&self->r.done) && denali_ms_since(&t0) < HANG_MS)
			sched_yield();
		if (atomic_load(&self->r.done))
			break;		/* the guest's report says why */
		ASSERT_LT(n, st.hypercalls[DENALI_HC_NULL])
			TH_LOG("raise %d brought no upcall", n);
	}
	/* EPIPE if the guest stopped early: then its console says why. */
	EXPECT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(15)));
	EXPECT_EXIT(0, " 0 corruptions\n");
	ASSERT_EQ(0, self->r.run.exit_status);
	/* The verdict: "regs: ready\n" came just before it. */
	ASSERT_NE(NULL, strstr(self->con.text,
			       "regs: ready\n" DENALI_TEST_TAG "done regs: "))
		TH_LOG("%s", self->con.text);
	ASSERT_GUEST_DETAIL(self->con.text, detail, sizeof(detail));
	n = sscanf(detail, "regs: %llu upcalls (%llu in the loop), %llu iterations",
		   &upcalls, &in_loop, &iterations);
	ASSERT_EQ(3, n) TH_LOG("%s", detail);
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	TH_LOG("%llu upcalls, %llu in the loop, %llu iterations, %llu interrupt exits",
	       upcalls, in_loop, iterations,
	       st.exits[DENALI_EXITK_INTERRUPT]);
	EXPECT_EQ(REGS_UPCALLS + 1, upcalls);
	EXPECT_EQ(st.upcalls, upcalls);
	EXPECT_EQ(REGS_UPCALLS + 1, st.irqs_raised);
	/*
	 * The loop is where the guest spends its time; only the first
	 * upcalls can find it before the loop.  Half is a floor that says
	 * the registers were really under test.
	 */
	EXPECT_LE(upcalls / 2, in_loop);
}

/* DENALI_RAISE_IRQ takes only DENALI_IRQ_USER bits, and not once stopped. */
TEST_F_TIMEOUT(pv, raise_irq_refuses_bad_requests, TEST_TIMEOUT_S)
{
	struct denali_irq irq;
	struct denali_stats st;

	NEW_VM("pv_irq", "batch", "0x10000");
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, 0));
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, DENALI_IRQ_TIMER));
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, DENALI_IRQ_CONSOLE));
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, DENALI_IRQ_NET));
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, DENALI_IRQ_USER(0) | 1ull << 40));
	EXPECT_EQ(-EINVAL, denali_raise_irq(self->vm, 1ull << 63));
	irq = (struct denali_irq){ .bits = DENALI_IRQ_USER(0), .flags = 1 };
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, &irq));
	EXPECT_EQ(EINVAL, errno);
	irq = (struct denali_irq){ .bits = DENALI_IRQ_USER(0), .pad = 1 };
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, &irq));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RAISE_IRQ, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(0, st.irqs_raised);

	/* None of those was raised: the guest sees only this one. */
	ASSERT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	START(-1);
	EXPECT_EXIT(0, "batch: 1 upcall with bits 0x10000\n");
	EXPECT_EQ(-EPIPE, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	ASSERT_EQ(0, denali_get_stats(self->vm, &st));
	EXPECT_EQ(1, st.irqs_raised);
}

/* ---- 2. the clock -------------------------------------------------------- */

/*
 * The guest reads its clock (by the TSC where the clock page allows it,
 * by hypercall, and the page's host_ns) in a loop while the test moves
 * its runner between CPU 0 and CPU 1, many times: no reading is ever
 * smaller than one before it.
 */
TEST_F_TIMEOUT(pv, clock_monotonic_across_migrations, TEST_TIMEOUT_S)
{
	unsigned long long reads = 0;
	int i, n, tid, cpu, landed = 0;
	struct timespec t0;
	cpu_set_t set;
	char detail[512];

	if (!self->two_cpus)
		SKIP(return, "needs two CPUs to migrate between");
	NEW_VM("pv_clock");
	START(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&self->r.tid) && denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(1);
	tid = atomic_load(&self->r.tid);
	ASSERT_NE(0, tid);
	for (i = 1; i <= MIGRATIONS && !atomic_load(&self->r.done); i++) {
		cpu = i % 2;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, sched_setaffinity(tid, sizeof(set), &set));
		/* The move is done when sched_setaffinity returns. */
		landed += denali_task_cpu(tid) == cpu;
		denali_sleep_ms(2);
	}
	/* EPIPE if the guest stopped early: then its console says why. */
	EXPECT_EQ(0, denali_raise_irq(self->vm, DENALI_IRQ_USER(0)));
	EXPECT_EXIT(0, ", 0 backwards\n");
	EXPECT_EQ(MIGRATIONS, landed);
	ASSERT_EQ(0, self->r.run.exit_status);
	ASSERT_GUEST_DETAIL(self->con.text, detail, sizeof(detail));
	n = sscanf(detail, "clock: %llu reads", &reads);
	ASSERT_EQ(1, n) TH_LOG("%s", detail);
	EXPECT_LT(0, reads);
	TH_LOG("%d migrations: %s", landed, detail);
}

TEST_HARNESS_MAIN
