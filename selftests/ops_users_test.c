// SPDX-License-Identifier: GPL-2.0
/*
 * Users: an unprivileged user sees, opens and destroys only its own
 * VMs, and max_vms_per_user holds it to its quota.
 *
 * See ops_fixture.h for what the ops_*_test suites share.
 */
#include "ops_fixture.h"

/* ---- 4. and 5. users ----------------------------------------------------- */

/* What the unprivileged child needs: all made before it drops root. */
struct nobody_args {
	int image;		/* an image fd, inherited */
	__u32 root_id;		/* root's VM */
	int id_pipe[2];		/* child -> root: its VM's id, 0 on failure */
	int go_pipe[2];		/* root -> child: done looking */
};

/* Say on stderr why the child failed; @step, for its exit status. */
static int nobody_fail(int step, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# nobody, step %d: ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return step;
}

static int nobody_checks(struct nobody_args *a)
{
	struct denali_vm_info vms[8] = {};
	char err[DENALI_ERROR_MAX];
	__u32 id = 0, count = 0, total = 0;
	int dev, fd, ret;
	char go;

	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return nobody_fail(1, "open: %s", strerror(errno));
	ret = denali_get_list(dev, vms, 8, &count, &total);
	if (ret || count || total)
		return nobody_fail(2, "LIST: %d, count %u, total %u", ret,
				   count, total);
	ret = denali_vm_ref(dev, DENALI_DESTROY_VM, a->root_id);
	if (ret != -ENOENT)
		return nobody_fail(3, "DESTROY of root's VM: %d", ret);
	ret = denali_vm_ref(dev, DENALI_OPEN_VM, a->root_id);
	if (ret != -ENOENT)
		return nobody_fail(4, "OPEN of root's VM: %d", ret);

	fd = denali_create_on(dev, a->image, MEM, "nobodys", &id, err);
	if (fd < 0)
		return nobody_fail(5, "CREATE: %s: %s", strerror(-fd), err);
	ret = denali_get_list(dev, vms, 8, &count, &total);
	if (ret || count != 1 || total != 1 || vms[0].id != id ||
	    vms[0].owner_uid != DENALI_TEST_UID)
		return nobody_fail(6, "LIST: %d, count %u, total %u, id %u of %u, owner %u",
				   ret, count, total, vms[0].id, id,
				   vms[0].owner_uid);
	/* Its own VM it may name. */
	ret = denali_vm_ref(dev, DENALI_OPEN_VM, id);
	if (ret < 0)
		return nobody_fail(7, "OPEN of its own VM: %d", ret);
	close(ret);

	/* Keep the VM until root has looked. */
	if (write(a->id_pipe[1], &id, sizeof(id)) != sizeof(id) ||
	    read(a->go_pipe[0], &go, 1) != 1)
		return nobody_fail(8, "pipes: %s", strerror(errno));
	close(fd);
	close(dev);
	return 0;
}

static int as_nobody_alone(void *arg)
{
	struct nobody_args *a = arg;
	__u32 failed = 0;
	int ret = nobody_checks(a);

	/* Root waits for an id: 0 says there will be none. */
	if (ret && write(a->id_pipe[1], &failed, sizeof(failed)) < 0)
		return ret;
	return ret;
}

/* What root saw while the child held its VM. */
struct root_view {
	struct nobody_args *a;
	int dev;
	__u32 child_id;
	int list_ret;
	bool saw_root, saw_child;
	__u32 child_owner;
};

static void *root_looks(void *arg)
{
	struct denali_vm_info vms[LIST_CAP];
	const struct denali_vm_info *info;
	struct root_view *v = arg;
	struct pollfd pfd = { .fd = v->a->id_pipe[0], .events = POLLIN };
	__u32 count = 0, total = 0;

	if (poll(&pfd, 1, HANG_MS) == 1 &&
	    read(v->a->id_pipe[0], &v->child_id, sizeof(v->child_id)) ==
	    sizeof(v->child_id) && v->child_id) {
		v->list_ret = denali_get_list(v->dev, vms, LIST_CAP, &count, &total);
		v->saw_root = !v->list_ret &&
			      denali_vm_in_list(vms, count, v->a->root_id);
		info = v->list_ret ? NULL : denali_vm_in_list(vms, count, v->child_id);
		v->saw_child = info;
		v->child_owner = info ? info->owner_uid : 0;
	}
	if (write(v->a->go_pipe[1], "g", 1) != 1)
		v->list_ret = -EPIPE;
	return NULL;
}

/*
 * An unprivileged user sees, destroys and opens only its own VMs: root's
 * VM does not exist for it (ENOENT, as for an unused id), while root
 * sees both.
 */
