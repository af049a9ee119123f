// SPDX-License-Identifier: GPL-2.0
/*
 * The Denali selftests' library: what every suite needs to load the
 * module, make and run VMs and read what their guests say, written once.
 * The contract of each function is in denali_util.h.
 */
#include <grp.h>
#include <stdarg.h>
#include <libgen.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "denali_util.h"

/* ---- time ---------------------------------------------------------------- */

long denali_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int denali_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

void denali_sleep_ms(long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = ms % 1000 * 1000000,
	};

	nanosleep(&ts, NULL);
}

unsigned long long denali_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* ---- the module ---------------------------------------------------------- */

int denali_ko_path(char *buf, size_t len)
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

bool denali_module_loaded(void)
{
	return access("/sys/module/denali", F_OK) == 0;
}

int denali_load_module_with(const char *params)
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

int denali_load_module(void)
{
	return denali_load_module_with("");
}

int denali_unload_module(void)
{
	return syscall(SYS_delete_module, "denali", O_NONBLOCK) ? -errno : 0;
}

int denali_ensure_loaded(void)
{
	int ret;

	if (denali_module_loaded())
		return 0;
	ret = denali_load_module();
	return ret == -EEXIST ? 0 : ret;
}

int denali_run_unprivileged(int (*fn)(void *), void *arg)
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

/* ---- images and VMs ------------------------------------------------------ */

int denali_image_fd(const void *image, size_t len)
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

int denali_code_image(const void *code, size_t len)
{
	unsigned char image[ELF_BUILDER_DATA + 4096];
	size_t n = elf_build_code(image, sizeof(image), code, len);

	return n ? denali_image_fd(image, n) : -E2BIG;
}

int denali_guest_image(const char *name)
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

int denali_image_in_memory(int fd)
{
	char buf[65536];
	int mem = memfd_create("denali-image", MFD_CLOEXEC);
	off_t off = 0;
	ssize_t n;

	if (mem < 0)
		return -errno;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (write(mem, buf, n) != n) {
			close(mem);
			return -EIO;
		}
		off += n;
	}
	if (n < 0) {
		n = -errno;
		close(mem);
		return n;
	}
	return mem;
}

int denali_create_req(struct denali_create_vm *c)
{
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC), vm, saved;

	if (dev < 0)
		return -errno;
	vm = ioctl(dev, DENALI_CREATE_VM, c);
	saved = errno;
	close(dev);
	return vm < 0 ? -saved : vm;
}

int denali_create_on(int dev, int image_fd, unsigned long long mem,
		     const char *name, __u32 *id, char *err)
{
	struct denali_create_vm c;
	int vm, saved;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = image_fd;
	if (name)
		snprintf(c.name, sizeof(c.name), "%s", name);
	vm = ioctl(dev, DENALI_CREATE_VM, &c);
	saved = errno;
	if (vm < 0) {
		if (err)
			memcpy(err, c.error, DENALI_ERROR_MAX);
		return -saved;
	}
	if (err)
		err[0] = '\0';
	if (id)
		*id = c.id;
	return vm;
}

int denali_create(int image_fd, unsigned long long mem, const char *name,
		  char *err)
{
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC), vm;

	if (dev < 0)
		return -errno;
	vm = denali_create_on(dev, image_fd, mem, name, NULL, err);
	close(dev);
	return vm;
}

int denali_create_code(const void *code, size_t len, unsigned long long mem)
{
	int fd = denali_code_image(code, len), vm;

	if (fd < 0)
		return fd;
	vm = denali_create(fd, mem, NULL, NULL);
	close(fd);
	return vm;
}

int denali_create_file(const char *name, unsigned long long mem)
{
	int fd = denali_guest_image(name), vm;

	if (fd < 0)
		return fd;
	vm = denali_create(fd, mem, name, NULL);
	close(fd);
	return vm;
}

int denali_create_guest(const char *guest, unsigned long long mem,
			const char *const *argv, int argc, __u32 *id)
{
	char args[DENALI_ARGS_MAX];
	struct denali_create_vm c;
	int vm;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.args_len = denali_pack_args(args, sizeof(args), argv, argc);
	if (argc && !c.args_len)
		return -E2BIG;
	c.args = c.args_len ? (__u64)(unsigned long)args : 0;
	c.image_fd = denali_guest_image(guest);
	if (c.image_fd < 0)
		return c.image_fd;
	vm = denali_create_req(&c);
	close(c.image_fd);
	if (vm >= 0 && id)
		*id = c.id;
	return vm;
}

size_t denali_pack_args(char *buf, size_t cap, const char *const *argv,
			int argc)
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

int denali_run(int vm, struct denali_run *run)
{
	memset(run, 0, sizeof(*run));
	return ioctl(vm, DENALI_RUN, run) ? -errno : 0;
}

int denali_get_stats(int vm, struct denali_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(vm, DENALI_GET_STATS, st) ? -errno : 0;
}

unsigned long long denali_all_exits(const struct denali_stats *st)
{
	unsigned long long n = 0;
	int k;

	for (k = 0; k < DENALI_EXIT_KINDS; k++)
		n += st->exits[k];
	return n;
}

