/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NIC driver: the guest's half of the ring protocol of docs/ABI.md
 * ("The virtual NIC").  A NIC is set up once over memory the caller
 * gives; then frames are received in place from the receive ring and
 * handed back, and written in place into transmit buffers and sent in
 * batches (one kick for any number of frames).  No interrupt is taken
 * while the caller keeps polling; ilwaco_net_arm() asks for one before
 * the caller idles.  Not thread-safe: one caller per NIC.
 */
#ifndef _ILWACO_NET_H
#define _ILWACO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/denali_guest.h"

/* One NIC's driver state; set up by ilwaco_net_init(). */
struct ilwaco_nic {
	unsigned int index;
	unsigned int size;		/* descriptors per ring */
	unsigned int buf_size;		/* bytes per frame buffer */
	struct denali_net_ring *tx, *rx;
	unsigned char *tx_bufs, *rx_bufs;
	uint32_t tx_avail;		/* frames queued, ever */
	uint32_t tx_kicked;		/* ... of which handed to a kick */
	uint32_t rx_seen;		/* frames received, ever */
};

/* How many NICs the VM has, and NIC @index's MAC and current MTU. */
unsigned int ilwaco_nic_count(void);
void ilwaco_nic_mac(unsigned int index, uint8_t mac[6]);
unsigned int ilwaco_nic_mtu(unsigned int index);

/* Bytes of memory ilwaco_net_init() needs for @ring_size and @buf_size. */
size_t ilwaco_net_mem_size(unsigned int ring_size, unsigned int buf_size);

/*
 * Set up NIC @index with rings of @ring_size (a power of two) and frame
 * buffers of @buf_size bytes (at least mtu + DENALI_NET_HLEN to take
 * every frame), carved from @mem (64-byte aligned, @mem_len bytes, at
 * least ilwaco_net_mem_size()); every receive buffer is posted.  0, or a
 * negative errno (the net_setup hypercall's, or -EINVAL for bad sizes).
 */
int ilwaco_net_init(struct ilwaco_nic *nic, unsigned int index,
		    unsigned int ring_size, unsigned int buf_size, void *mem,
		    size_t mem_len);

/*
 * The next received frame, in place: 1 with @frame and @len set, 0 when
 * none has arrived.  The buffer stays the caller's until
 * ilwaco_net_recv_done(), which posts it again.
 */
int ilwaco_net_recv(struct ilwaco_nic *nic, unsigned char **frame,
		    unsigned int *len);
void ilwaco_net_recv_done(struct ilwaco_nic *nic);

/*
 * A buffer for the next frame to send (buf_size bytes), or NULL while
 * every transmit slot is still the monitor's; ilwaco_net_queue() queues
 * it with @len bytes, ilwaco_net_kick() sends every frame queued (so do
 * idle and exit).  ilwaco_net_kick() returns the monitor's count.
 */
unsigned char *ilwaco_net_tx_buf(struct ilwaco_nic *nic);
void ilwaco_net_queue(struct ilwaco_nic *nic, unsigned int len);
long ilwaco_net_kick(struct ilwaco_nic *nic);

/*
 * Ask for DENALI_IRQ_NET when the next frame arrives; returns 1 if one
 * has arrived meanwhile (then no interrupt may come: receive it), 0 if
 * the caller may idle until the interrupt.
 */
int ilwaco_net_arm(struct ilwaco_nic *nic);

#endif /* _ILWACO_NET_H */
