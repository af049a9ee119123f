/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the Denali selftests: where denali.ko is, loading and
 * unloading it with the raw syscalls (no modprobe, no module path),
 * running a function as an unprivileged user, creating and running VMs,
 * and the time helpers that turn a hang into a failure.
 */
#ifndef DENALI_SELFTEST_UTIL_H
#define DENALI_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/denali.h"
#include "elf_builder.h"

/* Milliseconds since @t0, by CLOCK_MONOTONIC. */
static inline long denali_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static inline void denali_sleep_ms(long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = ms % 1000 * 1000000,
	};

	nanosleep(&ts, NULL);
}

/* The unprivileged identity tests switch to: Debian's "nobody". */
#define DENALI_TEST_UID 65534
#define DENALI_TEST_GID 65534

/*
 * The module for the running kernel: $DENALI_KO if set, else the build
 * tree's build/kernel/<release>/denali.ko, found from this program's own
 * path (build/kselftest/denali/<test>).
 */
static inline int denali_ko_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	struct utsname u;
	const char *env = getenv("DENALI_KO");
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 || uname(&u) < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(buf, len, "%s/../../kernel/%s/denali.ko", dirname(exe),
		 u.release);
	return 0;
}

static inline int denali_module_loaded(void)
{
	return access("/sys/module/denali", F_OK) == 0;
}

/*
 * Load denali.ko with module parameters @params ("" for none); 0 or a
 * negative errno (-EEXIST if already loaded).
 */
static inline int denali_load_module_with(const char *params)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = denali_ko_path(path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Load denali.ko; 0 or a negative errno (-EEXIST if already loaded). */
static inline int denali_load_module(void)
{
	return denali_load_module_with("");
}

/* Unload denali.ko without waiting; 0 or a negative errno. */
static inline int denali_unload_module(void)
{
	return syscall(SYS_delete_module, "denali", O_NONBLOCK) ? -errno : 0;
}

/* Load the module unless it already is; 0 or a negative errno. */
static inline int denali_ensure_loaded(void)
{
	int ret;

	if (denali_module_loaded())
		return 0;
	ret = denali_load_module();
	return ret == -EEXIST ? 0 : ret;
}

/*
 * Run @fn in a child that has dropped to DENALI_TEST_UID/GID with no
 * supplementary groups; returns the child's exit status, or -1.
 */
static inline int denali_run_unprivileged(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(DENALI_TEST_GID,
						    DENALI_TEST_GID,
						    DENALI_TEST_GID) ||
		    setresuid(DENALI_TEST_UID, DENALI_TEST_UID,
			      DENALI_TEST_UID))
			_exit(125);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * An in-memory file holding @len bytes of @image, for image_fd; -errno on
 * failure.
 */
static inline int denali_image_fd(const void *image, size_t len)
{
	int fd = memfd_create("denali-image", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, image, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * Create a VM of @mem bytes from the image in @image_fd.  Returns the VM fd,
 * or -errno with the module's explanation copied to @err (of
 * DENALI_ERROR_MAX bytes) when @err is not NULL.
 */
static inline int denali_create(int image_fd, unsigned long long mem,
				const char *name, char *err)
{
	struct denali_create_vm c;
	int dev, vm, saved;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = image_fd;
	if (name)
		snprintf(c.name, sizeof(c.name), "%s", name);
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	vm = ioctl(dev, DENALI_CREATE_VM, &c);
	saved = errno;
	close(dev);
	if (err)
		memcpy(err, c.error, DENALI_ERROR_MAX);
	return vm < 0 ? -saved : vm;
}

/*
 * Create a VM of @mem bytes whose image is @code (raw x86-64 machine
 * code) at DENALI_GUEST_IMAGE_BASE, entered at its first byte.
 */
static inline int denali_create_code(const void *code, size_t len,
				      unsigned long long mem)
{
	static unsigned char image[64 * 1024];
	size_t n = elf_build_code(image, sizeof(image), code, len);
	int fd, vm;

	if (!n)
		return -E2BIG;
	fd = denali_image_fd(image, n);
	if (fd < 0)
		return fd;
	vm = denali_create(fd, mem, NULL, NULL);
	close(fd);
	return vm;
}

/* An open file of the guest image guests/NAME.img beside the test, or -errno. */
static inline int denali_guest_image(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/guests/%s.img", dirname(exe), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Create a VM from a guest image file beside the test (guests/NAME.img). */
static inline int denali_create_file(const char *name, unsigned long long mem)
{
	int fd = denali_guest_image(name), vm;

	if (fd < 0)
		return fd;
	vm = denali_create(fd, mem, name, NULL);
	close(fd);
	return vm;
}

/*
 * Boot arguments for create_vm.args: the @argc strings @argv back to
 * back, each with its NUL, into @buf; the length, or 0 if they do not
 * fit in @cap.
 */
static inline size_t denali_pack_args(char *buf, size_t cap,
				      const char *const *argv, int argc)
{
	size_t len = 0, n;
	int i;

	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (len + n > cap)
			return 0;
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	return len;
}

/* DENALI_RUN once; 0 with @run filled, or -errno (e.g. -EINTR). */
static inline int denali_run(int vm, struct denali_run *run)
{
	memset(run, 0, sizeof(*run));
	return ioctl(vm, DENALI_RUN, run) ? -errno : 0;
}

/* Read everything the console holds until end of file into @buf. */
static inline ssize_t denali_console_drain(int vm, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < cap) {
		n = read(vm, buf + got, cap - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	return got;
}

#endif /* DENALI_SELFTEST_UTIL_H */
