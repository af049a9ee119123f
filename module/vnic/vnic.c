// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual NIC: each NIC of a VM is a Linux net_device, and its two
 * rings live in guest memory (docs/ABI.md, "The virtual NIC").
 *
 * Frames Linux transmits on the device are copied straight into the next
 * receive buffer the guest posted, in ndo_start_xmit, on whatever CPU
 * Linux transmits from; with no buffer posted they are dropped and
 * counted.  There is no queue in between: the host never waits for a
 * guest and never holds more than the frame it is copying, whatever the
 * guest does.  Frames the guest transmits are copied out of its transmit
 * ring by the VM's own thread, in the net_kick hypercall (or idle, or
 * exit), so the copy is charged to the VM's runner, and handed to Linux
 * as received on the device.  Everything else is what Linux's tools
 * already do: bridges, tc, namespaces, `ip -s link`, ethtool.
 *
 * Roadmap:
 *   1. Counters: ndo_get_stats64 and ethtool -S from one table.
 *   2. Linux to guest: ndo_start_xmit.
 *   3. Guest to Linux: the net_setup and net_kick hypercalls.
 *   4. net_device and ethtool ops.
 *   5. Creating and removing a VM's NICs; carrier; ring faults.
 *
 * Locking: vm->nic_lock (a mutex) guards vm->nics[] against removal, and
 * serializes net_setup, the transmit path and removal.  ndo_start_xmit
 * runs under the device's own transmit lock; it needs nothing else,
 * because unregistering the device waits for it, and the VM's memory
 * outlives its devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/u64_stats_sync.h>

#include "denali_release.h"
#include "exits.h"
#include "guest_pages.h"
#include "vm.h"
#include "vnic.h"
#include "vregs.h"

struct denali_switch;

struct denali_nic {
	struct net_device *dev;		/* NULL for a switch port */
	struct denali_vm *vm;
	unsigned int index;

	/* A switch port: its switch, its MAC, its place in the switch. */
	struct denali_switch *sw;
	u8 mac[ETH_ALEN];
	u32 mtu;			/* a port's, set by net_setup */
	struct hlist_node hash_node;
	struct list_head port_node;

	/* Set once by net_setup, then published by @ready. */
	bool ready;
	u32 ring_size;
	struct denali_net_ring *tx, *rx;

	/* Linux (or another port) to guest: under @rx_lock. */
	spinlock_t rx_lock;
	u32 rx_used;
	struct u64_stats_sync rx_sync;
	u64 to_guest_packets;
	u64 to_guest_bytes;
	u64 drop_no_buffer;
	u64 drop_too_big;
	u64 drop_not_ready;
	u64 irqs;

	/* Guest to Linux: the VM's thread, under vm->nic_lock. */
	u32 tx_used;
	struct u64_stats_sync tx_sync;
	u64 from_guest_packets;
	u64 from_guest_bytes;
	u64 from_guest_dropped;
	u64 kicks;
	u64 drop_spoofed;

	/* A ring fault seen in ndo_start_xmit, for the VM's thread. */
	atomic_t faulted;
	char fault[sizeof(((struct denali_crash *)0)->description)];
};

/*
 * A switch (section 6): the private part of its uplink net_device.  1,024
 * buckets: thousands of VMs behind one switch at a few ports a bucket.
 */
#define SWITCH_HASH_BITS	10

struct denali_switch {
	struct net_device *dev;
	unsigned int nports;			/* under switch_mutex */
	struct list_head ports;
	struct hlist_head hash[1 << SWITCH_HASH_BITS];

	/* Linux to the ports: under the uplink's transmit lock. */
	atomic64_t to_ports_packets, to_ports_bytes, drop_unknown;
	/* The ports to Linux and between ports: every port's thread. */
	atomic64_t from_ports_packets, from_ports_bytes, from_ports_dropped;
	atomic64_t between_ports_packets;
};

/* ---- 1. counters ------------------------------------------------------- */

struct nic_counters {
	u64 to_guest_packets, to_guest_bytes, drop_no_buffer, drop_too_big,
	    drop_not_ready, irqs;
	u64 from_guest_packets, from_guest_bytes, from_guest_dropped, kicks,
	    drop_spoofed;
};

#define NIC_COUNTER(name) { #name, offsetof(struct nic_counters, name) }
static const struct {
	const char *name;
	size_t offset;
} nic_counter_keys[] = {
	NIC_COUNTER(to_guest_packets),
	NIC_COUNTER(to_guest_bytes),
	NIC_COUNTER(drop_no_buffer),
	NIC_COUNTER(drop_too_big),
	NIC_COUNTER(drop_not_ready),
	NIC_COUNTER(irqs),
	NIC_COUNTER(from_guest_packets),
	NIC_COUNTER(from_guest_bytes),
	NIC_COUNTER(from_guest_dropped),
	NIC_COUNTER(kicks),
	NIC_COUNTER(drop_spoofed),
};

static void nic_read_counters(struct denali_nic *nic, struct nic_counters *c)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&nic->rx_sync);
		c->to_guest_packets = nic->to_guest_packets;
		c->to_guest_bytes = nic->to_guest_bytes;
		c->drop_no_buffer = nic->drop_no_buffer;
		c->drop_too_big = nic->drop_too_big;
		c->drop_not_ready = nic->drop_not_ready;
		c->irqs = nic->irqs;
	} while (u64_stats_fetch_retry(&nic->rx_sync, start));
	do {
		start = u64_stats_fetch_begin(&nic->tx_sync);
		c->from_guest_packets = nic->from_guest_packets;
		c->from_guest_bytes = nic->from_guest_bytes;
		c->from_guest_dropped = nic->from_guest_dropped;
		c->kicks = nic->kicks;
		c->drop_spoofed = nic->drop_spoofed;
	} while (u64_stats_fetch_retry(&nic->tx_sync, start));
}

