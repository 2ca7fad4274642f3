#!/bin/sh
# Transfers when the daemon stops (issue 16 item 5; docs/RELIABILITY.md):
#  1. --drain-time 0: SIGTERM at about half of a large download, then of a
#     large upload: the shim exits 125 with one line saying jaliend is
#     stopping, the daemon exits, and nothing is left: no temporary file,
#     no metalink (they hold envelopes), no partial file on the SEs, nothing
#     committed (alien-stat finds no LFN);
#  2. a second SIGTERM during a download with the default drain time: the
#     same, at once;
#  3. the default drain time (30 s): SIGTERM during a small download lets
#     it finish (exit 0, md5 right), then the daemon exits.
. "$(dirname "$0")/cplib.sh"
# wait_until SECONDS WHAT COMMAND...: COMMAND succeeds within SECONDS (polled every 50 ms)
wait_until() {
	wu_n=$(($1 * 20)) wu_what=$2 wu_i=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		wu_i=$((wu_i + 1))
		[ $wu_i -lt $wu_n ] || fail "$wu_what: not within $((wu_n / 20)) s"
		sleep 0.05
	done
}
export JALIEND_ARGS="--drain-time 0"
big_setup 400
base=$(se_files)

no_partial_upload() { [ "$(se_files)" -eq "$base" ]; }
no_metalink() { [ "$(metalinks)" -eq 0 ]; }
empty_dl() { [ -z "$(ls -A "$L/dl")" ]; }
# daemon_start ARGS...: a daemon on the stack's socket (stopped by stack down)
daemon_start() {
	"$JALIEND_BUILD/daemon/jaliend" --foreground "$@" >>"$STACK/jaliend.log" 2>&1 &
	echo $! >"$STACK/jaliend.pid"
	i=0
	until alien-whoami >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the daemon did not answer in 10 s"
		sleep 0.05
	done
}
# stop_during WHAT DIR SIGNALS CMD...: CMD in the background, SIGNALS (TERM,
# or TERM TERM) to the daemon once a file in DIR is half way; RC, OUT, ERR of
# the shim; the daemon has exited within 20 s
stop_during() {
	what=$1 dir=$2 sigs=$3
	shift 3
	dpid=$(cat "$STACK/jaliend.pid")
	touch "$T/stamp"
	sleep 0.01
	"$@" >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	half_way "$dir"
	for s in $sigs; do
		kill -"$s" "$dpid"
		# two signals sent at once may arrive as one: the next after the daemon saw this one
		wait_until 5 "$what: the daemon logs the SIGTERM" grep -q "\[$dpid\]: draining" "$STACK/jaliend.log"
	done
	set +e
	wait $pid
	RC=$?
	set -e
	OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
	i=0
	while kill -0 "$dpid" 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	CHECKS=$((CHECKS + 1))
	! kill -0 "$dpid" 2>/dev/null || fail "$what: the daemon still runs 20 s after SIG$sigs"
	expect_rc 125 "$what"
	expect_one_line "$what"
	expect_err_has "jaliend is stopping" "$what"
	printf '%s: exit %s: %s\n' "$what" "$RC" "$ERR"
}

stop_during "SIGTERM during a download" "$L/dl" TERM alien-cp src.bin "file:$L/dl/"
settled "SIGTERM during a download: partial local file left: $(ls -A "$L/dl")" empty_dl
settled "SIGTERM during a download: metalink left: $(ls "$STACK/tmp")" no_metalink

daemon_start --drain-time 0
stop_during "SIGTERM during an upload" "$STACK/se1/data" TERM alien-cp "file:$L/big.bin" up.bin
settled "SIGTERM during an upload: partial files left on the SEs" no_partial_upload
settled "SIGTERM during an upload: metalink left" no_metalink
daemon_start
run alien-stat up.bin
expect_rc 2 "SIGTERM during an upload: nothing committed"

stop_during "two SIGTERMs during a download" "$L/dl" "TERM TERM" alien-cp src.bin "file:$L/dl/"
settled "two SIGTERMs during a download: partial local file left: $(ls -A "$L/dl")" empty_dl
settled "two SIGTERMs during a download: metalink left" no_metalink

# the default drain time: a transfer that ends within it ends well (this
# case found the daemon killed by a SIGTERM that libXrdCl's short-lived
# threads, which unblock every signal, took with its default action)
daemon_start
head -c $((20 * 1024 * 1024)) /dev/urandom >"$L/small.bin"
run alien-cp "file:$L/small.bin" small.bin
expect_rc 0 "upload of the small file"
dpid=$(cat "$STACK/jaliend.pid")
touch "$T/stamp"
alien-cp small.bin "file:$L/dl/" >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
until [ -n "$(ls -A "$L/dl")" ] || ! kill -0 $pid 2>/dev/null; do sleep 0.005; done
kill -TERM "$dpid"
set +e
wait $pid
RC=$?
set -e
OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
expect_rc 0 "SIGTERM during a small download, default drain time"
expect_same_md5 "$L/small.bin" "$L/dl/small.bin" "the drained download"
i=0
while kill -0 "$dpid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
CHECKS=$((CHECKS + 1))
! kill -0 "$dpid" 2>/dev/null || fail "the daemon still runs 10 s after the drained download"
settled "drained download: metalink left" no_metalink
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L/dl")" -eq 0 ] || fail "drained download: temporary files left"
daemon_start # for stack down
pass
