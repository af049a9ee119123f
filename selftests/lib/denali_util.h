/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Denali selftests' library (selftests/lib/util.c): where denali.ko
 * is, loading and unloading it with the raw syscalls (no modprobe, no
 * module path), running a function as an unprivileged user, creating,
 * running, listing and destroying VMs, the ioctls every suite calls
 * (statistics, interrupts), reading a VM's console and the verdict a test
 * guest reports on it, small file helpers, and the time helpers that turn
 * a hang into a failure.
 *
 * Every function here returns 0 (or a count, or a file) on success and a
 * negative errno on failure unless it says otherwise; none of them
 * asserts, so each is usable from a forked child or a thread.  The
 * harness-side checks built on them are in denali_test.h.
 */
#ifndef DENALI_SELFTEST_UTIL_H
#define DENALI_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/denali.h"
#include "elf_builder.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- time ---------------------------------------------------------------- */

/* Milliseconds since @t0, by CLOCK_MONOTONIC. */
long denali_ms_since(const struct timespec *t0);
void denali_sleep_ms(long ms);
/* CLOCK_MONOTONIC in nanoseconds. */
unsigned long long denali_mono_ns(void);

/* ---- the module ---------------------------------------------------------- */

/* The unprivileged identity tests switch to: Debian's "nobody". */
#define DENALI_TEST_UID 65534
#define DENALI_TEST_GID 65534

/*
 * The module for the running kernel: $DENALI_KO if set, else the build
 * tree's build/kernel/<release>/denali.ko, found from this program's own
 * path (build/kselftest/denali/<test>).
 */
int denali_ko_path(char *buf, size_t len);
bool denali_module_loaded(void);
/*
 * Load denali.ko with module parameters @params ("" for none); -EEXIST if
 * already loaded.
 */
int denali_load_module_with(const char *params);
int denali_load_module(void);
/* Unload denali.ko without waiting. */
int denali_unload_module(void);
/* Load the module unless it already is. */
int denali_ensure_loaded(void);
/* Run a shell command made like printf; system()'s status. */
int denali_sh(const char *fmt, ...);

/*
 * Run @fn in a child that has dropped to DENALI_TEST_UID/GID with no
 * supplementary groups; returns the child's exit status, or -1.
 */
int denali_run_unprivileged(int (*fn)(void *), void *arg);

/* ---- images and VMs ------------------------------------------------------ */

/* An in-memory file holding @len bytes of @image, for image_fd. */
int denali_image_fd(const void *image, size_t len);
/*
 * An image file of @code (raw x86-64 machine code, see guest_code.h)
 * loaded at DENALI_GUEST_IMAGE_BASE and entered at its first byte.
 */
int denali_code_image(const void *code, size_t len);
/* An open file of the guest image guests/NAME.img beside the test. */
int denali_guest_image(const char *name);
/*
 * A memfd copy of the image open as @fd (which stays open): creating
 * thousands of VMs from it reads memory, not the test machine's 9p
 * share, whose every read is a round trip to the host.
 */
int denali_image_in_memory(int fd);

/*
 * DENALI_CREATE_VM with @c as it is, on a /dev/denali opened for the
 * call: the VM fd, or -errno with the module's sentence in c->error.
 */
int denali_create_req(struct denali_create_vm *c);
/*
 * DENALI_CREATE_VM on the open device @dev: the VM fd with its id in @id
 * (if not NULL), or -errno with the module's sentence copied to @err (of
 * DENALI_ERROR_MAX bytes) when @err is not NULL.
 */
int denali_create_on(int dev, int image_fd, unsigned long long mem,
		     const char *name, __u32 *id, char *err);
/* The same on a /dev/denali opened for the call. */
int denali_create(int image_fd, unsigned long long mem, const char *name,
		  char *err);
/* A VM of @mem bytes whose image is @code (see denali_code_image()). */
int denali_create_code(const void *code, size_t len, unsigned long long mem);
/* A VM from a guest image file beside the test (guests/NAME.img). */
int denali_create_file(const char *name, unsigned long long mem);
/*
 * A VM of @mem bytes from guests/@guest.img with the @argc boot arguments
 * @argv; its id goes to @id.
 */
