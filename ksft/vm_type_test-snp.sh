#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kselftest entry: vm_type_test's cases on --vm-type snp (they run, or
# skip naming what this host lacks).  Standalone make check reruns them
# from the settings file instead (scripts/run-tests).
here=$(cd "$(dirname "$0")" && pwd)
for d in "$here" "$here/.." "$here/../build/tests"; do
	[ -x "$d/vm_type_test" ] && exec "$d/vm_type_test" --vm-type snp \
		-t '*_on_selected_type' "$@"
done
echo "vm_type_test-snp.sh: vm_type_test not found next to $0" >&2
exit 1
