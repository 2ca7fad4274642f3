#!/bin/sh
# The endpoint by host name (issue 19): the daemon looks the name up off its
# loop (daemon/upstream/resolve.c) and connects to the address, while TLS
# still checks the NAME. A second daemon (own socket and TMPDIR, no JBox)
# reaches the stack's jcentral-lite as wss://localhost:PORT (its certificate
# says DNS:localhost, IP:127.0.0.1); one pointed at another name of 127.0.0.1
# that the certificate does not carry (this host's name, when it resolves to
# 127.0.0.1) is refused, although the address it connects to is in the
# certificate; a name that does not resolve fails with the resolver's reason.
. "$(dirname "$0")/lib.sh"
stack_up
port=$(cat "$STACK/jcentral-lite.port")
D=$T/by-name
mkdir -p "$D"
chmod 700 "$D"

# daemon NAME HOST: a daemon for wss://HOST:port, its socket $D/NAME.sock
daemon() {
	mkdir -p "$D/$1.tmp"
	TMPDIR="$D/$1.tmp" JALIEND_SOCKET="$D/$1.sock" JALIEND_ENDPOINT="wss://$2:$port/websocket/json" \
		"$JALIEND_BUILD/daemon/jaliend" --foreground --no-jbox >"$D/$1.log" 2>&1 &
	echo $! >"$D/$1.pid"
	i=0
	until [ -S "$D/$1.sock" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the daemon for $2 did not start: $(cat "$D/$1.log")"
		sleep 0.05
	done
}
stop_daemons() {
	for p in "$D"/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
	done
}
trap 'rc=$?; stop_daemons; (exit $rc); lib_cleanup' EXIT INT TERM

daemon byname localhost
run env JALIEND_SOCKET="$D/byname.sock" alien-whoami
expect_rc 0 "whoami through wss://localhost:$port"
[ -n "$OUT" ] || fail "whoami through wss://localhost printed nothing"

daemon nowhere no-such-host.invalid
run env JALIEND_SOCKET="$D/nowhere.sock" JALIEND_CONNECT_WAIT=1 alien-whoami
CHECKS=$((CHECKS + 1))
[ "$RC" -ne 0 ] || fail "whoami through a name that does not resolve succeeded"
expect_err_has "cannot resolve no-such-host.invalid" "the resolver's reason"

other=$(hostname 2>/dev/null || true)
if [ -n "$other" ] && [ "$other" != localhost ] &&
	[ "$(getent ahosts "$other" 2>/dev/null | awk '{print $1}' | sort -u)" = 127.0.0.1 ]; then
	daemon other "$other"
	run env JALIEND_SOCKET="$D/other.sock" alien-whoami
	CHECKS=$((CHECKS + 1))
	[ "$RC" -ne 0 ] || fail "whoami through wss://$other:$port (127.0.0.1, not in the certificate) succeeded"
	case $ERR in
	*TLS*|*certificate*|*hostname*) ;;
	*) fail "wss://$other: not refused by TLS: $ERR" ;;
	esac
	echo "test_resolve: wss://$other refused: $ERR"
else
	echo "test_resolve: this host's name does not resolve to 127.0.0.1 alone: the name check part is skipped"
fi
pass