/*
 * The device's view: what Linux transmits on it goes to the guest (tx),
 * what the guest sends Linux receives (rx).
 */
static void denali_nic_get_stats64(struct net_device *dev,
				   struct rtnl_link_stats64 *s)
{
	struct nic_counters c;

	nic_read_counters(netdev_priv(dev), &c);
	s->tx_packets = c.to_guest_packets;
	s->tx_bytes = c.to_guest_bytes;
	s->tx_dropped = c.drop_no_buffer + c.drop_too_big + c.drop_not_ready;
	s->rx_packets = c.from_guest_packets;
	s->rx_bytes = c.from_guest_bytes;
	s->rx_dropped = c.from_guest_dropped;
}

/* ---- 2. Linux to guest ------------------------------------------------ */

/* Note a ring fault for the VM's thread, which stops the VM with it. */
static __printf(2, 3) void nic_fault(struct denali_nic *nic,
				     const char *fmt, ...)
{
	va_list args;

	if (atomic_cmpxchg(&nic->faulted, 0, 1))
		return;
	va_start(args, fmt);
	vsnprintf(nic->fault, sizeof(nic->fault), fmt, args);
	va_end(args);
	/* The text before the flag the VM's thread acts on. */
	smp_wmb();
	atomic_set(&nic->faulted, 2);
	atomic_set(&nic->vm->net_faulted, 1);
	denali_irq_raise(nic->vm, DENALI_IRQ_NET);
}

/*
 * Copy one frame of @len bytes, from @skb or else from @buf, into @nic's
 * next receive buffer (true), or drop and count it (false).  The caller
 * holds the NIC against removal (its device's transmit lock, or RCU for
 * a switch port); several senders may fill a port's ring at once, hence
 * @rx_lock.
 */
static bool nic_deliver(struct denali_nic *nic, const struct sk_buff *skb,
			const void *buf, u32 len)
{
	struct denali_net_ring *ring = nic->rx;
	struct denali_net_desc *d;
	u32 avail, used, size, cap;
	bool irq = false;
	u64 addr, refused;
	u8 *dst;

	spin_lock_bh(&nic->rx_lock);
	/* Paired with net_setup's release: the ring pointers are set. */
	if (!smp_load_acquire(&nic->ready) || atomic_read(&nic->faulted))
		goto drop_not_ready;
	size = nic->ring_size;
	used = nic->rx_used;
	avail = READ_ONCE(ring->avail);
	if (avail - used > size) {
		nic_fault(nic, "nic%u rx ring: avail %u > used %u + %u",
			  nic->index, avail, used, size);
		goto drop_not_ready;
	}
	if (avail == used) {
		u64_stats_update_begin(&nic->rx_sync);
		nic->drop_no_buffer++;
		u64_stats_update_end(&nic->rx_sync);
		goto out;
	}
	d = &ring->desc[used & (size - 1)];
	addr = READ_ONCE(d->addr);
	cap = READ_ONCE(d->len);
	if (len > cap) {
		u64_stats_update_begin(&nic->rx_sync);
		nic->drop_too_big++;
		u64_stats_update_end(&nic->rx_sync);
		goto out;
	}
	refused = denali_guest_pages_cow_refused(&nic->vm->mem);
	dst = denali_guest_ptr(&nic->vm->mem, addr, len,
			       DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE);
	/*
	 * A copy-on-write image page, which only the VM's thread may copy
	 * (guest_pages.c): not the guest's fault; dropped as not ready, and
	 * the copy is made at the VM's next exit.
	 */
	if (!dst && denali_guest_pages_cow_refused(&nic->vm->mem) != refused)
		goto drop_not_ready;
	if (!dst) {
		nic_fault(nic, "nic%u rx desc %u: addr 0x%llx not writable",
			  nic->index, used & (size - 1), addr);
		goto drop_not_ready;
	}
	if (skb) {
		if (skb_copy_bits(skb, 0, dst, len))
			goto drop_not_ready;
	} else {
		memcpy(dst, buf, len);
	}
	WRITE_ONCE(d->len, len);
	/*
	 * Counted before the guest can have it: whoever sees the guest's
	 * answer to this frame sees it counted too.
	 */
	u64_stats_update_begin(&nic->rx_sync);
	nic->to_guest_packets++;
	nic->to_guest_bytes += len;
	u64_stats_update_end(&nic->rx_sync);
	nic->rx_used = ++used;
	/* The frame and its length before the count that hands it over. */
	smp_store_release(&ring->used, used);
	/* The count before irq_at: paired with the guest's store-mb-load. */
	smp_mb();
	if (READ_ONCE(ring->irq_at) == used - 1) {
		irq = true;
		u64_stats_update_begin(&nic->rx_sync);
		nic->irqs++;
		u64_stats_update_end(&nic->rx_sync);
	}
	spin_unlock_bh(&nic->rx_lock);
	if (irq)
		denali_irq_raise(nic->vm, DENALI_IRQ_NET);
	return true;

	/* Rings not set up, or found broken: every frame lost is counted. */
drop_not_ready:
	u64_stats_update_begin(&nic->rx_sync);
	nic->drop_not_ready++;
	u64_stats_update_end(&nic->rx_sync);
out:
	spin_unlock_bh(&nic->rx_lock);
	return false;
}

