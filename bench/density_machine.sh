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
#            way), or with DENSITY_RUNNER=NAME|auto `denalictl create
#            --runner NAME|auto` (many VMs per runner; auto: 1,000 a runner)
#   web      web VMs (build/guests/web.img, 12 MiB demand-zero), each
#            answering one HTTP request.  DENSITY_WEB_NET=bridge (the
#            default): a NIC of its own each on a Linux bridge (at most
#            1,024 ports a bridge, so a bridge per DENSITY_WEB_PER_NET,
#            1,000); DENSITY_WEB_NET=switch: a port of the module's switch
#            (`--nic switch=dswB`, DENSITY_WEB_PER_NET a switch, 500),
#            its uplink dswB addressed 10.(90+B).0.1/16 so that curl here
#            reaches every VM.  DENSITY_WEB_RUNNER=NAME|auto puts them in
#            shared runners (unset: a runner process each).
#
# Prints CSV lines "lane,mode,key,value" (keys: bench/density_bench.c,
# and create_s, create_per_s, http_asked, http_answered, http_s here),
# and "lane,mode,step,VMS,SECONDS,MEMAVAILABLE_KB" for the plot.  The
# mode is named by its configuration: runners, runners-auto,
# web (bridge, runner each), web-switch-auto, ...
#
# Environment: DENSITY_MODES ("threads runners web"), DENSITY_THREADS_N
# (20000), DENSITY_RUNNERS_N (1000), DENSITY_WEB_N (1000), DENSITY_RUNNER
# (unset), DENSITY_HANDOVER (0; 1 with DENSITY_RUNNER=auto: the auto
# runners' first VMs made by denalictl, the others by density_bench -a
# and handed over their sockets, no exec per VM), DENSITY_WEB_NET (bridge), DENSITY_WEB_PER_NET (1000 bridge,
# 500 switch), DENSITY_WEB_RUNNER (unset), DENSITY_JOBS (1: `denalictl
# create`s run at once), DENSITY_HTTP_PARALLEL (32: requests in flight,
# one curl process), DENSITY_IDLE_S (5).

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
modes=${DENSITY_MODES:-threads runners web}
threads_n=${DENSITY_THREADS_N:-20000}
runners_n=${DENSITY_RUNNERS_N:-1000}
web_n=${DENSITY_WEB_N:-1000}
web_net=${DENSITY_WEB_NET:-bridge}
case $web_net in
bridge) per_net=${DENSITY_WEB_PER_NET:-1000} ;;
switch) per_net=${DENSITY_WEB_PER_NET:-500} ;;
*) echo "density_machine: DENSITY_WEB_NET is bridge or switch" >&2; exit 2 ;;
esac
jobs=${DENSITY_JOBS:-1}
http_par=${DENSITY_HTTP_PARALLEL:-32}
idle_s=${DENSITY_IDLE_S:-5}
status=0
failed=$shm/failed

emit() { sed "s/^/$lane,$1,/"; }
memavail() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
has_mode() { case " $modes " in *" $1 "*) return 0 ;; esac; return 1; }
# RSS of every runner process, classic ("denali:...") or shared
# ("denali-runner:NAME"), in kB.
runner_rss_kb() { ps -eo rss=,args= | awk '$2 ~ /^denali[-:]/ { s += $1 } END { print s + 0 }'; }
runner_count() { ps -eo args= | grep -c '^denali[-:]'; }
# The address of web VM @1: 10.(90+net).x.y/16, .0.1 being the host's.
web_ip() {
	local b=$(($1 / per_net)) k=$(($1 % per_net + 2))
	echo "10.$((90 + b)).$((k / 256)).$((k % 256))"
}

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
# One ARP entry per web VM: the default table holds 1,024 at most
# (gc_thresh3), "neighbour table overflow" beyond.
sysctl -qw net.ipv4.neigh.default.gc_thresh1=65536 \
	net.ipv4.neigh.default.gc_thresh2=131072 \
	net.ipv4.neigh.default.gc_thresh3=262144

