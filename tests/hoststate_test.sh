#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host is left as found, and no result is lost, end to end: each case
# runs the real programs the way users hit the problem and compares the
# host before and after (both hugetlb pools, and no claim left in the
# ledger).  tests/host_state_test.c covers the library's own exit paths
# (failed assertion, skip, SIGKILL of a run and of its guardian).
#
#   hoststate_test.sh [-l] [-t NAME]...
#
# KTAP output, kselftest exit codes.  Needs root, /dev/kvm and the
# hugetlb pools; the binaries come from next to it (an installed
# kselftest tree) or ../build (make builds them).
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
set -u

here=$(cd "$(dirname "$0")" && pwd)
# Next to this script (kselftest install), or the repository's build/.
find_prog() {
	local d
	for d in "$here" "$here/.." "$here/../build/$1"; do
		[ -x "$d/$2" ] && { echo "$d/$2"; return; }
	done
	echo "$here/../build/$1/$2"
}
fault=$(find_prog bench fault_bench)
conv_test=$(find_prog tests conversion_test)
host_report=$(find_prog tools host_report)
pool2m=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
pool1g=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
export GMEMSUITE_STATE_DIR=${GMEMSUITE_STATE_DIR:-/run/gmemsuite}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pools() { echo "2M=$(cat $pool2m 2>/dev/null) 1G=$(cat $pool1g 2>/dev/null)"; }
claims() { cat "$GMEMSUITE_STATE_DIR"/*hugepages*.ledger 2>/dev/null | grep -c '^claim' ; }

# Record a failed check of the current case (the case goes on, so that
# every check reports).
fail() { echo "# FAILED: $*"; bad=1; }

# The pools must be back to $before within $1 seconds (a guardian may
# still be finishing), with no claim left.
expect_restored() {
	local deadline=$((SECONDS + ${1:-0}))
	while [[ $(pools) != "$before" ]] && ((SECONDS < deadline)); do
		sleep 0.1
	done
	[[ $(pools) == "$before" ]] || fail "pools $(pools), before: $before"
	[[ $(claims) == 0 ]] || fail "claims left in $GMEMSUITE_STATE_DIR"
	echo "# pools before and after: $before"
}

# More 1G pages than the machine has: refused up front in one line that
# names the limit, exit 2, before any pool is touched.
oversized_hugetlb_refused() {
	local gib lines
	gib=$(awk '/MemTotal/ { print int($2 / 1048576) + 2 }' /proc/meminfo)
	"$fault" -b hugetlb1g -s "${gib}G" -i 1 >"$tmp/out" 2>&1
	local rc=$?
	lines=$(wc -l <"$tmp/out")
	echo "# fault_bench -b hugetlb1g -s ${gib}G: exit $rc, $lines line(s)"
	echo "# $(head -n1 "$tmp/out")"
	[[ $rc == 2 ]] || fail "expected exit 2 (refused)"
	[[ $lines == 1 ]] || fail "expected one line, got $lines"
	grep -q '1 GiB pages' "$tmp/out" || fail "the line names no 1 GiB limit"
	expect_restored
}

# SIGKILL while a run holds a grown pool: its guardian restores it.
sigkill_holding_pool() {
	local pid i grown=""
	"$fault" -b hugetlb2m -s 2G -i 50 >/dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(claims) != 0 ]] && grown=$(pools) && break
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	echo "# while running: ${grown:-pool never grown}; SIGKILL sent"
	[[ -n $grown ]] || fail "the run never claimed the pool"
	expect_restored 5
}

# Two runs at once share the pool: both get their pages.
concurrent_runs_share_pool() {
	local a b ra rb
	"$fault" -b hugetlb2m -s 512M -i 2 >"$tmp/a" 2>&1 &
	a=$!
	"$fault" -b hugetlb2m -s 512M -i 2 >"$tmp/b" 2>&1 &
	b=$!
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	echo "# two fault_bench -b hugetlb2m -s 512M at once: exit $ra and $rb"
	[[ $ra == 0 && $rb == 0 ]] ||
		fail "$(grep -h -m1 'SKIP\|failure\|error' "$tmp/a" "$tmp/b")"
	expect_restored
}

# A first-touch pass ten times longer than the watchdog's timeout is
# progress, not a hang (guest_test checks that a hang is still caught).
long_pass_is_not_a_hang() {
	local rc wall ms wall2
	# The watchdog measures progress, not pass length: calibrate one pass
	# here and now (the cost moves with the host's load), then run it
	# with a watchdog of a quarter of a pass, i.e. four progress beats
	# (every 4096 of the 65536 pages) per watchdog period.
	"$fault" -s 256M -i 1 >"$tmp/out" 2>&1 ||
		{ fail "calibration run: $(grep -m2 'failure\|watchdog' "$tmp/out")"; return; }
	wall=$(sed -n 's/.*wall \([0-9.]*\) s;.*/\1/p' "$tmp/out")
	ms=$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 / 4 }')
	((ms >= 10)) || ms=10
	GMEMSUITE_RUN_TIMEOUT_MS=$ms "$fault" -s 256M -i 1 >"$tmp/out" 2>&1
	rc=$?
	wall2=$(sed -n 's/.*wall \([0-9.]*\) s;.*/\1/p' "$tmp/out")
	echo "# fault_bench -s 256M: a pass took ${wall} s; with a ${ms} ms watchdog: exit $rc, the pass ${wall2:-?} s"
	[[ $rc == 0 ]] || { fail "$(grep -m2 'failure\|watchdog' "$tmp/out")"; return; }
	# Shown only if the pass outlasted the watchdog.
	awk -v w="$wall2" -v ms="$ms" 'BEGIN { exit !(w * 1000 > ms) }' ||
		fail "the pass (${wall2} s) was shorter than the ${ms} ms watchdog: nothing shown"
}