static netdev_tx_t denali_nic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* A drop is a drop to Linux's drop monitor too. */
	if (nic_deliver(netdev_priv(dev), skb, NULL, skb->len))
		consume_skb(skb);
	else
		dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* ---- 3. guest to Linux ------------------------------------------------ */

static int switch_from_port(struct denali_nic *nic, const u8 *frame,
			    u32 len);

/* The largest frame @nic may send: its MTU and a VLAN header. */
static u32 nic_frame_max(struct denali_nic *nic)
{
	return (nic->dev ? READ_ONCE(nic->dev->mtu) : nic->mtu) + VLAN_ETH_HLEN;
}

/* Hand one frame of the guest's to Linux on @nic's device; 0 or -errno. */
static int device_from_guest(struct denali_nic *nic, const u8 *src, u32 len)
{
	struct net_device *dev = nic->dev;
	struct sk_buff *skb;

	skb = netif_running(dev) ? netdev_alloc_skb(dev, len) : NULL;
	if (!skb)
		return -ENOBUFS;
	skb_put_data(skb, src, len);
	skb->protocol = eth_type_trans(skb, dev);
	/*
	 * Counted before Linux has it: netif_rx() may deliver it (and a
	 * reader see it) before returning.  Taken back in the rare case
	 * that the backlog is full.
	 */
	u64_stats_update_begin(&nic->tx_sync);
	nic->from_guest_packets++;
	nic->from_guest_bytes += len;
	u64_stats_update_end(&nic->tx_sync);
	if (netif_rx(skb) == NET_RX_DROP) {
		u64_stats_update_begin(&nic->tx_sync);
		nic->from_guest_packets--;
		nic->from_guest_bytes -= len;
		u64_stats_update_end(&nic->tx_sync);
		return -ENOBUFS;
	}
	return 0;
}

/* Send every frame queued on @nic's transmit ring; the count or -errno. */
static int nic_transmit(struct denali_nic *nic)
{
	struct denali_net_ring *ring = nic->tx;
	struct denali_vm *vm = nic->vm;
	u32 avail, size = nic->ring_size, len, slot, max = nic_frame_max(nic);
	u64 addr;
	int done = 0, dropped = 0;
	const u8 *src;

	lockdep_assert_held(&vm->nic_lock);
	avail = READ_ONCE(ring->avail);
	if (avail - nic->tx_used > size) {
		denali_crash_net(vm, "nic%u tx ring: avail %u > used %u + %u",
				 nic->index, avail, nic->tx_used, size);
		return -EINVAL;
	}
	while (nic->tx_used != avail) {
		slot = nic->tx_used & (size - 1);
		addr = READ_ONCE(ring->desc[slot].addr);
		len = READ_ONCE(ring->desc[slot].len);
		if (len < DENALI_NET_HLEN || len > max) {
			denali_crash_net(vm, "nic%u tx desc %u: len %u not in [14, %u]",
					 nic->index, slot, len, max);
			return -EINVAL;
		}
		src = denali_guest_ptr(&vm->mem, addr, len,
				       DENALI_PAGE_PRESENT);
		if (!src) {
			denali_crash_net(vm, "nic%u tx desc %u: addr 0x%llx not guest memory",
					 nic->index, slot, addr);
			return -EINVAL;
		}
		nic->tx_used++;
		done++;
		if (nic->sw ? switch_from_port(nic, src, len) :
			      device_from_guest(nic, src, len))
			dropped++;
	}
	/* The frames were copied before the guest may reuse their slots. */
	smp_store_release(&ring->used, nic->tx_used);

	u64_stats_update_begin(&nic->tx_sync);
	nic->from_guest_dropped += dropped;
	u64_stats_update_end(&nic->tx_sync);
	return done;
}

long denali_hc_net_kick(struct denali_vm *vm, u64 index)
{
	struct denali_nic *nic;
	long ret = -EINVAL;

	mutex_lock(&vm->nic_lock);
	nic = index < vm->nic_count ? vm->nics[index] : NULL;
	if (nic && nic->ready) {
		u64_stats_update_begin(&nic->tx_sync);
		nic->kicks++;
		u64_stats_update_end(&nic->tx_sync);
		ret = nic_transmit(nic);
	}
	mutex_unlock(&vm->nic_lock);
	return ret;
}

void denali_vnic_transmit_all(struct denali_vm *vm)
{
	unsigned int i;

	if (!vm->nic_count)
		return;
	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++)
		if (vm->nics[i] && vm->nics[i]->ready &&
		    nic_transmit(vm->nics[i]) < 0)
			break;
	mutex_unlock(&vm->nic_lock);
}

/* A ring of @size descriptors at @gva, or NULL if it is not all there. */
static struct denali_net_ring *ring_at(struct denali_vm *vm, u64 gva,
				       u32 size)
{
	if (gva % DENALI_NET_RING_ALIGN)
		return NULL;
	return denali_guest_ptr(&vm->mem, gva, DENALI_NET_RING_BYTES(size),
				DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE);
}

