// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading denali.ko: repeatedly, with the control device
 * appearing and disappearing each time, and never while it is in use.
 */
#include <sys/ioctl.h>

#include "denali_test.h"
#include "guest_code.h"

#define LOAD_CYCLES 20

FIXTURE(module) {};

FIXTURE_SETUP(module)
{
	if (geteuid())
		SKIP(return, "loading modules needs root");
	/* Every test starts from an unloaded module. */
	if (denali_module_loaded())
		ASSERT_EQ(0, denali_unload_module());
}

FIXTURE_TEARDOWN(module)
{
}

TEST_F(module, load_unload_cycles)
{
	struct denali_version v;
	int i, fd;

	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, denali_load_module()) TH_LOG("load %d", i);
		ASSERT_EQ(0, access(DENALI_DEVICE_PATH, F_OK))
			TH_LOG("no %s after load %d", DENALI_DEVICE_PATH, i);

		fd = open(DENALI_DEVICE_PATH, O_RDWR);
		ASSERT_LE(0, fd);
		memset(&v, 0, sizeof(v));
		EXPECT_EQ(0, ioctl(fd, DENALI_GET_VERSION, &v));
		EXPECT_EQ(DENALI_ABI_MAJOR, v.abi_major);
		close(fd);

		ASSERT_EQ(0, denali_unload_module()) TH_LOG("unload %d", i);
		ASSERT_NE(0, access(DENALI_DEVICE_PATH, F_OK))
			TH_LOG("%s left behind by unload %d",
			       DENALI_DEVICE_PATH, i);
		ASSERT_EQ(0, denali_module_loaded());
	}
}

TEST_F(module, second_load_is_refused)
{
	ASSERT_EQ(0, denali_load_module());
	EXPECT_EQ(-EEXIST, denali_load_module());
	EXPECT_EQ(0, denali_unload_module());
}

TEST_F(module, unload_refused_while_device_open)
{
	int fd;

	ASSERT_EQ(0, denali_load_module());
	fd = open(DENALI_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, fd);

	/* An open control fd holds a module reference. */
	EXPECT_EQ(-EWOULDBLOCK, denali_unload_module());
	EXPECT_EQ(1, denali_module_loaded());

	close(fd);
	EXPECT_EQ(0, denali_unload_module());
}

/* exit(0) */
GUEST_CODE(exit0,
	"	mov $1, %eax		# exit(0)\n"
	"	xor %edi, %edi\n"
	"	int $0x1f\n");

/* A VM whose every page exists at creation (DENALI_CREATE_PREALLOC). */
static int create_prealloc(int fd, unsigned long long mem, char *err)
{
	struct denali_create_vm c;
	int vm;

	memset(&c, 0, sizeof(c));
	c.mem_size = mem;
	c.image_fd = fd;
	c.flags = DENALI_CREATE_PREALLOC;
	vm = denali_create_req(&c);
	memcpy(err, c.error, DENALI_ERROR_MAX);
	return vm;
}

/*
 * The cap counts pages that exist: preallocated VMs of 1 MiB hold
 * (1 MiB - 64 KiB) / 4 KiB + 2 pages each, so three fit in 3 MiB and a
 * fourth does not.  (memory_test: a demand-zero VM stops at the cap.)
 */
TEST_F(module, global_memory_cap_is_enforced)
{
	char err[DENALI_ERROR_MAX];
	int vms[3], fd, extra;
	unsigned char image[8192];
	size_t n = elf_build_code(image, sizeof(image), exit0,
				  GUEST_CODE_LEN(exit0));
	unsigned int i;

	ASSERT_EQ(0, denali_load_module_with("max_total_mem_mb=3"));
	fd = denali_image_fd(image, n);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		vms[i] = create_prealloc(fd, 1 << 20, err);
		ASSERT_LE(0, vms[i]) TH_LOG("VM %u: %s", i, err);
	}
	/* The fourth MiB is over the cap. */
	EXPECT_EQ(-ENOSPC, create_prealloc(fd, 1 << 20, err));
	EXPECT_NE(NULL, strstr(err, "max_total_mem_mb")) TH_LOG("%s", err);
	/* Freeing one makes room again. */
	close(vms[0]);
	extra = create_prealloc(fd, 1 << 20, err);
	EXPECT_LE(0, extra) TH_LOG("%s", err);
	close(extra);
	close(vms[1]);
	close(vms[2]);
	close(fd);
	EXPECT_EQ(0, denali_unload_module());
}

TEST_F(module, per_vm_memory_limit_is_a_parameter)
{
	char err[DENALI_ERROR_MAX];
	unsigned char image[8192];
	size_t n = elf_build_code(image, sizeof(image), exit0,
				  GUEST_CODE_LEN(exit0));
	int fd, vm;

	ASSERT_EQ(0, denali_load_module_with("max_vm_mem_mb=2"));
	fd = denali_image_fd(image, n);
	ASSERT_LE(0, fd);
	vm = denali_create(fd, 2 << 20, NULL, err);
	EXPECT_LE(0, vm) TH_LOG("%s", err);
	close(vm);
	EXPECT_EQ(-EINVAL, denali_create(fd, (2 << 20) + 4096, NULL, err));
	EXPECT_NE(NULL, strstr(err, "max_vm_mem_mb")) TH_LOG("%s", err);
	close(fd);
	EXPECT_EQ(0, denali_unload_module());
}

TEST_F(module, unload_refused_while_a_vm_exists)
{
	unsigned char image[8192];
	size_t n = elf_build_code(image, sizeof(image), exit0,
				  GUEST_CODE_LEN(exit0));
	int fd, vm;

	ASSERT_EQ(0, denali_load_module());
	fd = denali_image_fd(image, n);
	ASSERT_LE(0, fd);
	vm = denali_create(fd, 1 << 20, NULL, NULL);
	ASSERT_LE(0, vm);
	close(fd);
	/* The VM fd holds the module, even with /dev/denali closed. */
	EXPECT_EQ(-EWOULDBLOCK, denali_unload_module());
	close(vm);
	EXPECT_EQ(0, denali_unload_module());
}

static int open_as_nobody(void *unused)
{
	int fd = open(DENALI_DEVICE_PATH, O_RDWR);

	(void)unused;
	if (fd < 0)
		return errno == EACCES ? 1 : 2;
	close(fd);
	return 0;
}

TEST_F(module, dev_group_opens_the_device_to_that_group)
{
	struct stat st;

	ASSERT_EQ(0, denali_load_module_with("dev_group=65534"));
	ASSERT_EQ(0, stat(DENALI_DEVICE_PATH, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(DENALI_TEST_GID, st.st_gid);
	/* 0: opened (the test user is in that group). */
	EXPECT_EQ(0, denali_run_unprivileged(open_as_nobody, NULL));
	EXPECT_EQ(0, denali_unload_module());

	/* Without it, the same user is refused. */
	ASSERT_EQ(0, denali_load_module());
	EXPECT_EQ(1, denali_run_unprivileged(open_as_nobody, NULL));
	EXPECT_EQ(0, denali_unload_module());
}

TEST_F(module, invalid_dev_group_refuses_to_load)
{
	EXPECT_EQ(-EINVAL, denali_load_module_with("dev_group=-5"));
	EXPECT_EQ(0, denali_module_loaded());
}

TEST_HARNESS_MAIN
