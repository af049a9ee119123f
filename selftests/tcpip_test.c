// SPDX-License-Identifier: GPL-2.0
/*
 * tcpip_test: TCP/IP in the guest (lwIP behind BSD sockets), as Linux's
 * own network stack sees it from the host.
 *
 * The guest is guests/netecho (a TCP and UDP echo server on plain
 * sockets and poll, port 7; with --client, its own client), with its
 * address from the boot arguments (ip=10.9.0.2/24 gw=10.9.0.1), on a
 * Linux bridge that has the host's address 10.9.0.1.  Every check is a
 * count or a byte comparison; nothing depends on how fast TCG is, only
 * the overall timeouts (generous) do.
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "denali_util.h"
#include "denali_runner.h"

#define MEM		(12ull << 20)	/* the web VM */
#define BRIDGE		"dntcp-br"
#define HOST_ADDR	"10.9.0.1"
#define VM_ADDR		"10.9.0.2"
#define VM2_ADDR	"10.9.0.3"
#define PORT		7
#define NS		"dntcp-ns"
#define NS_BRIDGE	"dntcpns-br"
#define NS_VM_ADDR	"10.9.1.2"
#define READY		"netecho: listening on port 7"

/* ---- VMs on the bridge --------------------------------------------------- */

struct tvm {
	int fd;
	__u32 id;
	struct denali_runner r;
	char con[8192];
	size_t got;
};

/* netecho.img: beside the test's guests, or in build/guests/. */
static int netecho_image(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd = denali_guest_image("netecho");

	if (fd >= 0 || n < 0)
		return fd;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../../guests/netecho.img",
		 dirname(exe));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Take what the VM's console has; true once it holds @want. */
static bool tvm_console_has(struct tvm *v, const char *want)
{
	ssize_t n;

	while ((n = read(v->fd, v->con + v->got,
			 sizeof(v->con) - 1 - v->got)) > 0)
		v->got += n;
	v->con[v->got] = '\0';
	return strstr(v->con, want);
}

static bool tvm_wait_console(struct tvm *v, const char *want, long ms)
{
	long i;

	for (i = 0; i < ms / 20; i++) {
		if (tvm_console_has(v, want))
			return true;
		if (atomic_load(&v->r.done))
			return tvm_console_has(v, want);
		denali_sleep_ms(20);
	}
	return false;
}

/*
 * A netecho VM of @mem bytes, its NIC named @ifname (attached to
 * @bridge unless NULL), with the @nargs boot arguments @args, running;
 * waits until its console says @ready (NULL: do not wait).  0 or -errno,
 * the module's sentence in @err.
 */
static int tvm_start(struct tvm *v, unsigned long long mem,
		     const char *ifname, const char *bridge,
		     const char *const *args, int nargs, const char *ready,
		     char *err)
{
	struct denali_nic_config nic;
	struct denali_create_vm c;
	const char *argv[8] = { "netecho" };
	char packed[DENALI_ARGS_MAX];
	int i, dev, ret;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	memset(&nic, 0, sizeof(nic));
	snprintf(nic.ifname, sizeof(nic.ifname), "%s", ifname);
	for (i = 0; i < nargs && i < 7; i++)
		argv[i + 1] = args[i];
	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = netecho_image();
	if (c.image_fd < 0)
		return c.image_fd;
	c.args = (uintptr_t)packed;
	c.args_len = denali_pack_args(packed, sizeof(packed), argv, i + 1);
	c.nics = (uintptr_t)&nic;
	c.nic_count = 1;
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	v->fd = ioctl(dev, DENALI_CREATE_VM, &c);
	ret = v->fd < 0 ? -errno : 0;
	close(dev);
	close(c.image_fd);
	if (err)
		memcpy(err, c.error, DENALI_ERROR_MAX);
	if (ret)
		return ret;
	v->id = c.id;
	fcntl(v->fd, F_SETFL, fcntl(v->fd, F_GETFL) | O_NONBLOCK);
	if (bridge && denali_sh("ip link set %s master %s && ip link set %s up",
			 ifname, bridge, ifname))
		return -EIO;
	ret = denali_runner_start(&v->r, v->fd, -1, 0);
	if (ret)
		return ret;
	if (ready && !tvm_wait_console(v, ready, 60000))
		return -ETIMEDOUT;
	return 0;
}

