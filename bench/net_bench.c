// SPDX-License-Identifier: GPL-2.0
/*
 * net_bench: frames to a guest and back, beside the same through a veth
 * pair into a network namespace, in the same boot (bench/net.sh runs it).
 *
 * Denali: guests/reflector on a NIC "dnb0"; Linux: a process in the
 * namespace "nbench" that reflects every frame on "vb1", the far end of
 * the veth pair "vb0"/"vb1".  From the host side, through a packet socket
 * on dnb0 or vb0, for frames of 100 and 1400 bytes (the Denali paper's
 * Figure 5 sizes):
 *
 *   rtt   one frame out, its reflection back, one at a time: time per
 *         round trip (best of REPS runs of N);
 *   fps   WINDOW frames kept in flight, N echoed: frames per second;
 *   crossings  (Denali only) the VM's exits of every kind during the fps
 *         run, per frame echoed: how well the rings batch at saturation.
 *
 * Then saturation as a busy server sees it ("denali_poll"): a second
 * reflector VM started with "poll" (it keeps polling while frames come
 * and kicks once per 32 reflections) on "dnb1", and SAT_WINDOW frames in
 * flight, enough to keep it from ever running dry: frames per second and
 * crossings per frame again.
 *
 * Then both again with the NIC a port of the module's switch "dnbsw"
 * (ABI 0.7), the packet socket on its uplink ("switch", "switch_poll"):
 * the same guest and frames, through the switch's demultiplexing instead
 * of a net_device of the VM's own.
 *
 * Prints CSV: lane,clock_mode,path,measure,size,n,value.  Under -icount
 * the times are the machine's instructions, not nanoseconds (bench/run
 * labels them).
 */
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench_clock.h"
#include "denali_util.h"

#define ECHO_TYPE	0x88b6
#define WINDOW		32
/* In flight at saturation: three of the poll reflector's kicks' worth. */
#define SAT_WINDOW	96
#define FRAME_MAX	1514

static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 1 };

static int sh(const char *cmd)
{
	return system(cmd);
}

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (s < 0)
		return -1;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(s, (void *)&sll, sizeof(sll))) {
		close(s);
		return -1;
	}
	return s;
}

static int read_mac(const char *ifname, uint8_t mac[6])
{
	char path[128];
	unsigned int m[6];
	FILE *f;
	int i, n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]);
	fclose(f);
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return n == 6 ? 0 : -1;
}

/* The next reflected frame (incoming, our type) within 2 s; 0 if none. */
static int recv_echo(int s, uint8_t *buf)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	while (poll(&p, 1, 2000) == 1) {
		fl = sizeof(from);
		n = recvfrom(s, buf, FRAME_MAX + 4, 0, (void *)&from, &fl);
		if (n >= 14 && from.sll_pkttype != PACKET_OUTGOING &&
		    ((buf[12] << 8) | buf[13]) == ECHO_TYPE)
			return n;
	}
	return 0;
}

static void make_frame(uint8_t *f, unsigned int len, const uint8_t *dst)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, host_mac, 6);
	f[12] = ECHO_TYPE >> 8;
	f[13] = ECHO_TYPE & 0xff;
	memset(f + 14, 0x5a, len - 14);
}

/* @n round trips one at a time; false if a frame did not come back. */
static bool rtt_run(int s, const uint8_t *dst, unsigned int len,
		    unsigned long n, struct bench_sample *t)
{
	uint8_t out[FRAME_MAX], in[FRAME_MAX + 4];
	unsigned long i;

	make_frame(out, len, dst);
	bench_start(t);
	for (i = 0; i < n; i++)
		if (send(s, out, len, 0) != (ssize_t)len || !recv_echo(s, in))
			return false;
	bench_stop(t);
	return true;
}

/*
 * @n frames with up to @window in flight; returns how many came back (a
 * frame the reflector or the host dropped does not; the window refills
 * after a 2 s silence).
 */
static unsigned long fps_run(int s, const uint8_t *dst, unsigned int len,
			     unsigned long n, unsigned int window,
			     struct bench_sample *t)
{
	uint8_t out[FRAME_MAX], in[FRAME_MAX + 4];
	unsigned long sent = 0, back = 0, silences = 0;

