// SPDX-License-Identifier: GPL-2.0
/*
 * The system-call entry of libilwaco's POSIX layer: one table from Linux
 * x86-64 system-call number to handler.
 *
 * musl, patched at build time (tools/patch-musl), calls
 * __ilwaco_syscall(nr, a1, ..., a6) wherever it would have executed
 * `syscall`; there is no trap and no mode switch, only a C call, so a
 * system call costs what its handler costs.  A number with no handler
 * returns -ENOSYS, as Linux does for a call it does not have, and is
 * counted, so that a test (or a curious user) can list what a program
 * asked for and did not get: ilwaco_syscall_report().
 */
#include "posix.h"

typedef long (*syscall_fn)(long, long, long, long, long, long);

static const syscall_fn syscall_table[NR_TABLE] = {
	[NR_read] = sys_read,
	[NR_write] = sys_write,
	[NR_close] = sys_close,
	[NR_open] = sys_open,
	[NR_openat] = sys_openat,
	[NR_stat] = sys_stat,
	[NR_lstat] = sys_stat,
	[NR_newfstatat] = sys_newfstatat,
	[NR_pread64] = sys_pread64,
	[NR_access] = sys_access,
	[NR_faccessat] = sys_faccessat,
	[NR_getcwd] = sys_getcwd,
	[NR_getdents64] = sys_getdents64,
	/* What would change the read-only tree. */
	[NR_truncate] = sys_erofs,
	[NR_ftruncate] = sys_erofs,
	[NR_rename] = sys_erofs,
	[NR_mkdir] = sys_erofs,
	[NR_rmdir] = sys_erofs,
	[NR_creat] = sys_erofs,
	[NR_link] = sys_erofs,
	[NR_unlink] = sys_erofs,
	[NR_symlink] = sys_erofs,
	[NR_chmod] = sys_erofs,
	[NR_mkdirat] = sys_erofs,
	[NR_unlinkat] = sys_erofs,
	[NR_renameat] = sys_erofs,
	[NR_renameat2] = sys_erofs,
	[NR_poll] = sys_poll,
	[NR_select] = sys_select,
	[NR_pselect6] = sys_pselect6,
	[NR_ppoll] = sys_ppoll,
	[NR_fstat] = sys_fstat,
	[NR_lseek] = sys_lseek,
	[NR_mmap] = sys_mmap,
	[NR_mprotect] = sys_mprotect,
	[NR_munmap] = sys_munmap,
	[NR_brk] = sys_brk,
	[NR_rt_sigaction] = sys_rt_sigaction,
	[NR_rt_sigprocmask] = sys_rt_sigprocmask,
	[NR_ioctl] = sys_ioctl,
	[NR_readv] = sys_readv,
	[NR_writev] = sys_writev,
	[NR_sched_yield] = sys_sched_yield,
	[NR_mremap] = sys_mremap,
	[NR_madvise] = sys_madvise,
	[NR_nanosleep] = sys_nanosleep,
	[NR_getpid] = sys_getpid,
	[NR_exit] = sys_exit,
	[NR_kill] = sys_kill,
	[NR_uname] = sys_uname,
	[NR_fcntl] = sys_fcntl,
	[NR_gettimeofday] = sys_gettimeofday,
	[NR_getuid] = sys_getuid,
	[NR_getgid] = sys_getuid,
	[NR_geteuid] = sys_getuid,
	[NR_getegid] = sys_getuid,
	[NR_getppid] = sys_getppid,
	[NR_arch_prctl] = sys_arch_prctl,
	[NR_gettid] = sys_gettid,
	[NR_tkill] = sys_tkill,
	[NR_futex] = sys_futex,
	[NR_time] = sys_time,
	[NR_set_tid_address] = sys_set_tid_address,
	[NR_clock_gettime] = sys_clock_gettime,
	[NR_clock_getres] = sys_clock_getres,
	[NR_clock_nanosleep] = sys_clock_nanosleep,
	[NR_exit_group] = sys_exit_group,
	[NR_tgkill] = sys_tgkill,
	[NR_set_robust_list] = sys_set_robust_list,
	[NR_getrandom] = sys_getrandom,
	[NR_epoll_create] = sys_epoll_create,
	[NR_epoll_create1] = sys_epoll_create1,
	[NR_epoll_ctl] = sys_epoll_ctl,
	[NR_epoll_wait] = sys_epoll_wait,
	[NR_epoll_pwait] = sys_epoll_pwait,
	/* NULL, so ENOSYS, unless the network stack is linked. */
	[NR_socket] = sys_socket,
	[NR_connect] = sys_connect,
	[NR_accept] = sys_accept,
	[NR_accept4] = sys_accept4,
	[NR_sendto] = sys_sendto,
	[NR_recvfrom] = sys_recvfrom,
	[NR_sendmsg] = sys_sendmsg,
	[NR_recvmsg] = sys_recvmsg,
	[NR_shutdown] = sys_shutdown,
	[NR_bind] = sys_bind,
	[NR_listen] = sys_listen,
	[NR_getsockname] = sys_getsockname,
	[NR_getpeername] = sys_getpeername,
	[NR_setsockopt] = sys_setsockopt,
	[NR_getsockopt] = sys_getsockopt,
};

