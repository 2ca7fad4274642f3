#!/bin/sh
# The transfer progress bar (docs/TRANSFERS.md "Output", PROGRESS frames):
# alien-cp on a terminal draws it on stderr with '\r', and when it ends the
# pane shows alien.py's lines only; with stderr or stdout in a file, no '\r'
# and no escape sequence reaches the file.
JALIEND_ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$JALIEND_ROOT/tests/integration/lib.sh"
. "$JALIEND_ROOT/tests/interactive/tmuxlib.sh"
command -v xrootd >/dev/null || { echo "test_progress: xrootd not installed (no storage elements): skipped"; exit 77; }
stack_up

# no_cr FILE WHAT: no '\r' and no ESC in FILE
no_cr() {
	CHECKS=$((CHECKS + 1))
	if tr -d '\n' <"$1" | grep -q "$(printf '[\r\033]')"; then
		fail "$2: the file has a bar: $(od -c "$1" | head -n 5)"
	fi
}

# 200 MiB: over a second to two loopback SEs, so several bars (one per 250 ms)
head -c 200M /dev/urandom >"$T/big.bin"

# the bar while it runs: a gauge, bytes done / total, rate and ETA
start_cmd up "alien-cp file:$T/big.bin big.bin"
wait_match up '\[#* *\] [0-9.]+ (B|KiB|MiB) / 200\.00 MiB  [0-9.]+ (B|KiB|MiB|GiB)/s  ETA ([0-9]+:[0-9]{2}|--:--)  files 0/1'
wait_rc up 0
# at the end: alien.py's three lines, nothing left of the bar
CHECKS=$((CHECKS + 1))
got=$(screen up | grep -v '^$')
# (one job per replica, as alien.py counts them: disk:2)
printf '%s\n' "$got" | sed -n 1p | grep -qx 'jobID: 1/2 >>> Start' &&
	printf '%s\n' "$got" | sed -n 2p | grep -qx 'jobID: 2/2 >>> Start' &&
	printf '%s\n' "$got" | sed -n 3p | grep -qx 'jobID: 1/2 >>> STATUS OK >>> SPEED [0-9.]* [KMG]*i*B/s' &&
	printf '%s\n' "$got" | sed -n 4p | grep -qx 'jobID: 2/2 >>> STATUS OK >>> SPEED [0-9.]* [KMG]*i*B/s' &&
	printf '%s\n' "$got" | sed -n 5p | grep -qx 'Successful jobs (1st try): 2/2' &&
	[ "$(printf '%s\n' "$got" | wc -l)" -eq 5 ] || fail "after the upload the pane shows: $got"

# stdout on the terminal (so jaliend sends the bar), stderr in a file: nothing drawn
start_cmd err "alien-cp file:$T/big.bin big2.bin 2>$T/up.err"
wait_rc err 0
no_cr "$T/up.err" "upload, stderr in a file"
wait_line err "Successful jobs (1st try): 2/2"
start_cmd derr "alien-cp big.bin file:$T/down.bin 2>$T/down.err"
wait_rc derr 0
no_cr "$T/down.err" "download, stderr in a file"
cmp -s "$T/big.bin" "$T/down.bin" || fail "the downloaded file differs"
CHECKS=$((CHECKS + 1))

# stdout in a file, stderr on the terminal: the file has the lines and no bar
rm -f "$T/down.bin"
start_cmd dout "alien-cp big.bin file:$T/down.bin >$T/down.out"
wait_rc dout 0
no_cr "$T/down.out" "download, stdout in a file"
grep -qx 'Successful jobs (1st try): 1/1' "$T/down.out" || fail "download, stdout in a file: $(cat "$T/down.out")"
CHECKS=$((CHECKS + 1))
CHECKS=$((CHECKS + 1))
screen dout | grep -q 'ETA' && fail "a bar was left on the terminal: $(screen dout)"
pass
