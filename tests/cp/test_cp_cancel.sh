#!/bin/sh
# Ctrl-C (SIGINT to the shim) and SIGKILL of the shim at about half of a
# large upload and download: the shim exits (130 for Ctrl-C), no partial
# local file, no temporary file or metalink, nothing committed (alien-stat
# finds no LFN), no partial file left on the SEs, and the daemon serves the
# next command.
. "$(dirname "$0")/cplib.sh"
big_setup 400
base=$(se_files)


no_partial_upload() { [ "$(se_files)" -eq "$base" ]; }
no_metalink() { [ "$(metalinks)" -eq 0 ]; }
empty_dl() { [ -z "$(ls -A "$L/dl")" ]; }

for sig in INT KILL; do
	# env: a background job of a script starts with SIGINT ignored
	touch "$T/stamp"
	sleep 0.01
	env --default-signal=INT alien-cp "file:$L/big.bin" "up_$sig.bin" >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	half_way "$STACK/se1/data"
	kill -$sig $pid
	set +e
	wait $pid
	RC=$?
	set -e
	OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
	[ $sig = INT ] && expect_rc 130 "Ctrl-C of an upload"
	[ $sig = KILL ] && expect_rc 137 "SIGKILL of an upload"
	run alien-stat "up_$sig.bin"
	expect_rc 2 "SIG$sig upload: nothing committed"
	settled "SIG$sig upload: partial files left on the SEs" no_partial_upload

	env --default-signal=INT alien-cp src.bin "file:$L/dl/" >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	half_way "$L/dl"
	kill -$sig $pid
	set +e
	wait $pid
	RC=$?
	set -e
	[ $sig = INT ] && expect_rc 130 "Ctrl-C of a download"
	[ $sig = KILL ] && expect_rc 137 "SIGKILL of a download"
	settled "SIG$sig download: partial local file left: $(ls -A "$L/dl")" empty_dl
	settled "SIG$sig download: metalink left: $(ls "$STACK/tmp")" no_metalink
	run alien-whoami
	expect_rc 0 "SIG$sig: the daemon still answers"
done
# and the next transfer works
run alien-cp src.bin "file:$L/dl/"
expect_rc 0 "download after the cancels"
expect_same_md5 "$L/big.bin" "$L/dl/src.bin" "download after the cancels"
pass
