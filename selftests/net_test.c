// SPDX-License-Identifier: GPL-2.0
/*
 * net_test: the virtual NIC, as Linux's own tools see it.
 *
 * Each VM's NIC is a net_device; frames go to and from guests through a
 * packet socket on it (or on a bridge it is a port of), and the counters
 * are the device's (sysfs, as `ip -s link` reads them) and ethtool's.
 * The guests are guests/reflector (every frame back, MACs swapped) and
 * selftests/guests/net_hostile (breaks the rings on purpose).
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "denali_util.h"
#include "denali_net.h"

#define MEM		(8ull << 20)
#define ECHO_TYPE	0x88b6		/* reflected as it is */
#define HOPS_TYPE	0x88b5		/* reflected with one hop less */

/* ---- VMs with NICs, each run by a thread ------------------------------ */

struct net_vm {
	int fd;
	uint32_t id;
	pthread_t thread;
	atomic_int stop, done;
	struct denali_run run;
	int ret;
};

static void on_kick(int sig)
{
}

static void *net_vm_main(void *arg)
{
	struct net_vm *v = arg;

	while (!atomic_load(&v->stop)) {
		v->ret = denali_run(v->fd, &v->run);
		if (v->ret != -EINTR)
			break;
	}
	atomic_store(&v->done, 1);
	return NULL;
}

/* The path of a guest image: guests/ beside us, or build/guests/. */
static int guest_image(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	fd = denali_guest_image(name);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/../../guests/%s.img", dirname(exe),
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Create a VM of @image with @nnics NICs named @names (NULL: defaults),
 * boot argument @arg (or none), start its runner thread, and wait until
 * its console says @ready.  0 or -errno, with the module's sentence in
 * @err.
 */
static int net_vm_start_mem(struct net_vm *v, unsigned long long mem,
			    const char *image, const char *arg,
			    unsigned int nnics, const char *const *names,
			    const char *ready, char *err)
{
	struct denali_nic_config nics[DENALI_NIC_MAX];
	struct denali_create_vm c;
	const char *argv[2] = { image, arg };
	char args[128], buf[4096];
	int img, dev, i;
	ssize_t n;
	size_t got = 0;

	memset(v, 0, sizeof(*v));
	memset(nics, 0, sizeof(nics));
	for (i = 0; names && i < (int)nnics; i++)
		snprintf(nics[i].ifname, sizeof(nics[i].ifname), "%s",
			 names[i]);
	img = guest_image(image);
	if (img < 0)
		return img;
	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = img;
	if (arg) {
		c.args = (uintptr_t)args;
		c.args_len = denali_pack_args(args, sizeof(args), argv, 2);
	}
	c.nics = nnics ? (uintptr_t)nics : 0;
	c.nic_count = nnics;
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
	if (pthread_create(&v->thread, NULL, net_vm_main, v))
		return -EAGAIN;
	/* Until the guest says it is ready (60 s at most). */
	for (i = 0; i < 6000 && ready; i++) {
		n = read(v->fd, buf + got, sizeof(buf) - 1 - got);
		if (n > 0)
			got += n;
		buf[got] = '\0';
		if (strstr(buf, ready))
			return 0;
		if (atomic_load(&v->done))
			break;
		denali_sleep_ms(10);
	}
	return ready ? -ETIMEDOUT : 0;
}

static int net_vm_start(struct net_vm *v, const char *image, const char *arg,
			unsigned int nnics, const char *const *names,
			const char *ready, char *err)
{
	return net_vm_start_mem(v, MEM, image, arg, nnics, names, ready, err);
}

/* Stop the runner (signals until it is out) and close the VM. */
static void net_vm_end(struct net_vm *v)
{
	int i;

	if (v->fd < 0)
		return;
	atomic_store(&v->stop, 1);
	for (i = 0; i < 1000 && !atomic_load(&v->done); i++) {
		pthread_kill(v->thread, SIGUSR1);
		denali_sleep_ms(5);
	}
	pthread_join(v->thread, NULL);
	close(v->fd);
	v->fd = -1;
}

/* Wait until the runner is out (the VM stopped); true if it did. */
static bool net_vm_wait_stopped(struct net_vm *v, long ms)
{
	long i;

	for (i = 0; i < ms / 10 && !atomic_load(&v->done); i++)
		denali_sleep_ms(10);
	return atomic_load(&v->done);
}

/* ---- links, sockets and counters --------------------------------------- */

/* Interface @ifname's own MAC address. */
static int read_addr(const char *ifname, uint8_t mac[6])
{
	char path[256];
	unsigned int m[6];
	FILE *f;
	int i, n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]);
	fclose(f);
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return n == 6 ? 0 : -EINVAL;
}