# An unwritable --json fails before anything is measured.
json_path_checked_first() {
	local t0 rc ms
	t0=$(date +%s%N)
	"$fault" -s 1G -i 3 -j /nonexistent/dir/x.json >"$tmp/out" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "# exit $rc after $ms ms: $(cat "$tmp/out")"
	[[ $rc == 2 ]] || fail "expected exit 2"
	((ms < 1000)) || fail "took $ms ms: it measured first"
}

# --vm-type snp where there is no SNP: nothing runs on another type.
vm_type_without_the_hardware() {
	local rc
	"$conv_test" --vm-type snp >"$tmp/out" 2>&1
	rc=$?
	echo "# conversion_test --vm-type snp: exit $rc," \
	     "$(grep -c '^ok .* # SKIP' "$tmp/out") skipped of" \
	     "$(grep -c '^\(not \)\?ok ' "$tmp/out")"
	[[ $rc == 4 ]] || fail "expected exit 4: $(grep -m3 '^ok [0-9]* [a-z_]*$\|^not ok' "$tmp/out")"
}

cases=(oversized_hugetlb_refused sigkill_holding_pool
       concurrent_runs_share_pool long_pass_is_not_a_hang
       json_path_checked_first vm_type_without_the_hardware)

only=()
while (($#)); do
	case $1 in
	-l) printf '%s\n' "${cases[@]}"; exit 0 ;;
	-t) only+=("${2:?-t needs a case}"); shift ;;
	*) echo "usage: $0 [-l] [-t NAME]..." >&2; exit 2 ;;
	esac
	shift
done
((${#only[@]})) && cases=("${only[@]}")

echo "TAP version 13"
echo "1..${#cases[@]}"
why=""
[[ -x $fault && -x $conv_test ]] || why="build first: $fault missing"
[[ -z $why && -w /dev/kvm ]] || why=${why:-"/dev/kvm missing or not writable"}
[[ -z $why && $(id -u) == 0 ]] || why=${why:-"needs root (hugetlb pools)"}
[[ -z $why && -w $pool2m && -w $pool1g ]] || why=${why:-"no writable 2M and 1G hugetlb pools"}
n=0 pass=0 failed=0 skip=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	if [[ -n $why ]]; then
		echo "ok $n $c # SKIP $why"
		skip=$((skip + 1))
		continue
	fi
	if [[ $c == vm_type_without_the_hardware ]] &&
	   "$host_report" 2>/dev/null | grep -q '^PASS  vm.snp'; then
		echo "ok $n $c # SKIP this host has SEV-SNP"
		skip=$((skip + 1))
		continue
	fi
	before=$(pools)
	bad=0
	"$c"
	if ((!bad)); then
		echo "ok $n $c"
		pass=$((pass + 1))
	else
		echo "not ok $n $c"
		failed=$((failed + 1))
	fi
done
echo "# Totals: pass:$pass fail:$failed xfail:0 xpass:0 skip:$skip error:0"
((failed)) && exit 1
((pass)) || exit 4
exit 0
