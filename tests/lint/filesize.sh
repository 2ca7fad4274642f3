#!/bin/sh
# lint.filesize ROOT: every C/C++ source we keep is under FILESIZE_MAX lines
# (docs/ARCHITECTURE.md: files small and named for what they hold). A file
# that grows past it is split along what it holds, not given an exception.
set -eu
ROOT=$1
FILESIZE_MAX=600
cd "$ROOT"
if [ -d .git ] && command -v git >/dev/null 2>&1; then
	list=$(git ls-files '*.c' '*.h' '*.cc')
else
	list=$(find client common compat daemon bench tests -name '*.c' -o -name '*.h' -o -name '*.cc')
fi
bad=0 n=0
for f in $list; do
	n=$((n + 1))
	lines=$(wc -l <"$f")
	if [ "$lines" -ge $FILESIZE_MAX ]; then
		echo "$f: $lines lines (at most $((FILESIZE_MAX - 1)): split it along what it holds)"
		bad=$((bad + 1))
	fi
done
[ $bad -eq 0 ] || { echo "lint.filesize: $bad of $n files too long" >&2; exit 1; }
echo "lint.filesize: $n files, each under $FILESIZE_MAX lines"
