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

#include "kselftest_harness.h"
#include "denali_util.h"

#define ENTRY DENALI_GUEST_IMAGE_BASE
#define MEM (1ull << 20)
#define USER_CS 0x33	/* __USER_CS: guests always run with it */

/* Sentinel for "any error code" (the value is not architectural here). */
#define ANY_ERROR (~0ull)
/* Sentinel for "either of two vectors", set in vector2. */
#define NO_VECTOR 0xff

struct insn_case {
	unsigned char code[32];
	unsigned int len;
	unsigned int rip_offset;	/* of the faulting instruction */
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

/* One variant's case: vectors, error code, description, code bytes. */
#define INSN(_vec, _vec2, _err, _desc, ...)				\
	.c = { .code = { __VA_ARGS__ },					\
	       .len = sizeof((unsigned char[]){ __VA_ARGS__ }),		\
	       .vector = _vec, .vector2 = _vec2,			\
	       .error_code = _err, .describes = _desc }

/* Interrupts and I/O. */
FIXTURE_VARIANT_ADD(insn, cli) {
	INSN(13, NO_VECTOR, 0, "cli", 0xfa)
};
FIXTURE_VARIANT_ADD(insn, sti) {
	INSN(13, NO_VECTOR, 0, "sti", 0xfb)
};
/* in (%dx),%al */
FIXTURE_VARIANT_ADD(insn, in_dx) {
	INSN(13, NO_VECTOR, 0, "in", 0xec)
};
/* in $0x60,%al */
FIXTURE_VARIANT_ADD(insn, in_imm) {
	INSN(13, NO_VECTOR, 0, "in", 0xe4, 0x60)
};
/* out %al,(%dx) */
FIXTURE_VARIANT_ADD(insn, out_dx) {
	INSN(13, NO_VECTOR, 0, "out", 0xee)
};
/* outsb */
FIXTURE_VARIANT_ADD(insn, outs) {
	INSN(13, NO_VECTOR, 0, "outs", 0x6e)
};
/* insb */
FIXTURE_VARIANT_ADD(insn, ins) {
	INSN(13, NO_VECTOR, 0, "ins", 0x6c)
};
/* Control, debug and model-specific registers. */
FIXTURE_VARIANT_ADD(insn, mov_from_cr0) {
	INSN(13, NO_VECTOR, 0, "control register", 0x0f, 0x20, 0xc0)
};
FIXTURE_VARIANT_ADD(insn, mov_to_cr3) {
	INSN(13, NO_VECTOR, 0, "control register", 0x0f, 0x22, 0xd8)
};
FIXTURE_VARIANT_ADD(insn, mov_from_dr7) {
	INSN(13, NO_VECTOR, 0, "debug register", 0x0f, 0x21, 0xf8)
};
FIXTURE_VARIANT_ADD(insn, rdmsr) {
	INSN(13, NO_VECTOR, 0, "rdmsr", 0x0f, 0x32)
};
FIXTURE_VARIANT_ADD(insn, wrmsr) {
	INSN(13, NO_VECTOR, 0, "wrmsr", 0x0f, 0x30)
};
FIXTURE_VARIANT_ADD(insn, clts) {
	INSN(13, NO_VECTOR, 0, "clts", 0x0f, 0x06)
};
FIXTURE_VARIANT_ADD(insn, wbinvd) {
	INSN(13, NO_VECTOR, 0, "wbinvd", 0x0f, 0x09)
};
FIXTURE_VARIANT_ADD(insn, invd) {
	INSN(13, NO_VECTOR, 0, "invd", 0x0f, 0x08)
};
FIXTURE_VARIANT_ADD(insn, xsetbv) {
	INSN(13, NO_VECTOR, 0, "xsetbv", 0x0f, 0x01, 0xd1)
};
FIXTURE_VARIANT_ADD(insn, invlpg) {
	INSN(13, NO_VECTOR, 0, "invlpg", 0x0f, 0x01, 0x38)
};
/* Descriptor tables: loads #GP; stores #GP with UMIP, else write page 0. */
/* lgdt (%rax) */
FIXTURE_VARIANT_ADD(insn, lgdt) {
	INSN(13, NO_VECTOR, 0, "lgdt", 0x0f, 0x01, 0x10)
};
/* lidt (%rax) */
FIXTURE_VARIANT_ADD(insn, lidt) {
	INSN(13, NO_VECTOR, 0, "lidt", 0x0f, 0x01, 0x18)
};
/* ltr %ax */
FIXTURE_VARIANT_ADD(insn, ltr) {
	INSN(13, NO_VECTOR, 0, "ltr", 0x0f, 0x00, 0xd8)
};
/* lldt %ax */
FIXTURE_VARIANT_ADD(insn, lldt) {
	INSN(13, NO_VECTOR, 0, "lldt", 0x0f, 0x00, 0xd0)
};
/* sgdt (%rax) */
FIXTURE_VARIANT_ADD(insn, sgdt) {
	INSN(13, 14, ANY_ERROR, "", 0x0f, 0x01, 0x00)
};
/* sidt (%rax) */
FIXTURE_VARIANT_ADD(insn, sidt) {
	INSN(13, 14, ANY_ERROR, "", 0x0f, 0x01, 0x08)
};
/* Ways into ring 0 and deprecated system calls. */
FIXTURE_VARIANT_ADD(insn, swapgs) {
	INSN(13, NO_VECTOR, 0, "swapgs", 0x0f, 0x01, 0xf8)
};
/* EFER.SCE off */
FIXTURE_VARIANT_ADD(insn, syscall) {
	INSN(6, NO_VECTOR, 0, "syscall", 0x0f, 0x05)
};
FIXTURE_VARIANT_ADD(insn, sysret) {
	INSN(6, 13, 0, "sysret", 0x48, 0x0f, 0x07)
};
/* sysenter: #UD on AMD in long mode, #GP(0) on Intel (SYSENTER_CS 0). */
FIXTURE_VARIANT_ADD(insn, sysenter) {
	INSN(6, 13, 0, "sysenter", 0x0f, 0x34)
};
/* int $0x80 */
FIXTURE_VARIANT_ADD(insn, int80) {
	INSN(13, NO_VECTOR, ANY_ERROR, "int n", 0xcd, 0x80)
};
FIXTURE_VARIANT_ADD(insn, int_device_vector) {
	INSN(13, NO_VECTOR, ANY_ERROR, "int n", 0xcd, 0x20)
};
FIXTURE_VARIANT_ADD(insn, int_nmi_vector) {
	INSN(13, NO_VECTOR, ANY_ERROR, "int n", 0xcd, 0x02)
};
FIXTURE_VARIANT_ADD(insn, int3) {
	INSN(13, 3, ANY_ERROR, "", 0xcc)
};
/* icebp: #DB (a trap) on hardware; QEMU 7.2 TCG raises #UD instead. */
FIXTURE_VARIANT_ADD(insn, int1) {
	INSN(1, 6, 0, "", 0xf1)
};
/* invalid in 64-bit */
FIXTURE_VARIANT_ADD(insn, into) {
	INSN(6, NO_VECTOR, 0, "", 0xce)
};
FIXTURE_VARIANT_ADD(insn, ud2) {
	INSN(6, NO_VECTOR, 0, "invalid opcode", 0x0f, 0x0b)
};
/*
 * A far return to ring 0 is #GP(selector).  QEMU 7.2 TCG pops the frame
 * with supervisor accesses, which SMAP refuses first: #PF.  Contained
 * either way.
 */
/* iretq */
FIXTURE_VARIANT_ADD(insn, iretq_to_ring0) {
	INSN(13, 14, ANY_ERROR, "",
		0x6a, 0x18,			/* push $__KERNEL_DS (ss) */
		0x54,				/* push %rsp */
		0x9c,				/* pushf */
		0x6a, 0x10,			/* push $__KERNEL_CS */
		0x68, 0x00, 0x00, 0x01, 0x00,	/* push $0x10000 */
		0x48, 0xcf)
};
/* lretq */
FIXTURE_VARIANT_ADD(insn, lret_to_ring0) {
	INSN(13, 14, 0x10, "",
		0x6a, 0x10,			/* push $__KERNEL_CS */
		0x68, 0x00, 0x00, 0x01, 0x00,	/* push $0x10000 */
		0x48, 0xcb)
};
/* selector __KERNEL_CS */
FIXTURE_VARIANT_ADD(insn, ljmp_to_ring0) {
	INSN(13, NO_VECTOR, 0x10, "",
		0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, /* lea 3(%rip),%rax */
		0x48, 0xff, 0x28,		/* rex.w ljmp *(%rax) */
		0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0, /* offset 0x10000 */
		0x10, 0x00)
};
FIXTURE_VARIANT_ADD(insn, lcall_to_ring0) {
	INSN(13, NO_VECTOR, 0x10, "",
		0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, /* lea 3(%rip),%rax */
		0x48, 0xff, 0x18,		/* rex.w lcall *(%rax) */
		0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0,
		0x10, 0x00)
};
/* mov %eax,%ds */
FIXTURE_VARIANT_ADD(insn, load_kernel_ds) {
	INSN(13, NO_VECTOR, 0x18, "segment register load",
		0xb8, 0x18, 0x00, 0x00, 0x00,	/* mov $__KERNEL_DS,%eax */
		0x8e, 0xd8)
};
/* mov %eax,%ss */
FIXTURE_VARIANT_ADD(insn, load_tss_selector_ss) {
	INSN(13, NO_VECTOR, 0x40, "segment register load",
		0xb8, 0x40, 0x00, 0x00, 0x00,	/* mov $0x40 (the TSS),%eax */
		0x8e, 0xd0)
};
/* mov %eax,%fs */
FIXTURE_VARIANT_ADD(insn, load_ldt_selector) {
	INSN(13, NO_VECTOR, ANY_ERROR, "segment register load",
		0xb8, 0x07, 0x00, 0x00, 0x00,	/* mov $0x7 (LDT, RPL3),%eax */
		0x8e, 0xe0)
};

FIXTURE_SETUP(insn)
{
	self->vm = -1;
	if (geteuid())
		SKIP(return, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());
}

FIXTURE_TEARDOWN(insn)
{
	if (self->vm >= 0)
		close(self->vm);
}

/*
 * Where RIP points in the report: at the faulting instruction, after any
 * setup moves; after it for int1, which is a trap.
 */
static unsigned int fault_offset(const struct insn_case *c,
				 unsigned int vector)
{
	if (c->code[0] == 0xf1 && vector == 1)
		return 1;
	if (c->code[0] == 0xb8)			/* mov $imm,%eax first */
		return 5;
	if (c->code[0] == 0x48 && c->code[1] == 0x8d)	/* lea first */
		return 7;
	if (c->code[0] == 0x6a && c->code[2] == 0x54)	/* iretq frame */
		return 11;
	if (c->code[0] == 0x6a && c->code[2] == 0x68)	/* lret frame */
		return 7;
	return 0;
}

TEST_F(insn, stops_only_its_vm)
{
	const struct insn_case *c = &variant->c;
	const char *variant_name = _metadata->name;
	struct denali_run run;
	int second;

	self->vm = denali_create_code(c->code, c->len, MEM);
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
	EXPECT_EQ(ENTRY + fault_offset(c, run.crash.vector), run.crash.regs.rip)
		TH_LOG("%s", variant_name);
	EXPECT_NE(NULL, strstr(run.crash.description, c->describes))
		TH_LOG("%s: '%s'", variant_name, run.crash.description);
	EXPECT_EQ(USER_CS, run.crash.regs.cs);
	EXPECT_LT(0, run.crash.insn_len);
	if (run.crash.vector != 1) {
		EXPECT_EQ(c->code[fault_offset(c, run.crash.vector)],
			  run.crash.insn[0]);
	}

	/* Stopped for good: the same report again. */
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_CRASH, run.reason);

