#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kselftest entries vm_type_test-snp.sh and vm_type_test-tdx.sh (a link
# to this file): vm_type_test's cases on the --vm-type their name ends
# in (they run, or skip naming what this host lacks).  Standalone make
# check reruns them from the settings file instead (scripts/run-tests).
here=$(cd "$(dirname "$0")" && pwd)
type=${0##*-}
type=${type%.sh}
for d in "$here" "$here/.." "$here/../build/tests"; do
	[ -x "$d/vm_type_test" ] && exec "$d/vm_type_test" --vm-type "$type" \
		-t '*_on_selected_type' "$@"
done
echo "vm_type_test-$type.sh: vm_type_test not found next to $0" >&2
exit 1
