// SPDX-License-Identifier: GPL-2.0
/*
 * web: a small multi-threaded HTTP/1.1 server for static files.
 *
 * The web-server VM of Denali's showcase, and its own yardstick: the same
 * source builds as a Denali guest (ilwaco-cc's way, on musl and
 * libilwaco; the file tree linked into the image is "/") and as an
 * ordinary Linux program serving a directory, so that the two can be
 * measured side by side in one boot (bench/web.sh).
 *
 *   web [-p PORT] [-r DIR] [-t THREADS] [-q QUEUE] [-i IDLE_S] [-v]
 *
 * Boot arguments of the form NAME=VALUE (ip=, gw=, ...) belong to the
 * library OS's network set-up and are skipped here.
 *
 * Roadmap:
 *  1. The documents: every regular file under the root is read into
 *     memory once, at start-up.  A web VM's tree is small and read-only,
 *     so a request never touches a file again and the answer to every
 *     request is two buffers (header, body) ready to send.
 *  2. The workers: a pool of threads created at start-up (Denali's web
 *     server had one too) and a bounded queue of accepted connections.
 *     When every worker is busy and the queue is full, a new connection
 *     is closed at once: overload degrades to refused connections, never
 *     to unbounded memory or threads.
 *  3. A connection: non-blocking I/O under poll() with deadlines, so that
 *     no client holds a worker for ever: a request must arrive whole
 *     within the idle timeout (slowloris dribbling one byte at a time
 *     does not restart it), and a response must be taken within it.
 *  4. A request: parsed in place in a fixed buffer (REQ_MAX bytes: more
 *     is 413, a longer request line 414), GET and HEAD only (405),
 *     keep-alive by HTTP/1.1's rules, If-Modified-Since answered 304.
 *     Every error has a small HTML body saying what was wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX		8192	/* a request's line and headers, bytes */
#define LINE_MAX_LEN	2048	/* the request line alone (else 414) */
#define BODY_MAX	65536	/* a request body we read and discard */
#define HEAD_MAX	512	/* our response headers */
#define TREE_MAX	(64u << 20)	/* all documents together */
#define PATH_LEN	1024
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Build-time defaults, overridden by the options. */
#ifdef WEB_GUEST
#define DEF_ROOT	"/"
#define DEF_THREADS	8
#define DEF_QUEUE	32
#else
#define DEF_ROOT	"."
#define DEF_THREADS	16
#define DEF_QUEUE	128
#endif
/*
 * The guest's file tree carries no times (tools/ilwaco-files): its
 * documents are as old as the image, whose build time comes in here.
 */
#ifndef WEB_BUILD_TIME
#define WEB_BUILD_TIME	0
#endif

static struct {
	int port;
	const char *root;
	int threads;
	int queue;
	int idle_ms;
	bool verbose;
} opt = { 80, DEF_ROOT, DEF_THREADS, DEF_QUEUE, 10000, false };

/* ---- 1. The documents -------------------------------------------------- */

struct doc {
	char *path;		/* as in a URL: "/a/b.html" */
	char *data;
	size_t size;
	time_t mtime;
	const char *type;
	char modified[40];	/* Last-Modified's value */
};

static struct doc *docs;
static size_t ndocs, docs_cap, tree_bytes;

