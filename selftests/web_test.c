// SPDX-License-Identifier: GPL-2.0
/*
 * web_test: the web server (guests/web) as its clients see it.
 *
 * The same tests run against the Linux build of the server
 * (build/guests/web-native, on loopback: denali_host/web_test, in make
 * check-host) and, in the test machines, against the web VM
 * (build/guests/web.img, created with denalictl on a bridge of its own,
 * as an operator would) and CivetWeb's (tools/build-civetweb; the
 * tests of documents and keep-alive only).  The native run shows the
 * tests themselves are right and keeps the server honest on a host
 * without a test machine.
 *
 * The documents are compared with guests/web/htdocs, byte for byte
 * (DENALI_WEB_HTDOCS names another directory, for an image built with
 * WEB_HTDOCS=).  Both servers run with small limits (8 workers, a queue
 * of 256 connections, a 2-second idle timeout) so that exhaustion and
 * slow clients are reached quickly.  No assertion is on a time: only on
 * counts, statuses, bytes and orderings; the waits are upper bounds that
 * keep a broken server from hanging the suite.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#ifndef WEB_HOST_ONLY
#include "denali_util.h"
#endif

#define PORT		8080
#define WORKERS		8
#define QUEUE		256
#define IDLE_S		2
#define BRIDGE		"dweb0"
#define HOST_IP		"10.77.0.1"
#define VM_IP		"10.77.0.2"
#define VM_NAME		"web-test"
#define WAIT_MS		60000	/* the most any one answer may take */
#define RESP_MAX	(1 << 20)

/* ---- where things are ---------------------------------------------------- */

static char top[PATH_MAX];

/* The source tree: build/kselftest/denali(_host)/ is three levels down. */
static const char *tree(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (top[0])
		return top;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "";
	exe[n] = '\0';
	snprintf(top, sizeof(top), "%s/../../..", dirname(exe));
	return top;
}

static void docs_dir(char *buf, size_t len)
{
	const char *env = getenv("DENALI_WEB_HTDOCS");

	if (env)
		snprintf(buf, len, "%s", env);
	else
		snprintf(buf, len, "%s/guests/web/htdocs", tree());
}

/* ---- a small HTTP client ------------------------------------------------- */

struct resp {
	int status;
	long length;		/* Content-Length, or -1 */
	char type[128];
	char modified[64];
	bool close;		/* "Connection: close" */
	char *body;		/* malloc'd, length bytes */
	size_t got;
};

static void resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* A connected TCP socket to @sa within @ms, or -1 (refused or no answer). */
static int tcp_connect(const struct sockaddr_in *sa, int ms)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct timeval tv = { WAIT_MS / 1000, 0 };
	int err = 0, one = 1;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) &&
	    errno != EINPROGRESS)
		goto fail;
	if (poll(&p, 1, ms) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		goto fail;
	fcntl(fd, F_SETFL, 0);
	/* A server that stops answering fails the read, not the suite. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return -1;
}

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* Header @name's value from the header block @h into @out. */
static bool get_header(const char *h, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	for (; h && *h; h = strchr(h, '\n'), h = h ? h + 1 : NULL) {
		if (!strncasecmp(h, name, nl) && h[nl] == ':') {
			const char *v = h + nl + 1, *e;

			while (*v == ' ')
				v++;
			e = strpbrk(v, "\r\n");
			if (!e || (size_t)(e - v) >= len)
				return false;
			memcpy(out, v, e - v);
			out[e - v] = '\0';
			return true;
		}
	}
	return false;
}

/*
 * Read one response from @fd into @r (@head: a HEAD, or a 304, has no
 * body).  The header block is read a byte at a time so that a following
 * pipelined response stays in the socket.  0, or -1 if it was cut short
 * or malformed.
 */
static int read_resp(int fd, struct resp *r, bool head)
{
	char hdr[16384], v[64];
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	r->length = -1;
	while (n < sizeof(hdr) - 1) {
		if (recv(fd, hdr + n, 1, 0) != 1)
			return -1;
		n++;
		if (n >= 4 && !memcmp(hdr + n - 4, "\r\n\r\n", 4))
			break;
	}
	hdr[n] = '\0';
	if (sscanf(hdr, "HTTP/1.%*d %d", &r->status) != 1)
		return -1;
	if (get_header(hdr, "Content-Length", v, sizeof(v)))
		r->length = atol(v);
	get_header(hdr, "Content-Type", r->type, sizeof(r->type));
	get_header(hdr, "Last-Modified", r->modified, sizeof(r->modified));
	r->close = get_header(hdr, "Connection", v, sizeof(v)) &&
		   !strcasecmp(v, "close");
	if (head || r->status == 304 || r->length == 0)
		return 0;
	if (r->length < 0) {
		/* No length: the body ends where the connection does. */
		if (!r->close)
			return -1;
		r->body = malloc(RESP_MAX);
		while (r->body && r->got < RESP_MAX) {
			ssize_t k = recv(fd, r->body + r->got, RESP_MAX - r->got, 0);

			if (k < 0)
				return -1;
			if (!k)
				break;
			r->got += k;
		}
		r->length = r->got;
		return r->body ? 0 : -1;
	}
	if (r->length > RESP_MAX)
		return -1;
	r->body = malloc(r->length);
	while (r->body && r->got < (size_t)r->length) {
		ssize_t k = recv(fd, r->body + r->got, r->length - r->got, 0);

		if (k <= 0)
			return -1;
		r->got += k;
	}
	return r->body ? 0 : -1;
}

static int request(int fd, const char *method, const char *path,
		   const char *extra, struct resp *r)
{
	char req[1024];
	int n = snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: test\r\n%s\r\n", method,
			 path, extra ? extra : "");

	if (!send_all(fd, req, n))
		return -1;
	return read_resp(fd, r, !strcmp(method, "HEAD"));
}

