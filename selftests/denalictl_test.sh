#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# denalictl as an operator uses it: `create --foreground` runs a guest
# with its console on stdout and exits with what the guest did; every bad
# argument is one clear line on stderr and a non-zero status; boot
# arguments reach the guest's argv; `console` sends its stdin to the
# guest, from a pipe or as an interactive session on a terminal; `irq`
# raises user interrupts; `stats` counts them.  Prints TAP.

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

# in_order TEXT PATTERN...: each PATTERN matches a line of TEXT, each
# below the one before.
in_order() {
	local text=$1 last=0 line pat

	shift
	for pat in "$@"; do
		line=$(echo "$text" | grep -n -m1 -e "$pat" | cut -d: -f1)
		[ -n "$line" ] && [ "$line" -gt "$last" ] || return 1
		last=$line
	done
}

# wait_console VM PATTERN: until the VM's console has a line matching
# PATTERN (60 s at most); so that a test sends its next input only once
# the guest has dealt with the last.
wait_console() {
	local i

	for i in $(seq 300); do
		"$ctl" console "$1" -n | grep -q -e "$2" && return 0
		sleep 0.2
	done
	return 1
}

# wait_until CMD...: until CMD succeeds (10 s at most), instead of a
# fixed sleep before a check that asserts the same thing.
wait_until() {
	local i

	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 4
fi
[ -e /sys/module/denali ] || insmod "$ko" || exit 1

echo "TAP version 13"
echo "1..69"

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

# Boot arguments: pv_args prints its argv and exits with argc.
run "$ctl" create "$guests/pv_args.img" --mem 1M --foreground -- \
	"one two" "" --mem -x
[ $rc = 4 ] && [ "$out" = "argc=4
argv[0]=<one two>
argv[1]=<>
argv[2]=<--mem>
argv[3]=<-x>
args_len=18" ]
ok $? "boot arguments after -- are the guest's argv, options and all"

run "$ctl" create "$guests/pv_args.img" --mem 1M --foreground --
[ $rc = 0 ] && [ "$out" = "argc=0
args_len=0" ]
ok $? "-- with nothing after it: no boot arguments"

# 16 arguments of 127 characters and their NULs: exactly 2048 bytes.
longs=()
for _ in $(seq 16); do
	longs+=("$(printf '%0127d' 0)")
done
run "$ctl" create "$guests/pv_args.img" --foreground -- "${longs[@]}"
[ $rc = 16 ] && echo "$out" | grep -q "^args_len=2048$"
ok $? "2048 bytes of boot arguments are accepted"

run "$ctl" create "$guests/pv_args.img" --name toolong --foreground -- \
	"${longs[@]}" x
[ $rc = 2 ] && [ -z "$out" ] && [ "$(echo "$err" | wc -l)" = 1 ] &&
	echo "$err" | grep -q "2050 bytes.*2 more than the 2048" &&
	! "$ctl" list | grep -q toolong
ok $? "2050 bytes of boot arguments: refused before any VM exists ($err)"

run "$ctl" create -- "$guests/pv_args.img" one
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q IMAGE
ok $? "the IMAGE must come before -- ($err)"

run "$ctl" create "$guests/pv_args.img" --mem 1M --name args-bg -- alpha beta
echo "$out" | grep -q "^id [0-9]* name args-bg pid [0-9]*$"
ok $? "a runner VM with boot arguments ($out)"
# -f ends when the VM has stopped and its console has all been read.
run timeout 60 "$ctl" console args-bg -f -n
[ $rc = 0 ] && echo "$out" | grep -q "^argv\[0\]=<alpha>$" &&
	echo "$out" | grep -q "^argv\[1\]=<beta>$" &&
	"$ctl" list | grep "args-bg" | grep -q "exit 2"
ok $? "the runner's guest got them: argv printed, exit 2"
"$ctl" destroy args-bg >/dev/null

# Console input, from a pipe, to the echo guest: it echoes what it reads,
# reports user interrupts by number, and exits 0 on 'q'.
run "$ctl" create "$top/build/guests/echo.img" --mem 1M --name echo1 -- hello
echo "$out" | grep -q "^id [0-9]* name echo1 pid [0-9]*$"
ok $? "the echo guest runs ($out)"
out=$(printf 'ping\n' | "$ctl" console echo1 2>&1)
[ $? = 0 ] && wait_console echo1 "got 5 bytes: ping"
ok $? "console without -f sends a pipe's contents and returns ($out)"
run "$ctl" irq echo1 3 5
[ $rc = 0 ] && [ -z "$err" ] && wait_console echo1 "user interrupt 5"
ok $? "irq raises user interrupt lines 3 and 5 ($err)"
run "$ctl" irq echo1 16
[ $rc = 2 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q "'16'"
ok $? "irq line 16: refused, exit 2 ($err)"
# The pipe ends after 'q'; -f then follows until the guest has exited.
out=$(printf 'q' | timeout 60 "$ctl" console echo1 -f 2>&1)
[ $? = 0 ] && in_order "$out" "argv\[0\] = hello" "got 5 bytes: ping" \
	"user interrupt 3" "user interrupt 5" "got 1 byte: q" "echo: bye"
ok $? "input and interrupts reach the guest in order, and 'q' ends it"
"$ctl" list | grep echo1 | grep -q "exit 0"
ok $? "the echo guest exited 0"

run "$ctl" stats echo1 -j
echo "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
# ping, q, and one DENALI_RAISE_IRQ: three raises at least (timeouts too).
assert s["irqs_raised"] >= 3, s
assert s["upcalls"] >= 2 and s["upcalls"] <= s["irqs_raised"], s
assert s["upcalls"] == s["hypercalls"]["upcall_return"], s
assert s["idle_sleeps"] >= 1 and s["idle_sleeps"] <= s["hypercalls"]["idle"], s
assert s["hypercalls"]["console_read"] >= 2, s
'
ok $? "stats -j counts the upcalls, idle sleeps and raised interrupts"
run "$ctl" stats echo1
[ $rc = 0 ] && echo "$out" | grep -q "^upcalls  *[1-9][0-9]*$" &&
	echo "$out" | grep -q "^idle sleeps  *[1-9][0-9]*$" &&
	echo "$out" | grep -q "^irqs raised  *[1-9][0-9]*$" &&
	echo "$out" | grep -q "^  console_read (6)  *[1-9][0-9]*$"
ok $? "stats shows them as text"

out=$(echo more | "$ctl" console echo1 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "echo: bye" && ! echo "$out" | grep -q more
ok $? "input to a stopped VM ends quietly (EPIPE), its console still printed"
run "$ctl" irq echo1 1
[ $rc = 1 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q stopped
ok $? "irq to a stopped VM: one line, exit 1 ($err)"
"$ctl" destroy echo1 >/dev/null

# More input than the module queues (4096 bytes) while the guest reads
# it: the writes are short or find no room, and everything arrives.
run "$ctl" create "$guests/pv_echo.img" --mem 1M --name echo-big -- 20000
echo "$out" | grep -q "^id [0-9]* name echo-big pid"
ok $? "a guest that checks 20000 bytes of input ($out)"
out=$(python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(20000)))' |
	timeout 60 "$ctl" console echo-big -f 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "20000 bytes in order" &&
	"$ctl" list | grep echo-big | grep -q "exit 0"
ok $? "20000 bytes through the 4096-byte queue, whole and in order"
"$ctl" destroy echo-big >/dev/null

# -n: stdin is not read, even a pipe that never ends.
"$ctl" create "$top/build/guests/echo.img" --mem 1M --name echo2 >/dev/null
timeout 20 "$ctl" console echo2 -n >/dev/null < <(exec sleep 30 2>/dev/null)
rc=$?
kill $! 2>/dev/null
ok $rc "console -n does not wait for stdin"

# An interactive session on a terminal (a pseudo-terminal here).
cat >/tmp/denalictl_pty.py <<'EOF'
import fcntl, os, select, signal, sys, termios, time

ctl, vm, how, word = sys.argv[1:5]
word = word.encode()
# The guest may echo Ctrl-C as the byte or as "^C".
ctrl_c = (b"got 1 byte: \x03", b"got 1 byte: ^C")
master, slave = os.openpty()
before = termios.tcgetattr(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.execv(ctl, [ctl, "console", vm, "-f"])
out = b""

def fail(why):
    print("FAIL:", why, repr(out[-300:]))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    sys.exit(1)

def wait_for(what, timeout=30):
    global out
    end = time.monotonic() + timeout
    while not what():
        left = end - time.monotonic()
        if left <= 0:
            return False
        if select.select([master], [], [], min(left, 0.1))[0]:
            out += os.read(master, 4096)
    return True

def raw():
    lflag = termios.tcgetattr(slave)[3]
    return not lflag & (termios.ICANON | termios.ECHO | termios.ISIG)

if not wait_for(lambda: b"Ctrl-] detaches" in out and raw()):
    fail("no session")
# Enter sends CR; the guest gets a newline.  Ctrl-C is the guest's too.
os.write(master, word + b"\r")
if not wait_for(lambda: b"got 6 bytes: " + word + b"\r\n" in out):
    fail("the keys did not reach the guest")
# The console printed so far includes earlier sessions' Ctrl-C.
def ctrl_c_echoes():
    return sum(out.count(c) for c in ctrl_c)
seen = ctrl_c_echoes()
os.write(master, b"\x03")
if not wait_for(lambda: ctrl_c_echoes() > seen):
    fail("Ctrl-C did not reach the guest")
if out.count(word) != 1:
    fail("the terminal echoed the keys")
if how == "detach":
    os.write(master, b"\x1d")
else:
    os.kill(pid, signal.SIGTERM)
status = None
def ended():
    global status
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = st
    return status is not None
if not wait_for(ended):
    fail("still running")
if how == "detach" and not (os.WIFEXITED(status) and
                            os.WEXITSTATUS(status) == 0):
    fail("Ctrl-] did not end it with 0: %#x" % status)
if how == "term" and not (os.WIFSIGNALED(status) and
                          os.WTERMSIG(status) == signal.SIGTERM):
    fail("SIGTERM did not end it as SIGTERM would: %#x" % status)
if termios.tcgetattr(slave) != before:
    fail("the terminal was left changed")
print("ok")
EOF
out=$(python3 /tmp/denalictl_pty.py "$ctl" echo2 detach typed 2>&1)
[ "$out" = ok ]
ok $? "a terminal session: keys and Ctrl-C to the guest, no echo, Ctrl-] detaches ($out)"
"$ctl" list | grep echo2 | grep -q running
ok $? "the VM runs on after the session detached"
out=$(python3 /tmp/denalictl_pty.py "$ctl" echo2 term again 2>&1)
[ "$out" = ok ]
ok $? "SIGTERM during a session puts the terminal back ($out)"
out=$("$ctl" console echo2 -n)
echo "$out" | grep -q "got 6 bytes: typed" &&
	echo "$out" | grep -q "got 6 bytes: again"
ok $? "the session's input is in the VM's console"
"$ctl" destroy echo2 >/dev/null
rm -f /tmp/denalictl_pty.py

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
wait_console bg-one "^spin "
run "$ctl" console bg-one
[ $rc = 0 ] && echo "$out" | grep -q "^spin "
ok $? "console prints what the guest wrote"
out=$(timeout 6 "$ctl" console bg-one -f)
[ $? = 124 ] && [ "$(echo "$out" | grep -c "^spin ")" -ge 2 ]
ok $? "console -f follows new output until interrupted"
run "$ctl" destroy bg-one
wait_until eval '! kill -0 $pid 2>/dev/null'
[ $rc = 0 ] && ! kill -0 $pid 2>/dev/null && ! "$ctl" list | grep -q bg-one
ok $? "destroy by name ends the VM and its runner"
# NICs: --bridge attaches the VM's interface to a Linux bridge (with
# libnl-route) and brings it up; a missing bridge is one sentence naming
# it, and the VM is not left half-made.
refl=$top/build/guests/reflector.img
run "$ctl" create "$refl" --mem 8M --name nic-bad --bridge dnct-nobr
[ $rc = 1 ] && echo "$err" | grep -q "bridge 'dnct-nobr' does not exist" &&
	! "$ctl" list | grep -q nic-bad && ! ip -o link | grep -q ': dn[0-9]'
ok $? "create --bridge of a missing bridge: one line, nothing left ($err)"
modprobe bridge 2>/dev/null
ip link add dnct-br type bridge && ip link set dnct-br up
run "$ctl" create "$refl" --mem 8M --name nic-one --bridge dnct-br \
	--nic ifname=dnct-two
[ $rc = 0 ] && wait_console nic-one "2 NICs up"
ok $? "create --bridge --nic: the guest sees 2 NICs"
ifn=$(ls /sys/class/net/dnct-br/brif 2>/dev/null)
[ "$(echo $ifn | wc -w)" = 1 ] && case $ifn in dn[0-9]*) true ;; *) false ;; esac &&
	ip -o link show "$ifn" | grep -q "state UP\|,UP" &&
	[ -e /sys/class/net/dnct-two ] && [ ! -e /sys/class/net/dnct-two/master ]
ok $? "one NIC on the bridge and up ($ifn), the other left alone"
# list and stats name each VM's interfaces (found by their ethtool
# bus_info, so under any name) and count what went through them: 40
# frames sent to NIC 1 from a packet socket come back, and both
# directions' counters, the device's and the driver's, say exactly 40.
ifn0=$ifn
echo 1 >/proc/sys/net/ipv6/conf/dnct-two/disable_ipv6 2>/dev/null
ip link set dnct-two up
python3 - dnct-two <<'PYEOF'
import socket, sys, time
ifname = sys.argv[1]
mac = bytes.fromhex(open("/sys/class/net/%s/address" % ifname).read().strip().replace(":", ""))
guest = b"\x02" + mac[1:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b6))
s.bind((ifname, 0x88b6))
s.settimeout(5)
for i in range(40):
    s.send(guest + b"\x02\x00\x00\x00\x00\x01\x88\xb6" + bytes([i]) * 86)
    while True:
        f, addr = s.recvfrom(2048)
        if addr[2] != socket.PACKET_OUTGOING:
            break
PYEOF
ok $? "40 frames to the second NIC come back"
run "$ctl" list
row=$(echo "$out" | grep " nic-one ")
[ $rc = 0 ] && echo "$out" | head -1 | grep -q " NICS  *STATUS$" &&
	echo "$row" | grep -q " $ifn0,dnct-two  *running$"
ok $? "list shows the VM's interfaces ($row)"
run "$ctl" list -j
[ $rc = 0 ] && echo "$out" | python3 -c '
import json, sys
v = {x["name"]: x for x in json.load(sys.stdin)}
assert v["nic-one"]["nics"] == [sys.argv[1], "dnct-two"], v["nic-one"]
assert v["bg-two"]["nics"] == []' "$ifn0"
ok $? "list -j: each VM's interfaces"
run "$ctl" stats nic-one
nic1=$(echo "$out" | sed -n '/^NIC 1 dnct-two /,$p')
[ $rc = 0 ] && echo "$out" | grep -q "^NIC 0 $ifn0 " &&
	echo "$nic1" | grep -q "^rx packets  *40$" &&
	echo "$nic1" | grep -q "^tx packets  *40$" &&
	echo "$nic1" | grep -q "^rx bytes  *4000$" &&
	echo "$nic1" | grep -q "^tx dropped  *0$" &&
	echo "$nic1" | grep -q "^to_guest_packets  *40$" &&
	echo "$nic1" | grep -q "^from_guest_packets  *40$" &&
	echo "$nic1" | grep -q "^drop_no_buffer  *0$"
ok $? "stats counts the 40 frames on NIC 1, both ways"
run "$ctl" stats nic-one -j
[ $rc = 0 ] && echo "$out" | python3 -c '
import json, sys
n = json.load(sys.stdin)["nics"]
assert [x["ifname"] for x in n] == [sys.argv[1], "dnct-two"], n
assert n[1]["nic"] == 1 and n[1]["tx_packets"] == 40 and n[1]["rx_packets"] == 40, n[1]
assert n[1]["ethtool"]["to_guest_bytes"] == 4000 and n[1]["ethtool"]["drop_too_big"] == 0, n[1]' "$ifn0"
ok $? "stats -j: the NICs' counters"
# Renamed, it is still the VM's.
ip link set dnct-two down && ip link set dnct-two name dnct-2nd
"$ctl" list | grep " nic-one " | grep -q " $ifn0,dnct-2nd "
ok $? "list follows a renamed interface"
ip link set dnct-2nd name dnct-two
run "$ctl" create "$refl" --mem 8M --nic mac=01:00:00:00:00:01
[ $rc = 2 ] && echo "$err" | grep -q "not a unicast MAC address"
ok $? "create --nic with a multicast MAC: usage error ($err)"
run "$ctl" destroy nic-one
wait_until eval '[ -z "$(ls /sys/class/net/dnct-br/brif)" ] && [ ! -e /sys/class/net/dnct-two ]'
[ $rc = 0 ] && [ -z "$(ls /sys/class/net/dnct-br/brif)" ] &&
	[ ! -e /sys/class/net/dnct-two ]
ok $? "destroy removes the VM's interfaces"
ip link del dnct-br

# The module's own switch (ABI 0.7): --nic switch=NAME makes a port with
# no interface of its own; NAME is the switch's uplink, there while it
# has ports.  stats reads a port's counters from the module.
run "$ctl" create "$refl" --mem 8M --nic switch=dnct-sw,ifname=dnct-x
[ $rc = 2 ] && echo "$err" | grep -q "switch= takes neither bridge= nor ifname="
ok $? "create --nic switch= with ifname=: usage error ($err)"
run "$ctl" create "$refl" --mem 8M --name sw-one --nic switch=dnct-sw,mac=02:00:00:5e:00:01
[ $rc = 0 ] && wait_console sw-one "1 NICs up" && [ -e /sys/class/net/dnct-sw ] &&
	! ip -o link | grep -q ': dn[0-9]'
ok $? "create --nic switch=: the uplink exists, the VM has no interface"
run "$ctl" create "$refl" --mem 8M --name sw-dup --nic switch=dnct-sw,mac=02:00:00:5e:00:01
[ $rc = 1 ] && echo "$err" | grep -q "02:00:00:5e:00:01 is already a port of switch 'dnct-sw'" &&
	! "$ctl" list | grep -q sw-dup
ok $? "a second port with the same MAC: refused, nothing left ($err)"
echo 1 >/proc/sys/net/ipv6/conf/dnct-sw/disable_ipv6 2>/dev/null
ip link set dnct-sw up
python3 - dnct-sw <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b6))
s.bind((sys.argv[1], 0x88b6))
s.settimeout(5)
guest = bytes.fromhex("0200005e0001")
for i in range(20):
    s.send(guest + b"\x02\x00\x00\x00\x00\x01\x88\xb6" + bytes([i]) * 86)
    while True:
        f, addr = s.recvfrom(2048)
        if addr[2] != socket.PACKET_OUTGOING:
            break
PYEOF
ok $? "20 frames through the switch's uplink come back"
run "$ctl" stats sw-one
nic0=$(echo "$out" | sed -n '/^NIC 0 port of switch dnct-sw /,$p')
[ $rc = 0 ] && echo "$nic0" | grep -q "^rx packets  *20$" &&
	echo "$nic0" | grep -q "^tx packets  *20$" &&
	echo "$nic0" | grep -q "^to_guest_bytes  *2000$" &&
	echo "$nic0" | grep -q "^drop_spoofed  *0$"
ok $? "stats: the switch port's counters, from the module"
run "$ctl" stats sw-one -j
[ $rc = 0 ] && echo "$out" | python3 -c '
import json, sys
n = json.load(sys.stdin)["nics"]
assert len(n) == 1 and n[0]["switch"] == "dnct-sw" and n[0]["rx_packets"] == 20, n
assert n[0]["ethtool"]["from_guest_bytes"] == 2000, n'
ok $? "stats -j: the port, named by its switch"
run "$ctl" destroy sw-one
sleep 1
[ $rc = 0 ] && [ ! -e /sys/class/net/dnct-sw ]
ok $? "destroying the last port removes the uplink"

rmmod denali 2>/dev/null
ok $([ $? != 0 ]; echo $?) "rmmod is refused while a VM exists"
run "$ctl" destroy --all
wait_until eval '[ -z "$("$ctl" list | grep bg-)" ]'
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
