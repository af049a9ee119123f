// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests (no kernel needed): the uapi layout is the same for
 * every caller, and denalictl's ABI decisions are right.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "abi.h"
#include "denali_release.h"
#include "uapi/denali.h"

TEST(version_struct_layout_is_fixed)
{
	/* Offsets are ABI: they may never move. */
	EXPECT_EQ(0, offsetof(struct denali_version, abi_major));
	EXPECT_EQ(4, offsetof(struct denali_version, abi_minor));
	EXPECT_EQ(8, offsetof(struct denali_version, flags));
	EXPECT_EQ(12, offsetof(struct denali_version, pad));
	EXPECT_EQ(16, offsetof(struct denali_version, module_version));
	EXPECT_EQ(48, offsetof(struct denali_version, reserved));
	EXPECT_EQ(80, sizeof(struct denali_version));
}

/* The release's major.minor is the ABI's: they move in step. */
TEST(release_moves_with_the_abi)
{
	unsigned int major, minor, patch;
	char end;
	int n;

	/* Three numbers and nothing after them. */
	n = sscanf(DENALI_RELEASE, "%u.%u.%u%c", &major, &minor, &patch, &end);
	ASSERT_EQ(3, n);
	EXPECT_EQ(DENALI_ABI_MAJOR, major);
	EXPECT_EQ(DENALI_ABI_MINOR, minor);
}

TEST(version_ioctl_number_is_fixed)
{
	EXPECT_EQ(0xc050de00u, (unsigned int)DENALI_GET_VERSION);
}

TEST(same_major_newer_module_minor_is_compatible)
{
	EXPECT_TRUE(denali_abi_compatible(1, 2, 1, 2));
	EXPECT_TRUE(denali_abi_compatible(1, 2, 1, 7));
	EXPECT_TRUE(denali_abi_compatible(0, 0, 0, 0));
}

TEST(older_module_minor_is_incompatible)
{
	EXPECT_FALSE(denali_abi_compatible(1, 3, 1, 2));
}

TEST(different_major_is_incompatible)
{
	EXPECT_FALSE(denali_abi_compatible(1, 0, 2, 0));
	EXPECT_FALSE(denali_abi_compatible(2, 0, 1, 9));
}

TEST(module_version_string_is_terminated)
{
	struct denali_version v;
	char buf[sizeof(v.module_version) + 1];
	char tiny[4];

	memset(&v, 'x', sizeof(v));
	denali_module_version_str(&v, buf, sizeof(buf));
	EXPECT_EQ(sizeof(v.module_version), strlen(buf));

	denali_module_version_str(&v, tiny, sizeof(tiny));
	EXPECT_STREQ("xxx", tiny);

	memset(&v, 0, sizeof(v));
	strcpy(v.module_version, "0.1.0");
	denali_module_version_str(&v, buf, sizeof(buf));
	EXPECT_STREQ("0.1.0", buf);
}

TEST_HARNESS_MAIN
