// SPDX-License-Identifier: GPL-2.0
/*
 * Containment: whatever a guest does in ring 3, it stops only itself.
 *
 * Each variant is a guest of a few raw instructions that a Denali guest
 * may not execute (a privileged or deprecated instruction, a reach for
 * memory it does not own, a way into ring 0).  Each must stop its VM with
 * a crash report naming the right vector and the faulting RIP, while the
 * host, the test process and the next VM carry on; the machine's kernel
 * log is checked for warnings by the test runner.
 */
#include <signal.h>

#include "denali_test.h"
#include "guest_code.h"

#define ENTRY DENALI_GUEST_IMAGE_BASE
#define MEM (1ull << 20)
#define USER_CS 0x33	/* __USER_CS: guests always run with it */

/* Sentinel for "any error code" (the value is not architectural here). */
#define ANY_ERROR (~0ull)
/* Sentinel for "either of two vectors", set in vector2. */
#define NO_VECTOR 0xff

struct insn_case {
	const unsigned char *code;	/* the guest: setup, then the insn */
	const unsigned char *fault;	/* the instruction that must stop it */
	const unsigned char *end;	/* the end of the code */
	unsigned int vector;
	unsigned int vector2;		/* also acceptable, or NO_VECTOR */
	unsigned long long error_code;	/* or ANY_ERROR */
	const char *describes;		/* substring of the description */
};

FIXTURE(insn) {
	int vm;
};

FIXTURE_VARIANT(insn) {
	struct insn_case c;
};

/*
 * Each variant is a guest, INSN_CODE(NAME, SETUP, INSN): the assembler
 * text SETUP (which may be "") and then INSN, whose first instruction
 * must stop the VM.  The assembler places the label the test measures
 * the faulting RIP from (NAME_code_fault); no offset is counted by hand.
 * INSN() fills the variant: the vector (or either of two), the error
 * code, and a substring of the description.
 */
