#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# results_test.sh: make compare's guards: a verdict only between runs
# measured on comparable machines.  Inputs: one fault_bench result of the
# reference host run and one of the emulated 7.3 run (tests/data, copies
# of results/*/fault-anon-x1.json).  KTAP, kselftest exit codes.
here=$(cd "$(dirname "$0")" && pwd)
# Next to this script (kselftest install: results-tool) or the checkout.
tool="" data=""
for t in "$here/results-tool" "$here/../build/tools/results"; do
	[ -x "$t" ] && { tool=$t; break; }
done
for d in "$here" "$here/data"; do
	[ -f "$d/compare-host-pvm.json" ] && { data=$d; break; }
done
echo "TAP version 13"
echo "1..4"
if [ -z "$tool" ] || [ -z "$data" ]; then
	for n in 1 2 3 4; do
		echo "ok $n # SKIP results tool or tests/data not found next to $0"
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
		sed 's/^/# /' "$tmp/out" | head -n 12
		echo "# exit $rc, expected $want and a line matching '$pat'"
		echo "not ok $n $name"
		fail=1
	fi
}
check 1 emulated_against_hardware_refused 2 "NO VERDICT: one run is emulated" "$host" "$tcg"
check 2 same_machine_gets_a_verdict 0 "significant at alpha" "$host" "$host"
check 3 force_warns_and_compares 0 "WARNING: --force" "$host" "$tcg" --force
printf '{"schema": 1, "tool": "fault_bench", "host": ' >"$tmp/bad.json"
check 4 malformed_file_one_line_error 2 "bad.json" "$host" "$tmp/bad.json"
[ $fail -eq 0 ] || exit 1
