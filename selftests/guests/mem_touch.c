// SPDX-License-Identifier: GPL-2.0
/*
 * mem_touch: a guest that touches its memory page by page, for
 * memory_test (demand-zero memory, ABI 0.6).
 *
 * The pages it touches start at the middle of its memory, far from its
 * image (at the bottom) and its stack (at the top), so that no page it
 * touches was touched before.  Boot arguments: MODE N.
 *
 *   step N    Rehearses one round (print, wait for a console byte), then
 *             prints "mem: ready" and waits for a byte.  Then for each of
 *             N pages: reads the whole page (it must be zero: its first
 *             touch), writes it, prints "mem: touched I" and waits for a
 *             byte, so the host can read the VM's counters between two
 *             touches.  The rehearsal makes every page the round itself
 *             needs (stack, buffers) exist before "ready".
 *             Expected: exit 0, "DENALI-TEST: done mem: N pages zero".
 *   hostfirst N  As step, but each page is first handed to the host as
 *             a console_read buffer with no input pending (the host
 *             makes the page, and must see zeros), then read and
 *             written by the guest (a fault that finds the page made).
 *   fill N    Touches N pages, one write each, without stopping, then
 *             prints "mem: filled N" and exits 0; with a memory limit
 *             smaller than N pages it stops out of memory
 *             (DENALI_CRASH_NOMEM) part way.
 *   beyond    Writes the byte just past its memory: a page fault
 *             "beyond guest memory" (--mem is the limit).
 *   idle      Prints "mem: idle" and idles forever (density).
 *   ping      Prints "mem: idle", then for every console byte it is
 *             given prints "pong\n", idling with no timeout between
 *             them (bench/density_bench: the VM that answers a ping).
 */
#include <stdbool.h>

#include "pv_check.h"

#define PAGE	4096ul

static char input[16];

/* One console byte: wait for it with virtual interrupts off. */
static void wait_byte(void)
{
	long n;

	for (;;) {
		n = ilwaco_console_read(input, 1);
		PV_CHECK(n >= 0, "console_read returned %ld", n);
		if (n)
			return;
		ilwaco_idle(DENALI_IDLE_FOREVER);
		ilwaco_irq_take();
	}
}

/*
 * Read all of the page at @p (zero, or fail), then write it; every access
 * a real load or store (PV_READ/PV_WRITE), never optimized away.
 */
static void touch(unsigned long *p, unsigned long i)
{
	unsigned long w, v;

	for (w = 0; w < PAGE / sizeof(*p); w++) {
		v = PV_READ(p[w]);
		PV_CHECK(v == 0, "page %lu word %lu is 0x%lx, not zero",
			 i, w, v);
	}
	for (w = 0; w < PAGE / sizeof(*p); w++)
		PV_WRITE(p[w], i + 1);
}

static void steps(unsigned long n, bool host_first)
{
	unsigned long base = ilwaco_mem_size / 2, i;
	long got;

	printf("mem: rehearsal\n");
	wait_byte();
	printf("mem: ready\n");
	wait_byte();
	for (i = 0; i < n; i++) {
		void *page = (void *)(base + i * PAGE);

		if (host_first) {
			/* Nothing pending: the host makes the page, writes 0 bytes. */
			got = ilwaco_console_read(page, PAGE);
			PV_CHECK(got == 0, "console_read returned %ld", got);
		}
		touch(page, i);
		printf("mem: touched %lu\n", i);
		wait_byte();
	}
	pv_done("mem: %lu pages zero", n);
}

static void fill(unsigned long n)
{
	unsigned long base = ilwaco_mem_size / 2, i;

	PV_CHECK(base + n * PAGE <= ilwaco_mem_size - 64 * 1024,
		 "%lu pages do not fit below the stack", n);
	for (i = 0; i < n; i++)
		PV_WRITE(*(unsigned long *)(base + i * PAGE), i + 1);
	pv_done("mem: filled %lu", n);
}

int main(int argc, char **argv)
{
	if (argc < 1)
		PV_FAIL("mem_touch: no mode");
	if (!strcmp(argv[0], "step") && argc == 2)
		steps(pv_num(argv[1]), false);
	if (!strcmp(argv[0], "hostfirst") && argc == 2)
		steps(pv_num(argv[1]), true);
	if (!strcmp(argv[0], "fill") && argc == 2)
		fill(pv_num(argv[1]));
	if (!strcmp(argv[0], "beyond")) {
		PV_WRITE(*(char *)ilwaco_mem_size, 1);
		PV_FAIL("wrote past the end of memory");
	}
	if (!strcmp(argv[0], "idle")) {
		printf("mem: idle\n");
		for (;;) {
			ilwaco_idle(DENALI_IDLE_FOREVER);
			ilwaco_irq_take();
		}
	}
	if (!strcmp(argv[0], "ping")) {
		printf("mem: idle\n");
		for (;;) {
			wait_byte();
			printf("pong\n");
		}
	}
	PV_FAIL("mem_touch: bad arguments");
}
