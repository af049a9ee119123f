// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests (no kernel needed) for what denalictl decides from
 * its input: which --mem sizes and --name values it accepts, how boot
 * arguments are packed for the module and when they are too long, where
 * a console session's escape is, and which `irq` lines it accepts
 * (userspace/denalictl/parse.c); and which VM an "ID|NAME" argument
 * means (lookup.c), since `destroy` acts on the answer.  What it prints
 * is in denalictl_format_test.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "kselftest_harness.h"
#include "lookup.h"
#include "parse.h"
#include "report.h"
#include "uapi/denali.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

/* parse_size(@s), returning the value, or the error as a negative. */
static long long size_or_error(const char *s, int *err)
{
	unsigned long long v = UNTOUCHED;

	*err = parse_size(s, &v);
	return (long long)v;
}

TEST(size_plain_bytes)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("1", &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, parse_size("16777216", &v));
	EXPECT_EQ(16777216, v);
	/* Leading zeros are decimal, not octal. */
	ASSERT_EQ(0, parse_size("010", &v));
	EXPECT_EQ(10, v);
}

TEST(size_suffixes_are_powers_of_1024)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("1K", &v));
	EXPECT_EQ(1024, v);
	ASSERT_EQ(0, parse_size("1k", &v));
	EXPECT_EQ(1024, v);
	ASSERT_EQ(0, parse_size("16M", &v));
	EXPECT_EQ(16ull << 20, v);
	ASSERT_EQ(0, parse_size("16m", &v));
	EXPECT_EQ(16ull << 20, v);
	ASSERT_EQ(0, parse_size("2G", &v));
	EXPECT_EQ(2ull << 30, v);
	ASSERT_EQ(0, parse_size("2g", &v));
	EXPECT_EQ(2ull << 30, v);
	ASSERT_EQ(0, parse_size("1536K", &v));
	EXPECT_EQ(1536ull << 10, v);
}

TEST(size_malformed_is_einval_and_untouched)
{
	static const char * const bad[] = {
		"", "-1", "+1", " 1", "1 ", "\t1", "1\n", "M", "k", "-",
		"1MB", "1MiB", "1KB", "1kb", "1B", "1T", "1P", "1Mx", "1KK",
		"1.5M", "1,024", "0x1000", "1e6", "abc", "16 M",
		"99999999999999999999999x",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(UNTOUCHED, size_or_error(bad[i], &err))
			TH_LOG("\"%s\" changed the value", bad[i]);
		EXPECT_EQ(-EINVAL, err) TH_LOG("\"%s\"", bad[i]);
	}
	EXPECT_EQ(UNTOUCHED, size_or_error(NULL, &err));
	EXPECT_EQ(-EINVAL, err);
}

