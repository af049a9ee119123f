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

#include <linux/cdev.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/denali.h"
#include "denali_release.h"
#include "run.h"
#include "shared_image.h"
#include "vm.h"

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
	strscpy(v.module_version, DENALI_RELEASE,
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

/*
 * /dev/denali is 0660 root:root: only root may create VMs, unless the
 * administrator names a group that may.  A misc device cannot choose its
 * node's group, so this is a character device of its own class whose
 * device type tells devtmpfs (and udev) the mode and group.
 */
static int dev_group = -1;
module_param(dev_group, int, 0444);
MODULE_PARM_DESC(dev_group, "Group (gid) allowed to use /dev/denali (default: none, root only)");

static dev_t denali_devt;
static struct cdev denali_cdev;
static struct class *denali_class;
static struct device *denali_device;

static char *denali_devnode(DENALI_DEVNODE_CONST struct device *dev,
			    umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	if (mode)
		*mode = 0660;
	if (gid && dev_group >= 0)
		*gid = make_kgid(&init_user_ns, dev_group);
	return NULL;
}

static const struct device_type denali_devtype = {
	.name = DENALI_DEVICE_NAME,
	.devnode = denali_devnode,
};

static void denali_device_release(struct device *dev)
{
	kfree(dev);
}

static int denali_chrdev_init(void)
{
	int err;

	if (dev_group < -1 || (dev_group >= 0 &&
				!gid_valid(make_kgid(&init_user_ns, dev_group)))) {
		pr_err("dev_group=%d is not a valid group id\n", dev_group);
		return -EINVAL;
	}
	err = alloc_chrdev_region(&denali_devt, 0, 1, DENALI_DEVICE_NAME);
	if (err)
		return err;
	cdev_init(&denali_cdev, &denali_dev_fops);
	denali_cdev.owner = THIS_MODULE;
	err = cdev_add(&denali_cdev, denali_devt, 1);
	if (err)
		goto unregister_region;
#ifdef DENALI_CLASS_CREATE_NAME_ONLY
	denali_class = class_create(DENALI_DEVICE_NAME);
#else
	denali_class = class_create(THIS_MODULE, DENALI_DEVICE_NAME);
#endif
	if (IS_ERR(denali_class)) {
		err = PTR_ERR(denali_class);
		goto del_cdev;
	}
	err = -ENOMEM;
	denali_device = kzalloc(sizeof(*denali_device), GFP_KERNEL);
	if (!denali_device)
		goto destroy_class;
	device_initialize(denali_device);
	denali_device->devt = denali_devt;
	denali_device->class = denali_class;
	denali_device->type = &denali_devtype;
	denali_device->release = denali_device_release;
	err = dev_set_name(denali_device, DENALI_DEVICE_NAME);
	if (!err)
		err = device_add(denali_device);
	if (err) {
		put_device(denali_device);
		goto destroy_class;
	}
	return 0;

destroy_class:
	class_destroy(denali_class);
del_cdev:
	cdev_del(&denali_cdev);
unregister_region:
	unregister_chrdev_region(denali_devt, 1);
	return err;
}

static void denali_chrdev_exit(void)
{
	device_unregister(denali_device);
	class_destroy(denali_class);
	cdev_del(&denali_cdev);
	unregister_chrdev_region(denali_devt, 1);
}

/*
 * debugfs: denali/inject_restore_fault, for the selftests.  Writing N
 * makes the next N round trips fault in the switcher's host-restore path
 * (a corrupted LDT selector), to show that the path skips the step once,
 * repairs the host and stops only that VM.  Root only, as debugfs is.
 */
static struct dentry *denali_debugfs;

static ssize_t inject_restore_fault_write(struct file *file,
					  const char __user *ubuf,
					  size_t len, loff_t *pos)
{
	unsigned int n;
	int err = kstrtouint_from_user(ubuf, len, 0, &n);

	if (err)
		return err;
	if (n > 1000)
		return -EINVAL;
	while (n--)
		denali_inject_restore_fault();
	return len;
}

static const struct file_operations inject_restore_fault_fops = {
	.owner = THIS_MODULE,
	.write = inject_restore_fault_write,
	.llseek = noop_llseek,
};

/*
 * debugfs: denali/shared, the module's shared image table (shared_image.c):
 * "images N" and "pages N", every page counted once, for the selftests
 * to see the table fill and empty.  Root only.
 */
static int shared_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "images %lu\npages %lu\n", denali_shared_images(),
		   denali_shared_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(shared);

static void denali_debugfs_init(void)
{
	denali_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("inject_restore_fault", 0200, denali_debugfs,
			    NULL, &inject_restore_fault_fops);
	debugfs_create_file("shared", 0400, denali_debugfs, NULL,
			    &shared_fops);
}

static int __init denali_module_init(void)
{
	int err;

	err = denali_switcher_init();
	if (err)
		return err;
	err = denali_chrdev_init();
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", DENALI_DEVICE_NAME, err);
		denali_switcher_exit();
		return err;
	}
	denali_debugfs_init();
	pr_info("loaded, ABI %d.%d\n", DENALI_ABI_MAJOR, DENALI_ABI_MINOR);
	return 0;
}

static void __exit denali_module_exit(void)
{
	debugfs_remove(denali_debugfs);
	denali_chrdev_exit();
	denali_switcher_exit();
	pr_info("unloaded\n");
}

module_init(denali_module_init);
module_exit(denali_module_exit);

MODULE_DESCRIPTION("Denali: lightweight para-virtual machines in ring 3");
MODULE_LICENSE("GPL");
MODULE_VERSION(DENALI_RELEASE);
