#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# intree_headers_test.sh: built inside a kernel tree (as
# tools/testing/selftests/gmemsuite), the suite takes <linux/kvm.h> from
# that tree's exported headers or refuses in one line: no export, or an
# export of another version, is an error naming both, never a silent
# fall back to the build machine's /usr/include.  On a skeleton tree
# (the top Makefile's version lines, kselftest's lib.mk from the
# repository's own copy of the rules it needs) with make -n: nothing is
# compiled.
# KTAP, kselftest exit codes.
# checkout-only: builds a skeleton kernel tree from the checkout
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
echo "TAP version 13"
if ! command -v make >/dev/null || ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	echo "1..0 # SKIP needs make and the checkout"
	exit 4
fi
echo "1..3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/linux
sel=$tree/tools/testing/selftests
mkdir -p "$sel/gmemsuite" "$tmp/o"
printf 'VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\n' >"$tree/Makefile"
# The part of kselftest's lib.mk the suite's Makefile reads.
cat >"$sel/lib.mk" <<'EOF'
OUTPUT ?= $(shell pwd)
selfdir = $(realpath $(dir $(filter %/lib.mk,$(MAKEFILE_LIST))))
top_srcdir = $(selfdir)/../../..
ifeq ($(KHDR_INCLUDES),)
KHDR_INCLUDES := -isystem $(top_srcdir)/usr/include
endif
all:
EOF
git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$sel/gmemsuite")
fail=0 n=0

# row WANT_RC GREP DESCRIPTION [make args]: one make -n in the tree.
row() {
	local want=$1 pat=$2 what=$3 rc lines
	shift 3
	make -n -C "$sel/gmemsuite" OUTPUT="$tmp/o" "$@" >"$tmp/out" 2>&1
	rc=$?
	n=$((n + 1))
	lines=$(grep -c 'gmemsuite: ' "$tmp/out")
	if { ((want == 0)) && ((rc == 0)); } ||
	   { ((want != 0)) && ((rc != 0)) && ((lines == 1)) && grep -q "$pat" "$tmp/out"; }; then
		echo "ok $n $what"
	else
		echo "# exit $rc; output:"
		sed 's/^/# /' "$tmp/out" | head -n 5
		echo "not ok $n $what"
		fail=1
	fi
	grep -m1 'gmemsuite: ' "$tmp/out" | sed 's/^/# /'
}

row 2 "make headers" "no exported headers: refused, naming make headers and the tree"
mkdir -p "$tree/usr/include/linux"
touch "$tree/usr/include/linux/kvm.h"
printf '#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL 1\n' \
	>"$tree/usr/include/linux/version.h"
row 2 "are 6.1, the tree is 7.3" "headers of another version (6.1 in a 7.3 tree): refused, naming both"
printf '#define LINUX_VERSION_MAJOR 7\n#define LINUX_VERSION_PATCHLEVEL 3\n' \
	>"$tree/usr/include/linux/version.h"
row 0 "" "the tree's own 7.3 headers: accepted"
exit $fail
