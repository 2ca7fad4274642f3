#!/bin/sh
# Floods and silent peers: 1000 connections at once (LIM_CLIENTS_MAX = 512
# served, the rest refused with a busy ERROR 16), 1000 concurrent shims, and
# the handshake timeout (LIM_HELLO_TIMEOUT_S = 10 s). No crash, no fd leak.
. "$(dirname "$0")/flib.sh"
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 1100 ] || fail "cannot raise the fd limit to 1100 (hard limit $(ulimit -Hn))"
stack_up
DPID=$(cat "$STACK/jaliend.pid")
FDS=$(fd_count "$DPID")

# silent peers, in the background while the floods run: no HELLO at all, half
# a header, and a HELLO followed by silence (an idle interactive shell: kept)
"$LP" -t 20 >"$T/silent.out" &
SILENT=$!
"$LP" -t 20 'raw:\x00\x00' >"$T/half.out" &
HALF=$!
"$LP" -t 13 hello >"$T/idle.out" &
IDLE=$!
expect_fds "$DPID" $((FDS + 3)) # the three are connected

# 1000 connections held open at once, then each sends HELLO + REQUEST
run "$LP" -t 60 -n 1000 hello run:whoami
expect_rc 0 "1000 held connections"
case $OUT in *"BROKEN"*) fail "1000 connections: the daemon broke the frame contract: $OUT" ;; esac
served=$(printf '%s\n' "$OUT" | sed -n 's/^EXIT 0: //p')
busy=$(printf '%s\n' "$OUT" | sed -n 's/^ERROR 16: //p')
CHECKS=$((CHECKS + 1))
# 3 silent peers hold 3 of the 512 places
[ "${served:-0}" -eq 509 ] && [ "${busy:-0}" -eq 491 ] ||
	fail "1000 connections: expected 509 answered and 491 refused busy, got: $OUT"
expect_alive "$DPID" "1000 connections"
grep -q "refusing a client: 512 connections already" "$STACK/jaliend.log" || fail "the busy refusals are not logged"

# 1000 shims at once, each a command: answered, or refused with the busy text
i=0
while [ $i -lt 1000 ]; do
	(
		rc=0 # set -e holds in the subshell: a busy shim must not end it before its status
		alien-whoami >"$T/s.$i" 2>&1 || rc=$?
		echo $rc >>"$T/s.$i"
	) &
	i=$((i + 1))
done
wait_shims() { # bounded: every shim wrote its status line
	j=0
	while [ "$(cat "$T"/s.* | grep -c '^[0-9]*$')" -lt 1000 ] && [ $j -lt 600 ]; do sleep 0.1; j=$((j + 1)); done
}
wait_shims
ok=$(for f in "$T"/s.*; do tr '\n' ' ' <"$f"; echo; done | grep -c '^jalien 0 $' || true)
refused=$(grep -l '^16$' "$T"/s.* | xargs -r grep -l "busy" | wc -l)
CHECKS=$((CHECKS + 1))
[ $((ok + refused)) -eq 1000 ] ||
	fail "1000 shims: $ok answered, $refused busy; others: $(grep -L -e '^0$' -e '^16$' "$T"/s.* | head -3 | xargs cat)"
echo "1000 shims: $ok answered, $refused refused busy"
expect_alive "$DPID" "1000 shims"

# the handshake timeout: after 10 s without a HELLO, one ERROR 71 "no HELLO
# within 10 s", then the close; an idle shim that said HELLO stays connected
wait "$SILENT" "$HALF" || true
for f in silent half; do
	t=$(sed -n 's/^EOF after \([0-9]*\)\..*/\1/p' "$T/$f.out")
	CHECKS=$((CHECKS + 1))
	[ -n "$t" ] && [ "$t" -ge 9 ] && [ "$t" -le 12 ] || fail "$f peer: not closed 10 s after connecting: $(cat "$T/$f.out")"
	CHECKS=$((CHECKS + 1))
	grep -q '^ERROR id=0 {"code":71,"message":"[^"]*no HELLO within 10 s' "$T/$f.out" ||
		fail "$f peer: no ERROR 71 'no HELLO within 10 s' before the close: $(cat "$T/$f.out")"
done
wait "$IDLE" || true
grep -q "^TIMEOUT after 13 s" "$T/idle.out" || fail "an idle shim after HELLO was disconnected: $(cat "$T/idle.out")"
CHECKS=$((CHECKS + 1))

expect_whoami "after the floods"
expect_fds "$DPID" "$FDS"
pass