/*
 * The guest's MAC behind interface @ifname: the interface's own, with the
 * first byte the guest's default 0x02 instead of the host end's 0xfe.
 */
static int read_mac(const char *ifname, uint8_t mac[6])
{
	int ret = read_addr(ifname, mac);

	if (ret)
		return ret;
	if (mac[0] != 0xfe)
		return -EINVAL;
	mac[0] = 0x02;
	return 0;
}

static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* Send @len bytes to @vm_mac on @s and check the reflection, byte-exact. */
static bool echo_once(struct __test_metadata *_metadata, int s,
		      const uint8_t vm_mac[6], unsigned int len,
		      unsigned int seed)
{
	uint8_t out[DENALI_FRAME_MAX], in[DENALI_FRAME_BUF];
	int n;

	denali_make_frame(out, len, vm_mac, host_mac, ECHO_TYPE, seed);
	if (send(s, out, len, 0) != (ssize_t)len) {
		TH_LOG("send of %u bytes: %s", len, strerror(errno));
		return false;
	}
	n = denali_recv_type(s, in, ECHO_TYPE, 5000);
	if (n != (int)len || memcmp(in, host_mac, 6) ||
	    memcmp(in + 6, vm_mac, 6) || memcmp(in + 12, out + 12, len - 12)) {
		TH_LOG("%u bytes sent, %d came back (or not the same bytes)",
		       len, n);
		return false;
	}
	return true;
}

/* ---- tests ------------------------------------------------------------ */

FIXTURE(net) {
	struct net_vm vm[3];
	struct net_vm *many;	/* hundred_vms_on_one_bridge's */
	int nmany;
};

FIXTURE_SETUP(net)
{
	struct sigaction sa = { .sa_handler = on_kick };
	int i;

	for (i = 0; i < 3; i++)
		self->vm[i].fd = -1;
	self->many = NULL;
	self->nmany = 0;
	ASSERT_EQ(0, denali_ensure_loaded());
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	if (system("ip -V >/dev/null 2>&1"))
		SKIP(return, "no iproute2 here");
	/*
	 * The host's own IPv6 chatter (router solicitations, DAD) would be
	 * frames to the guests too: the counts here are the test's alone.
	 */
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null");
}

FIXTURE_TEARDOWN(net)
{
	int i;

	for (i = 0; i < 3; i++)
		net_vm_end(&self->vm[i]);
	for (i = 0; i < self->nmany; i++)
		net_vm_end(&self->many[i]);
	free(self->many);
	denali_sh("ip link del dntest-br >/dev/null 2>&1");
	denali_sh("ip netns del dntest >/dev/null 2>&1");
}

/* Every size from the smallest frame to the MTU, reflected byte-exact. */
TEST_F_TIMEOUT(net, reflector_echoes_every_size, 600)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX];
	unsigned long long tx0, rx0;
	uint8_t mac[6];
	unsigned int len, bad = 0;
	int s;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	s = denali_packet_socket("dntest0");
	ASSERT_LE(0, s);
	tx0 = denali_if_counter("dntest0", "tx_packets");
	rx0 = denali_if_counter("dntest0", "rx_packets");
	for (len = 60; len <= 1514 && bad < 5; len++)
		bad += !echo_once(_metadata, s, mac, len, len);
	EXPECT_EQ(0, bad);
	/* What Linux sent on the device the guest received, and back. */
	EXPECT_EQ(1455, denali_if_counter("dntest0", "tx_packets") - tx0);
	EXPECT_EQ(1455, denali_if_counter("dntest0", "rx_packets") - rx0);
	EXPECT_EQ(0, denali_if_counter("dntest0", "tx_dropped"));
	close(s);
}

/*
 * A guest that never reads: exactly the buffers it posted are filled,
 * every other frame is dropped and counted; the host keeps nothing, and
 * a second VM's traffic is untouched meanwhile.
 */
TEST_F_TIMEOUT(net, flood_to_a_guest_that_never_reads, 600)
{
	static const char *const sink[] = { "dntest0" }, *const refl[] = { "dntest1" };
	uint8_t smac[6], rmac[6], f[DENALI_FRAME_MAX];
	char err[DENALI_ERROR_MAX];
	int s, r, i, ok = 0;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", "sink", 1, sink,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, net_vm_start(&self->vm[1], "reflector", NULL, 1, refl,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", smac));
	ASSERT_EQ(0, read_mac("dntest1", rmac));
	s = denali_packet_socket("dntest0");
	r = denali_packet_socket("dntest1");
	ASSERT_LE(0, s);
	ASSERT_LE(0, r);
	for (i = 0; i < 3000; i++) {
		denali_make_frame(f, 100, smac, host_mac, ECHO_TYPE, i);
		/* The qdisc may push back: that is no loss of ours. */
		while (send(s, f, 100, 0) != 100)
			denali_sleep_ms(1);
		if (i % 300 == 0)
			ok += echo_once(_metadata, r, rmac, 200, i);
	}
	denali_sleep_ms(200);
	/* 128 buffers posted, 128 frames delivered; 2872 dropped. */
	EXPECT_EQ(128, denali_if_counter("dntest0", "tx_packets"));
	EXPECT_EQ(2872, denali_if_counter("dntest0", "tx_dropped"));
	EXPECT_EQ(10, ok);
	close(s);
	close(r);
}