/* One request on a connection of its own. */
static int fetch(const struct sockaddr_in *sa, const char *method,
		 const char *path, const char *extra, struct resp *r)
{
	char hdrs[512];
	int fd = tcp_connect(sa, WAIT_MS), ret;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return -1;
	snprintf(hdrs, sizeof(hdrs), "Connection: close\r\n%s",
		 extra ? extra : "");
	ret = request(fd, method, path, hdrs, r);
	close(fd);
	return ret;
}

/* Send @raw and read the status of the answer; -1 if none came. */
static int raw_status(const struct sockaddr_in *sa, const char *raw,
		      size_t len)
{
	struct resp r;
	int fd = tcp_connect(sa, WAIT_MS), ret = -1;

	if (fd < 0)
		return -1;
	if (send_all(fd, raw, len) && !read_resp(fd, &r, false))
		ret = r.status;
	resp_free(&r);
	close(fd);
	return ret;
}

static bool file_bytes(const char *path, char **data, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	fstat(fileno(f), &st);
	*len = st.st_size;
	*data = malloc(*len + 1);
	if (!*data || fread(*data, 1, *len, f) != *len) {
		fclose(f);
		return false;
	}
	fclose(f);
	return true;
}

/* ---- the servers --------------------------------------------------------- */

FIXTURE(web) {
	struct sockaddr_in sa;
	pid_t native;		/* the Linux build's process, or 0 */
	__u32 id;		/* the VM's, or 0 */
	char root[PATH_MAX];
};

/*
 * @image: the VM's (NULL: the native server); @ours: our server, whose
 * limits (errors, queue, timeouts, idleness) the stricter tests check.
 */
FIXTURE_VARIANT(web) {
	const char *image;
	const char *args;
	bool ours;
};

/*
 * The native server is tested on the host (denali_host/web_test, make
 * check-host); in the test machines, where the emulated minutes count,
 * only the VMs are.
 */
#ifdef WEB_HOST_ONLY
FIXTURE_VARIANT_ADD(web, native) {
	.ours = true,
};
#else
FIXTURE_VARIANT_ADD(web, denali) {
	.image = "web.img",
	.args = "web -p 8080 -t 8 -q 256 -i 2 ip=" VM_IP "/24 gw=" HOST_IP,
	.ours = true,
};

/*
 * CivetWeb from Debian, unmodified (tools/build-civetweb): port 8080
 * from the civetweb.conf in its tree.  CivetWeb takes a bare first
 * argument for a configuration file and stops at any other, so this
 * also checks that libilwaco takes the network's boot arguments out of
 * argv before main().
 */
