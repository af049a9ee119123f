// SPDX-License-Identifier: GPL-2.0
/*
 * denali.ko core: the control device /dev/denali.
 *
 * Everything a user does with Denali starts with an ioctl on this misc
 * device.  This file owns module init and exit and the dispatch of the
 * control ioctls; VMs are made in vm.c, the CPU world switch lives in
 * vcpu/, the virtual NIC in vnic/.  The ioctl ABI is include/uapi/denali.h, described for people in
 * docs/ABI.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/denali.h"
#include "vm.h"

#define DENALI_MODULE_VERSION "0.1.0"

/* Every IN-only byte of the struct must be zero (see the uapi header). */
static bool denali_version_in_is_clear(const struct denali_version *v)
{
	return !v->flags && !v->pad && !memchr_inv(v->reserved, 0,
						   sizeof(v->reserved));
}

static long denali_get_version(struct denali_version __user *uarg)
{
	struct denali_version v;

	if (copy_from_user(&v, uarg, sizeof(v)))
		return -EFAULT;
	if (!denali_version_in_is_clear(&v))
		return -EINVAL;

	memset(&v, 0, sizeof(v));
	v.abi_major = DENALI_ABI_MAJOR;
	v.abi_minor = DENALI_ABI_MINOR;
	strscpy(v.module_version, DENALI_MODULE_VERSION,
		sizeof(v.module_version));

	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long denali_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DENALI_GET_VERSION:
		return denali_get_version(uarg);
	case DENALI_CREATE_VM:
		return denali_create_vm(uarg);
	case DENALI_LIST_VMS:
		return denali_list_vms(uarg);
	case DENALI_DESTROY_VM:
		return denali_destroy_vm(uarg);
	case DENALI_OPEN_VM:
		return denali_open_vm(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations denali_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = denali_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* 0660 root:root: only root, or a group root chooses, may create VMs. */
static struct miscdevice denali_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = DENALI_DEVICE_NAME,
	.fops = &denali_dev_fops,
	.mode = 0660,
};

static int __init denali_init(void)
{
	int err;

	err = denali_switcher_init();
	if (err)
		return err;
	err = misc_register(&denali_dev);
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", DENALI_DEVICE_NAME, err);
		denali_switcher_exit();
		return err;
	}
	pr_info("loaded, ABI %d.%d\n", DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	return 0;
}

static void __exit denali_exit(void)
{
	misc_deregister(&denali_dev);
	denali_switcher_exit();
	pr_info("unloaded\n");
}

module_init(denali_init);
module_exit(denali_exit);

MODULE_DESCRIPTION("Denali: lightweight para-virtual machines in ring 3");
MODULE_LICENSE("GPL");
MODULE_VERSION(DENALI_MODULE_VERSION);