static void tvm_end(struct tvm *v)
{
	if (v->fd < 0)
		return;
	denali_runner_end(&v->r, v->id, 5000);
	close(v->fd);
	v->fd = -1;
}

/*
 * The exits VM @v makes in @ms of the test doing nothing to it; what
 * ended its idles (sleeps, interrupts raised) goes to the log if any.
 */
static unsigned long long idle_exits(struct __test_metadata *_metadata,
				     struct tvm *v, long ms)
{
	struct denali_stats a, b;
	unsigned long long n;

	if (denali_get_stats(v->fd, &a))
		return ~0ull;
	denali_sleep_ms(ms);
	if (denali_get_stats(v->fd, &b))
		return ~0ull;
	n = denali_all_exits(&b) - denali_all_exits(&a);
	if (n)
		TH_LOG("%llu exits in %ld ms idle: %llu idle sleeps, %llu interrupts raised, %llu hypercalls",
		       n, ms, b.idle_sleeps - a.idle_sleeps,
		       b.irqs_raised - a.irqs_raised,
		       b.exits[DENALI_EXITK_HYPERCALL] -
		       a.exits[DENALI_EXITK_HYPERCALL]);
	return n;
}

/* Frames the host sent to (tx) or received from (rx) interface @ifname. */
static unsigned long long frames(const char *ifname, const char *dir)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s_packets",
		 ifname, dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* ---- the host's side ------------------------------------------------------- */

/* A TCP connection to @addr:@port with 20 s timeouts, or -errno. */
static int tcp_connect(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 20 };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (s < 0)
		return -errno;
	inet_pton(AF_INET, addr, &a.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (void *)&a, sizeof(a))) {
		err = -errno;
		close(s);
		return err;
	}
	return s;
}

/* Read exactly @len bytes; false on an error or the end of the stream. */
static bool read_all(int s, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(s, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return false;
		got += n;
	}
	return true;
}

/* One message through the echo server on a new connection: exact? */
static bool echo_once(const char *addr, const char *msg)
{
	size_t len = strlen(msg);
	char buf[256];
	int s = tcp_connect(addr, PORT);
	bool ok;

	if (s < 0)
		return false;
	ok = send(s, msg, len, MSG_NOSIGNAL) == (ssize_t)len &&
	     read_all(s, buf, len) && !memcmp(buf, msg, len);
	close(s);
	return ok;
}

struct sender {
	int s;
	const unsigned char *data;
	size_t len;
	bool ok;
};

static void *send_all(void *arg)
{
	struct sender *sn = arg;
	size_t done = 0;
	ssize_t n;

	while (done < sn->len) {
		n = send(sn->s, sn->data + done, sn->len - done, MSG_NOSIGNAL);
		if (n <= 0)
			return NULL;
		done += n;
	}
	sn->ok = true;
	return NULL;
}

/* ---- the tests --------------------------------------------------------------- */

FIXTURE(tcpip) {
	struct tvm vm[2];
};

FIXTURE_SETUP(tcpip)
{
	self->vm[0].fd = self->vm[1].fd = -1;
	ASSERT_EQ(0, denali_ensure_loaded());
	ASSERT_EQ(0, denali_runner_signals());
	if (system("ip -V >/dev/null 2>&1"))
		SKIP(return, "no iproute2 here");
	/*
	 * The host's own IPv6 chatter (router solicitations, DAD, MLD)
	 * would be frames to the guests, and exits: the idle counts here
	 * are the guests' own.
	 */
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null");
	denali_sh("modprobe bridge 2>/dev/null");
	denali_sh("ip link del " BRIDGE " 2>/dev/null");
	/*
	 * Without multicast on the bridge the host sends no IGMP reports
	 * to the guests (a flooded frame is an exit for each).
	 */
	ASSERT_EQ(0, denali_sh("ip link add " BRIDGE " type bridge && ip link set " BRIDGE " multicast off && ip addr add " HOST_ADDR "/24 dev " BRIDGE " && ip link set " BRIDGE " up"));
}

