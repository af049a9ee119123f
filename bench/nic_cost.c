// SPDX-License-Identifier: GPL-2.0
/*
 * nic_cost: what a NIC costs the host, a net_device of the VM's own
 * against a port of the module's switch (ABI 0.7), and that one switch
 * takes more VMs than a Linux bridge's 1,024 ports.
 *
 *   nic_cost [-l LANE] [-c MODE] N...
 *
 * For each N, four rounds of N VMs of guests/reflector (8 MiB limit,
 * demand-zero, never run: the NIC's cost, not the guest's): no NIC, one
 * NIC with its own interface, one NIC a port of switch "dncost", and no
 * NIC again (the baseline is the mean of the two no-NIC rounds).  For
 * each round: MemAvailable and Slab (SReclaimable + SUnreclaim) of
 * /proc/meminfo before and after creating them, and the time to create
 * them; then all are closed (destroyed) and the next round waits for
 * MemAvailable and Slab to come back.  Per NIC = (round - no-NIC round) / N.  The
 * memory figures are real counts (kernel memory is the same under TCG);
 * the times are TCG's, functional.
 *
 * Then the count: BIG VMs (1,100 by default, -b) behind one switch, the
 * uplink's `ports` counter, and one frame sent on the uplink to the last
 * VM's MAC, which must reach exactly that port (its VM does not run, so
 * it is counted there as drop_not_ready) and no other.
 *
 * Prints CSV: lane,clock_mode,kind,measure,n,value.
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "bench_clock.h"
#include "denali_util.h"

#define SW	"dncost"

static const char *lane = "?", *mode = "?";

static long long meminfo_bytes(const char *key)
{
	char line[256];
	long long v = -1, kb;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%lld", &kb) == 1)
			v = kb * 1024;
	fclose(f);
	return v;
}

static long long slab(void)
{
	return meminfo_bytes("SReclaimable") + meminfo_bytes("SUnreclaim");
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int image(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../guests/reflector.img",
		 dirname(exe));
	return open(path, O_RDONLY | O_CLOEXEC);
}

enum kind { NONE, DEVICE, PORT };
static const char *const kind_name[] = { "none", "device", "port" };

/* One VM of @kind, its NIC number @i (for its MAC); its fd or -1. */
static int create(int dev, int img, enum kind kind, unsigned int i)
{
	struct denali_nic_config nic;
	struct denali_create_vm c;
	int fd;

	memset(&nic, 0, sizeof(nic));
	memset(&c, 0, sizeof(c));
	c.mem_size = 8 << 20;
	c.image_fd = img;
	if (kind != NONE) {
		nic.flags = DENALI_NIC_MAC;
		nic.mac[0] = 0x02;
		nic.mac[1] = 0xc0;
		nic.mac[4] = i >> 8;
		nic.mac[5] = i;
		nic.mac[3] = i >> 16;
		if (kind == PORT) {
			nic.flags |= DENALI_NIC_SWITCH;
			strcpy(nic.switch_name, SW);
		} else {
			snprintf(nic.ifname, sizeof(nic.ifname), "dnc%u", i);
		}
		c.nics = (uintptr_t)&nic;
		c.nic_count = 1;
	}
	fd = ioctl(dev, DENALI_CREATE_VM, &c);
	if (fd < 0)
		fprintf(stderr, "nic_cost: VM %u (%s): %s\n", i,
			kind_name[kind], c.error);
	return fd;
}

/*
 * MemAvailable and Slab back within 512 KiB of @mem and @sl, or 60 s:
 * frees are lazy (RCU, vmalloc purges), and a round's must not be
 * counted in the next one.
 */
static void settle(long long mem, long long sl)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (meminfo_bytes("MemAvailable") >= mem - (512 << 10) &&
		    slab() <= sl + (512 << 10))
			return;
		denali_sleep_ms(100);
	}
}

static int round_of(int dev, int img, enum kind kind, unsigned int n,
		    long long *mem, long long *sl, double *secs)
{
	int *fds = calloc(n, sizeof(*fds));
	long long m0, s0;
	unsigned int i, made = 0;
	double t0;

	if (!fds)
		return -1;
	m0 = meminfo_bytes("MemAvailable");
	s0 = slab();
	t0 = now_s();
	for (i = 0; i < n; i++) {
		fds[i] = create(dev, img, kind, i);
		if (fds[i] < 0)
			break;
		made++;
	}
	*secs = now_s() - t0;
	*mem = m0 - meminfo_bytes("MemAvailable");
	*sl = slab() - s0;
	for (i = 0; i < made; i++)
		close(fds[i]);
	free(fds);
	settle(m0, s0);
	return made == n ? 0 : -1;
}

