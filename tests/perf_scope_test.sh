#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# perf_scope_test.sh: PERF=1 counts what the benchmark measures, not its
# setup, and compare puts the counts next to the time.
#  1. make bench's wiring (scripts/bench GMEMSUITE_PERF=1, fault anon x1,
#     16M, 1 pass, 2 runs): each JSON has perf_stat events and says
#     perf_scope "measured region" (perf stat -D -1 --control fifo).
#  2. The scope is real: a kvm tracepoint counted over the measured
#     passes is above 0 and below what the same command counts as a whole
#     process (the VM's setup, floors and teardown count too).
#  3. Without PERF=1: perf_scope "not counted"; a control fifo nobody
#     holds: one line on stderr, the run goes on and says so.
#  4. `results compare` of the two runs against themselves prints the
#     counts per page (KVM stats deltas and the perf events).
# Needs /dev/kvm, perf with kvm tracepoints, and root; else a skip naming
# what is missing.
# KTAP, kselftest exit codes.
# checkout-only: runs the checkout's scripts/bench (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/build/tools/results
fb=$top/build/bench/fault_bench
echo "TAP version 13"
skip() { echo "1..0 # SKIP $*"; exit 4; }
[[ -x $results && -x $fb ]] || skip "needs the checkout's build (make)"
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "no usable /dev/kvm"
command -v perf >/dev/null || skip "no perf (apt-get install linux-perf)"
((EUID == 0)) || skip "kvm tracepoints need root"
perf list 2>/dev/null | grep -q '^ *kvm:kvm_exit ' ||
	skip "perf lists no kvm:kvm_exit tracepoint (tracefs?)"
probe=$(mktemp) || skip "mktemp failed"
"$fb" -b anon -s 16M -i 1 -j "$probe" >/dev/null 2>&1 ||
	{ rm -f "$probe"; skip "fault_bench -b anon cannot run on this host"; }
rm -f "$probe"
echo "1..4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 skipped=0
not_ok() { echo "not ok $1 $2"; fail=$((fail + 1)); }

# 1.
GMEMSUITE_PERF=1 GMEMSUITE_BENCH_ONLY=fault-anon-x1 GMEMSUITE_BENCH_SIZE=16M \
	GMEMSUITE_BENCH_PASSES=1 GMEMSUITE_RUNS=2 GMEMSUITE_BENCH_PLOTS=0 \
	GMEMSUITE_OUT="$tmp/run" "$top/scripts/bench" >"$tmp/bench.out" 2>&1
rc=$?
scope=$(python3 -c 'import json,sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    print(d["results"].get("perf_scope"), len(d.get("perf_stat", {}).get("events", {})))' \
	"$tmp"/run/fault-anon-x1-run*.json 2>/dev/null | sort -u)
if [[ $rc != 0 ]]; then
	echo "# scripts/bench exit $rc: $(tail -n 1 "$tmp/bench.out")"
	not_ok 1 bench_perf_measured_region
elif [[ $scope != "measured region "[1-9]* ]]; then
	echo "# perf_scope and event counts: ${scope:-none}"
	not_ok 1 bench_perf_measured_region
else
	echo "# $(grep -m1 'perf counts' "$tmp/bench.out")"
	echo "ok 1 bench_perf_measured_region"
fi

# 2.  The first of these events that a whole run counts at all (PVM
# has no kvm_exit: its faults show as emulated instructions and shadow
# page-table walks).
ev=""
for e in kvm:kvm_exit kvm:kvm_page_fault kvm:kvm_emulate_insn \
	kvmmmu:kvm_mmu_pagetable_walk; do
	perf list 2>/dev/null | grep -q "^ *$e " || continue
	perf stat -x, -o "$tmp/whole.csv" -e "$e" -- \
		"$fb" -b anon -s 16M -i 1 -B 64 -j "$tmp/whole.json" >/dev/null 2>&1
	w=$(awk -F, -v e="$e" '$3 == e { print $1 }' "$tmp/whole.csv")
	[[ $w =~ ^[0-9]+$ ]] && ((w > 0)) && { ev=$e; break; }
done
mkfifo "$tmp/ctl" "$tmp/ack"
if [[ -z $ev ]]; then
	echo "ok 2 scope_excludes_setup # SKIP no kvm tracepoint counts anything in a whole run here"
	skipped=1
else
	perf stat -x, -o "$tmp/scoped.csv" -e "$ev" -D -1 \
		--control "fifo:$tmp/ctl,$tmp/ack" -- env \
		GMEMSUITE_PERF_CTL_FIFO="$tmp/ctl" GMEMSUITE_PERF_ACK_FIFO="$tmp/ack" \
		"$fb" -b anon -s 16M -i 1 -B 64 -j "$tmp/scoped.json" >/dev/null 2>"$tmp/scoped.err"
	s=$(awk -F, -v e="$ev" '$3 == e { print $1 }' "$tmp/scoped.csv")
	if [[ ! $s =~ ^[0-9]+$ ]]; then
		echo "# $ev: scoped '$s' ($(tail -n 1 "$tmp/scoped.err"))"
		not_ok 2 scope_excludes_setup
	elif ((s == 0 || s >= w)); then
		echo "# $ev over the measured passes $s, whole process $w"
		not_ok 2 scope_excludes_setup
	else
		echo "# $ev: $s over the measured passes, $w for the whole process"
		echo "ok 2 scope_excludes_setup"
	fi
fi

# 3.
"$fb" -b anon -s 16M -i 1 -j "$tmp/none.json" >/dev/null 2>&1
mkfifo "$tmp/lonely"
GMEMSUITE_PERF_CTL_FIFO="$tmp/lonely" GMEMSUITE_PERF_ACK_FIFO="$tmp/lonely" \
	"$fb" -b anon -s 16M -i 1 -j "$tmp/lonely.json" >/dev/null 2>"$tmp/lonely.err"
rc=$?
a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"]["perf_scope"])' "$tmp/none.json" 2>/dev/null)
b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"]["perf_scope"])' "$tmp/lonely.json" 2>/dev/null)
notes=$(grep -c 'PERF=1:' "$tmp/lonely.err")
if [[ $a != "not counted" || $rc != 0 || $b != whole\ process* || $notes != 1 ]]; then
	echo "# without PERF: '$a'; unheld fifo: exit $rc, '$b', $notes note line(s)"
	not_ok 3 unscoped_cases_say_so
else
	echo "# $(grep 'PERF=1:' "$tmp/lonely.err")"
	echo "ok 3 unscoped_cases_say_so"
fi

# 4.
"$results" compare "$tmp/run" "$tmp/run" >"$tmp/cmp.out" 2>&1
if grep -q '^  counts per page' "$tmp/cmp.out" &&
	grep -q '^    kvm[a-z]*:[a-z_]* ' "$tmp/cmp.out" &&
	grep -q '^    exits ' "$tmp/cmp.out"; then
	grep -A3 '^  counts per page' "$tmp/cmp.out" | sed 's/^/# /'
	echo "ok 4 compare_shows_counts"
else
	echo "# $(grep -c . "$tmp/cmp.out") lines, no counts per page with a kvm tracepoint and exits"
	not_ok 4 compare_shows_counts
fi

echo "# Totals: pass:$((4 - fail - skipped)) fail:$fail xfail:0 xpass:0 skip:$skipped error:0"
((fail)) && exit 1
exit 0
