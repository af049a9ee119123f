// SPDX-License-Identifier: GPL-2.0
/*
 * state_junk: guest-private CPU state survives exits to the monitor.
 *
 * Expected: the verdict "DENALI-TEST: done state_junk: ok" and exit
 * status 0, possibly after lines "state_junk: no <feature>: not checking
 * <state>" for CPU features this machine lacks.  On failure the verdict
 * names the first mismatch, "state_junk: <state> after N hypercalls is
 * X, expected Y", and the exit status is 1.
 *
 * A guest owns some CPU state that the monitor must swap with the host's
 * on every exit and entry, because the host uses the same registers for
 * itself: the FS and GS bases, PKRU, the vector registers, and the AC
 * flag.  This guest fills each with junk no host would have, makes 10000
 * null hypercalls, and after every 1000 reads all of it back:
 *   - FS base 0x1234567000, GS base 0x7654321000 (wrfsbase, wrgsbase;
 *     FSGSBASE); they must also be 0 at entry, per the ABI;
 *   - PKRU 0x5555555c (wrpkru; PKU enabled by the host, CPUID OSPKE):
 *     keys 1 to 15 denied, key 0 (all guest pages) untouched, and
 *     deliberately not 0x55555554, Linux's default for processes, so
 *     that a monitor leaking the host's PKRU into the guest is caught;
 *   - YMM0-YMM15 with a pattern of distinct bytes (AVX), or XMM0-XMM15
 *     without AVX;
 *   - RFLAGS.AC (pushf/popf).  With CR0.AM set, as Linux sets it, AC
 *     also turns on alignment checking in ring 3, so everything between
 *     setting and checking it does only aligned accesses.
 * The host side checks separately that the host's own values are
 * unaffected.
 *
 * This file is built with -mgeneral-regs-only, not -mavx: the vector
 * registers must hold the pattern from the moment they are set until
 * they are read back, so no code in between may use them.  With the flag
 * GCC never touches an XMM/YMM register in this file (nor emits
 * vzeroupper, which would zero the upper halves); the assembler accepts
 * the AVX instructions in the asm statements regardless.  Between setting
 * and checking the state this file calls no function outside itself.
 */
#include <ilwaco/ilwaco.h>

#include "pv_check.h"

#define JUNK_FS_BASE	0x1234567000ul
#define JUNK_GS_BASE	0x7654321000ul
#define JUNK_PKRU	0x5555555cu
#define X86_EFLAGS_AC	(1ul << 18)
#define ROUNDS		10
#define CALLS_PER_ROUND	1000
#define NVEC		16
#define VEC_BYTES	32	/* a YMM register; XMM uses the first 16 */

struct features {
	int fsgsbase;
	int pku;
	int avx;
};

/* Everything the test sets and reads back, in one place. */
struct cpu_state {
	_Alignas(32) unsigned char vec[NVEC][VEC_BYTES];
	unsigned long fs_base;
	unsigned long gs_base;
	unsigned long ac;	/* RFLAGS & X86_EFLAGS_AC */
	unsigned int pkru;
};

static void cpuid(unsigned int leaf, unsigned int subleaf, unsigned int r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (subleaf));
}

/*
 * What this CPU, as the host configured it, lets the guest use.  CPUID
 * reports FSGSBASE when the CPU has it; Linux (5.9 and later) also turns
 * it on for user mode, which is what the guest inherits.  For PKU and
 * AVX CPUID also says whether the OS enabled them (OSPKE; OSXSAVE plus
 * XCR0), so those checks are exact.
 */
static void detect(struct features *f)
{
	unsigned int r[4], lo, hi;
	unsigned int max_leaf;

	cpuid(0, 0, r);
	max_leaf = r[0];

	cpuid(1, 0, r);
	if ((r[2] & (1u << 28)) && (r[2] & (1u << 27))) {	/* AVX, OSXSAVE */
		asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		f->avx = (lo & 6) == 6;		/* XCR0: SSE and AVX state */
	}
	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		f->fsgsbase = r[1] & 1;			/* EBX bit 0 */
		f->pku = !!(r[2] & (1u << 4));		/* ECX bit 4: OSPKE */
	}
}

