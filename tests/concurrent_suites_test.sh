#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# concurrent_suites_test.sh: two runs of the suite's pool cases at once
# (host_state_test, three rounds each, started together) share the 2M
# hugetlb pool: both end with zero failures, and afterwards the pool is
# back at its size before, no claim is left in the ledger and no process
# of either run is left.  KTAP, kselftest exit codes; needs root and a 2M
# hugetlb pool.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
prog=""
for d in "$here" "$here/../build/tests"; do
	[[ -x $d/host_state_test ]] && { prog=$d/host_state_test; break; }
done
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
state=${GMEMSUITE_STATE_DIR:-/run/gmemsuite}
echo "TAP version 13"
echo "1..3"
if [[ -z $prog ]]; then
	for n in 1 2 3; do echo "ok $n # SKIP host_state_test not built (make)"; done
	exit 4
fi
if [[ ! -w $pool ]]; then
	for n in 1 2 3; do echo "ok $n # SKIP $pool not writable (root needed)"; done
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
before=$(cat "$pool")
fail=0
for r in a b; do
	(for round in 1 2 3; do "$prog" || exit 1; done) >"$tmp/$r" 2>&1 &
done
wait %1; rc_a=$?
wait %2; rc_b=$?
fa=$(grep -c '^not ok' "$tmp/a") fb=$(grep -c '^not ok' "$tmp/b")
pa=$(grep -c '^ok' "$tmp/a") pb=$(grep -c '^ok' "$tmp/b")
if ((rc_a == 0 && rc_b == 0 && fa == 0 && fb == 0)); then
	echo "# run a: $pa ok, run b: $pb ok"
	echo "ok 1 two runs at once: zero failures in both"
else
	grep -h -B5 '^not ok' "$tmp/a" "$tmp/b" | sed 's/^/# /' | head -n 40
	echo "not ok 1 two runs at once: zero failures in both (a: exit $rc_a, $fa failed; b: exit $rc_b, $fb failed)"
	fail=1
fi
after=$(cat "$pool")
left=$(cat "$state"/*hugepages-2048kB*.ledger 2>/dev/null | grep -c '^claim')
if [[ $after == "$before" && $left == 0 ]]; then
	echo "ok 2 pool back at $before, no claim left in the ledger"
else
	echo "not ok 2 pool back at $before, no claim left in the ledger (now $after, $left claims)"
	fail=1
fi
stray=$(pgrep -f "$prog" | wc -l)
if ((stray == 0)); then
	echo "ok 3 no process of either run left"
else
	pgrep -af "$prog" | sed 's/^/# /'
	echo "not ok 3 no process of either run left ($stray)"
	fail=1
fi
((fail)) && exit 1
exit 0
