#!/bin/sh
# Recursive copies: a folder of 200 small files up and back with -T 8 (md5 of
# every file), the rsync trailing-slash rule, -glob / a glob in the path,
# -select, -name, -exclude (repeated), -dst and -input.
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/tree/a" "$L/tree/b"
two_folders "$L/tree" 200 37 1
echo log >"$L/tree/a/run1.log"
echo log >"$L/tree/b/run2.log"

start=$(date +%s)
run alien-cp -T 8 "file:$L/tree" up/
expect_rc 0 "upload of 202 files"
expect_out_has "Successful jobs (1st try): 404/404" "all uploaded (two replicas each, counted as alien.py does)"
echo "upload of 202 files: $(($(date +%s) - start)) s"
run alien-find up/tree '*'
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c .)" -eq 202 ] || fail "find lists $(printf '%s\n' "$OUT" | grep -c .) files, not 202"

start=$(date +%s)
run alien-cp -T 8 up/tree "file:$L/back/"
expect_rc 0 "download of the folder"
expect_out_has "Successful jobs (1st try): 202/202" "all downloaded"
echo "download of 202 files: $(($(date +%s) - start)) s"
CHECKS=$((CHECKS + 1))
(cd "$L/tree" && find . -type f -exec md5sum {} + | sort -k2) >"$T/m1"
(cd "$L/back/tree" && find . -type f -exec md5sum {} + | sort -k2) >"$T/m2"
cmp -s "$T/m1" "$T/m2" || fail "downloaded tree differs: $(diff "$T/m1" "$T/m2" | head -5)"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L/back")" -eq 0 ] || fail "temporary files left in $L/back"

# trailing slash: the contents, not the folder
run alien-cp "up/tree/a/" "file:$L/flat/"
expect_rc 0 "download of a folder's contents"
expect_true "a/ copies its contents into flat/" test -f "$L/flat/f0.dat"
expect_true "... not the folder itself" test ! -e "$L/flat/a"

# filters
run alien-cp -glob '*.log' up/tree "file:$L/glob/"
expect_rc 0 "-glob"
CHECKS=$((CHECKS + 1))
[ "$(find "$L/glob" -type f | wc -l)" -eq 2 ] || fail "-glob '*.log' copied $(find "$L/glob" -type f | wc -l) files"
run alien-cp "file:$L/tree/a/*.log" logs/
expect_rc 0 "a glob in the local source path"
run alien-ls logs
expect_out "run1.log" "only the matching file went up"
run alien-cp -select 'f1[0-9]\.dat$' up/tree "file:$L/sel/"
expect_rc 0 "-select"
CHECKS=$((CHECKS + 1))
[ "$(find "$L/sel" -type f | wc -l)" -eq 10 ] || fail "-select copied $(find "$L/sel" -type f | wc -l) files, not 10"
run alien-cp -name ends_9_ext_dat up/tree "file:$L/name/"
expect_rc 0 "-name verbs"
CHECKS=$((CHECKS + 1))
[ "$(find "$L/name" -type f | wc -l)" -eq 20 ] || fail "-name ends_9_ext_dat copied $(find "$L/name" -type f | wc -l) files, not 20"
run alien-cp -exclude /a/ -exclude .log "file:$L/tree" excl/
expect_rc 0 "-exclude twice"
expect_out_has "Successful jobs (1st try): 200/200" "-exclude /a/ -exclude .log leaves b's 100 .dat files (two replicas each)"
run alien-cp -glob '*.log' -select x up/tree "file:$L/both/"
expect_rc 22 "two selections"
expect_one_line "two selections"

# -dst DIR SRC...: below DIR, minus the sources' common folder
run alien-cp -dst "file:$L/dst" up/tree/a/f0.dat up/tree/b/f1.dat
expect_rc 0 "-dst"
expect_same_md5 "$L/tree/a/f0.dat" "$L/dst/a/f0.dat" "-dst keeps a/"
expect_same_md5 "$L/tree/b/f1.dat" "$L/dst/b/f1.dat" "-dst keeps b/"

# -input FILE: SRC DST lines, comments and a bad line skipped
cat >"$L/list" <<LIST
# comment
up/tree/a/f2.dat file:$L/in/x.dat

file:$L/tree/b/f3.dat inup/y.dat
a b c
LIST
run alien-cp -input "file:$L/list"
expect_rc 0 "-input"
expect_err_has "line 5 skipped" "the 3-field line is reported"
expect_same_md5 "$L/tree/a/f2.dat" "$L/in/x.dat" "-input download"
run alien-stat inup/y.dat
expect_rc 0 "-input upload"
pass
