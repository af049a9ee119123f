# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # bench/run sets the variables
#
# VM-to-VM context switches against the number of VMs, beside Linux
# threads, and the exits of an idle VM (build/bench/ctxswitch_bench; see
# bench/README.md): the machines and the results.  Sourced by bench/run,
# whose variables it uses (lanes, modes, plain_mode, icount_smp, logs,
# out, results, and for the results when, qemu, cpu, ncpu, commit, load);
# it defines two functions:
#
#   ctxswitch_machines   one machine per lane and clock mode: plain TCG
#                        ones one at a time, -icount ones side by side
#   ctxswitch_results    bench/results/ctxswitch.csv, ctxswitch.md,
#                        ctxswitch.png and idle.csv, replaced only when
#                        every machine succeeded; returns 1 otherwise
#
# Environment (all optional):
#   BENCH_CTX_MAX_N      the largest N; points at 1, 2, 4, ... up to it (1024)
#   BENCH_CTX_WINDOW_MS  plain TCG: one counting window, in ms (200)
#   BENCH_CTX_REPS       plain TCG: windows per point, the best kept (4)
#   BENCH_CTX_WARMUP_MS  plain TCG: warm-up before a point's windows (150)
#   BENCH_CTX_ICOUNT_WINDOW_MS  -icount: the window, in virtual ms (50)
#   BENCH_CTX_ICOUNT_REPS       -icount: windows per point (2)
#   BENCH_CTX_ICOUNT_WARMUP_MS  -icount: the warm-up, virtual ms (30)
#   BENCH_CTX_IDLE_S     seconds each idle VM is watched (2)
#   BENCH_CTX_TIMEOUT    seconds before a machine is given up (1200)

ctx_max_n=${BENCH_CTX_MAX_N:-1024}
# Plain TCG: four windows of 200 ms after 150 ms of warm-up, about a
# second a point and 44 points: with the 2048 VMs made on the way, a
# machine takes about two minutes.  The best window is kept, as the
# other benchmarks keep their best run: noise only adds time.
ctx_window=${BENCH_CTX_WINDOW_MS:-200}
ctx_reps=${BENCH_CTX_REPS:-4}
ctx_warmup=${BENCH_CTX_WARMUP_MS:-150}
# -icount: the counts do not depend on the host, but on a one-CPU
# machine any kernel work that wakes up meanwhile (it happens) takes its
# instructions out of the window: the best of two windows of 50 ms of
# virtual time (5 x 10^7 instructions, thousands of switches) avoids it
# and keeps those slower machines short; so does a 30 ms warm-up, still
# four rounds of 1024 sweeping VMs.
ctx_icount_window=${BENCH_CTX_ICOUNT_WINDOW_MS:-50}
ctx_icount_reps=${BENCH_CTX_ICOUNT_REPS:-2}
ctx_icount_warmup=${BENCH_CTX_ICOUNT_WARMUP_MS:-30}
ctx_idle_s=${BENCH_CTX_IDLE_S:-2}
ctx_timeout=${BENCH_CTX_TIMEOUT:-1200}

# Points per kind: 1, 2, 4, ... up to ctx_max_n.
ctx_points=0
for ((ctx_i = 1; ctx_i <= ctx_max_n; ctx_i *= 2)); do
	ctx_points=$((ctx_points + 1))
done
ctx_kinds="vm_best vm_worst thread_best thread_worst"
ctx_re='^[^#,]+,[^,]+,(vm|thread)_(best|worst),[0-9]+,[0-9]+,[0-9]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9]+,[0-9.]+$'
ctx_idle_re='^[^#,]+,[^,]+,idle_[a-z0-9_]+,[0-9.]+,[0-9]+,[0-9.]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+$'
ctx_idle_guests=2

