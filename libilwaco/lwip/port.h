/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of libilwaco's lwIP port share (not for programs).
 */
#ifndef ILWACO_LWIP_PORT_H
#define ILWACO_LWIP_PORT_H

#include "lwip/netif.h"

/* timeouts.c: the on-demand timers. */
void ilwaco_timers_init(void);
void ilwaco_timers_arp_request(void);
void ilwaco_timers_fragment(void);
void ilwaco_timers_dhcp(void);
void ilwaco_timers_wakeup(void);

/* netif.c: the NIC as an lwIP interface, and its receive thread. */
err_t ilwaco_netif_init(struct netif *netif);
void ilwaco_netif_start(struct netif *netif);
void ilwaco_netif_flush(void);

/* libilwaco's start.c: the VM's memory size. */
extern unsigned long ilwaco_mem_size;

/* sys_arch.c */
#define ILWACO_LWIP_SMALL_FRAME	128	/* ARP, and TCP's control segments */
int ilwaco_lwip_rx_allowed(unsigned int len);
void ilwaco_lwip_oom(const char *what);
void ilwaco_lwip_assert(const char *msg, const char *file, int line);

#endif /* ILWACO_LWIP_PORT_H */
