#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install`'s result works on its own (tools/ilwaco-install): a
# guest built with the installed ilwaco-cc, from outside the tree, is
# byte for byte the one the tree builds (selftests/guests/cc_prog.c with
# its file tree), and the installed flags name only the install
# directory, never this tree.  Runs on the host (denali_host), after
# `make selftests` has built the guests.

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
src=$top/selftests/guests
want=$top/build/kselftest/denali/guests/cc_prog.img
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..4"
PREFIX=$tmp/prefix "$top/tools/ilwaco-install" > "$tmp/log" 2>&1
ok $? "ilwaco-install into a fresh prefix" || cat "$tmp/log"
conf=$tmp/prefix/lib/ilwaco/ilwaco-cc.conf
! grep -qF "$top" "$conf" && grep -qF "$tmp/prefix/lib/ilwaco/guest.lds" "$conf"
ok $? "the installed flags name the prefix, not the source tree"
(cd "$tmp" && "$tmp/prefix/bin/ilwaco-cc" -O2 -Wall -Werror \
	"$src/cc_prog.c" -o "$tmp/cc_prog.img" --files "$src/files") \
	> "$tmp/cc.log" 2>&1
ok $? "the installed ilwaco-cc builds cc_prog" || cat "$tmp/cc.log"
cmp -s "$want" "$tmp/cc_prog.img"
ok $? "its image is the tree's, byte for byte"
exit $failed
