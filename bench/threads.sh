# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The library OS's benchmark, sourced by bench/run (BENCH_ONLY=threads):
# bench/threads_vm.sh in each lane, once under plain TCG and once under
# -icount: a thread switch (guests/thread_switch.c: a mutex/condvar
# hand-off and a sched_yield hand-off) and the system calls a libc makes
# (guests/syscall_cost.c: clock_gettime, a one-byte write), each program
# as a Denali guest and as a Linux process pinned to one CPU, in one
# boot; then bench/results/threads.csv and threads.md.  Also the guest
# images' sizes, read on the host: bench/results/images.md.  See
# bench/README.md.
#
# Environment: BENCH_THREADS_N (round trips, or calls, per timed run
# under plain TCG, 20000), BENCH_THREADS_ICOUNT_N (the same under
# -icount, 2000).

threads_n_plain=${BENCH_THREADS_N:-20000}
threads_n_icount=${BENCH_THREADS_ICOUNT_N:-2000}
threads_timeout=${BENCH_THREADS_TIMEOUT:-600}
threads_re='^[^#,]+,[^,]+,(denali|linux),(condvar_switch|sched_yield_switch|clock_gettime|syscall_clock_gettime|write_1_byte),[0-9]+,-?[0-9.]+$'

# One machine: LANE MODE; leaves threads-LANE-MODE.log, .status and .secs.
threads_run_one() {
	local lane=$1 mode=$2 n=$threads_n_plain status=0 t0 base
	local args=(--lane "$lane" --timeout "$threads_timeout")

	if [ "$mode" = tcg-icount ]; then
		args+=(--icount "${icount_smp[@]}")
		n=$threads_n_icount
	fi
	base=$logs/threads-$lane-$mode
	echo "bench: threads, $lane, $mode: N=$n, best of $reps ..." >&2
	t0=$(date +%s)
	tools/testvm/run "${args[@]}" -- bench/threads_vm.sh \
		"$lane" "$mode" "$n" "$reps" >"$base.log" 2>&1 || status=$?
	echo $(($(date +%s) - t0)) >"$base.secs"
	tr -d '\r' <"$base.log" >"$base.tmp" && mv "$base.tmp" "$base.log"
	echo "$status" >"$base.status"
}

threads_machines() {
	local lane

	rm -f "$logs"/threads-*
	for lane in $lanes; do
		threads_run_one "$lane" "$plain_mode"
	done
	if [[ " $modes " = *" tcg-icount "* ]]; then
		for lane in $lanes; do
			threads_run_one "$lane" tcg-icount &
		done
		wait
	fi
}

# The images' sizes: file, and each loadable segment's bytes in the file
# and in memory (readelf), as bench/results/images.md.
images_results() {
	local md=$out/images.md g=build/guests k=build/kselftest/denali/guests
	local img

	{
		echo "# Guest image sizes"
		echo ""
		echo "Measured by \`bench/run\` (BENCH_ONLY=threads) on $when (tree $commit), from the images"
		echo "this tree builds (gcc -O2 -g; the file holds debug sections that are never loaded)."
		echo "Segments: bytes in the file / bytes in memory (the difference is .bss, zeroed at load)."
		echo "Loaded: what the VM's memory holds of the image, every segment rounded up to pages."
		echo ""
		echo "| image | what | file | R E (text) | R (rodata) | RW (data / +bss) | loaded |"
		echo "|---|---|---:|---:|---:|---:|---:|"
		for img in \
			"$g/hello.img|libilwaco alone (its own printf): guests/hello.c" \
			"$out/hello_musl.img|printf(\"hello\\\\n\") on musl + libilwaco-posix, by ilwaco-cc" \
			"$g/thread_switch.img|guests/thread_switch.c (pthreads)" \
			"$k/lua.img|Lua 5.4 from Debian, unmodified (tools/build-lua)" \
			"$k/lz4.img|lz4 1.9.4 from Debian, unmodified, with its 131 KB tree in R (tools/build-lz4)" \
			"$out/hello_glibc|for comparison: the same hello, Linux, glibc -static"; do
			# readelf's sizes are hex: awk (mawk) cannot read them,
			# so the shell turns each LOAD line into decimals.
			readelf -lW "${img%%|*}" | while read -r type _ _ _ fs ms fl; do
				[ "$type" = LOAD ] || continue
				fl=${fl% 0x*}		# "R E 0x1000": the flags, "RE"
				echo "$((fs)) $((ms)) ${fl// /}"
			done | awk -v name="$(basename "${img%%|*}")" \
				-v what="${img#*|}" -v file="$(stat -c %s "${img%%|*}")" '
			{
				seg[$3] += $1; mem[$3] += $2
				loaded += int(($2 + 4095) / 4096) * 4096
			}
			END {
				printf "| `%s` | %s | %d | %d | %d | %d / %d | %d |\n", name, what, file,
				       seg["RE"], seg["R"], seg["RW"], mem["RW"], loaded
			}'
		done
	} >"$md"
	mkdir -p "$results"
	cp "$md" "$results/images.md"
	echo "bench: image sizes in bench/results/images.md" >&2
}

