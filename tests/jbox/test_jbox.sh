#!/bin/sh
# The JBox endpoint: alien.py's view (test_jbox.py), then the options and
# the advertisement file's removal on SIGTERM. Each daemon started here is
# stopped by its pid.
. "$(dirname "$0")/../integration/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
stack_up
uid=$(id -u)

timeout 60 python3 "$HERE/test_jbox.py" "$STACK" || fail "test_jbox.py"

# wait_file FILE PID: up to 15 s for FILE while PID lives
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || fail "daemon $2 exited; see its log"
		i=$((i + 1))
		[ $i -lt 150 ] || fail "$1 did not appear in 15 s"
		sleep 0.1
	done
}
# stop PID: SIGTERM, wait up to 10 s for the exit
stop() {
	kill -TERM "$1"
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { kill -KILL "$1"; fail "daemon $1 ignored SIGTERM"; }
		sleep 0.1
	done
}

# --jbox-port: a given port, on 127.0.0.1 only
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/tmp2" && chmod 700 "$T/tmp2"
TMPDIR=$T/tmp2 JALIEND_SOCKET=$T/run2/S.jaliend "$JALIEND_BUILD/daemon/jaliend" --foreground --jbox-port "$port" \
	>"$T/jaliend2.log" 2>&1 &
pid2=$!
wait_file "$T/tmp2/jclient_token_$uid" "$pid2"
grep -qx "JALIEN_WSPORT=$port" "$T/tmp2/jclient_token_$uid" || fail "--jbox-port $port: $(cat "$T/tmp2/jclient_token_$uid")"
grep -qx "JALIEN_PID=$pid2" "$T/tmp2/jclient_token_$uid" || fail "second daemon's pid"
listen=$(ss -Hltn "sport = :$port" | awk '{print $4}')
[ "$listen" = "127.0.0.1:$port" ] || fail "listens on [$listen], expected 127.0.0.1:$port only"
CHECKS=$((CHECKS + 3))
stop "$pid2"
[ ! -e "$T/tmp2/jclient_token_$uid" ] || fail "advertisement left after SIGTERM (second daemon)"
CHECKS=$((CHECKS + 1))

# --no-jbox: no listener, no advertisement
mkdir -p "$T/tmp3" && chmod 700 "$T/tmp3"
TMPDIR=$T/tmp3 JALIEND_SOCKET=$T/run3/S.jaliend "$JALIEND_BUILD/daemon/jaliend" --foreground --no-jbox \
	>"$T/jaliend3.log" 2>&1 &
pid3=$!
i=0
until JALIEND_SOCKET=$T/run3/S.jaliend alien-whoami >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 150 ] || fail "--no-jbox daemon did not serve in 15 s"
	sleep 0.1
done
sleep 1.2 # past the advertisement tick
[ ! -e "$T/tmp3/jclient_token_$uid" ] || fail "--no-jbox wrote an advertisement"
grep -q "jbox: off" "$T/jaliend3.log" || fail "--no-jbox not logged"
CHECKS=$((CHECKS + 2))
stop "$pid3"

# SIGTERM on the stack's daemon: the advertisement goes with it
adv=$TMPDIR/jclient_token_$uid
[ -e "$adv" ] || fail "stack advertisement missing before SIGTERM"
stop "$(cat "$STACK/jaliend.pid")"
[ ! -e "$adv" ] || fail "advertisement left after SIGTERM"
CHECKS=$((CHECKS + 2))
pass
