/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM console (console.c): output the guest writes and every open
 * file of the VM reads from its own position, and input written to a VM
 * file for the guest's console_read hypercall.
 */
#ifndef DENALI_CONSOLE_H
#define DENALI_CONSOLE_H

#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/types.h>

struct denali_vm;

/* The last DENALI_CONSOLE_BYTES (uapi) bytes of output. */
struct denali_console {
	char *buf;		/* DENALI_CONSOLE_BYTES */
	u64 head;		/* the stream position of the next byte */
	u64 max_read;		/* the furthest any file has read */
	u64 written;		/* bytes the guest wrote */
	u64 dropped;		/* bytes lost before any file read them */
};

/*
 * Console input, written to the VM fd and read by the guest's
 * console_read hypercall; a ring of DENALI_CONSOLE_INPUT_BYTES (uapi)
 * under vm->lock.
 */
struct denali_console_input {
	char *buf;
	u64 head;		/* stream position of the next byte written */
	u64 tail;		/* stream position of the next byte read */
};

/* Output, from the guest's console_write; read(2) and poll(2) on a VM file. */
void denali_console_append(struct denali_vm *vm, const char *data, u64 len);
u64 denali_console_start(struct denali_vm *vm);
ssize_t denali_console_output_read(struct denali_vm *vm, struct file *file,
				   char __user *ubuf, size_t count,
				   loff_t *ppos);
__poll_t denali_console_poll(struct denali_vm *vm, struct file *file,
			     poll_table *wait);

/* console.c: console input, write(2) on the VM fd and console_read. */
ssize_t denali_console_input_write(struct denali_vm *vm, struct file *file,
				   const char __user *ubuf, size_t count);
long denali_console_input_read(struct denali_vm *vm, u64 gva, u64 len);

#endif /* DENALI_CONSOLE_H */
