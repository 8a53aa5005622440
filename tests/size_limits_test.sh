#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# size_limits_test.sh: every size a benchmark is given is checked against
# what the host can give before anything is allocated or /dev/kvm is
# opened: a size that cannot fit ends in exactly one line and exit 2,
# never an assertion or an OOM kill.  Rows come from the argument's type
# (0, 1, a page - 1, a huge page - 1, 2^63, 2^64 - 1, 2^64) and from this
# host's limits (30G and 32G on 24 GiB, 1T, with unit suffixes), for
# fault_bench over each backing and for convert_bench.  A size that fits
# must not be refused.  And the --json path: in procfs, one line naming
# it; a fifo (as /dev/null) is written in place and stays a fifo, never
# replaced by a file renamed over it.  KTAP, kselftest exit codes.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
fb="" cb=""
for d in "$here" "$here/../build/bench"; do
	[[ -x $d/fault_bench ]] && fb=$d/fault_bench
	[[ -x $d/convert_bench ]] && cb=$d/convert_bench
done
# Sizes over this host's memory: 30G and 32G on the 24 GiB machines, else
# MemAvailable + 8G and + 10G.
avail=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
big1=30G big2=32G
if ((${avail:-0} >= 29)); then
	big1=$((avail + 8))G big2=$((avail + 10))G
fi
rows=(
	"fault_bench -s 0"
	"fault_bench -s 1"
	"fault_bench -s 4095"
	"fault_bench -s 2097151 -g 2m"
	"fault_bench -s $big1"
	"fault_bench -s $big2"
	"fault_bench -s $big2 -g 2m"
	"fault_bench -s 1T -g 1g"
	"fault_bench -s 1TiB"
	"fault_bench -s 9223372036854775808"
	"fault_bench -s 18446744073709551615"
	"fault_bench -s 18446744073709551616"
	"fault_bench -s 16E"
	"fault_bench -b shmem -s $big1"
	"fault_bench -b gmem -s 1T"
	"fault_bench -b gmem-private -s $big1"
	"fault_bench -b hugetlb2m -s 3M"
	"fault_bench -b hugetlb2m -s $big1"
	"fault_bench -b hugetlb1g -s 1536M"
	"fault_bench -b hugetlb1g -s 1T"
	"convert_bench -s 0"
	"convert_bench -s 4095"
	"convert_bench -s 4K,1T"
	"convert_bench -s $(( (${avail:-16} + 2) / 2 + 1 ))G"
	"convert_bench -s 9223372036854775808"
)
fits=("fault_bench -s 4K" "fault_bench -b hugetlb2m -s 2M" "convert_bench -s 4K")
plan=$((${#rows[@]} + ${#fits[@]} + 2))
echo "TAP version 13"
echo "1..$plan"
if [[ -z $fb || -z $cb ]]; then
	for ((n = 1; n <= plan; n++)); do
		echo "ok $n # SKIP fault_bench/convert_bench not built (make)"
	done
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
run() { # ROW: the binary name and its arguments
	local bin=${1%% *} args=${1#* }
	[[ $bin == fault_bench ]] && bin=$fb || bin=$cb
	# shellcheck disable=SC2086
	timeout 60 "$bin" $args -j "$tmp/out.json" >"$tmp/out" 2>&1
}
for row in "${rows[@]}"; do
	n=$((n + 1))
	run "$row"
	rc=$?
	lines=$(wc -l <"$tmp/out")
	if ((rc == 2 && lines == 1)) && ! grep -qi "assert" "$tmp/out"; then
		echo "# $(cat "$tmp/out")"
		echo "ok $n $row: refused in one line"
	else
		sed 's/^/# /' "$tmp/out" | head -n 10
		echo "# exit $rc, $lines lines; want exit 2 and one line"
		echo "not ok $n $row: refused in one line"
		fail=1
	fi
done
for row in "${fits[@]}"; do
	n=$((n + 1))
	run "$row"
	rc=$?
	if ((rc == 0 || rc == 4)); then
		echo "ok $n $row: not refused (exit $rc)"
	else
		sed 's/^/# /' "$tmp/out" | head -n 10
		echo "not ok $n $row: not refused (exit $rc)"
		fail=1
	fi
done
# An unwritable --json in procfs: named as such, not "No such file".
n=$((n + 1))
"$fb" -s 4K -j /proc/gmemsuite-x.json >"$tmp/out" 2>&1
rc=$?
if ((rc == 2)) && [[ $(wc -l <"$tmp/out") == 1 ]] && grep -q "procfs" "$tmp/out"; then
	echo "# $(cat "$tmp/out")"
	echo "ok $n --json in procfs: one line naming procfs"
else
	sed 's/^/# /' "$tmp/out"
	echo "not ok $n --json in procfs: one line naming procfs (exit $rc)"
	fail=1
fi
# A --json that is no regular file is written in place.
n=$((n + 1))
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
"$fb" -s 4K -j "$tmp/fifo" >"$tmp/out" 2>&1
rc=$?
# A run that never opened it (no KVM here): let the reader go.
((rc == 0)) || { exec 9>"$tmp/fifo"; exec 9>&-; }
wait "$reader"
if ((rc == 4)); then
	echo "ok $n --json to a fifo: written in place # SKIP fault_bench cannot run here (exit 4)"
elif ((rc == 0)) && [[ -p $tmp/fifo ]] && grep -q '"tool": "fault_bench"' "$tmp/fifo.out"; then
	echo "ok $n --json to a fifo: written in place, still a fifo"
else
	sed 's/^/# /' "$tmp/out" | head -n 5
	echo "# exit $rc; $(stat -c %F "$tmp/fifo"); $(wc -c <"$tmp/fifo.out") bytes read"
	echo "not ok $n --json to a fifo: written in place, still a fifo"
	fail=1
fi
((fail)) && exit 1
exit 0
