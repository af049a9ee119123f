// SPDX-License-Identifier: GPL-2.0
/*
 * pv_echo: console input reaches the guest whole and in order.
 *
 * Boot argument: TOTAL, how many bytes the host will write to the VM fd;
 * byte i of the stream is i % 251 (a period that divides none of the
 * chunk sizes either side uses, so a byte from the wrong place shows).
 *
 * First checks that console_read refuses buffers that are not writable
 * guest memory (the read-only register page, the reserved range, the
 * code, the end of memory) with -EFAULT.  Then, with virtual interrupts
 * disabled, it reads with a rotating buffer size until the console is
 * empty, idles until DENALI_IRQ_CONSOLE is pending, takes it and reads
 * again, until TOTAL bytes have come.
 *
 * Expected: exit 0 and "DENALI-TEST: done echo: TOTAL bytes in order,
 * W wake-ups\n".  A wrong byte prints its offset, the byte and the one
 * expected, and exits 1.
 */
#include "pv_check.h"

#define PV_BUF_BYTES	4096
#define PV_PERIOD	251

static unsigned char buf[PV_BUF_BYTES];
static const unsigned long read_sizes[] = { 1, 100, 4096, 333 };

static void bad_buffers(void)
{
	const struct {
		unsigned long addr, len;
	} bad[] = {
		{ DENALI_GUEST_VREGS_RO, 16 },
		{ 0x3000, 16 },
		{ (unsigned long)bad_buffers, 16 },
		{ ilwaco_mem_size - 8, 16 },
		{ ilwaco_mem_size, 1 },
	};
	unsigned int i;
	long ret;

	for (i = 0; i < PV_ARRAY_SIZE(bad); i++) {
		ret = ilwaco_console_read((void *)bad[i].addr, bad[i].len);
		PV_CHECK(ret == -EFAULT, "console_read(0x%lx, %lu) returned %ld",
			 bad[i].addr, bad[i].len, ret);
	}
}

int main(int argc, char **argv)
{
	unsigned long total, got = 0, wakeups = 0, bits, i;
	unsigned int k = 0;
	long n;

	if (argc != 1)
		PV_FAIL("pv_echo: bad arguments");
	total = pv_num(argv[0]);
	bad_buffers();
	while (got < total) {
		n = ilwaco_console_read(buf, read_sizes[k++ %
					PV_ARRAY_SIZE(read_sizes)]);
		PV_CHECK(n >= 0, "console_read returned %ld", n);
		if (n == 0) {
			/* Input that arrived since the read has raised it. */
			ilwaco_idle(DENALI_IDLE_FOREVER);
			bits = ilwaco_irq_take();
			PV_CHECK(bits == DENALI_IRQ_CONSOLE,
				 "woke with 0x%lx after %lu bytes", bits, got);
			wakeups++;
			continue;
		}
		PV_CHECK(got + n <= total, "%lu bytes, more than %lu",
			 got + n, total);
		for (i = 0; i < (unsigned long)n; i++, got++)
			PV_CHECK(buf[i] == got % PV_PERIOD,
				 "byte %lu is %u, expected %lu", got, buf[i],
				 got % PV_PERIOD);
	}
	pv_done("echo: %lu bytes in order, %lu wake-ups", got, wakeups);
}