static const struct {
	const char *ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css" },
	{ "js", "text/javascript" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/x-icon" },
	{ "pdf", "application/pdf" },
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot && !strchr(dot, '/'))
		for (i = 0; i < ARRAY_SIZE(types); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

static void fmt_http_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("web: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void load_file(const char *fs_path, const char *url, struct stat *st)
{
	struct doc *d;
	size_t got = 0;
	int fd;

	if (st->st_size > TREE_MAX || tree_bytes + st->st_size > TREE_MAX)
		die("%s: the documents exceed %u MiB", fs_path, TREE_MAX >> 20);
	if (ndocs == docs_cap) {
		docs_cap = docs_cap ? 2 * docs_cap : 64;
		docs = realloc(docs, docs_cap * sizeof(*docs));
		if (!docs)
			die("out of memory");
	}
	d = &docs[ndocs];
	d->path = strdup(url);
	d->size = st->st_size;
	d->data = malloc(d->size ? d->size : 1);
	if (!d->path || !d->data)
		die("out of memory for %s", fs_path);
	fd = open(fs_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", fs_path, strerror(errno));
	while (got < d->size) {
		ssize_t n = read(fd, d->data + got, d->size - got);

		if (n <= 0)
			die("%s: %s", fs_path, n ? strerror(errno) : "short");
		got += n;
	}
	close(fd);
	d->mtime = st->st_mtime ? st->st_mtime : (time_t)WEB_BUILD_TIME;
	d->type = type_of(url);
	fmt_http_time(d->modified, sizeof(d->modified), d->mtime);
	tree_bytes += d->size;
	ndocs++;
}

/* Every regular file under @fs (URL prefix @url), depth first. */
static void load_tree(const char *fs, const char *url, int depth)
{
	DIR *dir = opendir(fs);
	struct dirent *e;

	if (!dir)
		die("%s: %s", fs, strerror(errno));
	if (depth > 16)
		die("%s: directories nested too deep", fs);
	while ((e = readdir(dir))) {
		char p[PATH_LEN], u[PATH_LEN];
		struct stat st;

		if (e->d_name[0] == '.')	/* ".", "..", hidden files */
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", strcmp(fs, "/") ? fs : "",
			     e->d_name) >= (int)sizeof(p) ||
		    snprintf(u, sizeof(u), "%s/%s", url, e->d_name) >=
			     (int)sizeof(u))
			die("%s/%s: path too long", fs, e->d_name);
		if (stat(p, &st))
			die("%s: %s", p, strerror(errno));
		if (S_ISDIR(st.st_mode))
			load_tree(p, u, depth + 1);
		else if (S_ISREG(st.st_mode))
			load_file(p, u, &st);
	}
	closedir(dir);
}

static int doc_cmp(const void *a, const void *b)
{
	return strcmp(((const struct doc *)a)->path,
		      ((const struct doc *)b)->path);
}

static struct doc *find_doc(const char *path)
{
	struct doc key = { .path = (char *)path };

	return bsearch(&key, docs, ndocs, sizeof(*docs), doc_cmp);
}

/* ---- 2. The workers ---------------------------------------------------- */

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static int *queue;
static int q_head, q_len;

/* Hand @fd to a worker; false when the queue is full. */
static bool enqueue(int fd)
{
	bool ok = false;

	pthread_mutex_lock(&queue_lock);
	if (q_len < opt.queue) {
		queue[(q_head + q_len++) % opt.queue] = fd;
		ok = true;
		pthread_cond_signal(&queue_cond);
	}
	pthread_mutex_unlock(&queue_lock);
	return ok;
}

static int dequeue(void)
{
	int fd;

	pthread_mutex_lock(&queue_lock);
	while (!q_len)
		pthread_cond_wait(&queue_cond, &queue_lock);
	fd = queue[q_head];
	q_head = (q_head + 1) % opt.queue;
	q_len--;
	pthread_mutex_unlock(&queue_lock);
	return fd;
}

/* ---- 3. A connection --------------------------------------------------- */

struct conn {
	int fd;
	char buf[REQ_MAX + 1];	/* +1: room for a terminating NUL */
	size_t len;		/* bytes in buf */
	long long deadline;	/* ms on CLOCK_MONOTONIC */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait until @c's socket is ready for @events or its deadline passes:
 * true if ready.  The deadline is read from the clock only when the
 * socket is not ready at once, which is the common case's saving.
 */
static bool wait_ready(struct conn *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = c->deadline - now_ms();
		if (left <= 0)
			return false;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return true;
		if (n == 0)
			return false;
		if (errno != EINTR)
			return false;
	}
}

/* Read more of the request into c->buf: >0 bytes, 0 EOF, -1 gone/timeout. */
static ssize_t conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, REQ_MAX - c->len, 0);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (!wait_ready(c, POLLIN))
			return -1;
	}
}

