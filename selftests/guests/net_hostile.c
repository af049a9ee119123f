// SPDX-License-Identifier: GPL-2.0
/*
 * net_hostile: a guest that breaks the NIC ring contract on purpose.
 *
 *   net_hostile setup     net_setup refuses every bad request with its
 *                         errno, then accepts a good one and refuses a
 *                         second (-EBUSY); exit status 0 if all did, else
 *                         1 with the failing case printed
 *   net_hostile tx-addr   queues a frame outside guest memory, kicks:
 *                         the VM stops with a DENALI_CRASH_NET report
 *   net_hostile tx-len    queues a frame of 9 bytes, kicks: likewise
 *   net_hostile tx-avail  sets avail 1000 ahead of used, kicks: likewise
 *   net_hostile rx-addr   posts a receive buffer outside guest memory and
 *                         idles: the first frame the host sends stops it
 *
 * Needs one NIC.  Prints "net_hostile: ready" before the bad step.
 */
#include <ilwaco/ilwaco.h>
#include <ilwaco/net.h>

#define RING	4
#define BUF	1514

static struct ilwaco_nic nic;
static unsigned char mem[RING * 2 * BUF + 2 * 4096] __aligned(64);

static int setup_case(const char *what, struct denali_hc_net_setup s,
		      long want)
{
	long got = denali_hypercall1(DENALI_HC_NET_SETUP, (unsigned long)&s);

	if (got == want)
		return 0;
	printf("net_hostile: %s: %ld, expected %ld\n", what, got, want);
	return 1;
}

static int bad_setups(void)
{
	struct denali_hc_net_setup good = {
		.nic = 0, .ring_size = RING, .max_mtu = 1500,
		.tx_ring = (unsigned long)mem,
		.rx_ring = (unsigned long)mem + 4096,
	}, s;
	int bad = 0;

	s = good; s.nic = 8;
	bad += setup_case("nic 8", s, -EINVAL);
	s = good; s.nic = 1;
	bad += setup_case("nic 1 of 1", s, -EINVAL);
	s = good; s.ring_size = 3;
	bad += setup_case("ring size 3", s, -EINVAL);
	s = good; s.ring_size = 1;
	bad += setup_case("ring size 1", s, -EINVAL);
	s = good; s.ring_size = 8192;
	bad += setup_case("ring size 8192", s, -EINVAL);
	s = good; s.max_mtu = 67;
	bad += setup_case("max_mtu 67", s, -EINVAL);
	s = good; s.max_mtu = 9001;
	bad += setup_case("max_mtu 9001", s, -EINVAL);
	s = good; s.flags = 1;
	bad += setup_case("flags", s, -EINVAL);
	s = good; s.reserved[1] = 1;
	bad += setup_case("reserved", s, -EINVAL);
	s = good; s.tx_ring = (unsigned long)mem + 8;
	bad += setup_case("unaligned ring", s, -EFAULT);
	s = good; s.rx_ring = DENALI_GUEST_VREGS_RO;
	bad += setup_case("ring on the read-only page", s, -EFAULT);
	s = good; s.rx_ring = ilwaco_mem_size - 64;
	bad += setup_case("ring past the end of memory", s, -EFAULT);
	s = good; s.tx_ring = 0x10000;
	bad += setup_case("ring on the image's text", s, -EFAULT);
	if (denali_hypercall1(DENALI_HC_NET_SETUP, 0x3000) != -EFAULT) {
		printf("net_hostile: setup struct in a reserved page accepted\n");
		bad++;
	}
	bad += setup_case("good", good, 0);
	bad += setup_case("again", good, -EBUSY);
	if (denali_hypercall1(DENALI_HC_NET_KICK, 1) != -EINVAL) {
		printf("net_hostile: kick of NIC 1 accepted\n");
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned char *buf;
	int ret;

	if (!strcmp(mode, "setup"))
		return bad_setups() ? 1 : 0;
	ret = ilwaco_net_init(&nic, 0, RING, BUF, mem, sizeof(mem));
	if (ret) {
		printf("net_hostile: net_setup failed (%d)\n", ret);
		return 1;
	}
	printf("net_hostile: ready\n");
	if (!strcmp(mode, "rx-addr")) {
		nic.rx->desc[0].addr = ilwaco_mem_size + 4096;
		for (;;)
			ilwaco_idle(DENALI_IDLE_FOREVER);
	}
	buf = ilwaco_net_tx_buf(&nic);
	memset(buf, 0xff, 60);
	if (!strcmp(mode, "tx-addr")) {
		ilwaco_net_queue(&nic, 60);
		nic.tx->desc[0].addr = 0x3000;
	} else if (!strcmp(mode, "tx-len")) {
		ilwaco_net_queue(&nic, 9);
	} else if (!strcmp(mode, "tx-avail")) {
		nic.tx->avail = 1000;
	} else {
		printf("net_hostile: unknown mode '%s'\n", mode);
		return 2;
	}
	ilwaco_net_kick(&nic);
	printf("net_hostile: still running after the kick\n");
	return 3;
}