/* A receive ring whose buffer lies outside guest memory stops the VM. */
TEST_F_TIMEOUT(net, bad_receive_buffer_stops_only_that_vm, 300)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX];
	uint8_t mac[6], f[64];
	int s;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "net_hostile", "rx-addr", 1,
				  names, "ready", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	s = denali_packet_socket("dntest0");
	ASSERT_LE(0, s);
	denali_make_frame(f, 64, mac, host_mac, ECHO_TYPE, 1);
	ASSERT_EQ(64, send(s, f, 64, 0));
	ASSERT_TRUE(net_vm_wait_stopped(&self->vm[0], 10000));
	/* The frame that found the ring broken is counted as dropped. */
	EXPECT_EQ(1, denali_if_counter("dntest0", "tx_dropped"));
	EXPECT_EQ(0, denali_if_counter("dntest0", "tx_packets"));
	EXPECT_EQ(0, self->vm[0].ret);
	EXPECT_EQ(DENALI_STOP_CRASH, self->vm[0].run.reason);
	EXPECT_EQ(DENALI_CRASH_NET, self->vm[0].run.crash.cause);
	EXPECT_NE(NULL, strstr(self->vm[0].run.crash.description,
			       "nic0 rx desc 0: addr"))
		TH_LOG("%s", self->vm[0].run.crash.description);
	/* The stopped VM's interface has no carrier; frames are dropped. */
	EXPECT_EQ(64, send(s, f, 64, 0));
	close(s);
}

/* Each broken transmit ring stops the VM with its own report. */
TEST_F_TIMEOUT(net, bad_transmit_rings_stop_the_vm, 300)
{
	static const struct {
		const char *mode, *what;
	} cases[] = {
		{ "tx-addr", "nic0 tx desc 0: addr 0x3000 not guest memory" },
		{ "tx-len", "nic0 tx desc 0: len 9 not in [14, 1518]" },
		{ "tx-avail", "nic0 tx ring: avail 1000 > used 0 + 4" },
	};
	char err[DENALI_ERROR_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, net_vm_start(&self->vm[0], "net_hostile",
					  cases[i].mode, 1, NULL, NULL, err))
			TH_LOG("%s", err);
		ASSERT_TRUE(net_vm_wait_stopped(&self->vm[0], 20000));
		EXPECT_EQ(DENALI_STOP_CRASH, self->vm[0].run.reason);
		EXPECT_EQ(DENALI_CRASH_NET, self->vm[0].run.crash.cause);
		EXPECT_STREQ(cases[i].what, self->vm[0].run.crash.description);
		net_vm_end(&self->vm[0]);
	}
}

/* net_setup refuses each bad request with its errno. */
TEST_F_TIMEOUT(net, net_setup_refuses_bad_requests, 300)
{
	char err[DENALI_ERROR_MAX];

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "net_hostile", "setup", 1,
				  NULL, NULL, err)) TH_LOG("%s", err);
	ASSERT_TRUE(net_vm_wait_stopped(&self->vm[0], 20000));
	EXPECT_EQ(DENALI_STOP_EXIT, self->vm[0].run.reason);
	EXPECT_EQ(0, self->vm[0].run.exit_status);
}

/* Create with @count of @nics; the errno, the module's sentence in @err. */
static int try_nics(int dev, int img, struct denali_nic_config *nics,
		    unsigned int count, char *err)
{
	struct denali_create_vm c;
	int fd, saved;

	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.image_fd = img;
	c.nics = (uintptr_t)nics;
	c.nic_count = count;
	fd = ioctl(dev, DENALI_CREATE_VM, &c);
	saved = errno;
	memcpy(err, c.error, DENALI_ERROR_MAX);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return saved;
}

