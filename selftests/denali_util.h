/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the Denali selftests: where denali.ko is, loading and
 * unloading it with the raw syscalls (no modprobe, no module path), and
 * running a function as an unprivileged user.
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
#include <sys/stat.h>
#include <grp.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/denali.h"

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

/* Load denali.ko; 0 or a negative errno (-EEXIST if already loaded). */
static inline int denali_load_module(void)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = denali_ko_path(path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
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

#endif /* DENALI_SELFTEST_UTIL_H */
