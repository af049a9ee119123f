#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared image pages (ABI 0.7), inside one test machine: N web VMs of one
# image (build/guests/web.img, 12 MiB each, on a bridge), each answering
# an HTTP request, then each VM's private (resident) and shared pages,
# the listing's total (shared pages counted once) and the module's table
# (debugfs denali/shared).  Counts, not times: they are the same under
# TCG as on hardware.
#
#   tools/testvm/run --lane 6.12 -- bench/share.sh [N]
#
# Prints a markdown table on stdout (bench/results/share.md keeps one).

set -u
n=${1:-8}
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/build/userspace/denalictl
img=$top/build/guests/web.img
shared=/sys/kernel/debug/denali/shared

cleanup() {
	"$ctl" destroy --all >/dev/null 2>&1
	ip link del shbr 2>/dev/null
}
trap cleanup EXIT

insmod "$top/build/kernel/$(uname -r)/denali.ko" 2>/dev/null
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
modprobe bridge 2>/dev/null
ip link add shbr type bridge && ip addr add 10.89.0.1/24 dev shbr &&
	ip link set shbr up || exit 1

for i in $(seq "$n"); do
	"$ctl" create "$img" --mem 12M --name "web$i" --bridge shbr -- \
		"ip=10.89.0.$((i + 1))/24" gw=10.89.0.1 -p 80 -t 2 >/dev/null ||
		exit 1
done
for i in $(seq "$n"); do
	ok=
	for t in $(seq 120); do
		if curl -s -o /dev/null --max-time 2 "http://10.89.0.$((i + 1))/"
		then
			ok=1
			break
		fi
		sleep 1
	done
	[ -n "$ok" ] || { echo "web$i does not answer" >&2; exit 1; }
done

readelf -lW "$img" | grep LOAD >&2
echo "## $n web VMs of one image (guests/web, 12 MiB each), each having answered an HTTP request"
echo
echo "Lane $(uname -r), TCG. Counts (4 KiB pages), real on any host."
echo
echo "| VM | private (resident) pages | shared pages |"
echo "|---|---|---|"
"$ctl" list -j | python3 -c '
import json, sys
vms = json.load(sys.stdin)
for v in sorted(vms, key=lambda v: v["id"]):
    print("| %s | %d | %d |" % (v["name"], v["resident_pages"], v["shared_pages"]))
'
echo
echo '`denalictl list` total line:'
echo
echo '```'
"$ctl" list | tail -1
echo '```'
echo
echo "Module table (debugfs denali/shared): $(tr '\n' ' ' <"$shared")"
"$ctl" destroy --all >/dev/null
sleep 1
echo
echo "After destroying them: $(tr '\n' ' ' <"$shared")"
