// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: `int $0x1f` with the number in RAX (docs/ABI.md).  One
 * switch, one function per call.  Every guest pointer goes through the
 * checked accessor; a bad one is the guest's error (-EFAULT), never the
 * host's problem.
 */
#include <linux/errno.h>
#include <linux/minmax.h>

#include "exits.h"
#include "hypercalls.h"
#include "vm.h"
#include "vnic.h"

static long hc_console_write(struct denali_vm *vm, u64 gva, u64 len)
{
	const char *src;

	/* The whole buffer the guest names must be its own, not just a head. */
	src = denali_guest_ptr(&vm->mem, gva, len, DENALI_PAGE_PRESENT);
	if (!src)
		return -EFAULT;
	len = min_t(u64, len, DENALI_CONSOLE_WRITE_MAX);
	denali_console_append(vm, src, len);
	return len;
}

/*
 * The FS or GS base the guest runs with: libilwaco's thread pointer
 * (musl reads %fs:0), for hosts where wrfsbase faults.  The switcher
 * loads vcpu->fs_base/gs_base on the next entry; any base below
 * DENALI_GUEST_BASE_LIMIT is harmless, as the guest reaches only its
 * own pages through it.
 */
static long hc_set_base(struct denali_vm *vm, u64 which, u64 base)
{
	if (base >= DENALI_GUEST_BASE_LIMIT)
		return -EINVAL;
	switch (which) {
	case DENALI_BASE_FS:
		vm->vcpu.fs_base = base;
		return 0;
	case DENALI_BASE_GS:
		vm->vcpu.gs_base = base;
		return 0;
	}
	return -EINVAL;
}

bool denali_hypercall(struct denali_vm *vm)
{
	struct denali_frame *r = &vm->vcpu.regs;
	long ret;

	vm->stats.hypercalls[min_t(u64, r->rax, DENALI_STATS_HYPERCALLS - 1)]++;
	switch (r->rax) {
	case DENALI_HC_EXIT:
		/* Frames queued before exit still go out. */
		denali_vnic_transmit_all(vm);
		denali_vm_stop(vm, DENALI_STOP_EXIT, (s32)r->rdi);
		return true;
	case DENALI_HC_CONSOLE_WRITE:
		ret = hc_console_write(vm, r->rdi, r->rsi);
		break;
	case DENALI_HC_NULL:
		ret = 0;
		break;
	case DENALI_HC_IDLE:
		/* Queued frames go out before the guest sleeps: no kick needed. */
		denali_vnic_transmit_all(vm);
		if (READ_ONCE(vm->stop_reason))
			return true;
		/* Returns 0, whenever it returns: the run loop waits. */
		r->rax = 0;
		denali_idle_start(vm, r->rdi);
		return false;
	case DENALI_HC_UPCALL_RETURN:
		/* Every register comes from the saved context, RAX too. */
		return !denali_upcall_return(vm);
	case DENALI_HC_NET_SETUP:
		ret = denali_hc_net_setup(vm, r->rdi);
		break;
	case DENALI_HC_NET_KICK:
		ret = denali_hc_net_kick(vm, r->rdi);
		if (READ_ONCE(vm->stop_reason))
			return true;	/* a bad descriptor stopped it */
		break;
	case DENALI_HC_CONSOLE_READ:
		ret = denali_console_input_read(vm, r->rdi, r->rsi);
		break;
	case DENALI_HC_TIME:
		ret = denali_clock_now(vm);
		break;
	case DENALI_HC_SET_BASE:
		ret = hc_set_base(vm, r->rdi, r->rsi);
		break;
	default:
		ret = -ENOSYS;
	}
	r->rax = ret;
	return false;
}
