// SPDX-License-Identifier: GPL-2.0
/*
 * share_guest: a guest whose image pages the module shares between VMs
 * (ABI 0.7), for share_test.  Its initialized data has a page of its own
 * (data_page) and a second one for the host to write (host_page); its
 * text and rodata are read-only.  Boot arguments: MODE [ARG].
 *
 *   write V   Rehearses one round (print, wait for a console byte), then
 *             prints "share: ready" and waits for a byte; stores V in
 *             data_page[0] (its first write to that page: one demand
 *             exit), prints "share: wrote" and waits for a byte, then
 *             reads data_page[0] back.
 *             Expected: exit 0, "DENALI-TEST: done share: value=V host=i"
 *             (host_page[0], as the image has it).
 *   read      As write, without the store: the values it reads are the
 *             image's, whatever other VMs or the host wrote elsewhere.
 *             Expected: exit 0, "DENALI-TEST: done share: value=5eed host=i".
 *   hostdata  After the rehearsal and "share: ready", asks the host to
 *             write console input into host_page (console_read until
 *             one byte came) and prints what landed and what the host
 *             returned for a console_read into its own text.
 *             Expected: exit 0, "DENALI-TEST: done share: host=B text=-14"
 *             with B the byte sent.
 *   text      Writes one byte into its own text: a page fault ("write
 *             ... not permitted"), the VM stops.
 *   marker    Prints its rodata marker: "DENALI-TEST: done share: marker
 *             share-marker-A", exit 0 (share_test rewrites the file's A).
 */
#include <stdbool.h>

#include "pv_check.h"

#define PAGE	4096ul
#define INITIAL	0x5eedul

/* Every access below is PV_READ/PV_WRITE: a real load or store. */
static unsigned long data_page[PAGE / sizeof(unsigned long)] __aligned(PAGE) = {
	INITIAL
};
static unsigned char host_page[PAGE] __aligned(PAGE) = { 'i' };
static const char marker[] = "share-marker-A";

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

/* The round every mode takes first: pages it needs exist by "ready". */
static void rehearse(void)
{
	printf("share: rehearsal\n");
	wait_byte();
	printf("share: ready\n");
	wait_byte();
}

static void write_read(bool write, unsigned long v)
{
	rehearse();
	if (write)
		PV_WRITE(data_page[0], v);
	printf("share: wrote\n");
	wait_byte();
	pv_done("share: value=%lx host=%c", PV_READ(data_page[0]),
		PV_READ(host_page[0]));
}

static void host_data(void)
{
	long got = 0, text;

	rehearse();
	while (!got) {
		got = ilwaco_console_read(host_page, 1);
		PV_CHECK(got >= 0, "console_read into data returned %ld", got);
		if (!got) {
			ilwaco_idle(DENALI_IDLE_FOREVER);
			ilwaco_irq_take();
		}
	}
	text = ilwaco_console_read((void *)&host_data, 1);
	pv_done("share: host=%c text=%ld", PV_READ(host_page[0]), text);
}

int main(int argc, char **argv)
{
	if (argc < 1)
		PV_FAIL("share_guest: no mode");
	if (!strcmp(argv[0], "write") && argc == 2)
		write_read(true, pv_num(argv[1]));
	if (!strcmp(argv[0], "read"))
		write_read(false, 0);
	if (!strcmp(argv[0], "hostdata"))
		host_data();
	if (!strcmp(argv[0], "text")) {
		PV_WRITE(*(unsigned char *)&host_data, 0xcc);
		PV_FAIL("wrote into its own text");
	}
	if (!strcmp(argv[0], "marker"))
		pv_done("share: marker %s", marker);
	PV_FAIL("share_guest: bad arguments");
}