/* Bad NIC configs: a precise sentence each, and no interface left. */
TEST_F(net, create_refuses_bad_nic_configs)
{
	struct denali_nic_config nics[DENALI_NIC_MAX + 1];
	char err[DENALI_ERROR_MAX];
	int img, dev;

	img = guest_image("reflector");
	ASSERT_LE(0, img);
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);

	memset(nics, 0, sizeof(nics));
	EXPECT_EQ(EINVAL, try_nics(dev, img, nics, DENALI_NIC_MAX + 1, err));
	EXPECT_NE(NULL, strstr(err, "at most 8 NICs")) TH_LOG("%s", err);
	/* Bit 1 is DENALI_NIC_SWITCH since ABI 0.7 (switch_test). */
	nics[0].flags = 1u << 2;
	EXPECT_EQ(EINVAL, try_nics(dev, img, nics, 1, err));
	EXPECT_NE(NULL, strstr(err, "NIC 0: unknown flags 0x4, or pad fields not zero"))
		TH_LOG("%s", err);
	nics[0].flags = DENALI_NIC_MAC;
	nics[0].mac[0] = 1;	/* multicast */
	EXPECT_EQ(EINVAL, try_nics(dev, img, nics, 1, err));
	EXPECT_NE(NULL, strstr(err, "not a unicast MAC")) TH_LOG("%s", err);
	memset(nics, 0, sizeof(nics));
	strcpy(nics[1].ifname, "bad/name");
	EXPECT_EQ(EINVAL, try_nics(dev, img, nics, 2, err));
	EXPECT_NE(NULL, strstr(err, "NIC 1: 'bad/name' is not a valid interface name"))
		TH_LOG("%s", err);
	strcpy(nics[1].ifname, "lo");
	EXPECT_EQ(EEXIST, try_nics(dev, img, nics, 2, err));
	EXPECT_NE(NULL, strstr(err, "NIC 1: an interface named 'lo' exists already"))
		TH_LOG("%s", err);
	EXPECT_EQ(EFAULT, try_nics(dev, img, (void *)16, 1, err));
	/* A failed creation leaves no interface behind. */
	EXPECT_NE(0, denali_sh("ip link show | grep -q ' dn[0-9]'"));
	close(dev);
	close(img);
}

/* Three NICs: each answers on its own interface, with its own MAC. */
TEST_F_TIMEOUT(net, three_nics_each_answer, 300)
{
	static const char *const names[] = { "dntest0", "dntest1", "dntest2" };
	char err[DENALI_ERROR_MAX];
	uint8_t mac[3][6];
	int s, i;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 3, names,
				  "3 NICs up", err)) TH_LOG("%s", err);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, read_mac(names[i], mac[i]));
	EXPECT_NE(0, memcmp(mac[0], mac[1], 6));
	EXPECT_NE(0, memcmp(mac[1], mac[2], 6));
	for (i = 0; i < 3; i++) {
		s = denali_packet_socket(names[i]);
		ASSERT_LE(0, s);
		EXPECT_TRUE(echo_once(_metadata, s, mac[i], 100 + i, i));
		close(s);
		EXPECT_EQ(1, denali_if_counter(names[i], "tx_packets"));
	}
}

/*
 * Frames of EtherType @type seen on @s within @ms: to the guest (the
 * host's outgoing side of the interface) and from it.  Other frames
 * (the host's own chatter on a new interface) are logged, not counted.
 */
static void count_type(struct __test_metadata *_metadata, int s,
		       unsigned int type, int ms, int *to_guest,
		       int *from_guest)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct sockaddr_ll from;
	uint8_t buf[DENALI_FRAME_BUF];
	socklen_t fl;
	ssize_t n;

	*to_guest = *from_guest = 0;
	while (poll(&p, 1, ms) == 1) {
		fl = sizeof(from);
		n = recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &fl);
		if (n < 14)
			continue;
		if (((buf[12] << 8) | buf[13]) != type) {
			TH_LOG("other frame: type %02x%02x, %zd bytes, %s",
			       buf[12], buf[13], n,
			       from.sll_pkttype == PACKET_OUTGOING ?
			       "to the guest" : "from the guest");
			continue;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			(*to_guest)++;
		else
			(*from_guest)++;
	}
}

/*
 * Two VMs on one Linux bridge talk to each other: a frame with three hops
 * goes A, B, A, B and stops; each interface carries exactly that.
 */
