// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests (no kernel needed) for what denalictl decides on
 * its own: which --mem sizes and --name values it accepts
 * (userspace/denalictl/parse.c), and the exact text of its crash report
 * and vector names (userspace/denalictl/report.c), which people and
 * scripts read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "parse.h"
#include "report.h"
#include "uapi/denali.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

/* parse_size(@s), returning the value, or the error as a negative. */
static long long size_or_error(const char *s, int *err)
{
	unsigned long long v = UNTOUCHED;

	*err = parse_size(s, &v);
	return (long long)v;
}

TEST(size_plain_bytes)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("1", &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, parse_size("16777216", &v));
	EXPECT_EQ(16777216, v);
	/* Leading zeros are decimal, not octal. */
	ASSERT_EQ(0, parse_size("010", &v));
	EXPECT_EQ(10, v);
}

TEST(size_suffixes_are_powers_of_1024)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("1K", &v));
	EXPECT_EQ(1024, v);
	ASSERT_EQ(0, parse_size("1k", &v));
	EXPECT_EQ(1024, v);
	ASSERT_EQ(0, parse_size("16M", &v));
	EXPECT_EQ(16ull << 20, v);
	ASSERT_EQ(0, parse_size("16m", &v));
	EXPECT_EQ(16ull << 20, v);
	ASSERT_EQ(0, parse_size("2G", &v));
	EXPECT_EQ(2ull << 30, v);
	ASSERT_EQ(0, parse_size("2g", &v));
	EXPECT_EQ(2ull << 30, v);
	ASSERT_EQ(0, parse_size("1536K", &v));
	EXPECT_EQ(1536ull << 10, v);
}

TEST(size_malformed_is_einval_and_untouched)
{
	static const char * const bad[] = {
		"", "-1", "+1", " 1", "1 ", "\t1", "1\n", "M", "k", "-",
		"1MB", "1MiB", "1KB", "1kb", "1B", "1T", "1P", "1Mx", "1KK",
		"1.5M", "1,024", "0x1000", "1e6", "abc", "16 M",
		"99999999999999999999999x",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(UNTOUCHED, size_or_error(bad[i], &err))
			TH_LOG("\"%s\" changed the value", bad[i]);
		EXPECT_EQ(-EINVAL, err) TH_LOG("\"%s\"", bad[i]);
	}
	EXPECT_EQ(UNTOUCHED, size_or_error(NULL, &err));
	EXPECT_EQ(-EINVAL, err);
}