	make_frame(out, len, dst);
	bench_start(t);
	while (back < n && silences < 3) {
		while (sent - back < window && sent < n + window) {
			if (send(s, out, len, 0) != (ssize_t)len)
				break;
			sent++;
		}
		if (!recv_echo(s, in)) {
			/* Lost ones: forget them and refill; three silences end it. */
			sent = back;
			silences++;
			continue;
		}
		back++;
	}
	bench_stop(t);
	if (back < n)
		fprintf(stderr, "net_bench: %lu of %lu frames came back\n", back,
			n);
	return back;
}

/* ---- the Denali side ------------------------------------------------------ */

struct runner {
	int vm;
	atomic_int stop, done;
};

static void on_kick(int sig)
{
	(void)sig;
}

static void *run_vm(void *arg)
{
	struct runner *r = arg;
	struct denali_run run;

	while (!atomic_load(&r->stop))
		if (denali_run(r->vm, &run) != -EINTR)
			break;
	atomic_store(&r->done, 1);
	return NULL;
}

static unsigned long long all_exits(int vm)
{
	struct denali_stats st;

	memset(&st, 0, sizeof(st));
	if (denali_get_stats(vm, &st))
		return 0;
	return denali_all_exits(&st);
}

/*
 * A reflector VM with one NIC @ifname and boot argument @arg (or none);
 * with @port, the NIC is a port of the module's switch @ifname instead
 * (ABI 0.7), and @ifname its uplink.
 */
static int start_reflector(struct runner *r, pthread_t *th, const char *ifname,
			   const char *arg, bool port)
{
	const char *argv[2] = { "reflector", arg };
	char args[64];
	struct denali_nic_config nic;
	struct denali_create_vm c;
	char path[PATH_MAX + 64], exe[PATH_MAX], buf[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t got;
	int img, dev, i;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../guests/reflector.img",
		 dirname(exe));
	img = open(path, O_RDONLY | O_CLOEXEC);
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (img < 0 || dev < 0)
		return -1;
	memset(&nic, 0, sizeof(nic));
	if (port) {
		nic.flags = DENALI_NIC_SWITCH;
		snprintf(nic.switch_name, sizeof(nic.switch_name), "%s",
			 ifname);
	} else {
		snprintf(nic.ifname, sizeof(nic.ifname), "%s", ifname);
	}
	memset(&c, 0, sizeof(c));
	c.mem_size = 8 << 20;
	c.image_fd = img;
	if (arg) {
		c.args = (uintptr_t)args;
		c.args_len = denali_pack_args(args, sizeof(args), argv, 2);
	}
	c.nics = (uintptr_t)&nic;
	c.nic_count = 1;
	r->vm = ioctl(dev, DENALI_CREATE_VM, &c);
	close(dev);
	close(img);
	if (r->vm < 0) {
		fprintf(stderr, "net_bench: create: %s\n", c.error);
		return -1;
	}
	if (pthread_create(th, NULL, run_vm, r))
		return -1;
	/* Until the guest says its NICs are up (a read waits for output). */
	got = 0;
	for (i = 0; i < 3000 && got + 1 < sizeof(buf); i++) {
		n = read(r->vm, buf + got, sizeof(buf) - 1 - got);
		if (n > 0)
			got += n;
		buf[got] = '\0';
		if (strstr(buf, "NICs up"))
			return 0;
		if (atomic_load(&r->done))
			break;
	}
	return -1;
}

/* ---- the Linux side: a reflecting process in a namespace ---------------- */