TEST_F_TIMEOUT(net, two_vms_on_a_bridge, 300)
{
	static const char *const a[] = { "dntestA" }, *const b[] = { "dntestB" };
	int sa, sb, a_in, a_out, b_in, b_out;
	uint8_t amac[6], bmac[6], f[64];
	char err[DENALI_ERROR_MAX];

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, a,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, net_vm_start(&self->vm[1], "reflector", NULL, 1, b,
				  "NICs up", err)) TH_LOG("%s", err);
	/* The machine's kernel may not load modules on demand: ask. */
	denali_sh("modprobe bridge 2>/dev/null");
	ASSERT_EQ(0, denali_sh("ip link add dntest-br type bridge && ip link set dntest-br up && ip link set dntestA master dntest-br && ip link set dntestB master dntest-br && ip link set dntestA up && ip link set dntestB up"));
	ASSERT_EQ(0, read_mac("dntestA", amac));
	ASSERT_EQ(0, read_mac("dntestB", bmac));
	/* Straight to A (not through the bridge, which would flood it). */
	sa = denali_packet_socket("dntestA");
	sb = denali_packet_socket("dntestB");
	ASSERT_LE(0, sa);
	ASSERT_LE(0, sb);
	denali_make_frame(f, 64, amac, bmac, HOPS_TYPE, 0);
	f[14] = 3;
	ASSERT_EQ(64, send(sa, f, 64, 0));
	/*
	 * A got the test's frame (which its own socket does not see) and
	 * B's, and sent two; B got two and sent one.
	 */
	count_type(_metadata, sa, HOPS_TYPE, 1000, &a_in, &a_out);
	count_type(_metadata, sb, HOPS_TYPE, 200, &b_in, &b_out);
	EXPECT_EQ(1, a_in);
	EXPECT_EQ(2, a_out);
	EXPECT_EQ(2, b_in);
	EXPECT_EQ(1, b_out);
	close(sa);
	close(sb);
}

/* The interface works in another network namespace, and only there. */
TEST_F_TIMEOUT(net, interface_in_another_namespace, 300)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX];
	uint8_t mac[6];
	pid_t pid;
	int status, ns, s;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	ASSERT_EQ(0, denali_sh("ip netns add dntest && ip link set dntest0 netns dntest"));
	EXPECT_EQ(0u, if_nametoindex("dntest0"));
	pid = fork();
	if (pid == 0) {
		ns = open("/var/run/netns/dntest", O_RDONLY);
		if (ns < 0 || setns(ns, CLONE_NEWNET))
			_exit(2);
		s = denali_packet_socket("dntest0");
		_exit(s >= 0 && echo_once(_metadata, s, mac, 300, 3) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ethtool -S counts what the test sent; ethtool -i names the driver. */
TEST_F_TIMEOUT(net, ethtool_counters, 300)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX], line[256];
	unsigned long long v, to_guest = ~0ull, from_guest = ~0ull;
	uint8_t mac[6];
	int s, i;
	FILE *f;

	if (system("ethtool --version >/dev/null 2>&1"))
		SKIP(return, "no ethtool here");
	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	s = denali_packet_socket("dntest0");
	ASSERT_LE(0, s);
	for (i = 0; i < 25; i++)
		ASSERT_TRUE(echo_once(_metadata, s, mac, 60 + i, i));
	close(s);
	EXPECT_EQ(0, denali_sh("ethtool -i dntest0 | grep -q '^driver: denali'"));
	f = popen("ethtool -S dntest0", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " to_guest_packets: %llu", &v) == 1)
			to_guest = v;
		if (sscanf(line, " from_guest_packets: %llu", &v) == 1)
			from_guest = v;
	}
	pclose(f);
	EXPECT_EQ(25, to_guest);
	EXPECT_EQ(25, from_guest);
}

/*
 * Destroying VMs while frames pour in: the interfaces go, nothing is
 * left behind (the module unloads in module_test's last step).
 */
TEST_F_TIMEOUT(net, destroy_with_frames_in_flight, 300)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX];
	struct denali_vm_ref ref;
	uint8_t mac[6], f[200];
	int s, dev, i, round;

	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1,
					  names, "NICs up", err))
			TH_LOG("%s", err);
		ASSERT_EQ(0, read_mac("dntest0", mac));
		s = denali_packet_socket("dntest0");
		ASSERT_LE(0, s);
		denali_make_frame(f, 200, mac, host_mac, ECHO_TYPE, round);
		for (i = 0; i < 500; i++)
			send(s, f, 200, MSG_DONTWAIT);
		memset(&ref, 0, sizeof(ref));
		ref.id = self->vm[0].id;
		ASSERT_EQ(0, ioctl(dev, DENALI_DESTROY_VM, &ref));
		for (i = 0; i < 500; i++)
			send(s, f, 200, MSG_DONTWAIT);
		close(s);
		EXPECT_EQ(0u, if_nametoindex("dntest0"));
		net_vm_end(&self->vm[0]);
	}
	close(dev);
}

/* ---- scale, tc, memory, unloading -------------------------------------- */

/*
 * The number @fmt (text, then conversions with one %llu kept) reads at
 * the first place in @cmd's output where its leading text appears;
 * ~0 if none.
 */
static unsigned long long cmd_number(const char *cmd, const char *fmt)
{
	unsigned long long v = ~0ull, x;
	char line[512], word[64], *p;
	size_t n = strcspn(fmt, "%");
	FILE *f;

	while (*fmt == ' ')
		fmt++, n--;
	snprintf(word, sizeof(word), "%.*s", (int)n, fmt);
	f = popen(cmd, "r");
	if (!f)
		return ~0ull;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, word);
		if (p && v == ~0ull && sscanf(p, fmt, &x) == 1)
			v = x;
	}
	pclose(f);
	return v;
}

