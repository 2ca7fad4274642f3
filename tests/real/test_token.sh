#!/bin/sh
# A token renewal against the real JCentral, while commands run: the daemon
# asks for a new token (alien-daemon renew: JCentral issues tokens for whole
# days, so a renewal is asked for rather than waited for), writes it for
# alien.py, logs new sessions in with it and serves it on the JBox; no
# command fails meanwhile.
. "$(dirname "$0")/reallib.sh"
uid=$(id -u)
tc=$TMPDIR/tokencert_$uid.pem
fp() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2
}
# the certificate the JBox serves now (a TLS handshake with the token as client)
jbox_fp() {
	port=$(sed -n 's/^JALIEN_WSPORT=//p' "$TMPDIR/jclient_token_$uid")
	/usr/bin/python3 - "$port" "$tc" "$TMPDIR/tokenkey_$uid.pem" <<'PY'
import hashlib, socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)) as s:
    d = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest().upper()
    print(":".join(d[i:i + 2] for i in range(0, len(d), 2)))
PY
}
old=$(fp "$tc")
issued=$(status_field "tokens issued:")
CHECKS=$((CHECKS + 1))
[ "$(jbox_fp)" = "$old" ] || fail "the JBox does not serve the current token"
ok alien-daemon renew
i=0
while [ "$(status_field "tokens issued:")" = "$issued" ]; do
	ok alien-whoami # commands go on meanwhile
	i=$((i + 1))
	[ $i -lt 200 ] || fail "no new token 20 s after alien-daemon renew: $(alien-daemon status | grep -i token)"
	sleep 0.1
done
new=$(fp "$tc")
CHECKS=$((CHECKS + 3))
[ "$new" != "$old" ] || fail "the token file was not replaced"
[ "$(stat -c %a "$tc")" = 400 ] || fail "the new token file is mode $(stat -c %a "$tc"), not 0400"
[ "$(jbox_fp)" = "$new" ] || fail "the JBox does not serve the renewed token"
i=0
while [ $i -lt 30 ]; do
	ok alien-whoami
	ok alien-ls
	i=$((i + 1))
done
pass