static pid_t start_veth_reflector(void)
{
	uint8_t buf[FRAME_MAX + 4], tmp[6];
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;
	pid_t pid;
	int ns, s;

	/* The machine's kernel may not load modules on demand: ask. */
	sh("modprobe veth 2>/dev/null");
	if (sh("ip netns add nbench && ip link add vb0 type veth peer name vb1 && ip link set vb1 netns nbench && ip link set vb0 up && ip -n nbench link set vb1 up"))
		return -1;
	pid = fork();
	if (pid)
		return pid;
	ns = open("/var/run/netns/nbench", O_RDONLY);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		_exit(2);
	s = packet_socket("vb1");
	if (s < 0)
		_exit(3);
	for (;;) {
		fl = sizeof(from);
		n = recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &fl);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING ||
		    ((buf[12] << 8) | buf[13]) != ECHO_TYPE)
			continue;
		memcpy(tmp, buf, 6);
		memcpy(buf, buf + 6, 6);
		memcpy(buf + 6, tmp, 6);
		send(s, buf, n, 0);
	}
}

/* ---- measuring one path ----------------------------------------------------- */

static void measure(const struct bench_opts *o, const char *path,
		    const char *ifname, const uint8_t *dst, int vm)
{
	static const unsigned int sizes[] = { 100, 1400 };
	struct bench_sample best, one, t;
	unsigned long long e0, e1;
	unsigned long back;
	unsigned int i, r;
	int s = packet_socket(ifname);

	if (s < 0) {
		fprintf(stderr, "net_bench: no socket on %s\n", ifname);
		return;
	}
	/* First use of every code path on both sides, not timed. */
	rtt_run(s, dst, sizes[0], 20, &t);
	for (i = 0; i < 2; i++) {
		bench_reset(&best);
		bench_reset(&one);
		for (r = 0; r < o->reps; r++) {
			if (!rtt_run(s, dst, sizes[i], 1, &t)) {
				fprintf(stderr, "net_bench: %s: no reflection of %u bytes\n",
					path, sizes[i]);
				break;
			}
			bench_keep_min(&one, &t);
			if (!rtt_run(s, dst, sizes[i], o->n, &t))
				break;
			bench_keep_min(&best, &t);
		}
		if (r == o->reps)
			printf("%s,%s,%s,rtt_ns,%u,%lu,%.1f\n", o->lane,
			       o->mode, path, sizes[i], o->n,
			       ((double)best.ns - (double)one.ns) /
			       (double)(o->n - 1));

		e0 = vm >= 0 ? all_exits(vm) : 0;
		back = fps_run(s, dst, sizes[i], o->n * 4, WINDOW, &t);
		e1 = vm >= 0 ? all_exits(vm) : 0;
		printf("%s,%s,%s,frames_per_s,%u,%lu,%.1f\n", o->lane, o->mode,
		       path, sizes[i], back,
		       t.ns ? (double)back * 1e9 / (double)t.ns : 0.0);
		if (vm >= 0 && back)
			printf("%s,%s,%s,crossings_per_frame,%u,%lu,%.4f\n",
			       o->lane, o->mode, path, sizes[i], back,
			       (double)(e1 - e0) / (double)back);
		fflush(stdout);
	}
	close(s);
}

/* Frames per second and crossings per frame with SAT_WINDOW in flight. */
static void measure_saturated(const struct bench_opts *o, const char *path,
			      const char *ifname, const uint8_t *dst, int vm)
{
	static const unsigned int sizes[] = { 100, 1400 };
	unsigned long long e0, e1;
	struct bench_sample t;
	unsigned long back;
	unsigned int i;
	int s = packet_socket(ifname);

	if (s < 0) {
		fprintf(stderr, "net_bench: no socket on %s\n", ifname);
		return;
	}
	rtt_run(s, dst, sizes[0], 20, &t);
	for (i = 0; i < 2; i++) {
		e0 = all_exits(vm);
		back = fps_run(s, dst, sizes[i], o->n * 4, SAT_WINDOW, &t);
		e1 = all_exits(vm);
		printf("%s,%s,%s,frames_per_s,%u,%lu,%.1f\n", o->lane, o->mode,
		       path, sizes[i], back,
		       t.ns ? (double)back * 1e9 / (double)t.ns : 0.0);
		if (back)
			printf("%s,%s,%s,crossings_per_frame,%u,%lu,%.4f\n",
			       o->lane, o->mode, path, sizes[i], back,
			       (double)(e1 - e0) / (double)back);
		fflush(stdout);
	}
	close(s);
}

