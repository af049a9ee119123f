// SPDX-License-Identifier: GPL-2.0
/*
 * pv_regs: an upcall resumes the interrupted code with every register as
 * it was.
 *
 * The main loop (pv_regs_loop, below, in assembly so that no compiler
 * touches its registers) keeps a known value in each of the 15
 * general-purpose registers besides RSP.  Each round it rotates every
 * register and its copy in pv_expect[] by one bit, so a register restored
 * from an older snapshot shows too, then compares each register with its
 * copy.  Each compare is followed by its branch, so flags that change
 * between the two show as well.  The loop ends when an upcall brings
 * DENALI_IRQ_USER(15).
 *
 * Each upcall's handler first makes a null hypercall: the host counts
 * those to raise the next interrupt only once this upcall has taken its
 * bits, so that every raise makes an upcall of its own.  Then the
 * handler clobbers registers.  Every other upcall returns the normal
 * way, through libilwaco's stub, after loading junk into the registers a
 * C function may clobber; the others make the upcall_return hypercall
 * themselves with junk in every register, RSP and the flags included, so
 * that only the monitor's restore from the saved frame can bring the loop
 * back intact.  Skipping the stub's FPU restore there is harmless: the
 * loop uses no FPU register.
 *
 * Expected: the console shows "regs: ready\n" before the loop starts,
 * then, once the host has raised USER(15), "DENALI-TEST: done regs: U
 * upcalls (L in the loop), I iterations, 0 corruptions\n", and the exit
 * status is 0.  On a
 * mismatch it prints every register's expected and found value and
 * exits 1.
 */
#include "pv_check.h"

#define PV_NREGS	15
#define PV_JUNK		0x5a5a5a5a5a5a5a5aul
#define PV_STOP_BIT	DENALI_IRQ_USER(15)

/* Shared with the assembly below, hence global. */
unsigned long pv_expect[PV_NREGS] = {
	0x0123456789abcdeful, 0x1032547698badcfeul, 0x2301674589efcdabul,
	0x3210765498fedcbaul, 0x456789abcdef0123ul, 0x54769810dcfebadcul,
	0x6745aaaaef01cd23ul, 0x76549999fe10dc32ul, 0x89abcdef01234567ul,
	0x98badcfe10325476ul, 0xabcdef0123456789ul, 0xba98fedc10325476ul,
	0xcdef0123456789abul, 0xdcfe103254769abcul, 0xef0123456789abcdul,
};
unsigned long pv_seen[PV_NREGS];
unsigned long pv_iterations;
int pv_stop;

static const char *const reg_names[PV_NREGS] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/*
 * pv_regs_loop: returns 0 in EAX when stopped, 1 on a mismatch (the
 * registers then in pv_seen[], their expected values in pv_expect[]).
 * Preserves the registers the C calling convention says a callee must.
 * Called through regs_loop(), below.
 */
asm(
	".macro pv_for_each_reg m\n"
	"	\\m %rax, 0\n"
	"	\\m %rbx, 8\n"
	"	\\m %rcx, 16\n"
	"	\\m %rdx, 24\n"
	"	\\m %rsi, 32\n"
	"	\\m %rdi, 40\n"
	"	\\m %rbp, 48\n"
	"	\\m %r8, 56\n"
	"	\\m %r9, 64\n"
	"	\\m %r10, 72\n"
	"	\\m %r11, 80\n"
	"	\\m %r12, 88\n"
	"	\\m %r13, 96\n"
	"	\\m %r14, 104\n"
	"	\\m %r15, 112\n"
	".endm\n"
	".macro pv_load r, off\n"
	"	movq pv_expect+\\off(%rip), \\r\n"
	".endm\n"
	".macro pv_rotate r, off\n"
	"	rolq $1, \\r\n"
	"	rolq $1, pv_expect+\\off(%rip)\n"
	".endm\n"
	".macro pv_compare r, off\n"
	"	cmpq pv_expect+\\off(%rip), \\r\n"
	"	jne pv_regs_mismatch\n"
	".endm\n"
	".macro pv_store r, off\n"
	"	movq \\r, pv_seen+\\off(%rip)\n"
	".endm\n"
	"	.text\n"
	"	.globl pv_regs_loop\n"
	"	.type pv_regs_loop, @function\n"
	"pv_regs_loop:\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	pv_for_each_reg pv_load\n"
	"pv_regs_again:\n"
	"	pv_for_each_reg pv_rotate\n"
	"	pv_for_each_reg pv_compare\n"
	"	incq pv_iterations(%rip)\n"
	"	cmpl $0, pv_stop(%rip)\n"
	"	je pv_regs_again\n"
	"	xorl %eax, %eax\n"
	"	jmp pv_regs_out\n"
	"pv_regs_mismatch:\n"
	"	pv_for_each_reg pv_store\n"
	"	movl $1, %eax\n"
	"pv_regs_out:\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	ret\n"
	"	.globl pv_regs_loop_end\n"
	"pv_regs_loop_end:\n"
	"	.size pv_regs_loop, . - pv_regs_loop\n");

