// SPDX-License-Identifier: GPL-2.0
/*
 * Many VMs at once: a hundred guests sharing two CPUs with host work
 * all make progress, a VM destroyed while it runs stops at once, the list
 * reports every VM in its state, and the module refuses to unload under
 * fifty VMs and unloads cleanly once they are gone.
 *
 * See ops_fixture.h for what the ops_*_test suites share.
 */
#include "ops_fixture.h"

/* ---- 1. a hundred VMs on two CPUs ---------------------------------------- */

struct host_work {
	struct timespec t0;	/* when the runs began */
	atomic_int done;
	long ms;		/* how long after t0 it was done */
	unsigned long result;
};

/* A fixed amount of plain computation, as a host process does. */
static void *host_work_main(void *arg)
{
	unsigned long x = 88172645463325252ul;
	struct host_work *w = arg;
	long i;

	for (i = 0; i < HOST_WORK_STEPS; i++) {
		/* xorshift64: nothing the compiler can fold away. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	w->result = x;
	w->ms = denali_ms_since(&w->t0);
	atomic_store(&w->done, 1);
	return NULL;
}

/*
 * MANY_VMS compute-bound guests, each in its own unpinned runner, share
 * the CPUs with a host thread: the scheduler treats a runner as any
 * thread, so every guest makes progress, every runner is charged CPU
 * time, and the host work completes beside them.  Each runner is then
 * stopped by a signal, which is all that ever ends its DENALI_RUN.
 */
TEST_F_TIMEOUT(ops, hundred_vms_all_progress, TEST_TIMEOUT_S)
{
	/* Static: a starved worker must not write into a dead stack frame. */
	static struct host_work work;
	unsigned long bytes0[MANY_VMS], bytes[MANY_VMS];
	unsigned long least = ~0ul, most = 0;
	long cpu0[MANY_VMS], cpu[MANY_VMS], cpu_least = -1;
	int i, image, fd, behind = 0, not_charged = 0;
	struct timespec t0;
	pthread_t worker;
	bool all;

	if (!self->ready)
		return;
	image = CODE_IMAGE(spinner);
	ASSERT_LE(0, image);
	for (i = 0; i < MANY_VMS; i++) {
		fd = pool_vm(&self->p, self->dev, image, MEM, NULL, NULL);
		ASSERT_LE(0, fd) TH_LOG("VM %d: %s", i, strerror(-fd));
		ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
		ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
	}
	close(image);

	/* The baseline: where each stood once every runner had started. */
	for (i = 0; i < MANY_VMS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!atomic_load(&self->p.run[i].tid) &&
		       denali_ms_since(&t0) < HANG_MS)
			denali_sleep_ms(1);
		ASSERT_NE(0, atomic_load(&self->p.run[i].tid));
	}
	for (i = 0; i < MANY_VMS; i++) {
		cpu0[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
		ASSERT_LE(0, cpu0[i]);
		bytes0[i] = denali_console_skip(self->p.vm[i]);
		bytes[i] = bytes0[i];
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	work.t0 = t0;
	ASSERT_EQ(0, pthread_create(&worker, NULL, host_work_main, &work));
	for (;;) {
		denali_sleep_ms(200);
		all = atomic_load(&work.done) &&
		      denali_ms_since(&t0) >= MANY_RUN_MS;
		for (i = 0; i < MANY_VMS; i++) {
			bytes[i] += denali_console_skip(self->p.vm[i]);
			all = all && bytes[i] > bytes0[i];
		}
		/* CPU time is read only once the rest is there: it is slower. */
		for (i = 0; all && i < MANY_VMS; i++) {
			cpu[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
			all = cpu[i] > cpu0[i];
		}
		if (all || denali_ms_since(&t0) > 2 * HANG_MS)
			break;
	}
	for (i = 0; i < MANY_VMS; i++)
		cpu[i] = denali_task_cputime(atomic_load(&self->p.run[i].tid));
	TH_LOG("ran %ld ms", denali_ms_since(&t0));
	EXPECT_EQ(0, denali_runners_stop(self->p.run, self->p.nrun, HANG_MS));

	if (atomic_load(&work.done)) {
		pthread_join(worker, NULL);
	} else {
		pthread_detach(worker);
		EXPECT_TRUE(atomic_load(&work.done))
			TH_LOG("the host work did not complete");
	}
	for (i = 0; i < MANY_VMS; i++) {
		struct denali_runner *r = &self->p.run[i];

		bytes[i] += denali_console_skip(self->p.vm[i]);
		bytes[i] -= bytes0[i];
		least = bytes[i] < least ? bytes[i] : least;
		most = bytes[i] > most ? bytes[i] : most;
		cpu[i] -= cpu0[i];
		if (cpu_least < 0 || cpu[i] < cpu_least)
			cpu_least = cpu[i];
		if (!bytes[i]) {
			behind++;
			TH_LOG("VM %d made no progress", i);
		}
		if (cpu[i] <= 0) {
			not_charged++;
			TH_LOG("runner %d: utime+stime %ld -> %ld ticks", i,
			       cpu0[i], cpu0[i] + cpu[i]);
		}
		/* Nothing but the signals ended a RUN, and each did. */
		EXPECT_EQ(-EINTR, r->ret)
			TH_LOG("runner %d: RUN returned %d, reason %u", i,
			       r->ret, r->run.reason);
		EXPECT_EQ(r->calls, r->eintr) TH_LOG("runner %d", i);
		EXPECT_LE(1, r->calls);
	}
	TH_LOG("%d VMs: %lu to %lu progress bytes each, at least %ld ticks of CPU each; host work (%lx) done in %ld ms",
	       MANY_VMS, least, most, cpu_least, work.result, work.ms);
	EXPECT_EQ(0, behind);
	EXPECT_EQ(0, not_charged);
}

/* ---- 2. destroy ---------------------------------------------------------- */

/*
 * Wait until VM @fd has been interrupted @n times in its guest: it is
 * then past its first entry and spinning in the guest between ticks.
 */
static bool wait_interrupted(int fd, unsigned long long n)
{
	struct denali_stats st;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!denali_get_stats(fd, &st) && st.exits[DENALI_EXITK_INTERRUPT] < n &&
	       denali_ms_since(&t0) < HANG_MS)
		denali_sleep_ms(5);
	return st.exits[DENALI_EXITK_INTERRUPT] >= n;
}

/*
 * DENALI_DESTROY_VM from another thread ends a running guest at once: its
 * DENALI_RUN returns the DESTROYED report with no signal sent, the VM
 * leaves the list and its files hang up, and the interrupt that stopped
 * it is counted as a kick.
 *
 * A kick is an exit only if the runner is in its guest when the
 * interrupt comes; between round trips it sees the stop without one.  So
 * the guest is the quiet spinner, which leaves its guest only for host
 * interrupts, and the destroy comes once ticks have shown it spinning
 * there, not right after an exit of its own (as a console write would be).
 */
TEST_F_TIMEOUT(ops, destroy_while_running, TEST_TIMEOUT_S)
{
	struct denali_vm_info vms[LIST_CAP];
	struct pollfd pfd;
	struct denali_stats st;
	struct denali_run run;
	struct denali_runner *r;
	__u32 id = 0, count = 0, total = 0;
	const struct denali_vm_info *info;
	cpu_set_t set;
	int image, fd;
	char c;

	if (!self->ready)
		return;
	/*
	 * The runner alone on CPU1, this thread on CPU0: the runner is in
	 * its guest, not waiting for a CPU, when the destroy comes.
	 */
	if (self->ncpus >= 2) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	image = CODE_IMAGE(quiet_spinner);
	ASSERT_LE(0, image);
	fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id);
	close(image);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_runner(&self->p, fd, self->ncpus >= 2 ? 1 : -1, &r));
	ASSERT_TRUE(wait_interrupted(fd, 2)) TH_LOG("the guest never ran");
	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	info = denali_vm_in_list(vms, count, id);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(DENALI_VM_RUNNING, info->state);

	ASSERT_EQ(0, denali_vm_ref(self->dev, DENALI_DESTROY_VM, id));
	ASSERT_TRUE(denali_runner_wait(r, HANG_MS)) TH_LOG("RUN did not return after DESTROY");
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(DENALI_STOP_DESTROYED, r->run.reason);
	EXPECT_EQ(1, r->calls);

	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(NULL, denali_vm_in_list(vms, count, id));
	pfd.fd = fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP) TH_LOG("revents %#x", pfd.revents);
	EXPECT_EQ(-ENOENT, denali_vm_ref(self->dev, DENALI_DESTROY_VM, id));
	EXPECT_EQ(-ENOENT, denali_vm_ref(self->dev, DENALI_OPEN_VM, id));

	/*
	 * No round trip starts once the VM is destroyed: at most the one it
	 * was in ends as a kick (none if the destroy found the thread in the
	 * host, between two round trips).
	 */
	ASSERT_EQ(0, denali_get_stats(fd, &st));
	EXPECT_GE(1, st.exits[DENALI_EXITK_KICK])
		TH_LOG("exits: %llu interrupt, %llu kick, %llu hypercall",
		       st.exits[DENALI_EXITK_INTERRUPT],
		       st.exits[DENALI_EXITK_KICK],
		       st.exits[DENALI_EXITK_HYPERCALL]);

	/* It stays stopped, and its console ends. */
	ASSERT_EQ(0, denali_run(fd, &run));
	EXPECT_EQ(DENALI_STOP_DESTROYED, run.reason);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	denali_console_skip(fd);
	EXPECT_EQ(0, read(fd, &c, 1));
}

