#!/bin/sh
# The socket is private; a foreign uid is refused by the filesystem and,
# if it gets through, by the daemon's peer-uid check.
. "$(dirname "$0")/lib.sh"
stack_up

sockdir=$(dirname "$JALIEND_SOCKET")
[ "$(stat -c %a "$sockdir")" = 700 ] || fail "socket folder mode $(stat -c %a "$sockdir")"
[ "$(stat -c %a "$JALIEND_SOCKET")" = 600 ] || fail "socket mode $(stat -c %a "$JALIEND_SOCKET")"
CHECKS=$((CHECKS + 2))

# A fake jaliend for another uid to run: binds argv[1], sends HELLO and a
# PASSPHRASE prompt to whoever connects (what a harvester would do), and
# writes how many bytes it received to argv[2].
FAKE_PY='import socket, struct, sys
def frame(t, i, body):
    return struct.pack(">IHHI", len(body), t, 0, i) + body
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[2] + ".up", "w").close()
c, _ = s.accept(); c.settimeout(3)
got = b""
try:
    c.sendall(frame(1, 0, b"{\"proto\":1}") + frame(8, 1, b"{\"prompt\":\"Enter PEM pass phrase: \"}"))
    while True:
        d = c.recv(65536)
        if not d: break
        got += d
except OSError: pass
open(sys.argv[2], "w").write(str(len(got)))'

FOREIGN=0
if [ "$(id -u)" -eq 0 ]; then
	FOREIGN=1
	nobody=$(id -u nobody)
	# a copy of the shim that user nobody can run wherever the build lives
	cp "$JALIEND_BUILD/client/alien" "$T/alien"
	chmod 755 "$T/alien"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	# a foreign uid is refused by its own shim: the folder is not its own
	run as_nobody "$T/alien" whoami
	expect_rc 107 "foreign uid, private folder"; expect_one_line "foreign uid"
	expect_err_has "owner uid $(id -u)" "foreign uid, private folder"

	# open the folder up by hand: the daemon itself must still refuse (an
	# independent client: the shim refuses the opened folder before connecting)
	cp "$JALIEND_BUILD/tests/fault/lpclient" "$T/lpclient"
	chmod 755 "$T/lpclient"
	chmod 711 "$sockdir"
	chmod 666 "$JALIEND_SOCKET"
	run as_nobody "$T/lpclient" -s "$JALIEND_SOCKET" -t 5 hello
	lp_out=$OUT
	run as_nobody "$T/alien" whoami
	chmod 700 "$sockdir"
	chmod 600 "$JALIEND_SOCKET"
	expect_rc 107 "foreign uid, opened folder: its shim refuses the folder"
	expect_err_has "mode 0711" "foreign uid, opened folder"
	CHECKS=$((CHECKS + 1))
	case $lp_out in *'"code":13,'*"does not serve uid $nobody"*) ;;
	*) fail "foreign uid not refused by SO_PEERCRED: $lp_out" ;; esac
	run alien-whoami
	expect_out jalien "owner still served"

	# ---- the shim checks the folder and the peer (issue 16, item 4) ----
	# a folder pre-created by another user: refused, nothing made in it
	mkdir -m 700 "$T/theirs"
	chown nobody "$T/theirs"
	run env JALIEND_SOCKET="$T/theirs/S.jaliend" JALIEND_AUTOSTART=1 alien-whoami
	expect_rc 107 "socket folder owned by another user"; expect_one_line "socket folder owned by another user"
	expect_err_has "has owner uid $nobody and mode 0700" "socket folder owned by another user"
	[ -z "$(ls -A "$T/theirs")" ] || fail "the shim made files in another user's folder: $(ls -A "$T/theirs")"
	CHECKS=$((CHECKS + 1))
	# a folder of ours open to everyone (0777), as a /tmp fallback pre-created by someone
	mkdir -m 777 "$T/open"
	chmod 777 "$T/open"
	run env JALIEND_SOCKET="$T/open/S.jaliend" JALIEND_AUTOSTART=1 alien-whoami
	expect_rc 107 "socket folder with mode 0777"; expect_one_line "socket folder with mode 0777"
	expect_err_has "mode 0777" "socket folder with mode 0777"
	[ -z "$(ls -A "$T/open")" ] || fail "the shim made files in an open folder: $(ls -A "$T/open")"
	CHECKS=$((CHECKS + 1))
	# a listener of another uid in a folder that passes (made by nobody, then
	# moved into ours): refused on SO_PEERCRED before a byte is sent
	mkdir -m 700 "$T/nb" "$T/priv"
	chown nobody "$T/nb"
	as_nobody /usr/bin/python3 -c "$FAKE_PY" "$T/nb/S.jaliend" "$T/nb/got" &
	fpid=$!
	i=0
	while [ ! -e "$T/nb/got.up" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$T/nb/got.up" ] || fail "the fake listener of uid nobody did not start"
	mv "$T/nb/S.jaliend" "$T/priv/S.jaliend"
	run env JALIEND_SOCKET="$T/priv/S.jaliend" alien-whoami
	wait "$fpid" || true
	expect_rc 107 "a listener of another uid"; expect_one_line "a listener of another uid"
	expect_err_has "served by uid $nobody" "a listener of another uid"
	[ "$(cat "$T/nb/got")" = 0 ] || fail "the shim sent $(cat "$T/nb/got") bytes to another uid's listener"
	CHECKS=$((CHECKS + 1))
fi

# the shim links neither OpenSSL nor libwebsockets
libs=$(ldd "$JALIEND_BUILD/client/alien")
case $libs in *ssl* | *crypto* | *websockets* | *XrdCl*) fail "shim links too much: $libs" ;; esac
case $libs in *libcjson*) ;; *) fail "shim should link cJSON: $libs" ;; esac
CHECKS=$((CHECKS + 2))

# a second daemon on the same socket is refused and the first keeps serving
run "$JALIEND_BUILD/daemon/jaliend" --foreground
expect_rc 1 "second daemon"; expect_err_has "already serves $JALIEND_SOCKET" "second daemon"
run alien-whoami
expect_out jalien "first daemon still serves"

# a socket folder with a loose mode is refused at start
mkdir -m 755 "$T/loose"
run env JALIEND_SOCKET="$T/loose/S.jaliend" "$JALIEND_BUILD/daemon/jaliend" --foreground
expect_rc 1 "loose socket folder"; expect_err_has "mode 0755" "loose socket folder"

pass
if [ "$FOREIGN" = 0 ]; then
	echo "skipped: the foreign-uid checks need root to run a process as another uid (nobody); CI runs them"
	exit 77
fi
