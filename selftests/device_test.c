// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/denali: who may open it, the version ioctl, and
 * how it refuses ioctls it does not know and argument pointers it cannot
 * use.  Each TEST pins one behaviour, including the order in which the
 * module checks its arguments.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

#include "denali_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	if (!denali_setup_module(_metadata))
		return;
	self->fd = open(DENALI_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, node_is_0660_root_root)
{
	struct stat st;

	ASSERT_EQ(0, stat(DENALI_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

static int try_open_unprivileged(void *unused)
{
	int fd = open(DENALI_DEVICE_PATH, O_RDWR);

	(void)unused;
	if (fd >= 0)
		return 0;
	return errno == EACCES ? 1 : 2;
}

TEST_F(dev, unprivileged_open_is_denied)
{
	/* 1: denied with EACCES; 0: opened; 2: another errno. */
	EXPECT_EQ(1, denali_run_unprivileged(try_open_unprivileged, NULL));
}

TEST_F(dev, version_reports_abi)
{
	struct denali_version v;
	unsigned int i;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, ioctl(self->fd, DENALI_GET_VERSION, &v));
	EXPECT_EQ(DENALI_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(DENALI_ABI_MINOR, v.abi_minor);
	EXPECT_NE(0, v.module_version[0]);
	EXPECT_NE(NULL, memchr(v.module_version, 0, sizeof(v.module_version)));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, v.reserved[i]);
}

TEST_F(dev, version_refuses_nonzero_flags)
{
	struct denali_version v;

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_refuses_nonzero_pad)
{
	struct denali_version v;

	memset(&v, 0, sizeof(v));
	v.pad = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_refuses_nonzero_reserved)
{
	struct denali_version v;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1ull << (i * 16);
		EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
		/* A refused call writes nothing back. */
		EXPECT_EQ(0, v.abi_major);
		EXPECT_EQ(0, v.module_version[0]);
	}
}

TEST_F(dev, unknown_ioctls_are_enotty)
{
	struct denali_version v;
	char big[512];
	const unsigned long bad[] = {
		0,
		_IO(DENALI_IOCTL_MAGIC, 0x00),
		_IOR(DENALI_IOCTL_MAGIC, 0x00, struct denali_version),
		_IOW(DENALI_IOCTL_MAGIC, 0x00, struct denali_version),
		_IOWR(DENALI_IOCTL_MAGIC, 0x00, __u64),
		_IOWR(DENALI_IOCTL_MAGIC, 0x00, char[sizeof(v) + 8]),
		_IOWR(DENALI_IOCTL_MAGIC, 0x3f, struct denali_version),
		_IOWR(DENALI_IOCTL_MAGIC, 0xff, struct denali_version),
		_IOWR(0xAE, 0x00, struct denali_version), /* KVM's magic */
		TCGETS,
		~0ul,
	};
	unsigned int i;

	memset(big, 0, sizeof(big));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], big))
			TH_LOG("ioctl %#lx succeeded", bad[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("ioctl %#lx", bad[i]);
	}
}

TEST_F(dev, version_bad_pointers_are_efault)
{
	void *const bad[] = {
		NULL,
		(void *)1,
		(void *)-4096l,
		(void *)0xffffffff81000000ul, /* kernel text */
		(void *)0x0000800000000000ul, /* non-canonical */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, bad[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("pointer %p", bad[i]);
	}
}

TEST_F(dev, version_struct_straddling_a_hole_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct denali_version *v;
	char *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));

	/* The struct's last 8 bytes fall into the unmapped page. */
	v = (void *)(map + page - sizeof(*v) + 8);
	memset(v, 0, sizeof(*v) - 8);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, v));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
}

TEST_F(dev, version_into_read_only_memory_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map;

	/* Readable (zeroes, so the IN checks pass) but not writable. */
	map = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, DENALI_GET_VERSION, map));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
}

TEST_F(dev, read_and_write_are_not_supported)
{
	char buf[16];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
