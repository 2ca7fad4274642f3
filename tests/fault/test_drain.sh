#!/bin/sh
# One SIGTERM stops a daemon whose encrypted key was never unlocked (nothing
# runs): its own token request, waiting for the key, is not work to drain
# (docs/RELIABILITY.md, finding 8, fixed).
. "$(dirname "$0")/flib.sh"
stack_up
openssl pkey -in "$X509_USER_KEY" -aes256 -passout pass:Drain-4711-pass -out "$T/enc.pem" 2>/dev/null
chmod 400 "$T/enc.pem"
mkdir -m 700 "$T/p" "$T/ptmp"
X509_USER_KEY="$T/enc.pem" TMPDIR="$T/ptmp" JALIEND_SOCKET="$T/p/S.jaliend" \
	"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/p.log" 2>&1 &
dpid=$!
i=0
until grep -qs "is encrypted" "$T/p.log"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill "$dpid"; kill "$dpid"; fail "the daemon did not say its key is locked"; }
	sleep 0.05
done
kill -TERM "$dpid"
i=0
while kill -0 "$dpid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
CHECKS=$((CHECKS + 1))
if kill -0 "$dpid" 2>/dev/null; then
	kill -TERM "$dpid" # the second one exits now
	wait "$dpid" || true
	fail "one SIGTERM did not stop an idle daemon with a locked key in 5 s: $(tail -n 3 "$T/p.log")"
fi
wait "$dpid" || fail "exit status $? after SIGTERM"
pass
