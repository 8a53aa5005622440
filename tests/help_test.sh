#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# help_test.sh: every entry point answers -h and --help with its usage
# and exit 0, and does nothing else.  Entry points: the executables of
# scripts/, tests/*.sh, ksft/*.sh, examples/ and the built programs (build/tests,
# build/bench, build/tools).  Each runs from an empty directory with a
# 10 s limit; it must print something on stdout, create no file there,
# and change nothing in the checkout (git status) or under build/results.
# And `make help` lists the targets.
# KTAP, kselftest exit codes.
# checkout-only: walks the checkout's scripts/ and build/ (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
echo "TAP version 13"
if ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	[[ ! -x $top/build/tools/results ]]; then
	echo "1..0 # SKIP needs the checkout and its build (make)"
	exit 4
fi

progs=()
for f in "$top"/scripts/* "$top"/tests/*.sh "$top"/ksft/*.sh "$top"/examples/* \
	 "$top"/build/tests/* "$top"/build/bench/* "$top"/build/tools/*; do
	[[ -f $f && -x $f ]] || continue
	progs+=("${f#"$top"/}")
done
echo "1..$((2 * ${#progs[@]} + 1))"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
state() {
	git -C "$top" status --porcelain --untracked-files=all 2>/dev/null
	find "$top/build/results" -maxdepth 2 2>/dev/null | sort
}
before=$(state)
fail=0 n=0

# check PROG FLAG: one row.
check() {
	local prog=$1 flag=$2 cwd rc why="" t0 t
	cwd=$tmp/cwd.$n
	mkdir -p "$cwd"
	t0=$(date +%s%N)
	(cd "$cwd" && exec setsid timeout -s KILL 10 "$top/$prog" "$flag" \
		>"$tmp/out" 2>"$tmp/err" </dev/null)
	rc=$?
	t=$((($(date +%s%N) - t0) / 1000000))
	n=$((n + 1))
	if ((rc == 137)); then
		why="still running after 10 s (killed)"
	elif ((rc != 0)); then
		why="exit $rc: $(head -n 1 "$tmp/err")"
	elif [[ ! -s $tmp/out ]]; then
		why="printed nothing on stdout"
	elif [[ -n $(ls -A "$cwd") ]]; then
		why="created $(ls -A "$cwd" | head -n 3 | tr '\n' ' ')"
	elif [[ $(state) != "$before" ]]; then
		why="changed the checkout or build/results"
	fi
	if [[ -n $why ]]; then
		echo "not ok $n $prog $flag # $why"
		fail=1
	else
		echo "ok $n $prog $flag # ${t} ms, $(wc -l <"$tmp/out") lines"
	fi
}

for p in "${progs[@]}"; do
	check "$p" --help
	check "$p" -h
done
n=$((n + 1))
if make -s -C "$top" help >"$tmp/out" 2>&1 && grep -q 'make check' "$tmp/out" &&
	[[ $(state) == "$before" ]]; then
	echo "ok $n make help # $(wc -l <"$tmp/out") lines"
else
	echo "not ok $n make help # $(head -n 1 "$tmp/out")"
	fail=1
fi
exit $fail
