#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# results_test.sh: make compare's guards and verdicts: a verdict only
# between runs measured on comparable machines, and only from repeated
# runs (one run a side: the change and "no verdict").  Inputs: one
# fault_bench result of the reference host run and one of the emulated
# 7.3 run (tests/data, copies of results/*/fault-anon-x1.json); the
# repeated runs are made here from the first by setting the per-run mean,
# p50 and p99 (awk), in scripts/bench's NAME-runK.json layout.  Rows
# 20-27: the drift between invocations (results drift, compare --drift
# PCT|PROFILE|auto) and compare --plot.  KTAP, kselftest exit codes.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
# Next to this script (kselftest install: results-tool) or the checkout.
tool="" data=""
for t in "$here/results-tool" "$here/../build/tools/results"; do
	[ -x "$t" ] && { tool=$t; break; }
done
for d in "$here" "$here/data"; do
	[ -f "$d/compare-host-pvm.json" ] && { data=$d; break; }
done
plan=27
echo "TAP version 13"
echo "1..$plan"
if [ -z "$tool" ] || [ -z "$data" ]; then
	n=1
	while [ $n -le $plan ]; do
		echo "ok $n # SKIP results tool or tests/data not found next to $0"
		n=$((n + 1))
	done
	exit 4
fi
host=$data/compare-host-pvm.json
tcg=$data/compare-tcg-7.3.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # N NAME WANT_RC PATTERN ARGS...
	n=$1 name=$2 want=$3 pat=$4
	shift 4
	"$tool" compare "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pat" "$tmp/out"; then
		echo "ok $n $name"
	else
		sed 's/^/# /' "$tmp/out" | head -n 40
		echo "# exit $rc, expected $want and a line matching '$pat'"
		echo "not ok $n $name"
		fail=1
	fi
}
# run DIR K MEAN P50 P99: the host result as run K of DIR, its latency
# statistics set (ns).
run() {
	mkdir -p "$1"
	awk -v m="$3" -v p50="$4" -v p99="$5" '
		/"latency_ns": \{/ { lat = 1 }
		lat && /"mean":/ { sub(/: .*/, ": " m ",") }
		lat && /"p50":/ { sub(/: .*/, ": " p50 ",") }
		lat && /"p99":/ { sub(/: .*/, ": " p99 ",") }
		lat && /}/ { lat = 0 }
		{ print }' "$host" >"$1/fault-anon-x1-run$2.json"
}
# A: p50 8300..8400 ns (noise 1.2%); B: p50 +9.58%, interval of the
# change 800 +- t(0.975, 4) sqrt(2 * 2500 / 3) = [+8.22%, +10.94%] of
# 8350 (Welch on 3 + 3 runs, df 4); the means equal.  A against itself:
# [-1.36%, +1.36%].
run "$tmp/A" 1 9280 8300 19000
run "$tmp/A" 2 9300 8350 20000
run "$tmp/A" 3 9320 8400 21000
run "$tmp/B" 1 9320 9100 19500
run "$tmp/B" 2 9280 9150 20500
run "$tmp/B" 3 9300 9200 20000
mkdir -p "$tmp/S1" "$tmp/S2"
cp "$host" "$tmp/S1/fault-anon-x1.json"
cp "$host" "$tmp/S2/fault-anon-x1.json"
one="no verdict: 1 run in A; significance needs 2+ runs per side"

check 1 emulated_against_hardware_refused 2 "NO VERDICT: one run is emulated" "$host" "$tcg"
check 2 same_machine_is_compared 0 "$one" "$host" "$host"
check 3 force_warns_and_compares 0 "WARNING: --force" "$host" "$tcg" --force
printf '{"schema": 1, "tool": "fault_bench", "host": ' >"$tmp/bad.json"
check 4 malformed_file_one_line_error 2 "bad.json" "$host" "$tmp/bad.json"
check 5 single_run_directories_no_verdict 0 "$one" "$tmp/S1" "$tmp/S2"
check 6 runs_give_interval_and_verdict 0 \
	'^  \* p50 .* +9\.58%  \[+8\.2[0-9]%, +10\.9[0-9]%\] .* slower$' \
	"$tmp/A" "$tmp/B" --stat p50
check 7 same_runs_no_verdict 0 \
	'^  \* p50 .* +0\.00%  \[-1\.36%, +1\.36%\] .*no verdict: interval spans 0$' \
	"$tmp/A" "$tmp/A" --stat p50