/* ethtool -S counter @key of @ifname, through the ethtool tool. */
static unsigned long long ethtool_counter(const char *ifname, const char *key)
{
	char cmd[128], fmt[64];

	snprintf(cmd, sizeof(cmd), "ethtool -S %s", ifname);
	snprintf(fmt, sizeof(fmt), "%s: %%llu", key);
	return cmd_number(cmd, fmt);
}

/*
 * Echoes of EtherType @type from @src seen on @s until @ms pass with
 * none (the wait only ends the count; it is not what is asserted).
 */
static int count_echoes(int s, const uint8_t src[6], int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct sockaddr_ll from;
	uint8_t buf[DENALI_FRAME_BUF];
	socklen_t fl;
	ssize_t n;
	int count = 0;

	while (poll(&p, 1, ms) == 1) {
		fl = sizeof(from);
		n = recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &fl);
		if (n >= 14 && from.sll_pkttype != PACKET_OUTGOING &&
		    !memcmp(buf + 6, src, 6) &&
		    ((buf[12] << 8) | buf[13]) == ECHO_TYPE)
			count++;
	}
	return count;
}

#define MANY	100

/*
 * A hundred VMs, one NIC each, all ports of one Linux bridge: each one
 * answers a frame the host sends it through the bridge, and only it.
 */
TEST_F_TIMEOUT(net, hundred_vms_on_one_bridge, 900)
{
	static const char ipcmds[] = "/tmp/dntest-many.ip",
			  fdbcmds[] = "/tmp/dntest-many.fdb";
	uint8_t brmac[6], mac[6], f[64], in[DENALI_FRAME_BUF];
	char err[DENALI_ERROR_MAX], name[IFNAMSIZ];
	const char *names[1] = { name };
	int s, i, n, answered = 0;
	FILE *ip, *fdb;

	self->many = calloc(MANY, sizeof(*self->many));
	ASSERT_NE(NULL, self->many);
	for (i = 0; i < MANY; i++)
		self->many[i].fd = -1;
	self->nmany = MANY;
	denali_sh("modprobe bridge 2>/dev/null");
	ASSERT_EQ(0, denali_sh("ip link add dntest-br type bridge && ip link set dntest-br up"));
	ip = fopen(ipcmds, "w");
	fdb = fopen(fdbcmds, "w");
	ASSERT_NE(NULL, ip);
	ASSERT_NE(NULL, fdb);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "dnt%d", i);
		/* 1M each: net_small's rings and buffers fit. */
		ASSERT_EQ(0, net_vm_start_mem(&self->many[i], 1ull << 20,
					      "net_small", NULL, 1, names,
					      "NICs up", err))
			TH_LOG("VM %d: %s", i, err);
		ASSERT_EQ(0, read_mac(name, mac));
		fprintf(ip, "link set %s master dntest-br\nlink set %s up\n",
			name, name);
		/*
		 * Where each guest is, told rather than learned: a first
		 * frame to an unknown MAC would go to all 100 ports, and
		 * waking 100 guests per frame is TCG's time, not the test.
		 */
		fprintf(fdb, "fdb add %02x:%02x:%02x:%02x:%02x:%02x dev %s master static\n",
			mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], name);
	}
	fclose(ip);
	fclose(fdb);
	/* One ip and one bridge for all hundred, not 200 processes. */
	ASSERT_EQ(0, denali_sh("ip -batch %s && bridge -batch %s", ipcmds, fdbcmds));
	unlink(ipcmds);
	unlink(fdbcmds);
	/*
	 * From the bridge's own port, with its MAC as the source: each
	 * reflection is addressed to the bridge and reaches this socket.
	 */
	ASSERT_EQ(0, read_addr("dntest-br", brmac));
	s = denali_packet_socket("dntest-br");
	ASSERT_LE(0, s);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "dnt%d", i);
		ASSERT_EQ(0, read_mac(name, mac));
		denali_make_frame(f, 64, mac, brmac, ECHO_TYPE, i);
		ASSERT_EQ(64, send(s, f, 64, 0));
		n = denali_recv_type(s, in, ECHO_TYPE, 5000);
		if (n == 64 && !memcmp(in, brmac, 6) && !memcmp(in + 6, mac, 6) &&
		    !memcmp(in + 14, f + 14, 50))
			answered++;
		else
			TH_LOG("VM %d (%s) did not answer", i, name);
	}
	EXPECT_EQ(MANY, answered);
	/* No VM answered for another: nothing else came back. */
	EXPECT_EQ(0, denali_recv_type(s, in, ECHO_TYPE, 300));
	close(s);
}