int denali_create_guest(const char *guest, unsigned long long mem,
			const char *const *argv, int argc, __u32 *id);

/*
 * Boot arguments for create_vm.args: the @argc strings @argv back to
 * back, each with its NUL, into @buf; the length, or 0 if they do not
 * fit in @cap.
 */
size_t denali_pack_args(char *buf, size_t cap, const char *const *argv,
			int argc);

/* DENALI_RUN once, @run filled; -EINTR when a signal ended it. */
int denali_run(int vm, struct denali_run *run);
int denali_get_stats(int vm, struct denali_stats *st);
/* Every exit @st counts, of all kinds. */
unsigned long long denali_all_exits(const struct denali_stats *st);
int denali_raise_irq(int vm, __u64 bits);
/* DENALI_DESTROY_VM or DENALI_OPEN_VM (@cmd) of VM @id on @dev. */
int denali_vm_ref(int dev, unsigned long cmd, __u32 id);
/* DENALI_DESTROY_VM of VM @id on a /dev/denali opened for the call. */
int denali_destroy_id(__u32 id);
/* DENALI_LIST_VMS into @vms (room for @cap). */
int denali_get_list(int dev, struct denali_vm_info *vms, __u32 cap,
		    __u32 *count, __u32 *total);
/* VM @id in a listing of @count, or NULL. */
const struct denali_vm_info *
denali_vm_in_list(const struct denali_vm_info *vms, __u32 count, __u32 id);

/* ---- the console --------------------------------------------------------- */

/* Read everything the console holds until end of file into @buf. */
ssize_t denali_console_drain(int vm, char *buf, size_t cap);
/* Read what the console of @vm (O_NONBLOCK) holds now; the count. */
unsigned long denali_console_skip(int vm);
/* Wait up to @ms until @fd is readable (or at end of file). */
bool denali_wait_readable(int fd, long ms);

/* What a test has read of a VM's console so far, as text. */
struct denali_console_text {
	char text[64 * 1024];
	size_t len;
};

void denali_console_reset(struct denali_console_text *con);
/*
 * Read VM @vm's console into @con until it holds @want, the VM stops, or
 * @ms pass; true if @want arrived.
 */
bool denali_console_wait(int vm, struct denali_console_text *con,
			 const char *want, long ms);
/* Read the rest of a stopped VM's console into @con. */
void denali_console_read_rest(int vm, struct denali_console_text *con);

/* ---- a test guest's verdict ---------------------------------------------- */

/*
 * Test guests (selftests/guests/pv_check.h) end with one line:
 *
 *	DENALI-TEST: done DETAIL
 *	DENALI-TEST: fail FILE:LINE: CONDITION: MESSAGE
 *
 * denali_guest_verdict() finds the last such line in @console.
 */
#define DENALI_TEST_TAG		"DENALI-TEST: "

struct denali_verdict {
	bool done;		/* "done": the guest's checks all held */
	bool failed;		/* "fail": one did not */
	char where[128];	/* FILE:LINE of a failure */
	char detail[512];	/* the rest of the line */
};

/* 0 with @v filled, or -ENOENT when the console holds no verdict. */
int denali_guest_verdict(const char *console, struct denali_verdict *v);
/*
 * Whether @v's detail holds @want; a @want ending in a newline must end
 * the detail ("bits 0x10000\n" does not match "bits 0x100000").
 */
bool denali_verdict_says(const struct denali_verdict *v, const char *want);

/* ---- files and CPUs ------------------------------------------------------ */

/* Write @s to the file @path (sysfs, procfs, tracefs). */
int denali_write_file(const char *path, const char *s);
/* The first line of @path into @buf, without its newline. */
int denali_read_line(const char *path, char *buf, size_t cap);
/* Pin the calling thread to @cpu. */
int denali_pin_self(int cpu);

/*
 * Live vmalloc/vmap areas allocated from the module ("[denali]" in
 * /proc/vmallocinfo): exact where MemAvailable is not.  -1 if unreadable.
 */
long denali_module_vmallocs(void);

#endif /* DENALI_SELFTEST_UTIL_H */
