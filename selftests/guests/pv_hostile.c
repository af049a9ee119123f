// SPDX-License-Identifier: GPL-2.0
/*
 * pv_hostile: a guest that writes nonsense into its writable virtual
 * register page.  The monitor trusts nothing there: what it cannot use
 * stops this VM with a crash report (cause DENALI_CRASH_VREGS), what it
 * can ignore it ignores, and the host carries on.
 *
 * Boot arguments select the nonsense.  The modes that need an upcall
 * expect the host to have raised an interrupt before the run.
 *
 *   entry ADDR
 *	Enables interrupts with upcall_entry = ADDR and yields.  ADDR
 *	outside guest memory must crash the VM; if the guest carries on
 *	it prints "entry: survived\n" and exits 1.
 *
 *   stack ADDR
 *	Like entry, with a valid entry and upcall_stack = ADDR.
 *
 *   frame HOW [ADDR]
 *	The handler changes the saved frame before returning: "none"
 *	(nothing), "cs" (cs = 0x10, a kernel selector), "ss" (ss = 0x18),
 *	"iopl" (IOPL 3 and NT set in rflags), "rip ADDR" (rip = ADDR),
 *	"jump" (rip = a function that exits with PV_JUMP_STATUS).  A guest
 *	that resumes prints "DENALI-TEST: done frame: resumed with
 *	rflags 0xF\n" and exits 0 if IOPL and NT are clear, else 1.
 *
 *   bogus
 *	Sets pending bits outside DENALI_IRQ_ALL.  With interrupts enabled
 *	no upcall may come for them (the host checks the upcall count: the
 *	library would hide an empty one), and with interrupts disabled an
 *	idle of PV_BOGUS_IDLE_NS must last its full timeout and end with
 *	DENALI_IRQ_TIMER the only valid bit pending.  Expected:
 *	exit 0 and "DENALI-TEST: done bogus: ignored, idle slept N ns\n".
 *
 * Any failure prints "DENALI-TEST: fail pv_hostile.c:LINE: ..." and exits 1.
 */
#include "pv_check.h"

#define PV_STACK_BYTES		16384
#define PV_KERNEL_CS		0x10
#define PV_KERNEL_SS		0x18
#define X86_EFLAGS_IOPL		0x3000ul
#define X86_EFLAGS_NT		0x4000ul
#define PV_JUMP_STATUS		42
#define PV_BOGUS		(1ul << 3 | 1ul << 15 | 1ul << 32 | 1ul << 63)
#define PV_BOGUS_IDLE_NS	20000000ul

static _Alignas(16) unsigned char irq_stack[PV_STACK_BYTES];
static unsigned long upcalls;
static const char *frame_how;
static unsigned long frame_addr;

static void count(unsigned long bits, struct denali_upcall_frame *frame)
{
	(void)bits;
	(void)frame;
	PV_INC(upcalls);
}

static int try_entry(unsigned long addr)
{
	ILWACO_VREGS_RW->upcall_stack = 0;
	ILWACO_VREGS_RW->upcall_entry = addr;
	ILWACO_VREGS_RW->irq_enabled = 1;
	denali_idle(0);
	ILWACO_VREGS_RW->irq_enabled = 0;
	PV_FAIL("entry: survived with upcall_entry 0x%lx", addr);
}

static int try_stack(unsigned long addr)
{
	ilwaco_irq_init(count, irq_stack + sizeof(irq_stack));
	ILWACO_VREGS_RW->upcall_stack = addr;
	ilwaco_irq_enable();
	ilwaco_irq_disable();
	PV_FAIL("stack: survived with upcall_stack 0x%lx, %lu upcalls", addr,
		PV_READ(upcalls));
}

static _Noreturn void jump_target(void)
{
	denali_exit(PV_JUMP_STATUS);
}

static void edit_frame(unsigned long bits, struct denali_upcall_frame *frame)
{
	(void)bits;
	PV_INC(upcalls);
	if (!strcmp(frame_how, "cs"))
		frame->cs = PV_KERNEL_CS;
	else if (!strcmp(frame_how, "ss"))
		frame->ss = PV_KERNEL_SS;
	else if (!strcmp(frame_how, "iopl"))
		frame->rflags |= X86_EFLAGS_IOPL | X86_EFLAGS_NT;
	else if (!strcmp(frame_how, "rip"))
		frame->rip = frame_addr;
	else if (!strcmp(frame_how, "jump"))
		frame->rip = (unsigned long)jump_target;
}

static int try_frame(const char *how, unsigned long addr)
{
	unsigned long flags;

	frame_how = how;
	frame_addr = addr;
	ilwaco_irq_init(edit_frame, irq_stack + sizeof(irq_stack));
	ilwaco_irq_enable();
	flags = pv_rflags();
	PV_CHECK(PV_READ(upcalls) == 1, "%lu upcalls", PV_READ(upcalls));
	PV_CHECK(!(flags & (X86_EFLAGS_IOPL | X86_EFLAGS_NT)),
		 "IOPL or NT survived upcall_return");
	pv_done("frame: resumed with rflags 0x%lx", flags);
}

static int try_bogus(void)
{
	unsigned long t0, t1, left;

	ilwaco_irq_init(count, irq_stack + sizeof(irq_stack));
	__atomic_or_fetch(&ILWACO_VREGS_RW->pending, PV_BOGUS,
			  __ATOMIC_SEQ_CST);
	ilwaco_irq_enable();
	denali_null();
	ilwaco_yield();
	ilwaco_irq_disable();
	/*
	 * The monitor may leave the bogus bits or clear them; nothing else
	 * may appear.  An upcall would not show here (the library takes
	 * only DENALI_IRQ_ALL bits and skips the handler for none), so the
	 * host checks the upcall count.
	 */
	PV_CHECK(!(ILWACO_VREGS_RW->pending & DENALI_IRQ_ALL),
		 "pending is 0x%lx", (unsigned long)ILWACO_VREGS_RW->pending);
	PV_CHECK(PV_READ(upcalls) == 0, "%lu upcalls", PV_READ(upcalls));

	t0 = ilwaco_time_ns();
	denali_idle(PV_BOGUS_IDLE_NS);
	t1 = ilwaco_time_ns();
	left = __atomic_exchange_n(&ILWACO_VREGS_RW->pending, 0,
				   __ATOMIC_SEQ_CST);
	PV_CHECK(t1 - t0 >= PV_BOGUS_IDLE_NS, "idle returned after %lu ns",
		 t1 - t0);
	PV_CHECK((left & DENALI_IRQ_ALL) == DENALI_IRQ_TIMER,
		 "pending after idle is 0x%lx", left);
	pv_done("bogus: ignored, idle slept %lu ns", t1 - t0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[0], "entry"))
		return try_entry(pv_num(argv[1]));
	if (argc == 2 && !strcmp(argv[0], "stack"))
		return try_stack(pv_num(argv[1]));
	if (argc >= 2 && argc <= 3 && !strcmp(argv[0], "frame"))
		return try_frame(argv[1], pv_num(argv[2]));
	if (argc == 1 && !strcmp(argv[0], "bogus"))
		return try_bogus();
	PV_FAIL("pv_hostile: bad arguments");
}
