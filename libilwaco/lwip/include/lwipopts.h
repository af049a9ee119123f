/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's configuration for Denali guests: NO_SYS=0 with core locking on
 * libilwaco's cooperative threads, IPv4 with ARP, ICMP, UDP and TCP,
 * sized for a 12 MB VM (the budget is in docs/TCPIP.md).
 *
 * What matters most, and why:
 *   - Core locking: a socket call takes the core lock and runs lwIP
 *     itself, instead of posting a message to the tcpip thread and
 *     waiting: on one virtual CPU that saves two thread switches per
 *     call.  Received frames are handed to lwIP under the same lock by
 *     the NIC thread (netif.c).
 *   - Our own timers (LWIP_TIMERS_CUSTOM, timeouts.c): nothing ticks
 *     while nothing is due, so an idle VM makes no exit.
 *   - Memory from musl's malloc (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC), at
 *     most half the VM's (sys_arch.c): the image carries no pools, a
 *     small --mem still boots, and when memory runs out lwIP sees NULL
 *     and refuses connections or drops frames instead of the VM
 *     failing.
 *   - musl's socket headers (LWIP_SOCKET_EXTERNAL_HEADERS): the
 *     structures and constants a program compiles against are the
 *     ones lwip_* use, so Linux system calls go straight to them.
 */
#ifndef ILWACO_LWIPOPTS_H
#define ILWACO_LWIPOPTS_H

/* The operating system: threads, and our timers. */
#define NO_SYS				0
#define LWIP_TCPIP_CORE_LOCKING		1
#define LWIP_TCPIP_CORE_LOCKING_INPUT	1
#define LWIP_TIMERS			1
#define LWIP_TIMERS_CUSTOM		1
#define SYS_LIGHTWEIGHT_PROT		1
#define TCPIP_MBOX_SIZE			64
#define TCPIP_THREAD_STACKSIZE		16384
#define DEFAULT_THREAD_STACKSIZE	16384
#define DEFAULT_RAW_RECVMBOX_SIZE	32
#define DEFAULT_UDP_RECVMBOX_SIZE	64
#define DEFAULT_TCP_RECVMBOX_SIZE	64
#define DEFAULT_ACCEPTMBOX_SIZE		256
#define LWIP_NETCONN_SEM_PER_THREAD	1
#define LWIP_NETCONN_FULLDUPLEX		1

/* Memory: musl's malloc for everything (see above). */
#define MEM_LIBC_MALLOC			1
#define MEMP_MEM_MALLOC			1
#define MEM_ALIGNMENT			8
#define mem_clib_malloc			ilwaco_lwip_malloc	/* sys_arch.c */
#define mem_clib_calloc			ilwaco_lwip_calloc
#define mem_clib_free			ilwaco_lwip_free
#include <stddef.h>
void *ilwaco_lwip_malloc(size_t n);
void *ilwaco_lwip_calloc(size_t count, size_t size);
void ilwaco_lwip_free(void *p);
#define MEMP_NUM_TCP_SEG		1024
#define MEMP_NUM_NETCONN		512	/* the most sockets open at once */
#define PBUF_POOL_SIZE			64	/* only a bound: pools are malloc'd */

/* Protocols. */
#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ARP			1
#define LWIP_ETHERNET			1
#define ARP_QUEUEING			1
#define LWIP_ICMP			1
#define LWIP_RAW			0
#define LWIP_UDP			1
#define LWIP_TCP			1
#define LWIP_DHCP			1
#define LWIP_DHCP_DOES_ACD_CHECK	0
#define DHCP_DOES_ARP_CHECK		0
#define LWIP_AUTOIP			0
#define LWIP_IGMP			0
#define LWIP_DNS			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define LWIP_NETIF_STATUS_CALLBACK	0
#define LWIP_NETIF_LINK_CALLBACK	0
#define LWIP_SINGLE_NETIF		0

/*
 * TCP tuned for throughput in a 12 MB VM: a 1460-byte MSS (1500-byte
 * MTU), a 128 KB receive window with window scaling (shift 2), and as
 * much unsent data per connection.  The windows are what a connection
 * may hold, not what it takes: memory is allocated as data arrives.
 */
#define TCP_MSS				1460
#define LWIP_WND_SCALE			1
#define TCP_RCV_SCALE			2
#define TCP_WND				(128 * 1024)
#define TCP_SND_BUF			(128 * 1024)
#define TCP_SND_QUEUELEN		((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_SNDLOWAT			(32 * 1024)	/* writable again below this */
#define TCP_QUEUE_OOSEQ			1
#define TCP_LISTEN_BACKLOG		1
#define TCP_DEFAULT_LISTEN_BACKLOG	128
#define LWIP_TCP_KEEPALIVE		1
#define TCP_OVERSIZE			TCP_MSS
/*
 * TIME_WAIT lasts 2 * TCP_MSL: 2 s, not lwIP's 2 minutes, during which
 * the TCP timer would tick 4 times a second in an otherwise idle VM.
 * A guest on a bridge sees no segment live for a minute.
 */
#define TCP_MSL				1000UL

/* Sockets: Linux's numbers and musl's structures. */
#define LWIP_SOCKET			1
#define LWIP_NETCONN			1
#define LWIP_SOCKET_SELECT		1
#define LWIP_SOCKET_POLL		1
#define LWIP_COMPAT_SOCKETS		0
#define LWIP_POSIX_SOCKETS_IO_NAMES	0
#define LWIP_SOCKET_EXTERNAL_HEADERS	1
#define LWIP_SOCKET_EXTERNAL_HEADER_SOCKETS_H	"ilwaco_lwip_sockets.h"
#define LWIP_SOCKET_EXTERNAL_HEADER_INET_H	"ilwaco_lwip_inet.h"
#define LWIP_SOCKET_OFFSET		128	/* below: console, files, epoll */
#define LWIP_SO_RCVTIMEO		1
#define LWIP_SO_SNDTIMEO		1
#define LWIP_SO_RCVBUF			1
#define LWIP_SO_LINGER			1
#define SO_REUSE			1
#define LWIP_TCP_CLOSE_TIMEOUT_MS_DEFAULT 5000
#define LWIP_ERRNO_STDINCLUDE		1
#define LWIP_NETIF_API			0
#define LWIP_NETBUF_RECVINFO		0

/* Checksums in C, no statistics, no debug output. */
#define LWIP_CHKSUM_ALGORITHM		3
#define LWIP_STATS			0
#define LWIP_STATS_DISPLAY		0

/* Initial sequence numbers and ports (sys_arch.c). */
#define LWIP_RAND()			ilwaco_lwip_rand()
unsigned int ilwaco_lwip_rand(void);

/* Pollers of socket state are told of every event (sockets.c). */
void ilwaco_sock_event(void);

/* TCP's timer runs while connections need it (timeouts.c). */
#define LWIP_NETCONN_THREAD_SEM_GET()	ilwaco_lwip_thread_sem()
#define LWIP_NETCONN_THREAD_SEM_ALLOC()	ilwaco_lwip_thread_sem()
#define LWIP_NETCONN_THREAD_SEM_FREE()	do { } while (0)

#endif /* ILWACO_LWIPOPTS_H */