/* BIG VMs behind one switch; a frame to the last reaches only it. */
static int big_switch(int dev, int img, unsigned int big)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct denali_nic_stats st;
	uint8_t f[64] = { 0 };
	unsigned long long ports = 0, other = 0;
	int *fds = calloc(big, sizeof(*fds)), s, ok = -1;
	unsigned int i, made = 0;
	FILE *p;

	if (!fds)
		return -1;
	for (i = 0; i < big; i++) {
		fds[i] = create(dev, img, PORT, i);
		if (fds[i] < 0)
			break;
		made++;
	}
	printf("%s,%s,port,vms_behind_one_switch,%u,%u\n", lane, mode, big,
	       made);
	if (made != big)
		goto out;
	p = popen("ethtool -S " SW " | sed -n 's/^ *ports: //p'", "r");
	if (p && fscanf(p, "%llu", &ports) != 1)
		ports = 0;
	if (p)
		pclose(p);
	printf("%s,%s,port,uplink_ports_counter,%u,%llu\n", lane, mode, big,
	       ports);
	denali_sh("ip link set " SW " up");
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	sll.sll_ifindex = if_nametoindex(SW);
	if (s < 0 || bind(s, (void *)&sll, sizeof(sll)))
		goto out;
	memset(&st, 0, sizeof(st));
	ioctl(fds[big - 1], DENALI_GET_NIC_STATS, &st);
	memcpy(f, st.mac, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = 0x88;
	f[13] = 0xb6;
	if (send(s, f, sizeof(f), 0) != sizeof(f))
		goto out_s;
	denali_sleep_ms(500);
	memset(&st, 0, sizeof(st));
	ioctl(fds[big - 1], DENALI_GET_NIC_STATS, &st);
	for (i = 0; i + 1 < big; i++) {
		struct denali_nic_stats o;

		memset(&o, 0, sizeof(o));
		ioctl(fds[i], DENALI_GET_NIC_STATS, &o);
		other += o.drop_not_ready + o.to_guest_packets;
	}
	printf("%s,%s,port,last_port_frames,%u,%llu\n", lane, mode, big,
	       (unsigned long long)st.drop_not_ready);
	printf("%s,%s,port,other_ports_frames,%u,%llu\n", lane, mode, big,
	       other);
	ok = ports == big && st.drop_not_ready == 1 && !other ? 0 : -1;
out_s:
	close(s);
out:
	for (i = 0; i < made; i++)
		close(fds[i]);
	free(fds);
	return ok;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	unsigned int n, big = 1100;
	long long mem[4], sl[4];
	double secs[4];
	int dev, img, opt, k, ret = 0;

	while ((opt = getopt(argc, argv, "l:c:b:")) != -1) {
		if (opt == 'l')
			lane = optarg;
		else if (opt == 'c')
			mode = optarg;
		else if (opt == 'b')
			big = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	bench_default_module();
	if (denali_ensure_loaded()) {
		fprintf(stderr, "nic_cost: cannot load denali.ko\n");
		return 1;
	}
	denali_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	img = image();
	if (dev < 0 || img < 0) {
		fprintf(stderr, "nic_cost: no /dev/denali or no reflector.img\n");
		return 1;
	}
	printf("lane,clock_mode,kind,measure,n,value\n");
	for (; optind < argc; optind++) {
		n = strtoul(argv[optind], NULL, 10);
		/* none, device, port, none again: the baseline is both. */
		for (k = 0; k < 4; k++)
			if (round_of(dev, img, k % 3, n, &mem[k], &sl[k],
				     &secs[k]))
				return 1;
		mem[NONE] = (mem[NONE] + mem[3]) / 2;
		sl[NONE] = (sl[NONE] + sl[3]) / 2;
		secs[NONE] = (secs[NONE] + secs[3]) / 2;
		for (k = NONE; k <= PORT; k++) {
			printf("%s,%s,%s,memavailable_bytes_per_vm,%u,%.0f\n",
			       lane, mode, kind_name[k], n, (double)mem[k] / n);
			printf("%s,%s,%s,slab_bytes_per_vm,%u,%.0f\n", lane,
			       mode, kind_name[k], n, (double)sl[k] / n);
			printf("%s,%s,%s,create_us_per_vm,%u,%.1f\n", lane,
			       mode, kind_name[k], n, secs[k] * 1e6 / n);
		}
		for (k = DEVICE; k <= PORT; k++) {
			printf("%s,%s,%s,memavailable_bytes_per_nic,%u,%.0f\n",
			       lane, mode, kind_name[k], n,
			       (double)(mem[k] - mem[NONE]) / n);
			printf("%s,%s,%s,slab_bytes_per_nic,%u,%.0f\n", lane,
			       mode, kind_name[k], n,
			       (double)(sl[k] - sl[NONE]) / n);
			printf("%s,%s,%s,create_us_per_nic,%u,%.1f\n", lane,
			       mode, kind_name[k], n,
			       (secs[k] - secs[NONE]) * 1e6 / n);
		}
		fflush(stdout);
	}
	if (big && big_switch(dev, img, big))
		ret = 1;
	close(img);
	close(dev);
	return ret;
}