#define INSN_CODE(_name, _setup, _insn)					\
	GUEST_CODE_LABELED(_name##_code, fault,				\
			   _setup #_name "_code_fault:\n" _insn)

#define INSN(_name, _vec, _vec2, _err, _desc)				\
	.c = { .code = _name##_code, .fault = _name##_code_fault,	\
	       .end = _name##_code_end,					\
	       .vector = _vec, .vector2 = _vec2,			\
	       .error_code = _err, .describes = _desc }

/* Interrupts and I/O. */
INSN_CODE(cli,
	"",
	"\tcli\n");
FIXTURE_VARIANT_ADD(insn, cli) {
	INSN(cli, 13, NO_VECTOR, 0, "cli")
};
INSN_CODE(sti,
	"",
	"\tsti\n");
FIXTURE_VARIANT_ADD(insn, sti) {
	INSN(sti, 13, NO_VECTOR, 0, "sti")
};
/* in (%dx),%al */
INSN_CODE(in_dx,
	"",
	"\tin (%dx), %al\n");
FIXTURE_VARIANT_ADD(insn, in_dx) {
	INSN(in_dx, 13, NO_VECTOR, 0, "in")
};
/* in $0x60,%al */
INSN_CODE(in_imm,
	"",
	"\tin $0x60, %al\n");
FIXTURE_VARIANT_ADD(insn, in_imm) {
	INSN(in_imm, 13, NO_VECTOR, 0, "in")
};
/* out %al,(%dx) */
INSN_CODE(out_dx,
	"",
	"\tout %al, (%dx)\n");
FIXTURE_VARIANT_ADD(insn, out_dx) {
	INSN(out_dx, 13, NO_VECTOR, 0, "out")
};
/* outsb */
INSN_CODE(outs,
	"",
	"\toutsb\n");
FIXTURE_VARIANT_ADD(insn, outs) {
	INSN(outs, 13, NO_VECTOR, 0, "outs")
};
/* insb */
INSN_CODE(ins,
	"",
	"\tinsb\n");
FIXTURE_VARIANT_ADD(insn, ins) {
	INSN(ins, 13, NO_VECTOR, 0, "ins")
};
/* Control, debug and model-specific registers. */
INSN_CODE(mov_from_cr0,
	"",
	"\tmov %cr0, %rax\n");
FIXTURE_VARIANT_ADD(insn, mov_from_cr0) {
	INSN(mov_from_cr0, 13, NO_VECTOR, 0, "control register")
};
INSN_CODE(mov_to_cr3,
	"",
	"\tmov %rax, %cr3\n");
FIXTURE_VARIANT_ADD(insn, mov_to_cr3) {
	INSN(mov_to_cr3, 13, NO_VECTOR, 0, "control register")
};
INSN_CODE(mov_from_dr7,
	"",
	"\tmov %db7, %rax\n");
FIXTURE_VARIANT_ADD(insn, mov_from_dr7) {
	INSN(mov_from_dr7, 13, NO_VECTOR, 0, "debug register")
};
INSN_CODE(rdmsr,
	"",
	"\trdmsr\n");
FIXTURE_VARIANT_ADD(insn, rdmsr) {
	INSN(rdmsr, 13, NO_VECTOR, 0, "rdmsr")
};
INSN_CODE(wrmsr,
	"",
	"\twrmsr\n");
FIXTURE_VARIANT_ADD(insn, wrmsr) {
	INSN(wrmsr, 13, NO_VECTOR, 0, "wrmsr")
};
INSN_CODE(clts,
	"",
	"\tclts\n");
FIXTURE_VARIANT_ADD(insn, clts) {
	INSN(clts, 13, NO_VECTOR, 0, "clts")
};
INSN_CODE(wbinvd,
	"",
	"\twbinvd\n");
FIXTURE_VARIANT_ADD(insn, wbinvd) {
	INSN(wbinvd, 13, NO_VECTOR, 0, "wbinvd")
};
INSN_CODE(invd,
	"",
	"\tinvd\n");
FIXTURE_VARIANT_ADD(insn, invd) {
	INSN(invd, 13, NO_VECTOR, 0, "invd")
};
INSN_CODE(xsetbv,
	"",
	"\txsetbv\n");
FIXTURE_VARIANT_ADD(insn, xsetbv) {
	INSN(xsetbv, 13, NO_VECTOR, 0, "xsetbv")
};
INSN_CODE(invlpg,
	"",
	"\tinvlpg (%rax)\n");
FIXTURE_VARIANT_ADD(insn, invlpg) {
	INSN(invlpg, 13, NO_VECTOR, 0, "invlpg")
};
/* Descriptor tables: loads #GP; stores #GP with UMIP, else write page 0. */
/* lgdt (%rax) */
INSN_CODE(lgdt,
	"",
	"\tlgdt (%rax)\n");
FIXTURE_VARIANT_ADD(insn, lgdt) {
	INSN(lgdt, 13, NO_VECTOR, 0, "lgdt")
};
/* lidt (%rax) */
INSN_CODE(lidt,
	"",
	"\tlidt (%rax)\n");
FIXTURE_VARIANT_ADD(insn, lidt) {
	INSN(lidt, 13, NO_VECTOR, 0, "lidt")
};
/* ltr %ax */
INSN_CODE(ltr,
	"",
	"\tltr %ax\n");
FIXTURE_VARIANT_ADD(insn, ltr) {
	INSN(ltr, 13, NO_VECTOR, 0, "ltr")
};
/* lldt %ax */
INSN_CODE(lldt,
	"",
	"\tlldt %ax\n");
FIXTURE_VARIANT_ADD(insn, lldt) {
	INSN(lldt, 13, NO_VECTOR, 0, "lldt")
};
/* sgdt (%rax) */
INSN_CODE(sgdt,
	"",
	"\tsgdt (%rax)\n");
FIXTURE_VARIANT_ADD(insn, sgdt) {
	INSN(sgdt, 13, 14, ANY_ERROR, "")
};
/* sidt (%rax) */
INSN_CODE(sidt,
	"",
	"\tsidt (%rax)\n");
FIXTURE_VARIANT_ADD(insn, sidt) {
	INSN(sidt, 13, 14, ANY_ERROR, "")
};
/* Ways into ring 0 and deprecated system calls. */
INSN_CODE(swapgs,
	"",
	"\tswapgs\n");
FIXTURE_VARIANT_ADD(insn, swapgs) {
	INSN(swapgs, 13, NO_VECTOR, 0, "swapgs")
};
/* EFER.SCE off */
INSN_CODE(syscall,
	"",
	"\tsyscall\n");
FIXTURE_VARIANT_ADD(insn, syscall) {
	INSN(syscall, 6, NO_VECTOR, 0, "syscall")
};
INSN_CODE(sysret,
	"",
	"\tsysretq\n");
FIXTURE_VARIANT_ADD(insn, sysret) {
	INSN(sysret, 6, 13, 0, "sysret")
};
/* sysenter: #UD on AMD in long mode, #GP(0) on Intel (SYSENTER_CS 0). */
INSN_CODE(sysenter,
	"",
	"\tsysenter\n");
FIXTURE_VARIANT_ADD(insn, sysenter) {
	INSN(sysenter, 6, 13, 0, "sysenter")
};
/* int $0x80 */
INSN_CODE(int80,
	"",
	"\tint $0x80\n");
FIXTURE_VARIANT_ADD(insn, int80) {
	INSN(int80, 13, NO_VECTOR, ANY_ERROR, "int n")
};
INSN_CODE(int_device_vector,
	"",
	"\tint $0x20\n");
FIXTURE_VARIANT_ADD(insn, int_device_vector) {
	INSN(int_device_vector, 13, NO_VECTOR, ANY_ERROR, "int n")
};
INSN_CODE(int_nmi_vector,
	"",
	"\tint $0x02\n");
FIXTURE_VARIANT_ADD(insn, int_nmi_vector) {
	INSN(int_nmi_vector, 13, NO_VECTOR, ANY_ERROR, "int n")
};
INSN_CODE(int3,
	"",
	"\tint3\n");
FIXTURE_VARIANT_ADD(insn, int3) {
	INSN(int3, 13, 3, ANY_ERROR, "")
};
/* icebp: #DB (a trap) on hardware; QEMU 7.2 TCG raises #UD instead. */
INSN_CODE(int1,
	"",
	"\tint1\n");
FIXTURE_VARIANT_ADD(insn, int1) {
	INSN(int1, 1, 6, 0, "")
};
/* invalid in 64-bit */
INSN_CODE(into,
	"",
	"\t.byte 0xce	# into: invalid in 64-bit mode\n");
FIXTURE_VARIANT_ADD(insn, into) {
	INSN(into, 6, NO_VECTOR, 0, "")
};
INSN_CODE(ud2,
	"",
	"\tud2\n");
FIXTURE_VARIANT_ADD(insn, ud2) {
	INSN(ud2, 6, NO_VECTOR, 0, "invalid opcode")
};
/*
 * A far return to ring 0 is #GP(selector).  QEMU 7.2 TCG pops the frame
 * with supervisor accesses, which SMAP refuses first: #PF.  Contained
 * either way.
 */
/* iretq */
INSN_CODE(iretq_to_ring0,
	"\tpush $0x18	# ss: __KERNEL_DS\n"
	"\tpush %rsp\n"
	"\tpushf\n"
	"\tpush $0x10	# cs: __KERNEL_CS\n"
	"\tpush $0x10000	# rip\n",
	"\tiretq\n");
FIXTURE_VARIANT_ADD(insn, iretq_to_ring0) {
	INSN(iretq_to_ring0, 13, 14, ANY_ERROR, "")
};
/* lretq */
INSN_CODE(lret_to_ring0,
	"\tpush $0x10	# cs: __KERNEL_CS\n"
	"\tpush $0x10000	# rip\n",
	"\tlretq\n");
FIXTURE_VARIANT_ADD(insn, lret_to_ring0) {
	INSN(lret_to_ring0, 13, 14, 0x10, "")
};
/* selector __KERNEL_CS */
INSN_CODE(ljmp_to_ring0,
	"\tlea 1f(%rip), %rax\n",
	"\trex64 ljmp *(%rax)\n"
	"\t1: .quad 0x10000	# offset\n"
	"\t.word 0x10	# selector: __KERNEL_CS\n");
FIXTURE_VARIANT_ADD(insn, ljmp_to_ring0) {
	INSN(ljmp_to_ring0, 13, NO_VECTOR, 0x10, "")
};
INSN_CODE(lcall_to_ring0,
	"\tlea 1f(%rip), %rax\n",
	"\trex64 lcall *(%rax)\n"
	"\t1: .quad 0x10000	# offset\n"
	"\t.word 0x10	# selector: __KERNEL_CS\n");
FIXTURE_VARIANT_ADD(insn, lcall_to_ring0) {
	INSN(lcall_to_ring0, 13, NO_VECTOR, 0x10, "")
};
/* mov %eax,%ds */
INSN_CODE(load_kernel_ds,
	"\tmov $0x18, %eax	# __KERNEL_DS\n",
	"\tmov %eax, %ds\n");
FIXTURE_VARIANT_ADD(insn, load_kernel_ds) {
	INSN(load_kernel_ds, 13, NO_VECTOR, 0x18, "segment register load")
};
/* mov %eax,%ss */
INSN_CODE(load_tss_selector_ss,
	"\tmov $0x40, %eax	# the TSS\n",
	"\tmov %eax, %ss\n");
FIXTURE_VARIANT_ADD(insn, load_tss_selector_ss) {
	INSN(load_tss_selector_ss, 13, NO_VECTOR, 0x40, "segment register load")
};
/* mov %eax,%fs */
INSN_CODE(load_ldt_selector,
	"\tmov $0x7, %eax	# LDT, RPL3\n",
	"\tmov %eax, %fs\n");
FIXTURE_VARIANT_ADD(insn, load_ldt_selector) {
	INSN(load_ldt_selector, 13, NO_VECTOR, ANY_ERROR, "segment register load")
};

FIXTURE_SETUP(insn)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(insn)
{
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Where RIP points in the report: at the faulting instruction, after any
 * setup; after it for int1, which is a trap (the last byte of its guest).
 */
static const unsigned char *fault_rip(const struct insn_case *c,
				      unsigned int vector)
{
	return vector == 1 ? c->end : c->fault;
}

/* exit(5): the next VM, which must run normally. */
GUEST_CODE(exit5,
	"	mov $1, %eax		# exit(5)\n"
	"	mov $5, %edi\n"
	"	int $0x1f\n");

TEST_F(insn, stops_only_its_vm)
{
	const struct insn_case *c = &variant->c;
	const char *variant_name = _metadata->name;
	struct denali_run run;
	int second;

	self->vm = denali_create_code(c->code, c->end - c->code, MEM);
	ASSERT_LE(0, self->vm) TH_LOG("create: %s", strerror(-self->vm));
	ASSERT_EQ(0, denali_run(self->vm, &run));

	ASSERT_EQ(DENALI_STOP_CRASH, run.reason)
		TH_LOG("%s: reason %u, status %d", variant_name, run.reason,
		       run.exit_status);
	if (c->vector2 == NO_VECTOR) {
		EXPECT_EQ(c->vector, run.crash.vector)
			TH_LOG("%s: %s", variant_name, run.crash.description);
	} else {
		EXPECT_TRUE(run.crash.vector == c->vector ||
			    run.crash.vector == c->vector2)
			TH_LOG("%s: vector %u: %s", variant_name, run.crash.vector,
			       run.crash.description);
	}
	if (c->error_code != ANY_ERROR && run.crash.vector == c->vector) {
		EXPECT_EQ(c->error_code, run.crash.error_code)
			TH_LOG("%s", variant_name);
	}
	EXPECT_EQ(ENTRY + (fault_rip(c, run.crash.vector) - c->code),
		  run.crash.regs.rip)
		TH_LOG("%s", variant_name);
	EXPECT_NE(NULL, strstr(run.crash.description, c->describes))
		TH_LOG("%s: '%s'", variant_name, run.crash.description);
	EXPECT_EQ(USER_CS, run.crash.regs.cs);
	EXPECT_LT(0, run.crash.insn_len);
	if (run.crash.vector != 1)
		EXPECT_EQ(c->fault[0], run.crash.insn[0]);

	/* Stopped for good: the same report again. */
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_CRASH, run.reason);

	/* And the next VM runs normally. */
	second = denali_create_code(exit5, GUEST_CODE_LEN(exit5), MEM);
	ASSERT_LE(0, second);
	ASSERT_EQ(0, denali_run(second, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(5, run.exit_status);
	close(second);
}

/* ---- memory: every boundary of a guest's world --------------------------- */

FIXTURE(probe) {
	int vm;
};

FIXTURE_SETUP(probe)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(probe)
{
	if (self->vm >= 0)
		close(self->vm);
}

enum access { READ, WRITE, EXEC };

/*
 * The probes: touch the address stored at NAME_addr once (read, write or
 * jump), then exit(0).  NAME_access is the instruction that touches it.
 */
#define PROBE(name, access_insn)					\
	GUEST_CODE_LABELED2(name, access, addr,				\
		"	mov " #name "_addr(%rip), %rax\n"		\
		#name "_access:\n"					\
		"	" access_insn "\n"				\
		"	mov $1, %eax		# exit(0)\n"		\
		"	xor %edi, %edi\n"				\
		"	int $0x1f\n"					\
		#name "_addr:\n"					\
		"	.quad 0\n")

PROBE(probe_read, "mov (%rax), %rax");
PROBE(probe_write, "mov %rax, (%rax)");
PROBE(probe_exec, "jmp *%rax");

static const struct {
	const unsigned char *code, *end, *access, *addr;
} probes[] = {
	[READ] = { probe_read, probe_read_end, probe_read_access,
		   probe_read_addr },
	[WRITE] = { probe_write, probe_write_end, probe_write_access,
		    probe_write_addr },
	[EXEC] = { probe_exec, probe_exec_end, probe_exec_access,
		   probe_exec_addr },
};

/* Where the probe's RIP is when the access it makes faults. */
static unsigned long long probe_rip(unsigned long long addr, enum access how)
{
	return how == EXEC ? addr :
	       ENTRY + (probes[how].access - probes[how].code);
}

/*
 * A guest that touches @addr once (read, write or jump), then exits 0:
 * the probe's code with @addr in its slot.  Returns the run report.
 */
static int probe(int *vm, unsigned long long addr, enum access how,
		 struct denali_run *run)
{
	size_t len = probes[how].end - probes[how].code;
	unsigned char code[64];

	if (len > sizeof(code))
		return -E2BIG;
	memcpy(code, probes[how].code, len);
	memcpy(code + (probes[how].addr - probes[how].code), &addr,
	       sizeof(addr));
	*vm = denali_create_code(code, len, MEM);
	if (*vm < 0)
		return *vm;
	return denali_run(*vm, run);
}

static void expect_page_fault(struct __test_metadata *_metadata,
			      const struct denali_run *run,
			      unsigned long long addr, enum access how)
{
	ASSERT_EQ(DENALI_STOP_CRASH, run->reason)
		TH_LOG("probe of %#llx did not fault", addr);
	ASSERT_EQ(14, run->crash.vector)
		TH_LOG("%#llx: %s", addr, run->crash.description);
	EXPECT_EQ(addr, run->crash.cr2);
	EXPECT_TRUE(run->crash.error_code & 4);		/* from user mode */
	if (how == WRITE)
		EXPECT_TRUE(run->crash.error_code & 2);
	EXPECT_EQ(probe_rip(addr, how), run->crash.regs.rip);
}

/* A fresh guest reading each of @addrs must page-fault right there. */
static void read_faults_at_each(struct __test_metadata *_metadata,
				const unsigned long long *addrs,
				unsigned int n)
{
	struct denali_run run;
	unsigned int i;
	int vm;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, probe(&vm, addrs[i], READ, &run));
		expect_page_fault(_metadata, &run, addrs[i], READ);
		close(vm);
	}
}

TEST_F(probe, null_page_read)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, 0, READ, &run));
	expect_page_fault(_metadata, &run, 0, READ);
	EXPECT_NE(NULL, strstr(run.crash.description, "not mapped"));
}

