#!/bin/sh
# `ps -trace` of a job whose trace holds a line without a time (issue 28; docs/COMPAT.md row 80).
# jcentral-lite (--trace-untimed) gives a job reaching STARTED a message of two lines, the second
# without a time, as a real trace's multi-line messages. Ours prints the timed lines with their
# epoch as local time and the untimed line as it is, where alien.py 1.7.0 keeps it (1.6.3 emptied
# it); with alien.py 1.7.0 at hand (JALIEND_ALIENPY17, default /work/refjc/client/alienpy170)
# its output for the same job is compared line by line too.
. "$(dirname "$0")/lib.sh"
UNTIMED="worker-node:JCL::LOCAL:no_time_on_this_line"
export JCL_ARGS="--job-tick 100 --trace-untimed $UNTIMED"
stack_up
export ALIEN_SESSION=trace
alien-touch job.sh >/dev/null
printf 'Executable = "job.sh";\n' >"$T/j.jdl"
alien-cp "file:$T/j.jdl" j.jdl >/dev/null
id=$(alien-submit j.jdl | sed -n 's/.*job ID is //p')
[ -n "$id" ] || fail "submit gave no job ID"

OUT= ERR=
trace_has_untimed() {
	run alien-ps -trace "$id"
	printf '%s\n' "$OUT" | grep -qx "$UNTIMED"
}
settled "ps -trace never showed the line without a time" trace_has_untimed
expect_rc 0 "ps -trace"
TIME='20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9][+-][0-9]\{4\}'
CHECKS=$((CHECKS + 3))
printf '%s\n' "$OUT" | grep -B1 -x "$UNTIMED" | head -1 |
	grep -qx "$TIME \[trace     \]: Job started; the worker node says:" ||
	fail "the line before the untimed one is not its message's first line with a local time: $OUT"
printf '%s\n' "$OUT" | grep -q '^[0-9]\{10\} ' && fail "ps -trace shows epoch seconds: $OUT"
[ "$(printf '%s\n' "$OUT" | grep -vxc "$UNTIMED")" -eq "$(printf '%s\n' "$OUT" | grep -c "^$TIME \[")" ] ||
	fail "a line other than the untimed one has no local time: $OUT"

APY=${JALIEND_ALIENPY17:-/work/refjc/client/alienpy170}
port=${JALIEND_ENDPOINT#wss://127.0.0.1:}
port=${port%%/*}
if [ -d "$APY/alienpy" ]; then
	mkdir -p "$T/aphome" "$T/aptmp"
	# the job has reached its last state (DONE), so both see the same trace
	done_state() { alien-ps -a | grep -q "$id .* D "; }
	settled "the job never reached DONE" done_state
	run alien-ps -trace "$id"
	ours=$OUT
	run env HOME="$T/aphome" TMPDIR="$T/aptmp" ALIENPY_JCENTRAL=127.0.0.1 \
		ALIENPY_JCENTRAL_PORT="$port" ALIENPY_NO_STAGGER=1 ALIENPY_NO_HISTORY=1 \
		PYTHONPATH="$APY" "${JALIEND_ALIENPY17_PYTHON:-/usr/bin/python3}" -c \
		'import sys; sys.argv[0]="alien.py"; from alienpy.alien import main; sys.exit(main())' ps -trace "$id"
	expect_rc 0 "alien.py 1.7.0 ps -trace"
	CHECKS=$((CHECKS + 1))
	[ "$OUT" = "$ours" ] || fail "ps -trace differs from alien.py 1.7.0's: ours [$ours] alien.py [$OUT]"
	echo "compared with alien.py 1.7.0 at $APY"
fi
pass