long denali_hc_net_setup(struct denali_vm *vm, u64 gva)
{
	struct denali_hc_net_setup s;
	struct denali_net_ring *tx, *rx;
	struct denali_nic *nic;
	const void *src;
	long ret;

	src = denali_guest_ptr(&vm->mem, gva, sizeof(s),
			       DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE);
	if (!src)
		return -EFAULT;
	memcpy(&s, src, sizeof(s));	/* read once: the copy is checked */
	if (s.flags || s.reserved[0] || s.reserved[1] ||
	    s.nic >= vm->nic_count || !is_power_of_2(s.ring_size) ||
	    s.ring_size < DENALI_NET_RING_MIN ||
	    s.ring_size > DENALI_NET_RING_MAX ||
	    s.max_mtu < DENALI_NET_MTU_MIN || s.max_mtu > DENALI_NET_MTU_MAX)
		return -EINVAL;
	tx = ring_at(vm, s.tx_ring, s.ring_size);
	rx = ring_at(vm, s.rx_ring, s.ring_size);
	if (!tx || !rx)
		return -EFAULT;

	mutex_lock(&vm->nic_lock);
	nic = vm->nics[s.nic];
	ret = -EINVAL;
	if (!nic)
		goto out;
	ret = -EBUSY;
	if (nic->ready)
		goto out;
	nic->ring_size = s.ring_size;
	nic->tx = tx;
	nic->rx = rx;
	nic->tx_used = 0;
	nic->rx_used = 0;
	WRITE_ONCE(tx->used, 0);
	WRITE_ONCE(rx->used, 0);

	if (nic->dev) {
		rtnl_lock();
		nic->dev->max_mtu = s.max_mtu;
		if (nic->dev->mtu > s.max_mtu)
			dev_set_mtu(nic->dev, s.max_mtu);
		rtnl_unlock();
	} else {
		/* A port's MTU is the default, or less if the guest says. */
		nic->mtu = min_t(u32, s.max_mtu, DENALI_NET_MTU_DEFAULT);
		WRITE_ONCE(vm->vro->nics[nic->index].mtu, nic->mtu);
	}
	/* The rings before anyone transmits onto them. */
	smp_store_release(&nic->ready, true);
	ret = 0;
out:
	mutex_unlock(&vm->nic_lock);
	return ret;
}

/* ---- 4. net_device and ethtool ops ------------------------------------ */

static int denali_nic_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int denali_nic_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

/* The guest learns the MTU from its read-only page. */
static int denali_nic_change_mtu(struct net_device *dev, int mtu)
{
	struct denali_nic *nic = netdev_priv(dev);

	WRITE_ONCE(dev->mtu, mtu);
	WRITE_ONCE(nic->vm->vro->nics[nic->index].mtu, mtu);
	return 0;
}

static const struct net_device_ops denali_nic_ops = {
	.ndo_open = denali_nic_open,
	.ndo_stop = denali_nic_stop,
	.ndo_start_xmit = denali_nic_xmit,
	.ndo_get_stats64 = denali_nic_get_stats64,
	.ndo_change_mtu = denali_nic_change_mtu,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void denali_nic_get_drvinfo(struct net_device *dev,
				   struct ethtool_drvinfo *info)
{
	struct denali_nic *nic = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, DENALI_RELEASE, sizeof(info->version));
	/*
	 * denalictl finds a VM's NICs by this text (userspace/denalictl/
	 * nics.c, docs/denalictl.8): it is an interface, keep its form.
	 */
	snprintf(info->bus_info, sizeof(info->bus_info), "vm%u/nic%u",
		 nic->vm->id, nic->index);
}

static int denali_nic_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(nic_counter_keys) :
				      -EOPNOTSUPP;
}

static void denali_nic_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(nic_counter_keys); i++)
		strscpy(buf + i * ETH_GSTRING_LEN, nic_counter_keys[i].name,
			ETH_GSTRING_LEN);
}

static void denali_nic_get_ethtool_stats(struct net_device *dev,
					 struct ethtool_stats *stats, u64 *data)
{
	struct nic_counters c;
	unsigned int i;

	nic_read_counters(netdev_priv(dev), &c);
	for (i = 0; i < ARRAY_SIZE(nic_counter_keys); i++)
		data[i] = *(u64 *)((u8 *)&c + nic_counter_keys[i].offset);
}

static const struct ethtool_ops denali_nic_ethtool_ops = {
	.get_drvinfo = denali_nic_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = denali_nic_get_sset_count,
	.get_strings = denali_nic_get_strings,
	.get_ethtool_stats = denali_nic_get_ethtool_stats,
};

/* ---- 5. creating and removing a VM's NICs ----------------------------- */

static void nic_default_mac(struct denali_vm *vm, unsigned int index,
			    u8 *mac)
{
	u32 h = jhash(vm->name, strlen(vm->name), 0x44656e61);

	/* Locally administered, unicast; the NIC's number in byte 1. */
	mac[0] = 0x02;
	mac[1] = 0x40 | index;
	mac[2] = h >> 24;
	mac[3] = h >> 16;
	mac[4] = h >> 8;
	mac[5] = h;
}

