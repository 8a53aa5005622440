#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench_interrupt_test.sh: Ctrl-C of make bench does what the README says.
# scripts/bench runs stand-in benchmark programs (GMEMSUITE_BENCH_BIN:
# each takes 3 s, writes a real result document, and on SIGINT writes
# what it has with "interrupted": true and exits 130) under the real
# results tool; SIGINT goes to the whole process group, as the terminal
# sends it.
#  1. One Ctrl-C during run 1 of 2: run 1 finishes whole (not
#     interrupted), run 2 never starts, runs.json says interrupted, the
#     summary is written, exit 130.
#  2. Two Ctrl-Cs: run 1 is cut short; its JSON says interrupted and
#     summary.md shows it as an interrupted run, not a normal row.
#  3. make bench itself ends by SIGINT (the shell sees 130).
#  4. The old knob names (RUNS, OUT, BENCH_*) still work, with a note.
# KTAP, kselftest exit codes.
# checkout-only: runs the checkout's scripts/bench (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$here/..
tool=$top/build/tools/results
data=$here/data/compare-host-pvm.json
echo "TAP version 13"
if [[ ! -x $top/scripts/bench || ! -x $tool || ! -f $data ]] ||
	! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs the checkout's scripts/bench, build/tools/results (make) and python3"
	exit 4
fi
echo "1..4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin/bench" "$tmp/bin/tools"
ln -s "$tool" "$tmp/bin/tools/results"
printf '#!/bin/sh\n[ "$1" = --json ] && echo "{}" || echo "stand-in host report"\n' \
	>"$tmp/bin/tools/host_report"
# The stand-in: 3 s of "work", then the reference document; on SIGINT
# the same document marked interrupted, exit 130.
cat >"$tmp/bin/bench/fault_bench" <<EOS
#!/bin/bash
json=""
while [[ \$# -gt 0 ]]; do [[ \$1 == -j ]] && json=\$2; shift; done
write() { sed "s/\"interrupted\": [a-z]*/\"interrupted\": \$1/" "$data" >"\$json"; }
trap 'write true; echo "stand-in: interrupted"; exit 130' INT
echo "stand-in: measuring"
for i in \$(seq 30); do sleep 0.1; done
write false
echo "stand-in: done"
EOS
chmod +x "$tmp/bin/bench/fault_bench" "$tmp/bin/tools/host_report"
# run_bench OUT SIGNALS...: scripts/bench (or make bench) in a session of
# its own; SIGINT to its group at each given second; exit status.
run_bench() {
	local out=$1 cmd=$2
	shift 2
	python3 - "$out" "$cmd" "$@" <<'EOP'
import os, signal, subprocess, sys, time
out, cmd, times = sys.argv[1], sys.argv[2], [float(t) for t in sys.argv[3:]]
env = dict(os.environ, GMEMSUITE_OUT=out, GMEMSUITE_RUNS="2",
           GMEMSUITE_BENCH_ONLY="fault-anon-x1", GMEMSUITE_BENCH_PLOTS="0")
p = subprocess.Popen(cmd, shell=True, env=env, start_new_session=True,
                     stdout=open(out + ".log", "w"), stderr=subprocess.STDOUT)
t0 = time.time()
for t in times:
    time.sleep(max(0, t0 + t - time.time()))
    os.killpg(p.pid, signal.SIGINT)
p.wait(timeout=60)
print(p.returncode)
EOP
}
export GMEMSUITE_BENCH_BIN=$tmp/bin
fail=0
show() { sed 's/^/# /' "$1.log"; }

rc=$(run_bench "$tmp/one" "exec $top/scripts/bench" 1)
run1=$tmp/one/fault-anon-x1-run1.json
if [[ $rc == 130 && -f $run1 ]] && grep -q '"interrupted": false' "$run1" &&
	[[ ! -e $tmp/one/fault-anon-x1-run2.json ]] &&
	grep -q '"interrupted": true' "$tmp/one/runs.json" &&
	[[ -f $tmp/one/summary.md ]] && ! grep -q "interrupted run" "$tmp/one/summary.md"; then
	echo "ok 1 one Ctrl-C: the current run finishes, no next run, summary, exit 130"
else
	show "$tmp/one"
	echo "not ok 1 one Ctrl-C: the current run finishes, no next run, summary, exit 130 (exit $rc)"
	fail=1
fi

rc=$(run_bench "$tmp/two" "exec $top/scripts/bench" 1 1.5)
run1=$tmp/two/fault-anon-x1-run1.json
if [[ $rc == 130 && -f $run1 ]] && grep -q '"interrupted": true' "$run1" &&
	grep -q "anon x1 write seq 4K (interrupted run)" "$tmp/two/summary.md" &&
	! grep -q "^| anon x1 write seq 4K |" "$tmp/two/summary.md"; then
	echo "ok 2 two Ctrl-Cs: the run is cut short and shown as interrupted"
else
	show "$tmp/two"
	sed 's/^/# /' "$tmp/two/summary.md" 2>/dev/null | head -n 20
	echo "not ok 2 two Ctrl-Cs: the run is cut short and shown as interrupted (exit $rc)"
	fail=1
fi

rc=$(run_bench "$tmp/make" "exec make -s -C $top bench" 1)
# Killed by SIGINT: Popen's returncode is -2 (the shell's 130).
if [[ $rc == -2 || $rc == 130 ]]; then
	echo "ok 3 make bench ends by SIGINT (status $rc: the shell sees 130)"
else
	show "$tmp/make"
	echo "not ok 3 make bench ends by SIGINT (status $rc)"
	fail=1
fi
# 4. The old bare knob names still work, each with a one-line note.
out4=$(env -u GMEMSUITE_RUNS RUNS=1 BENCH_DRY_RUN=1 BENCH_ONLY=fault-anon-x1 \
	OUT="$tmp/four" "$top/scripts/bench" 2>&1)
if grep -q '^bench: note: RUNS is now GMEMSUITE_RUNS' <<<"$out4" &&
	grep -q '^bench: note: OUT is now GMEMSUITE_OUT' <<<"$out4" &&
	grep -q "1 run(s) each, into $tmp/four" <<<"$out4"; then
	echo "ok 4 old knob names (RUNS, OUT, BENCH_*) are read, with a note each"
else
	sed 's/^/# /' <<<"$out4"
	echo "not ok 4 old knob names (RUNS, OUT, BENCH_*) are read, with a note each"
	fail=1
fi
((fail)) && exit 1
exit 0
