#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# coverage_test.sh: docs/coverage.md maps every check of the upstream and
# series KVM selftests to cases of this suite.  Keep it true: every
# program:case it names must be a case that program lists (-l), and every
# row must say what covers it (cases, "none" or "n/a").  KTAP, kselftest
# exit codes; runs from the checkout or an installed kselftest tree.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
doc=""
for d in "$here/coverage.md" "$here/../docs/coverage.md"; do
	[ -f "$d" ] && { doc=$d; break; }
done
prog_path() {
	for d in "$here" "$here/../build/tests"; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return; }
	done
}
echo "TAP version 13"
echo "1..2"
if [ -z "$doc" ]; then
	echo "ok 1 named_cases_exist # SKIP docs/coverage.md not found next to $0"
	echo "ok 2 every_row_has_a_verdict # SKIP docs/coverage.md not found"
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Rows: "| G1 | function | asserts | cases | kernels | note |".
grep -E '^\| [GCEPS][0-9]+ \|' "$doc" >"$tmp/rows"
awk -F' \\| ' '{ print $1 "\t" $4 }' "$tmp/rows" | sed 's/^| //' >"$tmp/cases"
rows=$(wc -l <"$tmp/rows")
missing=0 named=0
for t in $(cut -f2 "$tmp/cases" | grep -oE '[a-z_]+:[a-z0-9_]+' | sort -u); do
	p=${t%%:*} c=${t#*:}
	named=$((named + 1))
	if [ ! -f "$tmp/list-$p" ]; then
		exe=$(prog_path "$p")
		[ -n "$exe" ] && "$exe" -l >"$tmp/list-$p" 2>/dev/null
		[ -f "$tmp/list-$p" ] || : >"$tmp/list-$p"
	fi
	if ! grep -qx "$c" "$tmp/list-$p"; then
		echo "# $p:$c named in $(basename "$doc") is not a case of $p"
		missing=$((missing + 1))
	fi
done
echo "# $rows rows, $named distinct cases named"
if [ "$missing" -eq 0 ]; then
	echo "ok 1 named_cases_exist"
else
	echo "not ok 1 named_cases_exist"
fi
bad=$(awk -F'\t' '$2 !~ /[a-z_]+:[a-z0-9_]+|none|n\/a/ { print $1 }' "$tmp/cases")
none=$(awk -F'\t' '$2 ~ /^none/ { printf "%s ", $1 }' "$tmp/cases")
echo "# rows without a counterpart yet: ${none:-none}"
if [ -z "$bad" ]; then
	echo "ok 2 every_row_has_a_verdict"
else
	echo "# rows with an empty cases column: $bad"
	echo "not ok 2 every_row_has_a_verdict"
fi
[ "$missing" -eq 0 ] && [ -z "$bad" ]