TEST_F(probe, null_page_write)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, 8, WRITE, &run));
	expect_page_fault(_metadata, &run, 8, WRITE);
}

TEST_F(probe, reserved_pages_are_unmapped)
{
	unsigned long long addrs[] = { DENALI_GUEST_VREGS_RW + 0x1000,
				       0x8000, ENTRY - 8 };

	read_faults_at_each(_metadata, addrs, ARRAY_SIZE(addrs));
}

/* The virtual registers: both readable, one writable, neither code. */
TEST_F(probe, virtual_register_pages_have_their_permissions)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, DENALI_GUEST_VREGS_RO, READ, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	close(self->vm);
	ASSERT_EQ(0, probe(&self->vm, DENALI_GUEST_VREGS_RO, WRITE, &run));
	expect_page_fault(_metadata, &run, DENALI_GUEST_VREGS_RO, WRITE);
	EXPECT_TRUE(run.crash.error_code & 1);		/* present */
	close(self->vm);
	ASSERT_EQ(0, probe(&self->vm, DENALI_GUEST_VREGS_RO, EXEC, &run));
	expect_page_fault(_metadata, &run, DENALI_GUEST_VREGS_RO, EXEC);
	close(self->vm);
	ASSERT_EQ(0, probe(&self->vm, DENALI_GUEST_VREGS_RW, WRITE, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	close(self->vm);
	ASSERT_EQ(0, probe(&self->vm, DENALI_GUEST_VREGS_RW, EXEC, &run));
	expect_page_fault(_metadata, &run, DENALI_GUEST_VREGS_RW, EXEC);
}

TEST_F(probe, code_is_not_writable)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, ENTRY, WRITE, &run));
	expect_page_fault(_metadata, &run, ENTRY, WRITE);
	EXPECT_TRUE(run.crash.error_code & 1);		/* present */
}

