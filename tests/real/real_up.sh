#!/bin/sh
# Fixture real.up: one daemon for the whole real suite, against $JALIEND_REAL.
. "$(dirname "$0")/reallib.sh"
rm -rf "$RUN"
mkdir -p -m 700 "$RUN" "$RUN/sock" "$RUN/tmp"
"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$RUN/jaliend.log" 2>&1 &
echo $! >"$RUN/jaliend.pid"
i=0
until alien-whoami >/dev/null 2>&1; do
	kill -0 "$(cat "$RUN/jaliend.pid")" 2>/dev/null || fail "jaliend exited: $(tail -n 5 "$RUN/jaliend.log")"
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no answer from $JALIEND_ENDPOINT through jaliend in 30 s"
	sleep 0.1
done
i=0
until [ -s "$TMPDIR/jclient_token_$(id -u)" ]; do # the token, then the JBox advertisement
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no token and JBox advertisement in 30 s"
	sleep 0.1
done
CHECKS=2
echo "jaliend $(cat "$RUN/jaliend.pid") on $JALIEND_ENDPOINT: $(alien-whoami)"
pass
