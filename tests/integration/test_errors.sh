#!/bin/sh
# Bad set-ups give one line naming the culprit and a non-zero exit.
. "$(dirname "$0")/lib.sh"
stack_up

# no daemon at the socket path
run env JALIEND_SOCKET="$T/none/S.jaliend" alien-whoami
expect_rc 107 "no daemon"; expect_one_line "no daemon"; expect_err_has "$T/none/S.jaliend" "no daemon"

daemon() { # daemon SOCKDIR [VAR=value...]: start a foreground jaliend, status in RC
	d=$1
	shift
	run env JALIEND_SOCKET="$d/S.jaliend" "$@" "$JALIEND_BUILD/daemon/jaliend" --foreground
}

# credentials that cannot be used: the daemon refuses to start, naming the file
# (no token either: with a valid token a daemon starts without a certificate, test_token_only.sh)
mkdir -m 700 "$T/notokens"
daemon "$T/d1" X509_USER_CERT="$T/missing.pem" TMPDIR="$T/notokens"
expect_rc 1 "missing cert"; expect_one_line "missing cert"; expect_err_has "$T/missing.pem" "missing cert"
daemon "$T/d2" X509_USER_KEY="$STACK/pki/user2key.pem"
expect_rc 1 "key of another cert"; expect_err_has "does not belong to certificate" "key mismatch"
echo "not a key" >"$T/garbage.pem"
daemon "$T/d3" X509_USER_KEY="$T/garbage.pem"
expect_rc 1 "garbage key"; expect_err_has "$T/garbage.pem" "garbage key"
daemon "$T/d4" X509_CERT_DIR="$T/nocadir"
expect_rc 1 "missing CA folder"; expect_err_has "$T/nocadir" "missing CA folder"
daemon "$T/d5" JALIEND_ENDPOINT="http://example"
expect_rc 2 "bad endpoint"; expect_err_has "bad endpoint http://example" "bad endpoint"

# whoami_via NAME VAR=value...: whoami through a second daemon started with
# those variables (same server), then stop that daemon.
whoami_via() {
	name=$1
	shift
	mkdir -m 700 "$T/$name"
	env JALIEND_SOCKET="$T/$name/S.jaliend" "$@" "$JALIEND_BUILD/daemon/jaliend" --foreground \
		>"$T/$name.log" 2>&1 &
	vpid=$!
	i=0
	while [ ! -S "$T/$name/S.jaliend" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	run env JALIEND_SOCKET="$T/$name/S.jaliend" alien-whoami
	kill "$vpid"
	wait "$vpid" || true
}

# a CA folder that does not hold the server's CA: TLS fails, the shim says so
mkdir -p "$T/wrongca"
cp "$STACK/pki/tokenca.pem" "$T/wrongca/"
openssl rehash "$T/wrongca" 2>/dev/null || c_rehash "$T/wrongca" >/dev/null
whoami_via w X509_CERT_DIR="$T/wrongca"
expect_rc 107 "wrong CA"; expect_one_line "wrong CA"; expect_err_has "TLS with $JALIEND_ENDPOINT failed" "wrong CA"
expect_err_has "$T/wrongca" "wrong CA names the CA folder"

# a certificate the server does not know: HTTP 401, exit 129 as alien.py. Its own
# TMPDIR, with no token: a valid token of this user in the stack's TMPDIR would be
# used instead of the certificate (as alien.py does), and the command would run
whoami_via s X509_USER_CERT="$STACK/pki/strangercert.pem" X509_USER_KEY="$STACK/pki/strangerkey.pem" \
	TMPDIR="$T/notokens"
expect_rc 129 "unknown certificate"; expect_err_has "HTTP 401" "unknown certificate"

# the server goes away: the next command says which endpoint is down
kill "$(cat "$STACK/jcentral-lite.pid")"
while kill -0 "$(cat "$STACK/jcentral-lite.pid")" 2>/dev/null; do sleep 0.05; done
run alien-whoami
[ $RC -ne 0 ] || fail "whoami with the server gone succeeded"
run alien-whoami
expect_rc 107 "server down"; expect_one_line "server down"
expect_err_has "cannot connect to $JALIEND_ENDPOINT" "server down"

pass
