#!/bin/sh
# The daemon must load a credential replaced at the same path
# (docs/RELIABILITY.md, finding 11, fixed). A user renews the grid certificate in place and reloads:
# `alien-daemon reload` (SIGHUP) must make new logins use the new one. A daemon
# whose token files cannot be written (it keeps its token in memory since
# issue 26) serves jalien; the certificate and key files are replaced by
# jdoe's, the daemon reloads, `alien-daemon renew` asks for a token over a
# session that logs in with the certificate, the service restarts so that
# every session logs in again: whoami must now say jdoe.
. "$(dirname "$0")/flib.sh"
stack_up
mkdir -m 700 "$T/cred" "$T/r"
cp "$STACK/pki/usercert.pem" "$T/cred/cert.pem"
cp "$STACK/pki/userkey.pem" "$T/cred/key.pem"
chmod 400 "$T/cred/key.pem"
export JALIEND_SOCKET="$T/r/S.jaliend" X509_USER_CERT="$T/cred/cert.pem" X509_USER_KEY="$T/cred/key.pem" \
	JALIEN_TOKEN_CERT="$T/none/tokencert.pem" JALIEN_TOKEN_KEY="$T/none/tokenkey.pem"
"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/r.log" 2>&1 &
own_pid $! jaliend
wait_until 15 "the daemon answering (log: $T/r.log)" alien-whoami
run alien-whoami
expect_out jalien "before the reload"

rm -f "$T/cred/cert.pem" "$T/cred/key.pem"
cp "$STACK/pki/user2cert.pem" "$T/cred/cert.pem"
cp "$STACK/pki/user2key.pem" "$T/cred/key.pem"
chmod 400 "$T/cred/key.pem"
run alien-daemon reload
expect_rc 0 "alien-daemon reload"
expect_out_has "reloaded" "alien-daemon reload"
# more_tokens N: the daemon holds more than N tokens issued
more_tokens() { [ "$(alien-daemon status | sed -n 's/^tokens issued: \([0-9]*\),.*/\1/p')" -gt "$1" ]; }
before=$(alien-daemon status | sed -n 's/^tokens issued: \([0-9]*\),.*/\1/p')
run alien-daemon renew
expect_rc 0 "alien-daemon renew"
wait_until 15 "a token after the reload" more_tokens "$before"
"$ROOT/scripts/stack" restart-central "$STACK"
wait_until 15 "an answer after the restart" alien-whoami
run alien-whoami
expect_rc 0 "whoami after the reload"
expect_out jdoe "new sessions after a reload use the replaced certificate"
pass
