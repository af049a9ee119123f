// SPDX-License-Identifier: GPL-2.0
/*
 * switch_test: the module's own switch (`--nic switch=NAME`, ABI 0.7).
 *
 * A VM's NIC that is a port of switch NAME has no interface of its own:
 * the switch has one uplink interface, NAME, which Linux sees as any
 * other.  Frames go to and from the guests through a packet socket on
 * the uplink; the counters are the uplink's (sysfs, as `ip -s link`
 * reads them) and each port's own (DENALI_GET_NIC_STATS).  The guests
 * are net_small (guests/reflector in 1 MiB: every frame for its MAC
 * back, MACs swapped; "spoof": with a source MAC that is not its own).
 * Every count is exact; the only waits are bounded polls for a count.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "denali_util.h"
#include "denali_net.h"

#define MEM		(1ull << 20)
#define SW		"dnsw0"
#define ECHO_TYPE	0x88b6		/* reflected as it is */
#define HOPS_TYPE	0x88b5		/* reflected with one hop less */
#define MANY		100
#define READY		"NICs up"

/* ---- VMs whose NICs are switch ports, each run by a thread ------------- */

struct sw_vm {
	int fd;
	uint32_t id;
	pthread_t thread;
	atomic_int stop, done;
	struct denali_run run;
};

static void on_kick(int sig)
{
}

static void *sw_vm_main(void *arg)
{
	struct sw_vm *v = arg;

	while (!atomic_load(&v->stop))
		if (denali_run(v->fd, &v->run) != -EINTR)
			break;
	atomic_store(&v->done, 1);
	return NULL;
}

/* One NIC config: a port of @sw (NULL: its own interface), @mac or not. */
static void port_config(struct denali_nic_config *c, const char *sw,
			const uint8_t *mac)
{
	memset(c, 0, sizeof(*c));
	if (sw) {
		c->flags |= DENALI_NIC_SWITCH;
		snprintf(c->switch_name, sizeof(c->switch_name), "%s", sw);
	}
	if (mac) {
		c->flags |= DENALI_NIC_MAC;
		memcpy(c->mac, mac, 6);
	}
}

/*
 * Create a net_small VM with the one NIC @cfg and boot argument @arg
 * (or none); with @ready, start its runner and wait until the console
 * says so.  0 or -errno, the module's sentence in @err.
 */
