#!/bin/sh
# The transfer pipeline (issue 27) against jcentral-lite at the real JCentral's
# pace (--service-time real: each connection's commands in order, connections
# in parallel), the daemon's pool allowed to grow to 16 sessions:
#  1. a folder up and down: every md5 right; commands per file unchanged
#     (upload: access + one commit per replica, one mkdir -p per folder;
#     download: one access per file); several accesses and commits were
#     served at once, never more calls in flight than the cap (CP_CALLS_MAX,
#     8: nothing else runs meanwhile), never two on one websocket;
#  2. Ctrl-C in the middle of a pipelined upload: every LFN registered holds
#     its file's md5, every replica on the SEs is registered (none left
#     half-written or uncommitted); the same for a download (no temporary file);
#  3. JCentral restarted with calls in flight (the sessions lost): the cp ends;
#     every file it reports OK downloads with its md5; no LFN has two replicas
#     on one SE (no commit sent twice); running the cp again completes the rest.
. "$(dirname "$0")/cplib.sh"
COUNTS=$T/counts
CAP=8
JCL_ARGS="--service-time real --counts $COUNTS" JALIEND_ARGS="--pool-max 16" stack_up
L=$T/local
N=40
mkdir -p "$L/dl"
two_folders "$L/tree" $N 37 10240

count() { counts_get "$1"; }
mark() { counts_mark; }
snap() { for c in stat rm mkdir access commit; do eval "S_$c=$(count "cmd $c")"; done; }
expect_cmds() {
	for kv in $2; do
		CHECKS=$((CHECKS + 1))
		eval "got=\$(( \$(count \"cmd ${kv%%=*}\") - S_${kv%%=*} ))"
		[ "$got" = "${kv#*=}" ] || fail "$1: ${kv%%=*} sent $got times, expected ${kv#*=}"
	done
}
# same_tree A B: every file of A has its twin in B with the same md5, and B has no other file
same_tree() {
	[ "$(cd "$1" && find . -type f | sort)" = "$(cd "$2" && find . -type f | sort)" ] || return 1
	(cd "$1" && find . -type f -exec md5sum {} + | sort -k2) >"$T/a.md5"
	(cd "$2" && find . -type f -exec md5sum {} + | sort -k2) >"$T/b.md5"
	cmp -s "$T/a.md5" "$T/b.md5"
}

# 1. up and down
mark
snap
run alien-cp "file:$L/tree" up/
expect_rc 0 "pipelined upload of $N files"
expect_out_has "Successful jobs (1st try): $((2 * N))/$((2 * N))" "every file uploaded (a job per replica)"
mark
expect_cmds "pipelined upload of $N files in 2 folders" "stat=1 rm=0 mkdir=2 access=$N commit=$((2 * N))"
snap
run alien-cp up/tree "file:$L/dl/"
expect_rc 0 "pipelined download of $N files"
mark
expect_cmds "pipelined download of $N files" "stat=1 access=$N commit=0 mkdir=0"
expect_true "the download equals the uploaded tree (names and md5s)" same_tree "$L/tree" "$L/dl/tree"
inflight=$(count inflight_max)
for c in access commit; do
	CHECKS=$((CHECKS + 1))
	[ "$(count "running_max $c")" -ge 2 ] || fail "at most $(count "running_max $c") $c served at once: not pipelined"
done
CHECKS=$((CHECKS + 1))
[ "$inflight" -le $CAP ] || fail "$inflight calls in flight at once, above the cap of $CAP"
CHECKS=$((CHECKS + 1))
[ "$(count session_inflight_max)" = 1 ] || fail "$(count session_inflight_max) requests in flight on one websocket (spec 4.4: one)"
echo "calls in flight at most: $inflight (cap $CAP); access served at once at most: $(count "running_max access"), commit: $(count "running_max commit")"