TEST_F(probe, data_is_not_executable)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, 0x40000, EXEC, &run));
	expect_page_fault(_metadata, &run, 0x40000, EXEC);
	EXPECT_TRUE(run.crash.error_code & 0x10);	/* instruction fetch */
}

TEST_F(probe, last_word_of_memory_is_usable)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, MEM - 8, WRITE, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason)
		TH_LOG("%s", run.crash.description);
	EXPECT_EQ(0, run.exit_status);
}

TEST_F(probe, first_byte_past_memory_faults)
{
	unsigned long long addrs[] = { MEM, MEM + 4096, 1ull << 30,
				       (1ull << 47) - 8 };

	read_faults_at_each(_metadata, addrs, ARRAY_SIZE(addrs));
}

TEST_F(probe, straddling_the_top_faults_at_the_top)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, MEM - 4, READ, &run));
	ASSERT_EQ(DENALI_STOP_CRASH, run.reason);
	EXPECT_EQ(14, run.crash.vector);
	EXPECT_EQ(MEM, run.crash.cr2);
}

TEST_F(probe, non_canonical_is_gp)
{
	struct denali_run run;

	ASSERT_EQ(0, probe(&self->vm, 0x8000000000000000ull, READ, &run));
	ASSERT_EQ(DENALI_STOP_CRASH, run.reason);
	EXPECT_EQ(13, run.crash.vector);
}

