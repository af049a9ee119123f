// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: the operator's tool for Denali VMs, used the way `ip` is.
 *
 * One verb per invocation; each verb is one function below.  Every
 * failure is one line on stderr that says what went wrong and, where there
 * is one, what to do about it, and a non-zero exit status: 1 for an
 * operation that failed, 2 for a command line that was wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "abi.h"
#include "uapi/denali.h"

#define DENALICTL_VERSION "0.1.0"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *progname = "denalictl";

/*
 * Open the control device, or explain in one line why it cannot be
 * opened; returns -1 after printing.
 */
static int open_control_device(void)
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

static int cmd_version(int argc, char **argv)
{
	struct denali_version v;
	char modver[sizeof(v.module_version) + 1];
	int fd;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "%s: version takes no arguments\n", progname);
		return 2;
	}
	printf("denalictl %s, ABI %d.%d\n", DENALICTL_VERSION,
	       DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	fflush(stdout);

	fd = open_control_device();
	if (fd < 0)
		return 1;
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, DENALI_GET_VERSION, &v) < 0) {
		fprintf(stderr, "%s: DENALI_GET_VERSION failed: %s\n",
			progname, strerror(errno));
		close(fd);
		return 1;
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
		return 1;
	}
	return 0;
}

static int cmd_help(int argc, char **argv);

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

static const struct verb verbs[] = {
	{ "version", cmd_version, "version",
	  "print this tool's and the loaded module's versions" },
	{ "help", cmd_help, "help", "print this help" },
};

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s VERB [ARGS...]\n\nverbs:\n", progname);
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-24s %s\n", verbs[i].usage, verbs[i].summary);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);

	fprintf(stderr, "%s: unknown verb '%s' (try '%s help')\n", progname,
		argv[1], progname);
	return 2;
}
