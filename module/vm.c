// SPDX-License-Identifier: GPL-2.0
/*
 * VMs: making them, finding them, ending them, and the VM file.
 *
 * Roadmap:
 *   1. Limits and accounting (module parameters).
 *   2. The registry: every live VM by id, for listing and naming.
 *   3. The VM file: DENALI_RUN, DENALI_GET_STATS, the console.
 *   4. Listing, destroying and opening VMs by id.
 *   5. Creation.
 *
 * A VM is reference-counted: each open file for it holds a reference, and
 * so does a lookup in progress.  The registry holds none; a VM leaves it
 * when destroyed or freed, so listing and naming never keep a VM alive.
 * Guest memory is freed when the last reference goes.
 *
 * Lock order: vm->run_lock, then registry_lock, then vm->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <asm/tsc.h>

#include "guest_pages.h"
#include "image.h"
#include "shared_image.h"
#include "vm.h"
#include "vnic.h"

/* ---- 1. limits and accounting ------------------------------------------ */

static unsigned int max_vm_mem_mb = 1024;
module_param(max_vm_mem_mb, uint, 0444);
MODULE_PARM_DESC(max_vm_mem_mb, "Largest guest memory of one VM, in MiB (default 1024)");

static unsigned int max_vms_per_user = 4096;
module_param(max_vms_per_user, uint, 0644);
MODULE_PARM_DESC(max_vms_per_user, "VMs one user may have at once (default 4096; root is not limited)");

/* max_total_mem_mb, charged page by page, is in guest_pages.c. */

static atomic64_t last_serial = ATOMIC64_INIT(0);

/* ---- 2. the registry ----------------------------------------------------- */

/* id -> struct denali_vm; ids allocated here too. */
static DEFINE_XARRAY_ALLOC1(registry);
/*
 * Every VM from creation to free, listed or not: a destroyed VM whose
 * files are still open holds its memory, and counts against its owner.
 */
static LIST_HEAD(live_vms);
static DEFINE_MUTEX(registry_lock);	/* the registry and live_vms */

/* May the caller see and control @vm? */
static bool may_control(const struct denali_vm *vm)
{
	return uid_eq(vm->owner, current_euid()) || capable(CAP_SYS_ADMIN);
}

/* VMs of @uid that still exist, destroyed or not. */
static unsigned int vms_of(kuid_t uid)
{
	struct denali_vm *vm;
	unsigned int n = 0;

	lockdep_assert_held(&registry_lock);
	list_for_each_entry(vm, &live_vms, live)
		if (uid_eq(vm->owner, uid))
			n++;
	return n;
}

static void unlist(struct denali_vm *vm)
{
	mutex_lock(&registry_lock);
	if (vm->listed) {
		xa_erase(&registry, vm->id);
		vm->listed = false;
	}
	mutex_unlock(&registry_lock);
}

static void denali_vm_free(struct kref *ref)
{
	struct denali_vm *vm = container_of(ref, struct denali_vm, ref);

	unlist(vm);
	denali_idle_timer_cancel(vm);	/* it raises into guest memory */
	denali_vnic_remove(vm);		/* before the memory its rings are in */
	mutex_lock(&registry_lock);
	if (!list_empty(&vm->live))
		list_del(&vm->live);
	mutex_unlock(&registry_lock);
	denali_vcpu_destroy(&vm->vcpu);
	denali_aspace_destroy(&vm->as);
	denali_guest_pages_destroy(&vm->mem);
	kvfree(vm->mem.prot);
	kvfree(vm->console.buf);
	kvfree(vm->input.buf);
	put_pid(vm->runner);
	kfree(vm);
}

static void vm_put(struct denali_vm *vm)
{
	kref_put(&vm->ref, denali_vm_free);
}

/*
 * The VM with @id, with a reference, if the caller may control it;
 * -ENOENT otherwise, so ids reveal nothing of other users' VMs.
 */
static struct denali_vm *lookup(u32 id)
{
	struct denali_vm *vm;

	mutex_lock(&registry_lock);
	vm = xa_load(&registry, id);
	if (vm && (!may_control(vm) || !kref_get_unless_zero(&vm->ref)))
		vm = NULL;
	mutex_unlock(&registry_lock);
	return vm ? vm : ERR_PTR(-ENOENT);
}

