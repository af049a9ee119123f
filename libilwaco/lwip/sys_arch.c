// SPDX-License-Identifier: GPL-2.0
/*
 * lwIP's operating-system port (NO_SYS=0) for Denali guests: semaphores,
 * mutexes, mailboxes and threads over musl's pthreads, which run on
 * libilwaco's cooperative threads (posix/thread.c).  A thread that
 * waits blocks only itself; when every thread waits, the VM idles until
 * the nearest deadline, so nothing here ever spins.
 *
 * The clock is the VM's (CLOCK_MONOTONIC: the virtual clock, read
 * without an exit).  Timeouts are lwIP's milliseconds, turned into
 * absolute deadlines on that clock for pthread_cond_timedwait.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/err.h"
#include "lwip/tcpip.h"

#include "port.h"

struct ilwaco_sem {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int count;
};

struct ilwaco_mutex {
	pthread_mutex_t lock;
};

struct ilwaco_mbox {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	unsigned int size, head, count;
	void *msgs[];
};

static pthread_condattr_t monotonic;

void sys_init(void)
{
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
}

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ul + ts.tv_nsec / 1000000;
}

u32_t sys_now(void)
{
	return (u32_t)now_ms();
}

/* @ms from now on CLOCK_MONOTONIC. */
static struct timespec deadline(u32_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000l;
	if (ts.tv_nsec >= 1000000000l) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000l;
	}
	return ts;
}

/*
 * Wait on @cond under @lock until @ready, for @ms at most (0: for ever).
 * Returns the milliseconds waited, or SYS_ARCH_TIMEOUT.
 */
#define WAIT_UNTIL(ready, cond, lock, ms) ({				\
	unsigned long start = now_ms();					\
	struct timespec dl = deadline(ms);				\
	u32_t ret = 0;							\
	while (!(ready)) {						\
		if (!(ms))						\
			pthread_cond_wait(cond, lock);			\
		else if (pthread_cond_timedwait(cond, lock, &dl) ==	\
			 ETIMEDOUT && !(ready)) {			\
			ret = SYS_ARCH_TIMEOUT;				\
			break;						\
		}							\
	}								\
	if (ret != SYS_ARCH_TIMEOUT)					\
		ret = (u32_t)(now_ms() - start);			\
	ret;								\
})

/* ---- semaphores ---------------------------------------------------------- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	struct ilwaco_sem *s = malloc(sizeof(*s));

	*sem = s;
	if (!s)
		return ERR_MEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, &monotonic);
	s->count = count;
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	struct ilwaco_sem *s = *sem;

	if (!s)
		return;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
	struct ilwaco_sem *s = *sem;

	pthread_mutex_lock(&s->lock);
	s->count++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	struct ilwaco_sem *s = *sem;
	u32_t ret;

	pthread_mutex_lock(&s->lock);
	ret = WAIT_UNTIL(s->count, &s->cond, &s->lock, timeout);
	if (ret != SYS_ARCH_TIMEOUT)
		s->count--;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/*
 * LWIP_NETCONN_SEM_PER_THREAD: each thread's own semaphore for blocking
 * socket calls, kept under a pthread key (guests have no __thread) in a
 * small box whose address lwIP holds, and freed with the thread.
 */
static pthread_key_t sem_key;
static pthread_once_t sem_key_once = PTHREAD_ONCE_INIT;

static void thread_sem_free(void *box)
{
	sys_sem_free(box);
	free(box);
}

static void thread_sem_key(void)
{
	pthread_key_create(&sem_key, thread_sem_free);
}

sys_sem_t *ilwaco_lwip_thread_sem(void)
{
	sys_sem_t *box;

	pthread_once(&sem_key_once, thread_sem_key);
	box = pthread_getspecific(sem_key);
	if (box)
		return box;
	box = malloc(sizeof(*box));
	if (!box)
		return NULL;
	if (sys_sem_new(box, 0) != ERR_OK) {
		free(box);
		return NULL;
	}
	pthread_setspecific(sem_key, box);
	return box;
}

/* ---- mutexes ------------------------------------------------------------- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
	struct ilwaco_mutex *m = malloc(sizeof(*m));

	*mutex = m;
	if (!m)
		return ERR_MEM;
	pthread_mutex_init(&m->lock, NULL);
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
	if (!*mutex)
		return;
	pthread_mutex_destroy(&(*mutex)->lock);
	free(*mutex);
	*mutex = NULL;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
	pthread_mutex_lock(&(*mutex)->lock);
}

void ilwaco_netif_flush(void);

void sys_mutex_unlock(sys_mutex_t *mutex)
{
	/*
	 * The end of a piece of work on the stack (a socket call, a batch
	 * of received frames, a timer): what it queued on the NIC goes out
	 * now, with one kick for the lot.
	 */
	if (mutex == &lock_tcpip_core)
		ilwaco_netif_flush();
	pthread_mutex_unlock(&(*mutex)->lock);
}

