// SPDX-License-Identifier: GPL-2.0
/*
 * BSD sockets as Linux system calls: what libilwaco-posix's table sends
 * here (socket, bind, accept4...) and what it forwards for socket
 * descriptors (read, write, close, ioctl, fcntl, poll: ilwaco_sock_ops),
 * served by lwIP's socket layer (lwip_*), which uses musl's structures
 * and constants (LWIP_SOCKET_EXTERNAL_HEADERS), so arguments pass
 * straight through.  What this file adds is what Linux programs expect
 * and lwIP does not do:
 *   - SOCK_NONBLOCK and SOCK_CLOEXEC in socket()'s type, accept4()'s
 *     flags: stripped and applied; O_NONBLOCK through fcntl and FIONBIO
 *     through ioctl, remembered for F_GETFL;
 *   - MSG_NOSIGNAL (there are no signals) and MSG_CMSG_CLOEXEC:
 *     stripped; MSG_WAITALL on a blocking socket: read until full;
 *   - address lengths: Linux takes anything from sizeof(struct
 *     sockaddr_in) up (sockaddr_storage, say), lwIP that size only;
 *   - only AF_INET (EAFNOSUPPORT for the rest: lwIP would make an IPv4
 *     socket whatever the domain);
 *   - errors returned as -errno, with the pointers checked first
 *     (EFAULT, where a stray pointer would otherwise stop the VM).
 * Options lwIP does not have (SO_SNDBUF, TCP_CORK...) answer
 * ENOPROTOOPT, from lwIP itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <ilwaco/posix.h>

#include "lwip/opt.h"
#include "lwip/sockets.h"

#include "port.h"

/* libilwaco-posix's check of a guest pointer (posix/syscall.c). */
int user_range_ok(const void *p, unsigned long len);

#define MAX	MEMP_NUM_NETCONN
#define UNUSED	ILWACO_ATTRIBUTE((__unused__))
#define SYSCALL(name) \
	long sys_##name(long a1 UNUSED, long a2 UNUSED, long a3 UNUSED, \
			long a4 UNUSED, long a5 UNUSED, long a6 UNUSED)

static unsigned char nonblock[MAX], cloexec[MAX];

static int slot(long fd)
{
	return fd >= LWIP_SOCKET_OFFSET && fd < LWIP_SOCKET_OFFSET + MAX ?
	       (int)(fd - LWIP_SOCKET_OFFSET) : -1;
}

/* lwIP's result as the system call's: -errno on failure. */
static long ret(long r)
{
	return r < 0 ? -(errno ? errno : EIO) : r;
}

static long set_nonblock(int fd, int on)
{
	int v = !!on;
	long r = ret(lwip_ioctl(fd, FIONBIO, &v));

	if (!r)
		nonblock[slot(fd)] = v;
	return r;
}

/* A new descriptor with @flags (SOCK_NONBLOCK, SOCK_CLOEXEC) applied. */
static long new_fd(int fd, int flags)
{
	if (fd < 0 || slot(fd) < 0)
		return fd < 0 ? ret(fd) : -EMFILE;
	nonblock[slot(fd)] = 0;
	cloexec[slot(fd)] = !!(flags & SOCK_CLOEXEC);
	if (flags & SOCK_NONBLOCK)
		set_nonblock(fd, 1);
	return fd;
}

