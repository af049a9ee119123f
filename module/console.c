// SPDX-License-Identifier: GPL-2.0
/*
 * The VM console: the last DENALI_CONSOLE_BYTES a guest wrote, read with
 * read(2) on any file for the VM.
 *
 * Output is a stream of positions 0, 1, 2, ...; the buffer keeps
 * [head - DENALI_CONSOLE_BYTES, head).  A guest never waits: when the
 * buffer is full the oldest bytes go.  Each open file reads from its own
 * position (f_pos), so `denalictl console` and a foreground run can both
 * follow the same VM without taking bytes from each other.  Bytes that
 * leave the buffer before any file has read them are counted as dropped.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "vm.h"

static u64 oldest_kept(const struct denali_console *con)
{
	return con->head > DENALI_CONSOLE_BYTES ?
	       con->head - DENALI_CONSOLE_BYTES : 0;
}

void denali_console_append(struct denali_vm *vm, const char *data, u64 len)
{
	struct denali_console *con = &vm->console;
	u64 i, before, after;

	spin_lock(&vm->lock);
	before = max(oldest_kept(con), con->max_read);
	for (i = 0; i < len; i++)
		con->buf[(con->head + i) % DENALI_CONSOLE_BYTES] = data[i];
	con->head += len;
	after = oldest_kept(con);
	if (after > before)
		con->dropped += after - before;
	con->written += len;
	spin_unlock(&vm->lock);
	wake_up_interruptible(&vm->console_wq);
}

/* The position a newly opened file starts reading at. */
u64 denali_console_start(struct denali_vm *vm)
{
	u64 pos;

	spin_lock(&vm->lock);
	pos = oldest_kept(&vm->console);
	spin_unlock(&vm->lock);
	return pos;
}

/* Something to read at @pos, or end of file (stopped and caught up)? */
static bool readable(struct denali_vm *vm, u64 pos)
{
	bool ready;

	spin_lock(&vm->lock);
	ready = pos < vm->console.head || vm->stop_reason;
	spin_unlock(&vm->lock);
	return ready;
}

ssize_t denali_console_read(struct denali_vm *vm, struct file *file,
			    char __user *ubuf, size_t count, loff_t *ppos)
{
	struct denali_console *con = &vm->console;
	char bounce[256];
	size_t done = 0;

	if (!count)
		return 0;
	while (!readable(vm, *ppos)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(vm->console_wq,
					     readable(vm, *ppos)))
			return -ERESTARTSYS;
	}
	while (done < count) {
		size_t n = 0, want = min(count - done, sizeof(bounce));
		u64 pos;

		spin_lock(&vm->lock);
		/* Overwritten while this file was away: skip to what is kept. */
		pos = max_t(u64, *ppos, oldest_kept(con));
		while (n < want && pos < con->head)
			bounce[n++] = con->buf[pos++ % DENALI_CONSOLE_BYTES];
		con->max_read = max(con->max_read, pos);
		spin_unlock(&vm->lock);
		if (!n)
			break;
		if (copy_to_user(ubuf + done, bounce, n))
			return done ? done : -EFAULT;
		*ppos = pos;
		done += n;
	}
	return done;
}

__poll_t denali_console_poll(struct denali_vm *vm, struct file *file,
			     poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &vm->console_wq, wait);
	if (readable(vm, file->f_pos))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(vm->destroyed))
		mask |= EPOLLHUP;
	return mask;
}
