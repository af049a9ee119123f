// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's first NIC as an lwIP interface: libilwaco's ring driver
 * (include/ilwaco/net.h) below lwIP's Ethernet layer.
 *
 * Receiving: one thread (the NIC thread) takes frames from the receive
 * ring, copies each into a pbuf and hands it to lwIP under the core
 * lock, a batch at a time; with nothing left it asks the monitor for
 * DENALI_IRQ_NET and blocks until the interrupt, so an idle NIC costs
 * nothing.  Copying lets the ring buffer go back to the monitor at
 * once, whatever lwIP keeps (out-of-order segments, unread data).
 *
 * Sending: linkoutput copies the frame into the next transmit buffer
 * and queues it; the batch goes out with one net_kick when the core
 * lock is released (ilwaco_netif_flush, from sys_mutex_unlock), i.e.
 * once per socket call or per batch of received frames, or earlier
 * when the ring fills.  The monitor copies frames out during the kick,
 * so after one every buffer is free again.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <ilwaco/vregs.h>
#include <ilwaco/net.h>
#include <ilwaco/posix.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "port.h"

#define RING		128	/* descriptors per ring */
#define BUF		1536	/* bytes per frame buffer: 1500 + header + VLAN */
#define BATCH		64	/* frames per turn before other threads run */

static struct ilwaco_nic nic;
static int nic_up;

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	unsigned char *buf;

	(void)netif;
	if (p->tot_len > BUF)
		return ERR_BUF;
	buf = ilwaco_net_tx_buf(&nic);
	if (!buf) {
		/* Every slot queued: send them, which frees them all. */
		ilwaco_net_kick(&nic);
		buf = ilwaco_net_tx_buf(&nic);
		if (!buf)
			return ERR_MEM;
	}
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	/*
	 * An ARP request of ours: pending entries need ARP's timer.  Not a
	 * gratuitous one (sender and target address the same), which
	 * announces our address and waits for nothing.
	 */
	if (p->tot_len >= 42 && buf[12] == 0x08 && buf[13] == 0x06 &&
	    buf[20] == 0 && buf[21] == 1 && memcmp(buf + 28, buf + 38, 4))
		ilwaco_timers_arp_request();
	ilwaco_net_queue(&nic, p->tot_len);
	return ERR_OK;
}

void ilwaco_netif_flush(void)
{
	if (nic_up && nic.tx_avail != nic.tx_kicked)
		ilwaco_net_kick(&nic);
}

err_t ilwaco_netif_init(struct netif *netif)
{
	unsigned int mtu = ilwaco_nic_mtu(0);
	size_t size = ilwaco_net_mem_size(RING, BUF);
	void *mem = aligned_alloc(64, (size + 63) & ~(size_t)63);

	if (!mem)
		return ERR_MEM;
	if (ilwaco_net_init(&nic, 0, RING, BUF, mem, size)) {
		free(mem);
		return ERR_IF;
	}
	nic_up = 1;
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = linkoutput;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	ilwaco_nic_mac(0, netif->hwaddr);
	netif->mtu = mtu && mtu <= BUF - 18 ? mtu : 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/*
 * Small frames when memory has run out: a few static buffers, wrapped
 * as pbufs, so that the frames that free memory (a peer's RST or FIN,
 * ACKs) still reach lwIP when nothing can be allocated.  Memory full
 * of data the program has not read could otherwise never take in the
 * RST that ends the connection holding it.
 */
#define SPARES	16

static struct spare {
	struct pbuf_custom pc;
	int busy;
	unsigned char data[ILWACO_LWIP_SMALL_FRAME];
} spares[SPARES];

static void spare_free(struct pbuf *p)
{
	((struct spare *)p)->busy = 0;
}

static struct pbuf *spare_pbuf(const unsigned char *frame, unsigned int len)
{
	unsigned int i;

	if (len > ILWACO_LWIP_SMALL_FRAME)
		return NULL;
	for (i = 0; i < SPARES; i++) {
		struct spare *sp = &spares[i];

		if (sp->busy)
			continue;
		sp->busy = 1;
		sp->pc.custom_free_function = spare_free;
		memcpy(sp->data, frame, len);
		return pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &sp->pc,
					   sp->data, sizeof(sp->data));
	}
	return NULL;
}

/* An IPv4 fragment? (reassembly's timer runs while any may be pending) */
static int is_fragment(const unsigned char *f, unsigned int len)
{
	return len >= 34 && f[12] == 0x08 && f[13] == 0x00 &&
	       ((f[20] & 0x3f) || f[21]);	/* MF, or an offset */
}

/* Hand up to BATCH received frames to lwIP; how many there were. */
static unsigned int receive(struct netif *netif)
{
	unsigned int n = 0, len;
	unsigned char *frame;
	struct pbuf *p;

	LOCK_TCPIP_CORE();
	ilwaco_timers_wakeup();
	while (n < BATCH && ilwaco_net_recv(&nic, &frame, &len)) {
		n++;
		/* Out of memory: the frame is dropped, as a NIC would. */
		p = ilwaco_lwip_rx_allowed(len) ?
		    pbuf_alloc(PBUF_RAW, len, PBUF_POOL) : NULL;
		if (p)
			pbuf_take(p, frame, len);
		else
			p = spare_pbuf(frame, len);
		if (p) {
			if (is_fragment(frame, len))
				ilwaco_timers_fragment();
			if (netif->input(p, netif) != ERR_OK)
				pbuf_free(p);
		}
		ilwaco_net_recv_done(&nic);
	}
	UNLOCK_TCPIP_CORE();
	return n;
}

static void *nic_thread(void *arg)
{
	struct netif *netif = arg;

	for (;;) {
		/* The bit first: a frame after this raises it again. */
		__atomic_and_fetch(&ILWACO_VREGS_RW->pending, ~DENALI_IRQ_NET,
				   __ATOMIC_SEQ_CST);
		if (receive(netif) == BATCH) {
			sched_yield();	/* let the readers run */
			continue;
		}
		if (!ilwaco_net_arm(&nic))
			ilwaco_thread_wait(DENALI_IRQ_NET, NULL, 0, ~0ul);
	}
	return NULL;
}

void ilwaco_netif_start(struct netif *netif)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 16384);
	if (pthread_create(&t, &attr, nic_thread, netif))
		ilwaco_lwip_assert("cannot start the NIC thread", __FILE__,
				   __LINE__);
	pthread_attr_destroy(&attr);
}