int denali_vnic_check_config(const struct denali_nic_config *cfg,
			     unsigned int index, char *err, size_t errlen)
{
	size_t n = strnlen(cfg->ifname, sizeof(cfg->ifname));
	size_t sn = strnlen(cfg->switch_name, sizeof(cfg->switch_name));

	if ((cfg->flags & ~DENALI_NIC_FLAGS) || cfg->pad[0] || cfg->pad[1] ||
	    cfg->pad2) {
		snprintf(err, errlen, "NIC %u: unknown flags 0x%x, or pad fields not zero",
			 index, cfg->flags & ~DENALI_NIC_FLAGS);
		return -EINVAL;
	}
	if ((cfg->flags & DENALI_NIC_MAC) && !is_valid_ether_addr(cfg->mac)) {
		snprintf(err, errlen, "NIC %u: %pM is not a unicast MAC address",
			 index, cfg->mac);
		return -EINVAL;
	}
	if (n == sizeof(cfg->ifname)) {
		snprintf(err, errlen, "NIC %u: ifname is not NUL-terminated within %zu bytes",
			 index, sizeof(cfg->ifname));
		return -EINVAL;
	}
	if (n && !dev_valid_name(cfg->ifname)) {
		snprintf(err, errlen, "NIC %u: '%s' is not a valid interface name",
			 index, cfg->ifname);
		return -EINVAL;
	}
	if (!(cfg->flags & DENALI_NIC_SWITCH)) {
		/* Reserved before ABI 0.7: zero unless it means something. */
		if (memchr_inv(cfg->switch_name, 0, sizeof(cfg->switch_name))) {
			snprintf(err, errlen, "NIC %u: switch_name is set without DENALI_NIC_SWITCH",
				 index);
			return -EINVAL;
		}
		return 0;
	}
	if (n) {
		snprintf(err, errlen, "NIC %u: a switch port has no interface of its own: ifname '%s' must be empty",
			 index, cfg->ifname);
		return -EINVAL;
	}
	if (sn == sizeof(cfg->switch_name)) {
		snprintf(err, errlen, "NIC %u: switch_name is not NUL-terminated within %zu bytes",
			 index, sizeof(cfg->switch_name));
		return -EINVAL;
	}
	if (!sn || !dev_valid_name(cfg->switch_name)) {
		snprintf(err, errlen, "NIC %u: '%s' is not a valid switch name (it names an interface)",
			 index, cfg->switch_name);
		return -EINVAL;
	}
	return 0;
}

static void nic_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &denali_nic_ops;
	dev->ethtool_ops = &denali_nic_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->min_mtu = DENALI_NET_MTU_MIN;
	dev->max_mtu = DENALI_NET_MTU_DEFAULT;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
}

static void nic_init(struct denali_nic *nic, struct denali_vm *vm,
		     unsigned int index, const struct denali_nic_config *cfg)
{
	nic->vm = vm;
	nic->index = index;
	spin_lock_init(&nic->rx_lock);
	u64_stats_init(&nic->rx_sync);
	u64_stats_init(&nic->tx_sync);
	if (cfg->flags & DENALI_NIC_MAC)
		memcpy(nic->mac, cfg->mac, ETH_ALEN);
	else
		nic_default_mac(vm, index, nic->mac);
}

static int switch_join(struct denali_nic *nic, const char *name, char *err,
		       size_t errlen);

/* A NIC that is a port of switch @cfg->switch_name, or ERR_PTR. */
static struct denali_nic *port_create(struct denali_vm *vm, unsigned int index,
				      const struct denali_nic_config *cfg,
				      char *err, size_t errlen)
{
	struct denali_nic *nic;
	int ret;

	/* The creator's, as its net_device would have been. */
	nic = kzalloc(sizeof(*nic), GFP_KERNEL_ACCOUNT);
	if (!nic) {
		snprintf(err, errlen, "NIC %u: out of memory for a switch port",
			 index);
		return ERR_PTR(-ENOMEM);
	}
	nic_init(nic, vm, index, cfg);
	nic->mtu = DENALI_NET_MTU_DEFAULT;
	ret = switch_join(nic, cfg->switch_name, err, errlen);
	if (ret) {
		kfree(nic);
		return ERR_PTR(ret);
	}
	return nic;
}

static struct denali_nic *nic_create(struct denali_vm *vm, unsigned int index,
				     const struct denali_nic_config *cfg,
				     char *err, size_t errlen)
{
	struct denali_nic_info *info = &vm->vro->nics[index];
	struct net_device *dev;
	struct denali_nic *nic;
	u8 host_mac[ETH_ALEN];
	char name[IFNAMSIZ];
	int ret;

	if (cfg->flags & DENALI_NIC_SWITCH) {
		nic = port_create(vm, index, cfg, err, errlen);
		if (IS_ERR(nic))
			return nic;
		info->mtu = nic->mtu;
		goto done;
	}
	if (cfg->ifname[0])
		strscpy(name, cfg->ifname, sizeof(name));
	else if (index)
		snprintf(name, sizeof(name), "dn%un%u", vm->id, index);
	else
		snprintf(name, sizeof(name), "dn%u", vm->id);
	dev = alloc_netdev(sizeof(*nic), name, NET_NAME_USER, nic_setup);
	if (!dev) {
		snprintf(err, errlen, "NIC %u: cannot allocate a net_device",
			 index);
		return ERR_PTR(-ENOMEM);
	}
	nic = netdev_priv(dev);
	nic->dev = dev;
	nic_init(nic, vm, index, cfg);
	/*
	 * The interface is the host's end of the cable, not the guest's NIC:
	 * it has a MAC of its own, the guest's with the first byte 0xfe (as
	 * libvirt gives tap devices).  A bridge adds each port's own MAC as
	 * a local address: with the guest's, frames for the guest would stop
	 * at the host instead of being forwarded to it.
	 */
	memcpy(host_mac, nic->mac, ETH_ALEN);
	host_mac[0] = 0xfe;
	eth_hw_addr_set(dev, host_mac);

	ret = register_netdev(dev);
	if (ret) {
		snprintf(err, errlen, ret == -EEXIST ?
			 "NIC %u: an interface named '%s' exists already" :
			 "NIC %u: cannot register '%s' (error %d)",
			 index, name, ret);
		free_netdev(dev);
		return ERR_PTR(ret);
	}
	info->mtu = dev->mtu;
	netif_carrier_on(dev);
done:
	memcpy(info->mac, nic->mac, ETH_ALEN);
	info->ring_max = DENALI_NET_RING_MAX;
	if (!index)
		memcpy(vm->vro->mac, nic->mac, ETH_ALEN);
	return nic;
}

