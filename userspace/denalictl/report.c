// SPDX-License-Identifier: GPL-2.0
/*
 * Crash reports for denalictl; see report.h.
 *
 * The module's report is untrusted input as far as formatting goes: its
 * description is read only up to its buffer's end even when the NUL is
 * missing, and insn_len is clamped to the bytes that exist, so a wrong
 * or hostile report can garble the text but not crash the tool.
 */
#include <string.h>

#include "report.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The SDM's mnemonics; NULL where the vector is reserved. */
static const char * const vector_names[] = {
	[0] = "#DE",	/* divide error */
	[1] = "#DB",	/* debug */
	[2] = "NMI",
	[3] = "#BP",	/* breakpoint, int3 */
	[4] = "#OF",	/* overflow, into */
	[5] = "#BR",	/* bound range exceeded */
	[6] = "#UD",	/* invalid opcode */
	[7] = "#NM",	/* device not available */
	[8] = "#DF",	/* double fault */
	[10] = "#TS",	/* invalid TSS */
	[11] = "#NP",	/* segment not present */
	[12] = "#SS",	/* stack-segment fault */
	[13] = "#GP",	/* general protection */
	[14] = "#PF",	/* page fault */
	[16] = "#MF",	/* x87 floating-point error */
	[17] = "#AC",	/* alignment check */
	[18] = "#MC",	/* machine check */
	[19] = "#XM",	/* SIMD floating-point exception */
	[20] = "#VE",	/* virtualization exception */
	[21] = "#CP",	/* control protection */
};

const char *denali_vector_name(unsigned int vector)
{
	if (vector >= ARRAY_SIZE(vector_names))
		return NULL;
	return vector_names[vector];
}

const char *denali_crash_cause_name(unsigned int cause)
{
	switch (cause) {
	case DENALI_CRASH_EXCEPTION:
		return "exception";
	case DENALI_CRASH_PRIVILEGED:
		return "privileged instruction";
	case DENALI_CRASH_INTERNAL:
		return "internal monitor error";
	case DENALI_CRASH_VREGS:
		return "virtual-register contract broken";
	case DENALI_CRASH_NET:
		return "NIC ring contract broken";
	case DENALI_CRASH_NOMEM:
		return "out of memory";
	default:
		return "unknown cause";
	}
}

/* One line of four 64-bit registers: "  n1 0x... n2 0x... ...". */
static void print_regs4(FILE *out, const char * const names[4],
			const unsigned long long vals[4])
{
	int i;

	fputc(' ', out);
	for (i = 0; i < 4; i++)
		fprintf(out, " %s 0x%016llx", names[i], vals[i]);
	fputc('\n', out);
}

void denali_print_crash(FILE *out, const char *prog, const char *name,
			unsigned int id, const struct denali_crash *c)
{
	static const char * const names[5][4] = {
		{ "rax", "rbx", "rcx", "rdx" },
		{ "rsi", "rdi", "rbp", "rsp" },
		{ "r8", "r9", "r10", "r11" },
		{ "r12", "r13", "r14", "r15" },
		{ "rip", "rflags", "fs_base", "gs_base" },
	};
	const struct denali_regs *r = &c->regs;
	const unsigned long long vals[5][4] = {
		{ r->rax, r->rbx, r->rcx, r->rdx },
		{ r->rsi, r->rdi, r->rbp, r->rsp },
		{ r->r8, r->r9, r->r10, r->r11 },
		{ r->r12, r->r13, r->r14, r->r15 },
		{ r->rip, r->rflags, r->fs_base, r->gs_base },
	};
	size_t dlen = strnlen(c->description, sizeof(c->description));
	const char *vname = denali_vector_name(c->vector);
	unsigned int i, n;

	fprintf(out, "%s: VM %s (id %u) crashed: ", prog, name, id);
	if (dlen)
		fprintf(out, "%.*s\n", (int)dlen, c->description);
	else
		fprintf(out, "%s\n", denali_crash_cause_name(c->cause));

	fprintf(out, "  vector %u", c->vector);
	if (vname)
		fprintf(out, " (%s)", vname);
	fprintf(out, ", error code 0x%llx, rip 0x%llx, cr2 0x%llx\n",
		(unsigned long long)c->error_code,
		(unsigned long long)r->rip, (unsigned long long)c->cr2);

	n = c->insn_len < sizeof(c->insn) ? c->insn_len : sizeof(c->insn);
	fprintf(out, "  code at rip:");
	if (!n)
		fprintf(out, " unreadable");
	for (i = 0; i < n; i++)
		fprintf(out, " %02x", c->insn[i]);
	fputc('\n', out);

	for (i = 0; i < ARRAY_SIZE(names); i++)
		print_regs4(out, names[i], vals[i]);

	fprintf(out, "  cs 0x%x ss 0x%x ds 0x%x es 0x%x fs 0x%x gs 0x%x\n",
		r->cs, r->ss, r->ds, r->es, r->fs, r->gs);
}
