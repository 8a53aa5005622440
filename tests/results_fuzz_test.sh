#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# results_fuzz_test.sh: the results tool accepts nothing it cannot vouch
# for.  A corpus generated from one valid fault_bench document and one
# convert_bench document: every field the tool reads deleted, made a
# string, null, an array, 0, negative, 1e308; the file truncated at many
# points; NaN and Infinity tokens; percentiles out of order; runs of one
# directory on different kernels, CPUs, emulation, sizes, passes or
# sampling batches; an empty file, a JSON array, a directory named
# x.json.  Each input must be refused by `results summary` (and, for the
# first half, `results compare`) with exit 2 and exactly one line: no
# crash, no hang, no silent acceptance.  The valid documents themselves
# must be accepted.  KTAP, kselftest exit codes.
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tool=""
for t in "$here/results-tool" "$here/../build/tools/results"; do
	[[ -x $t ]] && { tool=$t; break; }
done
data=""
for d in "$here" "$here/data"; do
	[[ -f $d/compare-host-pvm.json ]] && { data=$d; break; }
done
echo "TAP version 13"
echo "1..4"
if [[ -z $tool || -z $data ]] || ! command -v python3 >/dev/null; then
	for n in 1 2 3 4; do echo "ok $n # SKIP needs the results tool, tests/data and python3"; done
	exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conv=$here/../results/vmcheck-7.3.4-tcg/convert_bench.json
[[ -f $conv ]] || conv=""
python3 - "$data/compare-host-pvm.json" "$conv" "$tmp/corpus" <<'EOP'
import copy, json, os, sys
fault_path, conv_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
fault = json.load(open(fault_path))
n = 0
def case(name, files):
    """files: list of (filename, text or None for a directory)."""
    global n
    n += 1
    d = os.path.join(out, "%04d-%s" % (n, name))
    os.makedirs(d)
    for fn, text in files:
        p = os.path.join(d, fn)
        if text is None:
            os.makedirs(p)
        else:
            open(p, "w").write(text)
