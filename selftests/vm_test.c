// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and running VMs: what DENALI_CREATE_VM accepts and refuses
 * (with which errno and which explanation, in the order the arguments are
 * checked), what DENALI_RUN reports, and how the console behaves.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "denali_test.h"
#include "guest_code.h"

#define MEM (1ull << 20)

/* console_write("hello, denali\n") then exit(7). */
GUEST_CODE(hello_code,
	"	lea 1f(%rip), %rdi\n"
	"	mov $(2f - 1f), %esi\n"
	"	mov $2, %eax		# console_write\n"
	"	int $0x1f\n"
	"	mov $1, %eax		# exit(7)\n"
	"	mov $7, %edi\n"
	"	int $0x1f\n"
	"1:	.ascii \"hello, denali\\n\"\n"
	"2:\n");

/* jmp . */
GUEST_CODE(spin_code,
	"1:	jmp 1b\n");

GUEST_CODE(halt_code,
	"	hlt\n");

FIXTURE(vm) {
	int vm;
	char err[DENALI_ERROR_MAX];
	unsigned char image[64 * 1024];
	size_t image_len;
};

FIXTURE_SETUP(vm)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
	self->image_len = elf_build_code(self->image, sizeof(self->image),
					 hello_code, GUEST_CODE_LEN(hello_code));
	ASSERT_LT(0, self->image_len);
}

FIXTURE_TEARDOWN(vm)
{
	if (self->vm >= 0)
		close(self->vm);
}

TEST_F(vm, console_and_exit_status)
{
	struct denali_run run;
	char out[256];

	self->vm = denali_create_code(hello_code, GUEST_CODE_LEN(hello_code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(7, run.exit_status);
	denali_console_drain(self->vm, out, sizeof(out));
	EXPECT_STREQ("hello, denali\n", out);
}

TEST_F(vm, create_returns_a_cloexec_fd_and_an_id)
{
	struct denali_create_vm c;
	int dev, fd = denali_image_fd(self->image, self->image_len);

	ASSERT_LE(0, fd);
	dev = open(DENALI_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, dev);
	memset(&c, 0, sizeof(c));
	c.mem_size = MEM;
	c.image_fd = fd;
	strcpy(c.name, "web-1.test_x");
	self->vm = ioctl(dev, DENALI_CREATE_VM, &c);
	ASSERT_LE(0, self->vm) TH_LOG("%s", c.error);
	EXPECT_LT(0, c.id);
	EXPECT_EQ(0, c.error[0]);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->vm, F_GETFD) & FD_CLOEXEC);
	close(dev);
	close(fd);
}

TEST_F(vm, run_after_stop_reports_the_same)
{
	struct denali_run run;

	self->vm = denali_create_code(hello_code, GUEST_CODE_LEN(hello_code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &run));
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
	EXPECT_EQ(7, run.exit_status);
}

TEST_F(vm, run_refuses_nonzero_in_fields)
{
	struct denali_run run;

	self->vm = denali_create_code(hello_code, GUEST_CODE_LEN(hello_code), MEM);
	ASSERT_LE(0, self->vm);
	memset(&run, 0, sizeof(run));
	run.flags = 1u << 31;	/* no such flag */
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RUN, &run));
	EXPECT_EQ(EINVAL, errno);
	memset(&run, 0, sizeof(run));
	run.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RUN, &run));
	EXPECT_EQ(EINVAL, errno);
	memset(&run, 0, sizeof(run));
	run.pad2 = 1;
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RUN, &run));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_RUN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vm, DENALI_GET_VERSION, &run));
	EXPECT_EQ(ENOTTY, errno);
	/* None of that ran the guest. */
	ASSERT_EQ(0, denali_run(self->vm, &run));
	EXPECT_EQ(7, run.exit_status);
}

static void on_signal(int sig)
{
	(void)sig;
}

