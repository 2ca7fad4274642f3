#!/bin/sh
# A storage element killed (SIGKILL) in the middle of a transfer (issue #8):
#  1. download from SE1 (preferred by @SE1), SE1 killed at half: the copy
#     falls back to SE2's replica, exit 0, md5 right, no temporary file;
#  2. upload to SE1 + SE2, SE1 killed at half: SE2's replica is committed,
#     SE1's is not (alien-whereis lists SE2 only), exit 0;
#  3. download of a file whose only replica is on SE2, SE2 killed at half:
#     exit 1, no partial or temporary file, no metalink;
#  4. upload to SE2 only, SE2 killed at half: exit 1, nothing committed
#     (alien-stat finds no LFN).
# Killed SEs are started again on their port (scripts/xrootd-se).
. "$(dirname "$0")/cplib.sh"
big_setup 200
[ "$(replicas src.bin | tr '\n' ' ')" = "ALICE::JCL::SE1 ALICE::JCL::SE2 " ] || fail "src.bin is not on both SEs"

# se_kill N: SIGKILL to storage element N (its recorded pid), wait until it is gone
se_kill() {
	p=$(cat "$STACK/se$1/xrootd-se.pid")
	kill -KILL "$p"
	while kill -0 "$p" 2>/dev/null; do sleep 0.01; done
}
# se_restart N: start storage element N again on the port jcentral-lite
# knows it by, then wait until the daemon uses it again: after a connection
# failure XrdCl fails new requests to that SE at once for 5 s
# (XFER_SE_ERROR_WINDOW_S; XrdCl's default would be 30 minutes)
se_restart() {
	port=$(sed -n "s|.*ALICE::JCL::SE$1=root://127.0.0.1:\([0-9]*\)/.*|\1|p" "$STACK/jcentral-lite.args")
	"$ROOT/scripts/xrootd-se" start "$STACK/se$1" "$port" 2>>"$T/se.log" ||
		fail "storage element $1 did not start again on port $port: $(cat "$T/se.log")"
	echo probe >"$T/probe"
	t0=$(date +%s)
	n=0
	until alien-cp -norecovery "file:$T/probe" "probe$1_$n@ALICE::JCL::SE$1" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $(($(date +%s) - t0)) -lt 20 ] || fail "the daemon did not use SE$1 again within 20 s of its restart"
		sleep 0.5
	done
	echo "SE$1 used again $(($(date +%s) - t0)) s after its restart"
}
# bg CMD...: start CMD in the background (pid in $pid) after a fresh stamp
bg() {
	touch "$T/stamp"
	sleep 0.01
	"$@" >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
}
# reap: wait for the background shim; RC, OUT, ERR as run() sets them
reap() {
	set +e
	wait "$pid"
	RC=$?
	set -e
	OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
}
no_leftovers() { [ "$(leftovers "$L/dl")" -eq 0 ] && [ "$(metalinks)" -eq 0 ]; }

# 1. download, the SE it reads from killed: the other replica
bg alien-cp src.bin@ALICE::JCL::SE1 "file:$L/dl/a.bin"
half_way "$L/dl"
se_kill 1
reap
expect_rc 0 "download with its SE killed half way: falls back to the other replica"
expect_same_md5 "$L/big.bin" "$L/dl/a.bin" "download after the fallback"
expect_err_has "ALICE::JCL::SE1" "the failed replica is named"
settled "download fallback: temporary file or metalink left" no_leftovers
se_restart 1

# 2. upload to both, one SE killed: the other replica is committed, not the killed one
bg alien-cp "file:$L/big.bin" up.bin
half_way "$STACK/se1/data"
se_kill 1
reap
expect_rc 0 "upload with one of its two SEs killed half way"
CHECKS=$((CHECKS + 1))
[ "$(replicas up.bin)" = "ALICE::JCL::SE2" ] || fail "replicas of up.bin: [$(replicas up.bin)], expected SE2 only"
expect_err_has "ALICE::JCL::SE1" "the failed replica is named"
run alien-cp up.bin "file:$L/dl/up.bin"
expect_rc 0 "download of the surviving replica"
expect_same_md5 "$L/big.bin" "$L/dl/up.bin" "the surviving replica"
rm -f "$L/dl/up.bin" "$L/dl/a.bin"

# 3. download of a file whose only live replica is on SE2, SE2 killed
bg alien-cp up.bin "file:$L/dl/b.bin"
half_way "$L/dl"
se_kill 2
reap
expect_rc 1 "download with its only SE killed half way"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/dl/b.bin" ] || fail "a partial download was left under its name"
settled "failed download: temporary file or metalink left: $(ls -A "$L/dl")" no_leftovers
se_restart 2

# 4. upload to SE2 only, SE2 killed: nothing committed
bg alien-cp "file:$L/big.bin" "one.bin@ALICE::JCL::SE2"
half_way "$STACK/se2/data"
se_kill 2
reap
expect_rc 1 "upload with its only SE killed half way"
run alien-stat one.bin
expect_rc 2 "nothing committed for the failed upload"
run alien-whoami
expect_rc 0 "the daemon still answers"
pass