# One machine: LANE MODE; leaves ctxswitch-LANE-MODE.log, .status, .secs
# and .host (load average and QEMU processes already running as it
# started) in $logs.
ctx_run_one() {
	local lane=$1 mode=$2 status=0 t0 base busy
	local args=(--lane "$lane" --timeout "$ctx_timeout")
	local window=$ctx_window reps=$ctx_reps warmup=$ctx_warmup

	if [ "$mode" = tcg-icount ]; then
		args+=(--icount "${icount_smp[@]}")
		window=$ctx_icount_window
		reps=$ctx_icount_reps
		warmup=$ctx_icount_warmup
	fi
	base=$logs/ctxswitch-$lane-$mode
	busy=$(pgrep -c qemu-system || true)
	echo "$(cut -d ' ' -f 1 /proc/loadavg) $busy" >"$base.host"
	echo "bench: ctxswitch, $lane, $mode: N up to $ctx_max_n, best of $reps windows of $window ms ..." >&2
	t0=$(date +%s)
	tools/testvm/run "${args[@]}" -- build/bench/ctxswitch_bench \
		-m "$ctx_max_n" -w "$window" -r "$reps" -u "$warmup" \
		-i "$ctx_idle_s" \
		-l "$lane" -c "$mode" >"$base.log" 2>&1 || status=$?
	echo $(($(date +%s) - t0)) >"$base.secs"
	tr -d '\r' <"$base.log" >"$base.tmp" && mv "$base.tmp" "$base.log"
	echo "$status" >"$base.status"
}

ctxswitch_machines() {
	local lane

	ctx_start=$(date +%s)
	rm -f "$logs"/ctxswitch-*
	for lane in $lanes; do
		ctx_run_one "$lane" "$plain_mode"
	done
	if [[ " $modes " = *" tcg-icount "* ]]; then
		for lane in $lanes; do
			ctx_run_one "$lane" tcg-icount &
		done
		wait
	fi
	ctx_elapsed=$(($(date +%s) - ctx_start))
}

# The header every CSV of this benchmark starts with.
ctx_header() {
	echo "# date: $when; tree: $commit"
	echo "# QEMU: $qemu; accelerator: $plain_mode"
	echo "# host CPU: $cpu, $ncpu CPUs; test machines: 2 vCPUs (${icount_vcpus} under -icount)"
	echo "# host load average when bench/run started: $load; per machine, in the notes below"
	if [ "$plain_mode" = tcg ]; then
		echo "# clock_mode tcg: plain QEMU TCG. ns and tsc follow the host's clock through an"
		echo "#   emulator: functional figures, NOT hardware timings (TCG flushes its whole TLB"
		echo "#   on every CR3 write and models no caches, so the worst case's sweep costs"
		echo "#   instructions only, never cache misses)."
		echo "# clock_mode tcg-icount: QEMU -icount shift=0,sleep=off. ns and tsc both count"
		echo "#   guest instructions executed (one per instruction): deterministic, a virtual"
		echo "#   time made of instructions, not of cycles."
	else
		echo "# clock_mode kvm: QEMU with KVM: hardware timings of a nested guest."
	fi
	echo "# run time of the ctxswitch machines: ${ctx_elapsed}s (bench/run: ${elapsed}s)"
}

# The PNG: a panel per lane (rows) and clock mode (columns), N on a log
# scale, the four curves in each.
ctx_plot() {
	local csv=$1 png=$2 dir=$out/ctxswitch-plot gp
	local nl nm lane mode kind

	rm -rf "$dir"
	mkdir -p "$dir"
	# One data file per lane, mode and kind: "n value".
	awk -F, -v dir="$dir" '
		/^#/ || NF != 11 || $3 == "kind" { next }
		{ print $4, $7 > (dir "/" $1 "_" $2 "_" $3 ".dat") }
	' "$csv"
	nl=$(wc -w <<<"$lanes")
	nm=$(wc -w <<<"$modes")
	gp=$dir/ctxswitch.gp
	{
		echo "set terminal pngcairo size $((820 * nm)),$((440 * nl)) font 'sans,10'"
		echo "set output '$png'"
		echo "set multiplot layout $nl,$nm title 'Denali: VM-to-VM context switch vs. Linux thread switch, N runners yielding on one CPU (QEMU; see ctxswitch.md)'"
		echo "set logscale x 2"
		echo "set xrange [0.8:$((ctx_max_n * 5 / 4))]"
		echo "set xlabel 'N (VMs or threads on one CPU)'"
		echo "set grid"
		echo "set key outside right top"
		echo "set format y '%g'"
		for lane in $lanes; do
			for mode in $modes; do
				# Plain TCG spans two decades (a thread switch
				# is cheap there, a world switch is not): log
				# scale.  -icount counts stay within one: linear
				# from 0, where the VM / thread gap shows.
				case $mode in
				tcg)
					echo "set title '$lane: plain TCG, functional time (not hardware time)'"
					echo "set ylabel 'emulated ns per switch (log scale)'"
					echo "set logscale y 10"
					echo "set yrange [*:*]" ;;
				tcg-icount)
					echo "set title '$lane: -icount, virtual time = instructions executed'"
					echo "set ylabel 'guest instructions per switch'"
					echo "unset logscale y"
					echo "set yrange [0:*]" ;;
				*)
					echo "set title '$lane: $mode'"
					echo "set ylabel 'ns per switch (log scale)'"
					echo "set logscale y 10"
					echo "set yrange [*:*]" ;;
				esac
				local plot="plot"
				for kind in $ctx_kinds; do
					local f=$dir/${lane}_${mode}_$kind.dat
					local t=${kind/_/ }
					t=${t/vm/VM}
					[ -s "$f" ] || continue
					plot="$plot '$f' using 1:2 with linespoints title '$t',"
				done
				if [ "$plot" = plot ]; then
					echo "set label 1 'not measured' at graph 0.4,0.5"
					echo "plot [1:2] 1/0 notitle"
					echo "unset label 1"
				else
					echo "${plot%,}"
				fi
			done
		done
		echo "unset multiplot"
	} >"$gp"
	gnuplot "$gp"
}

