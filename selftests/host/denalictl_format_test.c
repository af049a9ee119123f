// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests (no kernel needed) for what denalictl prints: the
 * exact text of its crash report and vector names (report.c), of sizes,
 * VM states and statuses and `stats` (format.c), which people and
 * scripts read; and that its JSON is valid whatever bytes a name or
 * description holds (json.c).  What it decides from its input is in
 * denalictl_test.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "kselftest_harness.h"
#include "lookup.h"
#include "parse.h"
#include "report.h"
#include "uapi/denali.h"

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
	EXPECT_STREQ("virtual-register contract broken",
		     denali_crash_cause_name(DENALI_CRASH_VREGS));
	EXPECT_STREQ("NIC ring contract broken",
		     denali_crash_cause_name(DENALI_CRASH_NET));
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

/*
 * ---------------------------------------------------------------------
 * Sizes, states and statuses (format.c)
 * ---------------------------------------------------------------------
 */

static const char *size_text(unsigned long long bytes)
{
	static char buf[DENALI_SIZE_TEXT];

	denali_format_size(bytes, buf, sizeof(buf));
	return buf;
}

TEST(size_text_exact_when_short)
{
	static const struct {
		unsigned long long bytes;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 1, "1" }, { 512, "512" }, { 1023, "1023" },
		{ 1024, "1K" }, { 4096, "4K" }, { 9999ull << 10, "9999K" },
		{ 1ull << 20, "1M" }, { 16ull << 20, "16M" },
		{ 1536ull << 20, "1536M" },
		/* 1M + 4K: exact in K beats an approximate "1.0M". */
		{ (1ull << 20) + 4096, "1028K" },
		{ 1ull << 30, "1G" }, { 3ull << 40, "3T" }, { 1ull << 50, "1P" },
		{ 1ull << 63, "8E" },
	};
	unsigned long long back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_STREQ(cases[i].text, size_text(cases[i].bytes))
			TH_LOG("%llu bytes", cases[i].bytes);
		/*
		 * What an operator copies back into --mem means the same
		 * (--mem stops at G).
		 */
		if (cases[i].bytes && cases[i].bytes < 1ull << 40) {
			ASSERT_EQ(0, parse_size(cases[i].text, &back));
			EXPECT_EQ(cases[i].bytes, back);
		}
	}
}