# The interval's lower bound decides, not the change: +9.58% fails at
# 5% and passes at 9% (lower bound +8.2%).
check 8 fail_on_regression_uses_interval_bound 1 \
	"REGRESSION: 1 slower verdict(s) with the interval's lower bound above 5.00%" \
	"$tmp/A" "$tmp/B" --stat p50 --fail-on-regression 5
check 9 change_above_pct_bound_below_passes 0 "1 slower, 0 faster" \
	"$tmp/A" "$tmp/B" --stat p50 --fail-on-regression 9
# Runs are grouped by what they measured: an old single-file directory
# against scripts/bench's NAME-runK layout.
check 10 old_layout_against_runs 0 "no verdict: 1 run in B" "$tmp/A" "$tmp/S1"
check 11 bad_stat_one_line_error 2 "^results: --stat: 'p95' is not untimed, mean, p50, p90 or p99$" \
	"$tmp/A" "$tmp/B" --stat p95
mkdir -p "$tmp/C"
sed 's/"latency_ns"/"latency_gone"/' "$host" >"$tmp/C/fault-anon-x1-run1.json"
check 12 run_without_statistics_one_line_error 2 \
	'^results: .*/fault-anon-x1-run1.json: field "results.latency_ns.mean" missing$' \
	"$tmp/A" "$tmp/C"
# The summary says at its top what the host could not test, and where.
summary_row() { # N NAME PATTERN
	if grep -q -- "$3" "$tmp/D/summary.md"; then
		echo "ok $1 $2"
	else
		sed -n 1,8p "$tmp/D/summary.md" | sed 's/^/# /'
		echo "not ok $1 $2"
		fail=1
	fi
}
mkdir -p "$tmp/D"
sed '0,/"guest_memfd": 1,/s//"guest_memfd": 0,/' "$host" >"$tmp/D/fault-anon-x1.json"
"$tool" summary "$tmp/D" >/dev/null 2>&1
summary_row 13 summary_names_missing_guest_memfd \
	'^\*\*Not testable on this host:\*\* guest_memfd (KVM_CAP_GUEST_MEMFD = 0 on .*: this kernel build lacks guest_memfd .*make vmcheck'
cp "$host" "$tmp/D/fault-anon-x1.json"
"$tool" summary "$tmp/D" >/dev/null 2>&1
summary_row 14 summary_names_missing_private_memory \
	'^\*\*Not testable on this host:\*\* private memory and conversions (no KVM_X86_SW_PROTECTED_VM'
# Both sides must have sampled a configuration alike: another batch
# (pages per sample) or pass count is no verdict, unless --force.
mkdir -p "$tmp/E" "$tmp/F"
for k in 1 2 3; do
	sed 's/"batch": 32,/"batch": 64,/' "$tmp/B/fault-anon-x1-run$k.json" \
		>"$tmp/E/fault-anon-x1-run$k.json"
	sed 's/"iterations": 5,/"iterations": 3,/' \
		"$tmp/B/fault-anon-x1-run$k.json" >"$tmp/F/fault-anon-x1-run$k.json"
done
check 15 other_batch_no_verdict 2 \
	'^NO VERDICT: anon .*: A sampled config.batch 32, B 64: their samples measure different things' \
	"$tmp/A" "$tmp/E"
check 16 other_passes_no_verdict 2 \
	'^NO VERDICT: anon .*: A sampled config.iterations 5, B 3:' \
	"$tmp/A" "$tmp/F"
check 17 other_batch_forced_warns 0 \
	'^WARNING: --force: anon .*: A sampled config.batch 32, B 64$' \
	"$tmp/A" "$tmp/E" --force
# Without --stat a fault_bench verdict is on the untimed cost per page:
# B's p50 +9.58% alone is no verdict; G, whose untimed cost is 10.2% above
# A's, is "slower".
check 18 default_fault_stat_is_untimed 0 \
	'^  \* untimed .*no verdict: interval spans 0$' "$tmp/A" "$tmp/B"
for k in 1 2 3; do
	mkdir -p "$tmp/G"
	awk -v k=$k '/"untimed_ns_per_page":/ {
		sub(/: .*/, ": " 13080 + 10 * k ",") } { print }' \
		"$tmp/A/fault-anon-x1-run$k.json" >"$tmp/G/fault-anon-x1-run$k.json"
done
check 19 untimed_change_called 0 '^  \* untimed .* +10\.18%  \[+9\.9[0-9]%, +10\.[34][0-9]%\] .* slower$' \
	"$tmp/A" "$tmp/G"
