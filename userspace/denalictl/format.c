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
	[DENALI_EXITK_DEMAND] = "demand",
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

/* The counters, from include/denali_stats.h. */
#define DENALI_STAT(field, label, kind, source)				\
	{								\
		#field, label, offsetof(struct denali_stats, field),	\
		sizeof(((struct denali_stats *)0)->field), DENALI_STAT_##kind, \
	},
const struct denali_stat_desc denali_stat_descs[] = {
#include "denali_stats.h"
};

const size_t denali_stat_count = ARRAY_SIZE(denali_stat_descs);

/* One "label value" line of `stats`, values lined up in one column. */
static void stat_line(FILE *out, const char *label, unsigned long long v)
{
	fprintf(out, "%-20s %llu\n", label, v);
}

/* The exits line, then one per kind: named kinds always, others if seen. */
static void print_exits(FILE *out, const char *label, const __u64 *exits)
{
	unsigned long long sum = 0;
	char line[40];
	unsigned int i;

	for (i = 0; i < DENALI_EXIT_KINDS; i++)
		sum += exits[i];
	stat_line(out, label, sum);
	for (i = 0; i < DENALI_EXIT_KINDS; i++) {
		const char *kind = denali_exit_kind_name(i);

		/* A kind added after this tool was built: only if seen. */
		if (!kind && !exits[i])
			continue;
		if (kind)
			snprintf(line, sizeof(line), "  %s", kind);
		else
			snprintf(line, sizeof(line), "  kind %u", i);
		stat_line(out, line, exits[i]);
	}
}

/* The hypercalls line, then one per named call, and others if made. */
static void print_hypercalls(FILE *out, const char *label, const __u64 *hcs)
{
	unsigned long long sum = 0;
	char line[40];
	unsigned int i;

	for (i = 0; i < DENALI_STATS_HYPERCALLS; i++)
		sum += hcs[i];
	stat_line(out, label, sum);
	for (i = 0; i < DENALI_STATS_HYPERCALLS; i++) {
		const char *hc = denali_hypercall_name(i);

		/* Named calls always; the reserved 0 and the rest if made. */
		if ((!hc || i == DENALI_HC_RESERVED) && !hcs[i])
			continue;
		if (i == DENALI_STATS_HYPERCALLS - 1)
			snprintf(line, sizeof(line), "  %u+", i);
		else if (hc)
			snprintf(line, sizeof(line), "  %s (%u)", hc, i);
		else
			snprintf(line, sizeof(line), "  %u", i);
		stat_line(out, line, hcs[i]);
	}
}

void denali_print_stats(FILE *out, const char *name, unsigned int id,
			const struct denali_stats *st)
{
	size_t i;

	fprintf(out, "VM %s (id %u)\n", name, id);
	for (i = 0; i < denali_stat_count; i++) {
		const struct denali_stat_desc *d = &denali_stat_descs[i];
		const __u64 *v = denali_stat_value(st, d);

		switch (d->kind) {
		case DENALI_STAT_COUNT:
			stat_line(out, d->label, *v);
			break;
		case DENALI_STAT_NS:
			fprintf(out, "%-20s %llu.%09llu s\n", d->label,
				(unsigned long long)*v / 1000000000ull,
				(unsigned long long)*v % 1000000000ull);
			break;
		case DENALI_STAT_EXITS:
			print_exits(out, d->label, v);
			break;
		case DENALI_STAT_HYPERCALLS:
			print_hypercalls(out, d->label, v);
			break;
		}
	}
}

void denali_format_nics(const struct denali_nic_view *nics, size_t n,
			unsigned int vm_id, char *buf, size_t len)
{
	char name[DENALI_IFNAME_MAX];
	size_t i, used = 0, w;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (nics[i].vm_id != vm_id)
			continue;
		denali_copy_printable(name, sizeof(name), nics[i].ifname,
				      sizeof(nics[i].ifname));
		w = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     name);
		if (used + w >= len) {
			/* Cut: say so rather than show a wrong name. */
			if (len > 4)
				snprintf(buf + len - 4, 4, "...");
			return;
		}
		used += w;
	}
	if (!used)
		snprintf(buf, len, "-");
}

void denali_print_nic_stats(FILE *out, const struct denali_nic_view *nic)
{
	char name[DENALI_IFNAME_MAX], key[DENALI_NIC_KEY_MAX];
	unsigned int i;

	denali_copy_printable(name, sizeof(name), nic->ifname,
			      sizeof(nic->ifname));
	fprintf(out, "NIC %u %s%s (rx: from the guest, tx: to the guest)\n",
		nic->index, nic->switch_port ? "port of switch " : "", name);
	stat_line(out, "rx packets", nic->rx_packets);
	stat_line(out, "rx bytes", nic->rx_bytes);
	stat_line(out, "rx dropped", nic->rx_dropped);
	stat_line(out, "tx packets", nic->tx_packets);
	stat_line(out, "tx bytes", nic->tx_bytes);
	stat_line(out, "tx dropped", nic->tx_dropped);
	for (i = 0; i < nic->nkeys; i++) {
		denali_copy_printable(key, sizeof(key), nic->keys[i],
				      sizeof(nic->keys[i]));
		stat_line(out, key, nic->values[i]);
	}
}
