#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-ci-job.sh: an example job for a CI that runs kselftests on the
# kernel under test (KernelCI-, LKFT- or LKP-style), unattended, as root
# on the machine booted with that kernel:
#   1. install: the suite in kselftest's layout (make install here, or a
#      kernel tree's make TARGETS=gmemsuite install), with its settings
#      file (kselftest's runner reads its timeout= from it);
#   2. test: kselftest's runner over the gmemsuite entries, the log kept
#      in DIR/kselftest.log and its counts in DIR/counts (as make check
#      counts them, scripts/ksft-counts);
#   3. measure: fault_bench from the installed tree, one run per backing
#      in GMEMSUITE_JOB_BACKINGS, into DIR/results/ (one JSON each);
#   4. export: results-tool export of DIR/results, one metric per line
#      with the run's provenance, into DIR/metrics.tsv and
#      DIR/metrics.jsonl, and the LKP-style "key: value" lines into
#      DIR/stats (scripts/lkp-stats).
# Knobs (environment): GMEMSUITE_JOB_DIR (default a new directory under
# /tmp), GMEMSUITE_JOB_INSTALL (an installed tree to use as it is),
# GMEMSUITE_JOB_TESTS ("gmemsuite:PROG ..." for the runner's -t; default
# every entry), GMEMSUITE_JOB_BACKINGS (default "anon shmem"),
# GMEMSUITE_JOB_SIZE (default 64M), GMEMSUITE_JOB_RESULTS (a result
# directory to export instead of step 3).  Exit 1 if the runner reported
# a failure or a step failed; the metrics are written either way.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${GMEMSUITE_JOB_DIR:-$(mktemp -d /tmp/gmemsuite-job.XXXXXX)}
mkdir -p "$dir" || exit 2
rc=0
say() { echo "kselftest-ci-job: $*"; }

# 1. install
ks=${GMEMSUITE_JOB_INSTALL:-}
if [[ -z $ks ]]; then
	ks=$dir/install
	make -s -C "$top" install INSTALL_PATH="$ks" >"$dir/install.log" 2>&1 ||
		{ say "make install failed (see $dir/install.log)"; exit 1; }
fi
[[ -x $ks/run_kselftest.sh && -d $ks/gmemsuite ]] ||
	{ say "$ks holds no kselftest install of gmemsuite"; exit 2; }
say "installed tree: $ks"

# 2. test
targs=()
for t in ${GMEMSUITE_JOB_TESTS:-}; do targs+=(-t "$t"); done
(cd "$ks" && ./run_kselftest.sh "${targs[@]}") >"$dir/kselftest.log" 2>&1
"$top/scripts/ksft-counts" "$dir/kselftest.log" >"$dir/counts" ||
	{ say "the runner's log names no gmemsuite program"; rc=1; }
say "kselftest: $(cat "$dir/counts")"
grep -q ', 0 failed,' "$dir/counts" || rc=1

# 3. measure
res=${GMEMSUITE_JOB_RESULTS:-}
if [[ -z $res ]]; then
	res=$dir/results
	mkdir -p "$res"
	for b in ${GMEMSUITE_JOB_BACKINGS:-anon shmem}; do
		"$ks/gmemsuite/fault_bench" -b "$b" -v 1 -s "${GMEMSUITE_JOB_SIZE:-64M}" \
			-i 3 -j "$res/fault-$b-x1-run1.json" >"$dir/fault-$b.log" 2>&1
		case $? in
		0) say "fault_bench -b $b: measured" ;;
		4) say "fault_bench -b $b: skipped: $(grep -m1 -i skip "$dir/fault-$b.log")" ;;
		*) say "fault_bench -b $b: failed (see $dir/fault-$b.log)"; rc=1 ;;
		esac
	done
fi

# 4. export
tool=$ks/gmemsuite/results-tool
if ! ls "$res"/*.json >/dev/null 2>&1; then
	say "nothing to export in $res"
	exit $rc
fi
"$tool" export "$res" >"$dir/metrics.tsv" &&
	"$tool" export "$res" --format json-lines >"$dir/metrics.jsonl" &&
	GMEMSUITE_RESULTS_TOOL=$tool "$top/scripts/lkp-stats" "$res" >"$dir/stats" ||
	{ say "export failed"; exit 1; }
say "metrics: $(($(wc -l <"$dir/metrics.tsv") - 1)) in $dir/metrics.tsv, $dir/metrics.jsonl; stats: $dir/stats"
exit $rc