/* Send @iov whole (consumed as it goes): false if the client is gone. */
static bool conn_send(struct conn *c, struct iovec *iov, int iovcnt)
{
	while (iovcnt) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = iovcnt };
		ssize_t n = sendmsg(c->fd, &m, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return false;
			if (!wait_ready(c, POLLOUT))
				return false;
			continue;
		}
		while (iovcnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return true;
}

/* ---- 4. A request ------------------------------------------------------ */

struct status {
	int code;
	const char *reason, *why;
};

static const struct status st_400 = { 400, "Bad Request",
	"The request could not be understood." };
static const struct status st_404 = { 404, "Not Found",
	"There is no document at this address." };
static const struct status st_405 = { 405, "Method Not Allowed",
	"Only GET and HEAD are served here." };
static const struct status st_413 = { 413, "Payload Too Large",
	"The request is larger than this server accepts." };
static const struct status st_414 = { 414, "URI Too Long",
	"The request line is longer than this server accepts." };
static const struct status st_505 = { 505, "HTTP Version Not Supported",
	"Only HTTP/1.0 and HTTP/1.1 are served here." };

/*
 * Before closing on an error, take what the client is still sending (up
 * to a limit, for a short while): closing with unread data makes TCP
 * send a reset, which can destroy the error response before the client
 * has read it.
 */
static void lingering_close(struct conn *c)
{
	size_t dropped = 0;

	shutdown(c->fd, SHUT_WR);
	c->deadline = now_ms() + (opt.idle_ms < 2000 ? opt.idle_ms : 2000);
	while (dropped < 4 * REQ_MAX) {
		ssize_t n;

		c->len = 0;
		n = conn_read(c);
		if (n <= 0)
			break;
		dropped += n;
	}
}

/* An error response with its small HTML body; always closes after. */
static bool send_error(struct conn *c, const struct status *s, bool head)
{
	char hdr[HEAD_MAX], body[HEAD_MAX];
	struct iovec iov[2];
	int hl, bl;

	bl = snprintf(body, sizeof(body),
		      "<!DOCTYPE html>\n"
		      "<html><head><title>%d %s</title></head>\n"
		      "<body><h1>%d %s</h1><p>%s</p></body></html>\n",
		      s->code, s->reason, s->code, s->reason, s->why);
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.1 %d %s\r\n"
		      "Server: denali-web\r\n"
		      "Content-Type: text/html; charset=utf-8\r\n"
		      "Content-Length: %d\r\n"
		      "%sConnection: close\r\n\r\n",
		      s->code, s->reason, bl,
		      s->code == 405 ? "Allow: GET, HEAD\r\n" : "");
	iov[0] = (struct iovec){ hdr, hl };
	iov[1] = (struct iovec){ body, head ? 0 : bl };
	if (conn_send(c, iov, 2))
		lingering_close(c);
	return false;
}

