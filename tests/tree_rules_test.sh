#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree_rules_test.sh: the repository stays code first.
#  1. Reference results keep only what a reader needs as files (*.md,
#     plots/*.png, a calibration's drift.tsv) and their raw files in
#     raw.tar.xz: no other file under results/ is tracked.
#  2. Result text is at most 10% of the tracked text lines.
#  3. scripts/results-pack packs a result directory and --unpack gives
#     back the same files, and packing twice gives the same archive.
#  4. lib/'s layers include one way (scripts/check-layers), and the
#     check sees an include across the rule planted in a copy.
# KTAP, kselftest exit codes.
# checkout-only: reads the checkout's git index and scripts/results-pack (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$here/..
echo "TAP version 13"
if ! command -v git >/dev/null || ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	[[ ! -x $top/scripts/results-pack ]]; then
	echo "1..0 # SKIP needs git and the checkout"
	exit 4
fi
echo "1..4"
fail=0
cd "$top" || exit 1

other=$(git ls-files results | grep -vE '(\.md|/plots/[^/]*\.png|/raw\.tar\.xz|/drift\.tsv)$')
if [[ -z $other ]]; then
	echo "ok 1 results/: only summaries, plots and raw.tar.xz tracked"
else
	printf '# %s\n' $other | head -n 10
	echo "not ok 1 results/: only summaries, plots and raw.tar.xz tracked"
	fail=1
fi

git ls-files --eol | awk '$1 != "i/-text" { print $NF }' >/tmp/gmemsuite-text.$$
all=$(xargs -d '\n' cat </tmp/gmemsuite-text.$$ | wc -l)
res=$(grep '^results/' /tmp/gmemsuite-text.$$ | xargs -d '\n' -r cat | wc -l)
rm -f /tmp/gmemsuite-text.$$
if ((res * 10 <= all)); then
	echo "ok 2 result text $res of $all tracked text lines (<= 10%)"
else
	echo "not ok 2 result text $res of $all tracked text lines (<= 10%): scripts/results-pack"
	fail=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/run
mkdir -p "$d/plots" "$d/sub"
echo '{"schema": 1}' >"$d/fault-anon-x1-run1.json"
echo "# summary" >"$d/summary.md"
echo "1 2" >"$d/plots/cdf.dat"
printf 'PNG' >"$d/plots/cdf.png"
printf 'log\n' >"$d/sub/run.log"
(cd "$d" && find . -type f | sort | xargs sha256sum) >"$tmp/before"
if scripts/results-pack "$d" >/dev/null &&
	[[ -f $d/raw.tar.xz && ! -e $d/fault-anon-x1-run1.json && ! -e $d/sub &&
	   -f $d/summary.md && -f $d/plots/cdf.png && ! -e $d/plots/cdf.dat ]] &&
	cp "$d/raw.tar.xz" "$tmp/first.xz" &&
	scripts/results-pack --unpack "$d" >/dev/null &&
	(cd "$d" && find . -type f ! -name raw.tar.xz | sort | xargs sha256sum) >"$tmp/after" &&
	cmp -s "$tmp/before" "$tmp/after" &&
	rm "$d/raw.tar.xz" && scripts/results-pack "$d" >/dev/null &&
	cmp -s "$tmp/first.xz" "$d/raw.tar.xz"; then
	echo "ok 3 results-pack: pack, unpack, the same files; the same archive twice"
else
	diff "$tmp/before" "$tmp/after" 2>&1 | sed 's/^/# /' | head
	echo "not ok 3 results-pack: pack, unpack, the same files; the same archive twice"
	fail=1
fi
out=$(scripts/check-layers 2>&1)
rc=$?
c=$tmp/src
mkdir -p "$c" && cp -r lib include bench tools "$c/" && mkdir -p "$c/tests" &&
	cp -r tests/model "$c/tests/" &&
	sed -i '1a #include "ktap.h"' "$c/lib/kvm/numa.c"
planted=$(scripts/check-layers "$c" 2>&1)
prc=$?
if [[ $rc == 0 && -z $out && $prc == 1 &&
      $planted == 'lib/kvm/numa.c:2: kvm includes "ktap.h" of harness' ]]; then
	echo "ok 4 lib/ layers include one way; a planted include across is named"
else
	printf '# %s\n' "$out" "$planted" "exit $rc, planted exit $prc"
	echo "not ok 4 lib/ layers include one way; a planted include across is named"
	fail=1
fi
[[ $fail == 0 ]] || exit 1