struct runner {
	int vm;
	int ret;
	int started;	/* atomically: set when the thread is about to run */
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;
	struct denali_run run;

	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->ret = denali_run(r->vm, &run);
	return NULL;
}

static void start_runner(struct runner *r, pthread_t *t)
{
	struct sigaction sa = { .sa_handler = on_signal };

	struct denali_stats st = { 0 };
	__u64 runs;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	denali_get_stats(r->vm, &st);
	runs = st.runs;
	r->started = 0;
	pthread_create(t, NULL, run_thread, r);
	/*
	 * Until DENALI_RUN has counted the call: from then on a signal is
	 * noticed, where one taken before the call would be lost.
	 */
	while (!__atomic_load_n(&r->started, __ATOMIC_ACQUIRE) ||
	       (!denali_get_stats(r->vm, &st) && st.runs == runs))
		usleep(1000);
}

TEST_F(vm, signal_interrupts_run_and_run_resumes)
{
	struct runner r;
	pthread_t t;
	int i;

	self->vm = denali_create_code(spin_code, GUEST_CODE_LEN(spin_code), MEM);
	ASSERT_LE(0, self->vm);
	r.vm = self->vm;
	for (i = 0; i < 3; i++) {
		start_runner(&r, &t);
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		EXPECT_EQ(-EINTR, r.ret);
	}
}

TEST_F(vm, concurrent_run_is_ebusy)
{
	struct denali_run run;
	struct runner r;
	pthread_t t;

	self->vm = denali_create_code(spin_code, GUEST_CODE_LEN(spin_code), MEM);
	ASSERT_LE(0, self->vm);
	r.vm = self->vm;
	start_runner(&r, &t);
	EXPECT_EQ(-EBUSY, denali_run(self->vm, &run));
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-EINTR, r.ret);
}

