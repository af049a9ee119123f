// SPDX-License-Identifier: GPL-2.0
/*
 * A program as a user would write it, built by tools/ilwaco-cc (not by
 * guest.mk) with --files files: it prints its argument count and the
 * first line of /etc/motd, then exits 3.  Expect the console
 * "argc=0 motd=hello from the tree\n" and exit status 3.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *f = fopen("/etc/motd", "r");
	char line[64] = "(none)\n";

	(void)argv;
	if (f) {
		fgets(line, sizeof(line), f);
		fclose(f);
	}
	printf("argc=%d motd=%s", argc, line);
	return 3;
}
