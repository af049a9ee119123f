/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's inet.h replaced by musl's (LWIP_SOCKET_EXTERNAL_HEADERS): the
 * address structures are musl's, so lwIP only needs the two
 * conversions between its ip4_addr_t and musl's struct in_addr, which
 * hold the same 32 bits in network order.
 */
#ifndef ILWACO_LWIP_INET_H
#define ILWACO_LWIP_INET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <poll.h>
#include <net/if.h>

#define inet_addr_from_ip4addr(in, ip4) ((in)->s_addr = ip4_addr_get_u32(ip4))
#define inet_addr_to_ip4addr(ip4, in)	ip4_addr_set_u32(ip4, (in)->s_addr)

#endif /* ILWACO_LWIP_INET_H */
