#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# plots_test.sh: the committed plots are what their results give, and
# drawing them twice gives the same.
#  1. Every committed reference result with plots (plots/*.gp in its
#     raw.tar.xz), unpacked in a copy and regenerated with `results plots`
#     (with --force where its .gp says it was made so): the same set of
#     .dat and .gp files as packed, byte for byte, and a PNG committed for
#     each; a second regeneration changes nothing.
#  2. What the plots say: fault_ccdf starts each curve at 1, never rises,
#     draws both floors and names the pages per sample; convert_cost has
#     its zeroing floor; every .gp names only its own .dat.
#  3. `results compare A B --plot DIR` on two committed runs: one row per
#     deciding configuration, the same files twice.
#  4. Drawing (gnuplot, when installed; else a skip naming it): every .gp
#     of one committed result gives a PNG and an SVG, and the SVG is the
#     same when drawn again.
#  5. Bad input: a missing directory, an unknown option, --draw of a
#     directory without .gp: one line, exit 2.
# KTAP, kselftest exit codes.
# checkout-only: reads results/ of the checkout
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/build/tools/results
plots=$top/scripts/plots
echo "TAP version 13"
if [[ ! -x $results || ! -d $top/results ]]; then
	echo "1..0 # SKIP needs the checkout's build (make) and results/"
	exit 4
fi
echo "1..5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 skip=0

ok() { echo "ok $1 $2"; }
not_ok() { echo "not ok $1 $2"; fail=$((fail + 1)); }

# The committed results with plots, each copied and unpacked; the plot
# files as packed kept aside in NAME.packed.
dirs=()
for d in "$top"/results/*/; do
	[[ -f $d/raw.tar.xz ]] || continue
	tar -tJf "$d/raw.tar.xz" | grep -q '^plots/.*\.gp$' || continue
	n=$(basename "$d")
	cp -r "$d" "$tmp/$n"
	tar -xJf "$tmp/$n/raw.tar.xz" -C "$tmp/$n"
	mkdir -p "$tmp/$n.packed"
	cp "$tmp/$n"/plots/*.dat "$tmp/$n"/plots/*.gp "$tmp/$n.packed/" 2>/dev/null
	dirs+=("$n")
done

# regen NAME: results plots on the copy (--force as its .gp says).
regen() {
	local force=()
	grep -qh '^# .*(results plots RUN_DIR --force)' "$tmp/$1.packed"/*.gp &&
		force=(--force)
	"$results" plots "$tmp/$1" "${force[@]}" >"$tmp/$1.out" 2>&1
}

# 1.
bad=0
for n in "${dirs[@]}"; do
	if ! regen "$n"; then
		echo "# $n: results plots failed: $(tail -n 1 "$tmp/$n.out")"
		bad=$((bad + 1))
		continue
	fi
	(cd "$tmp/$n.packed" && ls ./*.dat ./*.gp) >"$tmp/want" 2>/dev/null
	(cd "$tmp/$n/plots" && ls ./*.dat ./*.gp) >"$tmp/got" 2>/dev/null
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		echo "# $n: the plot files differ: $(diff "$tmp/want" "$tmp/got" | grep '^[<>]' | tr '\n' ' ')"
		bad=$((bad + 1))
		continue
	fi
	while read -r f; do
		if ! cmp -s "$tmp/$n.packed/$f" "$tmp/$n/plots/$f"; then
			echo "# $n: plots/$f differs from what its results give (make plots RUN=results/$n)"
			bad=$((bad + 1))
		fi
		b=${f#./}
		[[ $b != *.gp || -f $top/results/$n/plots/${b%.gp}.png ]] ||
			{ echo "# $n: no committed plots/${b%.gp}.png"; bad=$((bad + 1)); }
	done <"$tmp/want"
	cp -r "$tmp/$n/plots" "$tmp/$n.first"
	regen "$n"
	for f in "$tmp/$n.first"/*.dat "$tmp/$n.first"/*.gp; do
		cmp -s "$f" "$tmp/$n/plots/${f##*/}" ||
			{ echo "# $n: a second regeneration changed ${f##*/}"; bad=$((bad + 1)); }
	done
