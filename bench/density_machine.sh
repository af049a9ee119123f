#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The density benchmark's body, run inside one test machine by
# bench/density.sh (tools/testvm/run --mem): how many live VMs the
# machine holds and what each costs, in three ways of holding them.
#
#   bench/density_machine.sh LANE
#
#   threads  one process (build/bench/density_bench -r) creates N ping
#            VMs (selftests/guests mem_touch "ping", 1 MiB demand-zero)
#            and runs each in a worker thread: the module's own cost,
#            no runner process per VM
#   runners  `denalictl create` per VM: a runner process each (today's
#            way), or with DENSITY_RUNNER=NAME `denalictl create --runner
#            NAME` (many VMs per runner, once the runner branch is in)
#   web      web VMs (build/guests/web.img), each on a NIC of its own on
#            a Linux bridge (at most 1,000 ports a bridge, so a bridge per
#            thousand), each answering one HTTP request
#
# Prints CSV lines "lane,mode,key,value" (keys: bench/density_bench.c),
# and "lane,mode,step,VMS,SECONDS,MEMAVAILABLE_KB" for the plot.
#
# Environment: DENSITY_THREADS_N (20000), DENSITY_RUNNERS_N (1000),
# DENSITY_WEB_N (1000), DENSITY_RUNNER (unset), DENSITY_IDLE_S (5).

set -u
lane=${1:?usage: density_machine.sh LANE}
top=$(cd "$(dirname "$0")/.." && pwd)
# Programs and images copied to tmpfs: from the 9p share every exec and
# every image read is a round trip to the host, which would be measured
# instead of Denali (density_bench copies its own image and yardstick).
shm=/dev/shm/density
mkdir -p "$shm" || exit 1
cp "$top/build/userspace/denalictl" "$top/build/kselftest/denali/guests/mem_touch.img" \
	"$top/build/guests/web.img" "$shm/" || exit 1
ctl=$shm/denalictl
bench=$top/build/bench/density_bench
image=$shm/mem_touch.img
threads_n=${DENSITY_THREADS_N:-20000}
runners_n=${DENSITY_RUNNERS_N:-1000}
web_n=${DENSITY_WEB_N:-1000}
idle_s=${DENSITY_IDLE_S:-5}
status=0

emit() { sed "s/^/$lane,$1,/"; }
memavail() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

insmod "$top/build/kernel/$(uname -r)/denali.ko" || exit 1
# Tens of thousands of threads and processes: lift the defaults sized for
# a small machine.
echo 4194304 >/proc/sys/kernel/pid_max
echo 4194304 >/proc/sys/kernel/threads-max
sysctl -qw vm.max_map_count=4194304
ulimit -n 1048576
ulimit -u unlimited
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6

echo "# machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB, $(uname -r)"

# ---- 1. one process, a worker thread per VM --------------------------------
"$bench" -n "$threads_n" -s 1000 -r -i "$idle_s" -f 500 "$image" |
	emit threads || status=1

# ---- 2. runner processes ---------------------------------------------------
runner_opt=()
[ -n "${DENSITY_RUNNER:-}" ] && runner_opt=(--runner "$DENSITY_RUNNER")
before=$(memavail)
echo "step,0,0,$before" | emit runners
t0=$(date +%s.%N)
for ((i = 1; i <= runners_n; i++)); do
	"$ctl" create "$image" --mem 1M --name "d$i" "${runner_opt[@]}" \
		-- ping >/dev/null || { echo "# runners: create $i failed" >&2; status=1; break; }
	((i % 100 == 0)) &&
		echo "step,$i,$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'),$(memavail)" |
		emit runners
done
t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
created=$((i - 1))
{
	echo "vms,$created"
	echo "create_s,$t"
	awk -v n="$created" -v t="$t" 'BEGIN { printf "create_per_s,%.1f\n", n / t }'
	# Let the last ones reach their idle before measuring.
	sleep 5
	during=$(memavail)
	echo "memavail_drop_kb,$((before - during))"
	echo "per_vm_all_in_bytes,$(((before - during) * 1024 / created))"
	rss=$(ps -eo rss=,args= | awk '$2 ~ /^denali:/ { s += $1 } END { print s + 0 }')
	echo "runner_rss_bytes_per_vm,$((rss * 1024 / created))"
	"$bench" -e -i "$idle_s" | grep -v '^vms,'
} | emit runners || status=1
"$ctl" destroy --all >/dev/null
sleep 2
echo "memavail_after_kb,$(memavail)" | emit runners

# ---- 3. web VMs, a NIC each ------------------------------------------------
modprobe bridge 2>/dev/null
before=$(memavail)
echo "step,0,0,$before" | emit web
t0=$(date +%s.%N)
nbr=0
for ((i = 0; i < web_n; i++)); do
	b=$((i / 1000))
	if [ "$b" -ge "$nbr" ]; then
		ip link add "dsb$b" type bridge &&
		ip addr add "10.$((90 + b)).0.1/16" dev "dsb$b" &&
		ip link set "dsb$b" up || { status=1; break; }
		nbr=$((b + 1))
	fi
	k=$((i % 1000 + 2))
	"$ctl" create "$shm/web.img" --mem 12M --name "w$i" \
		--bridge "dsb$b" -- "ip=10.$((90 + b)).$((k / 256)).$((k % 256))/16" \
		-p 80 -t 1 >/dev/null ||
		{ echo "# web: create $i failed" >&2; status=1; break; }
	(((i + 1) % 100 == 0)) &&
		echo "step,$((i + 1)),$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'),$(memavail)" |
		emit web
done
web_made=$i
t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
{
	echo "vms,$web_made"
	echo "create_s,$t"
	sleep 10
	during=$(memavail)
	echo "memavail_drop_kb,$((before - during))"
	[ "$web_made" -gt 0 ] &&
		echo "per_vm_all_in_bytes,$(((before - during) * 1024 / web_made))"
	"$ctl" list -j | python3 -c '
import json, sys
v = json.load(sys.stdin)
n = max(len(v), 1)
print("resident_pages_per_vm,%.2f" % (sum(x.get("resident_pages", 0) for x in v) / n))
print("host_bytes_per_vm,%.0f" % (sum(x.get("host_bytes", 0) for x in v) / n))'
	rss=$(ps -eo rss=,args= | awk '$2 ~ /^denali:/ { s += $1 } END { print s + 0 }')
	[ "$web_made" -gt 0 ] && echo "runner_rss_bytes_per_vm,$((rss * 1024 / web_made))"
	ok=0
	t0=$(date +%s.%N)
	for ((i = 0; i < web_made; i++)); do
		b=$((i / 1000)) k=$((i % 1000 + 2))
		curl -s -m 20 -o /dev/null -w '%{http_code}\n' \
			"http://10.$((90 + b)).$((k / 256)).$((k % 256))/index.html" |
			grep -q '^200$' && ok=$((ok + 1))
	done
	echo "http_answered,$ok"
	echo "http_s,$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
	[ "$ok" = "$web_made" ] || exit 1
} | emit web || status=1
"$ctl" destroy --all >/dev/null
for ((b = 0; b < nbr; b++)); do ip link del "dsb$b" 2>/dev/null; done
exit $status
