// SPDX-License-Identifier: GPL-2.0
/*
 * CPU state a guest controls from ring 3 (FS/GS bases with wrfsbase and
 * wrgsbase, PKRU with wrpkru, SSE/AVX registers, RFLAGS bits) is the
 * guest's alone: it survives every exit unchanged, the host thread that
 * runs the VM finds its own values untouched, and a new guest starts from
 * the documented entry state, not from the host's.
 */
#include <asm/prctl.h>
#include <cpuid.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "denali_util.h"

#define MEM (1ull << 20)

static bool cpu_has(unsigned int leaf, unsigned int reg, unsigned int bit)
{
	unsigned int r[4];

	if (!__get_cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3]))
		return false;
	return r[reg] & (1u << bit);
}

#define EBX 1
#define ECX 2

/* User FSGSBASE needs CR4.FSGSBASE: Linux sets it when the CPU has it. */
static bool have_fsgsbase(void)
{
	return cpu_has(7, EBX, 0);
}

static bool have_ospke(void)
{
	return cpu_has(7, ECX, 4);
}

static bool have_avx(void)
{
	return cpu_has(1, ECX, 28) && cpu_has(1, ECX, 27);	/* +OSXSAVE */
}

/*
 * A guest that sets FS base 0x1111000, GS base 0x2222000, PKRU 0xc and
 * ymm0 to all ones, makes 100 null hypercalls, then checks each and
 * exits with a bit set for each value that changed (1 FS, 2 GS, 4 PKRU,
 * 8 ymm0).
 */
static const unsigned char junk_guest[] = {
	0x48, 0xb8, 0x00, 0x10, 0x11, 0x01, 0, 0, 0, 0, /* movabs $0x1111000,%rax */
	0xf3, 0x48, 0x0f, 0xae, 0xd0,		/* wrfsbase %rax */
	0x48, 0xb8, 0x00, 0x20, 0x22, 0x02, 0, 0, 0, 0, /* movabs $0x2222000,%rax */
	0xf3, 0x48, 0x0f, 0xae, 0xd8,		/* wrgsbase %rax */
	0x31, 0xc9,				/* xor %ecx,%ecx */
	0x31, 0xd2,				/* xor %edx,%edx */
	0xb8, 0x0c, 0x00, 0x00, 0x00,		/* mov $0xc,%eax */
	0x0f, 0x01, 0xef,			/* wrpkru */
	0xc5, 0xfd, 0x74, 0xc0,			/* vpcmpeqb %ymm0,%ymm0,%ymm0 */
	0xb9, 0x64, 0x00, 0x00, 0x00,		/* mov $100,%ecx */
	0xb8, 0x03, 0x00, 0x00, 0x00,		/* 1: mov $3,%eax (null) */
	0xcd, 0x1f,				/* int $0x1f */
	0xff, 0xc9,				/* dec %ecx */
	0x75, 0xf5,				/* jnz 1b */
	0x31, 0xff,				/* xor %edi,%edi */
	0xf3, 0x48, 0x0f, 0xae, 0xc0,		/* rdfsbase %rax */
	0x48, 0x3d, 0x00, 0x10, 0x11, 0x01,	/* cmp $0x1111000,%rax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x01,			/* or $1,%edi */
	0xf3, 0x48, 0x0f, 0xae, 0xc8,		/* rdgsbase %rax */
	0x48, 0x3d, 0x00, 0x20, 0x22, 0x02,	/* cmp $0x2222000,%rax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x02,			/* or $2,%edi */
	0x31, 0xc9,				/* xor %ecx,%ecx */
	0x0f, 0x01, 0xee,			/* rdpkru */
	0x83, 0xf8, 0x0c,			/* cmp $0xc,%eax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x04,			/* or $4,%edi */
	0xc5, 0xfd, 0xd7, 0xc0,			/* vpmovmskb %ymm0,%eax */
	0x83, 0xf8, 0xff,			/* cmp $-1,%eax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x08,			/* or $8,%edi */
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%eax (exit) */
	0xcd, 0x1f,				/* int $0x1f */
};

/*
 * A guest that reports what it found at entry: exit status bit 1 if FS
 * base was not 0, 2 if GS base was not 0, 4 if PKRU was not 0x55555554,
 * 8 if ymm0 was not zero.
 */