# The drift between invocations.  A 5% drift a side adds 2 x 5%^2 to the
# variance of B's +9.58% p50: the interval [+8.2%, +10.9%] widens past 0.
"$tool" compare "$tmp/A" "$tmp/B" --stat p50 --drift 5 >"$tmp/out" 2>&1
if grep -q '^    the interval takes in a drift of 5.00% per invocation' "$tmp/out" &&
	grep -q '^  \* p50 .*no verdict: interval spans 0$' "$tmp/out"; then
	echo "ok 20 drift_pct_widens_interval"
else
	sed 's/^/# /' "$tmp/out" | head -n 20
	echo "not ok 20 drift_pct_widens_interval"
	fail=1
fi
# results drift over two A/A compare.tsv: changes +10% and -10% with no
# spread of their own: drift sqrt((100 + 100) / 2 / 2) = 7.0711%.
kern=$(sed -n 's/.*"kernel_release": "\([^"]*\)".*/\1/p' "$host" | head -n 1)
cpu=$(sed -n 's/.*"cpu_model": "\([^"]*\)".*/\1/p' "$host" | head -n 1)
aa_tsv() { # FILE CHANGE
	{
		printf '# A: host h, kernel %s, CPU %s, suite r\n' "$kern" "$cpu"
		printf '# configuration\tmetric\tstat\tdecides\truns_a\truns_b\ta_mean_of_runs\tb_mean_of_runs\tchange_pct\tlo_pct\thi_pct\tnoise_a_pct\tcov_a_pct\tcov_b_pct\tverdict\tdrift_pct\n'
		printf 'anon x1 write seq 4K\tlatency\tuntimed\t1\t3\t3\t1000\t%s\t%s\t0\t0\t0\t0\t0\tslower\t0\n' \
			"$((1000 + 10 * $2))" "$2"
	} >"$1"
}
aa_tsv "$tmp/p1.tsv" 10
aa_tsv "$tmp/p2.tsv" -10
mkdir -p "$tmp/cal/c1" "$tmp/nocal"
"$tool" drift "$tmp/p1.tsv" "$tmp/p2.tsv" >"$tmp/cal/c1/drift.tsv" 2>&1
if grep -q "^anon x1 write seq 4K	latency	untimed	7.0711	2$" "$tmp/cal/c1/drift.tsv" &&
	grep -q "^\*	\*	untimed	7.0711	2$" "$tmp/cal/c1/drift.tsv"; then
	echo "ok 21 drift_profile_from_aa_pairs"
else
	sed 's/^/# /' "$tmp/cal/c1/drift.tsv"
	echo "not ok 21 drift_profile_from_aa_pairs"
	fail=1
fi
# G's untimed +10.18% against a 7.07% drift known from 2 pairs only.
check 22 drift_profile_decides 0 '^  \* untimed .*no verdict: interval spans 0$' \
	"$tmp/A" "$tmp/G" --drift "$tmp/cal/c1/drift.tsv"
export GMEMSUITE_DRIFT_PATH="$tmp/cal"
check 23 drift_auto_finds_the_hosts_profile 0 \
	"^drift: $tmp/cal/c1/drift.tsv (measured on kernel $kern, CPU $cpu)$" \
	"$tmp/A" "$tmp/G" --drift auto
export GMEMSUITE_DRIFT_PATH="$tmp/nocal"
check 24 drift_auto_none_says_so 0 "^drift: no drift profile for kernel $kern, CPU .* in $tmp/nocal: " \
	"$tmp/A" "$tmp/G" --drift auto
unset GMEMSUITE_DRIFT_PATH
printf 'configuration\tstat\n' >"$tmp/bad.tsv"
check 25 bad_profile_one_line_error 2 "^results: --drift: $tmp/bad.tsv: not a drift profile" \
	"$tmp/A" "$tmp/G" --drift "$tmp/bad.tsv"
sed "1s/kernel $kern/kernel other-kernel/" "$tmp/cal/c1/drift.tsv" >"$tmp/other.tsv"
check 26 profile_of_another_host_warns 0 \
	'^WARNING: the drift profile was measured on another kernel or CPU than A ran on' \
	"$tmp/A" "$tmp/G" --drift "$tmp/other.tsv"
"$tool" compare "$tmp/A" "$tmp/G" --plot "$tmp/P" >"$tmp/out" 2>&1
if grep -q "^plot: $tmp/P/compare.dat, .gp" "$tmp/out" &&
	[ "$(grep -vc '^#' "$tmp/P/compare.dat" 2>/dev/null)" = 1 ] &&
	grep -q 'compare.dat' "$tmp/P/compare.gp"; then
	echo "ok 27 compare_plot_written"
else
	sed 's/^/# /' "$tmp/out" | tail -n 5
	echo "not ok 27 compare_plot_written"
	fail=1
fi
[ $fail -eq 0 ] || exit 1
