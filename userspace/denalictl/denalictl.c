// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: the operator's tool for Denali VMs, used the way `ip` and
 * `virsh` are.
 *
 * One verb per invocation.  This file is the front door: the table of
 * verbs and their help, `version`, and what every verb needs from the
 * control device; each other verb has a file of its own.  Every failure
 * is one line on stderr that says what went wrong and, where there is
 * one, what to do about it, and a non-zero exit status: 1 for an
 * operation that failed, 2 for a command line that was wrong.  `create
 * --foreground` exits as the VM did (see create.c).  docs/denalictl.8 is
 * the manual; keep it and the help text below in step.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "abi.h"
#include "denalictl.h"
#include "uapi/denali.h"

const char *progname = "denalictl";

int open_control_device(void)
{
	int fd = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"%s: the denali module is not loaded (%s is missing); load it with 'insmod denali.ko' as root\n",
			progname, DENALI_DEVICE_PATH);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"%s: cannot open %s: permission denied (run as root or as a member of the device's group)\n",
			progname, DENALI_DEVICE_PATH);
		break;
	default:
		fprintf(stderr, "%s: cannot open %s: %s\n", progname,
			DENALI_DEVICE_PATH, strerror(errno));
	}
	return -1;
}

void explain_ioctl_error(int ctlfd, const char *what, int err)
{
	struct denali_version v;

	if (err != ENOTTY) {
		fprintf(stderr, "%s: %s failed: %s\n", progname, what,
			strerror(err));
		return;
	}
	/* An older module: say which, so the fix is obvious. */
	memset(&v, 0, sizeof(v));
	if (ioctl(ctlfd, DENALI_GET_VERSION, &v))
		fprintf(stderr,
			"%s: the loaded module does not implement %s; load the denali.ko built with this tool (ABI %d.%d)\n",
			progname, what, DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	else
		fprintf(stderr,
			"%s: the loaded module (ABI %u.%u) does not implement %s; load the denali.ko built with this tool (ABI %d.%d)\n",
			progname, v.abi_major, v.abi_minor, what,
			DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
}

int bad_option(const char *verb, int opt, char **argv)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		fprintf(stderr, "%s: %s: %s needs a value\n", progname, verb,
			word);
	else if (optopt && strncmp(word, "--", 2))
		fprintf(stderr, "%s: %s: unknown option -%c (try '%s help %s')\n",
			progname, verb, optopt, progname, verb);
	else	/* a long one: unknown, or given a value it does not take */
		fprintf(stderr, "%s: %s: bad option %s (try '%s help %s')\n",
			progname, verb, word, progname, verb);
	return EXIT_USAGE;
}

int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

int cmd_version(int argc, char **argv)
{
	struct denali_version v;
	char modver[sizeof(v.module_version) + 1];
	int fd;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "%s: version takes no arguments\n", progname);
		return EXIT_USAGE;
	}
	printf("denalictl %s, ABI %d.%d\n", DENALI_RELEASE,
	       DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	fflush(stdout);

	fd = open_control_device();
	if (fd < 0)
		return EXIT_FAILED;
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, DENALI_GET_VERSION, &v) < 0) {
		fprintf(stderr, "%s: DENALI_GET_VERSION failed: %s\n",
			progname, strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	close(fd);

	denali_module_version_str(&v, modver, sizeof(modver));
	printf("denali.ko %s, ABI %u.%u\n", modver, v.abi_major, v.abi_minor);
	if (!denali_abi_compatible(DENALI_ABI_MAJOR, DENALI_ABI_MINOR,
				   v.abi_major, v.abi_minor)) {
		fprintf(stderr,
			"%s: the loaded module's ABI %u.%u cannot serve this tool's ABI %d.%d; use a denalictl built with the module\n",
			progname, v.abi_major, v.abi_minor, DENALI_ABI_MAJOR,
			DENALI_ABI_MINOR);
		return EXIT_FAILED;
	}
	return 0;
}

static int cmd_help(int argc, char **argv);

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
	/* Lines describing the options and operands, or NULL. */
	const char * const *details;
};

static const char * const create_details[] = {
	"--mem SIZE      guest memory: bytes, or a number with K, M or G",
	"                (powers of 1024); a multiple of 4K, at least 1M;",
	"                default 16M; a limit: pages are allocated, zeroed",
	"                and charged to your memory cgroup on first touch",
	"--prealloc      allocate all of --mem now: no demand faults later",
	"--name NAME     1 to 31 letters, digits, '.', '_' or '-';",
	"                default vm<id>",
	"--nic SPEC      a NIC (up to 8): 'default' or bridge=BR,ifname=NAME,",
	"                mac=XX:XX:XX:XX:XX:XX (any of them); a Linux",
	"                interface dn<id>[n<k>], on bridge BR if given",
	"--bridge BR     short for --nic bridge=BR",
	"--foreground    run the VM in this process, its console on stdout,",
	"                until it stops; exit with the guest's status (0 if",
	"                it halted, 125 if it crashed, 130 if interrupted,",
	"                137 if destroyed)",
	"-- ARGS...      boot arguments: every word after the first '--',",
	"                each with its NUL, at most 2048 bytes in all; the",
	"                guest's argv (argv[0] is the first of them)",
	"Without --foreground the VM runs in a runner process (shown in ps",
	"as denali:NAME) and create prints \"id N name NAME pid PID\"; the",
	"VM lives until it is destroyed or its runner is killed.",
	NULL
};