/* The guest's MAC on NIC 0 of VM @vm, from the module (a port has no interface). */
static int port_mac(int vm, uint8_t mac[6])
{
	struct denali_nic_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(vm, DENALI_GET_NIC_STATS, &st))
		return -1;
	memcpy(mac, st.mac, 6);
	return 0;
}

static void stop_reflector(struct runner *r, pthread_t th)
{
	int i;

	atomic_store(&r->stop, 1);
	for (i = 0; i < 1000 && !atomic_load(&r->done); i++) {
		pthread_kill(th, SIGUSR1);
		denali_sleep_ms(5);
	}
	pthread_join(th, NULL);
	close(r->vm);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct runner r = { .vm = -1 };
	uint8_t mac[6];
	pthread_t th;
	struct bench_opts o;
	pid_t veth;
	int i;

	if (bench_parse(argc, argv, &o))
		return 2;
	bench_default_module();
	sigaction(SIGUSR1, &sa, NULL);
	if (denali_ensure_loaded()) {
		fprintf(stderr, "net_bench: cannot load denali.ko\n");
		return 1;
	}
	/* Only the benchmark's frames: no IPv6 chatter on new interfaces. */
	sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	printf("lane,clock_mode,path,measure,size,n,value\n");

	if (start_reflector(&r, &th, "dnb0", NULL, false) ||
	    sh("ip link set dnb0 up") || read_mac("dnb0", mac)) {
		fprintf(stderr, "net_bench: no reflector VM\n");
		return 1;
	}
	mac[0] = 0x02;		/* the guest's, behind the fe: host end */
	measure(&o, "denali", "dnb0", mac, r.vm);
	stop_reflector(&r, th);

	memset(&r, 0, sizeof(r));
	if (start_reflector(&r, &th, "dnb1", "poll", false) ||
	    sh("ip link set dnb1 up") || read_mac("dnb1", mac)) {
		fprintf(stderr, "net_bench: no polling reflector VM\n");
		return 1;
	}
	mac[0] = 0x02;
	measure_saturated(&o, "denali_poll", "dnb1", mac, r.vm);
	stop_reflector(&r, th);

	/* The same two through a port of the module's switch (ABI 0.7). */
	memset(&r, 0, sizeof(r));
	if (start_reflector(&r, &th, "dnbsw", NULL, true) ||
	    sh("ip link set dnbsw up") || port_mac(r.vm, mac)) {
		fprintf(stderr, "net_bench: no reflector VM behind a switch\n");
		return 1;
	}
	measure(&o, "switch", "dnbsw", mac, r.vm);
	stop_reflector(&r, th);
	memset(&r, 0, sizeof(r));
	if (start_reflector(&r, &th, "dnbsw", "poll", true) ||
	    sh("ip link set dnbsw up") || port_mac(r.vm, mac)) {
		fprintf(stderr, "net_bench: no polling reflector VM behind a switch\n");
		return 1;
	}
	measure_saturated(&o, "switch_poll", "dnbsw", mac, r.vm);
	stop_reflector(&r, th);

	veth = start_veth_reflector();
	if (veth < 0 || read_mac("vb0", mac)) {
		fprintf(stderr, "net_bench: no veth pair\n");
		return 1;
	}
	/* Frames go to the far end's MAC: read it inside the namespace. */
	{
		FILE *f = popen("ip -n nbench -o link show vb1", "r");
		char line[512], *p = NULL;
		unsigned int m[6];

		if (f && fgets(line, sizeof(line), f))
			p = strstr(line, "link/ether ");
		if (f)
			pclose(f);
		if (!p || sscanf(p + 11, "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
				 &m[2], &m[3], &m[4], &m[5]) != 6) {
			fprintf(stderr, "net_bench: no MAC for vb1\n");
			return 1;
		}
		for (i = 0; i < 6; i++)
			mac[i] = m[i];
	}
	measure(&o, "veth", "vb0", mac, -1);
	kill(veth, SIGKILL);
	waitpid(veth, NULL, 0);
	sh("ip link del vb0 2>/dev/null; ip netns del nbench 2>/dev/null");
	bench_drain_stdout();
	return 0;
}
