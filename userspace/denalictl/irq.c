// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl irq: raise a VM's user interrupt lines (DENALI_RAISE_IRQ on
 * a VM file of our own), as a device model in the runner would.  Lines
 * 0 to 15 are the guest's DENALI_IRQ_USER(n) bits; what they mean is
 * between the guest and whoever raises them.  All the lines given are
 * raised in one call, so the guest sees them in one upcall.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denalictl.h"
#include "parse.h"

int cmd_irq(int argc, char **argv)
{
	struct denali_vm_info vm;
	struct denali_irq irq;
	char name[DENALI_NAME_MAX];
	unsigned long long bits;
	int ctlfd, vmfd, ret, bad;

	/* No options: a line number is never mistaken for one. */
	if (argc > 1 && !strcmp(argv[1], "--")) {
		argc--;
		argv++;
	}
	if (argc < 3) {
		fprintf(stderr,
			"%s: irq takes an ID or NAME and at least one line (usage: %s irq ID|NAME N...)\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (check_vm_arg(argv[1]))
		return EXIT_USAGE;
	if (parse_user_irqs(argc - 2, argv + 2, &bits, &bad)) {
		fprintf(stderr,
			"%s: irq: '%s' is not a line number (0 to 15)\n",
			progname, argv[2 + bad]);
		return EXIT_USAGE;
	}

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	ret = find_vm(ctlfd, argv[1], &vm);
	if (ret) {
		close(ctlfd);
		return ret;
	}
	vmfd = open_vm(ctlfd, &vm);
	close(ctlfd);
	if (vmfd < 0)
		return EXIT_FAILED;

	memset(&irq, 0, sizeof(irq));
	irq.bits = bits;
	ret = ioctl(vmfd, DENALI_RAISE_IRQ, &irq) ? errno : 0;
	close(vmfd);
	if (!ret)
		return 0;
	vm_label(&vm, name, sizeof(name));
	if (ret == EPIPE)
		fprintf(stderr, "%s: VM %s has stopped: no interrupt can reach it\n",
			progname, name);
	else
		fprintf(stderr, "%s: cannot raise interrupts in VM %s: %s\n",
			progname, name, ret == ENOTTY ?
			"the loaded module does not implement DENALI_RAISE_IRQ (ABI 0.3)" :
			strerror(ret));
	return EXIT_FAILED;
}