# registered_ok DIR LFNDIR: every file registered below LFNDIR downloads with the md5 of DIR's twin
registered_ok() {
	rm -rf "$L/check"
	mkdir -p "$L/check"
	alien-cp "$2" "file:$L/check/" >/dev/null 2>&1
	for f in $(cd "$L/check" && find . -type f); do
		[ "$(md5 "$L/check/$f")" = "$(md5 "$1/${f#*/tree/}")" ] || { echo "md5 of $f differs"; return 1; }
	done
}
# replicas_registered: the SEs hold as many files as the catalogue has replicas
replicas_registered() {
	n=$(alien-find "$HOME_DIR" '*' 2>/dev/null | while read -r lfn; do alien-whereis "$lfn" 2>/dev/null | grep -c 'SE => '; done |
		awk '{s += $1} END {print s + 0}')
	[ "$(se_files)" -eq "$n" ]
}

# 2. Ctrl-C mid-pipeline: an upload, then a download
touch "$T/stamp"
env --default-signal=INT alien-cp "file:$L/tree" cancelled/ >"$T/bg.out" 2>&1 &
pid=$!
settled "the upload to cancel made progress" sh -c "[ \$(grep -c 'STATUS OK' '$T/bg.out') -ge 4 ]"
kill -INT $pid
wait $pid || true
CHECKS=$((CHECKS + 1))
ok=$(grep -c 'STATUS OK' "$T/bg.out")
[ "$ok" -lt $((2 * N)) ] || fail "the cancelled upload had finished already: nothing tested"
echo "upload cancelled after $ok files"
expect_true "after a cancelled upload, every registered LFN holds its file's md5" registered_ok "$L/tree" cancelled
settled "after a cancelled upload, a replica on an SE that is not registered" replicas_registered

rm -rf "$L/dl2"
mkdir -p "$L/dl2"
env --default-signal=INT alien-cp up/tree "file:$L/dl2/" >"$T/bg.out" 2>&1 &
pid=$!
settled "the download to cancel made progress" sh -c "[ \$(grep -c 'STATUS OK' '$T/bg.out') -ge 4 ]"
kill -INT $pid
wait $pid || true
settled "a cancelled download left a temporary file or metalink" sh -c "[ \$(find '$L/dl2' -name '.*.jaliend-*' | wc -l) -eq 0 ] && [ \$(find '$STACK/tmp' -name 'jaliend-cp-*.meta4' | wc -l) -eq 0 ]"
for f in $(cd "$L/dl2" && find . -type f); do
	expect_same_md5 "$L/tree/${f#./tree/}" "$L/dl2/$f" "a file a cancelled download left"
done

# 3. JCentral restarted with calls in flight
alien-cp "file:$L/tree" lost/ >"$T/bg.out" 2>&1 &
pid=$!
settled "the upload to interrupt made progress" sh -c "[ \$(grep -c 'STATUS OK' '$T/bg.out') -ge 2 ]"
"$ROOT/scripts/stack" restart-central "$STACK" 2>>"$T/restart.log"
RC=0
wait $pid || RC=$?
CHECKS=$((CHECKS + 1))
[ $RC -eq 0 ] || [ $RC -eq 1 ] || fail "the upload whose JCentral restarted exited $RC: $(cat "$T/bg.out")"
echo "upload across a JCentral restart: exit $RC, $(grep -c 'STATUS OK' "$T/bg.out") of $((2 * N)) replicas OK"
expect_true "after a JCentral restart, every registered LFN holds its file's md5" registered_ok "$L/tree" lost
for lfn in $(alien-find lost '*'); do
	CHECKS=$((CHECKS + 1))
	[ -z "$(alien-whereis "$lfn" | sed -n 's/.*SE => \([^ ]*\) .*/\1/p' | sort | uniq -d)" ] ||
		fail "$lfn has two replicas on one SE: a commit was sent twice"
done
run alien-cp "file:$L/tree" lost/
expect_rc 0 "the same upload run again"
rm -rf "$L/dl3"
run alien-cp lost/tree "file:$L/dl3/"
expect_rc 0 "download of what the two uploads made"
expect_true "the upload completed by its second run equals the tree" same_tree "$L/tree" "$L/dl3/tree"
pass