/* ---- 3. listing ---------------------------------------------------------- */

/*
 * One VM in each state the list can report, each with its own memory
 * size so that no field is taken from the wrong VM.
 */
TEST_F_TIMEOUT(ops, list_reports_state_and_status, TEST_TIMEOUT_S)
{
	enum { READY, RUNNING, EXITED, CRASHED, HALTED, KINDS };
	static const char *const guest[KINDS] = {
		[EXITED] = "exit_status", [CRASHED] = "crash_cli",
		[HALTED] = "halt",
	};
	static const char *const name[KINDS] = {
		"ops-ready", "ops-running", "ops-exited", "ops-crashed",
		"ops-halted",
	};
	static const __u32 reason[KINDS] = {
		0, 0, DENALI_STOP_EXIT, DENALI_STOP_CRASH, DENALI_STOP_HALT,
	};
	struct denali_vm_info vms[LIST_CAP];
	const struct denali_vm_info *info;
	struct denali_run run;
	__u32 id[KINDS], count = 0, total = 0;
	int k, image, fd;
	char c;

	if (!self->ready)
		return;
	for (k = 0; k < KINDS; k++) {
		image = guest[k] ? denali_guest_image(guest[k]) :
				   CODE_IMAGE(spinner);
		ASSERT_LE(0, image) TH_LOG("%s", name[k]);
		fd = pool_vm(&self->p, self->dev, image, (k + 1) * MIB,
			     name[k], &id[k]);
		close(image);
		ASSERT_LE(0, fd) TH_LOG("%s", name[k]);
		if (k == RUNNING) {
			ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
			ASSERT_TRUE(denali_wait_readable(fd, HANG_MS));
			ASSERT_EQ(1, read(fd, &c, 1));
		} else if (k != READY) {
			ASSERT_EQ(0, denali_run(fd, &run));
			ASSERT_EQ(reason[k], run.reason) TH_LOG("%s", name[k]);
		}
	}

	/* Too little room: one written, and how many there are. */
	ASSERT_EQ(0, denali_get_list(self->dev, vms, 1, &count, &total));
	EXPECT_EQ(1, count);
	EXPECT_LE(KINDS, total);
	ASSERT_GE(LIST_CAP, total);

	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(total, count);
	for (k = 0; k < KINDS; k++) {
		info = denali_vm_in_list(vms, count, id[k]);
		ASSERT_NE(NULL, info) TH_LOG("%s not listed", name[k]);
		EXPECT_STREQ(name[k], info->name);
		EXPECT_EQ((k + 1) * MIB, info->mem_size) TH_LOG("%s", name[k]);
		EXPECT_EQ(0, info->owner_uid) TH_LOG("%s", name[k]);
		EXPECT_EQ(k == READY ? 0 : getpid(), info->runner_pid)
			TH_LOG("%s", name[k]);
		EXPECT_EQ(k == READY ? DENALI_VM_READY :
			  k == RUNNING ? DENALI_VM_RUNNING : DENALI_VM_STOPPED,
			  info->state) TH_LOG("%s", name[k]);
		EXPECT_EQ(reason[k], info->stop_reason) TH_LOG("%s", name[k]);
		EXPECT_EQ(k == EXITED ? 7 : 0, info->exit_status)
			TH_LOG("%s", name[k]);
		if (k == CRASHED) {
			EXPECT_EQ(DENALI_CRASH_PRIVILEGED, info->crash_cause);
			EXPECT_EQ(13, info->crash_vector);
			EXPECT_STREQ("privileged instruction: cli",
				     info->crash_description);
		} else {
			EXPECT_EQ(0, info->crash_cause) TH_LOG("%s", name[k]);
			EXPECT_EQ(0, info->crash_vector) TH_LOG("%s", name[k]);
			EXPECT_EQ(0, info->crash_description[0])
				TH_LOG("%s", name[k]);
		}
	}
	/* Listed by id. */
	for (k = 1; k < (int)count; k++)
		EXPECT_LT(vms[k - 1].id, vms[k].id);
}