static int sw_vm_start(struct sw_vm *v, const struct denali_nic_config *cfg,
		       const char *arg, bool ready, char *err)
{
	const char *argv[2] = { "net_small", arg };
	struct denali_create_vm c;
	char args[64], buf[1024];
	size_t got = 0;
	int img, dev, i;
	ssize_t n;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	img = denali_guest_image("net_small");
	if (img < 0)
		return img;
	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.image_fd = img;
	if (arg) {
		c.args = (uintptr_t)args;
		c.args_len = denali_pack_args(args, sizeof(args), argv, 2);
	}
	c.nics = (uintptr_t)cfg;
	c.nic_count = 1;
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	v->fd = ioctl(dev, DENALI_CREATE_VM, &c);
	if (v->fd < 0)
		v->fd = -errno;
	close(dev);
	close(img);
	if (err)
		memcpy(err, c.error, DENALI_ERROR_MAX);
	if (v->fd < 0)
		return v->fd;
	v->id = c.id;
	if (!ready)
		return 0;
	if (pthread_create(&v->thread, NULL, sw_vm_main, v)) {
		close(v->fd);
		v->fd = -1;
		return -EAGAIN;
	}
	for (i = 0; i < 6000; i++) {
		n = read(v->fd, buf + got, sizeof(buf) - 1 - got);
		if (n > 0)
			got += n;
		buf[got] = '\0';
		if (strstr(buf, READY))
			return 0;
		if (atomic_load(&v->done))
			break;
		denali_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* Stop the runner, if any, and close the VM (its port leaves). */
static void sw_vm_end(struct sw_vm *v)
{
	int i;

	if (v->fd < 0)
		return;
	if (v->thread) {
		atomic_store(&v->stop, 1);
		for (i = 0; i < 1000 && !atomic_load(&v->done); i++) {
			pthread_kill(v->thread, SIGUSR1);
			denali_sleep_ms(5);
		}
		pthread_join(v->thread, NULL);
	}
	close(v->fd);
	v->fd = -1;
}

/* NIC 0's counters from the module; the struct is zero on failure. */
static struct denali_nic_stats port_stats(struct sw_vm *v)
{
	struct denali_nic_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(v->fd, DENALI_GET_NIC_STATS, &st))
		memset(&st, 0, sizeof(st));
	return st;
}

/* ---- the uplink: counters and a packet socket -------------------------- */

/* Poll (bounded) until @v's port has put @want frames into its ring. */
static unsigned long long wait_to_guest(struct sw_vm *v,
					unsigned long long want)
{
	unsigned long long got = 0;
	int i;

	for (i = 0; i < 500; i++) {
		got = port_stats(v).to_guest_packets;
		if (got >= want)
			break;
		denali_sleep_ms(10);
	}
	return got;
}

static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- tests ------------------------------------------------------------ */

FIXTURE(sw) {
	struct sw_vm vm[3];
	struct sw_vm *many;
	int nmany;
	int s;
};

FIXTURE_SETUP(sw)
{
	struct sigaction sa = { .sa_handler = on_kick };
	int i;

	for (i = 0; i < 3; i++)
		self->vm[i].fd = -1;
	self->many = NULL;
	self->nmany = 0;
	self->s = -1;
	ASSERT_EQ(0, denali_ensure_loaded());
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	if (system("ip -V >/dev/null 2>&1"))
		SKIP(return, "no iproute2 here");
	/* The host's IPv6 chatter would be frames to the guests too. */
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null");
}

FIXTURE_TEARDOWN(sw)
{
	int i;

	if (self->s >= 0)
		close(self->s);
	for (i = 0; i < 3; i++)
		sw_vm_end(&self->vm[i]);
	for (i = 0; i < self->nmany; i++)
		sw_vm_end(&self->many[i]);
	free(self->many);
	denali_sh("ip netns del dnswtest >/dev/null 2>&1");
}

/* Start @n VMs on switch SW (@arg for the first only); their MACs. */
static int start_ports(struct __test_metadata *_metadata, struct sw_vm *vms,
		       int n, const char *arg, uint8_t macs[][6])
{
	struct denali_nic_config cfg;
	char err[DENALI_ERROR_MAX];
	int i, ret;

	for (i = 0; i < n; i++) {
		port_config(&cfg, SW, NULL);
		ret = sw_vm_start(&vms[i], &cfg, i ? NULL : arg, true, err);
		if (ret) {
			TH_LOG("VM %d: %s (%s)", i, strerror(-ret), err);
			return ret;
		}
		memcpy(macs[i], port_stats(&vms[i]).mac, 6);
	}
	return 0;
}

/* Linux <-> a guest through the uplink, every size, byte-exact. */
TEST_F_TIMEOUT(sw, echo_through_the_uplink, 300)
{
	uint8_t mac[1][6], out[DENALI_FRAME_MAX], in[DENALI_FRAME_BUF];
	struct denali_nic_stats st;
	unsigned int len, sent = 0;
	int n;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 1, NULL, mac));
	st = port_stats(&self->vm[0]);
	EXPECT_EQ(DENALI_NIC_SWITCH, st.flags);
	EXPECT_STREQ(SW, st.ifname);
	/* The port has no interface: the VM's id names none. */
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	for (len = 60; len <= DENALI_FRAME_MAX; len += 227) {
		denali_make_frame(out, len, mac[0], host_mac, ECHO_TYPE, len);
		ASSERT_EQ(len, send(self->s, out, len, 0));
		sent++;
		n = denali_recv_type(self->s, in, ECHO_TYPE, 5000);
		ASSERT_EQ(len, n);
		EXPECT_EQ(0, memcmp(in, host_mac, 6));
		EXPECT_EQ(0, memcmp(in + 6, mac[0], 6));
		EXPECT_EQ(0, memcmp(in + 12, out + 12, len - 12));
	}
	st = port_stats(&self->vm[0]);
	EXPECT_EQ(sent, st.to_guest_packets);
	EXPECT_EQ(sent, st.from_guest_packets);
	EXPECT_EQ(sent, denali_if_counter(SW, "tx_packets"));
	EXPECT_EQ(sent, denali_if_counter(SW, "rx_packets"));
}

