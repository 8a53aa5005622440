#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# calibrate_inject_test.sh: scripts/calibrate-inject without a boot: bad
# input refused in one line (exit 2), --dry-run runs and writes nothing,
# and --report tabulates a calibration directory right.  The directory is
# made here from the host result in tests/data: an A/A condition whose
# sides are the same runs, and a +10% condition whose B runs are 10%
# slower in the untimed cost and the mean and unchanged in p50, so
# untimed and mean must be called "slower" in every pair, p50 in none.
# KTAP, kselftest exit codes.
# checkout-only: runs the checkout's scripts/calibrate-inject (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
ci=$here/../scripts/calibrate-inject
data=$here/data/compare-host-pvm.json
echo "TAP version 13"
if [[ ! -x $ci || ! -x $here/../build/tools/results || ! -f $data ]]; then
	echo "1..0 # SKIP needs the checkout's scripts/calibrate-inject and build/tools/results (make)"
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { # NAME COND
	n=$((n + 1))
	if [[ $2 == 1 ]]; then
		echo "ok $n $1"
	else
		sed 's/^/# /' "$tmp/out" | head -n 20
		echo "not ok $n $1"
		fail=1
	fi
}
# refused ARGS...: exit 2 with exactly one line.
refused() {
	"$ci" "$@" >"$tmp/out" 2>&1
	local rc=$?
	[[ $rc == 2 && $(wc -l <"$tmp/out") == 1 ]] && echo 1 || echo 0
}
echo "1..14"
ok "bad --kind" "$(refused --kind hugetlb)"
ok "bad --pcts" "$(refused --pcts "5 x")"
ok "empty --pcts" "$(refused --pcts " ")"
ok "--runs below 3" "$(refused --runs 2)"
ok "--pairs 0" "$(refused --pairs 0)"
ok "bad --size" "$(refused --size 16)"
ok "--report without --out" "$(refused --report)"
ok "unknown argument" "$(refused --stat p50)"
mkdir "$tmp/empty"
ok "--report on a directory with no calibration" "$(refused --report --out "$tmp/empty")"
"$ci" --dry-run --out "$tmp/dry" >"$tmp/out" 2>&1
ok "--dry-run prints the plan, writes nothing" \
	"$([[ $? == 0 && ! -e $tmp/dry ]] && grep -q 'conditions 0 2 5 10' "$tmp/out" && echo 1 || echo 0)"

# run FILE UNTIMED MEAN: the host result with its untimed cost and mean.
run() {
	mkdir -p "$(dirname "$1")"
	awk -v u="$2" -v m="$3" '
		/"latency_ns": \{/ { lat = 1 }
		lat && /"mean":/ { sub(/: .*/, ": " m ",") }
		lat && /}/ { lat = 0 }
		/"untimed_ns_per_page":/ { sub(/: .*/, ": " u ",") }
		{ print }' "$data" >"$1"
}
d=$tmp/cal
mkdir -p "$d"
printf '0 0\n10 1189\n' >"$d/conditions"
echo "kind fault, pcts 10, 2 pairs, 3 runs a side, test" >"$d/settings"
echo "inject: baseline 11890 ns (test)" >"$d/vm.log"
for k in 1 2; do
	for j in 1 2 3; do
		u=$((11800 + 40 * j + 10 * k)) m=$((9200 + 40 * j))
		run "$d/c0/p$k/A/fault-anon-x1-run$j.json" $u $m
		run "$d/c0/p$k/B/fault-anon-x1-run$j.json" $u $m
		run "$d/c10/p$k/A/fault-anon-x1-run$j.json" $u $m
		run "$d/c10/p$k/B/fault-anon-x1-run$j.json" \
			$((u * 11 / 10)) $((m * 11 / 10))
	done
done
"$ci" --report --out "$d" >"$tmp/out" 2>&1
ok "--report writes inject.md" "$([[ $? == 0 && -s $d/inject.md ]] && echo 1 || echo 0)"
cp "$d/inject.md" "$tmp/out" 2>/dev/null
row() { grep -c "^| +$1 | anon x1 write seq 4K | $2 | $3 |" "$d/inject.md" 2>/dev/null; }
ok "A/A: nothing called" \
	"$([[ $(row "0% (0 ns)" untimed "0 | 0 | 2") == 1 && $(row "0% (0 ns)" p50 "0 | 0 | 2") == 1 ]] && echo 1 || echo 0)"
ok "+10% in untimed and mean: called in 2 of 2" \
	"$([[ $(row "10% (1189 ns)" untimed "2 | 0 | 0") == 1 && $(row "10% (1189 ns)" mean "2 | 0 | 0") == 1 ]] && echo 1 || echo 0)"
ok "p50 unchanged: never called" \
	"$([[ $(row "10% (1189 ns)" p50 "0 | 0 | 2") == 1 ]] && echo 1 || echo 0)"
[[ $fail == 0 ]] || exit 1
