/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared runner's socket (`denalictl create --runner NAME`): how a
 * VM's file reaches a runner that hosts many VMs.  Used by pool.c on
 * both sides, and by selftests/runner_test.c, which hands VMs over the
 * way denalictl does.
 *
 * The runner listens on the abstract unix socket "denali-runner/UID/NAME"
 * (SOCK_SEQPACKET): abstract, so that it vanishes with the runner and
 * needs no directory; the uid in the name keeps users apart, and each
 * side checks the other's uid (SO_PEERCRED), since anyone may bind an
 * abstract name.  One message per connection: struct denali_pool_msg
 * with the VM's file in SCM_RIGHTS; one answer: struct denali_pool_reply,
 * err 0 once the runner has the VM in its epoll set.
 */
#ifndef DENALICTL_POOL_H
#define DENALICTL_POOL_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "uapi/denali.h"

#define DENALI_POOL_MAGIC	0x31504e44u	/* "DNP1" */
/* `--runner auto` fills a runner up to this many VMs, then starts another. */
#define DENALI_POOL_AUTO_VMS	1000

struct denali_pool_msg {
	__u32 magic;
	__u32 id;			/* the VM's id, for the runner's log */
	char name[DENALI_NAME_MAX];	/* and its name */
};

struct denali_pool_reply {
	__s32 err;	/* 0, or an errno: EMFILE when the runner is full */
	__u32 vms;	/* the VMs it hosts (with this one if accepted) */
};

/* The runner @runner of user @uid's socket address into @sa; its length. */
static inline socklen_t denali_pool_addr(const char *runner, uid_t uid,
					 struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "denali-runner/%u/%s", (unsigned int)uid, runner);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

/*
 * Send VM @vmfd (@id, @name) on the connected socket @s and wait for the
 * answer: 0 or -errno (the runner's, or the socket's; -EPIPE when the
 * runner went away without answering).  @reply, if not NULL, gets it.
 */
static inline int denali_pool_send(int s, int vmfd, __u32 id,
				   const char *name,
				   struct denali_pool_reply *reply)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct denali_pool_msg m;
	struct denali_pool_reply r;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.magic = DENALI_POOL_MAGIC;
	m.id = id;
	snprintf(m.name, sizeof(m.name), "%s", name);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &vmfd, sizeof(int));
	if (sendmsg(s, &msg, MSG_NOSIGNAL) != sizeof(m))
		return -errno;
	do {
		n = recv(s, &r, sizeof(r), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(r))
		return -EPIPE;
	if (reply)
		*reply = r;
	return r.err > 0 ? -r.err : 0;
}

#endif /* DENALICTL_POOL_H */
