#!/bin/sh
# Names a hostile server sends (issue 16 item 1, the scp CVE-2019-6111 class;
# docs/RELIABILITY.md, threat model): a recursive download whose `find`
# answer holds an lfn with ".." components, plain and with -parent, and a
# destination where a symbolic link to another folder was planted. Nothing
# is written outside the destination, each refused entry is named on one
# line, the other files still copy, the exit code is not 0.
# The hostile rows are put into jcentral-lite's catalogue with sqlite3 (a
# second row with the normalised name gives access read a replica to send).
. "$(dirname "$0")/cplib.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed (scripts/install-deps)"
stack_up
L=$T/local
mkdir -p "$L/src/d/sub" "$L/outside" "$L/out2" "$L/dst/d" "$L/p/q/dstp"
echo good >"$L/src/d/good.txt"
echo sub >"$L/src/d/sub/y.txt"
echo evil >"$L/src/d/x.txt"
run alien-cp "file:$L/src/" base/
expect_rc 0 "upload of the source tree"
DB=$STACK/catalogue.db
base=${HOME_DIR}base/

# row LFN: a copy of base/d/x.txt's catalogue row under the name LFN
row() {
	sqlite3 "$DB" "INSERT INTO lfn (lfn, dir, name, type, owner, gowner, perm, size, ctime, jobid, md5, guid, guidtime)
		SELECT '$1', dir, 'hostile', type, owner, gowner, perm, size, ctime, jobid, md5, guid, guidtime
		FROM lfn WHERE lfn = '${base}d/x.txt';"
}
ups=../../../../../../../../../../../../../../..
# 1. "..": out of the destination to $L/outside/.bashrc
row "${base}d/$ups$L/outside/.bashrc"
row "$L/outside/.bashrc"
# 2. a symbolic link planted in the destination: d/sub -> $L/out2
ln -s "$L/out2" "$L/dst/d/sub"
run alien-cp base/ "file:$L/dst/"
printf "what the user saw (exit %s):\n%s\n" "$RC" "$ERR"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/outside/.bashrc" ] || fail "a server's name wrote $L/outside/.bashrc: $ERR"
CHECKS=$((CHECKS + 1))
[ -z "$(ls -A "$L/out2")" ] || fail "a symlink in the destination took a file to $L/out2: $(ls -A "$L/out2")"
CHECKS=$((CHECKS + 1))
[ -z "$(find "$L" -newer "$L/src/d/x.txt" -name '.bashrc')" ] || fail "a .bashrc was written: $(find "$L" -name .bashrc)"
[ "$RC" -ne 0 ] || fail "a cp with a refused name exited 0"
CHECKS=$((CHECKS + 1))
expect_err_has "refused ${base}d/$ups$L/outside/.bashrc from the server" "the '..' entry is named"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$ERR" | grep -c "refused ${base}d/$ups")" -eq 1 ] || fail "the '..' entry: not one line: $ERR"
expect_err_has "refused $L/dst/d/sub/y.txt: $L/dst/d/sub is a symbolic link" "the symlink entry is named"
CHECKS=$((CHECKS + 1))
[ "$(cat "$L/dst/d/good.txt" 2>/dev/null)" = good ] || fail "the good file was not copied: $OUT $ERR"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L")" -eq 0 ] && [ "$(metalinks)" -eq 0 ] || fail "temporary files or metalinks left"

# 3. -parent 2 keeps the last two folders of a name: "../../.bashrc"
row "${base}d/../../.bashrc"
row "${HOME_DIR}.bashrc"
rm -f "$L/dst/d/sub"
run alien-cp -parent 2 base/ "file:$L/p/q/dstp/"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/p/.bashrc" ] && [ ! -e "$L/p/q/.bashrc" ] || fail "-parent: a server's name wrote outside: $(ls -A "$L/p" "$L/p/q")"
[ "$RC" -ne 0 ] || fail "-parent: a cp with a refused name exited 0"
expect_err_has "refused ${base}d/../../.bashrc from the server" "-parent: the entry is named"
CHECKS=$((CHECKS + 1))
[ "$(cat "$L/p/q/dstp/base/d/good.txt" 2>/dev/null)" = good ] || fail "-parent: the good file was not copied: $OUT $ERR"
pass