# The tables: per lane, one per clock mode, then the idle VMs.
ctx_markdown() {
	local csv=$1 idle_csv=$2

	awk -F, -v lanes="$lanes" -v modes="$modes" -v when="$when" \
		-v qemu="$qemu" -v cpu="$cpu" -v commit="$commit" \
		-v elapsed="$ctx_elapsed" -v idle_csv="$idle_csv" \
		-v pw="$ctx_window" -v pr="$ctx_reps" \
		-v iw="$ctx_icount_window" -v ir="$ctx_icount_reps" \
		-v pu="$ctx_warmup" -v iu="$ctx_icount_warmup" '
function has(l, m, k, n) { return ((l SUBSEP m SUBSEP k SUBSEP n) in v) }
# Plain TCG in microseconds; -icount in instructions.
function fig(l, m, k, n) {
	if (!has(l, m, k, n))
		return "-"
	if (m == "tcg-icount")
		return sprintf("%.0f", v[l, m, k, n])
	return sprintf("%.1f", v[l, m, k, n] / 1000)
}
function ratio(l, m, a, b, n) {
	if (!has(l, m, a, n) || !has(l, m, b, n) || v[l, m, b, n] <= 0)
		return "-"
	return sprintf("%.2f", v[l, m, a, n] / v[l, m, b, n])
}
function head(m) {
	if (m == "tcg")
		return "plain TCG, µs per switch (functional, not hardware)"
	if (m == "tcg-icount")
		return "-icount, guest instructions per switch (deterministic)"
	return m ", µs per switch"
}
/^# note: not measured: / {
	r = $0; sub(/^# note: not measured: /, "", r)
	gl = r; sub(/,.*/, "", gl)
	gm = r; sub(/^[^,]*, /, "", gm); sub(/:.*/, "", gm)
	sub(/^[^:]*: /, "", r)
	gap[gl, gm] = r
}
/^# note: [^ ]+: kernel / {
	kl = $0; sub(/^# note: /, "", kl); sub(/:.*/, "", kl)
	r = $0; sub(/^.*: kernel /, "", r); sub(/,.*/, "", r)
	kernel[kl] = r
}
/^#/ || NF != 11 || $3 == "kind" { next }
{
	v[$1, $2, $3, $4] = $7
	if (!($4 in seen)) { seen[$4] = 1; ns[++nn] = $4 }
}
END {
	nm = split(modes, ms, " ")
	nl = split(lanes, ls, " ")
	print "# VM-to-VM context switch vs. Linux thread switch; idle exits"
	print ""
	print "Measured by `bench/run` on " when " (tree " commit "), " qemu ", host CPU " cpu "; its ctxswitch machines took " elapsed " s."
	print "Raw figures and the exact conditions: `ctxswitch.csv`, `idle.csv`; the curves: `ctxswitch.png`. How to read them: `../README.md`."
	print ""
	print "N runners on one CPU yield in turn: N VMs whose guests loop on the idle hypercall with timeout 0 (a yield), or N Linux"
	print "threads looping on `sched_yield()`, in the same boot. Per switch = window / yields, all runners together. **Best case**:"
	print "nothing between yields. **Worst case**: each runner writes one word per 64-byte line of its own 64 KiB buffer between"
	print "yields. Plain TCG: the best of " pr " windows of " pw " ms; -icount: " (ir == 1 ? "one window" : "the best of " ir " windows") " of " iw " ms of virtual time; each after a warm-up of " pu " ms (" iu " ms under -icount)."
	print ""
	print "**Plain TCG** columns are emulated time in microseconds: functional, not hardware timings (TCG flushes its TLB on every"
	print "CR3 write and models no caches, so the worst case adds the sweep'\''s instructions, never a cache miss). **-icount**"
	print "columns count guest instructions per switch: repeatable, a lower bound that gives a CR3 write the cost of any"
	print "instruction. **VM / thread** is the ratio in the same column. N = 1 has nobody to switch to: it is the cost of a"
	print "yield that returns at once (for a VM, a hypercall round trip plus the yield)."
	print ""
	for (i = 1; i <= nl; i++) {
		l = ls[i]
		print "## Lane " l
		print ""
		if (l in kernel)
			print "Kernel " kernel[l] "."
		print ""
		for (j = 1; j <= nm; j++) {
			m = ms[j]
			print "### " head(m)
			print ""
			if ((l SUBSEP m) in gap) {
				print "Not measured: " gap[l, m] ".\n"
				continue
			}
			print "| N | VM best | thread best | VM / thread | VM worst | thread worst | VM / thread |"
			print "|---:|---:|---:|---:|---:|---:|---:|"
			for (k = 1; k <= nn; k++) {
				n = ns[k]
				print "| " n " | " fig(l, m, "vm_best", n) " | " fig(l, m, "thread_best", n) " | " \
				      ratio(l, m, "vm_best", "thread_best", n) " | " fig(l, m, "vm_worst", n) " | " \
				      fig(l, m, "thread_worst", n) " | " ratio(l, m, "vm_worst", "thread_worst", n) " |"
			}
			print ""
		}
	}
	print "## Idle VMs"
	print ""
	print "One VM at a time, watched from its creation for the time shown: `idle_forever` idles with no timeout (a tickless"
	print "guest), `idle_tick_10ms` idles for 10 ms again and again (a guest with a 100 Hz tick: each expiry raises the timer"
	print "interrupt, which the guest takes before idling again). Exits are every round trip out of the guest, from"
	print "`DENALI_GET_STATS` (hypercalls and host interrupts alike): counts, meaningful in either clock mode."
	print ""
	print "| lane | clock mode | guest | seconds | exits | exits per second | idle hypercalls | idle sleeps | timer interrupts raised | host-interrupt exits |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	FS = ","
	while ((getline line < idle_csv) > 0) {
		if (line ~ /^#/ || split(line, f, ",") != 10 || f[3] == "guest")
			continue
		print "| " f[1] " | " f[2] " | `" f[3] "` | " f[4] " | " f[5] " | " f[6] " | " f[7] " | " f[8] " | " f[9] " | " f[10] " |"
	}
}' "$csv"
}

ctxswitch_results() {
	local csv=$out/ctxswitch.csv md=$out/ctxswitch.md png=$out/ctxswitch.png
	local idle_csv=$out/idle.csv data=$out/ctxswitch.data
	local idle_data=$out/idle.data notes=$out/ctxswitch.notes
	local failed=0 lane mode base status secs got igot last why l1 busy

	: >"$data"
	: >"$idle_data"
	: >"$notes"
	for lane in $lanes; do
		for mode in $modes; do
			base=$logs/ctxswitch-$lane-$mode
			status=$(cat "$base.status")
			secs=$(cat "$base.secs")
			got=$(grep -cE "$ctx_re" "$base.log" || true)
			igot=$(grep -cE "$ctx_idle_re" "$base.log" || true)
			# Exit 0 without every line: output lost on the way
			# out, a failure rather than a shorter table.
			if [ "$status" = 0 ] &&
			   { [ "$got" != $((4 * ctx_points)) ] ||
			     [ "$igot" != "$ctx_idle_guests" ]; }; then
				echo "bench: ctxswitch, $lane, $mode: only $got of $((4 * ctx_points)) switch figures and $igot of $ctx_idle_guests idle ones arrived; see $base.log" >&2
				failed=1
				continue
			fi
			if [ "$status" = 0 ]; then
				grep -E "$ctx_re" "$base.log" | tee -a "$data" >&2
				grep -E "$ctx_idle_re" "$base.log" | tee -a "$idle_data" >&2
				grep '^# ' "$base.log" >>"$notes" || true
				read -r l1 busy <"$base.host"
				echo "# $lane, $mode: machine run took ${secs}s; as it started: host load average $l1, QEMU processes already running $busy" >>"$notes"
				continue
			fi
			# A boot that never reached the benchmark is a gap,
			# anything else a failure (as for the others).
			if [ "$status" = 124 ] &&
			   ! grep -qE '^(ctxswitch_bench|lane,|# )' "$base.log"; then
				last=$(grep -E '^\[ *[0-9]+\.[0-9]+\]' "$base.log" | tail -n 1 |
				       sed 's/^\[ *[0-9.]*\] *//; s/[[:space:]]*$//')
				why="the machine timed out after ${secs}s before the benchmark started; last kernel line: \"$last\""
				echo "# not measured: $lane, $mode: $why" >>"$notes"
				echo "bench: ctxswitch, $lane, $mode: NOT MEASURED: $why (log: $base.log)" >&2
				continue
			fi
			echo "bench: ctxswitch, $lane, $mode FAILED (status $status, ${secs}s); see $base.log:" >&2
			grep -E '^(ctxswitch_bench|testvm):' "$base.log" | head -n 5 >&2 || true
			failed=1
		done
	done

	{
		echo "# Denali: VM-to-VM context switch vs. Linux thread switch, N on one CPU (bench/run)"
		ctx_header
		echo "# N runners pinned to one CPU yield in turn; ns_per_switch = window_ns / yields (all"
		echo "#   runners); tsc_per_switch the same with the TSC. vm_*: N 1 MiB VMs, the guest loops on"
		echo "#   the idle hypercall with timeout 0 (yields counted by the module, DENALI_GET_STATS"
		echo "#   hypercalls[4]); thread_*: N threads loop on sched_yield()."
		echo "# *_best: nothing between yields; *_worst: one write per 64-byte line of the runner's own"
		echo "#   64 KiB buffer between yields (4096 instructions on either side)."
		echo "# plain TCG: the best of $ctx_reps windows of $ctx_window ms; -icount: the best of $ctx_icount_reps"
		echo "#   of $ctx_icount_window ms (virtual); after a warm-up of $ctx_warmup ms (plain), $ctx_icount_warmup ms"
		echo "#   (-icount), which starts once every runner has run"
		echo "# csw_per_yield: context switches of the process per yield in the window (about 1 when"
		echo "#   every yield switched; 0 at N = 1, where there is nobody to switch to)"
		echo "# min_runner_yields: the yields of the runner that yielded least (the scheduler's fairness)"
		echo "# cpu_share: CPU time of the process in the window / the window (below 1: something"
		echo "#   else ran on the runners' CPU meanwhile)"
		sed 's/^# /# note: /' "$notes"
		echo "lane,clock_mode,kind,n,yields,window_ns,ns_per_switch,tsc_per_switch,csw_per_yield,min_runner_yields,cpu_share"
		cat "$data"
	} >"$csv"
	{
		echo "# Denali: exits of an idle VM (bench/run, ctxswitch_bench)"
		ctx_header
		echo "# one 1 MiB VM at a time, watched from its creation for 'seconds' (ns clock)"
		echo "# idle_forever: loops on idle(DENALI_IDLE_FOREVER); idle_tick_10ms: loops on taking"
		echo "#   vregs_rw.pending (xchg) and idle(10 ms)"
		echo "# exits: every round trip out of the guest (DENALI_GET_STATS exits[], all kinds);"
		echo "#   exits_per_s = exits / seconds; idle_hypercalls: hypercalls[4]; idle_sleeps,"
		echo "#   irqs_raised: the stats counters; interrupt_exits: exits[DENALI_EXITK_INTERRUPT]"
		grep 'kernel' "$notes" | sed 's/^# /# note: /' || true
		echo "lane,clock_mode,guest,seconds,exits,exits_per_s,idle_hypercalls,idle_sleeps,irqs_raised,interrupt_exits"
		cat "$idle_data"
	} >"$idle_csv"
	ctx_markdown "$csv" "$idle_csv" >"$md"
	if ! ctx_plot "$csv" "$png"; then
		echo "bench: ctxswitch: gnuplot failed; see $out/ctxswitch-plot/" >&2
		failed=1
	fi

	if [ "$failed" != 0 ]; then
		echo "bench: some ctxswitch runs failed; partial results left in $csv, $idle_csv, $md and $png (bench/results/ctxswitch.*, idle.csv unchanged)" >&2
		return 1
	fi
	mkdir -p "$results"
	cp "$csv" "$md" "$png" "$idle_csv" "$results/"
	echo "bench: results in bench/results/ctxswitch.csv, ctxswitch.md, ctxswitch.png and idle.csv" >&2
}