def put(doc, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        doc = doc[int(k)] if isinstance(doc, list) else doc[k]
    last = keys[-1]
    if value is KeyError:
        if isinstance(doc, list):
            del doc[int(last)]
        else:
            del doc[last]
    elif isinstance(doc, list):
        doc[int(last)] = value
    else:
        doc[last] = value
fault_fields = ["config.size", "config.vcpus", "config.guest_page",
    "config.iterations", "config.backing", "config.access",
    "config.pattern", "results.latency_ns.mean", "results.latency_ns.p50",
    "results.latency_ns.p90", "results.latency_ns.p99",
    "results.latency_ns.max", "results.untimed_ns_per_page",
    "results.resident_floor_ns.p50", "results.timing_overhead_ns.p50",
    "results.pages_per_s", "host.kernel_release", "host.cpu_model",
    "emulated", "schema", "tool"]
numeric = lambda f: not (f.startswith(("config.backing", "config.access",
    "config.pattern", "host.", "tool", "emulated")) or f.endswith(".path"))
values = [("deleted", KeyError), ("string", "12"), ("null", None),
    ("array", []), ("object", {})]
numvalues = [("zero", 0), ("negative", -1), ("huge", 1e308)]
docs = [("fault", fault, fault_fields)]
if conv_path:
    conv = json.load(open(conv_path))
    rows = [i for i, r in enumerate(conv["results"]["conversions"])
            if "host_ns" in r][:1]
    cf = ["results.conversions"]
    for i in rows:
        cf += ["results.conversions.%d.%s" % (i, f) for f in
               ("size", "path", "direction", "host_ns.p50", "host_ns.p99")]
    docs.append(("convert", conv, cf))
for kind, doc, fields in docs:
    name = "%s-run1.json" % ("fault-anon-x1" if kind == "fault" else "convert")
    for f in fields:
        vals = values + (numvalues if numeric(f) else [])
        if not numeric(f) or f == "results.conversions":
            # A string field's own type is no error, nor an array's.
            vals = [x for x in vals if x[0] != ("string" if f !=
                    "results.conversions" else "array")]
        if f in ("emulated",):
            vals = values + [("number", 1)]
        if f in ("config.backing", "config.access", "config.pattern",
                 "host.kernel_release", "host.cpu_model"):
            vals = vals + [("empty", "")]
        for vname, v in vals:
            if f in ("tool", "schema") and vname in ("string",):
                continue
            if f == "schema" and vname in ("zero", "huge"):
                continue
            d = copy.deepcopy(doc)
            put(d, f, v)
            case("%s-%s-%s" % (kind, f, vname), [(name, json.dumps(d))])
text = json.dumps(fault, indent=2)
for frac in range(1, 20):
    case("truncated-%02d" % frac,
         [("fault-anon-x1-run1.json", text[:len(text) * frac // 20])])
for tok in ("NaN", "Infinity", "-Infinity", "1e999"):
    case("token-" + tok.strip("-"),
         [("fault-anon-x1-run1.json",
           text.replace('"p50": ', '"p50": %s, "x": ' % tok, 1))])
d = copy.deepcopy(fault)
d["results"]["latency_ns"]["p99"] = d["results"]["latency_ns"]["max"] * 2
case("p99-above-max", [("fault-anon-x1-run1.json", json.dumps(d))])
d = copy.deepcopy(fault)
d["results"]["latency_ns"]["p50"] = d["results"]["latency_ns"]["p90"] * 2
case("p50-above-p90", [("fault-anon-x1-run1.json", json.dumps(d))])
for f, v in (("host.kernel_release", "7.3.4"), ("host.cpu_model", "other"),
             ("emulated", True), ("config.size", 1 << 28),
             ("config.iterations", 2), ("config.batch", 64)):
    d = copy.deepcopy(fault)
    put(d, f, v)
    case("mixed-" + f, [("fault-anon-x1-run1.json", json.dumps(fault)),
                        ("fault-anon-x1-run2.json", json.dumps(d))])
case("empty-file", [("fault-anon-x1-run1.json", "")])
case("json-array", [("fault-anon-x1-run1.json", "[1, 2]")])
case("directory-named-json", [("fault-anon-x1-run1.json", json.dumps(fault)),
                              ("x.json", None)])
case("valid-fault", [("fault-anon-x1-run1.json", json.dumps(fault))])
if conv_path:
    case("valid-convert", [("convert-run1.json", json.dumps(conv))])
EOP
total=0 refused=0 crashes=0 hangs=0 accepted=0 cmp_bad=0 valid_bad=0
for d in "$tmp"/corpus/*; do
	name=${d##*/}
	timeout 10 "$tool" summary "$d" >/dev/null 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [[ $name == *-valid-* ]]; then
		((rc == 0)) || { valid_bad=$((valid_bad + 1)); echo "# valid input refused: $name: $(head -n 1 "$tmp/err")"; }
		continue
	fi
	total=$((total + 1))
	if ((rc == 124)); then
		hangs=$((hangs + 1)); echo "# hang: $name"
	elif ((rc >= 128)); then
		crashes=$((crashes + 1)); echo "# crash ($rc): $name"
	elif ((rc == 2 && lines == 1)); then
		refused=$((refused + 1))
	else
		accepted=$((accepted + 1))
		echo "# not refused in one line (exit $rc, $lines lines): $name: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
	fi
	# compare: the malformed side against the valid reference.
	if [[ $name != mixed-* ]]; then
		timeout 10 "$tool" compare "$d" "$data/compare-host-pvm.json" >/dev/null 2>"$tmp/err"
		rc=$?
		if ((rc != 2)) || [[ $(wc -l <"$tmp/err") != 1 ]]; then
			cmp_bad=$((cmp_bad + 1))
			echo "# compare did not refuse $name in one line (exit $rc)"
		fi
	fi
done
echo "# corpus: $total malformed inputs: $refused refused in one line, $crashes crashes, $hangs hangs, $accepted not refused"
n=0
row() { n=$((n + 1)); if (($1)); then echo "ok $n $2"; else echo "not ok $n $2"; fail=1; fi; }
fail=0
row "crashes + hangs == 0" "no crash, no hang ($total inputs)"
row "accepted == 0" "every malformed input refused by summary in one line ($refused of $total)"
row "cmp_bad == 0" "compare refuses them in one line too"
row "valid_bad == 0" "the valid documents are accepted"
((fail)) && exit 1
exit 0