/* How often each unserved number was asked for; the last counts the rest. */
static unsigned long unsupported[NR_TABLE + 1];

long __ilwaco_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
		      long a6)
{
	if (nr >= 0 && nr < NR_TABLE && syscall_table[nr])
		return syscall_table[nr](a1, a2, a3, a4, a5, a6);
	unsupported[nr >= 0 && nr < NR_TABLE ? nr : NR_TABLE]++;
	return -L_ENOSYS;
}

unsigned long ilwaco_syscall_unsupported(long nr)
{
	if (nr < 0 || nr >= NR_TABLE)
		return unsupported[NR_TABLE];
	return unsupported[nr];
}

/* Decimal, without stdio: the report must work in any state. */
static char *put_ulong(char *p, unsigned long v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

void ilwaco_syscall_report(void)
{
	static const char head[] = "libilwaco: unsupported system calls:";
	char line[64];
	long nr, any = 0;

	console_write_all(head, sizeof(head) - 1);
	for (nr = 0; nr <= NR_TABLE; nr++) {
		char *p = line;

		if (!unsupported[nr])
			continue;
		any = 1;
		*p++ = ' ';
		if (nr == NR_TABLE)
			*p++ = '?';
		else
			p = put_ulong(p, nr);
		*p++ = 'x';
		p = put_ulong(p, unsupported[nr]);
		console_write_all(line, p - line);
	}
	if (!any)
		console_write_all(" none", 5);
	console_write_all("\n", 1);
}

int user_range_ok(const void *p, unsigned long len)
{
	unsigned long a = (unsigned long)p;

	return a >= DENALI_GUEST_IMAGE_BASE && a <= ilwaco_mem_size &&
	       len <= ilwaco_mem_size - a;
}

long console_write_all(const void *buf, unsigned long len)
{
	unsigned long done = 0;

	while (done < len) {
		long n = denali_console_write((const char *)buf + done,
					      len - done);

		if (n < 0)
			return n;
		if (n == 0)
			return -L_EIO;
		done += n;
	}
	return len;
}

_Noreturn void ilwaco_die(const char *what, int status)
{
	static const char head[] = "libilwaco: ";

	console_write_all(head, sizeof(head) - 1);
	console_write_all(what, strlen(what));
	console_write_all("\n", 1);
	denali_exit(status);
}

/*
 * musl's a_crash(), patched from `hlt` (a clean halt on Denali, which
 * would hide the crash): musl calls it when it finds its own state
 * corrupt (a double free, a broken heap).  Nothing of musl's may run
 * now, so the report goes straight to the console.
 */
_Noreturn void __ilwaco_libc_crash(void)
{
	ilwaco_die("musl found its state corrupt (a_crash): the VM ends",
		   ILWACO_EXIT_LIBC_CRASH);
}
