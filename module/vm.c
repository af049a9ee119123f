// SPDX-License-Identifier: GPL-2.0
/*
 * Creating VMs, and the VM file descriptor.
 *
 * DENALI_CREATE_VM checks every field of its argument, reserves the
 * guest's memory against the per-VM and global limits, allocates and
 * zeroes it (charged to the creator's memory cgroup), loads the image,
 * builds the page tables and the vCPU, and returns an anonymous-inode
 * file descriptor that owns the VM: closing its last reference frees
 * everything.  Any failure says why in the error text handed back to the
 * caller, so `denalictl` can print it.
 *
 * On the VM fd: DENALI_RUN (vcpu/run.c), and read(2)/poll(2) for the
 * console.  Lock order: vm->run_lock, then vm->lock (a spinlock, held
 * only for the stop state and the console's indices).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "image.h"
#include "vm.h"

static unsigned int max_vm_mem_mb = 1024;
module_param(max_vm_mem_mb, uint, 0444);
MODULE_PARM_DESC(max_vm_mem_mb, "Largest guest memory of one VM, in MiB (default 1024)");

static unsigned int max_total_mem_mb;
module_param(max_total_mem_mb, uint, 0444);
MODULE_PARM_DESC(max_total_mem_mb, "Guest memory of all VMs together, in MiB (default: half of RAM)");

static atomic64_t total_charged = ATOMIC64_INIT(0);
static atomic64_t last_serial = ATOMIC64_INIT(0);
static DEFINE_IDA(vm_ids);

static u64 total_cap_bytes(void)
{
	if (max_total_mem_mb)
		return (u64)max_total_mem_mb << 20;
	return (u64)totalram_pages() << PAGE_SHIFT >> 1;
}

/* Reserve @bytes against the global cap; false if it would overflow. */
static bool charge(u64 bytes)
{
	if (atomic64_add_return(bytes, &total_charged) > total_cap_bytes()) {
		atomic64_sub(bytes, &total_charged);
		return false;
	}
	return true;
}

/* ---- console ---------------------------------------------------------- */

void denali_console_append(struct denali_vm *vm, const char *data, u64 len)
{
	struct denali_console *con = &vm->console;
	u64 i;

	spin_lock(&vm->lock);
	if (len > DENALI_CONSOLE_BYTES) {
		con->dropped += len - DENALI_CONSOLE_BYTES;
		data += len - DENALI_CONSOLE_BYTES;
		len = DENALI_CONSOLE_BYTES;
	}
	for (i = 0; i < len; i++)
		con->buf[(con->head + i) % DENALI_CONSOLE_BYTES] = data[i];
	con->head += len;
	if (con->head - con->tail > DENALI_CONSOLE_BYTES) {
		con->dropped += con->head - con->tail - DENALI_CONSOLE_BYTES;
		con->tail = con->head - DENALI_CONSOLE_BYTES;
	}
	spin_unlock(&vm->lock);
	wake_up_interruptible(&vm->console_wq);
}

static bool console_readable(struct denali_vm *vm)
{
	bool ready;

	spin_lock(&vm->lock);
	ready = vm->console.head != vm->console.tail || vm->stop_reason;
	spin_unlock(&vm->lock);
	return ready;
}

static ssize_t denali_vm_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct denali_vm *vm = file->private_data;
	struct denali_console *con = &vm->console;
	char bounce[256];
	size_t done = 0;

	if (!count)
		return 0;
	while (!console_readable(vm)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(vm->console_wq,
					     console_readable(vm)))
			return -ERESTARTSYS;
	}
	while (done < count) {
		size_t n = 0, want = min(count - done, sizeof(bounce));

		spin_lock(&vm->lock);
		while (n < want && con->tail != con->head) {
			bounce[n++] = con->buf[con->tail % DENALI_CONSOLE_BYTES];
			con->tail++;
		}
		spin_unlock(&vm->lock);
		if (!n)
			break;
		if (copy_to_user(ubuf + done, bounce, n))
			return done ? done : -EFAULT;
		done += n;
	}
	return done;
}

static __poll_t denali_vm_poll(struct file *file, poll_table *wait)
{
	struct denali_vm *vm = file->private_data;

	poll_wait(file, &vm->console_wq, wait);
	return console_readable(vm) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* ---- stopping ---------------------------------------------------------- */

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
}

/* ---- the VM fd ----------------------------------------------------------- */

static long denali_vm_ioctl_run(struct denali_vm *vm,
				struct denali_run __user *uarg)
{
	struct denali_run *run;
	long ret;

	run = kmalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(run, uarg, sizeof(*run)))
		goto out;
	ret = -EINVAL;
	if (run->flags || run->pad ||
	    memchr_inv(run->reserved, 0, sizeof(run->reserved)))
		goto out;

	memset(run, 0, sizeof(*run));
	ret = denali_vcpu_run(vm, run);
	if (!ret && copy_to_user(uarg, run, sizeof(*run)))
		ret = -EFAULT;
