#!/bin/sh
# cp's client-side property filters in recursive copies (issue 17; COMPAT row 59): -mindepth,
# -maxdepth, -jobid, -user, -group, -min-ctime, -max-ctime select the files find2 would select
# (the same code, daemon/command/findfilt.c); a bad value is refused with one line.
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed" >&2; exit 77; }
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/d/s1/s2"
echo a >"$L/d/a.txt"
echo b >"$L/d/s1/b.txt"
echo c >"$L/d/s1/s2/c.txt"
run alien-cp "file:$L/d/" "d/@ALICE::JCL::SE1"
expect_rc 0 "upload of the tree"
# catalogue properties a shim cannot set: a.txt made by job 42, b.txt someone else's, c.txt old
python3 - "$STACK/catalogue.db" "$HOME_DIR" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
h = sys.argv[2]
c.execute("UPDATE lfn SET jobid = 42 WHERE lfn = ?", (h + "d/a.txt",))
c.execute("UPDATE lfn SET owner = 'other', gowner = 'grp' WHERE lfn = ?", (h + "d/s1/b.txt",))
c.execute("UPDATE lfn SET ctime = 1000000000 WHERE lfn = ?", (h + "d/s1/s2/c.txt",))
c.commit()
PY
run alien-find2 d/
expect_rc 0 "find2 sees the tree"

# got OPTIONS... WANT: cp OPTIONS d/ into a fresh folder copies the files WANT (and no other);
# find2 with the same options selects the same files
got() {
	want=$(printf '%s\n' "$@" | sed -n '$p')
	set -- $(printf '%s\n' "$@" | sed '$d')
	rm -rf "$L/o"
	run alien-cp "$@" d/ "file:$L/o/"
	expect_rc 0 "cp $*"
	CHECKS=$((CHECKS + 1))
	have=$(cd "$L/o" 2>/dev/null && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
	[ "$have" = "$want" ] || fail "cp $*: copied [$have], expected [$want]"
	run alien-find2 "$@" d/
	CHECKS=$((CHECKS + 1))
	have=$(printf '%s\n' "$OUT" | sed "s|^$HOME_DIR""d/||" | sort | tr '\n' ' ')
	[ "$have" = "$want" ] || fail "find2 $*: [$have], cp selected [$want]"
}
got -mindepth 1 "s1/b.txt s1/s2/c.txt "
got -maxdepth 0 "a.txt "
got -maxdepth 1 "a.txt s1/b.txt "
got -jobid 42 "a.txt "
got -user other "s1/b.txt "
got -group grp "s1/b.txt "
got -max-ctime 1500000000 "s1/s2/c.txt "
got -min-ctime 1500000000000 "a.txt s1/b.txt "
got -mindepth 1 -user other "s1/b.txt "

for bad in "-mindepth x" "-maxdepth -1" "-jobid 4x" "-min-ctime 12345" "-user -x"; do
	# shellcheck disable=SC2086 # the option and its value
	run alien-cp $bad d/ "file:$L/bad/"
	expect_rc 22 "cp $bad"
	expect_one_line "cp $bad"
	expect_err_has "cp: ${bad%% *} " "cp $bad names the option"
	CHECKS=$((CHECKS + 1))
	[ ! -e "$L/bad" ] || fail "cp $bad made $L/bad"
done
pass