/*
 * tc on a VM's interface, as on any: a root tbf shapes what the guest is
 * sent, an ingress policer what it sends.  Token buckets depend on
 * time, so the test asserts what does not: the bucket passes its burst
 * and drops some of a fast burst of 1000-byte frames, and tc's count of
 * what passed and dropped, the NIC's counters and the echoes that came
 * back all agree.
 */
TEST_F_TIMEOUT(net, tc_shapes_and_polices, 300)
{
	static const char *const names[] = { "dntest0" };
	unsigned long long sent, dropped, to_guest, from_guest, passed;
	uint8_t brmac[6], mac[6], f[1000];
	char err[DENALI_ERROR_MAX];
	int s, i, echoes;

	if (system("tc -V >/dev/null 2>&1") ||
	    system("ethtool --version >/dev/null 2>&1"))
		SKIP(return, "no tc or ethtool here");
	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	denali_sh("modprobe bridge 2>/dev/null; modprobe sch_tbf 2>/dev/null; modprobe sch_ingress 2>/dev/null; modprobe cls_matchall 2>/dev/null; modprobe act_police 2>/dev/null");
	ASSERT_EQ(0, denali_sh("ip link add dntest-br type bridge && ip link set dntest-br up && ip link set dntest0 master dntest-br && ip link set dntest0 up"));
	ASSERT_EQ(0, read_addr("dntest-br", brmac));
	ASSERT_EQ(0, read_mac("dntest0", mac));
	s = denali_packet_socket("dntest-br");
	ASSERT_LE(0, s);
	/* The bridge learns where the guest is; not counted below. */
	denali_make_frame(f, 60, mac, brmac, ECHO_TYPE, 0);
	ASSERT_EQ(60, send(s, f, 60, 0));
	ASSERT_EQ(1, count_echoes(s, mac, 1000));

	/* 1. Shaping: 100 frames into a 5000-byte bucket and queue. */
	ASSERT_EQ(0, denali_sh("tc qdisc add dev dntest0 root tbf rate 100kbit burst 5000 limit 5000"));
	to_guest = ethtool_counter("dntest0", "to_guest_packets");
	denali_make_frame(f, sizeof(f), mac, brmac, ECHO_TYPE, 1);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(sizeof(f), send(s, f, sizeof(f), 0));
	/* The queue drains at 12 frames a second; then it is all counted. */
	echoes = count_echoes(s, mac, 3000);
	sent = cmd_number("tc -s qdisc show dev dntest0 root", "Sent %*llu bytes %llu pkt");
	dropped = cmd_number("tc -s qdisc show dev dntest0 root", " dropped %llu");
	passed = ethtool_counter("dntest0", "to_guest_packets") - to_guest;
	TH_LOG("tbf: %llu passed, %llu dropped, %d echoes", sent, dropped,
	       echoes);
	EXPECT_LE(4, sent);		/* at least the burst */
	EXPECT_LT(0, dropped);
	EXPECT_EQ(100, sent + dropped);
	EXPECT_EQ(sent, passed);
	EXPECT_EQ(passed, echoes);
	EXPECT_EQ(0, ethtool_counter("dntest0", "drop_no_buffer"));
	ASSERT_EQ(0, denali_sh("tc qdisc del dev dntest0 root"));

	/* 2. Policing what the guest sends: the same, on ingress. */
	ASSERT_EQ(0, denali_sh("tc qdisc add dev dntest0 ingress && tc filter add dev dntest0 parent ffff: matchall action police rate 100kbit burst 5000 conform-exceed drop"));
	from_guest = ethtool_counter("dntest0", "from_guest_packets");
	to_guest = ethtool_counter("dntest0", "to_guest_packets");
	for (i = 0; i < 100; i++)
		ASSERT_EQ(sizeof(f), send(s, f, sizeof(f), 0));
	echoes = count_echoes(s, mac, 1000);
	sent = cmd_number("tc -s filter show dev dntest0 ingress", "Sent %*llu bytes %llu pkt");
	dropped = cmd_number("tc -s filter show dev dntest0 ingress", " dropped %llu");
	from_guest = ethtool_counter("dntest0", "from_guest_packets") - from_guest;
	to_guest = ethtool_counter("dntest0", "to_guest_packets") - to_guest;
	TH_LOG("police: guest got %llu, sent %llu; %llu passed, %llu dropped, %d echoes",
	       to_guest, from_guest, sent - dropped, dropped, echoes);
	/* The guest took and reflected every frame; the policer cut them. */
	EXPECT_EQ(100, to_guest);
	EXPECT_EQ(100, from_guest);
	EXPECT_EQ(100, sent);		/* the action saw each one */
	EXPECT_LT(0, dropped);
	EXPECT_LE(4, sent - dropped);
	EXPECT_EQ(sent - dropped, echoes);
	close(s);
}

