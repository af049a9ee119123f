# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The web benchmark, sourced by bench/run (BENCH_ONLY=web): the paper's
# web workload with httperf against one web VM (guests/web, 12 MiB) beside
# the Linux build of the same server in a network namespace, in one boot
# per lane (bench/web_machine.sh does the measuring), then
# bench/results/web.csv, web.md and, with gnuplot, web.png.
#
# Plain TCG only: -icount would count instructions of a whole machine
# that is mostly the emulated network path, and its clock cannot pace
# httperf's offered rate.  Under TCG, rates and times are functional
# (what an emulated machine managed), not hardware figures; crossings
# per request are counts and mean the same anywhere.
#
# Environment: BENCH_WEB_TIMEOUT (seconds per machine, 1200);
# BENCH_WEB_PARTIAL=1 writes bench/results/web.* even when the VM could
# not be measured (its rows then say "not measured"), for a tree whose
# guest has no TCP/IP yet.  bench/web_machine.sh lists the rest.

web_timeout=${BENCH_WEB_TIMEOUT:-1200}
web_re='^[^#,]+,[^,]+,(denali|native),(small|large|stream),[0-9]+,(replies_per_s|conn_ms|errors|kB_per_s|crossings_per_request|clock_reads_per_request),[0-9.]+$'

web_run_one() {
	local lane=$1 mode=$2 status=0 t0 base

	base=$logs/web-$lane-$mode
	echo "bench: web, $lane, $mode ..." >&2
	t0=$(date +%s)
	tools/testvm/run --lane "$lane" --timeout "$web_timeout" -- \
		env ${BENCH_WEB_SMALL_RATES:+BENCH_WEB_SMALL_RATES="$BENCH_WEB_SMALL_RATES"} \
		${BENCH_WEB_LARGE_RATES:+BENCH_WEB_LARGE_RATES="$BENCH_WEB_LARGE_RATES"} \
		${BENCH_WEB_SECS:+BENCH_WEB_SECS="$BENCH_WEB_SECS"} \
		bench/web_machine.sh "$lane" "$mode" \
		>"$base.log" 2>&1 || status=$?
	echo $(($(date +%s) - t0)) >"$base.secs"
	tr -d '\r' <"$base.log" >"$base.tmp" && mv "$base.tmp" "$base.log"
	echo "$status" >"$base.status"
}

web_machines() {
	local lane

	rm -f "$logs"/web-*
	for lane in $lanes; do
		web_run_one "$lane" "$plain_mode"
	done
}

