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
 *
 * Input goes the other way: write(2) on a VM file queues bytes for the
 * guest's console_read hypercall and raises DENALI_IRQ_CONSOLE.
 *
 * Both buffers are allocated on first use, not at creation: an idle VM
 * that never printed nor was written to costs the host neither (68 KiB,
 * half of a small VM's host memory).  A buffer is installed under
 * vm->lock before the position that makes it readable moves, so a
 * reader that sees bytes to read sees the buffer.
 */
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/memcontrol.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "console.h"
#include "guest_pages.h"
#include "vm.h"

static u64 oldest_kept(const struct denali_console *con)
{
	return con->head > DENALI_CONSOLE_BYTES ?
	       con->head - DENALI_CONSOLE_BYTES : 0;
}

/* A console buffer of @bytes, charged to the VM's creator. */
static void *console_buffer(struct denali_vm *vm, size_t bytes)
{
	struct mem_cgroup *old = NULL;
	void *buf;

	if (vm->mem.pages)
		old = set_active_memcg(vm->mem.pages->memcg);
	buf = kvmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NORETRY |
		       __GFP_NOWARN);
	if (vm->mem.pages)
		set_active_memcg(old);
	return buf;
}

void denali_console_append(struct denali_vm *vm, const char *data, u64 len)
{
	struct denali_console *con = &vm->console;
	u64 i, before, after;
	char *buf = NULL;

	if (!READ_ONCE(con->buf))
		buf = console_buffer(vm, DENALI_CONSOLE_BYTES);
	spin_lock(&vm->lock);
	if (!con->buf && buf) {
		con->buf = buf;
		buf = NULL;
	}
	if (!con->buf) {
		/* No memory for the buffer: the bytes are lost, and said so. */
		con->written += len;
		con->dropped += len;
		spin_unlock(&vm->lock);
		return;
	}
	before = max(oldest_kept(con), con->max_read);
	for (i = 0; i < len; i++)
		con->buf[(con->head + i) % DENALI_CONSOLE_BYTES] = data[i];
	con->head += len;
	after = oldest_kept(con);
	if (after > before)
		con->dropped += after - before;
	con->written += len;
	spin_unlock(&vm->lock);
	kvfree(buf);
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

ssize_t denali_console_output_read(struct denali_vm *vm, struct file *file,
				   char __user *ubuf, size_t count,
				   loff_t *ppos)
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

static u64 input_room(struct denali_vm *vm);

__poll_t denali_console_poll(struct denali_vm *vm, struct file *file,
			     poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &vm->console_wq, wait);
	poll_wait(file, &vm->input_wq, wait);
	if (readable(vm, file->f_pos))
		mask |= EPOLLIN | EPOLLRDNORM;
	/*
	 * Writable also once stopped: a writer must not wait for room that
	 * will never come, and its write fails at once with EPIPE.  Not
	 * EPOLLERR, which poll() reports to everyone, events or not (the
	 * runner waits for EPOLLHUP alone).
	 */
	if (input_room(vm) || READ_ONCE(vm->stop_reason))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(vm->destroyed))
		mask |= EPOLLHUP;
	return mask;
}

/*
 * Console input: a ring of DENALI_CONSOLE_INPUT_BYTES, the stream
 * positions [tail, head) unread.  Unlike output, input waits for the
 * guest: a writer blocks (or gets EAGAIN) while the ring is full, so no
 * keystroke is ever dropped.
 */
#define INPUT_MASK (DENALI_CONSOLE_INPUT_BYTES - 1)

/* Room for input, and the VM still able to read it. */
static u64 input_room(struct denali_vm *vm)
{
	u64 room;

	spin_lock(&vm->lock);
	room = vm->stop_reason ? 0 : DENALI_CONSOLE_INPUT_BYTES -
				     (vm->input.head - vm->input.tail);
	spin_unlock(&vm->lock);
	return room;
}

static bool input_writable(struct denali_vm *vm)
{
	return READ_ONCE(vm->stop_reason) || input_room(vm);
}

ssize_t denali_console_input_write(struct denali_vm *vm, struct file *file,
				   const char __user *ubuf, size_t count)
{
	struct denali_console_input *in = &vm->input;
	char *bounce, *buf = NULL;
	u64 room, n, i;
	ssize_t ret;

	if (!count)
		return 0;
	if (!READ_ONCE(in->buf)) {
		buf = console_buffer(vm, DENALI_CONSOLE_INPUT_BYTES);
		if (!buf)
			return -ENOMEM;
		spin_lock(&vm->lock);
		if (!in->buf) {
			in->buf = buf;
			buf = NULL;
		}
		spin_unlock(&vm->lock);
		kvfree(buf);
	}
	count = min_t(size_t, count, DENALI_CONSOLE_INPUT_BYTES);
	bounce = kmalloc(count, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	if (copy_from_user(bounce, ubuf, count)) {
		ret = -EFAULT;
		goto out;
	}
	for (;;) {
		spin_lock(&vm->lock);
		if (vm->stop_reason) {
			spin_unlock(&vm->lock);
			ret = -EPIPE;
			goto out;
		}
		room = DENALI_CONSOLE_INPUT_BYTES - (in->head - in->tail);
		if (room)
			break;
		spin_unlock(&vm->lock);
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		if (wait_event_interruptible(vm->input_wq,
					     input_writable(vm))) {
			ret = -ERESTARTSYS;
			goto out;
		}
	}
	n = min_t(u64, count, room);
	for (i = 0; i < n; i++)
		in->buf[(in->head + i) & INPUT_MASK] = bounce[i];
	in->head += n;
	spin_unlock(&vm->lock);
	denali_irq_raise(vm, DENALI_IRQ_CONSOLE);
	ret = n;
out:
	kfree(bounce);
	return ret;
}

/* The console_read hypercall: unread input to guest memory. */
long denali_console_input_read(struct denali_vm *vm, u64 gva, u64 len)
{
	struct denali_console_input *in = &vm->input;
	char *dst;
	u64 n, i;

	dst = denali_guest_ptr(&vm->mem, gva, len,
			       DENALI_PAGE_PRESENT | DENALI_PAGE_WRITE);
	if (!dst)
		return -EFAULT;
	spin_lock(&vm->lock);
	n = min_t(u64, len, in->head - in->tail);
	for (i = 0; i < n; i++)
		dst[i] = in->buf[(in->tail + i) & INPUT_MASK];
	in->tail += n;
	spin_unlock(&vm->lock);
	if (n)
		wake_up_interruptible(&vm->input_wq);
	return n;
}