TEST(size_zero_is_einval)
{
	int err;

	EXPECT_EQ(UNTOUCHED, size_or_error("0", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("000", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("0K", &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(UNTOUCHED, size_or_error("0g", &err));
	EXPECT_EQ(-EINVAL, err);
}

TEST(size_up_to_2_63_is_accepted)
{
	unsigned long long v;

	ASSERT_EQ(0, parse_size("9223372036854775808", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("9223372036854775807", &v));
	EXPECT_EQ((1ull << 63) - 1, v);
	ASSERT_EQ(0, parse_size("9007199254740992K", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("8796093022208M", &v));
	EXPECT_EQ(1ull << 63, v);
	ASSERT_EQ(0, parse_size("8589934592G", &v));
	EXPECT_EQ(1ull << 63, v);
}

TEST(size_beyond_2_63_is_erange_and_untouched)
{
	static const char * const big[] = {
		"9223372036854775809", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999999999",
		"9007199254740993K", "8796093022209M", "8589934593G",
		"17179869184G", "99999999999999999999G",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(big); i++) {
		EXPECT_EQ(UNTOUCHED, size_or_error(big[i], &err))
			TH_LOG("\"%s\" changed the value", big[i]);
		EXPECT_EQ(-ERANGE, err) TH_LOG("\"%s\"", big[i]);
	}
}

TEST(vm_name_accepts_the_allowed_characters)
{
	EXPECT_TRUE(valid_vm_name("a"));
	EXPECT_TRUE(valid_vm_name("web"));
	EXPECT_TRUE(valid_vm_name("Web-01.test_B"));
	EXPECT_TRUE(valid_vm_name("0123456789"));
	EXPECT_TRUE(valid_vm_name("-dash-first"));
	EXPECT_TRUE(valid_vm_name(".hidden"));
	EXPECT_TRUE(valid_vm_name("..."));
	/* 31 characters: the most that fits DENALI_NAME_MAX with its NUL. */
	EXPECT_TRUE(valid_vm_name("abcdefghijklmnopqrstuvwxyz01234"));
}

TEST(vm_name_refuses_the_rest)
{
	static const char * const bad[] = {
		"", "a b", "a/b", "a\\b", "a:b", "a@b", "a+b", "a\nb", "caf\xc3\xa9",
		"tab\t", "*", ".", "..",
		/* 32 characters */
		"abcdefghijklmnopqrstuvwxyz012345",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_FALSE(valid_vm_name(bad[i])) TH_LOG("bad[%zu]", i);
}

TEST(vm_name_refuses_null)
{
	EXPECT_FALSE(valid_vm_name(NULL));
}

/*
 * ---------------------------------------------------------------------
 * Boot arguments, the console escape, irq lines (parse.c)
 * ---------------------------------------------------------------------
 */

TEST(boot_args_are_strings_back_to_back)
{
	char * const argv[] = { "web", "--port", "8080", "", "a b" };
	static const char want[] = "web\0--port\0008080\0\0a b";
	char buf[DENALI_ARGS_MAX];
	size_t len = 12345;

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(0, pack_boot_args(5, argv, buf, sizeof(buf), &len));
	/* The empty string counts: its NUL is there. */
	ASSERT_EQ(sizeof(want), len);
	EXPECT_EQ(0, memcmp(want, buf, sizeof(want)));
	/* Nothing written past them. */
	EXPECT_EQ('x', buf[sizeof(want)]);
}

TEST(boot_args_none_take_nothing)
{
	char buf[4] = "xyz";
	size_t len = 12345;

	ASSERT_EQ(0, pack_boot_args(0, NULL, buf, sizeof(buf), &len));
	EXPECT_EQ(0, len);
	EXPECT_STREQ("xyz", buf);
	/* "--" and nothing after it: no arguments, no room needed. */
	ASSERT_EQ(0, pack_boot_args(0, NULL, NULL, 0, &len));
	EXPECT_EQ(0, len);
}

/* @n arguments of @each characters: how much they take, packed. */
static int pack_many(int n, size_t each, size_t *len, char *buf)
{
	static char word[DENALI_ARGS_MAX * 2];
	static char *argv[DENALI_ARGS_MAX * 2];
	int i;

	memset(word, 'a', each);
	word[each] = '\0';
	for (i = 0; i < n; i++)
		argv[i] = word;
	return pack_boot_args(n, argv, buf, DENALI_ARGS_MAX, len);
}

TEST(boot_args_up_to_the_limit_fit)
{
	char buf[DENALI_ARGS_MAX];
	size_t len;

	/* 16 x (127 + NUL) = 2048: exactly the limit. */
	ASSERT_EQ(0, pack_many(16, 127, &len, buf));
	EXPECT_EQ(DENALI_ARGS_MAX, len);
	EXPECT_EQ('\0', buf[DENALI_ARGS_MAX - 1]);
	EXPECT_EQ('a', buf[DENALI_ARGS_MAX - 2]);
	/* One argument of 2047 characters and its NUL. */
	ASSERT_EQ(0, pack_many(1, DENALI_ARGS_MAX - 1, &len, buf));
	EXPECT_EQ(DENALI_ARGS_MAX, len);
	/* 2048 empty strings: only NULs. */
	ASSERT_EQ(0, pack_many(DENALI_ARGS_MAX, 0, &len, buf));
	EXPECT_EQ(DENALI_ARGS_MAX, len);
}

TEST(boot_args_beyond_the_limit_are_e2big_and_say_how_long)
{
	char buf[DENALI_ARGS_MAX];
	size_t len;

	memset(buf, 'x', sizeof(buf));
	/* One byte over: the last NUL is what does not fit. */
	EXPECT_EQ(-E2BIG, pack_many(1, DENALI_ARGS_MAX, &len, buf));
	EXPECT_EQ(DENALI_ARGS_MAX + 1, len);
	EXPECT_EQ(-E2BIG, pack_many(DENALI_ARGS_MAX + 1, 0, &len, buf));
	EXPECT_EQ(DENALI_ARGS_MAX + 1, len);
	EXPECT_EQ(-E2BIG, pack_many(21, 99, &len, buf));
	EXPECT_EQ(2100, len);
	/* Refused whole: nothing was written. */
	EXPECT_EQ('x', buf[0]);
	EXPECT_EQ('x', buf[DENALI_ARGS_MAX - 1]);
}

TEST(console_escape_is_ctrl_right_bracket)
{
	EXPECT_EQ(0x1d, CONSOLE_ESCAPE);
	EXPECT_EQ(5, console_escape_at("hello", 5));
	EXPECT_EQ(0, console_escape_at("", 0));
	EXPECT_EQ(0, console_escape_at("\x1d", 1));
	EXPECT_EQ(2, console_escape_at("ls\x1dxy", 5));
	/* The first one counts; what follows it is never the guest's. */
	EXPECT_EQ(1, console_escape_at("a\x1d\x1d", 3));
	/* Bounded by the length, NULs and other controls pass. */
	EXPECT_EQ(3, console_escape_at("\0\x03\x1a\x1d", 3));
	EXPECT_EQ(4, console_escape_at("\0\x03\x1a\x1b", 4));
	/* Ctrl-] alone, not the ']' of a key or of an escape sequence. */
	EXPECT_EQ(4, console_escape_at("a]\x1b]", 4));
}

TEST(irq_lines)
{
	char * const one[] = { "0" };
	char * const some[] = { "3", "15", "03", "3" };
	unsigned long long bits = UNTOUCHED;
	int bad = -1;

	ASSERT_EQ(0, parse_user_irqs(1, one, &bits, &bad));
	EXPECT_EQ(DENALI_IRQ_USER(0), bits);
	EXPECT_EQ(1ull << 16, bits);
	ASSERT_EQ(0, parse_user_irqs(4, some, &bits, &bad));
	EXPECT_EQ(DENALI_IRQ_USER(3) | DENALI_IRQ_USER(15), bits);
	EXPECT_EQ(0, bits & ~DENALI_IRQ_USER_ALL);
}

TEST(irq_lines_refused)
{
	static const char * const bad_words[] = {
		"16", "-1", "+1", "", " 1", "1 ", "0x1", "one", "1.0",
		"99999999999999999999", "timer",
	};
	unsigned long long bits = UNTOUCHED;
	char *argv[2] = { "1" };
	size_t i;
	int bad = -1;

	for (i = 0; i < ARRAY_SIZE(bad_words); i++) {
		argv[1] = (char *)bad_words[i];
		EXPECT_EQ(-EINVAL, parse_user_irqs(2, argv, &bits, &bad))
			TH_LOG("\"%s\"", bad_words[i]);
		EXPECT_EQ(1, bad);
		EXPECT_EQ(UNTOUCHED, bits);
	}
	bad = -1;
	EXPECT_EQ(-EINVAL, parse_user_irqs(0, argv, &bits, &bad));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(UNTOUCHED, bits);
}

/*
 * ---------------------------------------------------------------------
 * Which VM "ID|NAME" means (lookup.c)
 * ---------------------------------------------------------------------
 */

TEST(vm_id_parsing)
{
	static const char * const bad[] = {
		"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "one",
		"4294967296", "12345678901", "99999999999999999999",
	};
	unsigned int id;
	size_t i;

	ASSERT_TRUE(denali_parse_vm_id("0", &id));
	EXPECT_EQ(0, id);
	ASSERT_TRUE(denali_parse_vm_id("7", &id));
	EXPECT_EQ(7, id);
	ASSERT_TRUE(denali_parse_vm_id("007", &id));
	EXPECT_EQ(7, id);
	ASSERT_TRUE(denali_parse_vm_id("4294967295", &id));
	EXPECT_EQ(4294967295u, id);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		id = 12345;
		EXPECT_FALSE(denali_parse_vm_id(bad[i], &id))
			TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(12345, id);
	}
	EXPECT_FALSE(denali_parse_vm_id(NULL, &id));
}

/* A listing with every awkward case: see the comments in the test. */
static size_t sample_listing(struct denali_vm_info *vms)
{
	static const struct {
		unsigned int id;
		const char *name;
	} list[] = {
		{ 1, "web" }, { 2, "db" }, { 3, "7" }, { 7, "cache" },
		{ 8, "2024" }, { 9, "dup" }, { 10, "dup" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(list); i++) {
		memset(&vms[i], 0, sizeof(vms[i]));
		vms[i].id = list[i].id;
		snprintf(vms[i].name, sizeof(vms[i].name), "%s", list[i].name);
	}
	/* A name that fills the field, without a NUL. */
	memset(&vms[i], 0, sizeof(vms[i]));
	vms[i].id = 11;
	memcpy(vms[i].name, "abcdefghijklmnopqrstuvwxyz012345",
	       sizeof(vms[i].name));
	return i + 1;
}

TEST(find_vm_by_name_or_id)
{
	struct denali_vm_info vms[8];
	size_t n = sample_listing(vms);

	EXPECT_EQ(0, denali_find_vm(vms, n, "web"));
	EXPECT_EQ(1, denali_find_vm(vms, n, "db"));
	EXPECT_EQ(0, denali_find_vm(vms, n, "1"));
	EXPECT_EQ(1, denali_find_vm(vms, n, "2"));
	EXPECT_EQ(5, denali_find_vm(vms, n, "9"));
	EXPECT_EQ(6, denali_find_vm(vms, n, "10"));
	EXPECT_EQ(7, denali_find_vm(vms, n,
				    "abcdefghijklmnopqrstuvwxyz012345"));
}

TEST(find_vm_digits_are_an_id_first)
{
	struct denali_vm_info vms[8];
	size_t n = sample_listing(vms);

	/* VM 7 is "cache"; the VM named "7" is reached by its id, 3. */
	EXPECT_EQ(3, denali_find_vm(vms, n, "7"));
	EXPECT_EQ(3, denali_find_vm(vms, n, "007"));
	EXPECT_EQ(2, denali_find_vm(vms, n, "3"));
	/* No VM 2024: then digits are a name. */
	EXPECT_EQ(4, denali_find_vm(vms, n, "2024"));
}

TEST(find_vm_refuses_to_guess)
{
	struct denali_vm_info vms[8];
	size_t n = sample_listing(vms);

	EXPECT_EQ(-ENOTUNIQ, denali_find_vm(vms, n, "dup"));
	/* Exact matches only: no case folding, prefixes or extensions. */
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "Web"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "we"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "webx"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "abcdefghijklmnopqrstuvwxyz01234"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n,
					  "abcdefghijklmnopqrstuvwxyz0123456"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "99"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, n, "4294967296"));
	EXPECT_EQ(-ENOENT, denali_find_vm(vms, 0, "web"));
	EXPECT_EQ(-ENOENT, denali_find_vm(NULL, 0, "1"));
	EXPECT_EQ(-EINVAL, denali_find_vm(vms, n, ""));
	EXPECT_EQ(-EINVAL, denali_find_vm(vms, n, NULL));
}

/* --nic: each key once, names and MACs checked, a sentence for each. */
TEST(nic_spec)
{
	struct nic_spec n;
	char err[200];

	ASSERT_EQ(0, parse_nic_spec("default", &n, err, sizeof(err)));
	EXPECT_STREQ("", n.bridge);
	EXPECT_STREQ("", n.ifname);
	EXPECT_FALSE(n.has_mac);

	ASSERT_EQ(0, parse_nic_spec("bridge=br0,mac=02:00:00:aa:bb:0c,ifname=web0",
				    &n, err, sizeof(err)));
	EXPECT_STREQ("br0", n.bridge);
	EXPECT_STREQ("web0", n.ifname);
	ASSERT_TRUE(n.has_mac);
	EXPECT_EQ(0x02, n.mac[0]);
	EXPECT_EQ(0x0c, n.mac[5]);

	EXPECT_EQ(-EINVAL, parse_nic_spec("", &n, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "give bridge=, ifname=, mac= or switch="));
	EXPECT_EQ(-EINVAL, parse_nic_spec("br0", &n, err, sizeof(err)));
	EXPECT_STREQ("'br0': expected KEY=VALUE", err);
	EXPECT_EQ(-EINVAL, parse_nic_spec("bridge=a,bridge=b", &n, err,
					  sizeof(err)));
	EXPECT_STREQ("'bridge': unknown or repeated key (bridge, ifname, mac, switch)",
		     err);
	EXPECT_EQ(-EINVAL, parse_nic_spec("speed=10", &n, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("ifname=a/b", &n, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "ifname 'a/b' is not an interface name"));
	EXPECT_EQ(-EINVAL, parse_nic_spec("ifname=abcdefghijklmnop", &n, err,
					  sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("bridge=", &n, err, sizeof(err)));
	EXPECT_STREQ("bridge '' is not an interface name", err);
	/* Multicast, all zero, short, long. */
	EXPECT_EQ(-EINVAL, parse_nic_spec("mac=01:00:00:00:00:01", &n, err,
					  sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a unicast MAC address"));
	EXPECT_EQ(-EINVAL, parse_nic_spec("mac=00:00:00:00:00:00", &n, err,
					  sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("mac=02:00:00:00:00", &n, err,
					  sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("mac=02:00:00:00:00:01:02", &n, err,
					  sizeof(err)));
	/* A switch port (ABI 0.7): a MAC, but no interface of its own. */
	ASSERT_EQ(0, parse_nic_spec("switch=sw0,mac=02:00:00:aa:bb:0c", &n,
				    err, sizeof(err)));
	EXPECT_STREQ("sw0", n.sw);
	EXPECT_STREQ("", n.ifname);
	EXPECT_TRUE(n.has_mac);
	EXPECT_EQ(-EINVAL, parse_nic_spec("switch=sw0,ifname=x", &n, err,
					  sizeof(err)));
	EXPECT_STREQ("switch= takes neither bridge= nor ifname=: a switch port has no interface of its own (its switch's uplink 'sw0' has)",
		     err);
	EXPECT_EQ(-EINVAL, parse_nic_spec("bridge=br0,switch=sw0", &n, err,
					  sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("switch=a,switch=b", &n, err,
					  sizeof(err)));
	EXPECT_EQ(-EINVAL, parse_nic_spec("switch=a:b", &n, err, sizeof(err)));
	EXPECT_STREQ("switch 'a:b' is not an interface name (1 to 15 characters, no '/', ':' or space)",
		     err);
}

/* Only the module's own bus_info names a VM's NIC. */
TEST(nic_bus_info)
{
	static const char *const bad[] = {
		"", "vm", "vm3", "vm3/nic", "vm/nic0", "vm03/nic0", "vm3/nic01",
		"vm-3/nic0", "vm3/nic0 ", "vm3/nic0x", "0000:00:03.0",
		"vm4294967296/nic0", "VM3/nic0", "vm 3/nic0",
	};
	unsigned int vm = 77, nic = 77, i;

	ASSERT_EQ(0, parse_nic_bus_info("vm3/nic0", &vm, &nic));
	EXPECT_EQ(3, vm);
	EXPECT_EQ(0, nic);
	ASSERT_EQ(0, parse_nic_bus_info("vm4294967295/nic7", &vm, &nic));
	EXPECT_EQ(4294967295u, vm);
	EXPECT_EQ(7, nic);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vm = nic = 77;
		EXPECT_EQ(-EINVAL, parse_nic_bus_info(bad[i], &vm, &nic))
			TH_LOG("'%s'", bad[i]);
		EXPECT_EQ(77, vm);
		EXPECT_EQ(77, nic);
	}
	EXPECT_EQ(-EINVAL, parse_nic_bus_info(NULL, &vm, &nic));
}

TEST_HARNESS_MAIN
