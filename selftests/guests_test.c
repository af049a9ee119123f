// SPDX-License-Identifier: GPL-2.0
/*
 * Guests built from C on libilwaco, run by the module: each test guest in
 * selftests/guests/ states what it expects (its top comment); this checks
 * that the module delivers it, console and exit status alike.
 */
#include "denali_test.h"

#define MEM (4ull << 20)

FIXTURE(guest) {
	int vm;
	struct denali_run run;
	char out[16384];
};

FIXTURE_SETUP(guest)
{
	self->vm = -1;
	if (!denali_setup_module(_metadata))
		return;
}

FIXTURE_TEARDOWN(guest)
{
	if (self->vm >= 0)
		close(self->vm);
}

/* Run guest @name to its stop; its console lands in self->out. */
static void run_guest(struct __test_metadata *_metadata, int *vm,
		      const char *name, struct denali_run *run, char *out,
		      size_t cap)
{
	*vm = denali_create_file(name, MEM);
	ASSERT_LE(0, *vm) TH_LOG("%s: %s", name, strerror(-*vm));
	ASSERT_EQ(0, denali_run(*vm, run));
	denali_console_drain(*vm, out, cap);
	ASSERT_NE(DENALI_STOP_CRASH, run->reason)
		TH_LOG("%s crashed: %s at %#llx", name,
		       run->crash.description, run->crash.regs.rip);
}

/*
 * Every libilwaco image declares the ABI it was built for (ABI 0.4): a
 * PT_NOTE over one "Denali" note naming this tree's version; the module
 * loads it as it is and refuses it with the minor bumped.
 */
TEST_F(guest, libilwaco_images_declare_their_abi)
{
	static unsigned char img[1 << 20];
	const struct elf_builder_abi_note *note = NULL;
	char err[DENALI_ERROR_MAX], want[DENALI_ERROR_MAX];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	struct elf_builder_abi_note *patched;
	int fd = denali_guest_image("exit_status"), memfd;
	ssize_t len;
	unsigned int i, notes = 0;

	ASSERT_LE(0, fd) TH_LOG("exit_status.img: %s", strerror(-fd));
	len = read(fd, img, sizeof(img));
	close(fd);
	ASSERT_LT((ssize_t)sizeof(*eh), len);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)(img + eh->e_phoff) + i;

		if (p->p_type != PT_NOTE)
			continue;
		notes++;
		ASSERT_EQ(sizeof(*note), p->p_filesz);
		ASSERT_GE(len, p->p_offset + p->p_filesz);
		note = (const void *)(img + p->p_offset);
	}
	ASSERT_EQ(1, notes);
	EXPECT_EQ(sizeof(DENALI_NOTE_NAME), note->nhdr.n_namesz);
	EXPECT_EQ(sizeof(note->desc), note->nhdr.n_descsz);
	EXPECT_EQ(DENALI_NOTE_ABI, note->nhdr.n_type);
	EXPECT_STREQ(DENALI_NOTE_NAME, note->name);
	EXPECT_EQ(DENALI_ABI_MAJOR, note->desc.major);
	EXPECT_EQ(DENALI_ABI_MINOR, note->desc.minor);

	patched = (struct elf_builder_abi_note *)note;
	patched->desc.minor++;
	memfd = denali_image_fd(img, len);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(-ENOEXEC, denali_create(memfd, MEM, NULL, err));
	close(memfd);
	snprintf(want, sizeof(want),
		 "built for Denali ABI %u.%u; this monitor implements %u.%u, an older minor: load a newer denali.ko",
		 DENALI_ABI_MAJOR, DENALI_ABI_MINOR + 1, DENALI_ABI_MAJOR,
		 DENALI_ABI_MINOR);
	EXPECT_STREQ(want, err);
}

TEST_F(guest, exit_status)
{
	run_guest(_metadata, &self->vm, "exit_status", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(DENALI_STOP_EXIT, self->run.reason);
	EXPECT_EQ(7, self->run.exit_status);
	EXPECT_STREQ("exit_status: about to exit 7\n", self->out);
}

TEST_F(guest, console_burst_arrives_whole_and_in_order)
{
	char want[32], *p;
	int i;

	run_guest(_metadata, &self->vm, "console_burst", &self->run,
		  self->out, sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status);
	p = self->out;
	for (i = 1; i <= 200; i++) {
		snprintf(want, sizeof(want), "line %03d of 200\n", i);
		ASSERT_EQ(0, strncmp(p, want, strlen(want)))
			TH_LOG("line %d: '%.20s'", i, p);
		p += strlen(want);
	}
	EXPECT_EQ(0, *p);
}

TEST_F(guest, null_calls)
{
	run_guest(_metadata, &self->vm, "null_calls", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "null_calls: 100000 ok\n");
}

TEST_F(guest, bad_hypercalls_fail_safely)
{
	run_guest(_metadata, &self->vm, "bad_hypercalls", &self->run,
		  self->out, sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "bad_hypercalls: ok\n");
}

TEST_F(guest, state_junk_survives_exits)
{
	run_guest(_metadata, &self->vm, "state_junk", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "state_junk: ok\n");
}

TEST_F(guest, fpu_starts_clean_and_stays_right)
{
	run_guest(_metadata, &self->vm, "fpu_check", &self->run, self->out,
		  sizeof(self->out));
	EXPECT_EQ(0, self->run.exit_status) TH_LOG("%s", self->out);
	EXPECT_GUEST_DONE(self->out, "fpu_check: ok\n");
}

TEST_HARNESS_MAIN