	/* And the next VM runs normally. */
	second = denali_create_code((unsigned char[]){
		0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov $1,%eax (exit) */
		0xbf, 0x05, 0x00, 0x00, 0x00,	/* mov $5,%edi */
		0xcd, 0x1f }, 12, MEM);		/* int $0x1f */
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
	if (geteuid())
		SKIP(return, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());
}

FIXTURE_TEARDOWN(probe)
{
	if (self->vm >= 0)
		close(self->vm);
}

enum access { READ, WRITE, EXEC };

/*
 * A guest that touches @addr once (read, write or jump), then exits 0.
 * Returns the run report.
 */
static int probe(int *vm, unsigned long long addr, enum access how,
		 struct denali_run *run)
{
	unsigned char code[32] = {
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,	/* movabs $addr,%rax */
	};
	unsigned int n = 10;

	memcpy(code + 2, &addr, 8);
	switch (how) {
	case READ:
		code[n++] = 0x48; code[n++] = 0x8b; code[n++] = 0x00;
		break;				/* mov (%rax),%rax */
	case WRITE:
		code[n++] = 0x48; code[n++] = 0x89; code[n++] = 0x00;
		break;				/* mov %rax,(%rax) */
	case EXEC:
		code[n++] = 0xff; code[n++] = 0xe0;
		break;				/* jmp *%rax */
	}
	/* mov $1,%eax; xor %edi,%edi; int $0x1f: exit(0) */
	memcpy(code + n, (unsigned char[]){ 0xb8, 1, 0, 0, 0, 0x31, 0xff,
					     0xcd, 0x1f }, 9);
	n += 9;
	*vm = denali_create_code(code, n, MEM);
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
	EXPECT_EQ(how == EXEC ? addr : ENTRY + 10, run->crash.regs.rip);
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

TEST_F(probe, hlt_halts_the_vm)
{
	struct denali_run run;

	self->vm = denali_create_code((unsigned char[]){ 0xf4 }, 1, MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_HALT, run.reason);
}

TEST_HARNESS_MAIN
