/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ops_*_test suites share: operating many VMs at once, as an
 * administrator does.  The other suites look at one VM closely; these
 * check that the module's bookkeeping holds when there are many, and when
 * they come and go:
 *
 *	ops_test.c		a hundred guests sharing two CPUs with host
 *				work, VMs destroyed while they run, listing
 *				what exists and in which state, unloading
 *				refused under fifty VMs
 *	ops_users_test.c	users kept apart from each other's VMs and
 *				held to their quota
 *	ops_counts_test.c	a thousand VMs made and freed without memory
 *				creeping away, the tracepoints, and a console
 *				that overflows before anyone reads it
 *
 * The checks are counts, states and orderings.  The machines are QEMU TCG,
 * whose speed varies, so times only turn a hang into a failure; where a
 * test runs "for about 10 s" that is a minimum, and it goes on until what
 * it waits for has happened or the hang detector fires.
 *
 * Guests are raw code (below, see guest_code.h) or images from guests/.
 * A VM's DENALI_RUN loop runs in its own thread, a "runner" (lib/runner.c),
 * stopped with a signal whose handler does not restart system calls.
 */
#ifndef DENALI_OPS_FIXTURE_H
#define DENALI_OPS_FIXTURE_H

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"

#define MEM		DENALI_GUEST_MEM_MIN
#define MIB		(1ull << 20)

/* Hang detectors: far beyond what a working module needs under TCG. */
#define HANG_MS		60000
#define TEST_TIMEOUT_S	300

#define MANY_VMS	100
#define MANY_RUN_MS	10000	/* the least wall time they all run */
#define HOST_WORK_STEPS	1000000
#define LIST_CAP	256
#define UNLOAD_VMS	50
#define UNLOAD_RUNNING	10
#define CYCLES		1000
#define CYCLES_REDUCED	300
#define CYCLES_WARMUP	5
#define NULL_CALLS	100
#define BURST_BYTES	(100 * 1024)
#define BURST_PATTERN	251

#define DEVICE_MODE_ALL	0666
#define LIMIT_PARAM	"/sys/module/denali/parameters/max_vms_per_user"
#define DROP_CACHES	"/proc/sys/vm/drop_caches"
#define TRACING		"/sys/kernel/tracing"
#define TRACE_EVENTS	TRACING "/events/denali"

/* ---- guests -------------------------------------------------------------- */

/*
 * The spinner: counts in RBX and, every 2^20 iterations, writes one byte
 * (from free guest memory at 0x20000) to its console, so the console
 * shows that it runs.
 */
GUEST_CODE(spinner,
	"1:	inc %rbx\n"
	"	test $0xfffff, %ebx\n"
	"	jnz 1b\n"
	"	mov $2, %eax		# console_write(0x20000, 1)\n"
	"	mov $0x20000, %edi\n"
	"	mov $1, %esi\n"
	"	int $0x1f\n"
	"	jmp 1b\n");

/*
 * jmp .: a spinner that never leaves the guest by itself, so that only
 * host interrupts end its round trips.
 */
GUEST_CODE(quiet_spinner,
	"1:	jmp 1b\n");

/* exit(0) */
GUEST_CODE(exit0,
	"	mov $1, %eax		# exit(0)\n"
	"	xor %edi, %edi\n"
	"	int $0x1f\n");

/* NULL_CALLS null hypercalls, then exit(0). */
GUEST_CODE(null_calls,
	"	mov $" GUEST_STR(NULL_CALLS) ", %ecx\n"
	"1:	mov $3, %eax		# null\n"
	"	int $0x1f\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	mov $1, %eax		# exit(0)\n"
	"	xor %edi, %edi\n"
	"	int $0x1f\n");

/*
 * The burst: fills BURST_BYTES of its memory at 0x20000 with byte i =
 * i % BURST_PATTERN (a period that divides none of the buffer sizes, so
 * a byte from the wrong place shows), writes them to the console in 25
 * writes of 4 KiB, and exits 0, or 1 if a write was short.
 */
GUEST_CODE(burst,
	"	mov $0x20000, %edi\n"
	"	xor %ecx, %ecx\n"
	"	xor %eax, %eax\n"
	"1:	mov %al, (%rdi,%rcx)\n"
	"	inc %eax\n"
	"	cmp $" GUEST_STR(BURST_PATTERN) ", %eax\n"
	"	jne 2f\n"
	"	xor %eax, %eax\n"
	"2:	inc %ecx\n"
	"	cmp $" GUEST_STR(BURST_BYTES) ", %ecx\n"
	"	jne 1b\n"
	"	mov $0x20000, %ebx\n"
	"	mov $25, %r12d		# BURST_BYTES in 4 KiB writes\n"
	"3:	mov $2, %eax		# console_write(%rbx, 4096)\n"
	"	mov %rbx, %rdi\n"
	"	mov $4096, %esi\n"
	"	int $0x1f\n"
	"	cmp $4096, %rax\n"
	"	jne 4f\n"
	"	add $4096, %rbx\n"
	"	dec %r12d\n"
	"	jnz 3b\n"
	"	xor %edi, %edi\n"
	"	jmp 5f\n"
	"4:	mov $1, %edi\n"
	"5:	mov $1, %eax		# exit\n"
	"	int $0x1f\n");