FIXTURE_TEARDOWN(tcpip)
{
	tvm_end(&self->vm[0]);
	tvm_end(&self->vm[1]);
	denali_sh("ip link del " BRIDGE " 2>/dev/null");
	denali_sh("ip netns del " NS " 2>/dev/null");
}

static const char *const vm_args[] = { "ip=" VM_ADDR "/24", "gw=" HOST_ADDR };

/* The VM answers ping (ICMP echo in lwIP), every one of 5. */
TEST_F_TIMEOUT(tcpip, ping, 300)
{
	char err[DENALI_ERROR_MAX];

	if (system("ping -V >/dev/null 2>&1"))
		SKIP(return, "no ping here (tools/install-deps adds iputils-ping)");
	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, vm_args,
			       2, READY, err)) TH_LOG("%s", err);
	EXPECT_TRUE(strstr(self->vm[0].con, "net: en0 ") &&
		    strstr(self->vm[0].con, " " VM_ADDR "/24 gw " HOST_ADDR));
	EXPECT_EQ(0, denali_sh("ping -c 5 -i 0.2 -W 10 -q " VM_ADDR " >/dev/null"));
}

/* TCP echo, byte for byte: a line, then 1 MB sent while it comes back. */
TEST_F_TIMEOUT(tcpip, tcp_echo_small_and_1mb, 300)
{
	size_t len = 1 << 20, i;
	unsigned char *out = malloc(len), *in = malloc(len);
	struct sender sn = { .data = out, .len = len };
	char err[DENALI_ERROR_MAX];
	pthread_t t;

	ASSERT_TRUE(out && in);
	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, vm_args,
			       2, READY, err)) TH_LOG("%s", err);
	EXPECT_TRUE(echo_once(VM_ADDR, "hello, guest\n"));

	for (i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 2654435761u >> 13);
	sn.s = tcp_connect(VM_ADDR, PORT);
	ASSERT_LE(0, sn.s);
	ASSERT_EQ(0, pthread_create(&t, NULL, send_all, &sn));
	EXPECT_TRUE(read_all(sn.s, in, len));
	pthread_join(t, NULL);
	EXPECT_TRUE(sn.ok);
	EXPECT_EQ(0, memcmp(out, in, len));
	close(sn.s);
	free(out);
	free(in);
}

/* UDP echo: datagrams of 1 to 1472 bytes, each back whole. */
TEST_F_TIMEOUT(tcpip, udp_echo, 300)
{
	static const size_t sizes[] = { 1, 64, 512, 1000, 1472 };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT) };
	struct timeval tv = { .tv_sec = 2 };
	unsigned char out[1472], in[2048];
	char err[DENALI_ERROR_MAX];
	int s, tries, good = 0;
	unsigned int i, j;
	ssize_t n;

	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, vm_args,
			       2, READY, err)) TH_LOG("%s", err);
	inet_pton(AF_INET, VM_ADDR, &a.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < sizes[i]; j++)
			out[j] = (unsigned char)(i + j);
		/* UDP may lose the first one while ARP resolves: retry. */
		for (tries = 0; tries < 5; tries++) {
			ASSERT_EQ((ssize_t)sizes[i],
				  sendto(s, out, sizes[i], 0, (void *)&a,
					 sizeof(a)));
			n = recv(s, in, sizeof(in), 0);
			if (n >= 0)
				break;
		}
		if (n == (ssize_t)sizes[i] && !memcmp(in, out, n))
			good++;
		else
			TH_LOG("%zu bytes: got %zd back", sizes[i], n);
	}
	EXPECT_EQ((int)ARRAY_SIZE(sizes), good);
	close(s);
}

