// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of a guest's start-up: between _start (crt0.S), which only
 * makes the entry state fit the C calling convention, and main().
 *
 * Little needs initialising here: the monitor's loader zeroes .bss (it
 * is the zero-filled tail of the data segment, as in any ELF loader),
 * the entry state fixes the FPU control words, and libilwaco runs no
 * constructors (guest.lds refuses images that have any).  What is left
 * is to declare and check the ABI, and the boot arguments, which become
 * main()'s argc and argv.
 */
#include "ilwaco/ilwaco.h"
#include "internal.h"

unsigned long ilwaco_mem_size;

/*
 * The ABI note (docs/ABI.md, "The image"): the ABI this image was built
 * for, which the monitor's loader reads before it accepts the image.
 * start.o is in every image (_start calls ilwaco_start), so is the note;
 * a section named .note.* is an SHT_NOTE, and guest.lds gives it the
 * image's PT_NOTE program header.
 */
static const struct {
	unsigned int namesz, descsz, type;
	char name[(sizeof(DENALI_NOTE_NAME) + 3) & ~3];
	struct denali_note_abi desc;
} abi_note __section(".note.denali.abi") __used __aligned(4) = {
	.namesz = sizeof(DENALI_NOTE_NAME),
	.descsz = sizeof(struct denali_note_abi),
	.type = DENALI_NOTE_ABI,
	.name = DENALI_NOTE_NAME,
	.desc = { .major = DENALI_ABI_MAJOR, .minor = DENALI_ABI_MINOR },
};

/*
 * The loader of a monitor implementing ABI 0.4 or later has checked the
 * note already; an older one ignores it, so check again, with the
 * monitor's version from the read-only page (which every monitor since
 * 0.3 fills in, and which start-up reads anyway for the boot arguments).
 */
static void check_abi(void)
{
	__auto_type ro = ILWACO_VREGS_RO;
	unsigned int major = ro->abi_major, minor = ro->abi_minor;

	if (major == DENALI_ABI_MAJOR && minor >= DENALI_ABI_MINOR)
		return;
	printf("libilwaco: built for Denali ABI %u.%u, but the monitor implements %u.%u\n",
	       DENALI_ABI_MAJOR, DENALI_ABI_MINOR, major, minor);
	denali_exit(ILWACO_EXIT_ABI);
}

/*
 * The boot arguments, copied out of the read-only page: C lets a program
 * modify its argv strings, and the copy cannot change under it.  One
 * more byte than the page holds, so the last string is always
 * terminated; one pointer per byte at most (every string has its NUL),
 * plus argv's closing NULL.
 */
static char arg_bytes[DENALI_ARGS_MAX + 1];
static char *arg_ptrs[DENALI_ARGS_MAX + 1];

/*
 * Split the boot arguments into argv; returns argc.  The page says how
 * many strings there are and how many bytes they take; neither is
 * trusted beyond the page's own size, and argc never exceeds the strings
 * actually there.
 */
static int boot_args(void)
{
	__auto_type ro = ILWACO_VREGS_RO;
	unsigned int len = ro->args_len, count = ro->argc, i;
	int argc = 0;
	char *p = arg_bytes;

	if (len > DENALI_ARGS_MAX)
		len = DENALI_ARGS_MAX;
	for (i = 0; i < len; i++)
		arg_bytes[i] = ro->args[i];
	arg_bytes[len] = '\0';

	while (argc < (int)count && p < arg_bytes + len) {
		arg_ptrs[argc++] = p;
		p += strlen(p) + 1;
	}
	arg_ptrs[argc] = NULL;
	return argc;
}

_Noreturn void ilwaco_start(unsigned long mem_size)
{
	int argc;

	ilwaco_mem_size = mem_size;
	check_abi();
	argc = boot_args();
#ifdef ILWACO_POSIX
	/* libilwaco-posix.a: musl runs main() (posix/process.c). */
	ilwaco_posix_start(argc, arg_ptrs);
#else
	denali_exit(main(argc, arg_ptrs));
#endif
}