int denali_vnic_create(struct denali_vm *vm,
		       const struct denali_nic_config *cfgs,
		       unsigned int count, char *err, size_t errlen)
{
	struct denali_nic *nic;
	unsigned int i;

	mutex_lock(&vm->nic_lock);
	vm->vro->nic_count = count;
	for (i = 0; i < count; i++) {
		nic = nic_create(vm, i, &cfgs[i], err, errlen);
		if (IS_ERR(nic)) {
			mutex_unlock(&vm->nic_lock);
			denali_vnic_remove(vm);
			return PTR_ERR(nic);
		}
		vm->nics[i] = nic;
		vm->nic_count = i + 1;
		if (nic->sw)
			WRITE_ONCE(vm->nic_ports, vm->nic_ports + 1);
	}
	mutex_unlock(&vm->nic_lock);
	return 0;
}

static void switch_leave(struct denali_nic *nic);

void denali_vnic_remove(struct denali_vm *vm)
{
	struct denali_nic *nics[DENALI_NIC_MAX];
	unsigned int i, n = 0, ports = 0;

	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++) {
		if (vm->nics[i]) {
			nics[n++] = vm->nics[i];
			vm->nics[i] = NULL;
		}
	}
	mutex_unlock(&vm->nic_lock);
	for (i = 0; i < n; i++) {
		if (nics[i]->sw) {
			switch_leave(nics[i]);
			ports++;
		} else {
			/*
			 * Waits for every ndo_start_xmit; frees the device
			 * and the NIC in it (needs_free_netdev).
			 */
			unregister_netdev(nics[i]->dev);
			nics[i] = NULL;
		}
	}
	if (!ports)
		return;
	/* No sender holds a port any more: its ring may go with the VM. */
	synchronize_rcu();
	for (i = 0; i < n; i++)
		kfree(nics[i]);
}

/* Host kernel memory of @vm's NICs: a net_device each, or a port. */
u64 denali_vnic_host_bytes(struct denali_vm *vm)
{
	unsigned int ports = READ_ONCE(vm->nic_ports);
	unsigned int devices = READ_ONCE(vm->nic_count) - ports;

	return (u64)devices * (sizeof(struct net_device) +
			       sizeof(struct denali_nic)) +
	       (u64)ports * sizeof(struct denali_nic);
}

/* DENALI_GET_NIC_STATS: one NIC's counters, whatever kind it is. */
long denali_vnic_get_stats(struct denali_vm *vm, struct denali_nic_stats *st)
{
	struct nic_counters c;
	struct denali_nic *nic;
	u32 index = st->nic;

	if (st->flags)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->nic = index;
	mutex_lock(&vm->nic_lock);
	nic = index < vm->nic_count ? vm->nics[index] : NULL;
	if (!nic) {
		mutex_unlock(&vm->nic_lock);
		return -ENOENT;
	}
	nic_read_counters(nic, &c);
	/* Under RTNL: a rename rewrites the name in place. */
	rtnl_lock();
	strscpy(st->ifname, nic->sw ? nic->sw->dev->name : nic->dev->name,
		sizeof(st->ifname));
	rtnl_unlock();
	if (nic->sw)
		st->flags = DENALI_NIC_SWITCH;
	memcpy(st->mac, vm->vro->nics[index].mac, ETH_ALEN);
	mutex_unlock(&vm->nic_lock);
	st->to_guest_packets = c.to_guest_packets;
	st->to_guest_bytes = c.to_guest_bytes;
	st->drop_no_buffer = c.drop_no_buffer;
	st->drop_too_big = c.drop_too_big;
	st->drop_not_ready = c.drop_not_ready;
	st->irqs = c.irqs;
	st->from_guest_packets = c.from_guest_packets;
	st->from_guest_bytes = c.from_guest_bytes;
	st->from_guest_dropped = c.from_guest_dropped;
	st->kicks = c.kicks;
	st->drop_spoofed = c.drop_spoofed;
	return 0;
}

void denali_vnic_carrier_off(struct denali_vm *vm)
{
	unsigned int i;

	if (!vm->nic_count)
		return;
	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++)
		if (vm->nics[i] && vm->nics[i]->dev)
			netif_carrier_off(vm->nics[i]->dev);
	mutex_unlock(&vm->nic_lock);
}

void denali_vnic_check_faults(struct denali_vm *vm)
{
	struct denali_nic *nic;
	unsigned int i;

	if (!atomic_xchg(&vm->net_faulted, 0))
		return;
	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++) {
		nic = vm->nics[i];
		if (nic && atomic_read(&nic->faulted) == 2) {
			smp_rmb();	/* the text, after the flag */
			denali_crash_net(vm, "%s", nic->fault);
			break;
		}
	}
	mutex_unlock(&vm->nic_lock);
}

/* ---- 6. the switch ----------------------------------------------------- */

/*
 * A switch is its uplink net_device; the switch's state is the device's
 * private part, so the switch lives exactly as long as the device is
 * registered: from its first port's creation to its last port's removal
 * (both under switch_mutex).  It is found by the uplink's name in the
 * creator's network namespace.  A port is in the MAC hash (unicast
 * lookups) and on the port list (floods), both read under RCU.  1,024
 * buckets: a few ports each with thousands of VMs behind one switch.
 */
