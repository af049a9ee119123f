#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The web benchmark's body, run inside one test machine by bench/web.sh
# (tools/testvm/run): one web VM (build/guests/web.img, 12 MiB, on a
# bridge) beside the Linux build of the same server (build/guests/
# web-native) in a network namespace behind a veth pair, both with 8
# workers, measured in turn from the machine's root namespace with
# httperf, the paper's load generator.
#
#   bench/web_machine.sh LANE CLOCK_MODE
#
# Prints CSV lines "lane,clock_mode,server,workload,rate,measure,value":
#   server    denali | native
#   workload  small (the 2 KiB documents in turn, one request per
#             connection), large (the 131,072-byte document, the same),
#             stream (the large document 200 times on one keep-alive
#             connection: TCP throughput server -> host)
#   measure   replies_per_s (2xx replies / test duration), conn_ms (mean
#             connection time: connect to close), errors (httperf's
#             total), kB_per_s (stream), crossings_per_request (the VM's
#             exits of every kind during the run, per reply: a count),
#             clock_reads_per_request (those of them that were the time
#             hypercall: a clock read is an exit where the monitor does
#             not mark the VM's TSC stable, as in the TCG lanes)
# A server that does not answer is reported as "# not measured: ...",
# and the script exits 3 (the other server's figures are still printed).
#
# Environment: BENCH_WEB_SMALL_RATES, BENCH_WEB_LARGE_RATES (connections
# per second offered), BENCH_WEB_SECS (seconds of load per rate, 4).

set -u
lane=${1:?usage: web_machine.sh LANE CLOCK_MODE}
mode=${2:?usage: web_machine.sh LANE CLOCK_MODE}
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/build/userspace/denalictl
htdocs=$top/guests/web/htdocs
small_rates=${BENCH_WEB_SMALL_RATES:-10 20 40 80 160}
large_rates=${BENCH_WEB_LARGE_RATES:-5 10 20 40}
secs=${BENCH_WEB_SECS:-4}
vm_ip=10.88.0.2
ns_ip=10.88.1.2
status=0

cleanup() {
	"$ctl" destroy webbench >/dev/null 2>&1
	ip link del wbbr 2>/dev/null
	[ -n "${native_pid:-}" ] && kill "$native_pid" 2>/dev/null
	ip netns del wbn 2>/dev/null
}
trap cleanup EXIT

insmod "$top/build/kernel/$(uname -r)/denali.ko" || exit 1
# No IPv6 chatter from the host (solicitations, MLD) in the VM's counts.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
modprobe bridge 2>/dev/null
modprobe veth 2>/dev/null

# The VM on its bridge.
ip link add wbbr type bridge && ip addr add 10.88.0.1/24 dev wbbr &&
	ip link set wbbr up || exit 1
"$ctl" create "$top/build/guests/web.img" --mem 12M --name webbench \
	--bridge wbbr -- "ip=$vm_ip/24" gw=10.88.0.1 -p 80 -t 8 >&2 || exit 1

# The native server in a namespace, behind a veth pair: like the VM, it
# is reached through a virtual link, not loopback.
ip netns add wbn || exit 1
ip link add wbh type veth peer name wbn netns wbn || exit 1
ip addr add 10.88.1.1/24 dev wbh && ip link set wbh up || exit 1
ip -n wbn addr add "$ns_ip/24" dev wbn && ip -n wbn link set wbn up &&
	ip -n wbn link set lo up || exit 1
ip netns exec wbn "$top/build/guests/web-native" -p 80 -r "$htdocs" -t 8 \
	>/dev/null &
native_pid=$!

# The URIs of the small documents, for httperf --wlog (NUL-separated).
uris=$(mktemp)
for f in "$htdocs"/*.html; do
	[ "$(stat -c %s "$f")" -le 4096 ] && printf '/%s\0' "$(basename "$f")"
done >"$uris"

up() {
	local i
	for i in $(seq 60); do
		curl -s -o /dev/null --max-time 2 "http://$1/" && return 0
		sleep 1
	done
	return 1
}

# The VM's exits of every kind, and its clock-read hypercalls: "N T".
vm_exits() {
	"$ctl" stats webbench -j | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(sum(s["exits"].values()), s.get("hypercalls", {}).get("time", 0))'
}

# One httperf run: SERVER IP WORKLOAD RATE ARGS...; prints the CSV lines.
run() {
	local server=$1 ip=$2 workload=$3 rate=$4 out dur ok conn err kb
	local e0="0 0" e1="0 0"
	shift 4
	[ "$server" = denali ] && e0=$(vm_exits)
	out=$(httperf --hog --server "$ip" --port 80 --timeout 5 "$@" 2>&1)
	[ "$server" = denali ] && e1=$(vm_exits)
	dur=$(sed -n 's/^Total: .* test-duration \([0-9.]*\) s.*/\1/p' <<<"$out")
	ok=$(sed -n 's/^Reply status: .*2xx=\([0-9]*\).*/\1/p' <<<"$out")
	conn=$(sed -n 's/^Connection time \[ms\]: min [0-9.]* avg \([0-9.]*\).*/\1/p' <<<"$out")
	err=$(sed -n 's/^Errors: total \([0-9]*\).*/\1/p' <<<"$out")
	kb=$(sed -n 's/^Net I\/O: \([0-9.]*\) KB\/s.*/\1/p' <<<"$out")
	if [ -z "$dur" ] || [ -z "$ok" ]; then
		echo "# httperf failed: $server $workload $rate: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
		return 1
	fi
	awk -v p="$lane,$mode,$server,$workload,$rate" -v ok="$ok" \
	    -v dur="$dur" -v conn="${conn:-0}" -v err="${err:-0}" \
	    -v kb="${kb:-0}" -v w="$workload" -v s="$server" \
	    -v e0="${e0% *}" -v e1="${e1% *}" -v t0="${e0#* }" \
	    -v t1="${e1#* }" 'BEGIN {
		printf "%s,replies_per_s,%.1f\n", p, (dur > 0 ? ok / dur : 0)
		printf "%s,conn_ms,%s\n", p, conn
		printf "%s,errors,%d\n", p, err
		if (w == "stream")
			printf "%s,kB_per_s,%s\n", p, kb
		if (s == "denali" && ok > 0) {
			printf "%s,crossings_per_request,%.2f\n", p, (e1 - e0) / ok
			printf "%s,clock_reads_per_request,%.2f\n", p, (t1 - t0) / ok
		}
	}'
}

measure() {
	local server=$1 ip=$2 r
	if ! up "$ip"; then
		echo "# not measured: $lane, $mode, $server: http://$ip/ does not answer"
		status=3
		return
	fi
	for r in $small_rates; do
		run "$server" "$ip" small "$r" --wlog=y,"$uris" --rate "$r" \
			--num-conns $((r * secs)) || status=1
	done
	for r in $large_rates; do
		run "$server" "$ip" large "$r" --uri /large.html --rate "$r" \
			--num-conns $((r * secs)) || status=1
	done
	run "$server" "$ip" stream 0 --uri /large.html --num-conns 1 \
		--num-calls 200 || status=1
}

echo "# $lane, $mode: kernel $(uname -r), $(nproc) CPUs; httperf $(dpkg-query -W -f '${Version}' httperf 2>/dev/null)"
measure native "$ns_ip"
measure denali "$vm_ip"
rm -f "$uris"
exit $status