TEST_F(vm, console_read_blocks_until_stop_then_eof)
{
	struct runner r;
	pthread_t t;
	char c;

	self->vm = denali_create_code(spin_code, GUEST_CODE_LEN(spin_code), MEM);
	ASSERT_LE(0, self->vm);
	/* Nothing yet, and not stopped: EAGAIN when non-blocking. */
	fcntl(self->vm, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(self->vm, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	r.vm = self->vm;
	start_runner(&r, &t);
	EXPECT_EQ(-1, read(self->vm, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	close(self->vm);

	/* A stopped VM with an empty console reads as end of file. */
	self->vm = denali_create_code(halt_code, GUEST_CODE_LEN(halt_code), MEM);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, denali_run(self->vm, &(struct denali_run){}));
	EXPECT_EQ(0, read(self->vm, &c, 1));
}

/* ---- what CREATE refuses, and why ------------------------------------- */

/* denali_create_req() that closes the VM it made: 0 or -errno. */
static int create_req(struct denali_create_vm *c)
{
	int vm = denali_create_req(c);

	if (vm < 0)
		return vm;
	close(vm);
	return 0;
}

static void fill_req(struct denali_create_vm *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->mem_size = MEM;
	c->image_fd = fd;
}

#define EXPECT_REFUSED(c, errnum, words) do {				\
	EXPECT_EQ(-(errnum), create_req(c));				\
	EXPECT_NE(NULL, strstr((c)->error, words))			\
		TH_LOG("error text: '%s'", (c)->error);			\
} while (0)

TEST_F(vm, create_refuses_bad_fields_in_order)
{
	struct denali_create_vm c;
	int fd = denali_image_fd(self->image, self->image_len);

	ASSERT_LE(0, fd);
	fill_req(&c, fd);
	ASSERT_EQ(0, create_req(&c)) TH_LOG("%s", c.error);

	fill_req(&c, fd);
	c.flags = 2;		/* no such flag */
	c.mem_size = 3;		/* reported second: flags come first */
	EXPECT_REFUSED(&c, EINVAL, "must be zero");
	fill_req(&c, fd);
	c.pad = 1;
	EXPECT_REFUSED(&c, EINVAL, "must be zero");
	fill_req(&c, fd);
	c.pad3 = 1;
	EXPECT_REFUSED(&c, EINVAL, "must be zero");
	fill_req(&c, fd);
	memset(c.name, 'a', sizeof(c.name));
	EXPECT_REFUSED(&c, EINVAL, "NUL-terminated");
	fill_req(&c, fd);
	strcpy(c.name, "web server");
	EXPECT_REFUSED(&c, EINVAL, "letters, digits");
	fill_req(&c, fd);
	strcpy(c.name, "../etc");
	EXPECT_REFUSED(&c, EINVAL, "letters, digits");
	fill_req(&c, fd);
	c.mem_size = MEM + 1;
	EXPECT_REFUSED(&c, EINVAL, "multiple of 4096");
	fill_req(&c, fd);
	c.mem_size = MEM - 4096;
	EXPECT_REFUSED(&c, EINVAL, "outside");
	fill_req(&c, fd);
	c.mem_size = 0;
	EXPECT_REFUSED(&c, EINVAL, "outside");
	fill_req(&c, fd);
	c.mem_size = 1ull << 62;
	EXPECT_REFUSED(&c, EINVAL, "outside");
	fill_req(&c, fd);
	c.mem_size = ~0ull & ~4095ull;
	EXPECT_REFUSED(&c, EINVAL, "outside");
	close(fd);
}

TEST_F(vm, create_refuses_bad_image_fds)
{
	struct denali_create_vm c;
	int wronly, dir;

	fill_req(&c, -1);
	EXPECT_REFUSED(&c, EBADF, "not an open file");
	fill_req(&c, 99999);
	EXPECT_REFUSED(&c, EBADF, "not an open file");

	wronly = open("/dev/shm/denali-vm-test", O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, wronly);
	unlink("/dev/shm/denali-vm-test");
	fill_req(&c, wronly);
	EXPECT_REFUSED(&c, EBADF, "not open for reading");
	close(wronly);

	dir = open("/", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	fill_req(&c, dir);
	EXPECT_REFUSED(&c, EINVAL, "not a regular file");
	close(dir);
}

TEST_F(vm, create_bad_pointer_is_efault)
{
	int dev = open(DENALI_DEVICE_PATH, O_RDWR);

	ASSERT_LE(0, dev);
	EXPECT_EQ(-1, ioctl(dev, DENALI_CREATE_VM, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, DENALI_CREATE_VM, (void *)-4096l));
	EXPECT_EQ(EFAULT, errno);
	close(dev);
}

/* CREATE with the first @len bytes of @image; the ioctl's result. */
static int create_image(const unsigned char *image, size_t len,
			struct denali_create_vm *c)
{
	int fd = denali_image_fd(image, len), ret;

	if (fd < 0)
		return fd;
	fill_req(c, fd);
	ret = create_req(c);
	close(fd);
	return ret;
}

static Elf64_Ehdr *ehdr(unsigned char *image)
{
	return (Elf64_Ehdr *)image;
}

static Elf64_Phdr *phdr(unsigned char *image, unsigned int i)
{
	return (Elf64_Phdr *)(image + ehdr(image)->e_phoff) + i;
}

TEST_F(vm, create_refuses_bad_images)
{
	struct denali_create_vm c;
	Elf64_Phdr saved;

	/* Not an ELF file at all. */
	self->image[0] = 'M';
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	EXPECT_NE(NULL, strstr(c.error, "not an ELF")) TH_LOG("%s", c.error);
	self->image[0] = 0x7f;

	ehdr(self->image)->e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	EXPECT_NE(NULL, strstr(c.error, "32-bit")) TH_LOG("%s", c.error);
	ehdr(self->image)->e_ident[EI_CLASS] = ELFCLASS64;

	ehdr(self->image)->e_machine = EM_AARCH64;
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	EXPECT_NE(NULL, strstr(c.error, "machine")) TH_LOG("%s", c.error);
	ehdr(self->image)->e_machine = EM_X86_64;

	/* Truncated: the segment's bytes are not all in the file. */
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len - 4, &c));
	EXPECT_NE(NULL, strstr(c.error, "truncated")) TH_LOG("%s", c.error);
	EXPECT_EQ(-ENOEXEC, create_image(self->image, 20, &c));

	saved = *phdr(self->image, 0);
	phdr(self->image, 0)->p_filesz = phdr(self->image, 0)->p_memsz + 1;
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	*phdr(self->image, 0) = saved;

	phdr(self->image, 0)->p_vaddr = 0x1000;	/* over the reserved pages */
	ehdr(self->image)->e_entry = 0x1000;
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	*phdr(self->image, 0) = saved;
	ehdr(self->image)->e_entry = saved.p_vaddr;

	phdr(self->image, 0)->p_memsz = 1ull << 62;	/* huge */
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	phdr(self->image, 0)->p_vaddr = ~0ull - 4095;	/* wraps */
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	*phdr(self->image, 0) = saved;

	ehdr(self->image)->e_entry = 0x20000;		/* outside the code */
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	EXPECT_NE(NULL, strstr(c.error, "entry")) TH_LOG("%s", c.error);
	ehdr(self->image)->e_entry = saved.p_vaddr;

	phdr(self->image, 0)->p_flags &= ~PF_X;	/* entry not executable */
	EXPECT_EQ(-ENOEXEC, create_image(self->image, self->image_len, &c));
	*phdr(self->image, 0) = saved;

	/* And the untouched image still loads. */
	EXPECT_EQ(0, create_image(self->image, self->image_len, &c))
		TH_LOG("%s", c.error);
}

/* The ABI note (ABI 0.4): the module refuses images built for another ABI. */
TEST_F(vm, create_checks_the_abi_note)
{
	struct elf_builder_abi_note note;
	struct denali_create_vm c;
	struct elf_builder b;
	char want[DENALI_ERROR_MAX];
	size_t len;

	elf_builder_init(&b, ELF_BUILDER_CODE_ADDR);
	elf_builder_add(&b, PT_LOAD, PF_R | PF_X, ELF_BUILDER_CODE_ADDR,
			hello_code, GUEST_CODE_LEN(hello_code),
			GUEST_CODE_LEN(hello_code));
	elf_builder_add_abi_note(&b, &note, DENALI_ABI_MAJOR,
				 DENALI_ABI_MINOR + 1);
	len = elf_builder_write(&b, self->image, sizeof(self->image));
	ASSERT_LT(0, len);
	EXPECT_EQ(-ENOEXEC, create_image(self->image, len, &c));
	snprintf(want, sizeof(want),
		 "built for Denali ABI %u.%u; this monitor implements %u.%u, an older minor: load a newer denali.ko",
		 DENALI_ABI_MAJOR, DENALI_ABI_MINOR + 1, DENALI_ABI_MAJOR,
		 DENALI_ABI_MINOR);
	EXPECT_STREQ(want, c.error);

	note.desc.major = DENALI_ABI_MAJOR + 1;
	note.desc.minor = 0;
	len = elf_builder_write(&b, self->image, sizeof(self->image));
	EXPECT_EQ(-ENOEXEC, create_image(self->image, len, &c));
	snprintf(want, sizeof(want),
		 "built for Denali ABI %u.0; this monitor implements %u.%u, another major version",
		 DENALI_ABI_MAJOR + 1, DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	EXPECT_STREQ(want, c.error);

	/* Built for this ABI, it loads and runs. */
	note.desc.major = DENALI_ABI_MAJOR;
	note.desc.minor = DENALI_ABI_MINOR;
	len = elf_builder_write(&b, self->image, sizeof(self->image));
	EXPECT_EQ(0, create_image(self->image, len, &c)) TH_LOG("%s", c.error);
}

/* Two segments: code at 0x10000, and data at @data_vaddr. */
static size_t two_segments(void *buf, size_t cap, uint64_t data_vaddr)
{
	static struct elf_builder b;

	elf_builder_init(&b, 0x10000);
	elf_builder_add(&b, PT_LOAD, PF_R | PF_X, 0x10000, hello_code,
			GUEST_CODE_LEN(hello_code), GUEST_CODE_LEN(hello_code));
	elf_builder_add(&b, PT_LOAD, PF_R | PF_W, data_vaddr, hello_code, 16,
			16);
	return elf_builder_write(&b, buf, cap);
}

TEST_F(vm, create_refuses_segments_sharing_a_page)
{
	unsigned char img[16 * 1024];
	char err[DENALI_ERROR_MAX];
	size_t n;
	int fd;

	/* Different permissions in one page: never merged into RWX. */
	n = two_segments(img, sizeof(img), 0x10800);
	ASSERT_LT(0, n);
	fd = denali_image_fd(img, n);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOEXEC, denali_create(fd, MEM, NULL, err));
	EXPECT_NE(NULL, strstr(err, "share")) TH_LOG("%s", err);
	close(fd);

	/* Overlapping outright. */
	n = two_segments(img, sizeof(img), 0x10008);
	fd = denali_image_fd(img, n);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOEXEC, denali_create(fd, MEM, NULL, err));
	EXPECT_NE(NULL, strstr(err, "overlap")) TH_LOG("%s", err);
	close(fd);

	/* A page apart: accepted. */
	n = two_segments(img, sizeof(img), 0x11000);
	fd = denali_image_fd(img, n);
	ASSERT_LE(0, fd);
	self->vm = denali_create(fd, MEM, NULL, err);
	EXPECT_LE(0, self->vm) TH_LOG("%s", err);
	close(fd);
}

