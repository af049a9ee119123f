#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The density benchmark (issue 14, item 7): how many live VMs one test
# machine holds and what each costs, all idle, then pinged.  Runs
# bench/density_machine.sh in a test machine given most of the host's
# memory, under plain TCG (counts and memory do not depend on the clock
# mode; times are functional), once per lane.
#
#   bench/density.sh              (bench/run runs it: BENCH_ONLY=density)
#
# Writes bench/results/density.csv (every figure, after a header saying
# where and how), density.md (a table per lane) and density.png (VMs
# against MemAvailable, gnuplot).  The machines' output stays in
# build/bench/logs/density-LANE.log.
#
# Environment: BENCH_LANES (default: every lane), BENCH_DENSITY_MEM
# (the machine's memory, 16G), BENCH_DENSITY_TIMEOUT (3600 s), and
# density_machine.sh's DENSITY_* (counts, DENSITY_RUNNER=NAME for
# `denalictl create --runner NAME`).

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
lanes=${BENCH_LANES:-$(tools/testvm/run --list-lanes | tr '\n' ' ')}
mem=${BENCH_DENSITY_MEM:-16G}
timeout=${BENCH_DENSITY_TIMEOUT:-3600}
logs=$top/build/bench/logs
results=$top/bench/results
status=0

make -s module userspace guests selftests >/dev/null || exit 1
make -s -C bench OUT="$top/build/bench" >/dev/null || exit 1
mkdir -p "$logs" "$results"

csv=$top/build/bench/density.csv
{
	echo "# density benchmark (bench/density.sh), $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# tree $(git rev-parse --short HEAD 2>/dev/null), $(qemu-system-x86_64 --version | head -n 1)"
	echo "# host: $(grep -m 1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# machine: --mem $mem, plain TCG: times are functional, counts real"
	echo "# lane,mode,key,value  |  lane,mode,step,vms,seconds,memavailable_kb"
} >"$csv"
for lane in $lanes; do
	echo "bench: density, $lane ..." >&2
	env_args=()
	for v in $(env | grep -o '^DENSITY_[A-Z_]*'); do env_args+=("$v=${!v}"); done
	tools/testvm/run --lane "$lane" --mem "$mem" --timeout "$timeout" -- \
		env "${env_args[@]}" bench/density_machine.sh "$lane" \
		>"$logs/density-$lane.log" 2>&1 || status=1
	tr -d '\r' <"$logs/density-$lane.log" |
		grep -E "^$lane,|^# (machine|modes)" >>"$csv"
done
cp "$csv" "$results/density.csv"

# The table: one column per lane and mode.
awk -F, '
	/^#/ { next }
	$3 == "step" { next }
	{ col = $1 " " $2; if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
	  if (!($3 in kseen)) { kseen[$3] = 1; keys[++nk] = $3 }
	  v[$3, col] = $4 }
	END {
		printf "| figure |"; for (c = 1; c <= nc; c++) printf " %s |", cols[c]; print ""
		printf "|---|"; for (c = 1; c <= nc; c++) printf "---|"; print ""
		for (k = 1; k <= nk; k++) {
			printf "| %s |", keys[k]
			for (c = 1; c <= nc; c++) printf " %s |", ((keys[k], cols[c]) in v) ? v[keys[k], cols[c]] : ""
			print ""
		}
	}' "$csv" >"$top/build/bench/density-table.md"

# The plot: VMs against the memory they took (MemAvailable drop, MiB).
if command -v gnuplot >/dev/null; then
	awk -F, '$3 == "step" { if ($4 == 0) base[$1 $2] = $6
		print $1 "-" $2, $4, (base[$1 $2] - $6) / 1024 }' "$csv" \
		>"$top/build/bench/density.data"
	series=$(awk '{ print $1 }' "$top/build/bench/density.data" | sort -u)
	plot=""
	for s in $series; do
		plot+="${plot:+, }'< grep \"^$s \" $top/build/bench/density.data' using 2:3 with linespoints title '$s'"
	done
	gnuplot -e "set terminal png size 900,600; set output '$results/density.png';
		set title '--mem $mem, plain TCG: counts and memory real';
		set xlabel 'live VMs'; set ylabel 'host memory used (MemAvailable drop, MiB)';
		set key left top; set grid; plot $plot" || status=1
fi
exit $status
