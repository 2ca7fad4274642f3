#!/bin/sh
# The JBox (alien.py's way in) and the shims share one retry table
# (daemon/command/policy.c; issue 16, item 8): a session lost mid-request is made up
# for by sending the request again only if it cannot have changed anything.
# Before, the JBox had a table of its own that resent any jquota, `set`
# included, and did not resend md5sum. fakecentral cuts the first jquota and
# the first md5sum mid-reply; its log shows what was sent how often.
. "$(dirname "$0")/flib.sh"
[ -x "$FAKE" ] || fail "no fakecentral at $FAKE"

"$ROOT/scripts/mkcerts" "$T/pki" >/dev/null
mkdir -m 700 "$T/run" "$T/tmp"
uid=$(id -u)
export PATH="$JALIEND_BUILD/client:$PATH" JALIEND_SOCKET="$T/run/S.jaliend" JALIEND_AUTOSTART=0 \
	X509_USER_CERT="$T/pki/usercert.pem" X509_USER_KEY="$T/pki/userkey.pem" \
	X509_CERT_DIR="$T/pki/certificates" TMPDIR="$T/tmp"
# fakecentral issues no tokens, and the JBox serves only with one: a token
# as jcentral-lite would issue it (the test token CA, both TLS purposes),
# found in the token files at start
printf 'extendedKeyUsage=clientAuth,serverAuth\nkeyUsage=digitalSignature,keyEncipherment\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$T/tok.ext"
openssl req -newkey rsa:2048 -nodes -keyout "$T/tok.key" -out "$T/tok.csr" \
	-subj "/C=ch/O=AliEn2/CN=Users/CN=jalien/OU=jalien" 2>/dev/null
openssl x509 -req -in "$T/tok.csr" -CA "$T/pki/tokenca.pem" -CAkey "$T/pki/tokenca.key" -CAcreateserial \
	-CAserial "$T/tok.srl" -days 2 -extfile "$T/tok.ext" -out "$T/tok.pem" 2>/dev/null
install -m 0400 "$T/tok.pem" "$T/tmp/tokencert_$uid.pem"
install -m 0400 "$T/tok.key" "$T/tmp/tokenkey_$uid.pem"
DPID= FPID=
jp_cleanup() { # RC: stop what this test started, by pid; logs on failure
	for p in $DPID $FPID; do kill "$p" 2>/dev/null || true; done
	for p in $DPID $FPID; do wait "$p" 2>/dev/null || true; done
	[ "$1" -eq 0 ] || tail -n 40 "$T/jaliend.log" "$T/fake.log" >&2
}
trap 'jp_rc=$?; set +e; jp_cleanup $jp_rc; (exit $jp_rc); lib_cleanup' EXIT INT TERM

"$FAKE" --cert "$T/pki/host.pem" --key "$T/pki/host.key" --ca-dir "$T/pki/certificates" \
	--port 0 --port-file "$T/port" --mode jquota=cut@2 --mode md5sum=cut@1 --mode guidinfo=cut@1 >"$T/fake.log" 2>&1 &
FPID=$!
wait_file "$T/port" "$FPID"
export JALIEND_ENDPOINT="wss://127.0.0.1:$(cat "$T/port")/websocket/json"
"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/jaliend.log" 2>&1 &
DPID=$!
wait_file "$T/tmp/jclient_token_$uid" "$DPID"
until alien-whoami >/dev/null 2>&1; do
	expect_alive "$DPID" "start"
	sleep 0.05
done

sent() { grep -c "#[0-9]* $1" "$T/fake.log"; }
jb() { run python3 "$ROOT/tests/jbox/jboxclient.py" "$@"; }
code() { printf '%s' "$OUT" | python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["exitcode"])'; }

# jquota set: a write, cut mid-reply: not sent again, 11
jb jquota set jalien maxUnfinishedJobs 10
expect_rc 0 "JBox jquota set"
CHECKS=$((CHECKS + 2))
[ "$(code)" = 11 ] || fail "JBox jquota set, cut: exit code $(code), expected 11: $OUT"
[ "$(sent 'jquota set')" -eq 1 ] || fail "JBox: jquota set was sent $(sent 'jquota set') times: $(grep jquota "$T/fake.log")"
# the same through the shim: the same table
run alien jquota set jalien maxUnfinishedJobs 10
expect_rc 11 "shim jquota set, cut"; expect_err_has "not retried" "shim jquota set, cut"
CHECKS=$((CHECKS + 1))
[ "$(sent 'jquota set')" -eq 2 ] || fail "shim: jquota set was sent again: $(grep jquota "$T/fake.log")"

# md5sum: a read, cut once: sent once more, answered
jb md5sum /f
CHECKS=$((CHECKS + 2))
[ "$(code)" = 0 ] || fail "JBox md5sum, cut once: exit code $(code), expected 0 (resent): $OUT"
[ "$(sent md5sum)" -eq 2 ] || fail "JBox: md5sum was sent $(sent md5sum) times: $(grep md5sum "$T/fake.log")"
# the same through the shim: the same table
run alien guidinfo 0000
expect_rc 0 "shim guidinfo, cut once: resent"
CHECKS=$((CHECKS + 1))
[ "$(sent guidinfo)" -eq 2 ] || fail "shim: guidinfo was sent $(sent guidinfo) times: $(grep guidinfo "$T/fake.log")"
expect_alive "$DPID" "after the cuts"
pass