TEST_F(vm, preallocated_memory_is_charged_to_the_memory_cgroup)
{
	const char *cg = "/sys/fs/cgroup/denali-vm-test";
	unsigned long long before, after, size = 64ull << 20;
	char path[256], buf[64];
	struct denali_create_vm c;
	int fd, procs;

	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		SKIP(return, "no writable cgroup2 hierarchy");
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	if (fd < 0 || write(fd, "+memory", 7) != 7)
		SKIP(return, "memory controller unavailable");
	close(fd);
	mkdir(cg, 0755);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	procs = open(path, O_WRONLY);
	ASSERT_LE(0, procs);
	snprintf(buf, sizeof(buf), "%d", getpid());
	ASSERT_LT(0, write(procs, buf, strlen(buf)));
	close(procs);

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	buf[pread(fd, buf, sizeof(buf) - 1, 0)] = 0;
	before = strtoull(buf, NULL, 10);

	fill_req(&c, denali_image_fd(self->image, self->image_len));
	c.mem_size = size;
	/* All of it now (memory_test checks demand-zero's page by page). */
	c.flags = DENALI_CREATE_PREALLOC;
	{
		int dev = open(DENALI_DEVICE_PATH, O_RDWR);

		self->vm = ioctl(dev, DENALI_CREATE_VM, &c);
		close(dev);
	}
	ASSERT_LE(0, self->vm) TH_LOG("%s", c.error);
	buf[pread(fd, buf, sizeof(buf) - 1, 0)] = 0;
	after = strtoull(buf, NULL, 10);
	EXPECT_LE(before + size, after)
		TH_LOG("memory.current %llu -> %llu", before, after);

	close(self->vm);
	self->vm = -1;
	close(fd);
	close(c.image_fd);
	/* Back to the root cgroup, so the test's cgroup can go. */
	procs = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	ASSERT_LT(0, write(procs, buf, snprintf(buf, sizeof(buf), "%d",
						    getpid())));
	close(procs);
	rmdir(cg);
}

TEST_HARNESS_MAIN