/*
 * Idle means idle, and two VMs talk TCP over the bridge.  An echo VM
 * just started makes no exit in 10 s.  Then another VM (netecho
 * --client) sends it 200,000 bytes and checks every one that comes
 * back; the client closes first, so its connection ends in TIME_WAIT
 * there.  Then, for 10 s, neither VM makes a single exit: the server
 * after its connection came and went, the client after TIME_WAIT.
 */
TEST_F_TIMEOUT(tcpip, two_vms_talk_and_idle_vms_make_no_exits, 300)
{
	static const char *const client_args[] = {
		"ip=" VM2_ADDR "/24", "--client", VM_ADDR, "7", "200000",
		"--stay",
	};
	static const char *const ifs[2] = { "dntcp0", "dntcp1" };
	unsigned long long in[2], out[2];
	char err[DENALI_ERROR_MAX];
	struct denali_stats a[2], b[2];
	int i;

	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, vm_args,
			       2, READY, err)) TH_LOG("%s", err);
	denali_sleep_ms(1000);
	EXPECT_EQ(0, idle_exits(_metadata, &self->vm[0], 10000));

	ASSERT_EQ(0, tvm_start(&self->vm[1], MEM, "dntcp1", BRIDGE,
			       client_args, ARRAY_SIZE(client_args),
			       "netecho: client:", err)) TH_LOG("%s", err);
	EXPECT_TRUE(tvm_wait_console(&self->vm[1],
				     "client: 200000 bytes echoed exactly",
				     1000)) TH_LOG("%s", self->vm[1].con);
	/*
	 * TIME_WAIT is 2 s (lwipopts.h), ARP's timer runs 6 s after the
	 * last request for an address: let both pass, then count.
	 */
	denali_sleep_ms(8000);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, denali_get_stats(self->vm[i].fd, &a[i]));
		in[i] = frames(ifs[i], "tx");
		out[i] = frames(ifs[i], "rx");
	}
	denali_sleep_ms(10000);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, denali_get_stats(self->vm[i].fd, &b[i]));
		EXPECT_EQ(denali_all_exits(&a[i]), denali_all_exits(&b[i]))
			TH_LOG("VM %d: %llu exits idle: %llu idle sleeps, %llu interrupts raised, %llu frames in, %llu out",
			       i, denali_all_exits(&b[i]) - denali_all_exits(&a[i]),
			       b[i].idle_sleeps - a[i].idle_sleeps,
			       b[i].irqs_raised - a[i].irqs_raised,
			       frames(ifs[i], "tx") - in[i],
			       frames(ifs[i], "rx") - out[i]);
	}
	EXPECT_FALSE(atomic_load(&self->vm[1].r.done));
}

/*
 * 200 connections open at once, each echoing its own message, then
 * 1,000 one after the other: not one error.  The server waits with
 * epoll here (with poll in the other tests).
 */
TEST_F_TIMEOUT(tcpip, many_connections_over_epoll, 600)
{
	static const char *const epoll_args[] = {
		"ip=" VM_ADDR "/24", "gw=" HOST_ADDR, "--epoll",
	};
	enum { CONCURRENT = 200, SEQUENTIAL = 1000 };
	static int s[CONCURRENT];
	char err[DENALI_ERROR_MAX], msg[32], buf[32];
	int i, good = 0;

	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE,
			       epoll_args, 3, READY " (epoll)", err))
		TH_LOG("%s", err);
	for (i = 0; i < CONCURRENT; i++) {
		s[i] = tcp_connect(VM_ADDR, PORT);
		ASSERT_LE(0, s[i]) TH_LOG("connection %d: %s", i,
					  strerror(-s[i]));
	}
	for (i = 0; i < CONCURRENT; i++) {
		snprintf(msg, sizeof(msg), "connection %04d\n", i);
		ASSERT_EQ(16, send(s[i], msg, 16, MSG_NOSIGNAL));
	}
	for (i = 0; i < CONCURRENT; i++) {
		snprintf(msg, sizeof(msg), "connection %04d\n", i);
		good += read_all(s[i], buf, 16) && !memcmp(buf, msg, 16);
		close(s[i]);
	}
	EXPECT_EQ(CONCURRENT, good);

	good = 0;
	for (i = 0; i < SEQUENTIAL; i++)
		good += echo_once(VM_ADDR, "one after the other\n");
	EXPECT_EQ(SEQUENTIAL, good);
}

