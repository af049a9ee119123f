// SPDX-License-Identifier: GPL-2.0
/*
 * Formatting for denalictl's `list` and `stats`; see format.h.
 *
 * Sizes are shown exact where that stays short, because an operator
 * copies them back into --mem; and approximate (with a decimal point,
 * so the difference shows) only where exact would be a long number.
 */
#include <string.h>

#include "format.h"
#include "report.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exact sizes are shown with at most this many digits. */
#define SIZE_EXACT_MAX	9999ull

void denali_format_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned long long whole, rem, tenths;
	int u, shift;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", bytes);
		return;
	}

	/* The largest unit that divides exactly, if short enough. */
	for (u = 5; u >= 0; u--) {
		shift = 10 * (u + 1);
		if (bytes & ((1ull << shift) - 1))
			continue;
		if ((bytes >> shift) <= SIZE_EXACT_MAX) {
			snprintf(buf, len, "%llu%c", bytes >> shift, units[u]);
			return;
		}
		break;
	}

	/* Otherwise one decimal in the largest unit that fits. */
	for (u = 5; u > 0 && bytes >> (10 * (u + 1)) == 0; u--)
		;
	shift = 10 * (u + 1);
	whole = bytes >> shift;
	rem = bytes & ((1ull << shift) - 1);
	/* rem < 2^60 at most, so rem * 10 cannot overflow. */
	tenths = (rem * 10 + (1ull << (shift - 1))) >> shift;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	/* 1023.95M rounds to 1024.0M: say 1.0G instead. */
	if (whole == 1024 && u < 5) {
		whole = 1;
		u++;
	}
	snprintf(buf, len, "%llu.%llu%c", whole, tenths, units[u]);
}

const char *denali_state_name(unsigned int state)
{
	switch (state) {
	case DENALI_VM_READY:
		return "ready";
	case DENALI_VM_RUNNING:
		return "running";
	case DENALI_VM_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

void denali_copy_printable(char *dst, size_t dstlen, const char *src,
			   size_t srclen)
{
	size_t i;

	if (!dstlen)
		return;
	for (i = 0; i < srclen && i < dstlen - 1 && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

void denali_format_status(const struct denali_vm_info *vm, char *buf,
			  size_t len)
{
	char desc[sizeof(vm->crash_description) + 1];

	switch (vm->state) {
	case DENALI_VM_READY:
	case DENALI_VM_RUNNING:
		snprintf(buf, len, "%s", denali_state_name(vm->state));
		return;
	case DENALI_VM_STOPPED:
		break;
	default:
		snprintf(buf, len, "unknown state %u", vm->state);
		return;
	}

	switch (vm->stop_reason) {
	case DENALI_STOP_EXIT:
		snprintf(buf, len, "exit %d", vm->exit_status);
		break;
	case DENALI_STOP_HALT:
		snprintf(buf, len, "halted");
		break;
	case DENALI_STOP_CRASH:
		denali_copy_printable(desc, sizeof(desc), vm->crash_description,
				      sizeof(vm->crash_description));
		snprintf(buf, len, "crashed: %s", desc[0] ? desc :
			 denali_crash_cause_name(vm->crash_cause));
		break;
	case DENALI_STOP_DESTROYED:
		snprintf(buf, len, "destroyed");
		break;
	default:
		snprintf(buf, len, "stopped (reason %u)", vm->stop_reason);
		break;
	}
}

static const char * const exit_kind_names[] = {
	[DENALI_EXITK_HYPERCALL] = "hypercall",
	[DENALI_EXITK_INTERRUPT] = "interrupt",
	[DENALI_EXITK_NMI] = "nmi",
	[DENALI_EXITK_MCE] = "mce",
	[DENALI_EXITK_FAULT] = "fault",
	[DENALI_EXITK_ABORTED] = "aborted",
	[DENALI_EXITK_KICK] = "kick",
};

const char *denali_exit_kind_name(unsigned int kind)
{
	if (kind >= ARRAY_SIZE(exit_kind_names))
		return NULL;
	return exit_kind_names[kind];
}

static const char * const hypercall_names[] = {
	[DENALI_HC_RESERVED] = "reserved",
	[DENALI_HC_EXIT] = "exit",
	[DENALI_HC_CONSOLE_WRITE] = "console_write",
	[DENALI_HC_NULL] = "null",
	[DENALI_HC_IDLE] = "idle",
	[DENALI_HC_UPCALL_RETURN] = "upcall_return",
	[DENALI_HC_CONSOLE_READ] = "console_read",
	[DENALI_HC_TIME] = "time",
};

const char *denali_hypercall_name(unsigned int nr)
{
	if (nr >= ARRAY_SIZE(hypercall_names))
		return NULL;
	return hypercall_names[nr];
}

/* One "label value" line of `stats`, values lined up in one column. */
static void stat_line(FILE *out, const char *label, unsigned long long v)
{
	fprintf(out, "%-20s %llu\n", label, v);
}

void denali_print_stats(FILE *out, const char *name, unsigned int id,
			const struct denali_stats *st)
{
	unsigned long long sum = 0;
	char label[40];
	unsigned int i;

	fprintf(out, "VM %s (id %u)\n", name, id);
	stat_line(out, "runs", st->runs);

	for (i = 0; i < DENALI_EXIT_KINDS; i++)
		sum += st->exits[i];
	stat_line(out, "exits", sum);
	for (i = 0; i < DENALI_EXIT_KINDS; i++) {
		const char *kind = denali_exit_kind_name(i);

		/* A kind added after this tool was built: only if seen. */
		if (!kind && !st->exits[i])
			continue;
		if (kind)
			snprintf(label, sizeof(label), "  %s", kind);
		else
			snprintf(label, sizeof(label), "  kind %u", i);
		stat_line(out, label, st->exits[i]);
	}

	sum = 0;
	for (i = 0; i < DENALI_STATS_HYPERCALLS; i++)
		sum += st->hypercalls[i];
	stat_line(out, "hypercalls", sum);
	for (i = 0; i < DENALI_STATS_HYPERCALLS; i++) {
		const char *hc = denali_hypercall_name(i);

		/* Named calls always; the reserved 0 and the rest if made. */
		if ((!hc || i == DENALI_HC_RESERVED) && !st->hypercalls[i])
			continue;
		if (i == DENALI_STATS_HYPERCALLS - 1)
			snprintf(label, sizeof(label), "  %u+", i);
		else if (hc)
			snprintf(label, sizeof(label), "  %s (%u)", hc, i);
		else
			snprintf(label, sizeof(label), "  %u", i);
		stat_line(out, label, st->hypercalls[i]);
	}

	fprintf(out, "%-20s %llu.%09llu s\n", "guest time",
		(unsigned long long)st->guest_ns / 1000000000ull,
		(unsigned long long)st->guest_ns % 1000000000ull);
	stat_line(out, "console bytes", st->console_bytes);
	stat_line(out, "console dropped", st->console_dropped);
	stat_line(out, "upcalls", st->upcalls);
	stat_line(out, "idle sleeps", st->idle_sleeps);
	stat_line(out, "irqs raised", st->irqs_raised);
}
