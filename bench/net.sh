# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The virtual NIC's benchmark, sourced by bench/run (BENCH_ONLY=net):
# build/bench/net_bench in each lane, once under plain TCG and once under
# -icount, then bench/results/net.csv and net.md.  net_bench measures, in
# one boot, frames of 100 and 1400 bytes to a guests/reflector VM and
# back, and the same through a veth pair to a reflecting process in a
# network namespace: round-trip time, frames per second with 32 in flight,
# and for the VM the crossings (exits of every kind) per frame at that
# saturation; then the same saturation for a reflector that polls while
# frames keep coming and kicks once per 32 (denali_poll), with 96 in
# flight: a busy server's crossings per frame.  Both again with the VM's
# NIC a port of the module's switch (paths switch, switch_poll: ABI 0.7).
# See bench/README.md.
#
# Environment: BENCH_NET_N (round trips per timed run, plain TCG, 2000),
# BENCH_NET_ICOUNT_N (the same under -icount, 300); fps runs are 4 N.

net_n_plain=${BENCH_NET_N:-2000}
net_n_icount=${BENCH_NET_ICOUNT_N:-300}
net_timeout=${BENCH_NET_TIMEOUT:-900}
net_re='^[^#,]+,[^,]+,(denali|denali_poll|switch|switch_poll|veth),(rtt_ns|frames_per_s|crossings_per_frame),[0-9]+,[0-9]+,[0-9.]+$'

# One machine: LANE MODE; leaves net-LANE-MODE.log, .status and .secs.
net_run_one() {
	local lane=$1 mode=$2 n=$net_n_plain status=0 t0 base
	local args=(--lane "$lane" --timeout "$net_timeout")

	if [ "$mode" = tcg-icount ]; then
		args+=(--icount "${icount_smp[@]}")
		n=$net_n_icount
	fi
	base=$logs/net-$lane-$mode
	echo "bench: net, $lane, $mode: N=$n, best of $reps ..." >&2
	t0=$(date +%s)
	tools/testvm/run "${args[@]}" -- build/bench/net_bench \
		-n "$n" -r "$reps" -l "$lane" -c "$mode" \
		>"$base.log" 2>&1 || status=$?
	echo $(($(date +%s) - t0)) >"$base.secs"
	tr -d '\r' <"$base.log" >"$base.tmp" && mv "$base.tmp" "$base.log"
	echo "$status" >"$base.status"
}

net_machines() {
	local lane

	rm -f "$logs"/net-*
	for lane in $lanes; do
		net_run_one "$lane" "$plain_mode"
	done
	if [[ " $modes " = *" tcg-icount "* ]]; then
		for lane in $lanes; do
			net_run_one "$lane" tcg-icount &
		done
		wait
	fi
}