/*
 * Connections reset by the peer (RST at close, 200 of them) and
 * half-open ones (connected, then never a byte; left open) leave the
 * server serving others.
 */
TEST_F_TIMEOUT(tcpip, resets_and_half_open_leave_it_serving, 300)
{
	enum { RESETS = 200, HALF_OPEN = 50 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	static int idle[HALF_OPEN];
	char err[DENALI_ERROR_MAX];
	int i, s;

	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, vm_args,
			       2, READY, err)) TH_LOG("%s", err);
	for (i = 0; i < HALF_OPEN; i++) {
		idle[i] = tcp_connect(VM_ADDR, PORT);
		ASSERT_LE(0, idle[i]);
	}
	for (i = 0; i < RESETS; i++) {
		s = tcp_connect(VM_ADDR, PORT);
		ASSERT_LE(0, s);
		/* Half of them with data in flight when the RST comes. */
		if (i % 2)
			send(s, "reset me\n", 9, MSG_NOSIGNAL);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	EXPECT_TRUE(echo_once(VM_ADDR, "still serving\n"));
	for (i = 0; i < HALF_OPEN; i++)
		close(idle[i]);
	EXPECT_TRUE(echo_once(VM_ADDR, "still serving after all\n"));
	EXPECT_FALSE(atomic_load(&self->vm[0].r.done));
}

/*
 * A VM with too little memory for everything asked of it: connections
 * that each park data in it until it runs out are refused, reset or
 * left unanswered, never a crash; once they are gone it serves again.
 */
TEST_F_TIMEOUT(tcpip, memory_exhaustion_refuses_not_crashes, 300)
{
	enum { CONNS = 300, EACH = 65536 };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT) };
	static struct pollfd p[CONNS];
	static char junk[EACH];
	char err[DENALI_ERROR_MAX];
	int i, n, opened = 0, failed = 0, soerr;
	socklen_t len;

	ASSERT_EQ(0, tvm_start(&self->vm[0], 3ull << 20, "dntcp0", BRIDGE,
			       vm_args, 2, READY, err)) TH_LOG("%s", err);
	memset(junk, 'x', sizeof(junk));
	inet_pton(AF_INET, VM_ADDR, &a.sin_addr);
	/* All at once, without waiting for any: the guest sees a storm. */
	for (i = 0; i < CONNS; i++) {
		int small = 2048;

		p[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, p[i].fd);
		/*
		 * A small window here: the echo backs up into the guest's
		 * send buffer, then its receive buffer fills with ours.
		 */
		setsockopt(p[i].fd, SOL_SOCKET, SO_RCVBUF, &small,
			   sizeof(small));
		p[i].events = POLLOUT;
		connect(p[i].fd, (void *)&a, sizeof(a));
	}
	/* 15 s for the lot; what has not connected by then counts as refused. */
	for (n = 0; n < 150; n++) {
		int pending = 0;

		for (i = 0; i < CONNS; i++) {
			if (p[i].events != POLLOUT)
				continue;
			if (poll(&p[i], 1, 0) != 1) {
				pending++;
				continue;
			}
			len = sizeof(soerr);
			getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
			p[i].events = 0;
			if (soerr) {
				failed++;
				continue;
			}
			opened++;
			/* Never read: the echo piles up in the guest. */
			send(p[i].fd, junk, sizeof(junk), MSG_NOSIGNAL);
		}
		if (!pending)
			break;
		denali_sleep_ms(100);
	}
	TH_LOG("%d connections opened, %d refused, %d unanswered", opened,
	       failed, CONNS - opened - failed);
	/* More, where there is room, while the guest's memory runs out. */
	for (n = 0; n < 3; n++) {
		denali_sleep_ms(1000);
		for (i = 0; i < CONNS; i++)
			send(p[i].fd, junk, sizeof(junk), MSG_NOSIGNAL);
	}
	EXPECT_FALSE(atomic_load(&self->vm[0].r.done))
		TH_LOG("the VM ended: %s", self->vm[0].con);
	for (i = 0; i < CONNS; i++)
		close(p[i].fd);
	/* The guest's retransmissions and closes run out. */
	for (i = 0; i < 30 && !echo_once(VM_ADDR, "alive after exhaustion\n");
	     i++)
		denali_sleep_ms(1000);
	EXPECT_LT(i, 30) TH_LOG("no echo after the storm");
	EXPECT_FALSE(tvm_console_has(&self->vm[0], "assertion"))
		TH_LOG("%s", self->vm[0].con);
}

