// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching a VM's interface to a Linux bridge, through rtnetlink with
 * libnl-route: what `ip link set dev IF master BR up` does, without
 * running `ip`, and with errors that name the bridge.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "denalictl.h"

int attach_to_bridge(const char *ifname, const char *bridge, char *err,
		     size_t errlen)
{
	struct rtnl_link *br = NULL, *link = NULL, *change = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		return -ENOMEM;
	}
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret) {
		snprintf(err, errlen, "cannot reach rtnetlink: %s",
			 nl_geterror(ret));
		goto out;
	}
	ret = rtnl_link_get_kernel(sk, 0, bridge, &br);
	if (ret) {
		snprintf(err, errlen, "bridge '%s' does not exist (create it with: ip link add %s type bridge)",
			 bridge, bridge);
		goto out;
	}
	if (!rtnl_link_is_bridge(br)) {
		snprintf(err, errlen, "'%s' is not a bridge", bridge);
		ret = -EINVAL;
		goto out;
	}
	ret = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (ret) {
		snprintf(err, errlen, "the VM's interface '%s' is gone", ifname);
		goto out;
	}
	ret = rtnl_link_enslave(sk, br, link);
	if (ret) {
		snprintf(err, errlen, "cannot attach '%s' to bridge '%s': %s",
			 ifname, bridge, nl_geterror(ret));
		goto out;
	}
	change = rtnl_link_alloc();
	if (!change) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rtnl_link_set_flags(change, IFF_UP);
	ret = rtnl_link_change(sk, link, change, 0);
	if (ret)
		snprintf(err, errlen, "cannot bring '%s' up: %s", ifname,
			 nl_geterror(ret));
out:
	rtnl_link_put(change);
	rtnl_link_put(link);
	rtnl_link_put(br);
	nl_socket_free(sk);
	return ret ? -EIO : 0;
}
