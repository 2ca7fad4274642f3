# reallib.sh - the real-service suite (tests/real/): jaliend, the shims and
# alien.py against a real JCentral, not jcentral-lite.
#
# JALIEND_REAL names a running reference (the folder ../shared/tools/refjc-up
# made: client/env.sh holds the endpoint and the user's credentials). Without
# it every test here is a CTest skip (exit 77), never a pass.
#
# The tests share one daemon (CTest fixture real.up / real.down, started by
# `real_up.sh`), so the commands of later tests run on the sessions of earlier
# ones, as in a user's shell; each test works in its own grid folder.
set -eu
ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export JALIEND_BUILD=${JALIEND_BUILD:-$ROOT/build}
REAL_SKIP=77
CHECKS=0

real_skip() {
	echo "SKIP: $*"
	exit $REAL_SKIP
}
fail() {
	echo "FAIL: $*" >&2
	[ -z "${RUN:-}" ] || tail -n 30 "$RUN/jaliend.log" >&2
	exit 1
}
pass() {
	echo "$(basename "$0" .sh): $CHECKS passed, 0 failed"
}

[ -n "${JALIEND_REAL:-}" ] || real_skip "JALIEND_REAL is not set (start a real JCentral with ../shared/tools/refjc-up, then scripts/check-real)"
[ -f "$JALIEND_REAL/client/env.sh" ] || fail "JALIEND_REAL=$JALIEND_REAL has no client/env.sh (not a refjc-up folder)"
# shellcheck disable=SC1091
. "$JALIEND_REAL/client/env.sh"
# the daemon's folder, shared by the tests of one run (set by CMake)
RUN=${JALIEND_REAL_RUN:-$JALIEND_BUILD/tests/real/run}
export PATH="$JALIEND_BUILD/client:$PATH" JALIEND_SOCKET="$RUN/sock/S.jaliend" JALIEND_AUTOSTART=0 \
	TMPDIR="$RUN/tmp"
unset ALIENPY_JCENTRAL ALIENPY_JCENTRAL_PORT # alien.py must find our JBox, not the service itself

T=$(mktemp -d "/tmp/jaliend-real.XXXXXX")
trap 'rc=$?; rm -rf "$T"; exit $rc' EXIT INT TERM

# run CMD...: stdout in $OUT, stderr in $ERR, status in $RC
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
	[ "$RC" -eq "$1" ] || fail "${2:-command}: exit code $RC, expected $1 (stdout: $(echo "$OUT" | head -c 400)) (stderr: $ERR)"
}
expect_out() {
	CHECKS=$((CHECKS + 1))
	[ "$OUT" = "$1" ] || fail "${2:-command}: stdout was [$OUT], expected [$1]"
}
expect_out_has() {
	CHECKS=$((CHECKS + 1))
	case $OUT in *"$1"*) ;; *) fail "${2:-command}: stdout [$OUT] does not contain [$1]" ;; esac
}
expect_err_has() {
	CHECKS=$((CHECKS + 1))
	case $ERR in *"$1"*) ;; *) fail "${2:-command}: stderr [$ERR] does not contain [$1]" ;; esac
}
# ok CMD...: the command succeeds (its output in $OUT)
ok() {
	run "$@"
	expect_rc 0 "$*"
}
# status_field TEXT: the number after TEXT in `alien-daemon status`
status_field() {
	alien-daemon status | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | head -n 1
}
# grid_dir NAME: a fresh folder for this test under the user's home (its path in $G)
grid_dir() {
	G=$(alien-pwd)jaliend-real-$1-$$
	alien-rm -rf "$G" >/dev/null 2>&1 || true
	ok alien-mkdir -p "$G"
}
md5() {
	md5sum "$1" | cut -d' ' -f1
}
