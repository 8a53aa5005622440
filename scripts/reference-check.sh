# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that write results (bench, calibrate-compare,
# calibrate-inject, peer-ratio, mutate): reference_check DIR refuses, in
# one line and exit 2, to write into the repository's results/ (the
# committed reference results) from a tree with uncommitted changes,
# unless GMEMSUITE_ALLOW_DIRTY=1 (ALLOW_DIRTY=1 is read too), which is
# then exported so that every document records "allow_dirty": true.
# Elsewhere (build/results/, OUT=...) anything goes.
reference_check() {
	local dir=$1 repo abs rev
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	abs=$(realpath -m "$dir")
	[[ $abs == "$repo"/results || $abs == "$repo"/results/* ]] || return 0
	rev=$(git -C "$repo" describe --always --dirty 2>/dev/null) || return 0
	[[ $rev == *-dirty ]] || return 0
	if [[ ${GMEMSUITE_ALLOW_DIRTY:-${ALLOW_DIRTY:-}} == 1 ]]; then
		export GMEMSUITE_ALLOW_DIRTY=1
		echo "note: reference results from a tree with uncommitted changes ($rev): GMEMSUITE_ALLOW_DIRTY=1, recorded in every document" >&2
		return 0
	fi
	echo "${0##*/}: $dir is a reference result (results/) and the tree has uncommitted changes ($rev): commit first, or GMEMSUITE_ALLOW_DIRTY=1 to record it so" >&2
	exit 2
}