done
if ((${#dirs[@]} == 0)); then
	not_ok 1 "committed_plots_regenerate # no committed result has plots/*.gp in its raw.tar.xz"
elif ((bad)); then
	not_ok 1 "committed_plots_regenerate"
else
	echo "# ${#dirs[@]} result(s), $(cat "$tmp"/*.first/*.dat "$tmp"/*.first/*.gp | wc -l) lines of plot files, identical twice"
	ok 1 committed_plots_regenerate
fi

# 2.
bad=0
for n in "${dirs[@]}"; do
	p=$tmp/$n/plots
	if [[ -f $p/fault_ccdf.dat ]]; then
		awk -v n="$n" '
			/^# block/ { first = 1; next }
			/^#/ || NF == 0 { next }
			first && $2 != 1 { print "# " n ": a CCDF starts at " $2; bad++ }
			!first && $2 > prev + 1e-9 { print "# " n ": a CCDF rises"; bad++ }
			{ prev = $2; first = 0 }
			END { exit bad > 0 }' "$p/fault_ccdf.dat" || bad=$((bad + 1))
		for w in 'resident ' 'timer ' 'per sample'; do
			grep -q "$w" "$p/fault_ccdf.gp" ||
				{ echo "# $n: fault_ccdf.gp draws no '$w'"; bad=$((bad + 1)); }
		done
		grep -q 'set logscale xy' "$p/fault_ccdf.gp" ||
			{ echo "# $n: fault_ccdf is not on log axes"; bad=$((bad + 1)); }
	fi
	if [[ -f $p/convert_cost.gp ]] && ! grep -q 'zeroing floor' "$p/convert_cost.gp"; then
		echo "# $n: convert_cost.gp draws no zeroing floor"
		bad=$((bad + 1))
	fi
	for g in "$p"/*.gp; do
		b=$(basename "$g" .gp)
		other=$(grep -o '"[a-z_]*\.dat"' "$g" | sort -u | grep -v "\"$b.dat\"")
		[[ -z $other ]] || { echo "# $n: $b.gp reads $other"; bad=$((bad + 1)); }
	done
done
((bad)) && not_ok 2 plots_say_what_they_claim || ok 2 plots_say_what_they_claim

# 3.
a="" b=""
for n in "${dirs[@]}"; do
	[[ $n == host-* ]] || continue
	[[ -z $a ]] && a=$n || { [[ -z $b ]] && b=$n; }
done
if [[ -z $b ]]; then
	echo "ok 3 compare_plot # SKIP fewer than two committed host results"
	skip=$((skip + 1))
else
	"$results" compare "$tmp/$a" "$tmp/$b" --force --plot "$tmp/cmp1" >"$tmp/c1.out" 2>&1
	rc1=$?
	"$results" compare "$tmp/$a" "$tmp/$b" --force --plot "$tmp/cmp2" >/dev/null 2>&1
	rows=$(grep -vc '^#' "$tmp/cmp1/compare.dat" 2>/dev/null)
	want=$(grep -c '^  \* ' "$tmp/c1.out")
	if [[ $rc1 -gt 1 || ! -s $tmp/cmp1/compare.gp ]]; then
		not_ok 3 "compare_plot # exit $rc1: $(tail -n 1 "$tmp/c1.out")"
	elif [[ $rows != "$want" ]]; then
		not_ok 3 "compare_plot # $rows rows, $want deciding lines"
	elif ! cmp -s "$tmp/cmp1/compare.dat" "$tmp/cmp2/compare.dat" ||
	     ! cmp -s "$tmp/cmp1/compare.gp" "$tmp/cmp2/compare.gp"; then
		not_ok 3 "compare_plot # not the same twice"
	else
		echo "# $a against $b: $rows rows"
		ok 3 compare_plot
	fi
fi

# 4.
if ! command -v gnuplot >/dev/null; then
	echo "ok 4 drawing # SKIP gnuplot not installed (apt-get install gnuplot-nox)"
	skip=$((skip + 1))
else
	n=${dirs[0]}
	bad=0
	if ! "$plots" --draw "$tmp/$n/plots" >"$tmp/d1.out" 2>&1; then
		echo "# $n: $(tail -n 1 "$tmp/d1.out")"
		bad=1
	fi
	mkdir -p "$tmp/svg1"
	cp "$tmp/$n/plots"/*.svg "$tmp/svg1/" 2>/dev/null
	"$plots" --draw "$tmp/$n/plots" >/dev/null 2>&1 || bad=1
	for g in "$tmp/$n/plots"/*.gp; do
		b=$(basename "$g" .gp)
		[[ -s $tmp/$n/plots/$b.png && -s $tmp/$n/plots/$b.svg ]] ||
			{ echo "# $n: $b drew no PNG or SVG"; bad=1; }
		cmp -s "$tmp/svg1/$b.svg" "$tmp/$n/plots/$b.svg" ||
			{ echo "# $n: $b.svg differs when drawn again"; bad=1; }
	done
	((bad)) && not_ok 4 drawing || ok 4 drawing
fi

# 5.
bad=0
one_line() {	# one_line WHAT CMD...: exit 2, one line on stderr
	local what=$1 rc
	shift
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [[ $rc != 2 || $(wc -l <"$tmp/err") != 1 ]]; then
		echo "# $what: exit $rc, $(wc -l <"$tmp/err") line(s): $(head -c 200 "$tmp/err")"
		bad=$((bad + 1))
	fi
}
mkdir -p "$tmp/empty"
one_line "results plots of a missing directory" "$results" plots "$tmp/none"
one_line "scripts/plots --bogus" "$plots" --bogus "$tmp/empty"
one_line "scripts/plots --draw without .gp" "$plots" --draw "$tmp/empty"
one_line "compare --plot without a value" "$results" compare "$tmp/empty" "$tmp/empty" --plot
((bad)) && not_ok 5 bad_input_one_line || ok 5 bad_input_one_line

echo "# Totals: pass:$((5 - fail - skip)) fail:$fail xfail:0 xpass:0 skip:$skip error:0"
((fail)) && exit 1
exit 0