# bench/results/net.csv and net.md; 1 if a machine failed (then the old
# results stay and the new ones are left in build/bench/).
net_results() {
	local csv=$out/net.csv md=$out/net.md data=$out/net.data
	local failed=0 lane mode base status

	: >"$data"
	for lane in $lanes; do
		for mode in $modes; do
			base=$logs/net-$lane-$mode
			status=$(cat "$base.status")
			if [ "$status" != 0 ] ||
			   [ "$(grep -cE "$net_re" "$base.log")" != 24 ]; then
				echo "bench: net, $lane, $mode FAILED (status $status); see $base.log" >&2
				failed=1
				continue
			fi
			grep -E "$net_re" "$base.log" | tee -a "$data" >&2
		done
	done
	{
		echo "# Denali: frames to a guest and back vs. a veth pair into a namespace (bench/run)"
		echo "# date: $when; tree: $commit; QEMU: $qemu; accelerator: $plain_mode"
		echo "# host CPU: $cpu, $ncpu CPUs; host load average when bench/run started: $load"
		echo "# rtt_ns: per round trip, (best of $reps runs of N - best of $reps runs of 1) / (N - 1);"
		echo "#   N = $net_n_plain (plain), $net_n_icount (-icount, where ns are instructions)"
		echo "# frames_per_s: 4 N frames echoed with 32 in flight; crossings_per_frame: the VM's"
		echo "#   exits of every kind during that run, per frame (a count, real under TCG too)"
		echo "# denali_poll: the reflector booted with \"poll\" (polls while busy, one kick per 32"
		echo "#   reflections), 96 frames in flight: frames_per_s and crossings_per_frame at saturation"
		echo "lane,clock_mode,path,measure,size,n,value"
		cat "$data"
	} >"$csv"
	awk -F, -v lanes="$lanes" -v modes="$modes" -v when="$when" \
		-v commit="$commit" -v qemu="$qemu" '
!/^#/ && NR > 1 && $1 != "lane" { v[$1, $2, $3, $4, $5] = $7 }
function f(l, m, p, k, s,   x) {
	if (!((l SUBSEP m SUBSEP p SUBSEP k SUBSEP s) in v))
		return "-"
	x = v[l, m, p, k, s]
	if (k == "crossings_per_frame")
		return sprintf("%.3f", x)
	return sprintf("%.0f", x)
}
function ratio(l, m, k, s,   a, b) {
	a = v[l, m, "denali", k, s]
	b = v[l, m, "veth", k, s]
	if (a == "" || b == "" || b == 0)
		return "-"
	return sprintf("%.2f", a / b)
}
END {
	print "# The virtual NIC vs. a veth pair"
	print ""
	print "Measured by `bench/run` (BENCH_ONLY=net) on " when " (tree " commit "), " qemu "."
	print "Raw figures and conditions: `net.csv`; how to read them: `../README.md`."
	print ""
	print "**Plain TCG** times are emulated (functional, not hardware); **-icount** \"ns\" are"
	print "instructions executed by the whole machine (host stack and guest). Crossings per"
	print "frame are counts of VM exits and mean the same under both."
	n = split(lanes, L, " ")
	split(modes, M, " ")
	for (i = 1; i <= n; i++) {
		print ""
		print "## Lane " L[i]
		for (j = 1; j in M; j++) {
			m = M[j]
			print ""
			print "### " m
			print ""
			print "| | 100 B | 1400 B |"
			print "|---|---:|---:|"
			print "| round trip, Denali | " f(L[i], m, "denali", "rtt_ns", 100) " | " f(L[i], m, "denali", "rtt_ns", 1400) " |"
			print "| round trip, veth | " f(L[i], m, "veth", "rtt_ns", 100) " | " f(L[i], m, "veth", "rtt_ns", 1400) " |"
			print "| **ratio** Denali / veth | " ratio(L[i], m, "rtt_ns", 100) " | " ratio(L[i], m, "rtt_ns", 1400) " |"
			print "| frames/s, Denali | " f(L[i], m, "denali", "frames_per_s", 100) " | " f(L[i], m, "denali", "frames_per_s", 1400) " |"
			print "| frames/s, veth | " f(L[i], m, "veth", "frames_per_s", 100) " | " f(L[i], m, "veth", "frames_per_s", 1400) " |"
			print "| **ratio** Denali / veth | " ratio(L[i], m, "frames_per_s", 100) " | " ratio(L[i], m, "frames_per_s", 1400) " |"
			print "| crossings per frame, 32 in flight | " f(L[i], m, "denali", "crossings_per_frame", 100) " | " f(L[i], m, "denali", "crossings_per_frame", 1400) " |"
			print "| frames/s, polling guest, 96 in flight | " f(L[i], m, "denali_poll", "frames_per_s", 100) " | " f(L[i], m, "denali_poll", "frames_per_s", 1400) " |"
			print "| **crossings per frame at saturation** (polling guest) | " f(L[i], m, "denali_poll", "crossings_per_frame", 100) " | " f(L[i], m, "denali_poll", "crossings_per_frame", 1400) " |"
			print "| round trip, switch port | " f(L[i], m, "switch", "rtt_ns", 100) " | " f(L[i], m, "switch", "rtt_ns", 1400) " |"
			print "| frames/s, switch port | " f(L[i], m, "switch", "frames_per_s", 100) " | " f(L[i], m, "switch", "frames_per_s", 1400) " |"
			print "| crossings per frame, switch port, 32 in flight | " f(L[i], m, "switch", "crossings_per_frame", 100) " | " f(L[i], m, "switch", "crossings_per_frame", 1400) " |"
			print "| frames/s, switch port, polling guest | " f(L[i], m, "switch_poll", "frames_per_s", 100) " | " f(L[i], m, "switch_poll", "frames_per_s", 1400) " |"
			print "| **crossings per frame at saturation**, switch port | " f(L[i], m, "switch_poll", "crossings_per_frame", 100) " | " f(L[i], m, "switch_poll", "crossings_per_frame", 1400) " |"
		}
	}
}' "$csv" >"$md"
	if [ "$failed" != 0 ]; then
		echo "bench: some net runs failed; partial results left in $csv and $md" >&2
		return 1
	fi
	mkdir -p "$results"
	cp "$csv" "$results/net.csv"
	cp "$md" "$results/net.md"
	echo "bench: results in bench/results/net.csv and net.md" >&2
}
