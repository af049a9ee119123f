#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# denalictl as an operator uses it: `create --foreground` runs a guest
# with its console on stdout and exits with what the guest did; every bad
# argument is one clear line on stderr and a non-zero status.  Prints TAP.

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
ctl=$top/build/userspace/denalictl
guests=$here/guests
ko=$top/build/kernel/$(uname -r)/denali.ko
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

# run CMD...: sets out, err and rc
run() {
	out=$("$@" 2>/tmp/denalictl_test.err)
	rc=$?
	err=$(cat /tmp/denalictl_test.err)
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 4
fi
[ -e /sys/module/denali ] || insmod "$ko" || exit 1

echo "TAP version 13"
echo "1..27"

run "$ctl" create "$top/build/guests/hello.img" --mem 4M --foreground
[ $rc = 0 ] && [ "$out" = "Hello from a Denali guest!" ]
ok $? "hello: console on stdout, exit 0"

run "$ctl" create "$guests/exit_status.img" --foreground
[ $rc = 7 ] && [ "$out" = "exit_status: about to exit 7" ]
ok $? "exit status of the guest is the tool's (7)"

run "$ctl" create "$guests/halt.img" --foreground
[ $rc = 0 ] && [ "$out" = "halt: halting" ] && echo "$err" | grep -q "halted"
ok $? "a halting guest: says so, exit 0"

run "$ctl" create "$guests/crash_cli.img" --name crasher --foreground
[ $rc = 125 ] && [ "$out" = "crash_cli: about to cli" ] &&
	echo "$err" | grep -q "crasher.*crashed: privileged instruction: cli" &&
	echo "$err" | grep -q "vector 13" && echo "$err" | grep -q "rip 0x"
ok $? "a crashing guest: the report on stderr, exit 125"

"$ctl" create "$guests/spin.img" --mem 1M --name spinner --foreground \
	>/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid
ok $([ $? = 130 ]; echo $?) "SIGINT stops a spinning VM: exit 130"

run "$ctl" create "$guests/exit_status.img" --mem 12X --foreground
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ] && [ -z "$out" ]
ok $? "bad size suffix: one line, exit 2 ($err)"

run "$ctl" create "$guests/exit_status.img" --mem 1000000 --foreground
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ]
ok $? "size not a multiple of 4K: one line, exit 2 ($err)"

run "$ctl" create "$guests/exit_status.img" --mem 2G --foreground
[ $rc = 1 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q "outside"
ok $? "size over the module's limit: the module's reason ($err)"

run "$ctl" create /nonexistent.img --foreground
[ $rc != 0 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q nonexistent
ok $? "missing image: one line naming it ($err)"

run "$ctl" create /etc/passwd --foreground
[ $rc = 1 ] && echo "$err" | grep -q "not an ELF"
ok $? "not an ELF image: the module's reason ($err)"

run "$ctl" create / --foreground
[ $rc != 0 ] && [ "$(echo "$err" | wc -l)" = 1 ]
ok $? "a directory as image: one line ($err)"

run "$ctl" create "$guests/exit_status.img" --name 'bad name' --foreground
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ]
ok $? "bad name: one line, exit 2 ($err)"

run "$ctl" create "$guests/exit_status.img" --frobnicate --foreground
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ]
ok $? "unknown option: one line, exit 2 ($err)"

run "$ctl" frobnicate
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ]
ok $? "unknown verb: one line, exit 2"

run "$ctl" version
[ $rc = 0 ] && echo "$out" | grep -q "denali.ko .*ABI"
ok $? "version names the module's ABI"

# Runner processes, list, stats, destroy, and a clean unload after.
run "$ctl" create "$guests/spin_report.img" --mem 1M --name bg-one
echo "$out" | grep -q "^id [0-9]* name bg-one pid [0-9]*$"
ok $? "create without --foreground leaves a runner ($out)"
pid=$(echo "$out" | awk '{print $6}')
"$ctl" create "$guests/spin.img" --mem 1M --name bg-two >/dev/null
tr '\0' ' ' </proc/$pid/cmdline | grep -q "^denali:bg-one"
ok $? "the runner is denali:bg-one in ps"
run "$ctl" list
[ $rc = 0 ] && echo "$out" | grep -q "bg-one" && echo "$out" | grep -q "bg-two"
ok $? "list shows both VMs"
run "$ctl" stats bg-one
[ $rc = 0 ] && [ -n "$out" ]
ok $? "stats of a running VM"
run "$ctl" list -j
[ $rc = 0 ] && echo "$out" | python3 -c 'import json, sys; v = json.load(sys.stdin); assert {x["name"] for x in v} >= {"bg-one", "bg-two"}'
ok $? "list -j is JSON naming both VMs"
sleep 3
run "$ctl" console bg-one
[ $rc = 0 ] && echo "$out" | grep -q "^spin "
ok $? "console prints what the guest wrote"
out=$(timeout 6 "$ctl" console bg-one -f)
[ $? = 124 ] && [ "$(echo "$out" | grep -c "^spin ")" -ge 2 ]
ok $? "console -f follows new output until interrupted"
run "$ctl" destroy bg-one
sleep 1
[ $rc = 0 ] && ! kill -0 $pid 2>/dev/null && ! "$ctl" list | grep -q bg-one
ok $? "destroy by name ends the VM and its runner"
rmmod denali 2>/dev/null
ok $([ $? != 0 ]; echo $?) "rmmod is refused while a VM exists"
run "$ctl" destroy --all
sleep 1
[ $rc = 0 ] && [ -z "$("$ctl" list | grep bg-)" ]
ok $? "destroy --all ($out)"

rmmod denali
ok $? "rmmod after destroy --all"
run "$ctl" version
[ $rc != 0 ] && echo "$err" | grep -q "not loaded"
ok $? "version without the module: says it is not loaded ($err)"
insmod "$ko"

rm -f /tmp/denalictl_test.err
exit $failed
