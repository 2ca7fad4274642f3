#!/bin/sh
# Fixture real.down: stop the suite's daemon (by its pid), keep its log.
. "$(dirname "$0")/reallib.sh"
[ -s "$RUN/jaliend.pid" ] || fail "no daemon pid in $RUN"
pid=$(cat "$RUN/jaliend.pid")
kill -TERM "$pid" 2>/dev/null || true
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill -KILL "$pid"; fail "jaliend $pid ignored SIGTERM for 10 s"; }
	sleep 0.1
done
CHECKS=1
[ ! -e "$TMPDIR/jclient_token_$(id -u)" ] || fail "JBox advertisement left after SIGTERM"
echo "log kept in $RUN/jaliend.log"
pass
