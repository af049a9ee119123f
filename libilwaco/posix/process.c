// SPDX-License-Identifier: GPL-2.0
/*
 * The process: start-up into musl, exit, identity, the thread pointer,
 * randomness.
 *
 * A guest is one process (pid 1) with one thread (tid 1) until the
 * thread layer exists; its exit status is the VM's, which denalictl
 * reports.  Start-up builds what a Linux kernel leaves on a new
 * process's stack, argv then an empty environment then the auxiliary
 * vector, and hands it to musl's __libc_start_main(), which sets up the
 * thread pointer, stdio and the rest, runs main() and calls exit().
 */
#include "posix.h"
#include "../internal.h"

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004
#define AT_NULL		0
#define AT_PAGESZ	6
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25

static unsigned long fs_base, gs_base;

static void cpuid(unsigned int leaf, unsigned int sub, unsigned int r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "0" (leaf), "2" (sub));
}

/*
 * The thread pointer.  wrfsbase costs no exit, but faults unless the
 * host enabled it, which the monitor says in the read-only page; the
 * set_base hypercall works everywhere.
 */
static int fsbase_hypercall_only;

int ilwaco_fsgsbase_usable(void)
{
	return !fsbase_hypercall_only &&
	       (ILWACO_VREGS_RO->flags & DENALI_VRO_FSGSBASE);
}

void ilwaco_fsbase_use_hypercall(void)
{
	fsbase_hypercall_only = 1;
}

int ilwaco_set_fs_base(unsigned long base)
{
	long err;

	if (ilwaco_fsgsbase_usable()) {
		asm volatile("wrfsbase %0" : : "r" (base) : "memory");
		fs_base = base;
		ilwaco_thread_set_fs(base);
		return 0;
	}
	err = denali_hypercall2(DENALI_HC_SET_BASE, DENALI_BASE_FS, base);
	if (!err) {
		fs_base = base;
		ilwaco_thread_set_fs(base);
	}
	return err;
}

SYSCALL_DEFINE(arch_prctl)
{
	unsigned long *out = (void *)a2;
	long err;

	switch (a1) {
	case ARCH_SET_FS:
		return ilwaco_set_fs_base(a2);
	case ARCH_SET_GS:
		err = denali_hypercall2(DENALI_HC_SET_BASE, DENALI_BASE_GS, a2);
		if (!err)
			gs_base = a2;
		return err;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		if (!user_range_ok(out, sizeof(*out)))
			return -L_EFAULT;
		*out = a1 == ARCH_GET_FS ? fs_base : gs_base;
		return 0;
	}
	return -L_EINVAL;
}

SYSCALL_DEFINE(exit_group)
{
	denali_exit((int)a1);
}

SYSCALL_DEFINE(getpid)
{
	return 1;
}

SYSCALL_DEFINE(getppid)
{
	return 0;
}

SYSCALL_DEFINE(getuid)
{
	return 0;
}

SYSCALL_DEFINE(set_robust_list)
{
	/* Robust futexes matter when a process dies; this one never half-dies. */
	return 0;
}

/* struct utsname: six fields of 65 bytes. */
struct l_utsname {
	char sysname[65], nodename[65], release[65], version[65],
	     machine[65], domainname[65];
};