FIXTURE_VARIANT_ADD(web, civetweb) {
	.image = "civetweb.img",
	.args = "civetweb ip=" VM_IP "/24 gw=" HOST_IP,
	.ours = false,
};
#endif

/*
 * A SKIP in the fixture's set-up (no image) does
 * not stop the harness from running the test: each test starts by
 * asking ready(), which is false then (the test ends, reported as
 * skipped), or ours(), which also skips a third-party server for the
 * tests of our own server's limits.
 */
static bool ready(struct __test_metadata *_metadata)
{
	return !_metadata->skip;
}

static bool ours(struct __test_metadata *_metadata,
		 const struct _fixture_variant_web *variant)
{
	if (_metadata->skip)
		return false;
	if (!variant->ours)
		SKIP(return false, "checks guests/web's own limits");
	return true;
}

static void sh(const char *cmd)
{
	if (system(cmd))
		ksft_print_msg("web_test: '%s' failed\n", cmd);
}

/* Does a connection to @sa succeed within @ms? */
static bool answers(const struct sockaddr_in *sa, int ms)
{
	int fd = tcp_connect(sa, ms);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void start_native(struct __test_metadata *_metadata,
			 struct _test_data_web *self)
{
	char prog[PATH_MAX], port[16], workers[16], queue[16], idle[16];
	int i;

	snprintf(prog, sizeof(prog), "%s/build/guests/web-native", tree());
	/*
	 * On the host, a port nobody holds: one the kernel picks for a
	 * moment (another server on 8080 would answer in ours' place).
	 */
	self->sa.sin_port = htons(free_port());
	ASSERT_NE(0, self->sa.sin_port);
	snprintf(port, sizeof(port), "%d", ntohs(self->sa.sin_port));
	snprintf(workers, sizeof(workers), "%d", WORKERS);
	snprintf(queue, sizeof(queue), "%d", QUEUE);
	snprintf(idle, sizeof(idle), "%d", IDLE_S);
	inet_pton(AF_INET, "127.0.0.1", &self->sa.sin_addr);
	if (access(prog, X_OK))
		SKIP(return, "build/guests/web-native is not built (make guests)");
	/* The test machine's loopback, in case nothing brought it up. */
	sh("ip link set lo up 2>/dev/null");
	self->native = fork();
	ASSERT_LE(0, self->native);
	if (!self->native) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(prog, prog, "-p", port, "-r", self->root, "-t", workers,
		      "-q", queue, "-i", idle, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && !answers(&self->sa, 100); i++)
		usleep(50 * 1000);
	ASSERT_TRUE(answers(&self->sa, 1000)) TH_LOG("the native server does not answer");
}

#ifndef WEB_HOST_ONLY
/* VM_NAME's state in the module's list: 0 when it is not listed. */
static __u32 vm_state(__u32 *id)
{
	struct denali_vm_info vms[64];
	__u32 count, total, i, st = 0;
	int dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (dev < 0)
		return 0;
	if (!denali_get_list(dev, vms, 64, &count, &total))
		for (i = 0; i < count; i++)
			if (!strcmp(vms[i].name, VM_NAME)) {
				*id = vms[i].id;
				st = vms[i].state;
			}
	close(dev);
	return st;
}

static void start_vm(struct __test_metadata *_metadata,
		     struct _test_data_web *self, const char *image,
		     const char *args)
{
	char cmd[PATH_MAX * 2];
	__u32 id = 0;
	int i;

	snprintf(cmd, sizeof(cmd), "%s/build/guests/%s", tree(), image);
	if (access(cmd, R_OK))
		SKIP(return, "build/guests/%s is not built (make guests)", image);
	ASSERT_EQ(0, denali_ensure_loaded());
	inet_pton(AF_INET, VM_IP, &self->sa.sin_addr);
	/*
	 * The host's own IPv6 chatter on the bridge (router solicitations,
	 * DAD, MLD) would be frames to the VM and exits in its idle count:
	 * the test machine is disposable, so IPv6 goes.
	 */
	sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null");
	sh("echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null");
	sh("modprobe bridge 2>/dev/null");
	sh("ip link del " BRIDGE " 2>/dev/null; ip link add " BRIDGE
	   " type bridge && ip addr add " HOST_IP "/24 dev " BRIDGE
	   " && ip link set " BRIDGE " up");
	snprintf(cmd, sizeof(cmd),
		 "%s/build/userspace/denalictl create %s/build/guests/%s --mem 12M --name "
		 VM_NAME " --bridge " BRIDGE " -- %s",
		 tree(), tree(), image, args);
	ASSERT_EQ(0, system(cmd));
	ASSERT_NE(0, vm_state(&id)) TH_LOG("the web VM is not listed");
	self->id = id;
	/* Up to a minute for the stack to come up (ARP, the listener). */
	for (i = 0; i < 60; i++) {
		if (answers(&self->sa, 1000))
			return;
		if (vm_state(&id) == DENALI_VM_STOPPED)
			break;
	}
	if (vm_state(&id) == DENALI_VM_STOPPED) {
		snprintf(cmd, sizeof(cmd),
			 "%s/build/userspace/denalictl console " VM_NAME
			 " -n 2>&1 | tail -n 3 >&2", tree());
		sh(cmd);
		ASSERT_NE(DENALI_VM_STOPPED, vm_state(&id))
			TH_LOG("the web VM stopped at start-up (its console above)");
	}
	ASSERT_TRUE(answers(&self->sa, 1000)) TH_LOG("the web VM does not answer");
}
#endif

FIXTURE_SETUP(web)
{
	struct rlimit rl = { 4096, 4096 };

	docs_dir(self->root, sizeof(self->root));
	self->sa.sin_family = AF_INET;
	self->sa.sin_port = htons(PORT);
	signal(SIGPIPE, SIG_IGN);
	/* The exhaustion test holds several hundred sockets. */
	setrlimit(RLIMIT_NOFILE, &rl);
#ifndef WEB_HOST_ONLY
	/* A third-party server takes the document and keep-alive tests. */
	if (!variant->ours && strcmp(_metadata->name, "documents") &&
	    strcmp(_metadata->name, "keep_alive"))
		SKIP(return, "checks guests/web's own limits");
	if (variant->image) {
		start_vm(_metadata, self, variant->image, variant->args);
		return;
	}
#endif
	start_native(_metadata, self);
}

FIXTURE_TEARDOWN(web)
{
	if (self->native > 0) {
		kill(self->native, SIGTERM);
		waitpid(self->native, NULL, 0);
	}
#ifndef WEB_HOST_ONLY
	if (variant->image) {
		char cmd[PATH_MAX + 64];

		snprintf(cmd, sizeof(cmd),
			 "%s/build/userspace/denalictl destroy " VM_NAME
			 " >/dev/null 2>&1", tree());
		/* Not created, or already gone: nothing to do then. */
		if (system(cmd))
			ksft_print_msg("web_test: no VM " VM_NAME " to destroy\n");
		sh("ip link del " BRIDGE " 2>/dev/null || true");
	}
#endif
}

/* ---- the tests ----------------------------------------------------------- */

/* Every document byte for byte, with its type; then a 404 and a HEAD. */
TEST_F_TIMEOUT(web, documents, 300)
{
	struct dirent **names;
	int n, i, docs = 0;
	struct resp r;

	if (!ready(_metadata))
		return;
	n = scandir(self->root, &names, NULL, alphasort);
	ASSERT_LT(0, n) TH_LOG("%s: %s", self->root, strerror(errno));
	for (i = 0; i < n; i++) {
		char path[PATH_MAX + 256], url[512];
		struct stat st;
		size_t len;
		char *want;

		snprintf(path, sizeof(path), "%s/%s", self->root,
			 names[i]->d_name);
		if (names[i]->d_name[0] == '.' || stat(path, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		ASSERT_TRUE(file_bytes(path, &want, &len));
		snprintf(url, sizeof(url), "/%s", names[i]->d_name);
		ASSERT_EQ(0, fetch(&self->sa, "GET", url, NULL, &r)) TH_LOG("%s", url);
		EXPECT_EQ(200, r.status) TH_LOG("%s", url);
		EXPECT_EQ((long)len, r.length) TH_LOG("%s", url);
		EXPECT_EQ(0, memcmp(want, r.body, len)) TH_LOG("%s differs", url);
		if (strstr(url, ".html"))
			EXPECT_EQ(0, strncmp(r.type, "text/html", 9));
		if (strstr(url, ".txt"))
			EXPECT_EQ(0, strncmp(r.type, "text/plain", 10));
		/* Not modified since it last changed: 304, no body. */
		if (r.modified[0]) {
			char ims[128];
			struct resp r2;

			snprintf(ims, sizeof(ims), "If-Modified-Since: %s\r\n",
				 r.modified);
			ASSERT_EQ(0, fetch(&self->sa, "GET", url, ims, &r2));
			EXPECT_EQ(304, r2.status);
			resp_free(&r2);
		}
		resp_free(&r);
		free(want);
		free(names[i]);
		docs++;
	}
	free(names);
	ASSERT_LT(0, docs);

	ASSERT_EQ(0, fetch(&self->sa, "GET", "/no-such-document.html", NULL, &r));
	EXPECT_EQ(404, r.status);
	EXPECT_LT(0, r.length);		/* an explanation, as a page */
	resp_free(&r);
	ASSERT_EQ(0, fetch(&self->sa, "HEAD", "/index.html", NULL, &r));
	EXPECT_EQ(200, r.status);
	resp_free(&r);
	ASSERT_EQ(0, fetch(&self->sa, "GET", "/", NULL, &r));
	EXPECT_EQ(200, r.status);
	resp_free(&r);

	/* What a newcomer types: curl, where the machine has it. */
	if (!access("/usr/bin/curl", X_OK)) {
		char cmd[PATH_MAX * 2], addr[32];

		inet_ntop(AF_INET, &self->sa.sin_addr, addr, sizeof(addr));
		snprintf(cmd, sizeof(cmd),
			 "curl -sf http://%s:%d/index.html | cmp -s - %s/index.html",
			 addr, ntohs(self->sa.sin_port), self->root);
		EXPECT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
	}
}

/* Keep-alive: many requests on one connection, two of them pipelined. */
TEST_F_TIMEOUT(web, keep_alive, 300)
{
	static const char two[] =
		"GET /doc1.html HTTP/1.1\r\nHost: t\r\n\r\n"
		"GET /doc2.html HTTP/1.1\r\nHost: t\r\n\r\n";
	struct resp r;
	int fd, i;

	if (!ready(_metadata))
		return;
	fd = tcp_connect(&self->sa, WAIT_MS);
	ASSERT_LE(0, fd);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, request(fd, i % 2 ? "HEAD" : "GET", "/", NULL, &r));
		ASSERT_EQ(200, r.status);
		ASSERT_FALSE(r.close);
		resp_free(&r);
	}
	ASSERT_TRUE(send_all(fd, two, sizeof(two) - 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, read_resp(fd, &r, false));
		EXPECT_EQ(200, r.status);
		resp_free(&r);
	}
	close(fd);
}

/* 1,000 connections one after another, each answered whole. */
TEST_F_TIMEOUT(web, sequential_1000, 300)
{
	int i, ok = 0;

	if (!ours(_metadata, variant))
		return;
	for (i = 0; i < 1000; i++) {
		char url[32];
		struct resp r;

		snprintf(url, sizeof(url), "/doc%d.html", 1 + i % 7);
		if (!fetch(&self->sa, "GET", url, NULL, &r) && r.status == 200 &&
		    r.got == (size_t)r.length)
			ok++;
		resp_free(&r);
	}
	ASSERT_EQ(1000, ok);
}

/*
 * 200 connections at once: each sends its request as soon as it is
 * connected (a connection that stayed silent would meet the idle
 * timeout while the others connect, under emulation), and none is read
 * until all 200 are open.
 */
TEST_F_TIMEOUT(web, concurrent_200, 300)
{
	static int fds[200];
	int i, ok = 0;

	if (!ours(_metadata, variant))
		return;
	for (i = 0; i < 200; i++) {
		fds[i] = tcp_connect(&self->sa, WAIT_MS);
		ASSERT_LE(0, fds[i]) TH_LOG("connection %d", i);
		ASSERT_TRUE(send_all(fds[i], "GET /doc3.html HTTP/1.1\r\nHost: t\r\n"
				     "Connection: close\r\n\r\n", 60));
	}
	for (i = 0; i < 200; i++) {
		struct resp r;

		if (!read_resp(fds[i], &r, false) && r.status == 200)
			ok++;
		resp_free(&r);
		close(fds[i]);
	}
	ASSERT_EQ(200, ok);
}

/* Bad requests get their status and an explanation; the server goes on. */
TEST_F_TIMEOUT(web, bad_requests, 300)
{
	static char big[12000], longuri[4000];
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "garbage\r\n\r\n", 400 },
		{ "GET /\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n\r\n", 400 },		/* no Host */
		{ "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505 },
		{ "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n", 405 },
		{ "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 9999999\r\n\r\n", 413 },
		{ "GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
		{ "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
		{ "GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
		{ "GET relative HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", 400 },
	};
	struct resp r;
	size_t i;
	int n;

	if (!ours(_metadata, variant))
		return;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].status,
			  raw_status(&self->sa, cases[i].req, strlen(cases[i].req)))
			TH_LOG("%s", cases[i].req);
	}
	/* A request line longer than the server takes: 414. */
	n = snprintf(longuri, sizeof(longuri), "GET /");
	memset(longuri + n, 'a', 3000);
	strcpy(longuri + n + 3000, " HTTP/1.1\r\nHost: t\r\n\r\n");
	EXPECT_EQ(414, raw_status(&self->sa, longuri, strlen(longuri)));
	/* Headers larger than the server takes: 413. */
	n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: t\r\n");
	while (n < 11000)
		n += snprintf(big + n, sizeof(big) - n, "X-Pad-%d: %s\r\n", n,
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	n += snprintf(big + n, sizeof(big) - n, "\r\n");
	EXPECT_EQ(413, raw_status(&self->sa, big, n));
	ASSERT_EQ(0, fetch(&self->sa, "GET", "/doc1.html", NULL, &r));
	EXPECT_EQ(200, r.status);
	resp_free(&r);
}

/* A body on a GET is read and dropped; the next request on the line is not. */
TEST_F_TIMEOUT(web, request_body, 300)
{
	static const char req[] =
		"GET /doc1.html HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n"
		"helloGET /doc2.html HTTP/1.1\r\nHost: t\r\n\r\n";
	struct resp r;
	int fd, i;

	if (!ours(_metadata, variant))
		return;
	fd = tcp_connect(&self->sa, WAIT_MS);

	ASSERT_LE(0, fd);
	ASSERT_TRUE(send_all(fd, req, sizeof(req) - 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, read_resp(fd, &r, false));
		EXPECT_EQ(200, r.status);
		EXPECT_EQ(2048, r.length);
		resp_free(&r);
	}
	close(fd);
}

/*
 * Slow and half-open clients: slowloris dribbling a header a byte at a
 * time, connections that never speak, half a request then a shutdown,
 * and requests cut off with a reset.  More of them than workers: the
 * server must drop the slow ones (a whole request must come within the
 * idle timeout) and answer a well-behaved client all the same.
 */
TEST_F_TIMEOUT(web, slow_and_half_open, 300)
{
	enum { SLOW = 12, SILENT = 8, HALF = 4, RESET = 4 };
	int slow[SLOW], silent[SILENT], i, closed = 0, round;
	struct linger lg = { 1, 0 };
	struct resp r;

	if (!ours(_metadata, variant))
		return;
	for (i = 0; i < SLOW; i++) {
		slow[i] = tcp_connect(&self->sa, WAIT_MS);
		ASSERT_LE(0, slow[i]);
		ASSERT_TRUE(send_all(slow[i], "GET / HTTP/1.1\r\n", 16));
	}
	for (i = 0; i < SILENT; i++) {
		silent[i] = tcp_connect(&self->sa, WAIT_MS);
		ASSERT_LE(0, silent[i]);
	}
	for (i = 0; i < HALF; i++) {
		int fd = tcp_connect(&self->sa, WAIT_MS);

		ASSERT_LE(0, fd);
		ASSERT_TRUE(send_all(fd, "GET /doc1.html HTTP/1.1\r\nHo", 27));
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	for (i = 0; i < RESET; i++) {
		int fd = tcp_connect(&self->sa, WAIT_MS);

		ASSERT_LE(0, fd);
		ASSERT_TRUE(send_all(fd, "GET /large.html HTTP/1.1\r\nHost: t\r\n\r\n", 37));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);	/* RST, with the response on its way */
	}

	/* Dribble: one byte per slow connection every 200 ms, 2 min at most. */
	for (round = 0; round < 600 && closed < SLOW; round++) {
		for (i = 0; i < SLOW; i++) {
			char b;

			if (slow[i] < 0)
				continue;
			ssize_t n = send_all(slow[i], "X", 1) ?
				    recv(slow[i], &b, 1, MSG_DONTWAIT) : 0;

			/* EOF, a reset, or an answer: the server let go. */
			if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(slow[i]);
				slow[i] = -1;
				closed++;
			}
		}
		usleep(200 * 1000);
	}
	EXPECT_EQ(SLOW, closed) TH_LOG("slow clients still held by the server");
	/* Meanwhile, and after: others are served. */
	ASSERT_EQ(0, fetch(&self->sa, "GET", "/doc2.html", NULL, &r));
	EXPECT_EQ(200, r.status);
	EXPECT_EQ(2048, r.length);
	resp_free(&r);
	for (i = 0; i < SILENT; i++)
		close(silent[i]);
	for (i = 0; i < SLOW; i++)
		if (slow[i] >= 0)
			close(slow[i]);
}

