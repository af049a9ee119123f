/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the world switch, for perf and trace-cmd:
 *   denali:denali_vm_entry  a VM is about to run (id, RIP)
 *   denali:denali_vm_exit   it came back (id, vector or exit code, RIP)
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM denali

#if !defined(DENALI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define DENALI_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(denali_vm_entry,
	TP_PROTO(u32 vm, u64 rip),
	TP_ARGS(vm, rip),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->rip = rip;
	),
	TP_printk("vm %u rip %#llx", __entry->vm, __entry->rip)
);

TRACE_EVENT(denali_vm_exit,
	TP_PROTO(u32 vm, unsigned int code, u64 rip),
	TP_ARGS(vm, code, rip),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(unsigned int, code)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->code = code;
		__entry->rip = rip;
	),
	TP_printk("vm %u exit %#x rip %#llx", __entry->vm, __entry->code,
		  __entry->rip)
);

#endif /* DENALI_TRACE_H */

/* The kernel's define_trace.h looks for this file by path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
