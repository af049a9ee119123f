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

#include "denali_test.h"
#include "denali_runner.h"
#include "guest_code.h"

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
GUEST_CODE(junk_guest,
	"	movabs $0x1111000, %rax\n"
	"	wrfsbase %rax\n"
	"	movabs $0x2222000, %rax\n"
	"	wrgsbase %rax\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	mov $0xc, %eax\n"
	"	wrpkru\n"
	"	vpcmpeqb %ymm0, %ymm0, %ymm0\n"
	"	mov $100, %ecx\n"
	"1:	mov $3, %eax		# null\n"
	"	int $0x1f\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	xor %edi, %edi\n"
	"	rdfsbase %rax\n"
	"	cmp $0x1111000, %rax\n"
	"	je 2f\n"
	"	or $1, %edi\n"
	"2:	rdgsbase %rax\n"
	"	cmp $0x2222000, %rax\n"
	"	je 3f\n"
	"	or $2, %edi\n"
	"3:	xor %ecx, %ecx\n"
	"	rdpkru\n"
	"	cmp $0xc, %eax\n"
	"	je 4f\n"
	"	or $4, %edi\n"
	"4:	vpmovmskb %ymm0, %eax\n"
	"	cmp $-1, %eax\n"
	"	je 5f\n"
	"	or $8, %edi\n"
	"5:	mov $1, %eax		# exit\n"
	"	int $0x1f\n");

/*
 * A guest that reports what it found at entry: exit status bit 1 if FS
 * base was not 0, 2 if GS base was not 0, 4 if PKRU was not 0x55555554,
 * 8 if ymm0 was not zero.
 */
GUEST_CODE(entry_guest,
	"	xor %edi, %edi\n"
	"	rdfsbase %rax\n"
	"	test %rax, %rax\n"
	"	je 1f\n"
	"	or $1, %edi\n"
	"1:	rdgsbase %rax\n"
	"	test %rax, %rax\n"
	"	je 2f\n"
	"	or $2, %edi\n"
	"2:	xor %ecx, %ecx\n"
	"	rdpkru\n"
	"	cmp $0x55555554, %eax\n"
	"	je 3f\n"
	"	or $4, %edi\n"
	"3:	vptest %ymm0, %ymm0\n"
	"	je 4f			# ZF: all zero\n"
	"	or $8, %edi\n"
	"4:	mov $1, %eax		# exit\n"
	"	int $0x1f\n");

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
	self->vm = denali_create_code(junk_guest, GUEST_CODE_LEN(junk_guest),
				      MEM);
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
	self->vm = denali_create_code(entry_guest, GUEST_CODE_LEN(entry_guest),
				      MEM);
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
GUEST_CODE(nt_iopl,
	"	pushf\n"
	"	orq $0x7000, (%rsp)	# NT, IOPL 3\n"
	"	popf\n"
	"	mov $3, %eax		# null\n"
	"	int $0x1f\n"
	"	pushf\n"
	"	pop %rdi\n"
	"	mov $1, %eax		# exit(rflags)\n"
	"	int $0x1f\n");

TEST_F(state, nt_and_iopl_never_reach_the_guest)
{
	struct denali_run run;

	self->vm = denali_create_code(nt_iopl, GUEST_CODE_LEN(nt_iopl), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0, run.exit_status & 0x3000) TH_LOG("IOPL raised");
	EXPECT_EQ(0, run.exit_status & 0x4000) TH_LOG("NT kept");
	EXPECT_EQ(0x200, run.exit_status & 0x200) TH_LOG("IF off");
}

GUEST_CODE(trap_flag,
	"	pushf\n"
	"	orq $0x100, (%rsp)	# TF\n"
	"	popf\n"
	"	nop			# TF set by popf: traps after it\n"
	"trap_flag_after_nop:\n"
	"	hlt\n");
GUEST_CODE_LABEL(trap_flag, after_nop);