/*
 * Guest to guest inside the switch: a frame of 4 hops sent to A "from
 * B" goes A -> B -> A -> B -> A (the last, with 0 hops, dropped by A),
 * and not one of those frames touches the uplink.
 */
TEST_F_TIMEOUT(sw, guest_to_guest_stays_inside, 300)
{
	uint8_t mac[2][6], f[64];
	unsigned long long rx0, tx0;
	struct denali_nic_stats a, b;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 2, NULL, mac));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	rx0 = denali_if_counter(SW, "rx_packets");
	tx0 = denali_if_counter(SW, "tx_packets");
	denali_make_frame(f, 64, mac[0], mac[1], HOPS_TYPE, 0);
	f[14] = 4;
	ASSERT_EQ(64, send(self->s, f, 64, 0));
	EXPECT_EQ(3, wait_to_guest(&self->vm[0], 3));
	EXPECT_EQ(2, wait_to_guest(&self->vm[1], 2));
	/* Nothing more comes: the counts are final. */
	denali_sleep_ms(300);
	a = port_stats(&self->vm[0]);
	b = port_stats(&self->vm[1]);
	EXPECT_EQ(3, a.to_guest_packets);
	EXPECT_EQ(2, a.from_guest_packets);
	EXPECT_EQ(2, b.to_guest_packets);
	EXPECT_EQ(2, b.from_guest_packets);
	/* One frame in from Linux; none out to it. */
	EXPECT_EQ(tx0 + 1, denali_if_counter(SW, "tx_packets"));
	EXPECT_EQ(rx0, denali_if_counter(SW, "rx_packets"));
}

/*
 * Broadcast: from Linux it reaches every port; from a guest, every other
 * port and the uplink.  Guest A reflects a frame whose source was the
 * broadcast address: its reflection is a broadcast from A.
 */
TEST_F_TIMEOUT(sw, broadcast_reaches_every_port_and_the_uplink, 300)
{
	uint8_t mac[3][6], f[64], in[DENALI_FRAME_BUF];
	unsigned long long rx0;
	int i;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 3, NULL, mac));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);

	/* 1. Linux's broadcast: one copy in each ring (no one answers). */
	denali_make_frame(f, 64, bcast, host_mac, ECHO_TYPE, 1);
	ASSERT_EQ(64, send(self->s, f, 64, 0));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, wait_to_guest(&self->vm[i], 1));

	/* 2. A guest's broadcast. */
	rx0 = denali_if_counter(SW, "rx_packets");
	denali_make_frame(f, 64, mac[0], bcast, ECHO_TYPE, 2);
	ASSERT_EQ(64, send(self->s, f, 64, 0));
	ASSERT_EQ(64, denali_recv_type(self->s, in, ECHO_TYPE, 5000));
	EXPECT_EQ(0, memcmp(in, bcast, 6));
	EXPECT_EQ(0, memcmp(in + 6, mac[0], 6));
	EXPECT_EQ(2, wait_to_guest(&self->vm[1], 2));
	EXPECT_EQ(2, wait_to_guest(&self->vm[2], 2));
	denali_sleep_ms(300);
	EXPECT_EQ(2, port_stats(&self->vm[0]).to_guest_packets);
	EXPECT_EQ(1, port_stats(&self->vm[0]).from_guest_packets);
	EXPECT_EQ(2, port_stats(&self->vm[1]).to_guest_packets);
	EXPECT_EQ(2, port_stats(&self->vm[2]).to_guest_packets);
	EXPECT_EQ(rx0 + 1, denali_if_counter(SW, "rx_packets"));
}

