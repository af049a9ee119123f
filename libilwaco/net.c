// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC driver (include/ilwaco/net.h): rings and buffers in guest
 * memory, the counts that hand descriptors to and from the monitor, and
 * the barriers between them.  The monitor writes a receive ring's
 * descriptor before advancing used, and reads a transmit descriptor
 * after avail: so the guest reads used before the descriptors, and
 * writes descriptors before avail.
 */
#include "ilwaco/ilwaco.h"
#include "ilwaco/net.h"

/* The counts the monitor reads or writes at any moment. */
static inline uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

unsigned int ilwaco_nic_count(void)
{
	return ILWACO_VREGS_RO->nic_count;
}

void ilwaco_nic_mac(unsigned int index, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		mac[i] = index < DENALI_NIC_MAX ?
			 ILWACO_VREGS_RO->nics[index].mac[i] : 0;
}

unsigned int ilwaco_nic_mtu(unsigned int index)
{
	return index < DENALI_NIC_MAX ? ILWACO_VREGS_RO->nics[index].mtu : 0;
}

static size_t ring_bytes(unsigned int size)
{
	size_t n = DENALI_NET_RING_BYTES(size);

	return (n + DENALI_NET_RING_ALIGN - 1) & ~(size_t)(DENALI_NET_RING_ALIGN - 1);
}

size_t ilwaco_net_mem_size(unsigned int ring_size, unsigned int buf_size)
{
	return 2 * ring_bytes(ring_size) + 2 * (size_t)ring_size * buf_size;
}

int ilwaco_net_init(struct ilwaco_nic *nic, unsigned int index,
		    unsigned int ring_size, unsigned int buf_size, void *mem,
		    size_t mem_len)
{
	struct denali_hc_net_setup setup;
	unsigned char *p = mem;
	unsigned int i;
	long ret;

	if (!ring_size || (ring_size & (ring_size - 1)) ||
	    buf_size < DENALI_NET_HLEN ||
	    mem_len < ilwaco_net_mem_size(ring_size, buf_size) ||
	    ((unsigned long)mem & (DENALI_NET_RING_ALIGN - 1)))
		return -EINVAL;
	memset(mem, 0, ilwaco_net_mem_size(ring_size, buf_size));
	memset(nic, 0, sizeof(*nic));
	nic->index = index;
	nic->size = ring_size;
	nic->buf_size = buf_size;
	nic->tx = (struct denali_net_ring *)p;
	p += ring_bytes(ring_size);
	nic->rx = (struct denali_net_ring *)p;
	p += ring_bytes(ring_size);
	nic->tx_bufs = p;
	nic->rx_bufs = p + (size_t)ring_size * buf_size;

	for (i = 0; i < ring_size; i++) {
		nic->tx->desc[i].addr = (uint64_t)(nic->tx_bufs +
						   (size_t)i * buf_size);
		nic->rx->desc[i].addr = (uint64_t)(nic->rx_bufs +
						   (size_t)i * buf_size);
		nic->rx->desc[i].len = buf_size;
	}
	/* No interrupt until asked for: irq_at is one behind nothing. */
	nic->rx->irq_at = ~0u;

	memset(&setup, 0, sizeof(setup));
	setup.nic = index;
	setup.ring_size = ring_size;
	setup.tx_ring = (uint64_t)nic->tx;
	setup.rx_ring = (uint64_t)nic->rx;
	setup.max_mtu = buf_size - DENALI_NET_HLEN > DENALI_NET_MTU_MAX ?
			DENALI_NET_MTU_MAX : buf_size - DENALI_NET_HLEN;
	ret = denali_hypercall1(DENALI_HC_NET_SETUP, (unsigned long)&setup);
	if (ret)
		return (int)ret;
	/* Every receive buffer is the monitor's. */
	store_release(&nic->rx->avail, ring_size);
	return 0;
}

int ilwaco_net_recv(struct ilwaco_nic *nic, unsigned char **frame,
		    unsigned int *len)
{
	unsigned int slot;

	/* The count before the descriptor it hands over. */
	if (load_acquire(&nic->rx->used) == nic->rx_seen)
		return 0;
	slot = nic->rx_seen & (nic->size - 1);
	*frame = nic->rx_bufs + (size_t)slot * nic->buf_size;
	*len = nic->rx->desc[slot].len;
	return 1;
}

void ilwaco_net_recv_done(struct ilwaco_nic *nic)
{
	unsigned int slot = nic->rx_seen & (nic->size - 1);

	/* The same buffer, posted again at the end of the ring. */
	nic->rx->desc[slot].len = nic->buf_size;
	nic->rx_seen++;
	store_release(&nic->rx->avail, nic->rx_seen + nic->size);
}

unsigned char *ilwaco_net_tx_buf(struct ilwaco_nic *nic)
{
	if (nic->tx_avail - load_acquire(&nic->tx->used) >= nic->size)
		return 0;
	return nic->tx_bufs +
	       (size_t)(nic->tx_avail & (nic->size - 1)) * nic->buf_size;
}

void ilwaco_net_queue(struct ilwaco_nic *nic, unsigned int len)
{
	nic->tx->desc[nic->tx_avail & (nic->size - 1)].len = len;
	nic->tx_avail++;
	store_release(&nic->tx->avail, nic->tx_avail);
}

long ilwaco_net_kick(struct ilwaco_nic *nic)
{
	nic->tx_kicked = nic->tx_avail;
	return denali_hypercall1(DENALI_HC_NET_KICK, nic->index);
}

int ilwaco_net_arm(struct ilwaco_nic *nic)
{
	__atomic_store_n(&nic->rx->irq_at, nic->rx_seen, __ATOMIC_RELAXED);
	/* irq_at before used: the monitor does the reverse (store, mb, load). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load_acquire(&nic->rx->used) != nic->rx_seen;
}