out:
	kfree(run);
	return ret;
}

static long denali_vm_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct denali_vm *vm = file->private_data;

	switch (cmd) {
	case DENALI_RUN:
		return denali_vm_ioctl_run(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static void denali_vm_free(struct denali_vm *vm)
{
	denali_vcpu_destroy(&vm->vcpu);
	denali_aspace_destroy(&vm->as);
	vfree(vm->mem.host);
	kvfree(vm->mem.prot);
	kvfree(vm->console.buf);
	if (vm->id)
		ida_free(&vm_ids, vm->id);
	if (vm->charged)
		atomic64_sub(vm->charged, &total_charged);
	kfree(vm);
}

static int denali_vm_release(struct inode *inode, struct file *file)
{
	denali_vm_free(file->private_data);
	return 0;
}

static const struct file_operations denali_vm_fops = {
	.owner = THIS_MODULE,
	.release = denali_vm_release,
	.read = denali_vm_read,
	.poll = denali_vm_poll,
	.unlocked_ioctl = denali_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* ---- creation ------------------------------------------------------------- */

struct create_ctx {
	struct denali_create_vm req;
	struct file *image;
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

/* Every IN field, in the order docs/ABI.md gives. */
static int check_request(struct create_ctx *ctx)
{
	struct denali_create_vm *r = &ctx->req;
	u64 max = (u64)max_vm_mem_mb << 20;

	if (r->flags || r->pad || memchr_inv(r->reserved, 0,
					     sizeof(r->reserved))) {
		create_error(ctx, "flags, pad and reserved fields must be zero");
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
	return 0;
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

static int read_image(void *ctx, void *buf, u64 len, u64 off)
{
	struct file *f = ctx;
	loff_t pos = off;

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

static int build_vm(struct create_ctx *ctx, struct denali_vm *vm)
{
	u64 size = ctx->req.mem_size, entry;
	int err;

	if (!charge(size)) {
		create_error(ctx, "the global guest memory cap (%llu MiB, max_total_mem_mb) is reached",
			     total_cap_bytes() >> 20);
		return -ENOSPC;
	}
	vm->charged = size;

	vm->mem.size = size;
	vm->mem.host = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				 __GFP_NOWARN);
	vm->mem.prot = kvzalloc(size >> PAGE_SHIFT, GFP_KERNEL_ACCOUNT);
	vm->console.buf = kvmalloc(DENALI_CONSOLE_BYTES, GFP_KERNEL_ACCOUNT);
	if (!vm->mem.host || !vm->mem.prot || !vm->console.buf) {
		create_error(ctx, "cannot allocate %llu bytes of guest memory",
			     size);
		return -ENOMEM;
	}
	denali_guest_mem_default_prot(&vm->mem);

	err = denali_image_load(&vm->mem, read_image, ctx->image,
				i_size_read(file_inode(ctx->image)), &entry,
				ctx->err, DENALI_ERROR_MAX);
	if (err) {
		if (!ctx->err[0])
			create_error(ctx, "cannot read the image: error %d",
				     err);
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

	err = ida_alloc_min(&vm_ids, 1, GFP_KERNEL);
	if (err < 0) {
		create_error(ctx, "no VM id available");
		return err;
	}
	vm->id = err;
	vm->serial = atomic64_inc_return(&last_serial);
	if (ctx->req.name[0])
		strscpy(vm->name, ctx->req.name, sizeof(vm->name));
	else
		snprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);
	return 0;
}

long denali_create_vm(struct denali_create_vm __user *uarg)
{
	struct create_ctx ctx = {};
	struct denali_vm *vm = NULL;
	struct file *file;
	int fd = -1, err;

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
	mutex_init(&vm->run_lock);
	spin_lock_init(&vm->lock);
	init_waitqueue_head(&vm->console_wq);

	err = build_vm(&ctx, vm);
	if (err)
		goto fail;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		create_error(&ctx, "no free file descriptor");
		goto fail;
	}
	file = anon_inode_getfile("denali-vm", &denali_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		create_error(&ctx, "cannot create the VM file");
		goto fail;
	}
	if (put_user(vm->id, &uarg->id) ||
	    clear_user(uarg->error, DENALI_ERROR_MAX)) {
		/* The file owns the VM now: releasing it frees everything. */
		fput(file);
		put_unused_fd(fd);
		fput(ctx.image);
		kfree(ctx.err);
		return -EFAULT;
	}
	fd_install(fd, file);
	fput(ctx.image);
	kfree(ctx.err);
	return fd;

fail:
	if (fd >= 0)
		put_unused_fd(fd);
	if (vm)
		denali_vm_free(vm);
	if (ctx.image)
		fput(ctx.image);
	if (copy_to_user(uarg->error, ctx.err, DENALI_ERROR_MAX))
		err = -EFAULT;
	kfree(ctx.err);
	return err;
}