TEST_F(state, trap_flag_stops_the_guest_with_db)
{
	struct denali_run run;

	self->vm = denali_create_code(trap_flag, GUEST_CODE_LEN(trap_flag),
				      MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	ASSERT_EQ(DENALI_STOP_CRASH, run.reason);
	EXPECT_EQ(1, run.crash.vector);
	/* A trap: RIP is past the nop that ran with TF set. */
	EXPECT_EQ(DENALI_GUEST_IMAGE_BASE + GUEST_CODE_AT(trap_flag, after_nop),
		  run.crash.regs.rip);
}

/*
 * AC is the guest's: with CR0.AM set by Linux, a misaligned access in ring
 * 3 with AC set is #AC, which stops the guest.  QEMU's TCG does not check
 * alignment, so there the access completes; then AC must still be set
 * after an exit (the monitor keeps it), and never reach the host (the exit
 * path clears it: SMAP would otherwise be off in the kernel).  Exit
 * status: the flags after the exit.
 */
GUEST_CODE(ac_flag,
	"	pushf\n"
	"	orq $0x40000, (%rsp)	# AC\n"
	"	popf\n"
	"ac_flag_misaligned:\n"
	"	mov -15(%rsp), %rax\n"
	"	mov $3, %eax		# null\n"
	"	int $0x1f\n"
	"	pushf\n"
	"	pop %rdi\n"
	"	mov $1, %eax		# exit(rflags)\n"
	"	int $0x1f\n");
GUEST_CODE_LABEL(ac_flag, misaligned);

TEST_F(state, alignment_check_flag_is_the_guests)
{
	struct denali_run run;

	self->vm = denali_create_code(ac_flag, GUEST_CODE_LEN(ac_flag), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	if (run.reason == DENALI_STOP_CRASH) {
		EXPECT_EQ(17, run.crash.vector)
			TH_LOG("%s", run.crash.description);
		EXPECT_EQ(DENALI_GUEST_IMAGE_BASE +
			  GUEST_CODE_AT(ac_flag, misaligned),
			  run.crash.regs.rip);
		return;
	}
	ASSERT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(0x40000, run.exit_status & 0x40000) TH_LOG("AC lost");
}

/* Forever: ymm0-ymm7 = all ones. */
GUEST_CODE(ymm_scribbler,
	"1:	vpcmpeqb %ymm0, %ymm0, %ymm0\n"
	"	vpcmpeqb %ymm1, %ymm1, %ymm1\n"
	"	vpcmpeqb %ymm2, %ymm2, %ymm2\n"
	"	vpcmpeqb %ymm3, %ymm3, %ymm3\n"
	"	vpcmpeqb %ymm4, %ymm4, %ymm4\n"
	"	vpcmpeqb %ymm5, %ymm5, %ymm5\n"
	"	vpcmpeqb %ymm6, %ymm6, %ymm6\n"
	"	vpcmpeqb %ymm7, %ymm7, %ymm7\n"
	"	jmp 1b\n");

/* Exits for host interrupts VM @vm has made so far; 0 if unknown. */
static __u64 interrupt_exits(int vm)
{
	struct denali_stats st;

	if (denali_get_stats(vm, &st))
		return 0;
	return st.exits[DENALI_EXITK_INTERRUPT];
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
 * registers must come back every time.  (Guards the reload of the
 * guest's FPU state before each entry: without it the guest ran on
 * whatever registers were live, another task's, and that task got them
 * back changed.)
 */
TEST_F(state, host_tasks_keep_their_vector_registers_beside_a_guest)
{
	struct denali_runner r;
	unsigned char in[256], out[256];
	unsigned int i, bad = 0;
	__u64 exits_before;

	self->vm = denali_create_code(ymm_scribbler,
				      GUEST_CODE_LEN(ymm_scribbler), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_runner_signals());
	/* Both on CPU 0: the runner pinned from its start. */
	ASSERT_EQ(0, denali_pin_self(0));
	ASSERT_EQ(0, denali_runner_start(&r, self->vm, 0, 0));

	/* The guest really running before we start. */
	while (!atomic_load(&r.tid) || !interrupt_exits(self->vm))
		sched_yield();
	exits_before = interrupt_exits(self->vm);

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 1);
	for (i = 0; i < 200; i++) {
		memset(out, 0, sizeof(out));
		sleep_keeping_ymm(in, out);
		if (memcmp(in, out, sizeof(in)))
			bad++;
	}

	/* The guest ran while we slept: the CPU really changed hands. */
	EXPECT_LT(exits_before, interrupt_exits(self->vm));
	EXPECT_EQ(0, denali_runners_stop(&r, 1, 60000));
	EXPECT_EQ(0, bad) TH_LOG("%u of 200 sleeps came back with changed registers",
				 bad);
}

TEST_HARNESS_MAIN
