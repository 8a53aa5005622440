#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# provenance_test.sh: what a result records of where it ran, and the
# rule for reference results.
#  1. The host probe (host_report --json, the "host" of every result)
#     has "provenance": microcode, cpufreq governor and driver, boost
#     (on/off/unknown), the kernel config's source and its FNV-1a 64
#     hash (16 hex digits when a config was found), and the SEV firmware
#     or TDX module where /dev/sev or /sys/firmware/tdx exist.
#  2. scripts/bench into results/ of a tree with uncommitted changes:
#     refused in one line, exit 2, nothing written (a clone of the
#     checkout's files with one changed, stand-in benchmark programs).
#  3. The same with GMEMSUITE_ALLOW_DIRTY=1: a note, the run happens,
#     and the environment reaches the benchmark (which records
#     "allow_dirty": true: lib/results/bench.c).
#  4. Into build/results/ of the same dirty tree: no refusal.
# KTAP, kselftest exit codes.
# checkout-only: clones the checkout and runs its scripts/bench
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
report=$top/build/tools/host_report
echo "TAP version 13"
if [[ ! -x $report ]] || ! command -v python3 >/dev/null ||
	! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	echo "1..0 # SKIP needs the checkout, its build (make) and python3"
	exit 4
fi
echo "1..4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok $1 $2"; }
nok() { echo "not ok $1 $2"; fail=1; }

# 1.
"$report" --json >"$tmp/host.json" 2>/dev/null
if python3 - "$tmp/host.json" <<'PY'; then
import json, os, re, sys
p = json.load(open(sys.argv[1]))["host"]["provenance"]
print("# " + json.dumps(p))
need = ["microcode", "cpufreq_governor", "cpufreq_driver", "boost",
        "kernel_config_source", "kernel_config_fnv1a64"]
assert all(k in p for k in need), "missing " + str([k for k in need if k not in p])
assert p["boost"] in ("on", "off", "unknown"), p["boost"]
assert p["cpufreq_governor"], "empty governor"
if p["kernel_config_source"] != "none":
    assert re.fullmatch(r"[0-9a-f]{16}", p["kernel_config_fnv1a64"]), p
if os.path.exists("/dev/sev"):
    assert "sev_firmware" in p or "sev_firmware_error" in p, "/dev/sev unread"
if os.path.isdir("/sys/firmware/tdx/tdx_module"):
    assert "tdx_module" in p, "TDX module unread"
PY
	ok 1 "the probe records microcode, cpufreq, boost, the kernel config hash, firmware"
else
	nok 1 "the probe records microcode, cpufreq, boost, the kernel config hash, firmware"
fi

# A dirty clone with stand-in programs (they record the environment).
# The checkout's files as they are (a repository of their own, committed,
# then one change).
mkdir -p "$tmp/clone"
git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$tmp/clone")
{ git -C "$tmp/clone" init -q && git -C "$tmp/clone" add -A &&
  git -C "$tmp/clone" -c user.name=t -c user.email=t@t commit -qm t; } ||
	{ echo "Bail out! a repository of the checkout's files"; exit 1; }
echo "# changed" >>"$tmp/clone/README.md"
mkdir -p "$tmp/bin/bench" "$tmp/bin/tools"
ln -s "$top/build/tools/results" "$tmp/bin/tools/results"
printf '#!/bin/sh\n[ "$1" = --json ] && echo "{}" || echo "stand-in host report"\n' \
	>"$tmp/bin/tools/host_report"
cat >"$tmp/bin/bench/fault_bench" <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -j ] && json=$2; shift; done
echo "allow_dirty=${GMEMSUITE_ALLOW_DIRTY:-}" >"$json.env"
exit 4
EOS
chmod +x "$tmp/bin/bench/fault_bench" "$tmp/bin/tools/host_report"
run() { # OUT [ENV...]: the clone's scripts/bench, one configuration
	local out=$1
	shift
	env -u ALLOW_DIRTY -u GMEMSUITE_ALLOW_DIRTY "$@" \
		GMEMSUITE_BENCH_BIN="$tmp/bin" GMEMSUITE_OUT="$out" GMEMSUITE_RUNS=1 \
		GMEMSUITE_BENCH_ONLY=fault-anon-x1 GMEMSUITE_BENCH_PLOTS=0 \
		"$tmp/clone/scripts/bench" >"$tmp/out" 2>&1
}

# 2.
run "$tmp/clone/results/new"
rc=$?
echo "# into results/: exit $rc: $(head -n 1 "$tmp/out")"
if ((rc == 2)) && [[ $(wc -l <"$tmp/out") == 1 ]] && grep -q 'uncommitted changes' "$tmp/out" &&
	[[ ! -e $tmp/clone/results/new ]]; then
	ok 2 "a reference result from a dirty tree is refused, nothing written"
else
	nok 2 "a reference result from a dirty tree is refused, nothing written"
fi

# 3.
run "$tmp/clone/results/new" GMEMSUITE_ALLOW_DIRTY=1
rc=$?
env_seen=$(cat "$tmp/clone/results/new"/*.env 2>/dev/null)
echo "# with GMEMSUITE_ALLOW_DIRTY=1: exit $rc; $(grep -m1 '^note:' "$tmp/out"); the benchmark saw: ${env_seen:-nothing}"
if grep -q '^note: reference results from a tree with uncommitted changes' "$tmp/out" &&
	[[ $env_seen == allow_dirty=1 ]]; then
	ok 3 "GMEMSUITE_ALLOW_DIRTY=1: noted, and passed to the benchmark to record"
else
	nok 3 "GMEMSUITE_ALLOW_DIRTY=1: noted, and passed to the benchmark to record"
fi

# 4.
run "$tmp/clone/build/results/x"
rc=$?
if ! grep -q 'uncommitted' "$tmp/out" && [[ -d $tmp/clone/build/results/x ]]; then
	ok 4 "outside results/ a dirty tree is fine"
else
	echo "# exit $rc: $(head -n 1 "$tmp/out")"
	nok 4 "outside results/ a dirty tree is fine"
fi
exit $fail
