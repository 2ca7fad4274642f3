#!/bin/sh
# The socket is private; a foreign uid is refused by the filesystem and,
# if it gets through, by the daemon's peer-uid check.
. "$(dirname "$0")/lib.sh"
stack_up

sockdir=$(dirname "$JALIEND_SOCKET")
[ "$(stat -c %a "$sockdir")" = 700 ] || fail "socket folder mode $(stat -c %a "$sockdir")"
[ "$(stat -c %a "$JALIEND_SOCKET")" = 600 ] || fail "socket mode $(stat -c %a "$JALIEND_SOCKET")"
CHECKS=$((CHECKS + 2))

if [ "$(id -u)" -eq 0 ]; then
	# a copy of the shim that user nobody can run wherever the build lives
	cp "$JALIEND_BUILD/client/alien" "$T/alien"
	chmod 755 "$T/alien"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	# a foreign uid cannot even reach the socket
	run as_nobody "$T/alien" whoami
	expect_rc 107 "foreign uid, private folder"; expect_one_line "foreign uid"
	expect_err_has "Permission denied" "foreign uid, private folder"

	# open the folder up by hand: the daemon itself must still refuse
	chmod 711 "$sockdir"
	chmod 666 "$JALIEND_SOCKET"
	run as_nobody "$T/alien" whoami
	chmod 700 "$sockdir"
	chmod 600 "$JALIEND_SOCKET"
	expect_rc 13 "foreign uid refused by SO_PEERCRED"; expect_out ""
	expect_err_has "does not serve uid $(id -u nobody)" "foreign uid refused by SO_PEERCRED"
	run alien-whoami
	expect_out jalien "owner still served"
else
	echo "not root: the setpriv checks need root and run in CI"
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
