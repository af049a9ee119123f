// SPDX-License-Identifier: GPL-2.0
/*
 * netecho: a TCP and UDP echo server (RFC 862), and its client, written
 * with plain sockets and poll: the same source builds for Linux.
 *
 *   netecho [--epoll] [PORT]              serve TCP and UDP echo on PORT (7)
 *   netecho --client ADDR PORT BYTES [--stay]
 *                                         send BYTES over TCP to ADDR:PORT,
 *                                         check the echo, exit 0 if exact
 *                                         (--stay: idle on instead of
 *                                         exiting, for tests of an idle VM)
 *
 * Arguments with '=' are skipped: they are the network's boot arguments
 * (ip=, gw=), which a Denali guest also gets in argv.
 *
 * The server is one thread: non-blocking sockets in one poll() set
 * (epoll with --epoll); each connection holds what it could not send
 * back yet and reads no more until that is gone.  When a connection cannot be accepted (out of
 * memory or descriptors) it is refused and the server carries on.
 * Prints "netecho: listening on port N" once ready; runs for ever.
 * The client prints "netecho: client: N bytes echoed exactly" or what
 * went wrong.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS	1000
#define BUF		8192

struct conn {
	int fd;			/* with --epoll */
	char buf[BUF];
	size_t len, off;	/* bytes held, of which sent */
};

static struct pollfd fds[MAX_CONNS + 2];
static struct conn *conns[MAX_CONNS + 2];
static unsigned int nfds;

static int nonblocking(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void drop(unsigned int i)
{
	close(fds[i].fd);
	free(conns[i]);
	nfds--;
	fds[i] = fds[nfds];
	conns[i] = conns[nfds];
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK), one = 1;
		struct conn *c;

		if (fd < 0)
			return;		/* EAGAIN, or out of something */
		c = malloc(sizeof(*c));
		if (!c || nfds == MAX_CONNS + 2) {
			free(c);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->len = c->off = 0;
		fds[nfds].fd = fd;
		fds[nfds].events = POLLIN;
		conns[nfds++] = c;
	}
}

/* Serve connection @c on @fd; 0 when it is done with. */
static int serve_fd(int fd, struct conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->off < c->len) {
			n = send(fd, c->buf + c->off, c->len - c->off,
				 MSG_NOSIGNAL);
			if (n < 0)
				return errno == EAGAIN || errno == EWOULDBLOCK;
			c->off += n;
			if (c->off < c->len)
				continue;
		}
		c->off = c->len = 0;
		n = recv(fd, c->buf, sizeof(c->buf), 0);
		if (n == 0)
			return 0;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		c->len = n;
	}
}

static void udp_echo(int fd)
{
	char buf[2048];
	struct sockaddr_in from;
	socklen_t len;
	ssize_t n;

	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (void *)&from, &len);
		if (n < 0)
			return;
		sendto(fd, buf, n, 0, (void *)&from, len);
	}
}

/* The same loop over epoll: each connection's conn is its event's data. */
static int serve_epoll(int lfd, int ufd)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[64];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, i, fd;
	struct conn *c;

	ev.data.ptr = NULL;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev)) {
		perror("netecho: epoll");
		return 1;
	}
	ev.data.ptr = &ufd;
	epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0) {
			perror("netecho: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (!c) {
				while ((fd = accept4(lfd, NULL, NULL,
						     SOCK_NONBLOCK)) >= 0) {
					c = malloc(sizeof(*c));
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd,
							    &ev)) {
						free(c);
						close(fd);
						continue;
					}
					c->len = c->off = 0;
					c->fd = fd;
				}
				continue;
			}
			if (c == (void *)&ufd) {
				udp_echo(ufd);
				continue;
			}
			if (!serve_fd(c->fd, c)) {
				/* close() takes it out of the epoll set. */
				close(c->fd);
				free(c);
				continue;
			}
			ev.events = c->off < c->len ? EPOLLOUT : EPOLLIN;
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
}

static int server(int port, int use_epoll)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int lfd, ufd, one = 1;
	unsigned int i;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ufd = socket(AF_INET, SOCK_DGRAM, 0);
	if (lfd < 0 || ufd < 0) {
		perror("netecho: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&a, sizeof(a)) || listen(lfd, 128) ||
	    bind(ufd, (void *)&a, sizeof(a)) || nonblocking(ufd)) {
		perror("netecho: bind");
		return 1;
	}
	fds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = ufd, .events = POLLIN };
	nfds = 2;
	printf("netecho: listening on port %d%s\n", port,
	       use_epoll ? " (epoll)" : "");
	fflush(stdout);
	if (use_epoll)
		return serve_epoll(lfd, ufd);
	for (;;) {
		if (poll(fds, nfds, -1) < 0) {
			perror("netecho: poll");
			return 1;
		}
		if (fds[0].revents)
			accept_all(lfd);
		if (fds[1].revents)
			udp_echo(ufd);
		for (i = 2; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (!serve_fd(fds[i].fd, conns[i])) {
				drop(i--);
				continue;
			}
			fds[i].events = conns[i]->off < conns[i]->len ?
					POLLOUT : POLLIN;
		}
	}
}

static int run_client(const char *addr, int port, size_t bytes)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	size_t sent = 0, got = 0, i;
	char out[4096], in[4096];
	int fd;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "netecho: client: bad address %s\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&a, sizeof(a))) {
		perror("netecho: client: connect");
		return 1;
	}
	/* Send and receive in step, so neither side's window fills. */
	while (got < bytes) {
		if (sent < bytes) {
			size_t n = bytes - sent < sizeof(out) ? bytes - sent :
				   sizeof(out);
			ssize_t w;

			for (i = 0; i < n; i++)
				out[i] = (char)((sent + i) * 7 + 3);
			w = send(fd, out, n, 0);
			if (w <= 0) {
				perror("netecho: client: send");
				return 1;
			}
			sent += w;
		}
		while (got < sent) {
			ssize_t r = recv(fd, in, sizeof(in), 0);

			if (r <= 0) {
				fprintf(stderr, "netecho: client: %s after %zu bytes\n",
					r ? strerror(errno) : "end of stream", got);
				return 1;
			}
			for (i = 0; i < (size_t)r; i++) {
				if (in[i] != (char)((got + i) * 7 + 3)) {
					fprintf(stderr, "netecho: client: byte %zu differs\n",
						got + i);
					return 1;
				}
			}
			got += r;
		}
	}
	close(fd);
	printf("netecho: client: %zu bytes echoed exactly\n", got);
	return 0;
}

int main(int argc, char **argv)
{
	char *args[8];
	int n = 0, i, use_epoll = 0;

	for (i = 1; i < argc && n < 8; i++) {
		if (!strcmp(argv[i], "--epoll"))
			use_epoll = 1;
		else if (!strchr(argv[i], '='))
			args[n++] = argv[i];
	}
	if ((n == 4 || (n == 5 && !strcmp(args[4], "--stay"))) &&
	    !strcmp(args[0], "--client")) {
		int ret = run_client(args[1], atoi(args[2]),
				 strtoul(args[3], NULL, 0));

		fflush(stdout);
		while (n == 5)
			sleep(3600);
		return ret;
	}
	if (n > 1 || (n == 1 && atoi(args[0]) <= 0)) {
		fprintf(stderr, "usage: netecho [--epoll] [PORT] | netecho --client ADDR PORT BYTES [--stay]\n");
		return 2;
	}
	return server(n ? atoi(args[0]) : 7, use_epoll);
}