_Static_assert(BURST_BYTES == 25 * 4096, "the burst writes 25 pages");

/* An image file of guest code @name, for DENALI_CREATE_VM. */
#define CODE_IMAGE(name)	denali_code_image(name, GUEST_CODE_LEN(name))

/* ---- the fixture --------------------------------------------------------- */

/* A test's VM fds and runners, for teardown to end whatever happened. */
struct pool {
	int nvm;
	int vm[MANY_VMS];
	int nrun;
	struct denali_runner run[MANY_VMS];
};

FIXTURE(ops) {
	bool ready;		/* setup completed without skipping */
	int ncpus;
	int dev;		/* /dev/denali */
	struct pool p;		/* VMs and runners, ended in teardown */
	mode_t dev_mode;	/* /dev/denali's mode to restore, or 0 */
	char limit[32];		/* max_vms_per_user to restore, or "" */
	bool tracing;		/* the denali events may be enabled */
	bool tracing_was_off;	/* tracing_on was 0: put it back */
};

FIXTURE_SETUP(ops)
{
	self->dev = -1;
	if (!denali_setup_module(_metadata))
		return;

	ASSERT_EQ(0, denali_runner_signals());
	self->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	self->dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	self->ready = true;
}

static inline void trace_events_enable(const char *value)
{
	denali_write_file(TRACE_EVENTS "/denali_vm_entry/enable", value);
	denali_write_file(TRACE_EVENTS "/denali_vm_exit/enable", value);
}

/* Opening the trace file for writing with O_TRUNC empties the buffer. */
static inline void trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

FIXTURE_TEARDOWN(ops)
{
	int i;

	EXPECT_EQ(0, denali_runners_stop(self->p.run, self->p.nrun, HANG_MS))
		TH_LOG("runners did not stop");
	for (i = 0; i < self->p.nvm; i++)
		if (self->p.vm[i] >= 0)
			close(self->p.vm[i]);
	if (self->dev >= 0)
		close(self->dev);
	if (self->dev_mode)
		EXPECT_EQ(0, chmod(DENALI_DEVICE_PATH, self->dev_mode));
	if (self->limit[0])
		EXPECT_EQ(0, denali_write_file(LIMIT_PARAM, self->limit));
	if (self->tracing) {
		trace_events_enable("0");
		trace_clear();
		if (self->tracing_was_off)
			denali_write_file(TRACING "/tracing_on", "0");
	}
}

/* Keep VM fd @fd for teardown to close; @fd itself, or -1 when full. */
static inline int keep_vm(struct pool *p, int fd)
{
	if (fd < 0 || p->nvm >= MANY_VMS)
		return fd < 0 ? fd : -1;
	p->vm[p->nvm++] = fd;
	return fd;
}

/* denali_create_on() of a VM kept for teardown to close. */
static inline int pool_vm(struct pool *p, int dev, int image,
			  unsigned long long mem, const char *name, __u32 *id)
{
	return keep_vm(p, denali_create_on(dev, image, mem, name, id, NULL));
}

/* A runner for VM @fd, stopped in teardown; 0 or -errno. */
static inline int start_runner(struct pool *p, int fd, int cpu,
			       struct denali_runner **out)
{
	struct denali_runner *r = &p->run[p->nrun];
	int ret;

	if (p->nrun >= MANY_VMS)
		return -ENOSPC;
	ret = denali_runner_start(r, fd, cpu, 0);
	if (ret)
		return ret;
	p->nrun++;
	if (out)
		*out = r;
	return 0;
}

/*
 * Let user DENALI_TEST_UID open /dev/denali, saving its mode in @saved
 * for teardown to restore.
 */
static inline int open_device_to_all(mode_t *saved)
{
	struct stat st;

	if (stat(DENALI_DEVICE_PATH, &st))
		return -errno;
	*saved = st.st_mode & 07777;
	return chmod(DENALI_DEVICE_PATH, DEVICE_MODE_ALL) ? -errno : 0;
}

#endif /* DENALI_OPS_FIXTURE_H */