static unsigned long read_fs_base(void)
{
	unsigned long v;

	asm volatile("rdfsbase %0" : "=r" (v));
	return v;
}

static unsigned long read_gs_base(void)
{
	unsigned long v;

	asm volatile("rdgsbase %0" : "=r" (v));
	return v;
}

static void write_fs_base(unsigned long v)
{
	asm volatile("wrfsbase %0" : : "r" (v) : "memory");
}

static void write_gs_base(unsigned long v)
{
	asm volatile("wrgsbase %0" : : "r" (v) : "memory");
}

static unsigned int read_pkru(void)
{
	unsigned int eax, edx;

	asm volatile("rdpkru" : "=a" (eax), "=d" (edx) : "c" (0));
	return eax;
}

static void write_pkru(unsigned int v)
{
	asm volatile("wrpkru" : : "a" (v), "c" (0), "d" (0) : "memory");
}

static unsigned long read_ac(void)
{
	unsigned long flags;

	asm volatile("pushfq\n\tpopq %0" : "=r" (flags));
	return flags & X86_EFLAGS_AC;
}

static void write_ac(unsigned long ac)
{
	if (ac)
		asm volatile("pushfq\n\torq %0, (%%rsp)\n\tpopfq"
			     : : "i" (X86_EFLAGS_AC) : "cc", "memory");
	else
		asm volatile("pushfq\n\tandq %0, (%%rsp)\n\tpopfq"
			     : : "i" (~X86_EFLAGS_AC) : "cc", "memory");
}

/*
 * Load or store all sixteen vector registers; .irp repeats the
 * instruction with \r = 0..15, register r at offset r * 32.
 */
static void write_vectors(const struct features *f, const struct cpu_state *s)
{
	if (f->avx)
		asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "vmovdqu \\r*32(%0), %%ymm\\r\n\t"
			     ".endr"
			     : : "r" (s->vec) : "memory");
	else
		asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqu \\r*32(%0), %%xmm\\r\n\t"
			     ".endr"
			     : : "r" (s->vec) : "memory");
}

static void read_vectors(const struct features *f, struct cpu_state *s)
{
	if (f->avx)
		asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "vmovdqu %%ymm\\r, \\r*32(%0)\n\t"
			     ".endr"
			     : : "r" (s->vec) : "memory");
	else
		asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqu %%xmm\\r, \\r*32(%0)\n\t"
			     ".endr"
			     : : "r" (s->vec) : "memory");
}

/*
 * Set every piece of state this CPU has.  AC goes last so that only the
 * code that must run with it (the hypercall loop) does.
 */
static void write_state(const struct features *f, const struct cpu_state *s)
{
	if (f->fsgsbase) {
		write_fs_base(s->fs_base);
		write_gs_base(s->gs_base);
	}
	if (f->pku)
		write_pkru(s->pkru);
	write_vectors(f, s);
	write_ac(s->ac);
}

/* Read back what write_state() set; pieces the CPU lacks read as zero. */
static void read_state(const struct features *f, struct cpu_state *s)
{
	read_vectors(f, s);
	s->ac = read_ac();
	s->fs_base = f->fsgsbase ? read_fs_base() : 0;
	s->gs_base = f->fsgsbase ? read_gs_base() : 0;
	s->pkru = f->pku ? read_pkru() : 0;
}

/* The first difference between @want and @got, described for printing. */
struct mismatch {
	const char *what;
	int reg;		/* vector register, or -1 */
	int byte;		/* byte in it */
	unsigned long got, want;
};

