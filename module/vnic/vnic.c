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

struct denali_nic {
	struct net_device *dev;
	struct denali_vm *vm;
	unsigned int index;

	/* Set once by net_setup, then published by @ready. */
	bool ready;
	u32 ring_size;
	struct denali_net_ring *tx, *rx;

	/* Linux to guest: under the device's transmit lock. */
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

	/* A ring fault seen in ndo_start_xmit, for the VM's thread. */
	atomic_t faulted;
	char fault[sizeof(((struct denali_crash *)0)->description)];
};

/* ---- 1. counters ------------------------------------------------------- */

struct nic_counters {
	u64 to_guest_packets, to_guest_bytes, drop_no_buffer, drop_too_big,
	    drop_not_ready, irqs;
	u64 from_guest_packets, from_guest_bytes, from_guest_dropped, kicks;
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

static netdev_tx_t denali_nic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct denali_nic *nic = netdev_priv(dev);
	struct denali_net_ring *ring = nic->rx;
	struct denali_net_desc *d;
	u32 avail, used, size, cap, len = skb->len;
	bool irq = false;
	u64 addr, refused;
	u8 *dst;

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
		goto drop;
	}
	d = &ring->desc[used & (size - 1)];
	addr = READ_ONCE(d->addr);
	cap = READ_ONCE(d->len);
	if (len > cap) {
		u64_stats_update_begin(&nic->rx_sync);
		nic->drop_too_big++;
		u64_stats_update_end(&nic->rx_sync);
		goto drop;
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
	if (skb_copy_bits(skb, 0, dst, len))
		goto drop_not_ready;
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
	if (READ_ONCE(ring->irq_at) == used - 1)
		irq = true;
	if (irq) {
		u64_stats_update_begin(&nic->rx_sync);
		nic->irqs++;
		u64_stats_update_end(&nic->rx_sync);
		denali_irq_raise(nic->vm, DENALI_IRQ_NET);
	}
	consume_skb(skb);
	return NETDEV_TX_OK;

	/* Rings not set up, or found broken: every frame lost is counted. */
drop_not_ready:
	u64_stats_update_begin(&nic->rx_sync);
	nic->drop_not_ready++;
	u64_stats_update_end(&nic->rx_sync);
drop:
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* ---- 3. guest to Linux ------------------------------------------------ */

/* Send every frame queued on @nic's transmit ring; the count or -errno. */
static int nic_transmit(struct denali_nic *nic)
{
	struct denali_net_ring *ring = nic->tx;
	struct net_device *dev = nic->dev;
	struct denali_vm *vm = nic->vm;
	u32 avail, size = nic->ring_size, len, slot;
	u64 addr;
	int sent = 0, dropped = 0;
	struct sk_buff *skb;
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
		if (len < DENALI_NET_HLEN ||
		    len > READ_ONCE(dev->mtu) + VLAN_ETH_HLEN) {
			denali_crash_net(vm, "nic%u tx desc %u: len %u not in [14, %u]",
					 nic->index, slot, len,
					 READ_ONCE(dev->mtu) + VLAN_ETH_HLEN);
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
		skb = netif_running(dev) ? netdev_alloc_skb(dev, len) : NULL;
		if (!skb) {
			dropped++;
			continue;
		}
		skb_put_data(skb, src, len);
		skb->protocol = eth_type_trans(skb, dev);
		/*
		 * Counted before Linux has it: netif_rx() may deliver it
		 * (and a reader see it) before returning.  Taken back in
		 * the rare case that the backlog is full.
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
			dropped++;
			continue;
		}
		sent++;
	}
	/* The frames were copied before the guest may reuse their slots. */
	smp_store_release(&ring->used, nic->tx_used);

	u64_stats_update_begin(&nic->tx_sync);
	nic->from_guest_dropped += dropped;
	u64_stats_update_end(&nic->tx_sync);
	return sent + dropped;
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

	rtnl_lock();
	nic->dev->max_mtu = s.max_mtu;
	if (nic->dev->mtu > s.max_mtu)
		dev_set_mtu(nic->dev, s.max_mtu);
	rtnl_unlock();
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

	if ((cfg->flags & ~DENALI_NIC_MAC) || cfg->pad[0] || cfg->pad[1] ||
	    cfg->pad2 || cfg->reserved[0] || cfg->reserved[1]) {
		snprintf(err, errlen, "NIC %u: flags, pad and reserved fields must be zero",
			 index);
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

static struct denali_nic *nic_create(struct denali_vm *vm, unsigned int index,
				     const struct denali_nic_config *cfg,
				     char *err, size_t errlen)
{
	struct denali_nic_info *info = &vm->vro->nics[index];
	struct net_device *dev;
	struct denali_nic *nic;
	u8 mac[ETH_ALEN], host_mac[ETH_ALEN];
	char name[IFNAMSIZ];
	int ret;

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
	nic->vm = vm;
	nic->index = index;
	u64_stats_init(&nic->rx_sync);
	u64_stats_init(&nic->tx_sync);
	if (cfg->flags & DENALI_NIC_MAC)
		memcpy(mac, cfg->mac, ETH_ALEN);
	else
		nic_default_mac(vm, index, mac);
	/*
	 * The interface is the host's end of the cable, not the guest's NIC:
	 * it has a MAC of its own, the guest's with the first byte 0xfe (as
	 * libvirt gives tap devices).  A bridge adds each port's own MAC as
	 * a local address: with the guest's, frames for the guest would stop
	 * at the host instead of being forwarded to it.
	 */
	memcpy(host_mac, mac, ETH_ALEN);
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
	memcpy(info->mac, mac, ETH_ALEN);
	info->mtu = dev->mtu;
	info->ring_max = DENALI_NET_RING_MAX;
	if (!index)
		memcpy(vm->vro->mac, mac, ETH_ALEN);
	netif_carrier_on(dev);
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
	}
	mutex_unlock(&vm->nic_lock);
	return 0;
}

void denali_vnic_remove(struct denali_vm *vm)
{
	struct net_device *devs[DENALI_NIC_MAX];
	unsigned int i, n = 0;

	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++) {
		if (vm->nics[i]) {
			devs[n++] = vm->nics[i]->dev;
			vm->nics[i] = NULL;
		}
	}
	mutex_unlock(&vm->nic_lock);
	/* Waits for every ndo_start_xmit; frees each device (needs_free). */
	for (i = 0; i < n; i++)
		unregister_netdev(devs[i]);
}

void denali_vnic_carrier_off(struct denali_vm *vm)
{
	unsigned int i;

	if (!vm->nic_count)
		return;
	mutex_lock(&vm->nic_lock);
	for (i = 0; i < vm->nic_count; i++)
		if (vm->nics[i])
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