TEST(size_text_approximate_when_long)
{
	static const struct {
		unsigned long long bytes;
		const char *text;
	} cases[] = {
		{ 1536, "1.5K" }, { 5000, "4.9K" }, { 9999, "9.8K" },
		{ 12345678, "11.8M" },
		/* 10000K would be five digits exact. */
		{ 10000ull << 10, "9.8M" },
		/* 1G + 4K: exact only as 262145K. */
		{ (1ull << 30) + 4096, "1.0G" },
		/* Rounds up to 1024.0M, said as 1.0G. */
		{ (1ull << 30) - 1, "1.0G" },
		{ ~0ull, "16.0E" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_STREQ(cases[i].text, size_text(cases[i].bytes))
			TH_LOG("%llu bytes", cases[i].bytes);
}

TEST(size_text_fits_its_buffer)
{
	char small[4];

	/* Truncated, never overflowing, always terminated. */
	memset(small, 'x', sizeof(small));
	denali_format_size(1536ull << 20, small, sizeof(small));
	EXPECT_STREQ("153", small);
	EXPECT_LE(strlen(size_text(~0ull)) + 1, DENALI_SIZE_TEXT);
}

TEST(state_names)
{
	EXPECT_STREQ("ready", denali_state_name(DENALI_VM_READY));
	EXPECT_STREQ("running", denali_state_name(DENALI_VM_RUNNING));
	EXPECT_STREQ("stopped", denali_state_name(DENALI_VM_STOPPED));
	EXPECT_STREQ("unknown", denali_state_name(0));
	EXPECT_STREQ("unknown", denali_state_name(4));
	EXPECT_STREQ("unknown", denali_state_name(UINT_MAX));
}

static void stopped_vm(struct denali_vm_info *vm, unsigned int reason)
{
	memset(vm, 0, sizeof(*vm));
	vm->id = 3;
	snprintf(vm->name, sizeof(vm->name), "web");
	vm->state = DENALI_VM_STOPPED;
	vm->stop_reason = reason;
}

static const char *status_text(const struct denali_vm_info *vm)
{
	static char buf[DENALI_STATUS_TEXT];

	denali_format_status(vm, buf, sizeof(buf));
	return buf;
}

TEST(status_of_live_vms_is_their_state)
{
	struct denali_vm_info vm;

	memset(&vm, 0, sizeof(vm));
	vm.state = DENALI_VM_READY;
	EXPECT_STREQ("ready", status_text(&vm));
	vm.state = DENALI_VM_RUNNING;
	EXPECT_STREQ("running", status_text(&vm));
	/* A stale stop reason does not matter while it runs. */
	vm.stop_reason = DENALI_STOP_CRASH;
	EXPECT_STREQ("running", status_text(&vm));
	vm.state = 0;
	EXPECT_STREQ("unknown state 0", status_text(&vm));
	vm.state = 42;
	EXPECT_STREQ("unknown state 42", status_text(&vm));
}

TEST(status_of_stopped_vms_says_how)
{
	struct denali_vm_info vm;

	stopped_vm(&vm, DENALI_STOP_EXIT);
	vm.exit_status = 7;
	EXPECT_STREQ("exit 7", status_text(&vm));
	vm.exit_status = 0;
	EXPECT_STREQ("exit 0", status_text(&vm));
	vm.exit_status = -1;
	EXPECT_STREQ("exit -1", status_text(&vm));

	stopped_vm(&vm, DENALI_STOP_HALT);
	EXPECT_STREQ("halted", status_text(&vm));
	stopped_vm(&vm, DENALI_STOP_DESTROYED);
	EXPECT_STREQ("destroyed", status_text(&vm));
	stopped_vm(&vm, DENALI_STOP_NONE);
	EXPECT_STREQ("stopped (reason 0)", status_text(&vm));
	stopped_vm(&vm, 99);
	EXPECT_STREQ("stopped (reason 99)", status_text(&vm));
}

TEST(status_of_crashed_vms)
{
	struct denali_vm_info vm;
	char want[DENALI_STATUS_TEXT];

	stopped_vm(&vm, DENALI_STOP_CRASH);
	vm.crash_cause = DENALI_CRASH_PRIVILEGED;
	vm.crash_vector = 13;
	snprintf(vm.crash_description, sizeof(vm.crash_description),
		 "privileged instruction: cli");
	EXPECT_STREQ("crashed: privileged instruction: cli", status_text(&vm));

	/* No description: the cause's name. */
	vm.crash_description[0] = '\0';
	EXPECT_STREQ("crashed: privileged instruction", status_text(&vm));
	vm.crash_cause = 0;
	EXPECT_STREQ("crashed: unknown cause", status_text(&vm));

	/* Bytes that would drive a terminal are shown as '?'. */
	snprintf(vm.crash_description, sizeof(vm.crash_description),
		 "\x1b[2Jgone\n\xc3\xa9");
	EXPECT_STREQ("crashed: ?[2Jgone???", status_text(&vm));

	/* No NUL at all: stops at the field's end. */
	memset(vm.crash_description, 'x', sizeof(vm.crash_description));
	snprintf(want, sizeof(want), "crashed: %.*s",
		 (int)sizeof(vm.crash_description), vm.crash_description);
	EXPECT_STREQ(want, status_text(&vm));
	EXPECT_EQ(strlen("crashed: ") + sizeof(vm.crash_description),
		  strlen(status_text(&vm)));
}

TEST(copy_printable)
{
	char buf[8];

	denali_copy_printable(buf, sizeof(buf), "a\tb", 3);
	EXPECT_STREQ("a?b", buf);
	/* Stops at the source's NUL, its length, or the room there is. */
	denali_copy_printable(buf, sizeof(buf), "ab\0cd", 5);
	EXPECT_STREQ("ab", buf);
	denali_copy_printable(buf, sizeof(buf), "abcdef", 3);
	EXPECT_STREQ("abc", buf);
	denali_copy_printable(buf, sizeof(buf), "abcdefghijkl", 12);
	EXPECT_STREQ("abcdefg", buf);
	denali_copy_printable(buf, sizeof(buf), "\x7f\x80\xff ~", 5);
	EXPECT_STREQ("??? ~", buf);
	buf[0] = 'z';
	denali_copy_printable(buf, 0, "abc", 3);
	EXPECT_EQ('z', buf[0]);
}

TEST(exit_kind_and_hypercall_names)
{
	EXPECT_STREQ("hypercall", denali_exit_kind_name(DENALI_EXITK_HYPERCALL));
	EXPECT_STREQ("interrupt", denali_exit_kind_name(DENALI_EXITK_INTERRUPT));
	EXPECT_STREQ("nmi", denali_exit_kind_name(DENALI_EXITK_NMI));
	EXPECT_STREQ("mce", denali_exit_kind_name(DENALI_EXITK_MCE));
	EXPECT_STREQ("fault", denali_exit_kind_name(DENALI_EXITK_FAULT));
	EXPECT_STREQ("aborted", denali_exit_kind_name(DENALI_EXITK_ABORTED));
	EXPECT_STREQ("kick", denali_exit_kind_name(DENALI_EXITK_KICK));
	EXPECT_STREQ("demand", denali_exit_kind_name(DENALI_EXITK_DEMAND));
	EXPECT_EQ(NULL, denali_exit_kind_name(DENALI_EXIT_KINDS));
	EXPECT_EQ(NULL, denali_exit_kind_name(UINT_MAX));

	EXPECT_STREQ("reserved", denali_hypercall_name(DENALI_HC_RESERVED));
	EXPECT_STREQ("exit", denali_hypercall_name(DENALI_HC_EXIT));
	EXPECT_STREQ("console_write",
		     denali_hypercall_name(DENALI_HC_CONSOLE_WRITE));
	EXPECT_STREQ("null", denali_hypercall_name(DENALI_HC_NULL));
	EXPECT_STREQ("idle", denali_hypercall_name(DENALI_HC_IDLE));
	EXPECT_STREQ("upcall_return",
		     denali_hypercall_name(DENALI_HC_UPCALL_RETURN));
	EXPECT_STREQ("console_read",
		     denali_hypercall_name(DENALI_HC_CONSOLE_READ));
	EXPECT_STREQ("time", denali_hypercall_name(DENALI_HC_TIME));
	EXPECT_EQ(NULL, denali_hypercall_name(8));
	EXPECT_EQ(NULL, denali_hypercall_name(15));
	EXPECT_EQ(NULL, denali_hypercall_name(UINT_MAX));
}

static void sample_stats(struct denali_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->runs = 2;
	st->exits[DENALI_EXITK_HYPERCALL] = 201;
	st->exits[DENALI_EXITK_INTERRUPT] = 1003;
	st->exits[DENALI_EXITK_FAULT] = 1;
	st->hypercalls[DENALI_HC_EXIT] = 1;
	st->hypercalls[DENALI_HC_CONSOLE_WRITE] = 200;
	st->hypercalls[DENALI_HC_IDLE] = 40;
	st->hypercalls[DENALI_HC_UPCALL_RETURN] = 12;
	st->hypercalls[DENALI_HC_CONSOLE_READ] = 3;
	st->guest_ns = 1204518330;
	st->console_bytes = 3200;
	st->upcalls = 12;
	st->idle_sleeps = 37;
	st->irqs_raised = 13;
}

/* A FILE writer's output as a string; the caller frees it. */
#define CAPTURE(text, call)						\
	do {								\
		size_t __len = 0;					\
		FILE *out = open_memstream(&(text), &__len);		\
									\
		ASSERT_NE(NULL, out);					\
		call;							\
		fclose(out);						\
	} while (0)

/*
 * The one list of counters (include/denali_stats.h) covers struct
 * denali_stats exactly: from runs to its end, in order, no gap, no
 * overlap, each key its field's name.
 */
TEST(stats_list_covers_the_struct)
{
	size_t i, at = offsetof(struct denali_stats, runs);

	ASSERT_LT(0, denali_stat_count);
	for (i = 0; i < denali_stat_count; i++) {
		const struct denali_stat_desc *d = &denali_stat_descs[i];

		EXPECT_EQ(at, d->offset) TH_LOG("%s is out of place", d->key);
		EXPECT_EQ(0, d->size % sizeof(__u64)) TH_LOG("%s", d->key);
		at = d->offset + d->size;
	}
	EXPECT_EQ(sizeof(struct denali_stats), at);
	EXPECT_STREQ("runs", denali_stat_descs[0].key);
	EXPECT_STREQ("shared_pages",
		     denali_stat_descs[denali_stat_count - 1].key);
}

TEST(stats_text)
{
	struct denali_stats st;
	char *text = NULL;

	sample_stats(&st);
	CAPTURE(text, denali_print_stats(out, "web", 3, &st));
	EXPECT_STREQ(
		"VM web (id 3)\n"
		"runs                 2\n"
		"exits                1205\n"
		"  hypercall          201\n"
		"  interrupt          1003\n"
		"  nmi                0\n"
		"  mce                0\n"
		"  fault              1\n"
		"  aborted            0\n"
		"  kick               0\n"
		"  demand             0\n"
		"hypercalls           256\n"
		"  exit (1)           1\n"
		"  console_write (2)  200\n"
		"  null (3)           0\n"
		"  idle (4)           40\n"
		"  upcall_return (5)  12\n"
		"  console_read (6)   3\n"
		"  time (7)           0\n"
		"guest time           1.204518330 s\n"
		"console bytes        3200\n"
		"console dropped      0\n"
		"upcalls              12\n"
		"idle sleeps          37\n"
		"irqs raised          13\n"
		"resident pages       0\n"
		"host bytes           0\n"
		"shared pages         0\n", text);
	free(text);
}

TEST(stats_text_shows_unnamed_counters_only_when_nonzero)
{
	struct denali_stats st;
	char *text = NULL;

	sample_stats(&st);
	st.exits[7] = 3;
	st.hypercalls[DENALI_HC_RESERVED] = 1;
	st.hypercalls[9] = 5;
	st.hypercalls[15] = 2;
	st.guest_ns = 5;
	st.console_dropped = 9;
	CAPTURE(text, denali_print_stats(out, "web", 3, &st));
	EXPECT_NE(NULL, strstr(text, "exits                1208\n"));
	EXPECT_NE(NULL, strstr(text, "  kick               0\n"
				     "  demand             3\n"
				     "hypercalls           264\n"
				     "  reserved (0)       1\n"
				     "  exit (1)           1\n"));
	EXPECT_NE(NULL, strstr(text, "  time (7)           0\n"
				     "  9                  5\n"
				     "  15+                2\n"
				     "guest time           0.000000005 s\n"))
		TH_LOG("got:\n%s", text);
	EXPECT_NE(NULL, strstr(text, "console dropped      9\n"));
	free(text);
}

/*
 * ---------------------------------------------------------------------
 * JSON (json.c)
 * ---------------------------------------------------------------------
 */

static char *json_text(const char *s, size_t maxlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	json_write_string(out, s, maxlen);
	fclose(out);
	return text;
}

/* EXPECT that @s (up to @maxlen) is written as the JSON text @want. */
#define EXPECT_JSON(want, s, maxlen)					\
	do {								\
		char *__got = json_text(s, maxlen);			\
									\
		ASSERT_NE(NULL, __got);					\
		EXPECT_STREQ(want, __got);				\
		free(__got);						\
	} while (0)

TEST(json_plain_strings)
{
	EXPECT_JSON("\"\"", "", SIZE_MAX);
	EXPECT_JSON("\"web-01.test_B\"", "web-01.test_B", SIZE_MAX);
	EXPECT_JSON("\"a/b <c> & 'd'\"", "a/b <c> & 'd'", SIZE_MAX);
	EXPECT_JSON("null", NULL, SIZE_MAX);
}

TEST(json_escapes_quotes_backslashes_and_controls)
{
	EXPECT_JSON("\"say \\\"hi\\\"\"", "say \"hi\"", SIZE_MAX);
	EXPECT_JSON("\"C:\\\\dir\\\\\"", "C:\\dir\\", SIZE_MAX);
	EXPECT_JSON("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", SIZE_MAX);
	EXPECT_JSON("\"\\u0001\\u001b[0m\\u001f\\u007f\"",
		    "\x01\x1b[0m\x1f\x7f", SIZE_MAX);
	/* The last ASCII characters that need no escape. */
	EXPECT_JSON("\" ~\"", " ~", SIZE_MAX);
}

TEST(json_keeps_well_formed_utf8)
{
	/* é (2 bytes), € (3), 𝄞 (4), U+10FFFF (the largest). */
	EXPECT_JSON("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf\"",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf",
		    SIZE_MAX);
	/* U+0080 and U+0800 and U+10000, the smallest of each length. */
	EXPECT_JSON("\"\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80\"",
		    "\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80", SIZE_MAX);
}

TEST(json_replaces_malformed_utf8)
{
	/* Bytes that never begin a sequence. */
	EXPECT_JSON("\"a\\ufffdb\"", "a\377b", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\\ufffd\"", "\xc0\xc1", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\"", "\xf5", SIZE_MAX);
	/* A stray continuation byte. */
	EXPECT_JSON("\"\\ufffdx\"", "\x80x", SIZE_MAX);
	/* Overlong forms of '/', NUL, U+07FF, U+FFFF. */
	EXPECT_JSON("\"\\ufffd\\ufffd\"", "\xc0\xaf", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\\ufffd\\ufffd\"", "\xe0\x9f\xbf", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "\xf0\x8f\xbf\xbf",
		    SIZE_MAX);
	/* A UTF-16 surrogate, and U+110000. */
	EXPECT_JSON("\"\\ufffd\\ufffd\\ufffd\"", "\xed\xa0\x80", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "\xf4\x90\x80\x80",
		    SIZE_MAX);
	/* Cut short by the end, by ASCII, by the field's length. */
	EXPECT_JSON("\"\\ufffd\\ufffd\"", "\xe2\x82", SIZE_MAX);
	EXPECT_JSON("\"\\ufffd\\ufffdz\"", "\xe2\x82z", SIZE_MAX);
	EXPECT_JSON("\"ok\\ufffd\\ufffd\"", "ok\xe2\x82\xac", 4);
}

TEST(json_string_is_bounded)
{
	char field[8];

	memset(field, 'x', sizeof(field));
	EXPECT_JSON("\"xxxxxxxx\"", field, sizeof(field));
	EXPECT_JSON("\"xxx\"", field, 3);
	EXPECT_JSON("\"ab\"", "ab\0cd", 5);
	EXPECT_JSON("\"\"", "abc", 0);
}

TEST(json_vm_object)
{
	struct denali_vm_info vm;
	char *text = NULL;

	memset(&vm, 0, sizeof(vm));
	vm.id = 3;
	snprintf(vm.name, sizeof(vm.name), "web");
	vm.state = DENALI_VM_RUNNING;
	vm.mem_size = 16ull << 20;
	vm.owner_uid = 1000;
	vm.runner_pid = 4242;
	CAPTURE(text, json_print_vm(out, &vm, "alice", NULL, 0));
	EXPECT_STREQ(
		"{\"id\": 3, \"name\": \"web\", \"state\": 2, \"mem_size\": 16777216, \"owner_uid\": 1000, \"runner_pid\": 4242, \"stop_reason\": 0, \"exit_status\": 0, \"crash_cause\": 0, \"crash_vector\": 0, \"crash_description\": \"\", \"state_name\": \"running\", \"status\": \"running\", \"owner\": \"alice\", \"resident_pages\": 0, \"shared_pages\": 0, \"host_bytes\": 0, \"nics\": []}",
		text);
	free(text);
}

TEST(json_vm_object_crashed_with_hostile_text)
{
	struct denali_vm_info vm;
	char *text = NULL;

	stopped_vm(&vm, DENALI_STOP_CRASH);
	vm.mem_size = 1ull << 20;
	vm.owner_uid = 65534;
	vm.exit_status = -1;
	vm.crash_cause = DENALI_CRASH_EXCEPTION;
	vm.crash_vector = 14;
	snprintf(vm.crash_description, sizeof(vm.crash_description),
		 "bad \"insn\"\n\\\xff");
	/* A name with no NUL: all 32 bytes, no more. */
	memset(vm.name, 'n', sizeof(vm.name));
	CAPTURE(text, json_print_vm(out, &vm, NULL, NULL, 0));
	EXPECT_STREQ(
		"{\"id\": 3, \"name\": \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\", \"state\": 3, \"mem_size\": 1048576, \"owner_uid\": 65534, \"runner_pid\": 0, \"stop_reason\": 3, \"exit_status\": -1, \"crash_cause\": 1, \"crash_vector\": 14, \"crash_description\": \"bad \\\"insn\\\"\\n\\\\\\ufffd\", \"state_name\": \"stopped\", \"status\": \"crashed: bad \\\"insn\\\"?\\\\?\", \"owner\": null, \"resident_pages\": 0, \"shared_pages\": 0, \"host_bytes\": 0, \"nics\": []}",
		text);
	free(text);
}

TEST(json_stats_object)
{
	struct denali_stats st;
	char *text = NULL;

	sample_stats(&st);
	st.exits[7] = 3;
	st.hypercalls[15] = 2;
	CAPTURE(text, json_print_stats(out, "web", 3, &st, NULL, 0));
	EXPECT_STREQ(
		"{\"id\": 3, \"name\": \"web\", \"runs\": 2, \"exits\": {\"hypercall\": 201, \"interrupt\": 1003, \"nmi\": 0, \"mce\": 0, \"fault\": 1, \"aborted\": 0, \"kick\": 0, \"demand\": 3}, \"hypercalls\": {\"reserved\": 0, \"exit\": 1, \"console_write\": 200, \"null\": 0, \"idle\": 40, \"upcall_return\": 12, \"console_read\": 3, \"time\": 0, \"8\": 0, \"9\": 0, \"10\": 0, \"11\": 0, \"12\": 0, \"13\": 0, \"14\": 0, \"15+\": 2}, \"guest_ns\": 1204518330, \"console_bytes\": 3200, \"console_dropped\": 0, \"upcalls\": 12, \"idle_sleeps\": 37, \"irqs_raised\": 13, \"resident_pages\": 0, \"host_bytes\": 0, \"shared_pages\": 0, \"nics\": []}\n",
		text);
	free(text);
}

/* Two NICs of VM 3 and one of VM 4, as nics.c finds them. */
static char nic_keys[2][DENALI_NIC_KEY_MAX] = { "to_guest_packets", "drop_no_buffer" };
static unsigned long long nic_values[2] = { 25, 7 };

static void sample_nics(struct denali_nic_view *nics)
{
	memset(nics, 0, 3 * sizeof(*nics));
	nics[0].vm_id = 3;
	snprintf(nics[0].ifname, sizeof(nics[0].ifname), "dn3");
	nics[0].rx_packets = 25;
	nics[0].rx_bytes = 2050;
	nics[0].tx_packets = 32;
	nics[0].tx_bytes = 2624;
	nics[0].tx_dropped = 7;
	nics[0].nkeys = 2;
	nics[0].keys = nic_keys;
	nics[0].values = nic_values;
	nics[1].vm_id = 3;
	nics[1].index = 1;
	/* An operator's name, with a byte that would drive a terminal. */
	snprintf(nics[1].ifname, sizeof(nics[1].ifname), "up\x1b");
	nics[2].vm_id = 4;
	snprintf(nics[2].ifname, sizeof(nics[2].ifname), "dn4");
}

TEST(nics_column)
{
	struct denali_nic_view nics[3];
	char buf[16];

	sample_nics(nics);
	denali_format_nics(nics, 3, 3, buf, sizeof(buf));
	EXPECT_STREQ("dn3,up?", buf);
	denali_format_nics(nics, 3, 4, buf, sizeof(buf));
	EXPECT_STREQ("dn4", buf);
	denali_format_nics(nics, 3, 5, buf, sizeof(buf));
	EXPECT_STREQ("-", buf);
	/* Too long for the room: cut, and said to be. */
	denali_format_nics(nics, 3, 3, buf, 6);
	EXPECT_STREQ("dn...", buf);
}

TEST(nic_stats_text)
{
	struct denali_nic_view nics[3];
	char *text = NULL;

	sample_nics(nics);
	CAPTURE(text, denali_print_nic_stats(out, &nics[0]));
	EXPECT_STREQ(
		"NIC 0 dn3 (rx: from the guest, tx: to the guest)\n"
		"rx packets           25\n"
		"rx bytes             2050\n"
		"rx dropped           0\n"
		"tx packets           32\n"
		"tx bytes             2624\n"
		"tx dropped           7\n"
		"to_guest_packets     25\n"
		"drop_no_buffer       7\n", text);
	free(text);
}

TEST(json_with_nics)
{
	struct denali_nic_view nics[3];
	struct denali_vm_info vm;
	struct denali_stats st;
	char *text = NULL;

	sample_nics(nics);
	memset(&vm, 0, sizeof(vm));
	vm.id = 3;
	vm.state = DENALI_VM_RUNNING;
	CAPTURE(text, json_print_vm(out, &vm, NULL, nics, 3));
	EXPECT_NE(NULL, strstr(text, ", \"nics\": [\"dn3\", \"up\\u001b\"]}"))
		TH_LOG("%s", text);
	free(text);
	memset(&st, 0, sizeof(st));
	CAPTURE(text, json_print_stats(out, "web", 3, &st, nics, 1));
	EXPECT_NE(NULL, strstr(text, ", \"nics\": [{\"nic\": 0, \"ifname\": \"dn3\", \"rx_packets\": 25, \"rx_bytes\": 2050, \"rx_dropped\": 0, \"tx_packets\": 32, \"tx_bytes\": 2624, \"tx_dropped\": 7, \"ethtool\": {\"to_guest_packets\": 25, \"drop_no_buffer\": 7}}]}\n"))
		TH_LOG("%s", text);
	free(text);
}

TEST_HARNESS_MAIN