static const char * const list_details[] = {
	"columns: ID NAME STATE MEM RSS SHARED HOST OWNER PID (of the runner)",
	"NICS STATUS; the total counts shared image pages once",
	"-j, --json      a JSON array of objects, one per VM",
	NULL
};

static const char * const destroy_details[] = {
	"-a, --all       destroy every VM you may see, and say how many",
	"ID|NAME: digits are an id if a VM has it, otherwise a name",
	NULL
};

static const char * const console_details[] = {
	"-f, --follow    keep printing new output until the VM stops, its",
	"                runner goes away, or you interrupt",
	"-n, --no-input  do not read stdin",
	"Input: stdin that is a pipe or a file is sent to the VM until its",
	"end (then -f follows on); a terminal is read only with -f, as a",
	"session: keys go to the guest as typed (Ctrl-C too), Ctrl-] detaches",
	NULL
};

static const char * const irq_details[] = {
	"N               a user interrupt line, 0 to 15: the guest's",
	"                DENALI_IRQ_USER(N) bit; all raised at once",
	NULL
};

static const char * const stats_details[] = {
	"-j, --json      one JSON object",
	NULL
};

static const char * const help_details[] = {
	"VERB            only that verb's help",
	NULL
};

static const struct verb verbs[] = {
	{ "create", cmd_create,
	  "create IMAGE [--mem SIZE] [--prealloc] [--name NAME] [--nic SPEC]...\n"
	  "             [--bridge BR] [--foreground | --runner NAME|auto] [-- ARGS...]",
	  "make a VM from the guest ELF image IMAGE and run it",
	  create_details },
	{ "list", cmd_list, "list [-j]", "list the VMs you may see",
	  list_details },
	{ "destroy", cmd_destroy, "destroy ID|NAME|--all",
	  "stop a VM for good and remove it", destroy_details },
	{ "console", cmd_console, "console ID|NAME [-f] [-n]",
	  "print a VM's console output, send it input", console_details },
	{ "stats", cmd_stats, "stats ID|NAME [-j]",
	  "print a VM's counters: exits, hypercalls, interrupts",
	  stats_details },
	{ "irq", cmd_irq, "irq ID|NAME N...",
	  "raise user interrupt lines in a VM", irq_details },
	{ "version", cmd_version, "version",
	  "print this tool's and the loaded module's versions", NULL },
	{ "help", cmd_help, "help [VERB]", "print this help", help_details },
};

static void print_verb(FILE *out, const struct verb *v)
{
	const char * const *line;

	/* A usage too long for its column gets a line of its own. */
	if (strlen(v->usage) > 24)
		fprintf(out, "  %s\n  %-24s %s\n", v->usage, "", v->summary);
	else
		fprintf(out, "  %-24s %s\n", v->usage, v->summary);
	for (line = v->details; line && *line; line++)
		fprintf(out, "      %s\n", *line);
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s VERB [ARGS...]\n\nverbs:\n", progname);
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		print_verb(out, &verbs[i]);
	fprintf(out,
		"\nexit status: 0 on success, 1 when an operation failed, 2 for a wrong\n"
		"command line; create --foreground exits as its VM did.  See denalictl(8).\n");
}

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(name, verbs[i].name))
			return &verbs[i];
	return NULL;
}

static void print_verb_help(const struct verb *v)
{
	printf("usage:\n");
	print_verb(stdout, v);
}

static int cmd_help(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "%s: help takes at most one VERB\n", progname);
		return EXIT_USAGE;
	}
	v = find_verb(argv[1]);
	if (!v) {
		fprintf(stderr, "%s: help: unknown verb '%s' (try '%s help')\n",
			progname, argv[1], progname);
		return EXIT_USAGE;
	}
	print_verb_help(v);
	return 0;
}

int main(int argc, char **argv)
{
	const struct verb *v;

	proctitle_init(argc, argv);
	if (argc < 2) {
		fprintf(stderr, "%s: no verb given (try '%s help')\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);

	v = find_verb(argv[1]);
	if (!v) {
		fprintf(stderr, "%s: unknown verb '%s' (try '%s help')\n",
			progname, argv[1], progname);
		return EXIT_USAGE;
	}
	/* `denalictl VERB --help` is `denalictl help VERB`. */
	if (argc == 3 && (!strcmp(argv[2], "--help") ||
			  !strcmp(argv[2], "-h"))) {
		print_verb_help(v);
		return 0;
	}
	return v->run(argc - 1, argv + 1);
}