TEST(size_zero_is_einval)
{
	int err;

	EXPECT_EQ(UNTOUCHED, size_or_error("0", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("000", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("0K", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("0g", &err));
	EXPECT_EQ(-EINVAL, err);
}

TEST(size_up_to_2_63_is_accepted)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("9223372036854775808", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("9223372036854775807", &v));
	EXPECT_EQ((1ull << 63) - 1, v);
	ASSERT_EQ(0, parse_size("9007199254740992K", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("8796093022208M", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("8589934592G", &v));
	EXPECT_EQ(1ull << 63, v);
}

TEST(size_beyond_2_63_is_erange_and_untouched)
{
	static const char * const big[] = {
		"9223372036854775809", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999999999",
		"9007199254740993K", "8796093022209M", "8589934593G",
		"17179869184G", "99999999999999999999G",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(big); i++) {
		EXPECT_EQ(UNTOUCHED, size_or_error(big[i], &err))
			TH_LOG("\"%s\" changed the value", big[i]);
		EXPECT_EQ(-ERANGE, err) TH_LOG("\"%s\"", big[i]);
	}
}

TEST(vm_name_accepts_the_allowed_characters)
{
	EXPECT_TRUE(valid_vm_name("a"));
	EXPECT_TRUE(valid_vm_name("web"));
	EXPECT_TRUE(valid_vm_name("Web-01.test_B"));
	EXPECT_TRUE(valid_vm_name("0123456789"));
	EXPECT_TRUE(valid_vm_name("-dash-first"));
	EXPECT_TRUE(valid_vm_name(".hidden"));
	EXPECT_TRUE(valid_vm_name("..."));
	/* 31 characters: the most that fits DENALI_NAME_MAX with its NUL. */
	EXPECT_TRUE(valid_vm_name("abcdefghijklmnopqrstuvwxyz01234"));
}

TEST(vm_name_refuses_the_rest)
{
	static const char * const bad[] = {
		"", "a b", "a/b", "a\\b", "a:b", "a@b", "a+b", "a\nb", "caf\xc3\xa9",
		"tab\t", "*", ".", "..",
		/* 32 characters */
		"abcdefghijklmnopqrstuvwxyz012345",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_FALSE(valid_vm_name(bad[i])) TH_LOG("bad[%zu]", i);
}

TEST(vm_name_refuses_null)
{
	EXPECT_FALSE(valid_vm_name(NULL));
}

TEST(vector_names)
{
	static const char * const want[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
		NULL, "#TS", "#NP", "#SS", "#GP", "#PF", NULL, "#MF", "#AC",
		"#MC", "#XM", "#VE", "#CP",
	};
	unsigned int v;

	for (v = 0; v < ARRAY_SIZE(want); v++) {
		const char *got = denali_vector_name(v);

		EXPECT_STREQ(want[v] ? want[v] : "(none)", got ? got : "(none)")
			TH_LOG("vector %u", v);
	}
	EXPECT_EQ(NULL, denali_vector_name(22));
	EXPECT_EQ(NULL, denali_vector_name(31));
	EXPECT_EQ(NULL, denali_vector_name(32));
	EXPECT_EQ(NULL, denali_vector_name(255));
	EXPECT_EQ(NULL, denali_vector_name(UINT_MAX));
}

TEST(crash_cause_names)
{
	EXPECT_STREQ("exception",
		     denali_crash_cause_name(DENALI_CRASH_EXCEPTION));
	EXPECT_STREQ("privileged instruction",
		     denali_crash_cause_name(DENALI_CRASH_PRIVILEGED));
	EXPECT_STREQ("internal monitor error",
		     denali_crash_cause_name(DENALI_CRASH_INTERNAL));
	EXPECT_STREQ("unknown cause", denali_crash_cause_name(0));
	EXPECT_STREQ("unknown cause", denali_crash_cause_name(99));
}

/* A crash with every register distinct, so a swapped pair shows. */
static void sample_crash(struct denali_crash *c)
{
	memset(c, 0, sizeof(*c));
	c->cause = DENALI_CRASH_PRIVILEGED;
	c->vector = 13;
	c->error_code = 0;
	c->cr2 = 0;
	c->regs.rax = 0x1;
	c->regs.rbx = 0x2;
	c->regs.rcx = 0x3;
	c->regs.rdx = 0x4;
	c->regs.rsi = 0x5;
	c->regs.rdi = 0x100000;
	c->regs.rbp = 0x7;
	c->regs.rsp = 0xffff8;
	c->regs.r8 = 0x8;
	c->regs.r9 = 0x9;
	c->regs.r10 = 0xa;
	c->regs.r11 = 0xb;
	c->regs.r12 = 0xc;
	c->regs.r13 = 0xd;
	c->regs.r14 = 0xe;
	c->regs.r15 = 0xffffffffffffffffull;
	c->regs.rip = 0x10004;
	c->regs.rflags = 0x202;
	c->regs.fs_base = 0x1234567000ull;
	c->regs.gs_base = 0x7654321000ull;
	c->regs.cs = 0x33;
	c->regs.ss = 0x2b;
	c->insn[0] = 0x0f;
	c->insn[1] = 0x01;
	c->insn[2] = 0xf8;
	c->insn_len = 3;
	snprintf(c->description, sizeof(c->description),
		 "privileged instruction: swapgs");
}

/* denali_print_crash() into a string; the caller frees it. */
static char *crash_text(const char *name, unsigned int id,
			const struct denali_crash *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	denali_print_crash(f, "denalictl", name, id, c);
	fclose(f);
	return buf;
}

TEST(crash_report_text)
{
	struct denali_crash c;
	char *text;

	sample_crash(&c);
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ(
		"denalictl: VM web (id 3) crashed: privileged instruction: swapgs\n"
		"  vector 13 (#GP), error code 0x0, rip 0x10004, cr2 0x0\n"
		"  code at rip: 0f 01 f8\n"
		"  rax 0x0000000000000001 rbx 0x0000000000000002 rcx 0x0000000000000003 rdx 0x0000000000000004\n"
		"  rsi 0x0000000000000005 rdi 0x0000000000100000 rbp 0x0000000000000007 rsp 0x00000000000ffff8\n"
		"  r8 0x0000000000000008 r9 0x0000000000000009 r10 0x000000000000000a r11 0x000000000000000b\n"
		"  r12 0x000000000000000c r13 0x000000000000000d r14 0x000000000000000e r15 0xffffffffffffffff\n"
		"  rip 0x0000000000010004 rflags 0x0000000000000202 fs_base 0x0000001234567000 gs_base 0x0000007654321000\n"
		"  cs 0x33 ss 0x2b ds 0x0 es 0x0 fs 0x0 gs 0x0\n",
		text);
	free(text);
}

TEST(crash_report_page_fault)
{
	struct denali_crash c;
	char *text;

	sample_crash(&c);
	c.cause = DENALI_CRASH_EXCEPTION;
	c.vector = 14;
	c.error_code = 0x6;
	c.cr2 = 0xdead000;
	snprintf(c.description, sizeof(c.description),
		 "page fault writing 0xdead000");
	text = crash_text("vm7", 7, &c);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text,
			     "denalictl: VM vm7 (id 7) crashed: page fault writing 0xdead000\n"
			     "  vector 14 (#PF), error code 0x6, rip 0x10004, cr2 0xdead000\n",
			     strlen("denalictl: VM vm7 (id 7) crashed: page fault writing 0xdead000\n"
				    "  vector 14 (#PF), error code 0x6, rip 0x10004, cr2 0xdead000\n")))
		TH_LOG("got:\n%s", text);
	free(text);
}

TEST(crash_report_without_description_names_the_cause)
{
	struct denali_crash c;
	char *text;

	sample_crash(&c);
	c.description[0] = '\0';
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text,
			     "denalictl: VM web (id 3) crashed: privileged instruction\n",
			     strlen("denalictl: VM web (id 3) crashed: privileged instruction\n")))
		TH_LOG("got:\n%s", text);
	free(text);

	c.cause = 42;
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text,
			     "denalictl: VM web (id 3) crashed: unknown cause\n",
			     strlen("denalictl: VM web (id 3) crashed: unknown cause\n")))
		TH_LOG("got:\n%s", text);
	free(text);
}