static DEFINE_MUTEX(switch_mutex);

static struct hlist_head *switch_bucket(struct denali_switch *sw,
					const u8 *mac)
{
	/* The low bytes vary most: default MACs hash the VM's name there. */
	return &sw->hash[jhash(mac, ETH_ALEN, 0) & ((1 << SWITCH_HASH_BITS) - 1)];
}

/* The port with @mac, under rcu_read_lock() or switch_mutex. */
static struct denali_nic *switch_lookup(struct denali_switch *sw,
					const u8 *mac)
{
	struct denali_nic *port;

	hlist_for_each_entry_rcu(port, switch_bucket(sw, mac), hash_node,
				 lockdep_is_held(&switch_mutex))
		if (ether_addr_equal(port->mac, mac))
			return port;
	return NULL;
}

/* Linux transmits on the uplink: to the port(s) the frame is for. */
static netdev_tx_t switch_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct denali_switch *sw = netdev_priv(dev);
	struct denali_nic *port;
	u8 dst[ETH_ALEN];
	u32 len = skb->len;

	if (skb_copy_bits(skb, 0, dst, ETH_ALEN))
		goto unknown;
	rcu_read_lock();
	if (is_multicast_ether_addr(dst)) {
		/* A copy into every port's ring; each port counts its own. */
		list_for_each_entry_rcu(port, &sw->ports, port_node)
			nic_deliver(port, skb, NULL, len);
	} else {
		port = switch_lookup(sw, dst);
		if (!port) {
			rcu_read_unlock();
			goto unknown;
		}
		nic_deliver(port, skb, NULL, len);
	}
	rcu_read_unlock();
	atomic64_inc(&sw->to_ports_packets);
	atomic64_add(len, &sw->to_ports_bytes);
	consume_skb(skb);
	return NETDEV_TX_OK;

	/* No port has that MAC: no flooding of unknown unicast. */
unknown:
	atomic64_inc(&sw->drop_unknown);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Hand a frame from a port to Linux, as received on the uplink. */
static int switch_to_linux(struct denali_switch *sw, const u8 *frame,
			   u32 len)
{
	struct net_device *dev = sw->dev;
	struct sk_buff *skb;

	skb = netif_running(dev) ? netdev_alloc_skb(dev, len) : NULL;
	if (!skb)
		goto drop;
	skb_put_data(skb, frame, len);
	skb->protocol = eth_type_trans(skb, dev);
	/* Counted first, as device_from_guest() does, and for its reason. */
	atomic64_inc(&sw->from_ports_packets);
	atomic64_add(len, &sw->from_ports_bytes);
	if (netif_rx(skb) == NET_RX_DROP) {
		atomic64_dec(&sw->from_ports_packets);
		atomic64_sub(len, &sw->from_ports_bytes);
		goto drop;
	}
	return 0;
drop:
	atomic64_inc(&sw->from_ports_dropped);
	return -ENOBUFS;
}

/*
 * A frame port @nic's guest sent, @frame in its memory (the VM's thread,
 * under its nic_lock): to the port with its destination MAC, to every
 * other port and the uplink if it is a broadcast or multicast, otherwise
 * to the uplink.  0, or -errno for a frame lost after it was taken.
 */
static int switch_from_port(struct denali_nic *nic, const u8 *frame, u32 len)
{
	struct denali_switch *sw = nic->sw;
	struct denali_nic *port;
	u8 hdr[2 * ETH_ALEN];
	int ret = 0;

	/* Read once: the addresses decided on are the ones checked. */
	memcpy(hdr, frame, sizeof(hdr));
	if (!ether_addr_equal(hdr + ETH_ALEN, nic->mac)) {
		u64_stats_update_begin(&nic->tx_sync);
		nic->drop_spoofed++;
		u64_stats_update_end(&nic->tx_sync);
		return 0;
	}
	u64_stats_update_begin(&nic->tx_sync);
	nic->from_guest_packets++;
	nic->from_guest_bytes += len;
	u64_stats_update_end(&nic->tx_sync);

	rcu_read_lock();
	if (is_multicast_ether_addr(hdr)) {
		list_for_each_entry_rcu(port, &sw->ports, port_node)
			if (port != nic)
				nic_deliver(port, NULL, frame, len);
		ret = switch_to_linux(sw, frame, len);
	} else {
		port = switch_lookup(sw, hdr);
		if (!port) {
			ret = switch_to_linux(sw, frame, len);
		} else if (port == nic) {
			ret = -EINVAL;		/* to itself: no hairpin */
		} else {
			nic_deliver(port, NULL, frame, len);
			atomic64_inc(&sw->between_ports_packets);
		}
	}
	rcu_read_unlock();
	return ret;
}

static void switch_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *s)
{
	struct denali_switch *sw = netdev_priv(dev);

	s->tx_packets = atomic64_read(&sw->to_ports_packets);
	s->tx_bytes = atomic64_read(&sw->to_ports_bytes);
	s->tx_dropped = atomic64_read(&sw->drop_unknown);
	s->rx_packets = atomic64_read(&sw->from_ports_packets);
	s->rx_bytes = atomic64_read(&sw->from_ports_bytes);
	s->rx_dropped = atomic64_read(&sw->from_ports_dropped);
}