static void copy_str(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

SYSCALL_DEFINE(uname)
{
	struct l_utsname *u = (void *)a1;
	unsigned int id = ILWACO_VREGS_RO->vm_id, i = 0, d;
	char node[32] = "denali-vm";

	if (!user_range_ok(u, sizeof(*u)))
		return -L_EFAULT;
	memset(u, 0, sizeof(*u));
	/* nodename: "denali-vm" and the VM's id, as denalictl lists it. */
	for (d = 1000000000; d > 1; d /= 10)
		if (id >= d)
			break;
	for (i = 9; d; d /= 10)
		node[i++] = '0' + id / d % 10;
	node[i] = '\0';
	copy_str(u->sysname, "Denali");
	copy_str(u->nodename, node);
	copy_str(u->release, "0.5");	/* the Denali ABI it was built for */
	copy_str(u->version, "libilwaco");
	copy_str(u->machine, "x86_64");
	copy_str(u->domainname, "(none)");
	return 0;
}

/*
 * Randomness.  Where the CPU has rdseed or rdrand (CPUID), their output
 * is what is used; each 64-bit word is then mixed with the TSC through
 * a 64-bit finalizer (multiply-xorshift), which spreads the bits but
 * adds no secrecy.  Without either instruction the result is the TSC's
 * jitter through the same mixer, and a patient observer could guess it:
 * good for hash seeds, ports and sequence numbers, not for keys.  There
 * is no entropy pool and no reseeding.
 */
static int have_rdrand, have_rdseed, random_probed;

static unsigned long mix64(unsigned long x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ul;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dul;
	x ^= x >> 33;
	return x;
}

static unsigned long random_word(void)
{
	static unsigned long counter;
	unsigned long v = 0, tsc;
	unsigned int lo, hi;
	int i, ok = 0;

	for (i = 0; i < 10 && have_rdseed && !ok; i++)
		asm volatile("rdseed %0; setc %b1" : "=r" (v), "=q" (ok));
	for (i = 0; i < 10 && have_rdrand && !ok; i++)
		asm volatile("rdrand %0; setc %b1" : "=r" (v), "=q" (ok));
	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	tsc = (unsigned long)hi << 32 | lo;
	return v ^ mix64(tsc + 0x9e3779b97f4a7c15ul * ++counter);
}

void ilwaco_random_bytes(void *buf, unsigned long len)
{
	unsigned char *p = buf;

	if (!random_probed) {
		unsigned int r[4];

		cpuid(1, 0, r);
		have_rdrand = !!(r[2] & (1u << 30));
		cpuid(0, 0, r);
		if (r[0] >= 7) {
			cpuid(7, 0, r);
			have_rdseed = !!(r[1] & (1u << 18));
		}
		random_probed = 1;
	}
	while (len) {
		unsigned long w = random_word();
		unsigned long n = len < sizeof(w) ? len : sizeof(w);

		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
}

SYSCALL_DEFINE(getrandom)
{
	if (a3 & ~0x7l)		/* GRND_NONBLOCK, _RANDOM, _INSECURE */
		return -L_EINVAL;
	if (!user_range_ok((void *)a1, a2))
		return -L_EFAULT;
	ilwaco_random_bytes((void *)a1, a2);
	return a2;
}

/*
 * From start.c, with the boot arguments as argv: the Linux process
 * stack's layout in a static array, then musl.
 */
static char *start_vector[DENALI_ARGS_MAX + 2 + 16];
static unsigned char at_random[16];

/* A boot argument the network stack consumes (docs/TCPIP.md). */
static int is_net_arg(const char *arg)
{
	return !strncmp(arg, "ip=", 3) || !strncmp(arg, "gw=", 3);
}

/*
 * What musl's start runs as main(): the network stack's start first
 * when it is linked (musl is set up by then, so the stack may create
 * threads), then the program's main().  The stack's own arguments are
 * taken out of argv after argv[0]: an unmodified program must not meet
 * words it never asked for (CivetWeb reads a bare first argument as its
 * configuration file).  argv[0] stays whatever it is, a name nobody
 * parses.
 */
static int start_main(int argc, char **argv, char **envp)
{
	int i, n = argc > 0 ? 1 : 0;

	if (ilwaco_net_start) {
		ilwaco_net_start();
		for (i = n; i < argc; i++)
			if (!is_net_arg(argv[i]))
				argv[n++] = argv[i];
		argv[n] = NULL;
		argc = n;
	}
	(void)envp;
	return main(argc, argv);
}

_Noreturn void ilwaco_posix_start(int argc, char **argv)
{
	unsigned long *aux;
	unsigned int r[4];
	int i, n = 0;

	ilwaco_memory_init();
	for (i = 0; i < argc; i++)
		start_vector[n++] = argv[i];
	start_vector[n++] = NULL;	/* end of argv */
	start_vector[n++] = NULL;	/* an empty environment */
	aux = (unsigned long *)&start_vector[n];
	ilwaco_random_bytes(at_random, sizeof(at_random));
	cpuid(1, 0, r);
	*aux++ = AT_PAGESZ;
	*aux++ = 4096;
	*aux++ = AT_HWCAP;
	*aux++ = r[3];
	*aux++ = AT_CLKTCK;
	*aux++ = 100;
	*aux++ = AT_SECURE;
	*aux++ = 0;
	*aux++ = AT_RANDOM;
	*aux++ = (unsigned long)at_random;
	*aux++ = AT_NULL;
	*aux++ = 0;
	__libc_start_main(start_main, argc, start_vector, NULL, NULL, NULL);
	ilwaco_die("musl's start returned", ILWACO_EXIT_LIBC_CRASH);
}