/* The value of header @name in the NUL-terminated header block, or NULL. */
static char *header(char *hdrs, const char *name)
{
	size_t len = strlen(name);
	char *p = hdrs;

	while (p && *p) {
		if (!strncasecmp(p, name, len) && p[len] == ':') {
			p += len + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Does the comma-separated header value @v (ends at CR/LF) hold @tok? */
static bool has_token(const char *v, const char *tok)
{
	size_t len = strlen(tok);

	while (v && *v && *v != '\r' && *v != '\n') {
		while (*v == ' ' || *v == ',')
			v++;
		if (!strncasecmp(v, tok, len) &&
		    (v[len] == ',' || v[len] == ' ' || v[len] == '\r' ||
		     v[len] == '\n' || !v[len]))
			return true;
		v = strpbrk(v, ",\r\n");
	}
	return false;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * The URL path @in (up to '?' or the end) decoded into @out, with "."
 * and empty segments dropped; false on a bad escape, a NUL, or ".."
 * (which never names a document: the tree has no parent to climb to).
 */
static bool decode_path(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	if (*in != '/')
		return false;
	while (*in && *in != '?' && *in != '#') {
		char ch = *in++;

		if (ch == '%') {
			int h = hexval(in[0]), l = h < 0 ? -1 : hexval(in[1]);

			if (l < 0)
				return false;
			ch = h * 16 + l;
			in += 2;
			if (!ch)
				return false;
		}
		if (o + 2 >= outlen)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	/* No ".." segment; "/./" and "//" are harmless but never stored. */
	for (const char *s = out; (s = strstr(s, "..")); s += 2)
		if (s[-1] == '/' && (s[2] == '/' || !s[2]))
			return false;
	return true;
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or -1. */
static time_t parse_http_time(const char *v)
{
	struct tm tm = { 0 };
	char mon[4];
	int i;

	if (sscanf(v, "%*3s, %d %3s %d %d:%d:%d GMT", &tm.tm_mday, mon,
		   &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	for (i = 0; i < 12 && strcmp(mon, months[i]); i++)
		;
	if (i == 12)
		return -1;
	tm.tm_mon = i;
	tm.tm_year -= 1900;
	return timegm(&tm);
}

/*
 * Drop the request's body, @body bytes that follow the headers (at
 * @end), keeping what comes after it (a pipelined request) at the start
 * of c->buf.  False if the client goes away first.
 */
static bool consume(struct conn *c, char *end, unsigned long body)
{
	size_t rest = c->buf + c->len - end;

	if (body <= rest) {
		memmove(c->buf, end + body, rest - body);
		c->len = rest - body;
		return true;
	}
	body -= rest;
	c->len = 0;
	while (body) {
		ssize_t n = conn_read(c);

		if (n <= 0)
			return false;
		if ((size_t)n <= body) {
			body -= n;
			continue;
		}
		memmove(c->buf, c->buf + body, n - body);
		c->len = n - body;
		body = 0;
	}
	return true;
}

/*
 * Serve one request from c->buf, whose headers end at @end (the byte
 * after the blank line).  Returns true to keep the connection.
 */
static bool serve(struct conn *c, char *end)
{
	char *line = c->buf, *hdrs, *method, *target, *version, *v;
	char path[PATH_LEN + 16], hdr[HEAD_MAX];
	bool head, keep, http10;
	unsigned long body = 0;
	struct iovec iov[2];
	time_t since;
	struct doc *d;
	int hl;

	end[-1] = '\0';			/* c->buf is one string now */
	hdrs = strchr(line, '\n');
	*hdrs++ = '\0';
	if (hdrs - line > 1 && hdrs[-2] == '\r')
		hdrs[-2] = '\0';
	if (strlen(line) > LINE_MAX_LEN)
		return send_error(c, &st_414, false);

	method = line;
	target = strchr(method, ' ');
	if (!target)
		return send_error(c, &st_400, false);
	*target++ = '\0';
	version = strchr(target, ' ');
	if (!version)
		return send_error(c, &st_400, false);
	*version++ = '\0';
	if (strncmp(version, "HTTP/1.", 7) || !version[7] || version[8])
		return send_error(c, strncmp(version, "HTTP/", 5) ?
				  &st_400 : &st_505, false);
	http10 = version[7] == '0';
	head = !strcmp(method, "HEAD");

	v = header(hdrs, "Content-Length");
	if (v) {
		char *e;

		errno = 0;
		body = strtoul(v, &e, 10);
		if (e == v || errno || (*e && *e != '\r' && *e != '\n'))
			return send_error(c, &st_400, head);
		if (body > BODY_MAX)
			return send_error(c, &st_413, head);
	}
	if (header(hdrs, "Transfer-Encoding"))	/* chunked bodies: no */
		return send_error(c, &st_413, head);
	if (!head && strcmp(method, "GET"))
		return send_error(c, &st_405, false);
	if (!http10 && !header(hdrs, "Host"))
		return send_error(c, &st_400, head);

	v = header(hdrs, "Connection");
	keep = http10 ? has_token(v, "keep-alive") : !has_token(v, "close");
	v = header(hdrs, "If-Modified-Since");
	since = v ? parse_http_time(v) : -1;

	if (!strncmp(target, "http://", 7)) {	/* absolute form */
		target = strchr(target + 7, '/');
		if (!target)
			target = "/";
	}
	if (!decode_path(target, path, PATH_LEN))
		return send_error(c, &st_400, head);
	/* The headers are read: c->buf may now take the next request. */
	if (!consume(c, end, body))
		return false;

	if (path[strlen(path) - 1] == '/')
		strcat(path, "index.html");
	d = find_doc(path);
	if (!d) {
		/* A directory named without its slash: its index, directly. */
		strcat(path, "/index.html");
		d = find_doc(path);
	}
	if (!d)
		return send_error(c, &st_404, head);

	if (since != -1 && d->mtime <= since) {
		hl = snprintf(hdr, sizeof(hdr),
			      "HTTP/1.1 304 Not Modified\r\nServer: denali-web\r\n"
			      "Last-Modified: %s\r\n%s\r\n", d->modified,
			      keep ? (http10 ? "Connection: keep-alive\r\n" : "")
				   : "Connection: close\r\n");
		iov[0] = (struct iovec){ hdr, hl };
		return conn_send(c, iov, 1) && keep;
	}
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.1 200 OK\r\nServer: denali-web\r\n"
		      "Content-Type: %s\r\nContent-Length: %zu\r\n"
		      "Last-Modified: %s\r\n%s\r\n",
		      d->type, d->size, d->modified,
		      keep ? (http10 ? "Connection: keep-alive\r\n" : "")
			   : "Connection: close\r\n");
	iov[0] = (struct iovec){ hdr, hl };
	iov[1] = (struct iovec){ d->data, head ? 0 : d->size };
	return conn_send(c, iov, 2) && keep;
}

/*
 * The end of the headers in c->buf (the byte after "\r\n\r\n" or
 * "\n\n"), or NULL if they have not all arrived.
 */
static char *headers_end(struct conn *c)
{
	char *p;

	c->buf[c->len] = '\0';
	for (p = c->buf; (p = memchr(p, '\n', c->buf + c->len - p)); p++) {
		if (p + 1 < c->buf + c->len && p[1] == '\n')
			return p + 2;
		if (p + 2 < c->buf + c->len && p[1] == '\r' && p[2] == '\n')
			return p + 3;
	}
	return NULL;
}

static void handle(struct conn *c)
{
	for (;;) {
		char *end, *p;

		/* The whole request must come within the idle timeout. */
		c->deadline = now_ms() + opt.idle_ms;
		for (;;) {
			ssize_t n;

			/* Line ends before a request are noise (RFC 9112 2.2). */
			for (p = c->buf; p < c->buf + c->len &&
			     (*p == '\r' || *p == '\n'); p++)
				;
			memmove(c->buf, p, c->buf + c->len - p);
			c->len -= p - c->buf;
			end = headers_end(c);
			if (end)
				break;
			if (c->len == REQ_MAX) {
				p = memchr(c->buf, '\n', c->len);
				send_error(c, p && p - c->buf <= LINE_MAX_LEN ?
					   &st_413 : &st_414, false);
				return;
			}
			n = conn_read(c);
			if (n <= 0)
				return;
			c->len += n;
		}
		if (!serve(c, end))
			return;
	}
}

static void *worker(void *arg)
{
	struct conn *c = arg;

	for (;;) {
		c->fd = dequeue();
		c->len = 0;
		handle(c);
		close(c->fd);
	}
	return NULL;
}

/* ---- Start-up: options, documents, pool, the accept loop -------------- */

static int parse_int(const char *s, int min, int max, char o)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (!*s || *e || errno || v < min || v > max)
		die("-%c %s: a number from %d to %d, please", o, s, min, max);
	return v;
}

static void print_usage_and_exit(void)
{
	fprintf(stderr,
		"usage: web [-p PORT] [-r DIR] [-t THREADS] [-q QUEUE] [-i IDLE_S] [-v]\n"
		"  -p  TCP port (80)\n"
		"  -r  the directory served (" DEF_ROOT ")\n"
		"  -t  worker threads (%d)\n"
		"  -q  accepted connections waiting for a worker, at most (%d)\n"
		"  -i  seconds a connection may idle, or take to send a request (10)\n"
		"  -v  say what is served at start-up and on errors\n",
		DEF_THREADS, DEF_QUEUE);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	pthread_attr_t attr;
	int one = 1, ls, i;

	/*
	 * A guest's argv is its boot arguments, which need not begin with a
	 * program name: an option or NAME=VALUE there is an argument.
	 */
	i = argc > 0 && (argv[0][0] == '-' || strchr(argv[0], '=')) ? 0 : 1;
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (strchr(a, '='))	/* the network's boot arguments */
				continue;
			print_usage_and_exit();
		}
		if (!a[1] || a[2])
			print_usage_and_exit();
		if (a[1] == 'v') {
			opt.verbose = true;
			continue;
		}
		if (i + 1 == argc)
			print_usage_and_exit();
		switch (a[1]) {
		case 'p':
			opt.port = parse_int(argv[++i], 1, 65535, 'p');
			break;
		case 'r':
			opt.root = argv[++i];
			break;
		case 't':
			opt.threads = parse_int(argv[++i], 1, 1024, 't');
			break;
		case 'q':
			opt.queue = parse_int(argv[++i], 1, 65536, 'q');
			break;
		case 'i':
			opt.idle_ms = parse_int(argv[++i], 1, 3600, 'i') * 1000;
			break;
		default:
			print_usage_and_exit();
		}
	}

	load_tree(opt.root, "", 0);
	qsort(docs, ndocs, sizeof(*docs), doc_cmp);
	queue = calloc(opt.queue, sizeof(*queue));
	if (!queue)
		die("out of memory");
	/* A client that goes away mid-response must not end the server. */
	signal(SIGPIPE, SIG_IGN);

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket: %s", strerror(errno));
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons(opt.port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind to port %d: %s", opt.port, strerror(errno));
	if (listen(ls, opt.queue))
		die("listen: %s", strerror(errno));

	/* Small stacks: a worker's frames are a few KiB (the buffer is in c). */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < opt.threads; i++) {
		struct conn *c = malloc(sizeof(*c));
		pthread_t t;
		int err;

		if (!c)
			die("out of memory for %d workers", opt.threads);
		err = pthread_create(&t, &attr, worker, c);
		if (err)
			die("worker %d: %s", i, strerror(err));
	}
	printf("web: %zu documents, %zu bytes, from %s; port %d, %d workers\n",
	       ndocs, tree_bytes, opt.root, opt.port, opt.threads);
	if (opt.verbose)
		for (size_t k = 0; k < ndocs; k++)
			printf("web:   %s %zu %s\n", docs[k].path, docs[k].size,
			       docs[k].type);
	fflush(stdout);

	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			/* Out of descriptors or memory: let some close first. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				struct timespec ts = { 0, 10 * 1000 * 1000 };

				if (opt.verbose)
					fprintf(stderr, "web: accept: %s\n",
						strerror(errno));
				nanosleep(&ts, NULL);
			}
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (!enqueue(fd))
			close(fd);	/* every worker busy: refused */
	}
}
