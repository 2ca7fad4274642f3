#!/bin/sh
# The pool: status, keepalive under a short server idle timeout, reconnect
# after the service restarts, requests too big for one frame.
. "$(dirname "$0")/lib.sh"
export JCL_ARGS="--idle-timeout 3"
export JALIEND_ARGS="--keepalive 1 --pool 2"
stack_up

expect_ready 2 3 # (the token request may hold a slot briefly)
run alien-daemon status
expect_rc 0 status
expect_out_has "pid: $(cat "$STACK/jaliend.pid")" status
expect_out_has "endpoint: $JALIEND_ENDPOINT" status
expect_out_has "user: jalien" status
expect_out_has ": READY, user certificate" status
case $OUT in *"BEGIN"*|*PRIVATE*) fail "status shows key material: $OUT" ;; esac

# keepalive: the server closes sessions idle for 3 s; a keepalive every 1 s
# keeps both, so no new login happens
before=$(alien-daemon status | sed -n 's/^connects: \([0-9]*\),.*/\1/p')
sleep 5
after=$(alien-daemon status | sed -n 's/^connects: \([0-9]*\),.*/\1/p')
[ -n "$before" ] && [ "$before" = "$after" ] || fail "sessions reconnected while idle ($before -> $after connects): $(alien-daemon status)"
CHECKS=$((CHECKS + 1))
run alien-whoami
expect_out jalien "whoami after idle"

# the service restarts on the same port: the pool comes back by itself
"$ROOT/scripts/stack" restart-central "$STACK"
expect_ready 2 3
run alien-whoami
expect_rc 0 "whoami after restart"; expect_out jalien "whoami after restart"

# a request over JCentral's 8 KiB frame limit fails locally, clearly
big=$(head -c 9000 /dev/zero | tr '\0' a)
run alien-echo "$big"
expect_rc 7 "request over 8 KiB"; expect_one_line "request over 8 KiB"
expect_err_has "JCentral takes at most 8000" "request over 8 KiB"
run alien-whoami
expect_out jalien "whoami after the refused request"

# reload: the credential files are read again; a broken set keeps the old one
run alien-daemon reload
expect_rc 0 reload; expect_out "credentials reloaded" reload
mv "$X509_USER_KEY" "$T/key.aside"
run alien-daemon reload
mv "$T/key.aside" "$X509_USER_KEY"
expect_rc 1 "reload without the key"; expect_one_line "reload without the key"
expect_err_has "cannot read user key $X509_USER_KEY" "reload without the key"
kill -HUP "$(cat "$STACK/jaliend.pid")"
run alien-whoami
expect_out jalien "whoami after SIGHUP"
grep -q "reloaded: user certificate" "$STACK/jaliend.log" || fail "SIGHUP did not reload"
CHECKS=$((CHECKS + 1))

pass
