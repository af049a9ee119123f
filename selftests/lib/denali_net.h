/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frames from the host's side of a NIC, for the suites that send them
 * (net_test, switch_test): an interface's counters, a packet socket on
 * it, a numbered test frame, the next frame of one EtherType.
 */
#ifndef DENALI_NET_H
#define DENALI_NET_H

#include <stdint.h>

/* The largest frame a test sends (no FCS), and room to receive one. */
#define DENALI_FRAME_MAX	1514
#define DENALI_FRAME_BUF	(DENALI_FRAME_MAX + 4)

/* /sys/class/net/@ifname/statistics/@name, or ~0 if it cannot be read. */
unsigned long long denali_if_counter(const char *ifname, const char *name);

/* A packet socket bound to @ifname (brought up first), all protocols. */
int denali_packet_socket(const char *ifname);

/*
 * A frame of @len bytes at @f: @dst, @src, EtherType @type, then a
 * payload every byte of which follows from its offset and @seed.
 */
void denali_make_frame(uint8_t *f, unsigned int len, const uint8_t dst[6],
		       const uint8_t src[6], unsigned int type,
		       unsigned int seed);

/*
 * The next incoming frame of EtherType @type on @s within @ms, into @buf
 * (DENALI_FRAME_BUF bytes); its length, 0 on timeout.
 */
int denali_recv_type(int s, uint8_t *buf, unsigned int type, int ms);

#endif /* DENALI_NET_H */