/* ---- 3. the VM file ---------------------------------------------------- */

void denali_vm_stop(struct denali_vm *vm, u32 reason, s32 status)
{
	spin_lock(&vm->lock);
	if (!vm->stop_reason) {
		vm->stop_reason = reason;
		vm->exit_status = status;
	}
	spin_unlock(&vm->lock);
	/* Readers waiting on an empty console now see end of file. */
	wake_up_interruptible(&vm->console_wq);
	/* Writers of console input now get EPIPE. */
	wake_up_interruptible(&vm->input_wq);
	wake_up(&vm->idle_wq);
}

static long denali_vm_ioctl_run(struct denali_vm *vm,
				struct denali_run __user *uarg)
{
	struct denali_run *run;
	u64 slice_ns;
	u32 flags;
	long ret;

	run = kmalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(run, uarg, sizeof(*run)))
		goto out;
	ret = -EINVAL;
	if ((run->flags & ~DENALI_RUN_FLAGS_ALL) || run->pad || run->pad2 ||
	    memchr_inv(run->reserved, 0, sizeof(run->reserved)))
		goto out;

	flags = run->flags;
	slice_ns = run->slice_ns;
	memset(run, 0, sizeof(*run));
	run->flags = flags;
	run->slice_ns = slice_ns;
	ret = denali_vcpu_run(vm, run);
	if (!ret && copy_to_user(uarg, run, sizeof(*run)))
		ret = -EFAULT;
out:
	kfree(run);
	return ret;
}

/*
 * Where each counter the running thread keeps in vm->stats goes in struct
 * denali_stats: the entries of include/denali_stats.h whose source is VM.
 * Each names a member of struct denali_vm_stats of the same size, made of
 * whole u64s, or the build fails.
 */
struct denali_stat_copy {
	u16 to;		/* offset in struct denali_stats */
	u16 from;	/* offset in struct denali_vm_stats */
	u16 words;	/* u64s */
};

#define DENALI_STAT_SIZE(field) sizeof_field(struct denali_stats, field)
#define DENALI_STAT_COPY_VM(field)						{										.to = offsetof(struct denali_stats, field),				.from = offsetof(struct denali_vm_stats, field),			.words = DENALI_STAT_SIZE(field) / sizeof(u64) +				 BUILD_BUG_ON_ZERO(DENALI_STAT_SIZE(field) !=						   sizeof_field(struct denali_vm_stats, \
							field) ||						   DENALI_STAT_SIZE(field) %						   sizeof(u64)),			},
#define DENALI_STAT_COPY_CUSTOM(field)
#define DENALI_STAT(field, label, kind, source) DENALI_STAT_COPY_##source(field)

static const struct denali_stat_copy denali_stat_copies[] = {
#include "denali_stats.h"
};

/*
 * Host kernel memory @vm holds beyond its guest pages (the formula of
 * docs/ARCHITECTURE.md, "What a VM costs the host"): what this module
 * allocates for it, rounded as the allocators round, and for each NIC
 * its net_device (a lower bound: Linux adds queues and sysfs objects).
 */
static u64 host_bytes(struct denali_vm *vm)
{
	const struct fpstate *fps = vm->vcpu.fpu.fpstate;
	u64 b;

	b = sizeof(*vm);
	if (READ_ONCE(vm->console.buf))		/* from its first byte */
		b += DENALI_CONSOLE_BYTES;
	if (READ_ONCE(vm->input.buf))
		b += DENALI_CONSOLE_INPUT_BYTES;
	b += vm->mem.size >> PAGE_SHIFT;			/* prot */
	b += denali_guest_pages_overhead(&vm->mem);
	b += (u64)READ_ONCE(vm->as.tables) << PAGE_SHIFT;
	if (fps)		/* vzalloc'ed: whole pages */
		b += PAGE_ALIGN(fps->size + offsetof(struct fpstate, regs));
	b += denali_vnic_host_bytes(vm);
	return b;
}

/*
 * @size: the caller's struct, by its ioctl number: sizeof(st), or
 * DENALI_STATS_SIZE_0_6 for callers built before shared_pages.
 */
