/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of libilwaco's POSIX layer share: the parts of the
 * Linux x86-64 system-call ABI they serve (numbers, flags, structures,
 * error numbers), written down from the ABI itself so that this layer
 * needs no C library's headers, and the handlers' prototypes.
 *
 * The layer is the kernel under musl in a libilwaco guest: musl's every
 * system call is a call to __ilwaco_syscall() (tools/patch-musl), which
 * looks the number up in one table (syscall.c).  Handlers take the six
 * arguments as longs and return a value or a negative errno, exactly as
 * the Linux entry point does.
 */
#ifndef _ILWACO_POSIX_H
#define _ILWACO_POSIX_H

#include <stddef.h>
#include <stdint.h>

#define __maybe_unused ILWACO_ATTRIBUTE((__unused__))
#define fallthrough ILWACO_ATTRIBUTE((__fallthrough__))

#include "ilwaco/ilwaco.h"
#include "ilwaco/posix.h"

/* Error numbers (asm-generic/errno-base.h and errno.h values). */
#define L_EPERM		1
#define L_ENOENT	2
#define L_ESRCH		3
#define L_EINTR		4
#define L_EIO		5
#define L_EBADF		9
#define L_EAGAIN	11
#define L_ENOMEM	12
#define L_EFAULT	14
#define L_ENODEV	19
#define L_EINVAL	22
#define L_ENOTTY	25
#define L_ESPIPE	29
#define L_EROFS		30
#define L_ENOSYS	38

/* The numbers served; the table in syscall.c has room for all below. */
#define NR_read			0
#define NR_write		1
#define NR_open			2
#define NR_close		3
#define NR_stat			4
#define NR_poll			7
#define NR_fstat		5
#define NR_lstat		6
#define NR_lseek		8
#define NR_mmap			9
#define NR_mprotect		10
#define NR_munmap		11
#define NR_brk			12
#define NR_rt_sigaction		13
#define NR_rt_sigprocmask	14
#define NR_ioctl		16
#define NR_pread64		17
#define NR_readv		19
#define NR_writev		20
#define NR_access		21
#define NR_select		23
#define NR_sched_yield		24
#define NR_mremap		25
#define NR_madvise		28
#define NR_nanosleep		35
#define NR_getpid		39
#define NR_exit			60
#define NR_kill			62
#define NR_uname		63
#define NR_fcntl		72
#define NR_truncate		76
#define NR_ftruncate		77
#define NR_getcwd		79
#define NR_rename		82
#define NR_mkdir		83
#define NR_rmdir		84
#define NR_creat		85
#define NR_link			86
#define NR_unlink		87
#define NR_symlink		88
#define NR_chmod		90
#define NR_gettimeofday		96
#define NR_getuid		102
#define NR_getgid		104
#define NR_geteuid		107
#define NR_getegid		108
#define NR_getppid		110
#define NR_arch_prctl		158
#define NR_gettid		186
#define NR_getdents64		217
#define NR_tkill		200
#define NR_time			201
#define NR_futex		202
#define NR_set_tid_address	218
#define NR_clock_gettime	228
#define NR_clock_getres		229
#define NR_clock_nanosleep	230
#define NR_exit_group		231
#define NR_tgkill		234
#define NR_openat		257
#define NR_mkdirat		258
#define NR_newfstatat		262
#define NR_unlinkat		263
#define NR_renameat		264
#define NR_faccessat		269
#define NR_pselect6		270
#define NR_ppoll		271
#define NR_set_robust_list	273
#define NR_renameat2		316
#define NR_getrandom		318
#define NR_socket		41
#define NR_connect		42
#define NR_accept		43
#define NR_sendto		44
#define NR_recvfrom		45
#define NR_sendmsg		46
#define NR_recvmsg		47
#define NR_shutdown		48
#define NR_bind			49
#define NR_listen		50
#define NR_getsockname		51
#define NR_getpeername		52
#define NR_socketpair		53
#define NR_setsockopt		54
#define NR_getsockopt		55
#define NR_epoll_create		213
#define NR_epoll_wait		232
#define NR_epoll_ctl		233
#define NR_epoll_pwait		281
#define NR_accept4		288
#define NR_epoll_create1	291
#define NR_TABLE		512