# bench/results/threads.csv and threads.md; 1 if a machine failed (then
# the old results stay and the new ones are left in build/bench/).
threads_results() {
	local csv=$out/threads.csv md=$out/threads.md data=$out/threads.data
	local failed=0 lane mode base status

	images_results
	: >"$data"
	for lane in $lanes; do
		for mode in $modes; do
			base=$logs/threads-$lane-$mode
			status=$(cat "$base.status")
			if [ "$status" != 0 ] ||
			   [ "$(grep -cE "$threads_re" "$base.log")" != 10 ]; then
				echo "bench: threads, $lane, $mode FAILED (status $status); see $base.log" >&2
				failed=1
				continue
			fi
			grep -E "$threads_re" "$base.log" | tee -a "$data" >&2
		done
	done
	{
		echo "# Denali: a thread switch and libc's system calls in a guest vs. on Linux (bench/run)"
		echo "# date: $when; tree: $commit; QEMU: $qemu; accelerator: $plain_mode"
		echo "# host CPU: $cpu, $ncpu CPUs; host load average when bench/run started: $load"
		echo "# *_switch: per switch, (best of $reps runs of N round trips - best of $reps runs of 1) / 2(N - 1);"
		echo "#   Linux pinned to one CPU; N = $threads_n_plain (plain), $threads_n_icount (-icount)"
		echo "# clock_gettime, syscall_clock_gettime, write_1_byte: per call, N calls, one run"
		echo "# clock_mode tcg: emulated time, functional, NOT hardware timings;"
		echo "#   tcg-icount: ns_per_op counts instructions (shift=0), the whole machine's"
		echo "lane,clock_mode,system,measure,n,ns_per_op"
		cat "$data"
	} >"$csv"
	awk -F, -v lanes="$lanes" -v modes="$modes" -v when="$when" \
		-v commit="$commit" -v qemu="$qemu" '
!/^#/ && $1 != "lane" { v[$1, $2, $3, $4] = $6 }
function f(l, m, s, k) {
	if (!((l SUBSEP m SUBSEP s SUBSEP k) in v))
		return "-"
	return sprintf("%.0f", v[l, m, s, k])
}
function ratio(l, m, k,   a, b) {
	a = v[l, m, "linux", k]
	b = v[l, m, "denali", k]
	if (a == "" || b == "" || b <= 0)
		return "-"
	return sprintf("%.1f", a / b)
}
function row(label, k) {
	print "| " label " | " f(L[i], m, "denali", k) " | " f(L[i], m, "linux", k) " | " ratio(L[i], m, k) " |"
}
END {
	print "# A thread switch and libc system calls: Denali guest vs. Linux process"
	print ""
	print "Measured by `bench/run` (BENCH_ONLY=threads) on " when " (tree " commit "), " qemu "."
	print "Raw figures and conditions: `threads.csv`; programs: `guests/thread_switch.c`,"
	print "`guests/syscall_cost.c` (the same source for both columns); how to read: `../README.md`."
	print ""
	print "**-icount** figures are instructions (QEMU -icount shift=0: one ns per instruction),"
	print "counted for the whole machine, and repeatable: they are the comparison to read."
	print "**Plain TCG** figures are emulated time: functional, not hardware timings."
	print "Linux: glibc, static, both threads pinned to one CPU (each hand-off is a futex or"
	print "sched_yield system call and a kernel context switch). Denali: musl pthreads on"
	print "libilwaco cooperative threads (a hand-off is a call and a stack switch in the guest,"
	print "no exit). The test lanes CPUs lack constant/nonstop TSC, so a guest clock read is a"
	print "hypercall there (an exit); with an invariant TSC it is rdtsc and arithmetic."
	n = split(lanes, L, " ")
	split(modes, M, " ")
	for (i = 1; i <= n; i++) {
		print ""
		print "## Lane " L[i]
		for (j = 1; j in M; j++) {
			m = M[j]
			print ""
			print "### " m (m == "tcg-icount" ? ": instructions" : ": emulated ns")
			print ""
			print "| per operation | Denali guest | Linux process | Linux / Denali |"
			print "|---|---:|---:|---:|"
			row("thread switch, mutex + condvar hand-off", "condvar_switch")
			row("thread switch, sched_yield hand-off", "sched_yield_switch")
			row("clock_gettime(CLOCK_MONOTONIC) through libc", "clock_gettime")
			row("syscall(SYS_clock_gettime)", "syscall_clock_gettime")
			row("write of 1 byte (guest: console; Linux: /dev/null)", "write_1_byte")
		}
	}
}' "$csv" >"$md"
	if [ "$failed" != 0 ]; then
		echo "bench: some threads runs failed; partial results left in $csv and $md" >&2
		return 1
	fi
	mkdir -p "$results"
	cp "$csv" "$results/threads.csv"
	cp "$md" "$results/threads.md"
	echo "bench: results in bench/results/threads.csv and threads.md" >&2
}