TEST(crash_report_unnamed_vector_has_no_name)
{
	struct denali_crash c;
	char *text;

	sample_crash(&c);
	c.vector = 15;
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\n  vector 15, error code 0x0, rip"))
		TH_LOG("got:\n%s", text);
	free(text);
}

TEST(crash_report_code_bytes_are_bounded)
{
	struct denali_crash c;
	char *text;

	sample_crash(&c);
	c.insn_len = 0;
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\n  code at rip: unreadable\n"));
	free(text);

	/* A report claiming more than 16 bytes shows the 16 there are. */
	memset(c.insn, 0xcc, sizeof(c.insn));
	c.insn_len = 1000;
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text,
			       "\n  code at rip: cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc\n"))
		TH_LOG("got:\n%s", text);
	free(text);
}

TEST(crash_report_unterminated_description_is_bounded)
{
	struct denali_crash c;
	char want[sizeof(c.description) + 64];
	char *text;

	sample_crash(&c);
	/* No NUL anywhere: the report must stop at the buffer's end. */
	memset(c.description, 'x', sizeof(c.description));
	text = crash_text("web", 3, &c);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want), "denalictl: VM web (id 3) crashed: %.*s\n",
		 (int)sizeof(c.description), c.description);
	EXPECT_EQ(0, strncmp(text, want, strlen(want))) TH_LOG("got:\n%s", text);
	free(text);
}

TEST_HARNESS_MAIN