static long denali_vm_ioctl_stats(struct denali_vm *vm,
				  struct denali_stats __user *uarg,
				  size_t size)
{
	struct denali_stats st;
	unsigned int i, j;

	memset(&st, 0, sizeof(st));
	if (copy_from_user(&st, uarg, size))
		return -EFAULT;
	if (st.flags || st.pad)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	/*
	 * Written by the running thread alone: each u64 is read once and
	 * whole (a torn read is impossible for an aligned u64 on x86-64); a
	 * slightly stale value is harmless.
	 */
	for (i = 0; i < ARRAY_SIZE(denali_stat_copies); i++) {
		const struct denali_stat_copy *c = &denali_stat_copies[i];
		const u64 *from = (const void *)&vm->stats + c->from;
		u64 *to = (void *)&st + c->to;

		for (j = 0; j < c->words; j++)
			to[j] = READ_ONCE(from[j]);
	}
	/* The CUSTOM counters. */
	st.guest_ns = tsc_khz ? mul_u64_u32_div(READ_ONCE(vm->stats.guest_tsc),
						1000000, tsc_khz) : 0;
	spin_lock(&vm->lock);
	st.console_bytes = vm->console.written;
	st.console_dropped = vm->console.dropped;
	spin_unlock(&vm->lock);
	st.irqs_raised = atomic64_read(&vm->irqs_raised);
	st.resident_pages = denali_guest_pages_resident(&vm->mem);
	st.host_bytes = host_bytes(vm);
	st.shared_pages = denali_guest_pages_shared(&vm->mem);
	return copy_to_user(uarg, &st, size) ? -EFAULT : 0;
}

static long denali_vm_ioctl_raise_irq(struct denali_vm *vm,
				      struct denali_irq __user *uarg)
{
	struct denali_irq irq;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if (irq.flags || irq.pad || !irq.bits ||
	    (irq.bits & ~DENALI_IRQ_USER_ALL))
		return -EINVAL;
	if (READ_ONCE(vm->stop_reason))
		return -EPIPE;
	denali_irq_raise(vm, irq.bits);
	return 0;
}

static long denali_vm_ioctl_nic_stats(struct denali_vm *vm,
				      struct denali_nic_stats __user *uarg)
{
	struct denali_nic_stats st;
	long ret;

	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	ret = denali_vnic_get_stats(vm, &st);
	if (ret)
		return ret;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long denali_vm_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct denali_vm *vm = file->private_data;

