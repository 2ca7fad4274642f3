#!/bin/sh
# Server commands per file (issue 18), read from jcentral-lite's --counts file:
# an upload is access + one commit per replica (plus one stat of the
# destination and one mkdir -p per folder), a download one access per file
# (plus the stat, and one find for a folder). Two SEs: uploads make two replicas.
. "$(dirname "$0")/cplib.sh"
COUNTS=$T/counts
JCL_ARGS="--counts $COUNTS" stack_up
L=$T/local
mkdir -p "$L/tree/a" "$L/tree/b" "$L/dl"
N=6
two_folders "$L/tree" $N 101 10
echo one >"$L/one.txt"

# count CMD: requests named CMD so far
count() { counts_get "cmd $1"; }
mark() { counts_mark; }
# snap: remember every count; delta CMD: requests named CMD since snap
snap() { for c in stat rm mkdir access commit find ls; do eval "S_$c=$(count $c)"; done; }
delta() { eval "echo \$(( \$(count $1) - S_$1 ))"; }
# expect_cmds WHAT "stat=N rm=N mkdir=N access=N commit=N find=N": the deltas since snap
expect_cmds() {
	for kv in $2; do
		CHECKS=$((CHECKS + 1))
		got=$(delta "${kv%%=*}")
		[ "$got" = "${kv#*=}" ] || fail "$1: ${kv%%=*} sent $got times, expected ${kv#*=}"
	done
}

mark
snap
run alien-cp "file:$L/one.txt" one.txt
expect_rc 0 "upload of one file"
mark
expect_cmds "one upload to a new name" "stat=1 rm=0 mkdir=1 access=1 commit=2 find=0"

# replacing it (a different file under the same name): the folder exists, no mkdir -p
echo changed >"$L/one.txt"
snap
run alien-cp -f "file:$L/one.txt" one.txt
expect_rc 0 "upload replacing one file"
mark
expect_cmds "one upload replacing an LFN" "stat=2 rm=1 mkdir=0 access=1 commit=2 find=0"

snap
run alien-cp "file:$L/tree" up/
expect_rc 0 "recursive upload"
expect_out_has "Successful jobs (1st try): $((2 * N))/$((2 * N))" "every file uploaded twice"
mark
# one stat of up/, a mkdir -p for each of up/tree/a and up/tree/b, then access + 2 commits per file
expect_cmds "recursive upload of $N files in 2 folders" "stat=1 rm=0 mkdir=2 access=$N commit=$((2 * N)) find=0"

snap
run alien-cp one.txt "file:$L/dl/one.txt"
expect_rc 0 "download of one file"
mark
expect_cmds "one download" "stat=1 access=1 commit=0 find=0 mkdir=0 rm=0"
expect_same_md5 "$L/one.txt" "$L/dl/one.txt" "download of one file"

# a folder with files and a subfolder (readdir may interleave them): still one mkdir -p per folder at most
mkdir -p "$L/nest/a/sub"
for n in 1 2 3 4 5 6; do echo "$n" >"$L/nest/a/f$n"; done
echo s >"$L/nest/a/sub/g"
snap
run alien-cp "file:$L/nest" up2/
expect_rc 0 "upload of a nested folder"
mark
CHECKS=$((CHECKS + 1))
[ "$(delta mkdir)" -le 2 ] || fail "nested upload: $(delta mkdir) mkdir -p for 2 folders"
expect_cmds "nested upload of 7 files" "stat=1 rm=0 access=7 commit=14"

snap
run alien-cp up/tree "file:$L/dl/"
expect_rc 0 "recursive download"
expect_out_has "Successful jobs (1st try): $N/$N" "every file downloaded"
mark
expect_cmds "recursive download of $N files" "stat=1 find=1 access=$N commit=0 mkdir=0 rm=0"
pass