/* "Key: N kB" from /proc/meminfo, in bytes. */
static long long mem_counter(const char *key)
{
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%s: %%llu kB", key);
	return (long long)cmd_number("cat /proc/meminfo", fmt) * 1024;
}

/*
 * 30,000 frames of 1000 bytes at a guest that never reads: all but the
 * 128 it posted buffers for are dropped and counted, and the host's
 * memory does not grow with them.  Kept, they would take at least
 * 30 MB; the bound allows an eighth of that in slab and a quarter in
 * MemAvailable, room for the machine's own noise and none for a queue.
 */
TEST_F_TIMEOUT(net, flood_leaves_host_memory_flat, 600)
{
	static const char *const names[] = { "dntest0" };
	const unsigned int frames = 30000, len = 1000;
	long long slab0, avail0, slab1, avail1;
	char err[DENALI_ERROR_MAX];
	uint8_t mac[6], f[1000];
	unsigned int i;
	int s;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", "sink", 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	s = denali_packet_socket("dntest0");
	ASSERT_LE(0, s);
	denali_make_frame(f, len, mac, host_mac, ECHO_TYPE, 7);
	/* A first 1000 make the caches the path uses; not measured. */
	for (i = 0; i < 1000; i++)
		while (send(s, f, len, 0) != (ssize_t)len)
			denali_sleep_ms(1);
	denali_sh("sync; echo 3 > /proc/sys/vm/drop_caches");
	slab0 = mem_counter("Slab");
	avail0 = mem_counter("MemAvailable");
	for (i = 0; i < frames; i++)
		while (send(s, f, len, 0) != (ssize_t)len)
			denali_sleep_ms(1);
	denali_sleep_ms(200);
	denali_sh("sync; echo 3 > /proc/sys/vm/drop_caches");
	slab1 = mem_counter("Slab");
	avail1 = mem_counter("MemAvailable");
	TH_LOG("slab %+lld bytes, MemAvailable %+lld bytes over %u frames",
	       slab1 - slab0, avail1 - avail0, frames);
	EXPECT_EQ(128, denali_if_counter("dntest0", "tx_packets"));
	EXPECT_EQ(frames + 1000 - 128, denali_if_counter("dntest0", "tx_dropped"));
	EXPECT_GT((long long)frames * len / 8, slab1 - slab0);
	EXPECT_GT((long long)frames * len / 4, avail0 - avail1);
	close(s);
}

/*
 * Unloading the module right after destroying a VM whose interface had
 * frames queued toward it (a slow tbf holds them) and a sender still
 * pouring more in: the interface goes with its queue, rmmod succeeds,
 * and the module loads again.  A leak or a use after free shows as a
 * refused rmmod or in the kernel log, which fails the lane.
 */
TEST_F_TIMEOUT(net, rmmod_with_frames_in_flight, 300)
{
	static const char *const names[] = { "dntest0" };
	char err[DENALI_ERROR_MAX];
	struct denali_vm_ref ref;
	uint8_t mac[6], f[500];
	int s, dev, i, ret = -1;
	pid_t pid;

	ASSERT_EQ(0, net_vm_start(&self->vm[0], "reflector", NULL, 1, names,
				  "NICs up", err)) TH_LOG("%s", err);
	ASSERT_EQ(0, read_mac("dntest0", mac));
	denali_sh("modprobe sch_tbf 2>/dev/null");
	s = denali_packet_socket("dntest0");
	ASSERT_LE(0, s);
	ASSERT_EQ(0, denali_sh("tc qdisc add dev dntest0 root tbf rate 8kbit burst 2000 limit 100000"));
	denali_make_frame(f, sizeof(f), mac, host_mac, ECHO_TYPE, 5);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Until the interface is gone under the socket. */
		for (;;)
			if (send(s, f, sizeof(f), MSG_DONTWAIT) < 0 &&
			    errno != ENOBUFS && errno != EAGAIN)
				_exit(0);
	}
	denali_sleep_ms(300);
	EXPECT_LT(10, cmd_number("tc -s qdisc show dev dntest0 root", "backlog %*s %llup"));
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memset(&ref, 0, sizeof(ref));
	ref.id = self->vm[0].id;
	ASSERT_EQ(0, ioctl(dev, DENALI_DESTROY_VM, &ref));
	close(dev);
	net_vm_end(&self->vm[0]);
	close(s);
	/* The VM's last reference may be a moment behind its file. */
	for (i = 0; i < 100 && ret; i++) {
		ret = denali_unload_module();
		if (ret)
			denali_sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(0, ret) TH_LOG("rmmod: %s", strerror(-ret));
	EXPECT_EQ(0u, if_nametoindex("dntest0"));
	EXPECT_EQ(0, denali_ensure_loaded());
}

TEST_HARNESS_MAIN
