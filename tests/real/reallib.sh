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
. "$(dirname "$0")/../integration/lib.sh" # run, expect_*, fail, pass, a temp folder $T
REAL_SKIP=77

real_skip() {
	echo "SKIP: $*"
	exit $REAL_SKIP
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
