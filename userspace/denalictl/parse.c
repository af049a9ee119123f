// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line value parsing for denalictl; see parse.h.
 *
 * parse_size() is hand-written rather than built on strtoull() because
 * strtoull() accepts what a size must not be: leading spaces, a sign
 * ("-1" silently becomes 2^64 - 1), and hex or octal prefixes; and it
 * reports overflow only through errno.  The numbers of `irq` are read
 * the same way, for the same reasons.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "uapi/denali.h"

int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v = 0, mult = 1;
	bool too_big = false;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		/*
		 * Keep reading digits after an overflow: the syntax is
		 * checked in full first, so "99999999999999999999x" is
		 * malformed (-EINVAL), not too large.
		 */
		if (v > (DENALICTL_SIZE_MAX - (*p - '0')) / 10)
			too_big = true;
		else
			v = v * 10 + (*p - '0');
	}
	if (p == s)
		return -EINVAL;		/* no digits: sign, space, letter */

	switch (*p) {
	case 'K': case 'k':
		mult = 1ull << 10;
		p++;
		break;
	case 'M': case 'm':
		mult = 1ull << 20;
		p++;
		break;
	case 'G': case 'g':
		mult = 1ull << 30;
		p++;
		break;
	}
	if (*p)
		return -EINVAL;		/* junk after the number or suffix */

	if (too_big || v > DENALICTL_SIZE_MAX / mult)
		return -ERANGE;
	if (!v)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

bool valid_vm_name(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strlen(name);
	if (len < 1 || len > DENALI_NAME_MAX - 1)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

int pack_boot_args(int argc, char * const *argv, char *buf, size_t size,
		   size_t *len)
{
	size_t need = 0, n;
	int i;

	/*
	 * Count first, saturating rather than wrapping, so that nothing is
	 * written unless everything fits.
	 */
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		need = need > SIZE_MAX - n ? SIZE_MAX : need + n;
	}
	*len = need;
	if (need > size)
		return -E2BIG;
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		memcpy(buf, argv[i], n);
		buf += n;
	}
	return 0;
}

size_t console_escape_at(const char *buf, size_t len)
{
	const char *esc = memchr(buf, CONSOLE_ESCAPE, len);

	return esc ? (size_t)(esc - buf) : len;
}

/* One line number, 0 to 15, as digits alone; -1 if it is not one. */
static int user_irq_line(const char *s)
{
	unsigned int v = 0;
	const char *p;

	if (!*s)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > 15)
			return -1;
	}
	return v;
}

int parse_user_irqs(int argc, char * const *argv, unsigned long long *bits,
		    int *bad)
{
	unsigned long long b = 0;
	int i, line;

	if (argc < 1) {
		*bad = 0;
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		line = user_irq_line(argv[i]);
		if (line < 0) {
			*bad = i;
			return -EINVAL;
		}
		b |= DENALI_IRQ_USER(line);
	}
	*bits = b;
	return 0;
}

/* An interface name as Linux takes it: 1 to 15 bytes, no '/', ':' or space. */
static bool valid_ifname(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n >= 16 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]))
			return false;
	return true;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	/* Unicast, and not all zero. */
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
			      mac[5]))
		return -EINVAL;
	return 0;
}

int parse_nic_spec(const char *spec, struct nic_spec *out, char *err,
		   size_t errlen)
{
	char buf[128], *save = NULL, *item, *value;
	bool seen_bridge = false, seen_ifname = false, seen_switch = false;

	memset(out, 0, sizeof(*out));
	if (!strcmp(spec, "default"))
		return 0;
	if (!*spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not a NIC: give bridge=, ifname=, mac= or switch= (or 'default')",
			 spec);
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		value = strchr(item, '=');
		if (!value) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE", item);
			return -EINVAL;
		}
		*value++ = '\0';
		if (!strcmp(item, "bridge") && !seen_bridge) {
			if (!valid_ifname(value)) {
				snprintf(err, errlen, "bridge '%s' is not an interface name",
					 value);
				return -EINVAL;
			}
			strcpy(out->bridge, value);
			seen_bridge = true;
		} else if (!strcmp(item, "ifname") && !seen_ifname) {
			if (!valid_ifname(value)) {
				snprintf(err, errlen, "ifname '%s' is not an interface name (1 to 15 characters, no '/', ':' or space)",
					 value);
				return -EINVAL;
			}
			strcpy(out->ifname, value);
			seen_ifname = true;
		} else if (!strcmp(item, "switch") && !seen_switch) {
			if (!valid_ifname(value)) {
				snprintf(err, errlen, "switch '%s' is not an interface name (1 to 15 characters, no '/', ':' or space)",
					 value);
				return -EINVAL;
			}
			strcpy(out->sw, value);
			seen_switch = true;
		} else if (!strcmp(item, "mac") && !out->has_mac) {
			if (parse_mac(value, out->mac)) {
				snprintf(err, errlen, "mac '%s' is not a unicast MAC address (XX:XX:XX:XX:XX:XX)",
					 value);
				return -EINVAL;
			}
			out->has_mac = true;
		} else {
			snprintf(err, errlen, "'%s': unknown or repeated key (bridge, ifname, mac, switch)",
				 item);
			return -EINVAL;
		}
	}
	if (seen_switch && (seen_bridge || seen_ifname)) {
		snprintf(err, errlen, "switch= takes neither bridge= nor ifname=: a switch port has no interface of its own (its switch's uplink '%s' has)",
			 out->sw);
		return -EINVAL;
	}
	return 0;
}

/*
 * A decimal number without sign or leading zero, at most UINT_MAX, at
 * *@s; moves *@s past it.  0 or -EINVAL.
 */
static int bus_number(const char **s, unsigned int *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > 0xffffffffull)
			return -EINVAL;
	}
	*out = v;
	*s = p;
	return 0;
}

int parse_nic_bus_info(const char *bus, unsigned int *vm_id,
		       unsigned int *index)
{
	unsigned int vm, nic;

	if (!bus || strncmp(bus, "vm", 2))
		return -EINVAL;
	bus += 2;
	if (bus_number(&bus, &vm) || strncmp(bus, "/nic", 4))
		return -EINVAL;
	bus += 4;
	if (bus_number(&bus, &nic) || *bus)
		return -EINVAL;
	*vm_id = vm;
	*index = nic;
	return 0;
}