# bench/results/web.{csv,md,png}; 1 if a machine failed.
web_results() {
	local csv=$out/web.csv md=$out/web.md data=$out/web.data
	local failed=0 lane base status

	: >"$data"
	: >"$out/web.notes"
	for lane in $lanes; do
		base=$logs/web-$lane-$plain_mode
		status=$(cat "$base.status")
		grep -E "$web_re" "$base.log" | tee -a "$data" >&2
		grep -E '^# ' "$base.log" >>"$out/web.notes" || true
		if [ "$status" != 0 ]; then
			echo "bench: web, $lane FAILED or partial (status $status); see $base.log" >&2
			failed=1
		fi
	done
	{
		echo "# Denali: the web workload, a web VM beside the same server on Linux (bench/run)"
		echo "# date: $when; tree: $commit; QEMU: $qemu; accelerator: $plain_mode"
		echo "# host CPU: $cpu, $ncpu CPUs; host load average when bench/run started: $load"
		echo "# httperf --hog --timeout 5, from the machine's root namespace; both servers 8 workers;"
		echo "#   the VM on a Linux bridge, the native server in a netns behind a veth pair"
		echo "# small: the 2 KiB documents in turn; large: 131,072 bytes; one request per connection,"
		echo "#   rate = connections offered per second; stream: the large document 200 times on one"
		echo "#   keep-alive connection (server -> host TCP throughput, kB_per_s)"
		echo "# replies_per_s and conn_ms are emulated-machine figures under TCG (functional, not"
		echo "#   hardware); crossings_per_request is a count of the VM's exits per reply"
		sed 's/^# /# note: /' "$out/web.notes"
		echo "lane,clock_mode,server,workload,rate,measure,value"
		cat "$data"
	} >"$csv"
	awk -F, -v lanes="$lanes" -v mode="$plain_mode" -v when="$when" \
		-v commit="$commit" -v qemu="$qemu" '
/^# note: not measured/ { sub(/^# note: /, ""); gap[++ng] = $0; next }
/^#/ || $1 == "lane" { next }
{ v[$1, $3, $4, $5, $6] = $7; if ($4 != "stream") rates[$1, $4, $5] = 1 }
function f(l, s, w, r, m,   k) {
	k = l SUBSEP s SUBSEP w SUBSEP r SUBSEP m
	return (k in v) ? v[k] : "-"
}
function ratio(a, b) {
	return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b)
}
END {
	print "# The web workload: a web VM beside the same server on Linux"
	print ""
	print "Measured by `bench/run` (BENCH_ONLY=web) on " when " (tree " commit "), " qemu "."
	print "Raw figures and conditions: `web.csv`. One test machine per lane: one web VM (`guests/web`,"
	print "12 MiB, 8 workers, on a Linux bridge) and the Linux build of the same source (8 workers, in a"
	print "network namespace behind a veth pair), loaded in turn by httperf from the root namespace."
	print ""
	print "**Plain TCG**: replies/s and times are what an emulated machine managed: functional figures,"
	print "not hardware timings. Errors are httperf'\''s (timeouts, resets, refused). **Crossings per"
	print "request** are counts of the VM'\''s exits (every kind) per reply and mean the same on hardware,"
	print "except clock reads: where the monitor does not mark the VM'\''s TSC stable (the TCG lanes'\'' CPUs"
	print "lack constant_tsc) every clock read is a time hypercall, an exit; with a stable TSC it is not."
	for (i = 1; i <= ng; i++)
		print "\n**" gap[i] "**"
	n = split(lanes, L, " ")
	for (i = 1; i <= n; i++) {
		l = L[i]
		print ""
		print "## Lane " l " (" mode ")"
		split("small large", W, " ")
		for (j = 1; j <= 2; j++) {
			w = W[j]
			print ""
			print "### " (w == "small" ? "Small documents (2 KiB)" : "Large document (131,072 B)")
			print ""
			print "| offered conn/s | VM replies/s | native replies/s | VM / native | VM conn ms | native conn ms | VM errors | native errors | VM crossings/request | of which clock reads |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			m = 0
			for (k in rates) {
				split(k, p, SUBSEP)
				if (p[1] == l && p[2] == w)
					r[++m] = p[3] + 0
			}
			for (a = 1; a <= m; a++)	# sort the rates
				for (b = a + 1; b <= m; b++)
					if (r[b] < r[a]) { t = r[a]; r[a] = r[b]; r[b] = t }
			for (a = 1; a <= m; a++) {
				d = f(l, "denali", w, r[a], "replies_per_s")
				x = f(l, "native", w, r[a], "replies_per_s")
				print "| " r[a] " | " d " | " x " | " ratio(d, x) " | " \
					f(l, "denali", w, r[a], "conn_ms") " | " f(l, "native", w, r[a], "conn_ms") " | " \
					f(l, "denali", w, r[a], "errors") " | " f(l, "native", w, r[a], "errors") " | " \
					f(l, "denali", w, r[a], "crossings_per_request") " | " \
					f(l, "denali", w, r[a], "clock_reads_per_request") " |"
			}
			delete r
		}
		d = f(l, "denali", "stream", 0, "kB_per_s")
		x = f(l, "native", "stream", 0, "kB_per_s")
		print ""
		print "### TCP throughput, server to host (the large document 200 times on one connection)"
		print ""
		print "| | VM | native | VM / native |"
		print "|---|---:|---:|---:|"
		print "| kB/s (httperf Net I/O) | " d " | " x " | " ratio(d, x) " |"
		print "| crossings per request | " f(l, "denali", "stream", 0, "crossings_per_request") " | | |"
		print "| of which clock reads | " f(l, "denali", "stream", 0, "clock_reads_per_request") " | | |"
	}
}' "$csv" >"$md"
	# The curves, where gnuplot is.
	if command -v gnuplot >/dev/null; then
		local l=${lanes%% *}
		for w in small large; do
			for s in denali native; do
				awk -F, -v l="$l" -v w="$w" -v s="$s" \
					'$1 == l && $3 == s && $4 == w && $6 == "replies_per_s" { print $5, $7 }' \
					"$csv" | sort -n >"$out/web-$w-$s.dat"
			done
		done
		# A server with no figures (not measured) has no curve.
		local small="" large="" label
		for s in denali native; do
			label="same server, Linux"
			[ "$s" = denali ] && label="Denali web VM"
			[ -s "$out/web-small-$s.dat" ] &&
				small="$small\"$out/web-small-$s.dat\" with linespoints title \"$label\", "
			[ -s "$out/web-large-$s.dat" ] &&
				large="$large\"$out/web-large-$s.dat\" with linespoints title \"$label\", "
		done
		gnuplot <<EOF || true
set terminal pngcairo size 900,420 noenhanced
set output "$out/web.png"
set multiplot layout 1,2 title "Web workload, lane $l, plain TCG (emulated machine: functional figures)"
set xlabel "offered connections/s"
set ylabel "replies/s"
set key top left
set grid
set title "2 KiB documents"
plot $small x with lines dashtype 2 title "offered"
set title "131,072-byte document"
plot $large x with lines dashtype 2 title "offered"
unset multiplot
EOF
	fi
	if [ "$failed" != 0 ] && [ "${BENCH_WEB_PARTIAL:-0}" != 1 ]; then
		echo "bench: some web runs failed; partial results left in $csv and $md" >&2
		return 1
	fi
	mkdir -p "$results"
	cp "$csv" "$results/web.csv"
	cp "$md" "$results/web.md"
	[ -f "$out/web.png" ] && cp "$out/web.png" "$results/web.png"
	if [ "$failed" != 0 ]; then
		echo "bench: PARTIAL results in bench/results/web.csv and web.md (BENCH_WEB_PARTIAL=1)" >&2
	else
		echo "bench: results in bench/results/web.csv and web.md" >&2
	fi
	return "$failed"
}
