# lib.sh - shared by the integration tests: a per-test stack in a temp folder.
# Source it, then call stack_up. Everything started is stopped on exit.
set -eu

ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export JALIEND_BUILD=${JALIEND_BUILD:-$ROOT/build}
T=$(mktemp -d "${TMPDIR:-/tmp}/jaliend-test.XXXXXX")
chmod 755 "$T"
STACK=$T/stack
CHECKS=0

lib_cleanup() {
	rc=$?
	"$ROOT/scripts/stack" down "$STACK" 2>/dev/null || true
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then # 77: a CTest skip, not a failure
		for f in "$STACK"/*.log; do
			[ -f "$f" ] || continue
			echo "---- last lines of $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	rm -rf "$T"
	exit $rc
}
trap lib_cleanup EXIT INT TERM

stack_up() {
	"$ROOT/scripts/stack" up "$STACK"
	eval "$("$ROOT/scripts/stack" env "$STACK")"
	HOME_DIR=$(alien-pwd)
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run CMD...: run a command, keeping stdout in $T/out, stderr in $T/err, status in $RC
run() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

expect_rc() {
	CHECKS=$((CHECKS + 1))
	[ "$RC" -eq "$1" ] || fail "${2:-command}: exit code $RC, expected $1 (stdout: $OUT) (stderr: $ERR)"
}
expect_out() {
	CHECKS=$((CHECKS + 1))
	[ "$OUT" = "$1" ] || fail "${2:-command}: stdout was [$OUT], expected [$1]"
}
expect_err() {
	CHECKS=$((CHECKS + 1))
	[ "$ERR" = "$1" ] || fail "${2:-command}: stderr was [$ERR], expected [$1]"
}
expect_err_has() {
	CHECKS=$((CHECKS + 1))
	case $ERR in *"$1"*) ;; *) fail "${2:-command}: stderr [$ERR] does not contain [$1]" ;; esac
}
expect_out_has() {
	CHECKS=$((CHECKS + 1))
	case $OUT in *"$1"*) ;; *) fail "${2:-command}: stdout [$OUT] does not contain [$1]" ;; esac
}
expect_one_line() {
	CHECKS=$((CHECKS + 1))
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "${1:-command}: stderr is not one line: [$ERR]"
}
# expect_ready N S: N shared sessions READY in `alien-daemon status` within S seconds
expect_ready() {
	CHECKS=$((CHECKS + 1))
	i=0
	until [ "$(alien-daemon status | grep -c '^session [0-9]*: READY')" -ge "$1" ]; do
		i=$((i + 1))
		[ $i -lt $(($2 * 20)) ] || fail "$1 sessions not READY within $2 s: $(alien-daemon status | grep '^session')"
		sleep 0.05
	done
}

# settled WHAT COMMAND...: COMMAND succeeds within 10 s, polled every 50 ms
# (the workers clean up on their own threads; a daemon takes a moment to start)
settled() {
	what=$1
	shift
	CHECKS=$((CHECKS + 1))
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$what"
		sleep 0.05
	done
}

# whoami_via_daemon NAME VAR=value...: whoami (its $OUT/$ERR/$RC) through a jaliend of its own,
# started with those variables (socket and TMPDIR in $T/NAME, no JBox; its log $T/NAME.log),
# then stopped
whoami_via_daemon() {
	wd=$T/$1
	shift
	mkdir -p -m 700 "$wd" "$wd/tmp"
	env TMPDIR="$wd/tmp" "$@" "$JALIEND_BUILD/daemon/jaliend" -f --no-jbox -s "$wd/S.jaliend" >"$wd.log" 2>&1 &
	wpid=$!
	i=0
	until [ -S "$wd/S.jaliend" ] || ! kill -0 "$wpid" 2>/dev/null || [ $i -ge 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	run env JALIEND_SOCKET="$wd/S.jaliend" alien whoami
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" || true
}

pass() {
	echo "$(basename "$0" .sh): $CHECKS passed, 0 failed"
}