/* A kernel symbol's address, from /proc/kallsyms; 0 if hidden. */
static unsigned long long kallsym(const char *name)
{
	char line[256], sym[128], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

static void probe_kernel_address(struct __test_metadata *_metadata,
				 int *vm, unsigned long long addr)
{
	enum access how;
	struct denali_run run;

	for (how = READ; how <= EXEC; how++) {
		ASSERT_EQ(0, probe(vm, addr, how, &run));
		expect_page_fault(_metadata, &run, addr, how);
		close(*vm);
		*vm = -1;
	}
}

TEST_F(probe, switcher_code_is_out_of_reach)
{
	unsigned long long addr = kallsym("denali_switcher_start");

	if (!addr)
		SKIP(return, "kallsyms hides addresses");
	/* Mapped in every guest, as a supervisor page: a #PF, present. */
	probe_kernel_address(_metadata, &self->vm, addr);
	probe_kernel_address(_metadata, &self->vm, addr + 0x100);
}

TEST_F(probe, kernel_addresses_are_out_of_reach)
{
	const char *const syms[] = { "_text", "init_task", "jiffies",
				     "denali_vm_stop", "idt_table" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		unsigned long long addr = kallsym(syms[i]);

		if (!addr)
			SKIP(return, "kallsyms hides addresses");
		probe_kernel_address(_metadata, &self->vm, addr);
	}
}

GUEST_CODE(halt,
	"	hlt\n");

TEST_F(probe, hlt_halts_the_vm)
{
	struct denali_run run;

	self->vm = denali_create_code(halt, GUEST_CODE_LEN(halt), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_HALT, run.reason);
}

TEST_HARNESS_MAIN