/* ---- mailboxes ----------------------------------------------------------- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	struct ilwaco_mbox *b;

	if (size <= 0)
		size = 64;
	b = malloc(sizeof(*b) + size * sizeof(void *));
	*mbox = b;
	if (!b)
		return ERR_MEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->not_empty, &monotonic);
	pthread_cond_init(&b->not_full, &monotonic);
	b->size = size;
	b->head = 0;
	b->count = 0;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	struct ilwaco_mbox *b = *mbox;

	if (!b)
		return;
	pthread_cond_destroy(&b->not_empty);
	pthread_cond_destroy(&b->not_full);
	pthread_mutex_destroy(&b->lock);
	free(b);
	*mbox = NULL;
}

static void put(struct ilwaco_mbox *b, void *msg)
{
	b->msgs[(b->head + b->count) % b->size] = msg;
	b->count++;
	pthread_cond_signal(&b->not_empty);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct ilwaco_mbox *b = *mbox;

	pthread_mutex_lock(&b->lock);
	while (b->count == b->size)
		pthread_cond_wait(&b->not_full, &b->lock);
	put(b, msg);
	pthread_mutex_unlock(&b->lock);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	struct ilwaco_mbox *b = *mbox;
	err_t err = ERR_MEM;

	pthread_mutex_lock(&b->lock);
	if (b->count < b->size) {
		put(b, msg);
		err = ERR_OK;
	}
	pthread_mutex_unlock(&b->lock);
	return err;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

static void *take(struct ilwaco_mbox *b)
{
	void *msg = b->msgs[b->head];

	b->head = (b->head + 1) % b->size;
	b->count--;
	pthread_cond_signal(&b->not_full);
	return msg;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	struct ilwaco_mbox *b = *mbox;
	u32_t ret;
	void *m;

	pthread_mutex_lock(&b->lock);
	ret = WAIT_UNTIL(b->count, &b->not_empty, &b->lock, timeout);
	if (ret != SYS_ARCH_TIMEOUT) {
		m = take(b);
		if (msg)
			*msg = m;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	struct ilwaco_mbox *b = *mbox;
	u32_t ret = SYS_MBOX_EMPTY;
	void *m;

	pthread_mutex_lock(&b->lock);
	if (b->count) {
		m = take(b);
		if (msg)
			*msg = m;
		ret = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

/* ---- threads and the rest ------------------------------------------------ */

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static void *thread_main(void *p)
{
	struct thread_start start = *(struct thread_start *)p;

	free(p);
	start.fn(start.arg);
	return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	struct thread_start *start = malloc(sizeof(*start));
	pthread_attr_t attr;
	pthread_t t;

	(void)prio;
	if (!start) {
		ilwaco_lwip_assert("no memory for a thread", name, 0);
		return 0;
	}
	start->fn = fn;
	start->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (stacksize > 0)
		pthread_attr_setstacksize(&attr, stacksize);
	if (pthread_create(&t, &attr, thread_main, start)) {
		free(start);
		ilwaco_lwip_assert("cannot create a thread", name, 0);
	}
	pthread_attr_destroy(&attr);
	return (sys_thread_t)t;
}

/* Nothing preempts a thread, and no upcall touches lwIP: see sys_arch.h. */
sys_prot_t sys_arch_protect(void)
{
	return 0;
}

void sys_arch_unprotect(sys_prot_t level)
{
	(void)level;
}

/* getrandom(): rdrand/rdseed mixed with the TSC (libilwaco's process.c). */
unsigned int ilwaco_lwip_rand(void)
{
	unsigned int r = 0;

	getrandom(&r, sizeof(r), 0);
	return r;
}

void ilwaco_lwip_assert(const char *msg, const char *file, int line)
{
	fprintf(stderr, "lwIP: assertion failed: %s (%s:%d)\n", msg, file,
		line);
	abort();
}

/*
 * Memory ran out where lwIP cannot report it (a timer): counted, and
 * said once on the console, since the stack carries on without it.
 */
static unsigned long oom_count;

void ilwaco_lwip_oom(const char *what)
{
	if (!oom_count++)
		fprintf(stderr, "lwIP: out of memory (%s)\n", what);
}

/*
 * lwIP's memory (MEM_LIBC_MALLOC: every pbuf, PCB and segment) comes
 * from musl's malloc, but never more than half the VM's memory in all:
 * the program needs the rest, and the stack must keep some for itself.
 * When a host floods the guest with data its program does not read,
 * the NIC thread stops taking data frames at three quarters of that
 * (ilwaco_lwip_rx_allowed), so that what remains can still carry the
 * frames that free memory again (ACKs, FINs, RSTs, ARP) and the
 * replies to them.  Without that, memory full of unread data can never
 * take in the RST that would free it.
 */
struct lwip_block {
	size_t size;
	size_t pad;		/* 16-byte alignment for what follows */
};

static size_t lwip_bytes;

static size_t lwip_cap(void)
{
	return ilwaco_mem_size / 2;
}

void *ilwaco_lwip_malloc(size_t n)
{
	struct lwip_block *b;

	if (n > lwip_cap() - lwip_bytes || lwip_bytes > lwip_cap())
		return NULL;
	b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	b->size = n;
	lwip_bytes += n;
	return b + 1;
}

void *ilwaco_lwip_calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > (size_t)-1 / size)
		return NULL;
	p = ilwaco_lwip_malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void ilwaco_lwip_free(void *p)
{
	struct lwip_block *b = p;

	if (!p)
		return;
	b--;
	lwip_bytes -= b->size;
	free(b);
}

int ilwaco_lwip_rx_allowed(unsigned int len)
{
	return len <= ILWACO_LWIP_SMALL_FRAME ||
	       lwip_bytes < lwip_cap() / 4 * 3;
}
