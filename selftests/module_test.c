// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading denali.ko: repeatedly, with the control device
 * appearing and disappearing each time, and never while it is in use.
 */
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "denali_util.h"

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

TEST_HARNESS_MAIN