echo "# machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB, $(uname -r)"
echo "# modes: $modes; threads $threads_n, runners $runners_n (runner ${DENSITY_RUNNER:-each}), web $web_n ($web_net, $per_net a net, runner ${DENSITY_WEB_RUNNER:-each}), jobs $jobs"

# ---- 1. one process, a worker thread per VM --------------------------------
if has_mode threads; then
	"$bench" -n "$threads_n" -s 1000 -r -i "$idle_s" -f 500 "$image" |
		emit threads || status=1
fi

# ---- 2. runner processes ---------------------------------------------------
# `denalictl create` of VM @1, in the background; a failure leaves a line
# in $failed.
create_ping() {
	"$ctl" create "$image" --mem 1M --name "d$1" "${runner_opt[@]}" \
		-- ping >/dev/null 2>>"$failed.err" || echo "$1" >>"$failed"
}
if has_mode runners; then
	runner_opt=()
	m=runners
	if [ -n "${DENSITY_RUNNER:-}" ]; then
		runner_opt=(--runner "$DENSITY_RUNNER")
		m=runners-$DENSITY_RUNNER
	fi
	rm -f "$failed" "$failed.err"
	before=$(memavail)
	created=0
	if [ "${DENSITY_RUNNER:-}" = auto ] && [ "${DENSITY_HANDOVER:-0}" = 1 ]; then
		# The auto runners' first VMs by denalictl, the rest handed
		# over their sockets from one process (no exec per VM).
		m=runners-auto-handover
		"$bench" -a "$ctl" -n "$runners_n" -s 500 "$image" >"$shm/made" ||
			status=1
		sed 's/^vms,/vms_asked,/' "$shm/made" | emit $m
		created=$("$ctl" list -j | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
		echo "vms_created,$created" | emit $m
		t=$(awk -F, '$1 == "create_s" { print $2 }' "$shm/made")
	else
		echo "step,0,0,$before" | emit $m
		t0=$(date +%s.%N)
		for ((i = 1; i <= runners_n; i++)); do
			create_ping "$i" &
			if ((i % jobs == 0 || i == runners_n)); then
				wait
				[ -s "$failed" ] && break
				created=$i
			fi
			((i % 100 == 0)) && echo "step,$i,$(since "$t0"),$(memavail)" | emit $m
		done
		wait
		t=$(since "$t0")
	fi
	if [ -s "$failed" ]; then
		echo "# $m: create failed: VMs $(sort -n "$failed" | head -n 5 | tr '\n' ' ')" >&2
		head -n 5 "$failed.err" | sed 's/^/# /' >&2
		status=1
	fi
	[ "$created" -gt 0 ] 2>/dev/null || created=1
	{
		if [ "$m" != runners-auto-handover ]; then
			echo "vms_created,$created"
			echo "create_s,$t"
			awk -v n="$created" -v t="$t" 'BEGIN { printf "create_per_s,%.1f\n", n / t }'
		fi
		echo "runner_processes,$(runner_count)"
		# Let the last ones reach their idle before measuring.
		sleep 5
		during=$(memavail)
		echo "memavail_drop_kb,$((before - during))"
		echo "per_vm_all_in_bytes,$(((before - during) * 1024 / created))"
		echo "runner_rss_bytes_per_vm,$(($(runner_rss_kb) * 1024 / created))"
		"$bench" -e -i "$idle_s"
	} | emit $m || status=1
	t0=$(date +%s.%N)
	"$ctl" destroy --all >/dev/null
	echo "destroy_s,$(since "$t0")" | emit $m
	sleep 2
	echo "memavail_after_kb,$(memavail)" | emit $m
fi

# ---- 3. web VMs --------------------------------------------------------------
# `denalictl create` of web VM @1 on its net (a bridge or a switch).
create_web() {
	local b=$(($1 / per_net)) nic
	if [ "$web_net" = switch ]; then nic="switch=dsw$b"; else nic="bridge=dsb$b"; fi
	"$ctl" create "$shm/web.img" --mem 12M --name "w$1" --nic "$nic" \
		"${web_runner_opt[@]}" -- "ip=$(web_ip "$1")/16" "gw=10.$((90 + b)).0.1" \
		-p 80 -t 1 >/dev/null 2>>"$failed.err" || echo "$1" >>"$failed"
}
if has_mode web; then
	modprobe bridge 2>/dev/null
	web_runner_opt=()
	m=web
	[ "$web_net" = switch ] && m=web-switch
	if [ -n "${DENSITY_WEB_RUNNER:-}" ]; then
		web_runner_opt=(--runner "$DENSITY_WEB_RUNNER")
		m=$m-$DENSITY_WEB_RUNNER
	fi
	rm -f "$failed" "$failed.err"
	before=$(memavail)
	echo "step,0,0,$before" | emit $m
	t0=$(date +%s.%N)
	nnet=0
	web_made=0
	for ((i = 0; i < web_n; i++)); do
		b=$((i / per_net))
		if [ "$b" -ge "$nnet" ]; then
			wait
			[ -s "$failed" ] && break
			if [ "$web_net" = bridge ]; then
				ip link add "dsb$b" type bridge &&
				ip addr add "10.$((90 + b)).0.1/16" dev "dsb$b" &&
				ip link set "dsb$b" up || { status=1; break; }
			else
				# The uplink comes with the switch's first port.
				create_web "$i"
				[ -s "$failed" ] && break
				ip addr add "10.$((90 + b)).0.1/16" dev "dsw$b" &&
				ip link set "dsw$b" up || { status=1; break; }
				nnet=$((b + 1))
				web_made=$((i + 1))
				continue
			fi
			nnet=$((b + 1))
		fi
		create_web "$i" &
		if (((i + 1) % jobs == 0 || i + 1 == web_n)); then
			wait
			[ -s "$failed" ] && break
			web_made=$((i + 1))
		fi
		(((i + 1) % 100 == 0)) &&
			echo "step,$((i + 1)),$(since "$t0"),$(memavail)" | emit $m
	done
	wait
	t=$(since "$t0")
	if [ -s "$failed" ]; then
		echo "# $m: create failed: VMs $(sort -n "$failed" | head -n 5 | tr '\n' ' ')" >&2
		head -n 5 "$failed.err" | sed 's/^/# /' >&2
		status=1
	fi
	{
		echo "vms_created,$web_made"
		echo "create_s,$t"
		awk -v n="$web_made" -v t="$t" 'BEGIN { printf "create_per_s,%.1f\n", n / t }'
		echo "runner_processes,$(runner_count)"
		echo "nets,$nnet"
		sleep 10
		during=$(memavail)
		echo "memavail_drop_kb,$((before - during))"
		[ "$web_made" -gt 0 ] &&
			echo "per_vm_all_in_bytes,$(((before - during) * 1024 / web_made))" &&
			echo "runner_rss_bytes_per_vm,$(($(runner_rss_kb) * 1024 / web_made))"
		# Resident pages, host bytes, idle CPU and exits (no console ping).
		"$bench" -e -P -i "$idle_s"
		# One GET each, $http_par in flight from one curl process (a
		# curl per VM would measure fork + exec under TCG).
		for ((i = 0; i < web_made; i++)); do
			echo "url = \"http://$(web_ip "$i")/index.html\""
			echo 'output = "/dev/null"'
		done >"$shm/urls"
		t0=$(date +%s.%N)
		ok=$(curl -s --no-progress-meter -Z --parallel-max "$http_par" -m 60 --connect-timeout 30 \
			-w '%{http_code}\n' -K "$shm/urls" | grep -c '^200$')
		echo "http_asked,$web_made"
		echo "http_answered,$ok"
		echo "http_s,$(since "$t0")"
		[ "$ok" = "$web_made" ] || exit 1
	} | emit $m || status=1
	t0=$(date +%s.%N)
	"$ctl" destroy --all >/dev/null
	echo "destroy_s,$(since "$t0")" | emit $m
	for ((b = 0; b < nnet; b++)); do ip link del "dsb$b" 2>/dev/null; done
	sleep 2
	echo "memavail_after_kb,$(memavail)" | emit $m
fi
exit $status