static unsigned long loop_start, loop_end;
static unsigned long upcalls, in_loop, bits_seen;

/* Call pv_regs_loop, which clobbers what any call may clobber. */
static long regs_loop(void)
{
	long bad;

	asm volatile("call pv_regs_loop"
		     : "=a" (bad)
		     :
		     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		       "cc", "memory");
	return bad;
}

/*
 * upcall_return with junk in every register, RSP included, and ZF, CF
 * and SF clear (the loop is often interrupted between a compare that set
 * ZF and its branch): only what the monitor saved may resume.
 */
static _Noreturn void return_with_junk(void)
{
	asm volatile("orl $1, %%eax\n\t"
		     "movabsq %[junk], %%rbx\n\t"
		     "movq %%rbx, %%rcx\n\t"
		     "movq %%rbx, %%rdx\n\t"
		     "movq %%rbx, %%rsi\n\t"
		     "movq %%rbx, %%rdi\n\t"
		     "movq %%rbx, %%rbp\n\t"
		     "movq %%rbx, %%r8\n\t"
		     "movq %%rbx, %%r9\n\t"
		     "movq %%rbx, %%r10\n\t"
		     "movq %%rbx, %%r11\n\t"
		     "movq %%rbx, %%r12\n\t"
		     "movq %%rbx, %%r13\n\t"
		     "movq %%rbx, %%r14\n\t"
		     "movq %%rbx, %%r15\n\t"
		     "movq %%rbx, %%rsp\n\t"
		     "movl %[nr], %%eax\n\t"
		     "int %[vec]\n\t"
		     "ud2"
		     :
		     : [junk] "i" (PV_JUNK), [nr] "i" (DENALI_HC_UPCALL_RETURN),
		       [vec] "i" (DENALI_HYPERCALL_VECTOR)
		     : "memory");
	__builtin_unreachable();
}

static void handler(unsigned long bits, struct denali_upcall_frame *frame)
{
	/*
	 * The bits are taken: a null hypercall tells the host so, and that
	 * its next raise makes a new upcall rather than joining these.
	 */
	denali_null();
	PV_INC(upcalls);
	PV_WRITE(bits_seen, PV_READ(bits_seen) | bits);
	if (frame->rip >= loop_start && frame->rip < loop_end)
		PV_INC(in_loop);
	if (bits & PV_STOP_BIT)
		PV_WRITE(pv_stop, 1);
	if (PV_READ(upcalls) % 2 == 0)
		return_with_junk();
	/* What a C handler may clobber, it does. */
	asm volatile("movabsq %[junk], %%rax\n\t"
		     "movq %%rax, %%rcx\n\t"
		     "movq %%rax, %%rdx\n\t"
		     "movq %%rax, %%rsi\n\t"
		     "movq %%rax, %%rdi\n\t"
		     "movq %%rax, %%r8\n\t"
		     "movq %%rax, %%r9\n\t"
		     "movq %%rax, %%r10\n\t"
		     "movq %%rax, %%r11\n\t"
		     "cmpq %%rax, %%rcx"
		     :
		     : [junk] "i" (PV_JUNK)
		     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		       "r11", "cc", "memory");
}

int main(void)
{
	int i, same;
	long bad;

	asm("leaq pv_regs_loop(%%rip), %0" : "=r" (loop_start));
	asm("leaq pv_regs_loop_end(%%rip), %0" : "=r" (loop_end));
	ilwaco_irq_init(handler, NULL);
	ilwaco_irq_enable();
	printf("regs: ready\n");
	bad = regs_loop();
	ilwaco_irq_disable();
	if (bad) {
		for (i = 0, same = 0; i < PV_NREGS; i++) {
			printf("regs: %s expected 0x%lx found 0x%lx%s\n",
			       reg_names[i], pv_expect[i], pv_seen[i],
			       pv_expect[i] != pv_seen[i] ? " <-" : "");
			same += pv_expect[i] == pv_seen[i];
		}
		if (same == PV_NREGS)
			puts("regs: all equal: the flags changed between a compare and its branch");
		PV_FAIL("regs: mismatch after %lu iterations, %lu upcalls",
			pv_iterations, PV_READ(upcalls));
	}
	PV_CHECK(PV_READ(bits_seen) & PV_STOP_BIT,
		 "stopped without the stop bit");
	pv_done("regs: %lu upcalls (%lu in the loop), %lu iterations, 0 corruptions",
		PV_READ(upcalls), PV_READ(in_loop), pv_iterations);
}
