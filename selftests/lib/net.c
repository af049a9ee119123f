// SPDX-License-Identifier: GPL-2.0
/* Frames from the host's side of a NIC: see denali_net.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "denali_net.h"
#include "denali_util.h"

unsigned long long denali_if_counter(const char *ifname, const char *name)
{
	char path[256];
	unsigned long long v = ~0ull;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
		 ifname, name);
	f = fopen(path, "r");
	if (!f)
		return ~0ull;
	if (fscanf(f, "%llu", &v) != 1)
		v = ~0ull;
	fclose(f);
	return v;
}

int denali_packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int s;

	if (denali_sh("ip link set dev %s up", ifname))
		return -EIO;
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (s < 0)
		return -errno;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(s, (void *)&sll, sizeof(sll))) {
		close(s);
		return -ENODEV;
	}
	return s;
}

void denali_make_frame(uint8_t *f, unsigned int len, const uint8_t dst[6],
		       const uint8_t src[6], unsigned int type,
		       unsigned int seed)
{
	unsigned int i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = type >> 8;
	f[13] = type;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed);
}

int denali_recv_type(int s, uint8_t *buf, unsigned int type, int ms)
{
	struct sockaddr_ll from;
	socklen_t fl;
	struct pollfd p = { .fd = s, .events = POLLIN };
	ssize_t n;

	/* Frames this host sent out on the socket's interface are skipped. */
	while (poll(&p, 1, ms) == 1) {
		fl = sizeof(from);
		n = recvfrom(s, buf, DENALI_FRAME_BUF, 0, (void *)&from, &fl);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (((buf[12] << 8) | buf[13]) == type)
			return n;
	}
	return 0;
}