/* struct iovec, struct timespec, struct timeval, struct winsize. */
struct l_iovec {
	void *base;
	size_t len;
};

struct l_timespec {
	long sec;
	long nsec;
};

struct l_timeval {
	long sec;
	long usec;
};

struct l_winsize {
	unsigned short row, col, xpixel, ypixel;
};

/* struct stat as the x86-64 kernel lays it out: 144 bytes. */
struct l_stat {
	unsigned long dev, ino, nlink;
	unsigned int mode, uid, gid, pad0;
	unsigned long rdev;
	long size, blksize, blocks;
	struct l_timespec atime, mtime, ctime;
	long reserved[3];
};

#define L_S_IFCHR	0020000
#define L_S_IFREG	0100000
#define L_S_IFDIR	0040000
#define L_S_IFSOCK	0140000

#define NS_PER_SEC	1000000000ul

/* Every handler has this shape; unused arguments are ignored. */
#define SYSCALL_DEFINE(name) \
	long sys_##name(long a1 __maybe_unused, long a2 __maybe_unused, \
			long a3 __maybe_unused, long a4 __maybe_unused, \
			long a5 __maybe_unused, long a6 __maybe_unused)
#define SYSCALL_DECLARE(name) SYSCALL_DEFINE(name)

/* console.c */
SYSCALL_DECLARE(read);
SYSCALL_DECLARE(write);
SYSCALL_DECLARE(readv);
SYSCALL_DECLARE(writev);
SYSCALL_DECLARE(ioctl);
SYSCALL_DECLARE(fstat);
SYSCALL_DECLARE(close);
SYSCALL_DECLARE(lseek);
SYSCALL_DECLARE(fcntl);
/*
 * One entry of tools/ilwaco-files' table: the image's tree, or, from
 * files_none.c when the image has none, an empty "/".
 */
struct file_entry {
	const char *path;
	const unsigned char *data;
	unsigned long size;
	unsigned int mode;
	unsigned int parent;
};

extern const struct file_entry ilwaco_file_table[];
extern const unsigned long ilwaco_file_count;

/* files.c */
SYSCALL_DECLARE(open);
SYSCALL_DECLARE(openat);
SYSCALL_DECLARE(pread64);
SYSCALL_DECLARE(stat);
SYSCALL_DECLARE(newfstatat);
SYSCALL_DECLARE(access);
SYSCALL_DECLARE(faccessat);
SYSCALL_DECLARE(getcwd);
SYSCALL_DECLARE(getdents64);
SYSCALL_DECLARE(erofs);
long ilwaco_file_read(long fd, void *buf, unsigned long len);
long ilwaco_file_write(long fd, const void *buf, unsigned long len);
long ilwaco_file_lseek(long fd, long off, long whence);
long ilwaco_file_fstat(long fd, struct l_stat *st);
long ilwaco_file_close(long fd);
long ilwaco_file_mmap(long len, long prot, long flags, long fd, long off);
/* poll.c: poll, select and epoll over every kind of descriptor */
long ilwaco_epoll_close(long fd);
void ilwaco_epoll_forget(long fd);
SYSCALL_DECLARE(epoll_create);
SYSCALL_DECLARE(epoll_create1);
SYSCALL_DECLARE(epoll_ctl);
SYSCALL_DECLARE(epoll_wait);
SYSCALL_DECLARE(epoll_pwait);
SYSCALL_DECLARE(poll);
SYSCALL_DECLARE(ppoll);
SYSCALL_DECLARE(select);
SYSCALL_DECLARE(pselect6);
/* time.c */
SYSCALL_DECLARE(clock_gettime);
SYSCALL_DECLARE(clock_getres);
SYSCALL_DECLARE(gettimeofday);
SYSCALL_DECLARE(time);
SYSCALL_DECLARE(nanosleep);
SYSCALL_DECLARE(clock_nanosleep);
/* memory.c */
SYSCALL_DECLARE(brk);
SYSCALL_DECLARE(mmap);
SYSCALL_DECLARE(munmap);
SYSCALL_DECLARE(mremap);
SYSCALL_DECLARE(madvise);
SYSCALL_DECLARE(mprotect);
/* process.c */
SYSCALL_DECLARE(exit_group);
SYSCALL_DECLARE(uname);
SYSCALL_DECLARE(getpid);
SYSCALL_DECLARE(getppid);
SYSCALL_DECLARE(getuid);
SYSCALL_DECLARE(set_robust_list);
SYSCALL_DECLARE(arch_prctl);
SYSCALL_DECLARE(getrandom);
/* libilwaco/lwip/sockets.c, when linked (weak: NULL otherwise). */
#define __weak ILWACO_ATTRIBUTE((__weak__))
SYSCALL_DECLARE(socket) __weak;
SYSCALL_DECLARE(connect) __weak;
SYSCALL_DECLARE(accept) __weak;
SYSCALL_DECLARE(accept4) __weak;
SYSCALL_DECLARE(sendto) __weak;
SYSCALL_DECLARE(recvfrom) __weak;
SYSCALL_DECLARE(sendmsg) __weak;
SYSCALL_DECLARE(recvmsg) __weak;
SYSCALL_DECLARE(shutdown) __weak;
SYSCALL_DECLARE(bind) __weak;
SYSCALL_DECLARE(listen) __weak;
SYSCALL_DECLARE(getsockname) __weak;
SYSCALL_DECLARE(getpeername) __weak;
SYSCALL_DECLARE(setsockopt) __weak;
SYSCALL_DECLARE(getsockopt) __weak;
/* thread.c */
SYSCALL_DECLARE(exit);
SYSCALL_DECLARE(gettid);
SYSCALL_DECLARE(set_tid_address);
SYSCALL_DECLARE(sched_yield);
SYSCALL_DECLARE(futex);
/* signal.c */
SYSCALL_DECLARE(rt_sigaction);
SYSCALL_DECLARE(rt_sigprocmask);
SYSCALL_DECLARE(kill);
SYSCALL_DECLARE(tkill);
SYSCALL_DECLARE(tgkill);

