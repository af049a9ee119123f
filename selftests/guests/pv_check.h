/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the para-virtual test guests (pv_*.c) share: a check that reports
 * its file and line on the console before the guest gives up, accessors
 * for what upcall handlers change, and a number parser for the boot
 * arguments that tell a guest what to do.
 *
 * A guest's verdict reaches the host twice: as the exit status (0 for
 * success) and as one structured line, the last the guest prints:
 *
 *	DENALI-TEST: done DETAIL
 *	DENALI-TEST: fail FILE:LINE: CONDITION: MESSAGE
 *
 * which the host reads with denali_guest_verdict() (selftests/lib/).
 * DETAIL carries what the test measures; a failure says which check
 * failed and with what values, so that a failing test log shows the
 * guest's side of the story without a debugger.  Lines before the verdict
 * are progress the test may wait for ("regs: ready").
 */
#ifndef PV_CHECK_H
#define PV_CHECK_H

#include <ilwaco/ilwaco.h>

/* The exit status of a guest whose check failed. */
#define PV_FAILED	1

/* The start of the verdict line; the host's DENALI_TEST_TAG. */
#define PV_TAG		"DENALI-TEST: "

/*
 * pv_fail() - report a failed check and stop the VM with PV_FAILED
 *
 * One printf, so the line reaches the host in one piece.  Exiting at
 * once, rather than returning, lets a check fail from anywhere, an
 * upcall handler included.
 */
static inline __printf(4, 5) _Noreturn void
pv_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf(PV_TAG "fail %s:%d: %s: %s\n", file, line, cond, msg);
	denali_exit(PV_FAILED);
}

/*
 * pv_done() - report success with @fmt as the verdict's detail and stop
 * the VM with status 0.
 */
static inline __printf(1, 2) _Noreturn void pv_done(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf(PV_TAG "done %s\n", msg);
	denali_exit(0);
}

/* PV_CHECK() - stop the VM with a report unless @cond holds. */
#define PV_CHECK(cond, fmt, ...) do {					\
	if (!(cond))							\
		pv_fail(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);	\
} while (0)

/* PV_FAIL() - stop the VM with a report: it got where it must not. */
#define PV_FAIL(fmt, ...)						\
	pv_fail(__FILE__, __LINE__, "unreachable", fmt, ##__VA_ARGS__)

#define PV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Variables an upcall handler changes under the interrupted code's feet,
 * as a signal handler would: every access is a real load or store, never
 * cached in a register across a loop.
 */
#define PV_READ(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PV_WRITE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define PV_INC(x)	PV_WRITE(x, PV_READ(x) + 1)

/*
 * pv_num() - a boot argument as a number: decimal, or hex after "0x";
 * "forever" is DENALI_IDLE_FOREVER.  Anything else stops at the first
 * character that is not a digit, as strtoul would.
 */
static inline unsigned long pv_num(const char *s)
{
	unsigned long n = 0;
	int base = 10, d;

	if (!s)
		return 0;
	if (!strcmp(s, "forever"))
		return DENALI_IDLE_FOREVER;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return n;
		n = n * base + d;
	}
}

/* pv_rflags() - the current RFLAGS, by pushf. */
static inline unsigned long pv_rflags(void)
{
	unsigned long f;

	asm volatile("pushf; pop %0" : "=r" (f) : : "memory");
	return f;
}

#endif /* PV_CHECK_H */
