// SPDX-License-Identifier: GPL-2.0
/*
 * echo: the para-virtual machine in one small guest.
 *
 * It prints its boot arguments, then waits with virtual interrupts
 * enabled: console input (written to the VM's fd, e.g. by a runner)
 * arrives as an upcall whose handler echoes it back, each idle timeout
 * as another that lets the main loop print a tick once a second, and
 * DENALI_RAISE_IRQ's user interrupts are reported by number.  'q' or
 * ^D (EOT) in the input ends it with exit status 0.
 *
 *	denalictl create build/guests/echo.img --foreground -- hello world
 *
 * prints "echo: argv[0] = hello", "echo: argv[1] = world", then
 * "echo: tick 1 at 1000 ms" and so on.
 *
 * The main loop is the lost-wake-up-free way to wait: decide to sleep
 * with interrupts disabled, then idle (which returns at once if anything
 * arrived since), then enable them (which delivers what is pending).
 */
#include <ilwaco/ilwaco.h>

#define NSEC_PER_MSEC	1000000ul
#define NSEC_PER_SEC	1000000000ul
#define EOT		0x04	/* ^D: a terminal's end of input */

/*
 * Set by the handler, read by main with interrupts disabled.  No need
 * for volatile: main reads it right after ilwaco_irq_disable(), a
 * compiler barrier, and no upcall can change it from then on.
 */
static int quit;

/* The handler's own stack, so it never runs on top of main's. */
static _Alignas(16) char upcall_stack[16384];

/*
 * Echo everything waiting on the console; note a 'q' or ^D.  Control
 * characters other than newline are shown as ^X, so that what was typed
 * is visible rather than acted on by the host's terminal.
 */
static void echo_input(void)
{
	char buf[256], shown[2 * sizeof(buf) + 1];
	long n, i, len;

	while ((n = ilwaco_console_read(buf, sizeof(buf))) > 0) {
		len = 0;
		for (i = 0; i < n; i++) {
			unsigned char c = buf[i];

			if (c == 'q' || c == EOT)
				quit = 1;
			if ((c < ' ' && c != '\n') || c == 0x7f) {
				shown[len++] = '^';
				shown[len++] = c ^ 0x40;
			} else {
				shown[len++] = c;
			}
		}
		if (shown[len - 1] != '\n')
			shown[len++] = '\n';
		printf("echo: got %ld byte%s: %.*s", n, n == 1 ? "" : "s",
		       (int)len, shown);
	}
	if (n < 0)
		printf("echo: console_read failed: %ld\n", n);
}

/*
 * The upcall handler.  DENALI_IRQ_TIMER needs nothing here: the idle it
 * ended has returned to the main loop, which looks at the clock.
 */
static void on_irq(unsigned long bits, struct denali_upcall_frame *frame)
{
	unsigned int n;

	(void)frame;
	if (bits & DENALI_IRQ_CONSOLE)
		echo_input();
	for (n = 0; n < 16; n++)
		if (bits & DENALI_IRQ_USER(n))
			printf("echo: user interrupt %u\n", n);
}

int main(int argc, char **argv)
{
	unsigned long start, now, next;
	int i, ticks = 0;

	printf("echo: ABI %u.%u, VM %u, %d boot argument%s\n",
	       ILWACO_VREGS_RO->abi_major, ILWACO_VREGS_RO->abi_minor,
	       ILWACO_VREGS_RO->vm_id, argc, argc == 1 ? "" : "s");
	for (i = 0; i < argc; i++)
		printf("echo: argv[%d] = %s\n", i, argv[i]);
	printf("echo: clock %s; type to echo, 'q' or ^D to quit\n",
	       ILWACO_VREGS_RO->clock.flags & DENALI_VCLOCK_TSC_STABLE ?
	       "from the TSC" : "by hypercall");

	ilwaco_irq_init(on_irq, upcall_stack + sizeof(upcall_stack));
	start = ilwaco_time_ns();
	next = start + NSEC_PER_SEC;
	for (;;) {
		ilwaco_irq_disable();
		if (quit)
			break;
		now = ilwaco_time_ns();
		if (now < next)
			ilwaco_idle(next - now);
		ilwaco_irq_enable();

		now = ilwaco_time_ns();
		if (now >= next) {
			printf("echo: tick %d at %lu ms\n", ++ticks,
			       (now - start) / NSEC_PER_MSEC);
			next += NSEC_PER_SEC;
			/* Missed ticks (a stopped runner) are not made up. */
			if (next <= now)
				next = now + NSEC_PER_SEC;
		}
	}
	printf("echo: bye after %d tick%s\n", ticks, ticks == 1 ? "" : "s");
	return 0;
}