/*
 * user_range_ok() - is [@p, @p + @len) guest memory the program may use?
 *
 * The monitor would stop the VM on a stray access; a Linux program
 * expects EFAULT instead, so the handlers that write through a pointer
 * check it first: from DENALI_GUEST_IMAGE_BASE to the top of memory.
 */
int user_range_ok(const void *p, unsigned long len);

/* Is console input waiting? (fd.c; keeps what it had to take) */
int ilwaco_console_readable(void);

/* The console's bytes, written in full; returns @len or a negative errno. */
long console_write_all(const void *buf, unsigned long len);

/* Fill @buf with @len random bytes (process.c; see there for what). */
void ilwaco_random_bytes(void *buf, unsigned long len);

/* The VM's real time in ns since 1970 (time.c). */
unsigned long ilwaco_realtime_ns(void);

/* Set the thread pointer (FS base): wrfsbase or the hypercall. */
int ilwaco_set_fs_base(unsigned long base);

/* End the VM with a report: "libilwaco: @what", status @status. */
_Noreturn void ilwaco_die(const char *what, int status);

/*
 * Threads (thread.c): block the calling thread, not the VM, until the
 * VM clock reads @deadline, or until console input arrives; record the
 * thread pointer; end the calling thread.
 */
void ilwaco_thread_sleep_until(unsigned long deadline);
/* switch.S: the switch itself, and where a new thread begins. */
void ilwaco_switch(unsigned long *save_sp, unsigned long new_sp);
void ilwaco_thread_start(void);
long ilwaco_thread_wait_console(void);
long ilwaco_thread_wait_console_until(unsigned long deadline);
void ilwaco_thread_set_fs(unsigned long base);
_Noreturn void ilwaco_thread_exit(int status);

/* guest.lds: the first page after the image. */
extern char _end[];

/* musl's start (src/env/__libc_start_main.c): runs main() and exits. */
int __libc_start_main(int (*main)(int, char **, char **), int argc,
		      char **argv, void (*init)(void), void (*fini)(void),
		      void (*ldso)(void));

/* The page allocator's start-up, from the end of the image. */
void ilwaco_memory_init(void);

#endif /* _ILWACO_POSIX_H */
