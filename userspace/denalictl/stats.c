// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl stats: a VM's counters (DENALI_GET_STATS on a VM file of our
 * own) and its NICs' (from Linux, nics.c; a switch port's from the
 * module), as text for people or JSON for scripts.  The formatting is in
 * format.c and json.c, where the host tests can see it; this is the I/O.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denalictl.h"
#include "format.h"
#include "json.h"

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct denali_nic_view *nics = NULL;
	struct denali_vm_info vm;
	struct denali_stats st;
	size_t n = 0, i;
	char name[DENALI_NAME_MAX];
	bool json = false;
	int opt, ctlfd, vmfd, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":j", longopts, NULL)) != -1) {
		if (opt != 'j')
			return bad_option("stats", opt, argv);
		json = true;
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"%s: stats takes one ID or NAME (usage: %s stats ID|NAME [-j])\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (check_vm_arg(argv[optind]))
		return EXIT_USAGE;

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	ret = find_vm(ctlfd, argv[optind], &vm);
	if (ret) {
		close(ctlfd);
		return ret;
	}
	vmfd = open_vm(ctlfd, &vm);
	close(ctlfd);
	if (vmfd < 0)
		return EXIT_FAILED;

	memset(&st, 0, sizeof(st));
	ret = ioctl(vmfd, DENALI_GET_STATS, &st) ? errno : 0;
	vm_label(&vm, name, sizeof(name));
	if (ret) {
		close(vmfd);
		fprintf(stderr, "%s: cannot read the counters of VM %s: %s\n",
			progname, name, ret == ENOTTY ?
			"the loaded module does not implement DENALI_GET_STATS (ABI 0.2)" :
			strerror(ret));
		return EXIT_FAILED;
	}
	ret = find_vm_nics(vm.id, true, &nics, &n);
	if (ret)
		fprintf(stderr, "%s: cannot read the interfaces of VM %s: %s\n",
			progname, name, strerror(-ret));
	/* Switch ports have no interface: the module has their counters. */
	if (!ret) {
		ret = add_switch_ports(vmfd, vm.id, &nics, &n);
		if (ret)
			fprintf(stderr, "%s: cannot read the switch ports of VM %s: %s\n",
				progname, name, strerror(-ret));
	}
	close(vmfd);
	if (json) {
		json_print_stats(stdout, name, vm.id, &st, nics, n);
	} else {
		denali_print_stats(stdout, name, vm.id, &st);
		for (i = 0; i < n; i++)
			denali_print_nic_stats(stdout, &nics[i]);
	}
	free_vm_nics(nics, n);
	return ret ? EXIT_FAILED : 0;
}