/*
 * More connections than workers and queue together, held open: the extra
 * ones are refused (closed at once, or never accepted), the server does
 * not fall over, and once they go it serves again.
 */
TEST_F_TIMEOUT(web, exhaustion, 300)
{
	enum { HOLD = 600 };
	static int fds[HOLD];
	int i, refused = 0, held = 0;
	struct resp r;

	if (!ours(_metadata, variant))
		return;
	/* All at once, without waiting for each: a full backlog does not answer. */
	for (i = 0; i < HOLD; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, fds[i]);
		if (connect(fds[i], (struct sockaddr *)&self->sa,
			    sizeof(self->sa)) && errno != EINPROGRESS) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	/* Then five seconds for the server to take or refuse each. */
	sleep(5);
	for (i = 0; i < HOLD; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN | POLLOUT };
		int err = 0;
		socklen_t len = sizeof(err);
		char b;

		if (fds[i] < 0 || poll(&p, 1, 0) != 1 ||
		    getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) ||
		    err) {
			refused++;	/* never accepted */
			continue;
		}
		/* Accepted, then closed at once (or timed out): EOF. */
		if ((p.revents & POLLIN) && recv(fds[i], &b, 1, MSG_DONTWAIT) <= 0)
			refused++;
		else
			held++;
	}
	ksft_print_msg("exhaustion: of %d connections, %d still open, %d refused or closed\n",
		       HOLD, held, refused);
	EXPECT_LT(0, refused);
	for (i = 0; i < HOLD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ASSERT_EQ(0, fetch(&self->sa, "GET", "/index.html", NULL, &r));
	EXPECT_EQ(200, r.status);
	resp_free(&r);
}