/* ---- 7. unloading -------------------------------------------------------- */

/*
 * Every VM file holds the module: with fifty VMs, some running, it will
 * not unload.  Destroyed by id and closed, they let it go, and nothing
 * else (a runner, a lingering reference) keeps it.
 */
TEST_F_TIMEOUT(ops, unload_refused_with_fifty_vms_then_clean,
	       TEST_TIMEOUT_S)
{
	struct denali_vm_info *vms;
	__u32 id[UNLOAD_VMS], count = 0, total = 0;
	int i, image, fd, ret, destroyed = 0;
	char c;

	if (!self->ready)
		return;
	vms = calloc(LIST_CAP, sizeof(*vms));
	ASSERT_NE(NULL, vms);
	image = CODE_IMAGE(spinner);
	ASSERT_LE(0, image);
	for (i = 0; i < UNLOAD_VMS; i++) {
		fd = pool_vm(&self->p, self->dev, image, MEM, NULL, &id[i]);
		ASSERT_LE(0, fd) TH_LOG("VM %d: %s", i, strerror(-fd));
		if (i < UNLOAD_RUNNING)
			ASSERT_EQ(0, start_runner(&self->p, fd, -1, NULL));
	}
	close(image);
	for (i = 0; i < UNLOAD_RUNNING; i++) {
		ASSERT_TRUE(denali_wait_readable(self->p.vm[i], HANG_MS));
		ASSERT_EQ(1, read(self->p.vm[i], &c, 1));
	}

	ret = denali_unload_module();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module: %d", ret);
	ASSERT_TRUE(denali_module_loaded());

	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(UNLOAD_VMS, total);
	for (i = 0; i < UNLOAD_VMS; i++)
		EXPECT_NE(NULL, denali_vm_in_list(vms, count, id[i]));
	for (i = 0; i < (int)count; i++)
		destroyed += !denali_vm_ref(self->dev, DENALI_DESTROY_VM, vms[i].id);
	EXPECT_EQ(count, destroyed);
	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_EQ(0, total);
	free(vms);

	/* Each runner's RUN ended with the destroy, without a signal. */
	for (i = 0; i < UNLOAD_RUNNING; i++) {
		struct denali_runner *r = &self->p.run[i];

		ASSERT_TRUE(denali_runner_wait(r, HANG_MS)) TH_LOG("runner %d", i);
		EXPECT_EQ(0, r->ret) TH_LOG("runner %d", i);
		EXPECT_EQ(DENALI_STOP_DESTROYED, r->run.reason)
			TH_LOG("runner %d", i);
	}
	for (i = 0; i < self->p.nvm; i++) {
		close(self->p.vm[i]);
		self->p.vm[i] = -1;
	}
	close(self->dev);
	self->dev = -1;

	ASSERT_EQ(0, denali_unload_module());
	EXPECT_FALSE(denali_module_loaded());
	ASSERT_EQ(0, denali_load_module());
}

TEST_HARNESS_MAIN
