// SPDX-License-Identifier: GPL-2.0
/*
 * pv_args: the boot arguments reach main() exactly.
 *
 * Prints "argc=N\n", then "argv[i]=<S>\n" for each argument (S as it
 * is, whatever bytes it holds), then "args_len=L\n" from the read-only
 * register page, and exits with argc.  Before printing it checks that
 * argv[argc] is NULL, that the page's argc agrees with main()'s, and that
 * the page's argument bytes are exactly the strings, back to back, each
 * with its NUL; a disagreement prints "DENALI-TEST: fail
 * pv_args.c:LINE: ..." and exits 1 (the host compares the whole output,
 * so this cannot pass for one argument).
 */
#include "pv_check.h"

static void check_page(int argc, char **argv)
{
	unsigned long off = 0, len;
	int i;

	PV_CHECK(argv[argc] == NULL, "argv[%d] is not NULL", argc);
	PV_CHECK(ILWACO_VREGS_RO->argc == (unsigned int)argc,
		 "the page says argc %u", ILWACO_VREGS_RO->argc);
	PV_CHECK(ILWACO_VREGS_RO->args_len <= DENALI_ARGS_MAX, "args_len %u",
		 ILWACO_VREGS_RO->args_len);
	for (i = 0; i < argc; i++) {
		len = strlen(argv[i]) + 1;
		PV_CHECK(off + len <= ILWACO_VREGS_RO->args_len,
			 "argument %d ends beyond args_len", i);
		PV_CHECK(!memcmp((const void *)&ILWACO_VREGS_RO->args[off],
				 argv[i], len),
			 "argument %d differs from the page", i);
		off += len;
	}
	PV_CHECK(off == ILWACO_VREGS_RO->args_len,
		 "the strings take %lu bytes, not %u", off,
		 ILWACO_VREGS_RO->args_len);
}

int main(int argc, char **argv)
{
	int i;

	check_page(argc, argv);
	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv[%d]=<%s>\n", i, argv[i]);
	printf("args_len=%u\n", ILWACO_VREGS_RO->args_len);
	return argc;
}