#ifndef WEB_HOST_ONLY
/*
 * An idle web VM costs nothing: after serving requests and letting its
 * connections time out, it makes no exit at all for 10 seconds (no timer
 * ticks in the guest, no polling).
 */
TEST_F_TIMEOUT(web, idle_exits, 300)
{
	struct denali_stats st;
	unsigned long long e0, e1;
	int i, vm, dev;

	if (!ours(_metadata, variant))
		return;
	if (!variant->image)
		SKIP(return, "a count of the VM's exits; nothing to count natively");
	for (i = 0; i < 50; i++) {
		struct resp r;

		ASSERT_EQ(0, fetch(&self->sa, "GET", "/doc4.html", NULL, &r));
		ASSERT_EQ(200, r.status);
		resp_free(&r);
	}
	/*
	 * Let what follows the last request pass: the workers' idle
	 * timeouts, TIME_WAIT (2 s in the guest) and lwIP's ARP timer (6 s
	 * after the stack last asked for an address).
	 */
	sleep(IDLE_S + 8);
	dev = open(DENALI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	vm = denali_vm_ref(dev, DENALI_OPEN_VM, self->id);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, denali_get_stats(vm, &st));
	e0 = denali_all_exits(&st);
	sleep(10);
	ASSERT_EQ(0, denali_get_stats(vm, &st));
	e1 = denali_all_exits(&st);
	ksft_print_msg("idle web VM: %llu exits in 10 s (after %llu)\n",
		       e1 - e0, e0);
	EXPECT_EQ(e0, e1);
	close(vm);
	close(dev);
}
#endif

TEST_HARNESS_MAIN
