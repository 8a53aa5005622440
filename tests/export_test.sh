#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export_test.sh: the flat export and the glue a fleet runs it with.
#  1. `results export` of every committed reference result (unpacked in
#     a copy; each directory and its subdirectories one level down): exit 0, the header, every line with its 12 fields, a
#     number, a unit, a run index >= 1 and the provenance filled in;
#     json-lines: every line a JSON object with the same fields.
#  2. Every metric name it printed is documented in
#     docs/results-schema.md ("Export"; NAME-suffixed families as
#     `prefix.NAME`).
#  3. scripts/lkp-stats: "key: value" lines, one KEY.runs per key, keys
#     of [a-z0-9_.] only; refuses input that is no export.
#  4. examples/kselftest-ci-job.sh on a committed result (the install,
#     kselftest's runner over one program, the export): exit 0, the
#     runner's counts, metrics.tsv, metrics.jsonl and stats written.
#  5. Bad input: no directory, an unknown --format: one line, exit 2.
# KTAP, kselftest exit codes.
# checkout-only: reads results/ and runs examples/ of the checkout
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/build/tools/results
echo "TAP version 13"
if [[ ! -x $results || ! -d $top/results ]] || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs the checkout's build (make), results/ and python3"
	exit 4
fi
echo "1..5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The committed reference results with JSON runs, unpacked in a copy.
dirs=()
for d in "$top"/results/*/; do
	n=$(basename "$d")
	cp -r "$d" "$tmp/$n"
	[[ -f $tmp/$n/raw.tar.xz ]] && tar -xJf "$tmp/$n/raw.tar.xz" -C "$tmp/$n"
	# Directories of runs: the top one, or one level down (a kernel or
	# configuration each); not the hundreds of calibration pairs deeper
	# down, nor a mutation run's rows (its mutation.json is exported).
	while IFS= read -r j; do
		dirs+=("$j")
	done < <(find "$tmp/$n" -maxdepth 2 -name '*.json' ! -name 'host*.json' \
		 ! -name runs.json ! -path '*/rows/*' -printf '%h\n' | sort -u)
done

# 1.
bad=0 lines=0 jl=0
for d in "${dirs[@]}"; do
	if ! "$results" export "$d" >"$tmp/x.tsv" 2>"$tmp/x.err"; then
		echo "# export ${d#"$tmp"/}: exit $?: $(head -n 1 "$tmp/x.err")"
		bad=$((bad + 1))
		continue
	fi
	lines=$((lines + $(wc -l <"$tmp/x.tsv") - 1))
	cat "$tmp/x.tsv" >>"$tmp/all.tsv"
	awk -F'\t' -v d="${d#"$tmp"/}" '
		NR == 1 { if ($0 !~ /^# gmemsuite export 1: metric\tvalue\tunit\trun\tconfiguration\tkernel\tcpu\thost\tsuite_revision\temulated\tdate\tfile$/) { print "# " d ": header: " $0; b = 1 } next }
		NF != 12 || $2 !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ || $3 == "" || $4 < 1 ||
		$5 == "" || $6 == "" || $9 == "" || $10 !~ /^[01]$/ || $12 == "" {
			if (!b) print "# " d ": line " NR ": " $0; b = 1 }
		END { exit b }' "$tmp/x.tsv" || bad=$((bad + 1))
	"$results" export "$d" --format json-lines >>"$tmp/all.jsonl" 2>/dev/null
done
jl=$(wc -l <"$tmp/all.jsonl")
python3 - "$tmp/all.jsonl" <<'PY' || bad=$((bad + 1))
import json, sys
need = {"export", "metric", "value", "unit", "run", "configuration", "kernel",
        "cpu", "host", "suite_revision", "emulated", "date", "file"}
for i, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    miss = need - set(o)
    if miss or not isinstance(o["value"], (int, float)) or o["export"] != 1:
        print("# json-lines line %d: missing %s" % (i, sorted(miss)))
        sys.exit(1)
PY
echo "# ${#dirs[@]} result directories, $lines metric lines ($jl as json-lines)"
if ((bad == 0 && lines > 0 && jl == lines)); then
	echo "ok 1 every committed result exports, every line complete"
else
	echo "not ok 1 every committed result exports, every line complete ($bad bad)"
	fail=1
fi

# 2.
undoc=$(cut -f1 "$tmp/all.tsv" | grep -v '^#' | sort -u | while read -r m; do
	fam=$m
	case $m in
	fault.kvm_vcpu_stats.*) fam=fault.kvm_vcpu_stats.NAME ;;
	perf.*) fam=perf.EVENT ;;
	esac
	base=${fam%.*} last=${fam##*.}
	grep -qF "\`$fam\`" "$top/docs/results-schema.md" ||
		grep -qE "\`$base\\.[a-z0-9_]+\`(, \`\\.[a-z0-9_]+\`)*[^|]*\`\\.$last\`" "$top/docs/results-schema.md" ||
		echo "$m"
done)
if [[ -z $undoc ]]; then
	echo "ok 2 every exported metric is documented in docs/results-schema.md"
else
	echo "# undocumented: $(echo $undoc)"
	echo "not ok 2 every exported metric is documented in docs/results-schema.md"
	fail=1
fi

# 3.
d=$tmp/host-6.18.44-pvm-quick-runs3
"$top/scripts/lkp-stats" "$d" >"$tmp/stats" 2>"$tmp/stats.err"
rc=$?
keys=$(grep -vc '\.runs: ' "$tmp/stats")
runs=$(grep -c '\.runs: ' "$tmp/stats")
shape=$(grep -cvE '^[a-z0-9_.]+: -?[0-9.]+(e[-+]?[0-9]+)?$' "$tmp/stats")
echo "garbage" | "$top/scripts/lkp-stats" >/dev/null 2>"$tmp/g.err"
grc=$?
echo "# lkp-stats: exit $rc, $keys keys, $runs .runs lines, $shape malformed; garbage: exit $grc: $(head -n 1 "$tmp/g.err")"
if ((rc == 0 && keys > 0 && keys == runs && shape == 0 && grc == 2)); then
	echo "ok 3 lkp-stats prints key: value lines and refuses what is no export"
else
	echo "not ok 3 lkp-stats prints key: value lines and refuses what is no export"
	fail=1
fi

# 4.
GMEMSUITE_JOB_DIR=$tmp/job GMEMSUITE_JOB_TESTS="gmemsuite:jsonread_unit_test" \
	GMEMSUITE_JOB_RESULTS=$d "$top/examples/kselftest-ci-job.sh" >"$tmp/job.out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/job.out"
if ((rc == 0)) && grep -qx '[1-9][0-9]* passed, 0 failed, [0-9]* skipped' "$tmp/job/counts" &&
	[[ -s $tmp/job/metrics.tsv && -s $tmp/job/metrics.jsonl && -s $tmp/job/stats ]]; then
	echo "ok 4 the example CI job installs, runs the runner, exports"
else
	echo "not ok 4 the example CI job installs, runs the runner, exports (exit $rc)"
	fail=1
fi

# 5.
r1=$("$results" export "$tmp/none" 2>&1 >/dev/null; echo "rc=$?")
r2=$("$results" export "$d" --format xml 2>&1 >/dev/null; echo "rc=$?")
echo "# $(echo "$r1" | tr '\n' ' ')| $(echo "$r2" | tr '\n' ' ')"
if [[ $r1 == *rc=2 && $(wc -l <<<"$r1") == 2 && $r2 == *rc=2 && $(wc -l <<<"$r2") == 2 ]]; then
	echo "ok 5 bad input: one line, exit 2"
else
	echo "not ok 5 bad input: one line, exit 2"
	fail=1
fi
exit $fail