/* An address argument: readable, and at least a sockaddr_in if given. */
static long addr_in(const void *addr, long len, socklen_t *out)
{
	if (len < 0)
		return -EINVAL;
	if (!user_range_ok(addr, len))
		return -EFAULT;
	if (len >= (long)sizeof(struct sockaddr) &&
	    ((const struct sockaddr *)addr)->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	if (len < (long)sizeof(struct sockaddr_in))
		return -EINVAL;
	*out = sizeof(struct sockaddr_in);
	return 0;
}

/* An address to be written: @lenp readable and writable, and its room. */
static long addr_out(void *addr, socklen_t *lenp)
{
	if (!addr)
		return 0;
	if (!user_range_ok(lenp, sizeof(*lenp)))
		return -EFAULT;
	if ((int)*lenp < 0)
		return -EINVAL;
	return user_range_ok(addr, *lenp) ? 0 : -EFAULT;
}

SYSCALL(socket)
{
	int flags = a2 & (SOCK_NONBLOCK | SOCK_CLOEXEC), type = a2 & 0xf;

	if (a1 != AF_INET)
		return -EAFNOSUPPORT;
	if (a2 & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	return new_fd(lwip_socket(a1, type, a3), flags);
}

SYSCALL(bind)
{
	socklen_t len;
	long err = addr_in((const void *)a2, a3, &len);

	return err ? err : ret(lwip_bind(a1, (const void *)a2, len));
}

SYSCALL(connect)
{
	socklen_t len;
	long err = addr_in((const void *)a2, a3, &len);

	return err ? err : ret(lwip_connect(a1, (const void *)a2, len));
}

SYSCALL(listen)
{
	return ret(lwip_listen(a1, a2 < 0 ? 0 : a2 > 255 ? 255 : a2));
}

SYSCALL(accept4)
{
	long err = addr_out((void *)a2, (socklen_t *)a3);

	if (err)
		return err;
	if (a4 & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	return new_fd(lwip_accept(a1, (void *)a2, (socklen_t *)a3), a4);
}

SYSCALL(accept)
{
	return sys_accept4(a1, a2, a3, 0, a5, a6);
}

SYSCALL(shutdown)
{
	return ret(lwip_shutdown(a1, a2));
}

SYSCALL(getsockname)
{
	long err = addr_out((void *)a2, (socklen_t *)a3);

	if (!a2)
		return -EFAULT;
	return err ? err : ret(lwip_getsockname(a1, (void *)a2,
						(socklen_t *)a3));
}

SYSCALL(getpeername)
{
	long err = addr_out((void *)a2, (socklen_t *)a3);

	if (!a2)
		return -EFAULT;
	return err ? err : ret(lwip_getpeername(a1, (void *)a2,
						(socklen_t *)a3));
}

SYSCALL(setsockopt)
{
	if (a5 < 0)
		return -EINVAL;
	if (!user_range_ok((const void *)a4, a5))
		return -EFAULT;
	return ret(lwip_setsockopt(a1, a2, a3, (const void *)a4, a5));
}

SYSCALL(getsockopt)
{
	socklen_t *lenp = (socklen_t *)a5;

	if (!user_range_ok(lenp, sizeof(*lenp)) ||
	    !user_range_ok((void *)a4, *lenp))
		return -EFAULT;
	return ret(lwip_getsockopt(a1, a2, a3, (void *)a4, lenp));
}

/* Flags lwIP does not know that mean nothing here. */
#define IGNORED_FLAGS	(MSG_NOSIGNAL | MSG_CMSG_CLOEXEC)

SYSCALL(sendto)
{
	const void *buf = (const void *)a2, *to = (const void *)a5;
	int flags = a4 & ~IGNORED_FLAGS;
	socklen_t len = 0;
	long err;

	if (!user_range_ok(buf, a3))
		return -EFAULT;
	if (!to)
		return ret(lwip_send(a1, buf, a3, flags));
	err = addr_in(to, a6, &len);
	return err ? err : ret(lwip_sendto(a1, buf, a3, flags, to, len));
}

/*
 * MSG_WAITALL on a blocking socket: until @len bytes, the end of the
 * stream, an error or (for what was had already) a timeout.
 */
static long recv_all(int fd, char *buf, size_t len, int flags)
{
	size_t done = 0;
	long n;

	while (done < len) {
		n = lwip_recv(fd, buf + done, len - done, flags);
		if (n <= 0)
			return done ? (long)done : ret(n);
		done += n;
	}
	return done;
}

SYSCALL(recvfrom)
{
	void *buf = (void *)a2, *from = (void *)a5;
	socklen_t *lenp = (socklen_t *)a6;
	int flags = a4 & ~(IGNORED_FLAGS | MSG_WAITALL);
	long err = addr_out(from, lenp);

	if (err)
		return err;
	if (!user_range_ok(buf, a3))
		return -EFAULT;
	if ((a4 & MSG_WAITALL) && !from && !(flags & MSG_DONTWAIT) &&
	    !nonblock[slot(a1) < 0 ? 0 : slot(a1)])
		return recv_all(a1, buf, a3, flags);
	if (!from)
		return ret(lwip_recv(a1, buf, a3, flags));
	return ret(lwip_recvfrom(a1, buf, a3, flags, from, lenp));
}

/* A msghdr and its iovecs, all readable (its buffers are checked too). */
static long msg_ok(const struct msghdr *m)
{
	int i;

	if (!user_range_ok(m, sizeof(*m)))
		return -EFAULT;
	if (m->msg_iovlen < 0 || m->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (!user_range_ok(m->msg_iov, m->msg_iovlen * sizeof(struct iovec)))
		return -EFAULT;
	for (i = 0; i < m->msg_iovlen; i++)
		if (!user_range_ok(m->msg_iov[i].iov_base,
				   m->msg_iov[i].iov_len))
			return -EFAULT;
	if (m->msg_name && !user_range_ok(m->msg_name, m->msg_namelen))
		return -EFAULT;
	if (m->msg_control && !user_range_ok(m->msg_control,
					     m->msg_controllen))
		return -EFAULT;
	return 0;
}

SYSCALL(sendmsg)
{
	struct msghdr m;
	long err = msg_ok((const void *)a2);

	if (err)
		return err;
	m = *(const struct msghdr *)a2;
	if (m.msg_name && m.msg_namelen > sizeof(struct sockaddr_in)) {
		err = addr_in(m.msg_name, m.msg_namelen, &m.msg_namelen);
		if (err)
			return err;
	}
	return ret(lwip_sendmsg(a1, &m, a3 & ~IGNORED_FLAGS));
}

SYSCALL(recvmsg)
{
	long err = msg_ok((const void *)a2);

	if (err)
		return err;
	return ret(lwip_recvmsg(a1, (void *)a2,
				a3 & ~(IGNORED_FLAGS | MSG_WAITALL)));
}

/* ---- descriptor operations (libilwaco-posix's fd.c and poll.c) ----------- */

static long sock_read(int fd, void *buf, unsigned long len)
{
	return ret(lwip_recv(fd, buf, len, 0));
}

static long sock_write(int fd, const void *buf, unsigned long len)
{
	return ret(lwip_send(fd, buf, len, 0));
}

static long sock_readv(int fd, const void *iov, int n)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	long err = msg_ok(&m);

	return err ? err : ret(lwip_recvmsg(fd, &m, 0));
}

static long sock_writev(int fd, const void *iov, int n)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	long err = msg_ok(&m);

	return err ? err : ret(lwip_sendmsg(fd, &m, 0));
}

static long sock_close(int fd)
{
	long r = ret(lwip_close(fd));

	if (!r) {
		nonblock[slot(fd)] = 0;
		cloexec[slot(fd)] = 0;
	}
	return r;
}

static int sock_poll(int fd, int events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (slot(fd) < 0)
		return POLLNVAL;
	/* A timeout of 0 only looks: the waiting is libilwaco's (poll.c). */
	if (lwip_poll(&p, 1, 0) < 0)
		return POLLNVAL;
	return p.revents;
}

static long sock_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (sock_poll(fd, 0) & POLLNVAL)
		return -EBADF;
	switch (cmd) {
	case FIONBIO:
		if (!user_range_ok(arg, sizeof(int)))
			return -EFAULT;
		return set_nonblock(fd, *(int *)arg);
	case FIONREAD:
		if (!user_range_ok(arg, sizeof(int)))
			return -EFAULT;
		return ret(lwip_ioctl(fd, FIONREAD, arg));
	}
	return -ENOTTY;
}

static long sock_fcntl(int fd, int cmd, long arg)
{
	if (sock_poll(fd, 0) & POLLNVAL)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (nonblock[slot(fd)] ? O_NONBLOCK : 0);
	case F_SETFL:
		return set_nonblock(fd, arg & O_NONBLOCK);
	case F_GETFD:
		return cloexec[slot(fd)] ? FD_CLOEXEC : 0;
	case F_SETFD:
		cloexec[slot(fd)] = !!(arg & FD_CLOEXEC);
		return 0;
	}
	return -EINVAL;
}

const struct ilwaco_sock_ops ilwaco_sock_ops = {
	.read = sock_read,
	.write = sock_write,
	.readv = sock_readv,
	.writev = sock_writev,
	.close = sock_close,
	.ioctl = sock_ioctl,
	.fcntl = sock_fcntl,
	.poll = sock_poll,
};