TEST_F_TIMEOUT(ops, unprivileged_users_cannot_touch_others_vms,
	       TEST_TIMEOUT_S)
{
	struct denali_vm_info vms[LIST_CAP];
	struct nobody_args a;
	struct root_view v;
	__u32 count = 0, total = 0;
	pthread_t looker;
	int fd, status;

	if (!self->ready)
		return;
	memset(&a, 0, sizeof(a));
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, open_device_to_all(&self->dev_mode));
	a.image = CODE_IMAGE(exit0);
	ASSERT_LE(0, a.image);
	fd = pool_vm(&self->p, self->dev, a.image, MEM, "roots", &a.root_id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(a.id_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(a.go_pipe, O_CLOEXEC));

	v.a = &a;
	v.dev = self->dev;
	ASSERT_EQ(0, pthread_create(&looker, NULL, root_looks, &v));
	status = denali_run_unprivileged(as_nobody_alone, &a);
	pthread_join(looker, NULL);
	EXPECT_EQ(0, status);
	ASSERT_NE(0, v.child_id) TH_LOG("the child made no VM");
	EXPECT_EQ(0, v.list_ret);
	EXPECT_TRUE(v.saw_root);
	EXPECT_TRUE(v.saw_child);
	EXPECT_EQ(DENALI_TEST_UID, v.child_owner);

	/* The child's VM went with its last file, as the child exited. */
	ASSERT_EQ(0, denali_get_list(self->dev, vms, LIST_CAP, &count, &total));
	EXPECT_NE(NULL, denali_vm_in_list(vms, count, a.root_id));
	EXPECT_EQ(NULL, denali_vm_in_list(vms, count, v.child_id));
	close(a.image);
	close(a.id_pipe[0]);
	close(a.id_pipe[1]);
	close(a.go_pipe[0]);
	close(a.go_pipe[1]);
}

#define USER_LIMIT	3

static int nobody_fills_quota(void *arg)
{
	struct nobody_args *a = arg;
	char err[DENALI_ERROR_MAX];
	int dev, fd[USER_LIMIT], i, ret;
	__u32 id;

	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return nobody_fail(1, "open: %s", strerror(errno));
	for (i = 0; i < USER_LIMIT; i++) {
		fd[i] = denali_create_on(dev, a->image, MEM, NULL, NULL, err);
		if (fd[i] < 0)
			return nobody_fail(2, "VM %d: %s: %s", i,
					   strerror(-fd[i]), err);
	}
	ret = denali_create_on(dev, a->image, MEM, NULL, NULL, err);
	if (ret != -EDQUOT)
		return nobody_fail(3, "VM %d: %d (%s), not EDQUOT",
				   USER_LIMIT, ret, ret < 0 ? err : "created");
	if (!strstr(err, "max_vms_per_user"))
		return nobody_fail(4, "error text '%s'", err);
	/* The limit counts VMs that exist: one gone makes room for one. */
	close(fd[0]);
	fd[0] = denali_create_on(dev, a->image, MEM, NULL, &id, err);
	if (fd[0] < 0)
		return nobody_fail(5, "after a close: %s: %s",
				   strerror(-fd[0]), err);
	/*
	 * A destroyed VM whose file is still open still exists (and holds
	 * its memory): it counts until its last file is closed.
	 */
	ret = denali_vm_ref(dev, DENALI_DESTROY_VM, id);
	if (ret)
		return nobody_fail(6, "destroy: %s", strerror(-ret));
	ret = denali_create_on(dev, a->image, MEM, NULL, NULL, err);
	if (ret != -EDQUOT)
		return nobody_fail(7, "with one destroyed but open: %d, not EDQUOT",
				   ret);
	close(fd[0]);
	fd[0] = denali_create_on(dev, a->image, MEM, NULL, NULL, err);
	if (fd[0] < 0)
		return nobody_fail(8, "after closing the destroyed one: %s: %s",
				   strerror(-fd[0]), err);
	for (i = 0; i < USER_LIMIT; i++)
		close(fd[i]);
	close(dev);
	return 0;
}

/*
 * max_vms_per_user holds an unprivileged user to that many VMs at once,
 * with EDQUOT and a sentence naming the parameter; root is not limited.
 */
TEST_F_TIMEOUT(ops, per_user_limit, TEST_TIMEOUT_S)
{
	struct nobody_args a;
	char value[16];
	int i, fd;

	if (!self->ready)
		return;
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, denali_read_line(LIMIT_PARAM, self->limit,
			       sizeof(self->limit)));
	ASSERT_NE(0, self->limit[0]);
	snprintf(value, sizeof(value), "%d", USER_LIMIT);
	ASSERT_EQ(0, denali_write_file(LIMIT_PARAM, value));
	ASSERT_EQ(0, open_device_to_all(&self->dev_mode));
	a.image = CODE_IMAGE(exit0);
	ASSERT_LE(0, a.image);

	EXPECT_EQ(0, denali_run_unprivileged(nobody_fills_quota, &a));

	for (i = 0; i < 2 * USER_LIMIT; i++) {
		fd = pool_vm(&self->p, self->dev, a.image, MEM, NULL, NULL);
		EXPECT_LE(0, fd) TH_LOG("root's VM %d: %s", i,
					strerror(-fd));
	}
	close(a.image);
}

TEST_HARNESS_MAIN
