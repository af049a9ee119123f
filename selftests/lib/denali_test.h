/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks the in-VM suites share, built on the kselftest harness and on
 * the library in denali_util.h.  Include after kselftest_harness.h.
 */
#ifndef DENALI_SELFTEST_TEST_H
#define DENALI_SELFTEST_TEST_H

#include "kselftest_harness.h"
#include "denali_util.h"

/*
 * denali_setup_module() - the start of every FIXTURE_SETUP that needs
 * denali.ko: skip unless root (loading modules needs it), then load the
 * module unless it is loaded already.  False when the test is skipped:
 *
 *	if (!denali_setup_module(_metadata))
 *		return;
 */
static inline bool denali_setup_module(struct __test_metadata *_metadata)
{
	if (geteuid())
		SKIP(return false, "loading modules needs root");
	ASSERT_EQ(0, denali_ensure_loaded());
	return true;
}

/*
 * EXPECT_GUEST_DONE() - the console text @text ends with the guest's
 * "done" verdict (pv_check.h), whose detail holds @want (see
 * denali_verdict_says()); on a "fail" verdict the log says where in the
 * guest the check failed.
 */
#define EXPECT_GUEST_DONE(text, want) do {				\
	struct denali_verdict v_;					\
									\
	ASSERT_EQ(0, denali_guest_verdict(text, &v_))			\
		TH_LOG("no verdict on the console: %s", text);		\
	EXPECT_TRUE(v_.done)						\
		TH_LOG("guest failed at %s: %s", v_.where, v_.detail);	\
	EXPECT_TRUE(denali_verdict_says(&v_, want))			\
		TH_LOG("verdict '%s', wanted '%s'", v_.detail, want);	\
} while (0)

/*
 * ASSERT_GUEST_DETAIL() - copy the detail of the guest's "done" verdict
 * in @text to @buf (of @cap bytes), for the test to parse its numbers.
 */
#define ASSERT_GUEST_DETAIL(text, buf, cap) do {			\
	struct denali_verdict v_;					\
									\
	ASSERT_EQ(0, denali_guest_verdict(text, &v_))			\
		TH_LOG("no verdict on the console: %s", text);		\
	ASSERT_TRUE(v_.done)						\
		TH_LOG("guest failed at %s: %s", v_.where, v_.detail);	\
	snprintf(buf, cap, "%s", v_.detail);				\
} while (0)

#endif /* DENALI_SELFTEST_TEST_H */
