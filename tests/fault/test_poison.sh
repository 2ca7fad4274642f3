#!/bin/sh
# A session that JCentral has broken is never used again. The real JCentral
# (Tomcat's WebsocketEndpoint) keeps the parts of a request that came in
# several frames and from then on answers every request on that websocket
# "Incoming JSON is not ok" (22). fakecentral's `poison` mode breaks a
# connection the same way on purpose: the daemon must retire that session,
# send the request once more on a fresh one (the server ran nothing), and
# never hand a later command to it.
. "$(dirname "$0")/flib.sh"
[ -x "$FAKE" ] || fail "no fakecentral at $FAKE"

"$ROOT/scripts/mkcerts" "$T/pki" >/dev/null
mkdir -m 700 "$T/run" "$T/tmp"
export PATH="$JALIEND_BUILD/client:$PATH" JALIEND_SOCKET="$T/run/S.jaliend" JALIEND_AUTOSTART=0 \
	X509_USER_CERT="$T/pki/usercert.pem" X509_USER_KEY="$T/pki/userkey.pem" \
	X509_CERT_DIR="$T/pki/certificates" TMPDIR="$T/tmp"
DPID= FPID=
pz_cleanup() { # RC: stop what this test started, by pid; logs on failure
	for p in $DPID $FPID; do kill "$p" 2>/dev/null || true; done
	for p in $DPID $FPID; do wait "$p" 2>/dev/null || true; done
	[ "$1" -eq 0 ] || tail -n 40 "$T/jaliend.log" "$T/fake.log" >&2
}
trap 'pz_rc=$?; set +e; pz_cleanup $pz_rc; (exit $pz_rc); lib_cleanup' EXIT INT TERM

"$FAKE" --cert "$T/pki/host.pem" --key "$T/pki/host.key" --ca-dir "$T/pki/certificates" \
	--port 0 --port-file "$T/port" \
	--mode stat=poison@1 --mode mkdir=poison@1 --mode touch=poison@2 >>"$T/fake.log" 2>&1 &
FPID=$!
wait_file "$T/port" "$FPID"
export JALIEND_ENDPOINT="wss://127.0.0.1:$(cat "$T/port")/websocket/json"
"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/jaliend.log" 2>&1 &
DPID=$!
i=0
until alien-whoami >/dev/null 2>&1; do
	expect_alive "$DPID" "start"
	i=$((i + 1))
	[ $i -lt 200 ] || fail "jaliend did not answer through fakecentral in 10 s"
	sleep 0.05
done

# a read-only command on a session that breaks under it: answered all the same
run alien stat /broken/ro
expect_rc 0 "stat on a session the server broke"
expect_out /broken/ro "stat on a session the server broke: sent again on a fresh session"
# a command that changes something: also sent again, for the server ran nothing
run alien mkdir /broken/rw
expect_rc 0 "mkdir on a session the server broke"
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'mkdir /broken/rw' "$T/fake.log")" -eq 2 ] ||
	fail "mkdir was not sent exactly twice: $(grep mkdir "$T/fake.log")"
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'could not parse a well-formed request of [0-9]* bytes' "$T/jaliend.log")" -eq 2 ] ||
	fail "each broken session is not logged once with the request size: $(grep -i parse "$T/jaliend.log")"

# no later command lands on a broken session: every one of them works
n=0
while [ $n -lt 30 ]; do
	expect_whoami "command $n after two sessions broke"
	n=$((n + 1))
done
run alien stat /after
expect_rc 0 "stat after the broken sessions"; expect_out /after "stat after the broken sessions"

# broken again on the second try: one clear line, exit 11 (try again), and it did not run
run alien touch /broken/twice
expect_rc 11 "touch broken twice"; expect_one_line "touch broken twice"
expect_err_has "did not run: try again" "touch broken twice"
expect_whoami "after a request that failed twice"

run alien-daemon status
expect_rc 0 "status"
expect_out_has "broken by the server 4" "status counts the broken sessions"
expect_alive "$DPID" "end"
pass