int denali_raise_irq(int vm, __u64 bits)
{
	struct denali_irq irq = { .bits = bits };

	return ioctl(vm, DENALI_RAISE_IRQ, &irq) ? -errno : 0;
}

int denali_vm_ref(int dev, unsigned long cmd, __u32 id)
{
	struct denali_vm_ref ref = { .id = id };
	int ret = ioctl(dev, cmd, &ref);

	return ret < 0 ? -errno : ret;
}

int denali_destroy_id(__u32 id)
{
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = denali_vm_ref(dev, DENALI_DESTROY_VM, id);
	close(dev);
	return ret;
}

int denali_get_list(int dev, struct denali_vm_info *vms, __u32 cap,
		    __u32 *count, __u32 *total)
{
	struct denali_list_vms l;

	memset(&l, 0, sizeof(l));
	l.capacity = cap;
	l.vms = (unsigned long)vms;
	if (ioctl(dev, DENALI_LIST_VMS, &l))
		return -errno;
	*count = l.count;
	*total = l.total;
	return 0;
}

const struct denali_vm_info *
denali_vm_in_list(const struct denali_vm_info *vms, __u32 count, __u32 id)
{
	__u32 i;

	for (i = 0; i < count; i++)
		if (vms[i].id == id)
			return &vms[i];
	return NULL;
}

/* ---- the console --------------------------------------------------------- */

ssize_t denali_console_drain(int vm, char *buf, size_t cap)
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

unsigned long denali_console_skip(int vm)
{
	char buf[512];
	unsigned long got = 0;
	ssize_t n;

	while ((n = read(vm, buf, sizeof(buf))) > 0)
		got += n;
	return got;
}

bool denali_wait_readable(int fd, long ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

void denali_console_reset(struct denali_console_text *con)
{
	con->len = 0;
	con->text[0] = '\0';
}

bool denali_console_wait(int vm, struct denali_console_text *con,
			 const char *want, long ms)
{
	struct pollfd p = { .fd = vm, .events = POLLIN };
	struct timespec t0;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!strstr(con->text, want) && denali_ms_since(&t0) < ms) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(vm, con->text + con->len,
			 sizeof(con->text) - 1 - con->len);
		if (n <= 0)
			break;
		con->len += n;
		con->text[con->len] = '\0';
	}
	return strstr(con->text, want);
}

void denali_console_read_rest(int vm, struct denali_console_text *con)
{
	ssize_t n;

	while (con->len + 1 < sizeof(con->text)) {
		n = read(vm, con->text + con->len,
			 sizeof(con->text) - 1 - con->len);
		if (n <= 0)
			break;
		con->len += n;
	}
	con->text[con->len] = '\0';
}

/* ---- a test guest's verdict ---------------------------------------------- */

/* Copy the line at @s (up to its newline) into @buf of @cap. */
static void copy_line(char *buf, size_t cap, const char *s)
{
	size_t n = strcspn(s, "\n");

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

int denali_guest_verdict(const char *console, struct denali_verdict *v)
{
	const char *line = NULL, *p = console, *rest, *colon;

	memset(v, 0, sizeof(*v));
	/* The last tagged line that starts a line. */
	while ((p = strstr(p, DENALI_TEST_TAG))) {
		if (p == console || p[-1] == '\n')
			line = p;
		p++;
	}
	if (!line)
		return -ENOENT;
	rest = line + strlen(DENALI_TEST_TAG);
	if (!strncmp(rest, "done", 4) && (rest[4] == ' ' || rest[4] == '\n' ||
					  !rest[4])) {
		v->done = true;
		copy_line(v->detail, sizeof(v->detail),
			  rest[4] == ' ' ? rest + 5 : rest + 4);
		return 0;
	}
	if (!strncmp(rest, "fail ", 5)) {
		v->failed = true;
		rest += 5;
		/* FILE:LINE, then ": " and the message. */
		colon = strstr(rest, ": ");
		if (!colon || memchr(rest, '\n', colon - rest))
			colon = rest;
		copy_line(v->where, sizeof(v->where), rest);
		if (colon != rest) {
			if ((size_t)(colon - rest) < sizeof(v->where))
				v->where[colon - rest] = '\0';
			colon += 2;
		}
		copy_line(v->detail, sizeof(v->detail), colon);
		return 0;
	}
	copy_line(v->detail, sizeof(v->detail), rest);
	return 0;
}

bool denali_verdict_says(const struct denali_verdict *v, const char *want)
{
	size_t n = strlen(want), len = strlen(v->detail);

	if (n && want[n - 1] == '\n')
		return n - 1 <= len &&
		       !strncmp(v->detail + len - (n - 1), want, n - 1);
	return strstr(v->detail, want);
}

/* ---- files and CPUs ------------------------------------------------------ */

int denali_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

int denali_read_line(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int denali_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

long denali_module_vmallocs(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[denali]"))
			n++;
	fclose(f);
	return n;
}
