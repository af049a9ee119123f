#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside a test machine (bench/threads.sh runs it): the same programs as
# a Denali guest and as a Linux process, in one boot, printed as CSV
# lines "lane,clock_mode,system,measure,n,ns_per_op":
#   guests/thread_switch.c   a thread switch: condvar and sched_yield
#                            hand-offs (ns per switch)
#   guests/syscall_cost.c    clock_gettime through libc and raw, and a
#                            one-byte write (ns per call)
#
#   bench/threads_vm.sh LANE MODE N REPS
set -eu
lane=$1 mode=$2 n=$3 reps=$4
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -d /sys/module/denali ] || insmod "build/kernel/$(uname -r)/denali.ko"
echo "# $lane: kernel $(uname -r)"

# thread_switch's lines as CSV for SYSTEM; fails unless both came out.
switch_csv() {
	sed -n "s/^thread_switch: \([a-z_]*\) n=\([0-9]*\) switches=[0-9]* ns_per_switch=\([0-9.-]*\)\$/$lane,$mode,$1,\1_switch,\2,\3/p" |
		tee "/tmp/threads.$1"
	[ "$(wc -l < "/tmp/threads.$1")" = 2 ]
}

# syscall_cost's line as CSV for SYSTEM.
cost_csv() {
	sed -n "s/^syscall_cost: n=\([0-9]*\) clock_gettime \([0-9.]*\) ns, syscall(clock_gettime) \([0-9.]*\) ns, write(1 byte) \([0-9.]*\) ns\$/$lane,$mode,$1,clock_gettime,\1,\2\n$lane,$mode,$1,syscall_clock_gettime,\1,\3\n$lane,$mode,$1,write_1_byte,\1,\4/p" |
		tee "/tmp/cost.$1"
	[ "$(wc -l < "/tmp/cost.$1")" = 3 ]
}

ctl=build/userspace/denalictl
$ctl create build/guests/thread_switch.img --mem 16M --foreground \
	-- "$n" "$reps" | tr -d '\r' | switch_csv denali
build/bench/thread_switch "$n" "$reps" | switch_csv linux
$ctl create build/guests/syscall_cost.img --mem 16M --foreground \
	-- "$n" | tr -d '\r' | cost_csv denali
build/bench/syscall_cost "$n" | cost_csv linux
