// SPDX-License-Identifier: GPL-2.0
/*
 * The network's start, before main() (ilwaco_net_start, called by
 * libilwaco-posix when this library is linked): lwIP and its tcpip
 * thread, the VM's first NIC as the default interface, its address
 * from the boot arguments, and the NIC thread.
 *
 * Boot arguments (what `denalictl create IMAGE -- ARGS` passes; they
 * are taken out of main()'s argv before main() runs, process.c):
 *   ip=A.B.C.D/N    a static address and prefix length (N: 1-32,
 *                   default 24 if "/N" is left out)
 *   gw=A.B.C.D      the default gateway (static addresses only)
 *   ip=dhcp         ask a DHCP server; main() runs once an address is
 *                   bound, or after DHCP_WAIT_S seconds without one
 *                   (DHCP carries on in the background)
 * With no ip= the interface is up without an address.  A malformed
 * value ends the VM with a message (exit status 2), as a program would
 * for a bad command line: a VM on the wrong address is worse.
 *
 * One line on the console tells what came up:
 *   "net: en0 52:54:00:12:34:56 10.0.0.2/24 gw 10.0.0.1"
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ilwaco/vregs.h>
#include <ilwaco/net.h>
#include <ilwaco/posix.h>

#include "lwip/opt.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "port.h"

#define DHCP_WAIT_S	10

static struct netif netif;

/* The value of boot argument "@key=", or NULL (the last one given wins). */
static const char *boot_arg(const char *key)
{
	__auto_type ro = ILWACO_VREGS_RO;
	static char args[DENALI_ARGS_MAX + 1];
	unsigned int len = ro->args_len, i, n = strlen(key);
	const char *found = NULL;

	if (len > DENALI_ARGS_MAX)
		len = DENALI_ARGS_MAX;
	for (i = 0; i < len; i++)
		args[i] = ro->args[i];
	args[len] = '\0';
	for (i = 0; i < len; i += strlen(args + i) + 1)
		if (!strncmp(args + i, key, n) && args[i + n] == '=')
			found = args + i + n + 1;
	return found;
}

static _Noreturn void bad_arg(const char *what, const char *value)
{
	fprintf(stderr, "net: bad boot argument %s=%s\n", what, value);
	exit(2);
}

/* A dotted quad, strictly (inet_pton's rules: no octal, no short forms). */
static void parse_addr(const char *key, const char *s, ip4_addr_t *addr)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		bad_arg(key, s);
	ip4_addr_set_u32(addr, in.s_addr);
}

static void print_up(void)
{
	const u8_t *m = netif.hwaddr;
	char ip[16], gw[16];
	u32_t mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&netif)));
	int prefix = __builtin_popcount(mask);

	ip4addr_ntoa_r(netif_ip4_addr(&netif), ip, sizeof(ip));
	ip4addr_ntoa_r(netif_ip4_gw(&netif), gw, sizeof(gw));
	printf("net: en0 %02x:%02x:%02x:%02x:%02x:%02x %s/%d gw %s\n",
	       m[0], m[1], m[2], m[3], m[4], m[5], ip, prefix, gw);
	fflush(stdout);
}

void ilwaco_net_start(void)
{
	const char *ip = boot_arg("ip"), *gw = boot_arg("gw");
	ip4_addr_t addr, mask, gateway;
	int dhcp = ip && !strcmp(ip, "dhcp"), i;

	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gateway);
	if (ip && !dhcp) {
		char buf[32], *slash, *end;
		long prefix = 24;

		if (strlen(ip) >= sizeof(buf))
			bad_arg("ip", ip);
		strcpy(buf, ip);
		slash = strchr(buf, '/');
		if (slash) {
			*slash = '\0';
			prefix = strtol(slash + 1, &end, 10);
			if (*end || end == slash + 1 || prefix < 1 || prefix > 32)
				bad_arg("ip", ip);
		}
		parse_addr("ip", buf, &addr);
		ip4_addr_set_u32(&mask, lwip_htonl(~0u << (32 - prefix)));
	}
	if (gw) {
		if (dhcp || !ip)
			bad_arg("gw", "(needs a static ip=)");
		parse_addr("gw", gw, &gateway);
	}

	tcpip_init(NULL, NULL);
	if (!ilwaco_nic_count()) {
		if (ip)
			printf("net: no NIC: ip=%s ignored\n", ip);
		return;
	}
	LOCK_TCPIP_CORE();
	ilwaco_timers_init();
	if (!netif_add(&netif, &addr, &mask, &gateway, NULL,
		       ilwaco_netif_init, ethernet_input)) {
		UNLOCK_TCPIP_CORE();
		printf("net: the NIC could not be set up\n");
		return;
	}
	netif_set_default(&netif);
	netif_set_link_up(&netif);
	netif_set_up(&netif);
	if (dhcp) {
		dhcp_start(&netif);
		ilwaco_timers_dhcp();
	}
	UNLOCK_TCPIP_CORE();
	ilwaco_netif_start(&netif);

	for (i = 0; dhcp && i < DHCP_WAIT_S * 10; i++) {
		struct timespec ts = { 0, 100000000 };

		if (dhcp_supplied_address(&netif))
			break;
		nanosleep(&ts, NULL);
	}
	if (ip || dhcp)
		print_up();
}
