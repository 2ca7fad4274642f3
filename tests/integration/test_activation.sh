#!/bin/sh
# systemd socket activation (systemd-socket-activate passes the listener; the
# daemon serves it and holds its lock), and `jaliend --version` saying whether
# this build has it. A -DJALIEND_SYSTEMD=OFF build has none: after checking that
# --version says so, the test skips (77), as it does without systemd-socket-activate.
. "$(dirname "$0")/lib.sh"

# the build's setting, from CMake (tests/CMakeLists.txt; run by hand or by
# test_sanitizers.sh: the build's CMakeCache.txt); --version must agree
[ -n "${JALIEND_SYSTEMD:-}" ] ||
	JALIEND_SYSTEMD=$(sed -n 's/^JALIEND_SYSTEMD:BOOL=//p' "$JALIEND_BUILD/CMakeCache.txt" 2>/dev/null)
case ${JALIEND_SYSTEMD:-} in
ON) want="systemd: socket activation and notify on (libsystemd)" ;;
OFF) want="systemd: socket activation and notify off (built with -DJALIEND_SYSTEMD=OFF)" ;;
*) fail "JALIEND_SYSTEMD is [${JALIEND_SYSTEMD:-}], expected ON or OFF (set by CMake)" ;;
esac
run "$JALIEND_BUILD/daemon/jaliend" --version
expect_rc 0 "jaliend --version"
CHECKS=$((CHECKS + 1))
[ "$(sed -n 2p "$T/out")" = "$want" ] || fail "jaliend --version, line 2: [$(sed -n 2p "$T/out")], expected [$want]"
if [ "$JALIEND_SYSTEMD" = OFF ]; then
	echo "SKIP: built with -DJALIEND_SYSTEMD=OFF: no socket activation to test (--version says so)"
	exit 77
fi
command -v systemd-socket-activate >/dev/null 2>&1 ||
	{ echo "SKIP: systemd-socket-activate is not installed (package systemd)"; exit 77; }

stack_up
act="$T/act"
mkdir -m 700 "$act"
systemd-socket-activate -l "$act/S.jaliend" -E X509_USER_CERT -E X509_USER_KEY -E X509_CERT_DIR \
	-E JALIEND_ENDPOINT "$JALIEND_BUILD/daemon/jaliend" --foreground \
	>"$T/act.log" 2>&1 &
apid=$!
i=0
while [ ! -S "$act/S.jaliend" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
run env JALIEND_SOCKET="$act/S.jaliend" alien-whoami
expect_rc 0 "socket-activated whoami"; expect_out jalien "socket-activated whoami"
run env JALIEND_SOCKET="$act/S.jaliend" alien-daemon status
expect_out_has "pid: $apid" "the activated daemon is the one systemd-socket-activate ran"
# a manual jaliend on the same path: refused (the activated one holds the
# lock); it never takes the socket, which keeps answering (issue 16, item 3)
run env JALIEND_SOCKET="$act/S.jaliend" timeout 10 "$JALIEND_BUILD/daemon/jaliend" --foreground
expect_rc 1 "manual daemon beside an activated one"
expect_err_has "already serves $act/S.jaliend" "manual daemon beside an activated one"
[ -S "$act/S.jaliend" ] || fail "the activated daemon's socket is gone"
CHECKS=$((CHECKS + 1))
run env JALIEND_SOCKET="$act/S.jaliend" alien-daemon status
expect_out_has "pid: $apid" "the activated daemon still answers on its socket"
run env JALIEND_SOCKET="$act/S.jaliend" alien-whoami
expect_rc 0 "whoami after the manual daemon was refused"; expect_out jalien "whoami after the refusal"
kill "$apid"
wait "$apid" 2>/dev/null || true

pass