/* A MAC no port has: dropped and counted on the uplink, no port sees it. */
TEST_F_TIMEOUT(sw, unknown_unicast_dropped_and_counted, 300)
{
	static const uint8_t nobody[6] = { 0x02, 0xde, 0xad, 0, 0, 1 };
	uint8_t mac[2][6], f[64];
	unsigned long long drop0;
	int i;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 2, NULL, mac));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	drop0 = denali_if_counter(SW, "tx_dropped");
	denali_make_frame(f, 64, nobody, host_mac, ECHO_TYPE, 3);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(64, send(self->s, f, 64, 0));
	/* Then one the first port takes: everything before it is counted. */
	denali_make_frame(f, 64, mac[0], host_mac, ECHO_TYPE, 4);
	ASSERT_EQ(64, send(self->s, f, 64, 0));
	EXPECT_EQ(1, wait_to_guest(&self->vm[0], 1));
	EXPECT_EQ(drop0 + 5, denali_if_counter(SW, "tx_dropped"));
	EXPECT_EQ(0, port_stats(&self->vm[1]).to_guest_packets);
	EXPECT_EQ(0, port_stats(&self->vm[1]).drop_no_buffer);
}

/* A guest sending with a source MAC not its own: dropped and counted. */
TEST_F_TIMEOUT(sw, spoofed_source_dropped_and_counted, 300)
{
	uint8_t mac[1][6], f[64], in[DENALI_FRAME_BUF];
	unsigned long long rx0;
	struct denali_nic_stats st;
	int i;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 1, "spoof", mac));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	rx0 = denali_if_counter(SW, "rx_packets");
	for (i = 0; i < 3; i++) {
		denali_make_frame(f, 64, mac[0], host_mac, ECHO_TYPE, i);
		ASSERT_EQ(64, send(self->s, f, 64, 0));
	}
	EXPECT_EQ(3, wait_to_guest(&self->vm[0], 3));
	for (i = 0; i < 500 && port_stats(&self->vm[0]).drop_spoofed < 3; i++)
		denali_sleep_ms(10);
	st = port_stats(&self->vm[0]);
	EXPECT_EQ(3, st.drop_spoofed);
	EXPECT_EQ(0, st.from_guest_packets);
	EXPECT_EQ(0, denali_recv_type(self->s, in, ECHO_TYPE, 300));
	EXPECT_EQ(rx0, denali_if_counter(SW, "rx_packets"));
}

