#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build_kernel_test.sh: scripts/build-kernel --tree DIR, the way a kernel
# developer uses it: bad input refused in one line each (no directory,
# not a kernel tree, no x86 KVM in it, a tree configured in place,
# --series or --base with --tree), the cache key following the tree's
# state (content hash without git; commit + uncommitted changes with
# git, "clean" when there are none) and nothing written into the tree.
# Works on skeleton trees in a temporary cache: no kernel is built.
#
# With GMEMSUITE_TEST_TREE_BUILD=1 and Debian's linux-source-7.3
# extracted in the cache (scripts/build-kernel does that), one more row
# builds a hard-linked copy of it with a broken host tool
# (arch/x86/tools/relocs_common.c, built before vmlinux): one line naming
# the first compiler error, no image directory left, the tree unchanged.
# KTAP, kselftest exit codes.
# checkout-only: runs the checkout's scripts/build-kernel (not in kselftest's install)
# -h/--help: the header above, and nothing else.
case ${1-} in -h | --help) exec awk 'NR > 2 && !/^#/ { exit } NR > 2 {
	sub(/^# ?/, ""); if (p || $0 != "") { p = 1; print } }' "$0" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
bk=$here/../scripts/build-kernel
plan=13
echo "TAP version 13"
if [[ ! -x $bk ]]; then
	echo "1..0 # SKIP scripts/build-kernel not found next to $0 (run from the checkout)"
	exit 4
fi
echo "1..$plan"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GMEMSUITE_CACHE=$tmp/cache
fail=0 skipped=0 n=0

ok() { echo "ok $n $1"; }
notok() {
	sed 's/^/# /' "$tmp/err" | head -n 20
	echo "# $2"
	echo "not ok $n $1"
	fail=1
}

# refuse NAME PATTERN ARGS...: exit 1 and exactly one stderr line
# matching PATTERN.
refuse() {
	local name=$1 pat=$2 rc lines
	shift 2
	n=$((n + 1))
	"$bk" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if ((rc == 1 && lines == 1)) && grep -q -- "$pat" "$tmp/err"; then
		ok "$name"
	else
		notok "$name" "exit $rc with $lines stderr lines; want exit 1, one line matching '$pat'"
	fi
}

# A skeleton kernel tree: what --tree checks before building anything.
skeleton() {
	mkdir -p "$1/arch/x86/kvm" "$1/scripts/kconfig"
	printf 'VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\nEXTRAVERSION = -test\n' >"$1/Makefile"
	echo 'mainmenu "test"' >"$1/Kconfig"
	echo 'config X86' >"$1/arch/x86/Kconfig"
	echo 'obj-y += kvm.o' >"$1/arch/x86/kvm/Makefile"
	printf '#!/bin/sh\nexit 1\n' >"$1/scripts/kconfig/merge_config.sh"
	chmod +x "$1/scripts/kconfig/merge_config.sh"
}

# key DIR: the image path --print-path names for DIR (the cache key).
key() { "$bk" --tree "$1" --print-path 2>/dev/null | cut -d' ' -f1; }

touch "$tmp/file"
mkdir -p "$tmp/empty"
refuse "missing directory" "no such directory" --tree "$tmp/nonexistent"
refuse "a file, not a directory" "not a directory" --tree "$tmp/file"
refuse "no kernel tree" "not a kernel source tree" --tree "$tmp/empty"

skeleton "$tmp/noarch"
rm -rf "$tmp/noarch/arch/x86/kvm"
refuse "no x86 KVM in the tree" "arch mismatch" --tree "$tmp/noarch"

skeleton "$tmp/configured"
touch "$tmp/configured/.config"
refuse "tree configured in place" "make mrproper" --tree "$tmp/configured"

skeleton "$tmp/plain"
touch "$tmp/series.patch"
refuse "--tree with --series" "exclude each other" --tree "$tmp/plain" --series "$tmp/series.patch"
refuse "--tree with --base" "exclude each other" --tree "$tmp/plain" --base 7.2

# Content hash: stable, and moved by any edit.
n=$((n + 1))
k1=$(key "$tmp/plain") k2=$(key "$tmp/plain")
echo "obj-y += x86.o" >>"$tmp/plain/arch/x86/kvm/Makefile"
k3=$(key "$tmp/plain")
"$bk" --tree "$tmp/plain" --print-path >"$tmp/err" 2>&1
if [[ -n $k1 && $k1 == "$k2" && $k1 != "$k3" ]] &&
	grep -q "not built; tree $tmp/plain, content " "$tmp/err"; then
	ok "content key: stable, changed by an edit"
else
	notok "content key: stable, changed by an edit" "keys: '$k1' '$k2' '$k3'"
fi

# Fragments are part of the key.
n=$((n + 1))
echo "CONFIG_KVM_VM_MEMORY_ATTRIBUTES=y" >"$tmp/frag.config"
k4=$("$bk" --tree "$tmp/plain" --config "$tmp/frag.config" --print-path 2>/dev/null | cut -d' ' -f1)
if [[ -n $k4 && $k4 != "$k3" ]]; then
	ok "an extra --config fragment changes the key"
else
	notok "an extra --config fragment changes the key" "keys: '$k3' '$k4'"
fi

# A git tree: the commit, "clean" or a hash of the changes.
n=$((n + 1))
skeleton "$tmp/git"
g() { git -C "$tmp/git" -c user.name=t -c user.email=t@t "$@"; }
if ! command -v git >/dev/null; then
	echo "ok $n git tree: commit + changes # SKIP git not installed"
	skipped=1
	n=$((n + 2))
	echo "ok $((n - 1)) git tree: untracked files count # SKIP git not installed"
	echo "ok $n nothing written into the tree # SKIP git not installed"
else
	g init -q && g add -A && g commit -q -m base
	head=$(g rev-parse HEAD)
	"$bk" --tree "$tmp/git" --print-path >"$tmp/err" 2>&1
	c1=$(key "$tmp/git")
	echo "# edit" >>"$tmp/git/Kconfig"
	"$bk" --tree "$tmp/git" --print-path >"$tmp/err2" 2>&1
	c2=$(key "$tmp/git")
	if grep -q "git $head clean" "$tmp/err" &&
		grep -q "git $head [0-9a-f]\{64\}" "$tmp/err2" && [[ $c1 != "$c2" ]]; then
		ok "git tree: commit + clean, then a hash of the diff"
	else
		cat "$tmp/err2" >>"$tmp/err"
		notok "git tree: commit + clean, then a hash of the diff" "keys '$c1' '$c2'"
	fi
	n=$((n + 1))
	echo "new" >"$tmp/git/arch/x86/kvm/new.c"
	c3=$(key "$tmp/git")
	if [[ -n $c3 && $c3 != "$c2" ]]; then
		ok "git tree: an untracked file changes the key"
	else
		notok "git tree: an untracked file changes the key" "keys '$c2' '$c3'"
	fi
	n=$((n + 1))
	before=$(cd "$tmp/git" && find . -newer "$tmp/git/arch/x86/kvm/new.c" | sort)
	idx=$(sha256sum <"$tmp/git/.git/index")
	sleep 1
	key "$tmp/git" >/dev/null
	after=$(cd "$tmp/git" && find . -newer "$tmp/git/arch/x86/kvm/new.c" | sort)
	if [[ $before == "$after" && $idx == $(sha256sum <"$tmp/git/.git/index") ]]; then
		ok "nothing written into the tree (files, git index)"
	else
		echo "before: $before; after: $after" >"$tmp/err"
		notok "nothing written into the tree (files, git index)" "the tree changed"
	fi
fi

# A real tree that fails to build.
n=$((n + 1))
src=/var/cache/gmemsuite/linux-source-7.3
name="a failing build: one line, the first error, nothing cached"
if [[ ${GMEMSUITE_TEST_TREE_BUILD-} != 1 ]]; then
	echo "ok $n $name # SKIP set GMEMSUITE_TEST_TREE_BUILD=1 to build a kernel tree (a few minutes)"
	skipped=1
elif [[ ! -f $src/arch/x86/tools/relocs_common.c ]]; then
	echo "ok $n $name # SKIP $src not extracted (run scripts/build-kernel once)"
	skipped=1
else
	cp -al "$src" "$tmp/broken"
	rm "$tmp/broken/arch/x86/tools/relocs_common.c"
	{ cat "$src/arch/x86/tools/relocs_common.c"; echo "this is not C;"; } \
		>"$tmp/broken/arch/x86/tools/relocs_common.c"
	state=$(cd "$tmp/broken" && find . -type f -newer "$src/Makefile" | wc -l)
	"$bk" --tree "$tmp/broken" >"$tmp/out" 2>"$tmp/all"
	rc=$?
	grep "error:" "$tmp/all" | grep -v "^build-kernel: " >"$tmp/other"
	grep "^build-kernel: error:" "$tmp/all" >"$tmp/err"
	left=$(find "$GMEMSUITE_CACHE" -maxdepth 1 -name 'kernel-*' | wc -l)
	now=$(cd "$tmp/broken" && find . -type f -newer "$src/Makefile" | wc -l)
	if ((rc == 1 && left == 0 && now == state)) && [[ $(wc -l <"$tmp/err") == 1 ]] &&
		grep -q "relocs_common.c:[0-9]*:.*error" "$tmp/err"; then
		sed 's/^/# /' "$tmp/err"
		ok "$name"
	else
		notok "$name" "exit $rc, $left image dirs left, files changed in the tree: $state -> $now"
	fi
fi
((fail)) && exit 1
exit 0