static const struct net_device_ops denali_switch_ops = {
	.ndo_open = denali_nic_open,
	.ndo_stop = denali_nic_stop,
	.ndo_start_xmit = switch_xmit,
	.ndo_get_stats64 = switch_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

#define SWITCH_COUNTER(name) { #name, offsetof(struct denali_switch, name) }
static const struct {
	const char *name;
	size_t offset;
} switch_counter_keys[] = {
	SWITCH_COUNTER(to_ports_packets),
	SWITCH_COUNTER(to_ports_bytes),
	SWITCH_COUNTER(drop_unknown),
	SWITCH_COUNTER(from_ports_packets),
	SWITCH_COUNTER(from_ports_bytes),
	SWITCH_COUNTER(from_ports_dropped),
	SWITCH_COUNTER(between_ports_packets),
};

static void switch_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, DENALI_RELEASE, sizeof(info->version));
	/* Not "vm<id>/nic<k>": denalictl takes no uplink for a VM's NIC. */
	strscpy(info->bus_info, "switch", sizeof(info->bus_info));
}

static int switch_get_sset_count(struct net_device *dev, int sset)
{
	/* The counters and the number of ports. */
	return sset == ETH_SS_STATS ? ARRAY_SIZE(switch_counter_keys) + 1 :
				      -EOPNOTSUPP;
}

static void switch_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(switch_counter_keys); i++)
		strscpy(buf + i * ETH_GSTRING_LEN, switch_counter_keys[i].name,
			ETH_GSTRING_LEN);
	strscpy(buf + i * ETH_GSTRING_LEN, "ports", ETH_GSTRING_LEN);
}

static void switch_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct denali_switch *sw = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(switch_counter_keys); i++)
		data[i] = atomic64_read((atomic64_t *)((u8 *)sw +
					switch_counter_keys[i].offset));
	data[i] = READ_ONCE(sw->nports);
}

static const struct ethtool_ops denali_switch_ethtool_ops = {
	.get_drvinfo = switch_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = switch_get_sset_count,
	.get_strings = switch_get_strings,
	.get_ethtool_stats = switch_get_ethtool_stats,
};

static void switch_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &denali_switch_ops;
	dev->ethtool_ops = &denali_switch_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->min_mtu = DENALI_NET_MTU_MIN;
	dev->max_mtu = DENALI_NET_MTU_MAX;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
}

/*
 * The switch @name in the caller's network namespace, created (uplink
 * registered, carrier up) if there is none; under switch_mutex.
 */
static struct denali_switch *switch_get(const char *name, unsigned int index,
					char *err, size_t errlen)
{
	struct net *net = current->nsproxy->net_ns;
	struct denali_switch *sw;
	struct net_device *dev;
	int ret;

	lockdep_assert_held(&switch_mutex);
	rtnl_lock();
	dev = __dev_get_by_name(net, name);
	rtnl_unlock();
	if (dev && dev->netdev_ops != &denali_switch_ops) {
		snprintf(err, errlen, "NIC %u: '%s' is an interface but not a Denali switch",
			 index, name);
		return ERR_PTR(-EEXIST);
	}
	/* Only switch_leave() unregisters one, under switch_mutex. */
	if (dev)
		return netdev_priv(dev);

	dev = alloc_netdev(sizeof(*sw), name, NET_NAME_USER, switch_setup);
	if (!dev) {
		snprintf(err, errlen, "NIC %u: cannot allocate switch '%s'",
			 index, name);
		return ERR_PTR(-ENOMEM);
	}
	dev_net_set(dev, net);
	sw = netdev_priv(dev);
	sw->dev = dev;
	INIT_LIST_HEAD(&sw->ports);
	eth_hw_addr_random(dev);
	ret = register_netdev(dev);
	if (ret) {
		snprintf(err, errlen, "NIC %u: cannot register switch '%s' (error %d)",
			 index, name, ret);
		free_netdev(dev);
		return ERR_PTR(ret);
	}
	netif_carrier_on(dev);
	return sw;
}

/* Make @nic a port of switch @name; 0, or -errno with a sentence. */
static int switch_join(struct denali_nic *nic, const char *name, char *err,
		       size_t errlen)
{
	struct denali_switch *sw;
	int ret = 0;

	mutex_lock(&switch_mutex);
	sw = switch_get(name, nic->index, err, errlen);
	if (IS_ERR(sw)) {
		ret = PTR_ERR(sw);
		goto out;
	}
	if (switch_lookup(sw, nic->mac)) {
		snprintf(err, errlen, "NIC %u: MAC %pM is already a port of switch '%s'",
			 nic->index, nic->mac, name);
		if (!sw->nports)	/* just made for this port */
			unregister_netdev(sw->dev);
		ret = -EEXIST;
		goto out;
	}
	nic->sw = sw;
	hlist_add_head_rcu(&nic->hash_node, switch_bucket(sw, nic->mac));
	list_add_tail_rcu(&nic->port_node, &sw->ports);
	WRITE_ONCE(sw->nports, sw->nports + 1);
out:
	mutex_unlock(&switch_mutex);
	return ret;
}

/*
 * Take @nic out of its switch; the last port takes the uplink with it.
 * The caller waits for an RCU grace period before freeing @nic.
 */
static void switch_leave(struct denali_nic *nic)
{
	struct denali_switch *sw = nic->sw;

	mutex_lock(&switch_mutex);
	hlist_del_rcu(&nic->hash_node);
	list_del_rcu(&nic->port_node);
	WRITE_ONCE(sw->nports, sw->nports - 1);
	/* Waits for the uplink's transmits; frees it and @sw. */
	if (!sw->nports)
		unregister_netdev(sw->dev);
	mutex_unlock(&switch_mutex);
}
