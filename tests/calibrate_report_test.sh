#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# calibrate_report_test.sh: scripts/calibrate-compare --report over a
# committed calibration's raw pairs (results/calibration-host-6.18.44-
# v1300-drift, unpacked in a copy) writes what the README cites:
#  1. drift.tsv, a drift profile of the pairs' own kernel and CPU, the
#     same as `results drift` over the pairs' compare.tsv gives;
#  2. part 1b: every A/A pair judged with the profile of the other pairs
#     (aa/pK/drift-others.tsv never reads pK itself), a row per
#     statistic for 5 and 3 runs a side;
#  3. the report names where the pairs ran (the pairs' kernel), not the
#     machine that rewrote it;
#  4. the committed report and profile are what the raw pairs give
#     (rewritten, they differ only in the suite revision that wrote them).
# KTAP, kselftest exit codes.
# checkout-only: reads results/ and runs the checkout's scripts
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/build/tools/results
src=$top/results/calibration-host-6.18.44-v1300-drift
echo "TAP version 13"
if [[ ! -x $results || ! -f $src/raw.tar.xz ]]; then
	echo "1..0 # SKIP needs the checkout's build (make) and $src"
	exit 4
fi
echo "1..4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
d=$tmp/cal
cp -r "$src" "$d"
tar -xJf "$d/raw.tar.xz" -C "$d"
rm -f "$d/drift.tsv" "$d/calibration.md" "$d"/aa/p*/compare-drift.tsv \
	"$d"/aa/p*/drift-others.tsv
"$top/scripts/calibrate-compare" --out "$d" --report >"$tmp/out" 2>&1
rc=$?
md=$d/calibration.md

# 1.
"$results" drift "$d"/aa/p*/compare.tsv >"$tmp/want.tsv" 2>&1
if [[ $rc == 0 ]] && cmp -s "$tmp/want.tsv" "$d/drift.tsv" &&
	head -n 1 "$d/drift.tsv" | grep -q '^# gmemsuite drift profile 1: kernel 6.18.44-fc-v1300, CPU AMD EPYC, 10 A/A pair(s)$'; then
	echo "ok 1 drift_profile_written"
else
	echo "# exit $rc; $(head -n 1 "$d/drift.tsv" 2>&1)"
	echo "not ok 1 drift_profile_written"
	fail=$((fail + 1))
fi

# 2.
bad=0
for p in "$d"/aa/p*; do
	# The profile of the others: 9 pairs, none of them this one.
	head -n 1 "$p/drift-others.tsv" | grep -q ', 9 A/A pair(s)$' || bad=$((bad + 1))
	[[ -s $p/compare-drift.tsv ]] || bad=$((bad + 1))
	grep -q "drift: $p/drift-others.tsv" "$p/compare-drift.tsv" || bad=$((bad + 1))
done
rows=$(sed -n '/^## 1b/,/^## 2/p' "$md" | grep -cE '^\| [35] \| (untimed|mean|p50|p90|p99) \|')
if ((bad == 0 && rows == 10)); then
	echo "ok 2 pairs_judged_without_themselves"
else
	echo "# $bad pair file(s) wrong, $rows rows of part 1b (10 expected)"
	echo "not ok 2 pairs_judged_without_themselves"
	fail=$((fail + 1))
fi

# 3.
if sed -n 3p "$md" | grep -q '^Measured on host vm, kernel 6.18.44-fc-v1300, CPU AMD EPYC, suite b39a355, 2026-12-08; report written by suite '; then
	echo "ok 3 report_names_where_the_pairs_ran"
else
	echo "# $(sed -n 3p "$md")"
	echo "not ok 3 report_names_where_the_pairs_ran"
	fail=$((fail + 1))
fi

# 4.
if cmp -s "$src/drift.tsv" "$d/drift.tsv" &&
	diff <(sed 3d "$src/calibration.md") <(sed 3d "$md") >"$tmp/diff"; then
	echo "ok 4 committed_report_is_what_the_pairs_give"
else
	head -n 20 "$tmp/diff" | sed 's/^/# /'
	echo "not ok 4 committed_report_is_what_the_pairs_give"
	fail=$((fail + 1))
fi

echo "# Totals: pass:$((4 - fail)) fail:$fail xfail:0 xpass:0 skip:0 error:0"
((fail)) && exit 1
exit 0
