#!/bin/sh
# Autostart (20 shims racing start exactly one daemon), --idle-exit, the
# configuration file, alien-daemon stop (socket activation: test_activation.sh).
. "$(dirname "$0")/lib.sh"
stack_up

# ---- SIGTERM, SIGINT and SIGHUP never take their default action: the
# daemon catches them in every thread (libXrdCl's short-lived threads
# unblock all signals; a signalfd alone let a SIGTERM kill it mid-drain)
caught=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$(cat "$STACK/jaliend.pid")/status")
for sig in 1 2 15; do # HUP INT TERM: bit sig-1 of the mask
	CHECKS=$((CHECKS + 1))
	[ $(((0x$caught >> (sig - 1)) & 1)) -eq 1 ] || fail "signal $sig is not caught by jaliend (SigCgt $caught)"
done

# ---- autostart: no daemon at a fresh socket; 20 shims at once ----
auto="$T/auto/S.jaliend"
i=0
while [ $i -lt 20 ]; do
	JALIEND_AUTOSTART=1 JALIEND_SOCKET="$auto" alien version >"$T/race.$i" 2>&1 &
	i=$((i + 1))
done
wait
pids=$(cat "$T"/race.* | sed -n 's/^jaliend pid: //p' | sort -u)
[ "$(cat "$T"/race.* | grep -c '^jaliend pid: ')" -eq 20 ] || fail "not every racer was answered: $(cat "$T"/race.*)"
[ "$(echo "$pids" | wc -l)" -eq 1 ] || fail "racers saw several daemons: $pids"
CHECKS=$((CHECKS + 2))
run env JALIEND_SOCKET="$auto" alien-whoami
expect_out jalien "whoami via the autostarted daemon"
[ "$(stat -c %a "$(dirname "$auto")")" = 700 ] || fail "autostart made the folder with mode $(stat -c %a "$(dirname "$auto")")"
CHECKS=$((CHECKS + 1))

# a stale socket (daemon killed hard) is replaced by the next autostart
kill -KILL "$pids"
while kill -0 "$pids" 2>/dev/null; do sleep 0.05; done
[ -S "$auto" ] || fail "expected the dead daemon's socket file to remain"
run env JALIEND_AUTOSTART=1 JALIEND_SOCKET="$auto" alien version
expect_rc 0 "autostart over a stale socket"
newpid=$(printf '%s\n' "$OUT" | sed -n 's/^jaliend pid: //p')
[ -n "$newpid" ] && [ "$newpid" != "$pids" ] || fail "no new daemon after SIGKILL: $OUT"
CHECKS=$((CHECKS + 1))
run env JALIEND_SOCKET="$auto" alien-daemon stop
expect_rc 0 "alien-daemon stop"; expect_out_has "is stopping" "alien-daemon stop"
i=0
while kill -0 "$newpid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "daemon $newpid did not exit after alien-daemon stop"
	sleep 0.05
done
[ ! -e "$auto" ] || fail "socket left behind after a clean stop"
CHECKS=$((CHECKS + 1))

# autostart off: a clear error instead
run env JALIEND_AUTOSTART=0 JALIEND_SOCKET="$auto" alien-whoami
expect_rc 107 "autostart off"; expect_err_has "cannot reach jaliend at $auto"

# ---- a live socket without the lock (a systemd socket unit, an older
# daemon) is never unlinked: the probe-connect answers ----
live="$T/live"
mkdir -m 700 "$live"
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[1] + ".up", "w").close(); time.sleep(60)' "$live/S.jaliend" &
lpid=$!
i=0
while [ ! -e "$live/S.jaliend.up" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ino=$(stat -c %i "$live/S.jaliend")
run env JALIEND_SOCKET="$live/S.jaliend" timeout 10 "$JALIEND_BUILD/daemon/jaliend" --foreground
expect_rc 1 "daemon beside a live socket it has no lock for"
expect_err_has "already answers on $live/S.jaliend" "daemon beside a live socket"
[ "$(stat -c %i "$live/S.jaliend" 2>/dev/null)" = "$ino" ] || fail "the live socket was replaced or removed"
CHECKS=$((CHECKS + 1))
kill "$lpid"
wait "$lpid" 2>/dev/null || true
# the same socket once nobody listens on it: stale, replaced
run env JALIEND_SOCKET="$live/S.jaliend" "$JALIEND_BUILD/daemon/jaliend" --foreground --idle-exit 1
expect_rc 0 "a stale socket is replaced"; expect_err_has "removed stale socket $live/S.jaliend" "a stale socket is replaced"

# ---- --idle-exit and the configuration file ----
mkdir -p "$T/xdg/jaliend"
printf '# test\nidle-exit = 1\npool = 1\n' >"$T/xdg/jaliend/jaliend.conf"
mkdir -m 700 "$T/idle"
XDG_CONFIG_HOME="$T/xdg" JALIEND_SOCKET="$T/idle/S.jaliend" "$JALIEND_BUILD/daemon/jaliend" --foreground \
	>"$T/idle.log" 2>&1 &
ipid=$!
i=0
while [ ! -S "$T/idle/S.jaliend" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
run env JALIEND_SOCKET="$T/idle/S.jaliend" alien-daemon status
expect_out_has "pool: 1 to" "pool from the configuration file"
i=0
while kill -0 "$ipid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "--idle-exit 1 (from the file) did not stop the daemon in 5 s"
	sleep 0.05
done
grep -q "no clients for" "$T/idle.log" || fail "idle exit not logged: $(cat "$T/idle.log")"
CHECKS=$((CHECKS + 2))

printf 'pool = lots\n' >"$T/xdg/jaliend/jaliend.conf"
run env XDG_CONFIG_HOME="$T/xdg" JALIEND_SOCKET="$T/idle/S.jaliend" "$JALIEND_BUILD/daemon/jaliend" --foreground
expect_rc 2 "bad configuration"; expect_one_line "bad configuration"
expect_err_has "jaliend.conf:1: pool: expected a number" "bad configuration"

pass
