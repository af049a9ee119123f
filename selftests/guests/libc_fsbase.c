// SPDX-License-Identifier: GPL-2.0
/*
 * The thread pointer through the set_base hypercall (ABI 0.5), as on a
 * host where wrfsbase is unusable: libilwaco is told to use the
 * hypercall only, then the FS base is moved to a block of this
 * program's and back, read through %fs each time, and errno (which musl
 * keeps behind %fs) still works.  The first line says whether wrfsbase
 * was usable (the path start-up took): "wrfsbase: usable" or
 * "wrfsbase: unusable".  Expect "libc_fsbase: N checks, 0 failed" and
 * exit status 0.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ilwaco/posix.h>

#include "libc_check.h"

#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003

static unsigned long fs_word0(void)
{
	unsigned long v;

	asm volatile("mov %%fs:0, %0" : "=r" (v));
	return v;
}

/* What %fs:0 reads while FS points here: this block's own address. */
static struct {
	unsigned long self;
	unsigned long pad[63];
} block = { .self = (unsigned long)&block };

int main(void)
{
	unsigned long tp = fs_word0(), got = 0;
	long moved, back;

	printf("wrfsbase: %s\n", ilwaco_fsgsbase_usable() ? "usable" : "unusable");
	ilwaco_fsbase_use_hypercall();
	CHECK(!ilwaco_fsgsbase_usable());
	CHECK(tp != 0);
	CHECK(!syscall(SYS_arch_prctl, ARCH_GET_FS, &got) && got == tp);

	/* No errno and no stdio while FS is elsewhere: both live behind it. */
	moved = syscall(SYS_arch_prctl, ARCH_SET_FS, &block);
	got = fs_word0();
	back = syscall(SYS_arch_prctl, ARCH_SET_FS, tp);
	CHECK(moved == 0 && back == 0);
	CHECK(got == (unsigned long)&block);
	CHECK(fs_word0() == tp);

	errno = 0;
	CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX &&
	      errno == ERANGE);
	/* The monitor refuses a base outside the lower half. */
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_FS, 1ul << 47) == -1 &&
	      errno == EINVAL);
	CHECK(fs_word0() == tp);
	return libc_done("libc_fsbase");
}