static int compare(const struct features *f, const struct cpu_state *want,
		   const struct cpu_state *got, struct mismatch *m)
{
	int bytes = f->avx ? 32 : 16;
	int r, b;

	m->reg = -1;
	if (got->fs_base != want->fs_base) {
		m->what = "fs_base";
		m->got = got->fs_base;
		m->want = want->fs_base;
		return 1;
	}
	if (got->gs_base != want->gs_base) {
		m->what = "gs_base";
		m->got = got->gs_base;
		m->want = want->gs_base;
		return 1;
	}
	if (got->pkru != want->pkru) {
		m->what = "PKRU";
		m->got = got->pkru;
		m->want = want->pkru;
		return 1;
	}
	if (got->ac != want->ac) {
		m->what = "RFLAGS.AC";
		m->got = got->ac;
		m->want = want->ac;
		return 1;
	}
	for (r = 0; r < NVEC; r++) {
		for (b = 0; b < bytes; b++) {
			if (got->vec[r][b] == want->vec[r][b])
				continue;
			m->what = f->avx ? "ymm" : "xmm";
			m->reg = r;
			m->byte = b;
			m->got = got->vec[r][b];
			m->want = want->vec[r][b];
			return 1;
		}
	}
	return 0;
}

static struct cpu_state want, got;

int main(void)
{
	struct features f = { 0, 0, 0 };
	unsigned int pkru_before = 0;
	struct mismatch m = { .what = "", .reg = -1 };
	int round, i, bad = 0;
	long ret = 0;

	detect(&f);
	if (!f.fsgsbase)
		printf("state_junk: no FSGSBASE: not checking FS and GS bases\n");
	if (!f.pku)
		printf("state_junk: no PKU (or not enabled): not checking PKRU\n");
	if (!f.avx)
		printf("state_junk: no AVX: checking XMM0-XMM15 instead of YMM\n");

	/* The ABI's entry state: FS and GS bases 0. */
	if (f.fsgsbase && (read_fs_base() || read_gs_base())) {
		PV_FAIL("state_junk: FS/GS base at entry is 0x%lx/0x%lx, expected 0",
			read_fs_base(), read_gs_base());
	}

	/* Distinct, nonzero bytes: a zeroed or swapped half shows. */
	for (i = 0; i < NVEC * VEC_BYTES; i++)
		want.vec[i / VEC_BYTES][i % VEC_BYTES] = 0x80 | (i * 37 % 127);
	want.fs_base = f.fsgsbase ? JUNK_FS_BASE : 0;
	want.gs_base = f.fsgsbase ? JUNK_GS_BASE : 0;
	want.pkru = f.pku ? JUNK_PKRU : 0;
	want.ac = X86_EFLAGS_AC;
	if (f.pku)
		pkru_before = read_pkru();

	/* From here to the end of the loop: no calls out of this file. */
	write_state(&f, &want);
	for (round = 1; round <= ROUNDS && !bad; round++) {
		for (i = 0; i < CALLS_PER_ROUND; i++) {
			ret = denali_null();
			if (ret != 0)
				break;
		}
		if (ret != 0)
			break;
		read_state(&f, &got);
		bad = compare(&f, &want, &got, &m);
	}

	/* Back to ordinary state before calling printf(). */
	write_ac(0);
	if (f.fsgsbase) {
		write_fs_base(0);
		write_gs_base(0);
	}
	if (f.pku)
		write_pkru(pkru_before);

	if (ret != 0)
		PV_FAIL("state_junk: a null hypercall returned %ld", ret);
	if (bad) {
		round--;
		if (m.reg >= 0)
			PV_FAIL("state_junk: %s%d byte %d after %d hypercalls is 0x%lx, expected 0x%lx",
				m.what, m.reg, m.byte, round * CALLS_PER_ROUND,
				m.got, m.want);
		PV_FAIL("state_junk: %s after %d hypercalls is 0x%lx, expected 0x%lx",
			m.what, round * CALLS_PER_ROUND, m.got, m.want);
	}
	pv_done("state_junk: ok");
}