	switch (cmd) {
	case DENALI_RUN:
		return denali_vm_ioctl_run(vm, (void __user *)arg);
	case DENALI_GET_STATS:
	case DENALI_GET_STATS_0_6:
		return denali_vm_ioctl_stats(vm, (void __user *)arg,
					     _IOC_SIZE(cmd));
	case DENALI_RAISE_IRQ:
		return denali_vm_ioctl_raise_irq(vm, (void __user *)arg);
	case DENALI_GET_NIC_STATS:
		return denali_vm_ioctl_nic_stats(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static ssize_t denali_vm_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	return denali_console_output_read(file->private_data, file, ubuf,
					  count, ppos);
}

static ssize_t denali_vm_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	return denali_console_input_write(file->private_data, file, ubuf,
					  count);
}

/*
 * The console's readiness, and EPOLLPRI while the VM is runnable (ABI
 * 0.7): the idle queue is woken by every raise (the idle timer, a NIC's
 * receive, console input, DENALI_RAISE_IRQ), by a stop or destroy, and
 * when a DENALI_RUN leaves a runnable VM behind.
 */
static __poll_t denali_vm_poll(struct file *file, poll_table *wait)
{
	struct denali_vm *vm = file->private_data;
	__poll_t mask;

	poll_wait(file, &vm->idle_wq, wait);
	mask = denali_console_poll(vm, file, wait);
	if (denali_vcpu_runnable(vm))
		mask |= EPOLLPRI;
	return mask;
}

static int denali_vm_release(struct inode *inode, struct file *file)
{
	vm_put(file->private_data);
	return 0;
}

static const struct file_operations denali_vm_fops = {
	.owner = THIS_MODULE,
	.release = denali_vm_release,
	.read = denali_vm_read,
	.write = denali_vm_write,
	.poll = denali_vm_poll,
	.unlocked_ioctl = denali_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * A new file for @vm, taking a reference, reading the console from the
 * oldest byte kept, and an fd reserved for it; not yet installed, so
 * that a caller can still fail cleanly (vm_file_abandon()) or install it
 * (fd_install()) once nothing else can go wrong.  0 or a negative errno.
 */
static int vm_file_prepare(struct denali_vm *vm, struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("denali-vm", &denali_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	kref_get(&vm->ref);
	file->f_pos = denali_console_start(vm);
	*filep = file;
	return fd;
}

static void vm_file_abandon(int fd, struct file *file)
{
	fput(file);		/* drops the file's reference to the VM */
	put_unused_fd(fd);
}

/* A new, installed fd for @vm; the fd or a negative errno. */
static int vm_file(struct denali_vm *vm)
{
	struct file *file;
	int fd = vm_file_prepare(vm, &file);

	if (fd >= 0)
		fd_install(fd, file);
	return fd;
}

/* ---- 4. listing, destroying and opening ---------------------------------- */

static void fill_info(struct denali_vm_info *info, struct denali_vm *vm)
{
	memset(info, 0, sizeof(*info));
	info->id = vm->id;
	strscpy(info->name, vm->name, sizeof(info->name));
	info->mem_size = vm->mem.size;
	info->owner_uid = from_kuid_munged(current_user_ns(), vm->owner);
	info->resident_pages = denali_guest_pages_resident(&vm->mem);
	info->shared_pages = denali_guest_pages_shared(&vm->mem);
	info->host_bytes = host_bytes(vm);
	spin_lock(&vm->lock);
	info->runner_pid = vm->runner ? pid_vnr(vm->runner) : 0;
	info->state = vm->stop_reason ? DENALI_VM_STOPPED :
		      vm->running ? DENALI_VM_RUNNING : DENALI_VM_READY;
	info->stop_reason = vm->stop_reason;
	info->exit_status = vm->exit_status;
	if (vm->stop_reason == DENALI_STOP_CRASH) {
		info->crash_cause = vm->crash.cause;
		info->crash_vector = vm->crash.vector;
		memcpy(info->crash_description, vm->crash.description,
		       sizeof(info->crash_description));
	}
	spin_unlock(&vm->lock);
}

/* Most VMs one DENALI_LIST_VMS call returns (the rest: call again). */
#define LIST_VMS_MAX 65536

long denali_list_vms(struct denali_list_vms __user *uarg)
{
	struct denali_vm_info *infos = NULL;
	struct denali_list_vms req;
	struct denali_vm *vm;
	unsigned long id;
	u32 count = 0, total = 0, cap;
	u64 shared = 0, pass;
	long ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.shared_pages ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	/*
	 * Room for what the caller may see, not for what it asked: an
	 * unprivileged caller with a huge capacity costs no more than its
	 * own VMs.  The count may change before the second pass; it fills
	 * what fits and counts the rest.
	 */
	mutex_lock(&registry_lock);
	xa_for_each(&registry, id, vm)
		if (may_control(vm))
			total++;
	mutex_unlock(&registry_lock);
	cap = min3(req.capacity, total, (u32)LIST_VMS_MAX);
	if (cap) {
		infos = kvcalloc(cap, sizeof(*infos), GFP_KERNEL_ACCOUNT);
		if (!infos)
			return -ENOMEM;
	}

	total = 0;
	mutex_lock(&registry_lock);
	/* Each shared image once: marked with this pass under the lock. */
	pass = denali_shared_list_pass();
	xa_for_each(&registry, id, vm) {
		struct denali_shared_image *si;

		if (!may_control(vm))
			continue;
		if (count < cap)
			fill_info(&infos[count++], vm);
		total++;
		si = vm->mem.pages ? vm->mem.pages->image : NULL;
		if (si && si->seen != pass) {
			si->seen = pass;
			shared += si->npages;
		}
	}
	mutex_unlock(&registry_lock);

	if (count && copy_to_user(u64_to_user_ptr(req.vms), infos,
				  count * sizeof(*infos)))
		ret = -EFAULT;
	else if (put_user(count, &uarg->count) ||
		 put_user(total, &uarg->total) ||
		 put_user(shared, &uarg->shared_pages))
		ret = -EFAULT;
	kvfree(infos);
	return ret;
}

static struct denali_vm *lookup_ref(struct denali_vm_ref __user *uarg)
{
	struct denali_vm_ref ref;

	if (copy_from_user(&ref, uarg, sizeof(ref)))
		return ERR_PTR(-EFAULT);
	if (ref.flags || memchr_inv(ref.reserved, 0, sizeof(ref.reserved)))
		return ERR_PTR(-EINVAL);
	return lookup(ref.id);
}

/*
 * End @vm: stopped for good with DENALI_STOP_DESTROYED unless it had
 * stopped already, unlisted, and its running thread (on whatever CPU)
 * interrupted so that DENALI_RUN returns within one round trip.
 */
static void destroy(struct denali_vm *vm)
{
	unlist(vm);
	spin_lock(&vm->lock);
	WRITE_ONCE(vm->destroyed, true);
	if (!vm->stop_reason)
		vm->stop_reason = DENALI_STOP_DESTROYED;
	if (vm->running)
		kick_process(vm->running);
	spin_unlock(&vm->lock);
	wake_up_interruptible(&vm->console_wq);
	wake_up_interruptible(&vm->input_wq);
	/* An idle guest wakes to find itself stopped. */
	wake_up(&vm->idle_wq);
	/* A thread-less idle's timer has nothing left to wake. */
	denali_idle_timer_cancel(vm);
	/* Its interfaces go with it, as an operator expects. */
	denali_vnic_remove(vm);
}

long denali_destroy_vm(struct denali_vm_ref __user *uarg)
{
	struct denali_vm *vm = lookup_ref(uarg);

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	destroy(vm);
	vm_put(vm);
	return 0;
}

long denali_open_vm(struct denali_vm_ref __user *uarg)
{
	struct denali_vm *vm = lookup_ref(uarg);
	int fd;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	fd = vm_file(vm);
	vm_put(vm);
	return fd;
}

/* ---- 5. creation -------------------------------------------------------- */

struct create_ctx {
	struct denali_create_vm req;
	struct denali_nic_config *nics;	/* req.nic_count, copied in */
	struct file *image;
	struct denali_guest_mem *mem;	/* the VM's, once it has one */
	struct denali_shared_image *share;	/* its image's shared pages */
	bool building;		/* @share is new: this load fills it */
	char *args;		/* req.args_len bytes, copied in */
	char *err;
};

#define create_error(ctx, fmt, ...) \
	snprintf((ctx)->err, DENALI_ERROR_MAX, fmt, ##__VA_ARGS__)

static bool name_is_valid(const char *name)
{
	for (; *name; name++)
		if (!isalnum(*name) && *name != '.' && *name != '_' &&
		    *name != '-')
			return false;
	return true;
}

/* The boot arguments: copied in, NUL-terminated strings back to back. */
static int check_args(struct create_ctx *ctx)
{
	struct denali_create_vm *r = &ctx->req;

	if (!r->args_len) {
		if (r->args) {
			create_error(ctx, "args is set but args_len is 0");
			return -EINVAL;
		}
		return 0;
	}
	if (r->args_len > DENALI_ARGS_MAX) {
		create_error(ctx, "boot arguments take %u bytes, more than %d",
			     r->args_len, DENALI_ARGS_MAX);
		return -EINVAL;
	}
	if (!r->args) {
		create_error(ctx, "args_len is %u but args is 0", r->args_len);
		return -EINVAL;
	}
	ctx->args = memdup_user(u64_to_user_ptr(r->args), r->args_len);
	if (IS_ERR(ctx->args)) {
		int err = PTR_ERR(ctx->args);

		ctx->args = NULL;
		create_error(ctx, "cannot read the boot arguments at 0x%llx",
			     r->args);
		return err;
	}
	if (ctx->args[r->args_len - 1]) {
		create_error(ctx, "boot arguments do not end with a NUL");
		return -EINVAL;
	}
	return 0;
}

/* The NIC configs (ABI 0.5), copied in once and checked. */
static int check_nics(struct create_ctx *ctx)
{
	struct denali_create_vm *r = &ctx->req;
	unsigned int i;
	int err;

	if (!r->nic_count && !r->nics)
		return 0;
	if (!r->nic_count || !r->nics || r->nic_count > DENALI_NIC_MAX) {
		create_error(ctx, "nic_count %u with nics %s: at most %d NICs, both or neither",
			     r->nic_count, r->nics ? "set" : "0", DENALI_NIC_MAX);
		return -EINVAL;
	}
	ctx->nics = memdup_user(u64_to_user_ptr(r->nics),
				r->nic_count * sizeof(*ctx->nics));
	if (IS_ERR(ctx->nics)) {
		err = PTR_ERR(ctx->nics);
		ctx->nics = NULL;
		create_error(ctx, "cannot read the NIC configs at nics");
		return err;
	}
	for (i = 0; i < r->nic_count; i++) {
		err = denali_vnic_check_config(&ctx->nics[i], i, ctx->err,
					       DENALI_ERROR_MAX);
		if (err)
			return err;
	}
	return 0;
}

/* Every IN field, in the order docs/ABI.md gives. */
static int check_request(struct create_ctx *ctx)
{
	struct denali_create_vm *r = &ctx->req;
	int err;
	u64 max = (u64)max_vm_mem_mb << 20;

	if ((r->flags & ~DENALI_CREATE_FLAGS) || r->pad || r->pad2 ||
	    r->pad3) {
		create_error(ctx, "flags other than DENALI_CREATE_PREALLOC, pad and reserved fields must be zero");
		return -EINVAL;
	}
	if (!memchr(r->name, 0, sizeof(r->name))) {
		create_error(ctx, "name is not NUL-terminated within %d bytes",
			     DENALI_NAME_MAX);
		return -EINVAL;
	}
	if (!name_is_valid(r->name)) {
		create_error(ctx, "name may contain only letters, digits, '.', '_' and '-'");
		return -EINVAL;
	}
	if (r->mem_size % DENALI_GUEST_PAGE_SIZE) {
		create_error(ctx, "memory size %llu is not a multiple of 4096",
			     r->mem_size);
		return -EINVAL;
	}
	if (r->mem_size < DENALI_GUEST_MEM_MIN || r->mem_size > max) {
		create_error(ctx, "memory size %llu is outside [1 MiB, %u MiB] (max_vm_mem_mb)",
			     r->mem_size, max_vm_mem_mb);
		return -EINVAL;
	}
	err = check_args(ctx);
	return err ? err : check_nics(ctx);
}

static int open_image(struct create_ctx *ctx)
{
	struct file *f = fget(ctx->req.image_fd);

	if (!f) {
		create_error(ctx, "image_fd %d is not an open file",
			     ctx->req.image_fd);
		return -EBADF;
	}
	ctx->image = f;
	if (!(f->f_mode & FMODE_READ)) {
		create_error(ctx, "image_fd %d is not open for reading",
			     ctx->req.image_fd);
		return -EBADF;
	}
	if (!S_ISREG(file_inode(f)->i_mode)) {
		create_error(ctx, "image_fd %d is not a regular file",
			     ctx->req.image_fd);
		return -EINVAL;
	}
	return 0;
}

/* The loader's segment reads land in guest memory: make those pages first. */
static int read_image(void *arg, void *buf, u64 len, u64 off)
{
	struct create_ctx *ctx = arg;
	const struct denali_guest_mem *mem = ctx->mem;
	struct file *f = ctx->image;
	u64 gva = (u8 *)buf - mem->host;
	loff_t pos = off;
	int err;

	/* Headers go to the loader's own buffers: only segments are ours. */
	if (len && (u8 *)buf >= mem->host && gva < mem->size &&
	    len <= mem->size - gva) {
		err = denali_guest_pages_populate(mem, gva >> PAGE_SHIFT,
						  (gva + len - 1) >> PAGE_SHIFT,
						  true);
		if (err) {
			denali_guest_pages_describe(ctx->err, DENALI_ERROR_MAX,
						    err, gva);
			return err;
		}
	}

	while (len) {
		ssize_t n = kernel_read(f, buf, min_t(u64, len, SZ_1M), &pos);

		if (n < 0)
			return n;
		if (!n)
			return -ENOEXEC;	/* shorter than its headers say */
		buf += n;
		len -= n;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/*
 * One page of file bytes from the loader: mapped from the shared image
 * if its bytes are the same (or, building the image, added to it), else
 * a private page of this VM.  Read-only and writable segments alike: a
 * writable page is copied on the guest's first write.
 */
static int place_page(void *arg, u64 idx, const void *bytes)
{
	struct create_ctx *ctx = arg;
	struct denali_guest_mem *mem = ctx->mem;
	struct page *page = NULL;
	int err;

	if (ctx->share) {
		page = denali_shared_page(ctx->share, idx);
		if (ctx->building && !page) {
			page = denali_shared_add(ctx->share, idx, bytes);
		} else if (!ctx->building &&
			   (!page || memcmp(page_address(page), bytes,
					    PAGE_SIZE))) {
			/*
			 * The file changed and kept its identity: this VM
			 * gets the bytes it read, and no new VM finds the
			 * stale image.
			 */
			denali_shared_unlist(ctx->share);
			page = NULL;
		}
	}
	if (page) {
		denali_guest_pages_map_shared(mem, idx, page);
		return 0;
	}
	err = denali_guest_pages_populate(mem, idx, idx, true);
	if (err) {
		denali_guest_pages_describe(ctx->err, DENALI_ERROR_MAX, err,
					    idx << PAGE_SHIFT);
		return err;
	}
	memcpy(mem->host + (idx << PAGE_SHIFT), bytes, PAGE_SIZE);
	return 0;
}

/*
 * The shared image for this load: a listed one of the same file and
 * owner, whose pages are compared as they are read, or a new one this
 * load fills.  Without memory for one, every page is private.
 */
static void find_share(struct create_ctx *ctx, struct denali_shared_key *key)
{
	denali_shared_key_of(ctx->image, current_euid(), key);
	ctx->share = denali_shared_find(key);
	if (!ctx->share) {
		ctx->share = denali_shared_new(key);
		ctx->building = true;
	}
	/* The VM's mapping holds the reference from now on. */
	if (ctx->share)
		denali_guest_pages_set_image(ctx->mem, ctx->share);
}

/* Make every page the guest may use exist now (DENALI_CREATE_PREALLOC). */
static int prealloc(struct create_ctx *ctx, struct denali_guest_mem *mem)
{
	u64 pages = mem->size >> PAGE_SHIFT, i;
	int err;

	for (i = 0; i < pages; i++) {
		if (!(mem->prot[i] & DENALI_PAGE_PRESENT))
			continue;
		err = denali_guest_pages_populate(mem, i, i, true);
		if (err) {
			denali_guest_pages_describe(ctx->err, DENALI_ERROR_MAX,
						    err, i << PAGE_SHIFT);
			return err;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static int build_vm(struct create_ctx *ctx, struct denali_vm *vm)
{
	u64 size = ctx->req.mem_size, entry;
	struct denali_shared_key key, now;
	int err;

	vm->mem.size = size;
	/* The console's buffers come with its first byte (console.c). */
	vm->mem.prot = kvzalloc(size >> PAGE_SHIFT, GFP_KERNEL_ACCOUNT);
	if (!vm->mem.prot) {
		create_error(ctx, "cannot allocate the VM's permission map");
		return -ENOMEM;
	}
	/* A host mapping of @size bytes with no page behind it yet. */
	err = denali_guest_pages_init(&vm->mem);
	if (err) {
		create_error(ctx, err == -E2BIG ?
			     "memory size %llu is larger than the host's memory" :
			     "cannot reserve %llu bytes of host mapping", size);
		return err == -E2BIG ? -EINVAL : err;
	}
	ctx->mem = &vm->mem;
	denali_guest_mem_default_prot(&vm->mem);
	/* The virtual-register pages, which the host writes directly. */
	err = denali_guest_pages_populate(&vm->mem,
					  DENALI_GUEST_VREGS_RO >> PAGE_SHIFT,
					  DENALI_GUEST_VREGS_RW >> PAGE_SHIFT,
					  true);
	if (err) {
		denali_guest_pages_describe(ctx->err, DENALI_ERROR_MAX, err,
					    DENALI_GUEST_VREGS_RO);
		return err;
	}

	find_share(ctx, &key);
	err = denali_image_load_placed(&vm->mem, read_image, place_page, ctx,
				       i_size_read(file_inode(ctx->image)),
				       &entry, ctx->err, DENALI_ERROR_MAX);
	if (err) {
		if (!ctx->err[0])
			create_error(ctx, "cannot read the image: error %d",
				     err);
		return err;
	}
	/* A file changed while we read it may hold a mix: keep it private. */
	denali_shared_key_of(ctx->image, current_euid(), &now);
	if (ctx->building && !memcmp(&key, &now, sizeof(key)))
		denali_shared_publish(ctx->share);
	if (ctx->req.flags & DENALI_CREATE_PREALLOC) {
		err = prealloc(ctx, &vm->mem);
		if (err)
			return err;
	}

	err = denali_aspace_init(&vm->as, &vm->mem);
	if (err) {
		create_error(ctx, "cannot allocate page tables");
		return err;
	}
	err = denali_vcpu_init(&vm->vcpu);
	if (err) {
		create_error(ctx, "cannot allocate the vCPU's FPU state");
		return err;
	}
	denali_vcpu_reset(&vm->vcpu, entry, size);
	denali_vregs_init(vm, ctx->args, ctx->req.args_len);

	vm->serial = atomic64_inc_return(&last_serial);
	vm->owner = current_euid();
	return 0;
}

/* Give @vm an id and a name, and list it, within the per-user limit. */
static int enlist(struct create_ctx *ctx, struct denali_vm *vm)
{
	u32 id;
	int err;

	mutex_lock(&registry_lock);
	if (!capable(CAP_SYS_ADMIN) &&
	    vms_of(vm->owner) >= max_vms_per_user) {
		create_error(ctx, "user %u already has %u VMs (max_vms_per_user)",
			     from_kuid_munged(current_user_ns(), vm->owner),
			     max_vms_per_user);
		err = -EDQUOT;
		goto out;
	}
	err = xa_alloc(&registry, &id, vm, xa_limit_31b, GFP_KERNEL);
	if (err) {
		create_error(ctx, "no VM id available");
		goto out;
	}
	vm->id = id;
	vm->listed = true;
	list_add(&vm->live, &live_vms);
	/* Before anyone can look the VM up and run it. */
	denali_vregs_set_id(vm);
	if (ctx->req.name[0])
		strscpy(vm->name, ctx->req.name, sizeof(vm->name));
	else
		snprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);
out:
	mutex_unlock(&registry_lock);
	return err;
}

long denali_create_vm(struct denali_create_vm __user *uarg)
{
	struct create_ctx ctx = {};
	struct denali_vm *vm = NULL;
	struct file *file;
	int fd, err;

	if (copy_from_user(&ctx.req, uarg, sizeof(ctx.req)))
		return -EFAULT;
	ctx.err = kzalloc(DENALI_ERROR_MAX, GFP_KERNEL);
	if (!ctx.err)
		return -ENOMEM;

	err = check_request(&ctx);
	if (!err)
		err = open_image(&ctx);
	if (err)
		goto fail;

	err = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		create_error(&ctx, "cannot allocate the VM");
		goto fail;
	}
	kref_init(&vm->ref);
	mutex_init(&vm->run_lock);
	spin_lock_init(&vm->lock);
	init_waitqueue_head(&vm->console_wq);
	init_waitqueue_head(&vm->input_wq);
	init_waitqueue_head(&vm->idle_wq);
	denali_idle_timer_init(vm);
	INIT_LIST_HEAD(&vm->live);
	mutex_init(&vm->nic_lock);

	err = build_vm(&ctx, vm);
	if (!err)
		err = enlist(&ctx, vm);
	if (err)
		goto fail;
	/* NICs are named after the VM's id: only once it is listed. */
	err = denali_vnic_create(vm, ctx.nics, ctx.req.nic_count, ctx.err,
				 DENALI_ERROR_MAX);
	if (err)
		goto fail_listed;

	fd = vm_file_prepare(vm, &file);
	if (fd < 0) {
		err = fd;
		create_error(&ctx, "no free file descriptor");
		goto fail_listed;
	}
	/*
	 * Everything the caller is told, before the fd is visible: once
	 * installed, another thread may close it and free the VM.
	 */
	if (put_user(vm->id, &uarg->id) ||
	    clear_user(uarg->error, DENALI_ERROR_MAX)) {
		vm_file_abandon(fd, file);
		destroy(vm);
		vm_put(vm);
		err = -EFAULT;
		goto out;
	}
	fd_install(fd, file);
	vm_put(vm);		/* the file holds the VM now */
	err = fd;
	goto out;

fail_listed:
	destroy(vm);
fail:
	if (vm)
		vm_put(vm);
	if (copy_to_user(uarg->error, ctx.err, DENALI_ERROR_MAX))
		err = -EFAULT;
out:
	if (ctx.image)
		fput(ctx.image);
	kfree(ctx.nics);
	kfree(ctx.args);
	kfree(ctx.err);
	return err;
}