static const unsigned char entry_guest[] = {
	0x31, 0xff,				/* xor %edi,%edi */
	0xf3, 0x48, 0x0f, 0xae, 0xc0,		/* rdfsbase %rax */
	0x48, 0x85, 0xc0,			/* test %rax,%rax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x01,			/* or $1,%edi */
	0xf3, 0x48, 0x0f, 0xae, 0xc8,		/* rdgsbase %rax */
	0x48, 0x85, 0xc0,			/* test %rax,%rax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x02,			/* or $2,%edi */
	0x31, 0xc9,				/* xor %ecx,%ecx */
	0x0f, 0x01, 0xee,			/* rdpkru */
	0x3d, 0x54, 0x55, 0x55, 0x55,		/* cmp $0x55555554,%eax */
	0x74, 0x03,				/* je +3 */
	0x83, 0xcf, 0x04,			/* or $4,%edi */
	0xc4, 0xe2, 0x7d, 0x17, 0xc0,		/* vptest %ymm0,%ymm0 */
	0x74, 0x03,				/* je +3 (ZF: all zero) */
	0x83, 0xcf, 0x08,			/* or $8,%edi */
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov $1,%eax (exit) */
	0xcd, 0x1f,				/* int $0x1f */
};

static unsigned int read_pkru(void)
{
	unsigned int eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static void write_pkru(unsigned int pkru)
{
	asm volatile(".byte 0x0f, 0x01, 0xef" : : "a"(pkru), "c"(0), "d"(0));
}

/*
 * DENALI_RUN with ymm0-ymm15 loaded from @in just before the system call
 * and stored to @out just after it, in one asm block so that the compiler
 * cannot touch them in between.
 */
static long run_keeping_ymm(int vm, struct denali_run *run,
			    const unsigned char *in, unsigned char *out)
{
	long ret;

	asm volatile(
		"vmovdqu 0x000(%[in]), %%ymm0\n\t"
		"vmovdqu 0x020(%[in]), %%ymm1\n\t"
		"vmovdqu 0x040(%[in]), %%ymm2\n\t"
		"vmovdqu 0x060(%[in]), %%ymm3\n\t"
		"vmovdqu 0x080(%[in]), %%ymm4\n\t"
		"vmovdqu 0x0a0(%[in]), %%ymm5\n\t"
		"vmovdqu 0x0c0(%[in]), %%ymm6\n\t"
		"vmovdqu 0x0e0(%[in]), %%ymm7\n\t"
		"vmovdqu 0x100(%[in]), %%ymm8\n\t"
		"vmovdqu 0x120(%[in]), %%ymm9\n\t"
		"vmovdqu 0x140(%[in]), %%ymm10\n\t"
		"vmovdqu 0x160(%[in]), %%ymm11\n\t"
		"vmovdqu 0x180(%[in]), %%ymm12\n\t"
		"vmovdqu 0x1a0(%[in]), %%ymm13\n\t"
		"vmovdqu 0x1c0(%[in]), %%ymm14\n\t"
		"vmovdqu 0x1e0(%[in]), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqu %%ymm0, 0x000(%[out])\n\t"
		"vmovdqu %%ymm1, 0x020(%[out])\n\t"
		"vmovdqu %%ymm2, 0x040(%[out])\n\t"
		"vmovdqu %%ymm3, 0x060(%[out])\n\t"
		"vmovdqu %%ymm4, 0x080(%[out])\n\t"
		"vmovdqu %%ymm5, 0x0a0(%[out])\n\t"
		"vmovdqu %%ymm6, 0x0c0(%[out])\n\t"
		"vmovdqu %%ymm7, 0x0e0(%[out])\n\t"
		"vmovdqu %%ymm8, 0x100(%[out])\n\t"
		"vmovdqu %%ymm9, 0x120(%[out])\n\t"
		"vmovdqu %%ymm10, 0x140(%[out])\n\t"
		"vmovdqu %%ymm11, 0x160(%[out])\n\t"
		"vmovdqu %%ymm12, 0x180(%[out])\n\t"
		"vmovdqu %%ymm13, 0x1a0(%[out])\n\t"
		"vmovdqu %%ymm14, 0x1c0(%[out])\n\t"
		"vmovdqu %%ymm15, 0x1e0(%[out])\n\t"
		: "=a"(ret)
		: "a"((long)SYS_ioctl), "D"((long)vm), "S"(DENALI_RUN), "d"(run),
		  [in] "b"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		  "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

FIXTURE(state) {
	int vm;
};

FIXTURE_SETUP(state)
{
	self->vm = -1;
	if (geteuid())
		SKIP(return, "loading modules needs root");
	if (!have_fsgsbase() || !have_ospke() || !have_avx())
		SKIP(return, "needs FSGSBASE, PKU and AVX (every test lane has them)");
	ASSERT_EQ(0, denali_ensure_loaded());
}

FIXTURE_TEARDOWN(state)
{
	if (self->vm >= 0)
		close(self->vm);
}

TEST_F(state, guest_junk_survives_exits_and_host_keeps_its_own)
{
	unsigned long fs_before, fs_after, gs_after;
	unsigned char in[512], out[512];
	struct denali_run run;
	unsigned int i, pkru;
	long ret;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	self->vm = denali_create_code(junk_guest, sizeof(junk_guest), MEM);
	ASSERT_LE(0, self->vm);

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, 0x7777000ul));
	write_pkru(0);		/* every key open: unlike the guest's 0xc */

	memset(&run, 0, sizeof(run));
	ret = run_keeping_ymm(self->vm, &run, in, out);

	pkru = read_pkru();
	write_pkru(0x55555554);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_after));
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);

	ASSERT_EQ(0, ret);
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason) TH_LOG("%s",
						      run.crash.description);
	EXPECT_EQ(0, run.exit_status)
		TH_LOG("guest lost: %s%s%s%s",
		       run.exit_status & 1 ? "FS base " : "",
		       run.exit_status & 2 ? "GS base " : "",
		       run.exit_status & 4 ? "PKRU " : "",
		       run.exit_status & 8 ? "ymm0" : "");
	EXPECT_EQ(fs_before, fs_after);
	EXPECT_EQ(0x7777000ul, gs_after);
	EXPECT_EQ(0, pkru);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("host ymm changed");
}