/* Bad port configs: each refused with its sentence, nothing left behind. */
TEST_F(sw, bad_port_configs_refused)
{
	static const uint8_t m[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct denali_nic_config cfg;
	struct denali_nic_stats st;
	char err[DENALI_ERROR_MAX];

	/* Two ports with one MAC: the second is refused. */
	port_config(&cfg, SW, m);
	ASSERT_EQ(0, sw_vm_start(&self->vm[0], &cfg, NULL, false, err));
	EXPECT_EQ(-EEXIST, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_NE(NULL, strstr(err, "02:11:22:33:44:55 is already a port of switch 'dnsw0'"))
		TH_LOG("%s", err);
	/* The same MAC on another switch is another matter. */
	port_config(&cfg, "dnsw1", m);
	EXPECT_EQ(0, sw_vm_start(&self->vm[2], &cfg, NULL, false, err))
		TH_LOG("%s", err);
	sw_vm_end(&self->vm[2]);
	EXPECT_EQ(0, if_nametoindex("dnsw1"));

	/* An interface that is not a switch. */
	port_config(&cfg, "lo", NULL);
	EXPECT_EQ(-EEXIST, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_STREQ("NIC 0: 'lo' is an interface but not a Denali switch", err);
	/* ifname with a switch. */
	port_config(&cfg, SW, NULL);
	strcpy(cfg.ifname, "dnx");
	EXPECT_EQ(-EINVAL, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_NE(NULL, strstr(err, "ifname 'dnx' must be empty")) TH_LOG("%s", err);
	/* A switch name without the flag, and a bad name with it. */
	port_config(&cfg, NULL, NULL);
	strcpy(cfg.switch_name, SW);
	EXPECT_EQ(-EINVAL, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_STREQ("NIC 0: switch_name is set without DENALI_NIC_SWITCH", err);
	port_config(&cfg, "a/b", NULL);
	EXPECT_EQ(-EINVAL, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_STREQ("NIC 0: 'a/b' is not a valid switch name (it names an interface)", err);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = DENALI_NIC_SWITCH;
	memset(cfg.switch_name, 'a', sizeof(cfg.switch_name));
	EXPECT_EQ(-EINVAL, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	EXPECT_STREQ("NIC 0: switch_name is not NUL-terminated within 16 bytes", err);
	cfg.flags = 1u << 2;
	memset(cfg.switch_name, 0, sizeof(cfg.switch_name));
	EXPECT_EQ(-EINVAL, sw_vm_start(&self->vm[1], &cfg, NULL, false, err));
	/* The refused VMs left the switch as it was: one port. */
	EXPECT_EQ(0, denali_sh("ethtool -S %s | grep -qx '     ports: 1'", SW));
	/* A NIC number the VM does not have; flags not zero. */
	memset(&st, 0, sizeof(st));
	st.nic = 1;
	EXPECT_EQ(-1, ioctl(self->vm[0].fd, DENALI_GET_NIC_STATS, &st));
	EXPECT_EQ(ENOENT, errno);
	st.nic = 0;
	st.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vm[0].fd, DENALI_GET_NIC_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
}

/* The uplink exists while the switch has ports, in the creator's netns. */
TEST_F_TIMEOUT(sw, uplink_follows_its_ports, 300)
{
	struct denali_nic_config cfg;
	char err[DENALI_ERROR_MAX];
	uint8_t mac[2][6];
	int self_ns, ns;

	EXPECT_EQ(0, if_nametoindex(SW));
	ASSERT_EQ(0, start_ports(_metadata, self->vm, 2, NULL, mac));
	EXPECT_NE(0, if_nametoindex(SW));
	sw_vm_end(&self->vm[0]);
	EXPECT_NE(0, if_nametoindex(SW));
	sw_vm_end(&self->vm[1]);
	EXPECT_EQ(0, if_nametoindex(SW));

	/* Made in another namespace, it is there and only there. */
	ASSERT_EQ(0, denali_sh("ip netns add dnswtest"));
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open("/run/netns/dnswtest", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self_ns);
	ASSERT_LE(0, ns);
	ASSERT_EQ(0, setns(ns, CLONE_NEWNET));
	port_config(&cfg, SW, NULL);
	EXPECT_EQ(0, sw_vm_start(&self->vm[0], &cfg, NULL, false, err));
	EXPECT_NE(0, if_nametoindex(SW));
	ASSERT_EQ(0, setns(self_ns, CLONE_NEWNET));
	EXPECT_EQ(0, if_nametoindex(SW));
	EXPECT_EQ(0, denali_sh("ip netns exec dnswtest ip link show %s >/dev/null", SW));
	sw_vm_end(&self->vm[0]);
	EXPECT_NE(0, denali_sh("ip netns exec dnswtest ip link show %s >/dev/null 2>&1", SW));
	close(ns);
	close(self_ns);
}

/* A hundred VMs behind one switch, each answering a frame through it. */
TEST_F_TIMEOUT(sw, hundred_vms_behind_one_switch, 900)
{
	uint8_t (*mac)[6] = calloc(MANY, 6), f[64], in[DENALI_FRAME_BUF];
	int i, n, answered = 0;

	ASSERT_NE(NULL, mac);
	self->many = calloc(MANY, sizeof(*self->many));
	ASSERT_NE(NULL, self->many);
	for (i = 0; i < MANY; i++)
		self->many[i].fd = -1;
	self->nmany = MANY;
	ASSERT_EQ(0, start_ports(_metadata, self->many, MANY, NULL, mac));
	EXPECT_EQ(0, denali_sh("ethtool -S %s | grep -qx '     ports: %d'", SW, MANY));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	for (i = 0; i < MANY; i++) {
		denali_make_frame(f, 64, mac[i], host_mac, ECHO_TYPE, i);
		ASSERT_EQ(64, send(self->s, f, 64, 0));
		n = denali_recv_type(self->s, in, ECHO_TYPE, 5000);
		if (n == 64 && !memcmp(in, host_mac, 6) &&
		    !memcmp(in + 6, mac[i], 6) && !memcmp(in + 14, f + 14, 50))
			answered++;
		else
			TH_LOG("VM %d did not answer", i);
	}
	EXPECT_EQ(MANY, answered);
	/* No VM answered for another. */
	EXPECT_EQ(0, denali_recv_type(self->s, in, ECHO_TYPE, 300));
	free(mac);
}

/*
 * Frames in flight every way while the VMs go: Linux floods both ports
 * (unicast and broadcast) from a child process, and frames of 255 hops
 * bounce between the two guests inside the switch.  One VM is destroyed
 * while the other's thread is delivering to it, then the other (the
 * uplink goes with it, under the sender), then the module is unloaded.
 * The kernel log must stay clean (the lane checks it).
 */
TEST_F_TIMEOUT(sw, destroy_and_rmmod_with_frames_in_flight, 300)
{
	uint8_t mac[2][6], f[3][200];
	struct denali_vm_ref ref;
	int dev, i, k, ret = -1;
	pid_t pid;

	ASSERT_EQ(0, start_ports(_metadata, self->vm, 2, NULL, mac));
	self->s = denali_packet_socket(SW);
	ASSERT_LE(0, self->s);
	denali_make_frame(f[0], 200, mac[0], mac[1], HOPS_TYPE, 0);
	f[0][14] = 255;
	denali_make_frame(f[1], 200, bcast, host_mac, ECHO_TYPE, 1);
	denali_make_frame(f[2], 200, mac[1], host_mac, ECHO_TYPE, 2);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Until the uplink is gone under the socket. */
		for (k = 0;; k++)
			if (send(self->s, f[k % 3], 200, MSG_DONTWAIT) < 0 &&
			    errno != ENOBUFS && errno != EAGAIN)
				_exit(0);
	}
	denali_sleep_ms(300);
	/* Frames did go between the two guests. */
	EXPECT_LT(0, port_stats(&self->vm[1]).to_guest_packets);
	/* Destroyed while its peer's thread and Linux still send to it. */
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memset(&ref, 0, sizeof(ref));
	ref.id = self->vm[0].id;
	ASSERT_EQ(0, ioctl(dev, DENALI_DESTROY_VM, &ref));
	denali_sleep_ms(200);
	EXPECT_NE(0u, if_nametoindex(SW));
	ref.id = self->vm[1].id;
	ASSERT_EQ(0, ioctl(dev, DENALI_DESTROY_VM, &ref));
	close(dev);
	for (i = 0; i < 2; i++)
		sw_vm_end(&self->vm[i]);
	close(self->s);
	self->s = -1;
	EXPECT_EQ(0u, if_nametoindex(SW));
	for (i = 0; i < 100 && ret; i++) {
		ret = denali_unload_module();
		if (ret)
			denali_sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(0, ret) TH_LOG("rmmod: %s", strerror(-ret));
	EXPECT_EQ(0, denali_ensure_loaded());
}

TEST_HARNESS_MAIN
