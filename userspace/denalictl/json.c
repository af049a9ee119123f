// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output for denalictl; see json.h.
 *
 * Written by hand rather than with a library: the output is a handful
 * of flat objects, and the one subtle part, turning arbitrary bytes into
 * a valid JSON string, is exactly what has to be under test here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "json.h"

/*
 * The length (2 to 4) of the well-formed UTF-8 sequence at @s, which has
 * @n bytes left, or 0 if the bytes there are not one.  The rules are
 * RFC 3629's: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;	/* ASCII, a continuation byte, 0xc0/0xc1, 0xf5+ */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void json_write_string(FILE *out, const char *s, size_t maxlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, seq;

	if (!s) {
		fputs("null", out);
		return;
	}
	n = strnlen(s, maxlen);
	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '"':
			fputs("\\\"", out);
			continue;
		case '\\':
			fputs("\\\\", out);
			continue;
		case '\b':
			fputs("\\b", out);
			continue;
		case '\f':
			fputs("\\f", out);
			continue;
		case '\n':
			fputs("\\n", out);
			continue;
		case '\r':
			fputs("\\r", out);
			continue;
		case '\t':
			fputs("\\t", out);
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, out);
		} else {
			seq = utf8_sequence(p + i, n - i);
			if (seq) {
				fwrite(p + i, 1, seq, out);
				i += seq - 1;
			} else {
				fputs("\\ufffd", out);
			}
		}
	}
	fputc('"', out);
}

void json_print_vm(FILE *out, const struct denali_vm_info *vm,
		   const char *owner, const struct denali_nic_view *nics,
		   size_t n)
{
	char status[DENALI_STATUS_TEXT];
	bool first = true;
	size_t i;

	denali_format_status(vm, status, sizeof(status));
	fprintf(out, "{\"id\": %u, \"name\": ", vm->id);
	json_write_string(out, vm->name, sizeof(vm->name));
	fprintf(out,
		", \"state\": %u, \"mem_size\": %llu, \"owner_uid\": %u, \"runner_pid\": %d",
		vm->state, (unsigned long long)vm->mem_size, vm->owner_uid,
		vm->runner_pid);
	fprintf(out,
		", \"stop_reason\": %u, \"exit_status\": %d, \"crash_cause\": %u, \"crash_vector\": %u",
		vm->stop_reason, vm->exit_status, vm->crash_cause,
		vm->crash_vector);
	fputs(", \"crash_description\": ", out);
	json_write_string(out, vm->crash_description,
			  sizeof(vm->crash_description));
	fputs(", \"state_name\": ", out);
	json_write_string(out, denali_state_name(vm->state), SIZE_MAX);
	fputs(", \"status\": ", out);
	json_write_string(out, status, sizeof(status));
	fputs(", \"owner\": ", out);
	json_write_string(out, owner, SIZE_MAX);
	fprintf(out, ", \"resident_pages\": %llu, \"shared_pages\": %llu, \"host_bytes\": %llu",
		(unsigned long long)vm->resident_pages,
		(unsigned long long)vm->shared_pages,
		(unsigned long long)vm->host_bytes);
	fputs(", \"nics\": [", out);
	for (i = 0; i < n; i++) {
		if (nics[i].vm_id != vm->id)
			continue;
		fputs(first ? "" : ", ", out);
		json_write_string(out, nics[i].ifname, sizeof(nics[i].ifname));
		first = false;
	}
	fputs("]}", out);
}

/* One NIC of `stats -j`: its device counters, then ethtool's. */
static void json_nic(FILE *out, const struct denali_nic_view *nic)
{
	unsigned int i;

	/* A switch port has no interface: its switch's name instead. */
	fprintf(out, "{\"nic\": %u, \"%s\": ", nic->index,
		nic->switch_port ? "switch" : "ifname");
	json_write_string(out, nic->ifname, sizeof(nic->ifname));
	fprintf(out,
		", \"rx_packets\": %llu, \"rx_bytes\": %llu, \"rx_dropped\": %llu, \"tx_packets\": %llu, \"tx_bytes\": %llu, \"tx_dropped\": %llu, \"ethtool\": {",
		nic->rx_packets, nic->rx_bytes, nic->rx_dropped,
		nic->tx_packets, nic->tx_bytes, nic->tx_dropped);
	for (i = 0; i < nic->nkeys; i++) {
		fputs(i ? ", " : "", out);
		json_write_string(out, nic->keys[i], sizeof(nic->keys[i]));
		fprintf(out, ": %llu", nic->values[i]);
	}
	fputs("}}", out);
}

/* "exits": {"hypercall": N, ...}, every kind, by name where it has one. */
static void json_exits(FILE *out, const __u64 *exits)
{
	unsigned int i;

	for (i = 0; i < DENALI_EXIT_KINDS; i++) {
		const char *kind = denali_exit_kind_name(i);

		if (kind)
			fprintf(out, "%s\"%s\": %llu", i ? ", " : "", kind,
				(unsigned long long)exits[i]);
		else
			fprintf(out, "%s\"%u\": %llu", i ? ", " : "", i,
				(unsigned long long)exits[i]);
	}
}

/* "hypercalls": {"reserved": N, ...}, every number, the last as "15+". */
static void json_hypercalls(FILE *out, const __u64 *hcs)
{
	unsigned int i;

	for (i = 0; i < DENALI_STATS_HYPERCALLS; i++) {
		const char *hc = denali_hypercall_name(i);
		const char *sep = i ? ", " : "";

		if (i == DENALI_STATS_HYPERCALLS - 1)
			fprintf(out, "%s\"%u+\": ", sep, i);
		else if (hc)
			fprintf(out, "%s\"%s\": ", sep, hc);
		else
			fprintf(out, "%s\"%u\": ", sep, i);
		fprintf(out, "%llu", (unsigned long long)hcs[i]);
	}
}

void json_print_stats(FILE *out, const char *name, unsigned int id,
		      const struct denali_stats *st,
		      const struct denali_nic_view *nics, size_t n)
{
	size_t i;

	fprintf(out, "{\"id\": %u, \"name\": ", id);
	json_write_string(out, name, SIZE_MAX);
	for (i = 0; i < denali_stat_count; i++) {
		const struct denali_stat_desc *d = &denali_stat_descs[i];
		const __u64 *v = denali_stat_value(st, d);

		fprintf(out, ", \"%s\": ", d->key);
		switch (d->kind) {
		case DENALI_STAT_COUNT:
		case DENALI_STAT_NS:
			fprintf(out, "%llu", (unsigned long long)*v);
			break;
		case DENALI_STAT_EXITS:
			fputc('{', out);
			json_exits(out, v);
			fputc('}', out);
			break;
		case DENALI_STAT_HYPERCALLS:
			fputc('{', out);
			json_hypercalls(out, v);
			fputc('}', out);
			break;
		}
	}
	fputs(", \"nics\": [", out);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		json_nic(out, &nics[i]);
	}
	fputs("]}\n", out);
}