/*
 * ip=dhcp: the address comes from a DHCP server on the bridge
 * (busybox's udhcpd, which tools/install-deps installs), and the VM
 * answers there.
 */
TEST_F_TIMEOUT(tcpip, address_from_dhcp, 300)
{
	static const char *const dhcp_args[] = { "ip=dhcp" };
	char err[DENALI_ERROR_MAX];
	FILE *f;

	if (system("busybox udhcpd --help >/dev/null 2>&1") > 256)
		SKIP(return, "no busybox udhcpd here");
	f = fopen("/tmp/dntcp-udhcpd.conf", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "start 10.9.0.50\nend 10.9.0.50\ninterface " BRIDGE "\n"
		"lease_file /tmp/dntcp-udhcpd.leases\n"
		"pidfile /tmp/dntcp-udhcpd.pid\n"
		"option subnet 255.255.255.0\noption router " HOST_ADDR "\n");
	fclose(f);
	denali_sh("rm -f /tmp/dntcp-udhcpd.leases; touch /tmp/dntcp-udhcpd.leases");
	ASSERT_EQ(0, denali_sh("busybox udhcpd /tmp/dntcp-udhcpd.conf"));
	EXPECT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", BRIDGE, dhcp_args,
			       1, READY, err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(self->vm[0].con, " 10.9.0.50/24 gw " HOST_ADDR))
		TH_LOG("%s", self->vm[0].con);
	EXPECT_TRUE(echo_once("10.9.0.50", "leased\n"));
	denali_sh("kill $(cat /tmp/dntcp-udhcpd.pid) 2>/dev/null");
}

/*
 * A VM on a bridge in another network namespace answers there, and the
 * host's own namespace cannot reach it.
 */
TEST_F_TIMEOUT(tcpip, vm_in_another_namespace, 300)
{
	static const char *const ns_args[] = { "ip=" NS_VM_ADDR "/24" };
	char err[DENALI_ERROR_MAX];
	int status, ns;
	pid_t pid;

	denali_sh("ip netns del " NS " 2>/dev/null");
	ASSERT_EQ(0, denali_sh("ip netns add " NS));
	ASSERT_EQ(0, tvm_start(&self->vm[0], MEM, "dntcp0", NULL, ns_args,
			       1, NULL, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, denali_sh("ip link set dntcp0 netns " NS " && ip -n " NS " link add " NS_BRIDGE " type bridge && ip -n " NS " addr add 10.9.1.1/24 dev " NS_BRIDGE " && ip -n " NS " link set " NS_BRIDGE " up && ip -n " NS " link set dntcp0 master " NS_BRIDGE " && ip -n " NS " link set dntcp0 up"));
	ASSERT_TRUE(tvm_wait_console(&self->vm[0], READY, 60000));
	pid = fork();
	if (pid == 0) {
		ns = open("/var/run/netns/" NS, O_RDONLY);
		if (ns < 0 || setns(ns, CLONE_NEWNET))
			_exit(2);
		_exit(echo_once(NS_VM_ADDR, "from inside\n") ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* From here: no route to 10.9.1.0/24, so no connection. */
	EXPECT_GT(0, tcp_connect(NS_VM_ADDR, PORT));
}

TEST_HARNESS_MAIN