TEST_F(state, a_new_guest_sees_the_entry_state_not_the_host)
{
	unsigned char in[512], out[512];
	struct denali_run run;

	memset(in, 0xa5, sizeof(in));
	self->vm = denali_create_code(entry_guest, sizeof(entry_guest), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, 0x7777000ul));
	write_pkru(0);
	memset(&run, 0, sizeof(run));
	ASSERT_EQ(0, run_keeping_ymm(self->vm, &run, in, out));
	write_pkru(0x55555554);
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason) TH_LOG("%s",
						      run.crash.description);
	EXPECT_EQ(0, run.exit_status)
		TH_LOG("host leaked into the guest: %s%s%s%s",
		       run.exit_status & 1 ? "FS base " : "",
		       run.exit_status & 2 ? "GS base " : "",
		       run.exit_status & 4 ? "PKRU " : "",
		       run.exit_status & 8 ? "ymm0" : "");
}

/*
 * The guest sets NT and asks for IOPL 3 with popf, exits once (a null
 * hypercall), and reports what it has then: IOPL must still be 0 (popf
 * cannot raise it in ring 3) and NT cleared by the monitor on entry.
 * Exit status: the flags it read.
 */
TEST_F(state, nt_and_iopl_never_reach_the_guest)
{
	static const unsigned char code[] = {
		0x9c,				/* pushf */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x70, 0x00, 0x00,
						/* orq $0x7000,(%rsp) */
		0x9d,				/* popf */
		0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov $3,%eax (null) */
		0xcd, 0x1f,			/* int $0x1f */
		0x9c,				/* pushf */
		0x5f,				/* pop %rdi */
		0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov $1,%eax (exit) */
		0xcd, 0x1f,			/* int $0x1f */
	};
	struct denali_run run;

	self->vm = denali_create_code(code, sizeof(code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0, run.exit_status & 0x3000) TH_LOG("IOPL raised");
	EXPECT_EQ(0, run.exit_status & 0x4000) TH_LOG("NT kept");
	EXPECT_EQ(0x200, run.exit_status & 0x200) TH_LOG("IF off");
}

TEST_F(state, trap_flag_stops_the_guest_with_db)
{
	static const unsigned char code[] = {
		0x9c,				/* pushf */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00,
						/* orq $0x100,(%rsp): TF */
		0x9d,				/* popf */
		0x90,				/* nop: TF set by popf */
		0xf4,				/* traps after this nop */
	};
	struct denali_run run;

	self->vm = denali_create_code(code, sizeof(code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	ASSERT_EQ(DENALI_STOP_CRASH, run.reason);
	EXPECT_EQ(1, run.crash.vector);
	/* A trap: RIP is past the nop that ran with TF set. */
	EXPECT_EQ(DENALI_GUEST_IMAGE_BASE + 11, run.crash.regs.rip);
}

/*
 * AC is the guest's: with CR0.AM set by Linux, a misaligned access in ring
 * 3 with AC set is #AC, which stops the guest.  QEMU's TCG does not check
 * alignment, so there the access completes; then AC must still be set
 * after an exit (the monitor keeps it), and never reach the host (the exit
 * path clears it: SMAP would otherwise be off in the kernel).  Exit
 * status: the flags after the exit.
 */
TEST_F(state, alignment_check_flag_is_the_guests)
{
	static const unsigned char code[] = {
		0x9c,				/* pushf */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00,
						/* orq $0x40000,(%rsp): AC */
		0x9d,				/* popf */
		0x48, 0x8b, 0x44, 0x24, 0xf1,	/* mov -15(%rsp),%rax */
		0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov $3,%eax (null) */
		0xcd, 0x1f,			/* int $0x1f */
		0x9c,				/* pushf */
		0x5f,				/* pop %rdi */
		0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov $1,%eax (exit) */
		0xcd, 0x1f,			/* int $0x1f */
	};
	struct denali_run run;

	self->vm = denali_create_code(code, sizeof(code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	if (run.reason == DENALI_STOP_CRASH) {
		EXPECT_EQ(17, run.crash.vector)
			TH_LOG("%s", run.crash.description);
		EXPECT_EQ(DENALI_GUEST_IMAGE_BASE + 10, run.crash.regs.rip);
		return;
	}
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0x40000, run.exit_status & 0x40000) TH_LOG("AC lost");
}

/* Forever: ymm0-ymm7 = all ones. */
static const unsigned char ymm_scribbler[] = {
	0xc5, 0xfd, 0x74, 0xc0,		/* vpcmpeqb %ymm0,%ymm0,%ymm0 */
	0xc5, 0xf5, 0x74, 0xc9,		/* vpcmpeqb %ymm1,%ymm1,%ymm1 */
	0xc5, 0xed, 0x74, 0xd2,		/* vpcmpeqb %ymm2,%ymm2,%ymm2 */
	0xc5, 0xe5, 0x74, 0xdb,		/* vpcmpeqb %ymm3,%ymm3,%ymm3 */
	0xc5, 0xdd, 0x74, 0xe4,		/* vpcmpeqb %ymm4,%ymm4,%ymm4 */
	0xc5, 0xd5, 0x74, 0xed,		/* vpcmpeqb %ymm5,%ymm5,%ymm5 */
	0xc5, 0xcd, 0x74, 0xf6,		/* vpcmpeqb %ymm6,%ymm6,%ymm6 */
	0xc5, 0xc5, 0x74, 0xff,		/* vpcmpeqb %ymm7,%ymm7,%ymm7 */
	0xeb, 0xde,			/* jmp to the start */
};

static void on_usr1(int sig)
{
	(void)sig;
}

/* Shared by the test thread and the thread that runs the guest. */
struct runner_ctl {
	int vm;
	int started;	/* the runner is about to enter DENALI_RUN */
	int stop;	/* set by the test thread, then signals follow */
	int done;	/* the runner is out for good */
};

/*
 * Run the guest until told to stop.  The signal that interrupts
 * DENALI_RUN may arrive before the first call (the handler runs and
 * DENALI_RUN would then spin for ever), so @stop is checked before every
 * call and the test thread keeps signalling until @done.
 */
static void *run_until_stopped(void *arg)
{
	struct runner_ctl *ctl = arg;
	struct denali_run run;

	__atomic_store_n(&ctl->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE) &&
	       denali_run(ctl->vm, &run) == -EINTR)
		;
	__atomic_store_n(&ctl->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void stop_runner(struct runner_ctl *ctl, pthread_t runner)
{
	__atomic_store_n(&ctl->stop, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE)) {
		pthread_kill(runner, SIGUSR1);
		usleep(1000);
	}
	pthread_join(runner, NULL);
}

static __u64 interrupt_exits(int vm)
{
	struct denali_stats st = { 0 };

	if (ioctl(vm, DENALI_GET_STATS, &st))
		return 0;
	return st.exits[DENALI_EXITK_INTERRUPT];
}

static void pin_to_cpu0(pthread_t t)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

/*
 * Load ymm0-7 from @in, sleep for a millisecond, store them
 * to @out: all in one asm block, so only the kernel could change them.
 */
static void sleep_keeping_ymm(const unsigned char *in, unsigned char *out)
{
	static const struct timespec ms = { .tv_nsec = 1000000 };
	long ret;

	asm volatile(
		"vmovdqu 0x00(%[in]), %%ymm0\n\t"
		"vmovdqu 0x20(%[in]), %%ymm1\n\t"
		"vmovdqu 0x40(%[in]), %%ymm2\n\t"
		"vmovdqu 0x60(%[in]), %%ymm3\n\t"
		"vmovdqu 0x80(%[in]), %%ymm4\n\t"
		"vmovdqu 0xa0(%[in]), %%ymm5\n\t"
		"vmovdqu 0xc0(%[in]), %%ymm6\n\t"
		"vmovdqu 0xe0(%[in]), %%ymm7\n\t"
		"syscall\n\t"
		"vmovdqu %%ymm0, 0x00(%[out])\n\t"
		"vmovdqu %%ymm1, 0x20(%[out])\n\t"
		"vmovdqu %%ymm2, 0x40(%[out])\n\t"
		"vmovdqu %%ymm3, 0x60(%[out])\n\t"
		"vmovdqu %%ymm4, 0x80(%[out])\n\t"
		"vmovdqu %%ymm5, 0xa0(%[out])\n\t"
		"vmovdqu %%ymm6, 0xc0(%[out])\n\t"
		"vmovdqu %%ymm7, 0xe0(%[out])\n\t"
		: "=a"(ret)
		: "a"((long)SYS_nanosleep), "D"(&ms), "S"(NULL), [in] "b"(in),
		  [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		  "xmm4", "xmm5", "xmm6", "xmm7");
}

/*
 * A guest scribbling on its vector registers shares CPU 0 with a host
 * thread that sleeps 200 times, leaving the CPU to it: the host thread's
 * registers must come back every time.  (Guards the reload of the guest's FPU state
 * before each entry: without it the guest ran on whatever registers were
 * live, another task's, and that task got them back changed.)
 */
TEST_F(state, host_tasks_keep_their_vector_registers_beside_a_guest)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct runner_ctl ctl = { 0 };
	unsigned char in[256], out[256];
	unsigned int i, bad = 0;
	__u64 exits_before;
	pthread_t runner;

	ctl.vm = denali_create_code(ymm_scribbler, sizeof(ymm_scribbler), MEM);
	ASSERT_LE(0, ctl.vm);
	self->vm = ctl.vm;
	sigaction(SIGUSR1, &sa, NULL);
	pin_to_cpu0(pthread_self());
	ASSERT_EQ(0, pthread_create(&runner, NULL, run_until_stopped, &ctl));
	pin_to_cpu0(runner);

	/* Both on CPU 0, and the guest really running, before we start. */
	while (!__atomic_load_n(&ctl.started, __ATOMIC_ACQUIRE) ||
	       !interrupt_exits(ctl.vm))
		sched_yield();
	exits_before = interrupt_exits(ctl.vm);

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 1);
	for (i = 0; i < 200; i++) {
		memset(out, 0, sizeof(out));
		sleep_keeping_ymm(in, out);
		if (memcmp(in, out, sizeof(in)))
			bad++;
	}

	/* The guest ran while we slept: the CPU really changed hands. */
	EXPECT_LT(exits_before, interrupt_exits(ctl.vm));
	stop_runner(&ctl, runner);
	EXPECT_EQ(0, bad) TH_LOG("%u of 200 sleeps came back with changed registers",
				 bad);
}

TEST_HARNESS_MAIN
