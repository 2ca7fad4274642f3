#!/bin/sh
# The transfer pipeline (issue 27) against the real JCentral: a folder of 100
# files in two subfolders up and down through the pipeline (several calls in
# flight over the pool's sessions); every md5 checked, and the catalogue's
# listing of the folder equal to the local tree afterwards.
. "$(dirname "$0")/reallib.sh"
grid_dir pipe
mkdir -p "$T/tree/a" "$T/tree/b" "$T/down"
i=0
while [ $i -lt 100 ]; do
	d=a
	[ $((i % 2)) -eq 0 ] || d=b
	head -c $((1000 + i * 173)) /dev/urandom >"$T/tree/$d/f$i"
	i=$((i + 1))
done
local_list() { (cd "$T/tree" && find . -type f | sed 's|^\./||' | sort); }

ok alien-cp "file:$T/tree/" "$G/tree/"
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'STATUS OK' "$T/out")" -ge 100 ] || fail "the upload reported $(grep -c 'STATUS OK' "$T/out") files OK, expected 100"
ok alien-find "$G/tree/" '*'
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | sed "s|^$G/tree/||" | grep . | sort)" = "$(local_list)" ] ||
	fail "the catalogue's listing differs from the local tree: $(printf '%s\n' "$OUT" | head -n 5)"
# sizes too: the catalogue's size of each file is the local one
for d in a b; do
	ok alien-ls -l "$G/tree/$d"
	for f in "$T/tree/$d"/*; do
		CHECKS=$((CHECKS + 1))
		printf '%s\n' "$OUT" | grep -q " $(stat -c %s "$f") .* ${f##*/}\$" ||
			fail "alien-ls -l $G/tree/$d has no ${f##*/} of $(stat -c %s "$f") bytes"
	done
done

ok alien-cp "$G/tree/" "file:$T/down/"
CHECKS=$((CHECKS + 1))
[ "$(cd "$T/down" && find . -type f | sed 's|^\./||' | sort)" = "$(local_list)" ] || fail "the download's files differ from the tree's names"
for f in $(local_list); do
	CHECKS=$((CHECKS + 1))
	[ "$(md5 "$T/tree/$f")" = "$(md5 "$T/down/$f")" ] || fail "downloaded $f differs from the uploaded one"
done
CHECKS=$((CHECKS + 1))
[ "$(status_field "broken by the server")" = 0 ] || fail "the server broke sessions: $(alien-daemon status)"
ok alien-rm -rf "$G"
pass
