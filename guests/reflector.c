// SPDX-License-Identifier: GPL-2.0
/*
 * reflector: send every Ethernet frame back where it came from.
 *
 *   reflector [sink]
 *
 * Every NIC of the VM is set up with 128-descriptor rings and
 * 1514-byte buffers.  Each frame received for the NIC's own MAC (it is no
 * promiscuous NIC: others are dropped) is sent back out of the same NIC
 * with its source and destination MACs swapped, except frames of
 * EtherType 0x88b5 (REFLECTOR_HOPS_TYPE), whose first payload byte is a
 * hop count: one with 0 hops left is dropped, others go back with one hop
 * less.  Two reflectors on one bridge thus pass such a frame back and
 * forth exactly as many times as it says, and no more.  Frames are sent
 * in batches: one kick for everything one pass received.  With nothing
 * to do it idles until DENALI_IRQ_NET, making no exit at all.
 *
 * With "sink", it posts its receive buffers and never reads them: a
 * guest that does not keep up, for the tests of the host's drops.
 *
 * With "spoof", every reflection carries a source MAC that is not the
 * NIC's (its last byte flipped): a guest lying about who it is, which
 * the module's switch must drop (selftests/switch_test.c).
 *
 * With "poll", it is a guest that expects a steady stream, as a busy
 * server is: after a pass that found frames it keeps polling instead of
 * idling, and kicks only once POLL_BATCH reflections are queued; after
 * POLL_SPINS passes that found nothing it arms its interrupts and idles
 * (and idling sends what is still queued, without a kick).  At
 * saturation a kick then carries POLL_BATCH frames and no interrupt is
 * taken: crossings per frame fall towards 1 / POLL_BATCH (bench/net.sh
 * measures it).  It costs a CPU while it spins, so only benchmarks use it.
 *
 * Prints "reflector: N NICs up" once set up; runs until destroyed.
 */
#include <ilwaco/ilwaco.h>
#include <ilwaco/net.h>

/*
 * Descriptors per ring and NICs it can drive: the memory for them is
 * static, so a build for very many small VMs (selftests/guests/net_small.c)
 * defines smaller ones before including this file.
 */
#ifndef RING
#define RING		128
#endif
#ifndef REFLECTOR_NICS
#define REFLECTOR_NICS	DENALI_NIC_MAX
#endif
#define BUF		1514
#define REFLECTOR_HOPS_TYPE 0x88b5
/* "poll": reflections per kick, and empty passes before idling. */
#define POLL_BATCH	32
#define POLL_SPINS	20000

static struct ilwaco_nic nics[REFLECTOR_NICS];
static int spoof;
static unsigned char mem[REFLECTOR_NICS][RING * 2 * BUF + 2 * 8192]
	__aligned(64);

/*
 * Reflect one frame that arrived on NIC @index into a transmit buffer;
 * its length, or 0 to drop it.
 */
static unsigned int reflect(unsigned int index, const unsigned char *in,
			    unsigned int len, unsigned char *out)
{
	unsigned char mac[6];
	unsigned int type;

	/* The MAC now: the operator may have changed it. */
	ilwaco_nic_mac(index, mac);
	if (len < DENALI_NET_HLEN || memcmp(in, mac, 6))
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, in, 6);
	if (spoof)
		out[11] ^= 1;
	memcpy(out + 12, in + 12, len - 12);
	type = (unsigned int)in[12] << 8 | in[13];
	if (type == REFLECTOR_HOPS_TYPE) {
		if (len == DENALI_NET_HLEN || !in[DENALI_NET_HLEN])
			return 0;
		out[DENALI_NET_HLEN]--;
	}
	return len;
}

/*
 * Reflect all that has arrived on @nic, and kick if @batch reflections
 * or more are waiting to go; how many frames it took.
 */
static unsigned int reflect_all(struct ilwaco_nic *nic, unsigned int batch)
{
	unsigned int n = 0, len, out_len;
	unsigned char *frame, *out;

	while (ilwaco_net_recv(nic, &frame, &len)) {
		out = ilwaco_net_tx_buf(nic);
		if (!out) {		/* every slot in flight: send them */
			ilwaco_net_kick(nic);
			continue;
		}
		out_len = reflect(nic->index, frame, len, out);
		if (out_len)
			ilwaco_net_queue(nic, out_len);
		ilwaco_net_recv_done(nic);
		n++;
	}
	if (nic->tx_avail - nic->tx_kicked >= batch)
		ilwaco_net_kick(nic);
	return n;
}

int main(int argc, char **argv)
{
	unsigned int count = ilwaco_nic_count(), i, busy;
	int sink = argc > 1 && !strcmp(argv[1], "sink");
	int poll = argc > 1 && !strcmp(argv[1], "poll");
	unsigned int batch = poll ? POLL_BATCH : 1, spins = 0;
	int ret;

	spoof = argc > 1 && !strcmp(argv[1], "spoof");

	if (!count || count > REFLECTOR_NICS) {
		printf("reflector: %u NICs, not 1 to %u\n", count,
		       REFLECTOR_NICS);
		return 1;
	}
	for (i = 0; i < count; i++) {
		ret = ilwaco_net_init(&nics[i], i, RING, BUF, mem[i],
				      sizeof(mem[i]));
		if (ret) {
			printf("reflector: NIC %u: net_setup failed (%d)\n", i,
			       ret);
			return 1;
		}
	}
	printf("reflector: %u NICs up%s\n", count,
	       sink ? " (sink)" : poll ? " (poll)" : "");
	for (;;) {
		busy = 0;
		for (i = 0; i < count && !sink; i++)
			busy += reflect_all(&nics[i], batch);
		if (busy) {
			spins = 0;
			continue;
		}
		if (poll && ++spins < POLL_SPINS)
			continue;
		spins = 0;
		/* Ask for an interrupt on every NIC, then sleep unless one came. */
		for (i = 0; i < count && !sink; i++)
			busy += ilwaco_net_arm(&nics[i]);
		if (!busy)
			ilwaco_idle(DENALI_IDLE_FOREVER);
		ilwaco_irq_take();
	}
}
