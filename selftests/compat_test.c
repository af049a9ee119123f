// SPDX-License-Identifier: GPL-2.0
/*
 * compat_test: a 32-bit runner (built with -m32, run on the 64-bit
 * kernel through its compat ioctl path).
 *
 * A 32-bit process runs with the 32-bit code segment in CS and glibc's
 * TLS entry in GS, neither of which the module's GDT has: the switcher
 * must hand them back exactly.  Every ioctl struct has the same layout
 * for both kinds of process, so every ioctl works as it does for a
 * 64-bit runner.
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "denali_util.h"

#define MEM (2ull << 20)

struct selectors {
	uint16_t cs, ds, es, fs, gs, ss;
};

static void read_selectors(struct selectors *s)
{
	asm volatile("mov %%cs, %0" : "=r" (s->cs));
	asm volatile("mov %%ds, %0" : "=r" (s->ds));
	asm volatile("mov %%es, %0" : "=r" (s->es));
	asm volatile("mov %%fs, %0" : "=r" (s->fs));
	asm volatile("mov %%gs, %0" : "=r" (s->gs));
	asm volatile("mov %%ss, %0" : "=r" (s->ss));
}

/* A seg_guest VM whose argv[1] is @mode; the VM fd, its id in @id. */
static int create_seg_guest(const char *mode, uint32_t *id)
{
	const char *const argv[] = { "seg_guest", mode };

	return denali_create_guest("seg_guest", MEM, argv, 2, id);
}

TEST(runs_guests_and_keeps_its_selectors)
{
	static const char *const modes[] = { "calls", "spin", "fault" };
	struct selectors before, after;
	struct denali_stats st;
	struct denali_run run;
	uint32_t id;
	int m, vm, ret, runs;

	ASSERT_EQ(4, (int)sizeof(long)) TH_LOG("not a 32-bit build");
	ASSERT_EQ(0, denali_ensure_loaded());
	for (m = 0; m < 3; m++) {
		vm = create_seg_guest(modes[m], &id);
		ASSERT_LE(0, vm) TH_LOG("create: %s", strerror(-vm));
		read_selectors(&before);
		runs = 0;
		do {
			ret = denali_run(vm, &run);
		} while (ret == -EINTR && ++runs < 1000);
		read_selectors(&after);
		ASSERT_EQ(0, ret);
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)))
			TH_LOG("%s: cs %#x->%#x ds %#x->%#x es %#x->%#x fs %#x->%#x gs %#x->%#x ss %#x->%#x",
			       modes[m], before.cs, after.cs, before.ds,
			       after.ds, before.es, after.es, before.fs,
			       after.fs, before.gs, after.gs, before.ss,
			       after.ss);
		/* 32-bit code segment, and glibc's TLS in GS. */
		EXPECT_EQ(0x23, before.cs);
		EXPECT_NE(0, before.gs);
		if (m == 2) {
			EXPECT_EQ(DENALI_STOP_CRASH, run.reason);
			EXPECT_EQ(6, run.crash.vector);
		} else {
			EXPECT_EQ(DENALI_STOP_EXIT, run.reason);
			EXPECT_EQ(7, run.exit_status);
		}
		memset(&st, 0, sizeof(st));
		ASSERT_EQ(0, ioctl(vm, DENALI_GET_STATS, &st));
		if (m == 0)
			EXPECT_LE(200, st.exits[DENALI_EXITK_HYPERCALL]);
		if (m == 1)
			EXPECT_LT(0, st.exits[DENALI_EXITK_INTERRUPT]);
		close(vm);
	}
}

TEST(every_ioctl_from_32_bits)
{
	struct denali_vm_info infos[8];
	struct denali_list_vms list;
	struct denali_version ver;
	struct denali_vm_ref ref;
	int dev, vm, vm2;
	uint32_t id;
	unsigned int i;
	bool found = false;

	ASSERT_EQ(0, denali_ensure_loaded());
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memset(&ver, 0, sizeof(ver));
	ASSERT_EQ(0, ioctl(dev, DENALI_GET_VERSION, &ver));
	EXPECT_EQ(DENALI_ABI_MAJOR, ver.abi_major);

	vm = create_seg_guest("calls", &id);
	ASSERT_LE(0, vm);
	memset(&list, 0, sizeof(list));
	list.vms = (uintptr_t)infos;
	list.capacity = 8;
	ASSERT_EQ(0, ioctl(dev, DENALI_LIST_VMS, &list));
	for (i = 0; i < list.count; i++)
		if (infos[i].id == id)
			found = true;
	EXPECT_TRUE(found);

	memset(&ref, 0, sizeof(ref));
	ref.id = id;
	vm2 = ioctl(dev, DENALI_OPEN_VM, &ref);
	ASSERT_LE(0, vm2);
	close(vm2);
	ASSERT_EQ(0, ioctl(dev, DENALI_DESTROY_VM, &ref));
	EXPECT_EQ(-1, ioctl(dev, DENALI_DESTROY_VM, &ref));
	EXPECT_EQ(ENOENT, errno);
	close(vm);
	close(dev);
}

TEST_HARNESS_MAIN
