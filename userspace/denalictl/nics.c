// SPDX-License-Identifier: GPL-2.0
/*
 * Which interfaces are a VM's NICs, and their counters, for `list` and
 * `stats`: asked of Linux, not of /dev/denali.
 *
 * Each NIC is a net_device of driver "denali" whose ethtool bus_info is
 * "vm<ID>/nic<K>" (module/vnic/vnic.c), so the interfaces themselves say
 * whose they are, under whatever name the operator has given them since;
 * the module's ABI needs no call for it.  The counters are the ones any
 * tool reads: the device's (rtnetlink, through libnl-route, as `ip -s
 * link`) and the driver's own (`ethtool -S`, SIOCETHTOOL).  Only the
 * caller's network namespace is seen: a NIC moved to another one is
 * listed by `ip netns exec NS denalictl list`, not here.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "denalictl.h"
#include "format.h"
#include "parse.h"

static int ethtool(int sk, const char *ifname, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	return ioctl(sk, SIOCETHTOOL, &ifr) ? -errno : 0;
}

/*
 * Whether @ifname is a VM's NIC: 0 with @nic's vm_id and index set, and
 * *@n_stats the driver's counter count; -ENODEV for any other interface.
 */
static int nic_identity(int sk, const char *ifname,
			struct denali_nic_view *nic, unsigned int *n_stats)
{
	struct ethtool_drvinfo info;

	memset(&info, 0, sizeof(info));
	info.cmd = ETHTOOL_GDRVINFO;
	if (ethtool(sk, ifname, &info))
		return -ENODEV;
	info.driver[sizeof(info.driver) - 1] = '\0';
	info.bus_info[sizeof(info.bus_info) - 1] = '\0';
	if (strcmp(info.driver, "denali") ||
	    parse_nic_bus_info(info.bus_info, &nic->vm_id, &nic->index))
		return -ENODEV;
	*n_stats = info.n_stats;
	return 0;
}

/* The driver's counters (ethtool -S) into @nic; 0 or -errno. */
static int nic_ethtool_stats(int sk, struct denali_nic_view *nic,
			     unsigned int n)
{
	struct ethtool_gstrings *names;
	struct ethtool_stats *vals;
	unsigned int i;
	int ret = -ENOMEM;

	/* Far more than the driver has: an answer this big is not ours. */
	if (!n || n > 1024)
		return n ? -EINVAL : 0;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	nic->keys = calloc(n, sizeof(*nic->keys));
	nic->values = calloc(n, sizeof(*nic->values));
	if (!names || !vals || !nic->keys || !nic->values)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	ret = ethtool(sk, nic->ifname, names);
	if (!ret)
		ret = ethtool(sk, nic->ifname, vals);
	if (ret)
		goto out;
	/* The kernel says how many it wrote; never more than asked. */
	if (names->len < n)
		n = names->len;
	if (vals->n_stats < n)
		n = vals->n_stats;
	for (i = 0; i < n; i++) {
		memcpy(nic->keys[i], names->data + i * ETH_GSTRING_LEN,
		       ETH_GSTRING_LEN);
		nic->keys[i][DENALI_NIC_KEY_MAX - 1] = '\0';
		nic->values[i] = vals->data[i];
	}
	nic->nkeys = n;
out:
	free(names);
	free(vals);
	return ret;
}

static void nic_link_stats(struct rtnl_link *link, struct denali_nic_view *nic)
{
	nic->rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
	nic->rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
	nic->rx_dropped = rtnl_link_get_stat(link, RTNL_LINK_RX_DROPPED);
	nic->tx_packets = rtnl_link_get_stat(link, RTNL_LINK_TX_PACKETS);
	nic->tx_bytes = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
	nic->tx_dropped = rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED);
}

static int by_vm_then_index(const void *a, const void *b)
{
	const struct denali_nic_view *x = a, *y = b;

	if (x->vm_id != y->vm_id)
		return x->vm_id < y->vm_id ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

void free_vm_nics(struct denali_nic_view *nics, size_t n)
{
	size_t i;

	for (i = 0; nics && i < n; i++) {
		free(nics[i].keys);
		free(nics[i].values);
	}
	free(nics);
}

int find_vm_nics(long vm_id, bool counters, struct denali_nic_view **out,
		 size_t *count)
{
	struct denali_nic_view *nics = NULL, *bigger, nic;
	struct nl_sock *nl = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	size_t n = 0, cap = 0;
	unsigned int n_stats;
	int sk = -1, ret;

	if (!nl)
		return -ENOMEM;
	ret = nl_connect(nl, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_link_alloc_cache(nl, AF_UNSPEC, &cache);
	if (ret) {
		ret = -EIO;
		goto out;
	}
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		ret = -errno;
		goto out;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(link);

		memset(&nic, 0, sizeof(nic));
		if (!name || strlen(name) >= sizeof(nic.ifname))
			continue;
		snprintf(nic.ifname, sizeof(nic.ifname), "%s", name);
		if (nic_identity(sk, nic.ifname, &nic, &n_stats))
			continue;
		if (vm_id >= 0 && nic.vm_id != (unsigned long)vm_id)
			continue;
		if (counters) {
			nic_link_stats(link, &nic);
			/* Gone meanwhile, or unreadable: the device counters stay. */
			if (nic_ethtool_stats(sk, &nic, n_stats)) {
				free(nic.keys);
				free(nic.values);
				nic.keys = NULL;
				nic.values = NULL;
				nic.nkeys = 0;
			}
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			bigger = realloc(nics, cap * sizeof(*nics));
			if (!bigger) {
				free(nic.keys);
				free(nic.values);
				ret = -ENOMEM;
				goto out;
			}
			nics = bigger;
		}
		nics[n++] = nic;
	}
	if (n)
		qsort(nics, n, sizeof(*nics), by_vm_then_index);
	*out = nics;
	*count = n;
	nics = NULL;
	n = 0;
	ret = 0;
out:
	free_vm_nics(nics, n);
	if (sk >= 0)
		close(sk);
	nl_cache_free(cache);
	nl_socket_free(nl);
	return ret;
}

/*
 * A port of the module's switch has no interface to ask: its counters
 * come from the module, in the view an interface's would have.
 */
static int port_view(const struct denali_nic_stats *st, unsigned int vm_id,
		     struct denali_nic_view *nic)
{
	static const char *const names[] = {
		"to_guest_packets", "to_guest_bytes", "drop_no_buffer",
		"drop_too_big", "drop_not_ready", "irqs", "from_guest_packets",
		"from_guest_bytes", "from_guest_dropped", "kicks",
		"drop_spoofed",
	};
	const __u64 values[] = {
		st->to_guest_packets, st->to_guest_bytes, st->drop_no_buffer,
		st->drop_too_big, st->drop_not_ready, st->irqs,
		st->from_guest_packets, st->from_guest_bytes,
		st->from_guest_dropped, st->kicks, st->drop_spoofed,
	};
	unsigned int i, n = ARRAY_SIZE(names);

	memset(nic, 0, sizeof(*nic));
	nic->vm_id = vm_id;
	nic->index = st->nic;
	nic->switch_port = true;
	memcpy(nic->ifname, st->ifname, sizeof(nic->ifname));
	nic->ifname[sizeof(nic->ifname) - 1] = '\0';
	nic->rx_packets = st->from_guest_packets;
	nic->rx_bytes = st->from_guest_bytes;
	nic->rx_dropped = st->from_guest_dropped + st->drop_spoofed;
	nic->tx_packets = st->to_guest_packets;
	nic->tx_bytes = st->to_guest_bytes;
	nic->tx_dropped = st->drop_no_buffer + st->drop_too_big +
			  st->drop_not_ready;
	nic->keys = calloc(n, sizeof(*nic->keys));
	nic->values = calloc(n, sizeof(*nic->values));
	if (!nic->keys || !nic->values) {
		free(nic->keys);
		free(nic->values);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		snprintf(nic->keys[i], sizeof(nic->keys[i]), "%s", names[i]);
		nic->values[i] = values[i];
	}
	nic->nkeys = n;
	return 0;
}

int add_switch_ports(int vmfd, unsigned int vm_id,
		     struct denali_nic_view **nics, size_t *n)
{
	struct denali_nic_view *bigger;
	struct denali_nic_stats st;
	unsigned int i;
	int ret;

	for (i = 0; i < DENALI_NIC_MAX; i++) {
		memset(&st, 0, sizeof(st));
		st.nic = i;
		if (ioctl(vmfd, DENALI_GET_NIC_STATS, &st)) {
			/* No such NIC, or a module before ABI 0.7: no ports. */
			if (errno == ENOENT || errno == ENOTTY)
				break;
			return -errno;
		}
		if (!(st.flags & DENALI_NIC_SWITCH))
			continue;
		bigger = realloc(*nics, (*n + 1) * sizeof(**nics));
		if (!bigger)
			return -ENOMEM;
		*nics = bigger;
		ret = port_view(&st, vm_id, &bigger[*n]);
		if (ret)
			return ret;
		(*n)++;
	}
	if (*n)
		qsort(*nics, *n, sizeof(**nics), by_vm_then_index);
	return 0;
}
