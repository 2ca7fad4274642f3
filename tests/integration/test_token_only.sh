#!/bin/sh
# Credentials without a user certificate (spec 2.4): a valid token alone is
# enough, from alien.py's token files or from JALIEN_TOKEN_CERT/KEY holding
# the PEM text itself; with neither, one line names what is missing.
. "$(dirname "$0")/lib.sh"
stack_up
uid=$(id -u)
i=0
until [ -s "$TMPDIR/tokenkey_$uid.pem" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the stack's daemon wrote no token in 5 s"
	sleep 0.05
done

# start_second NAME: a daemon with no user certificate on its own socket
start_second() {
	mkdir -p -m 700 "$T/$1"
	X509_USER_CERT=$T/nothere/usercert.pem X509_USER_KEY=$T/nothere/userkey.pem \
		JALIEND_SOCKET=$T/$1/S "$JALIEND_BUILD/daemon/jaliend" --foreground >"$T/$1.log" 2>&1 &
	echo $! >"$T/$1.pid"
}
stop_second() {
	kill "$(cat "$T/$1.pid")" 2>/dev/null || true
	wait "$(cat "$T/$1.pid")" 2>/dev/null || true
}
wait_second() {
	i=0
	until JALIEND_SOCKET=$T/$1/S alien-whoami >/dev/null 2>&1; do
		kill -0 "$(cat "$T/$1.pid")" 2>/dev/null || fail "$1: daemon exited: $(cat "$T/$1.log")"
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$1: no answer in 10 s: $(cat "$T/$1.log")"
		sleep 0.05
	done
}

# the token files alien.py uses
start_second files
wait_second files
JALIEND_SOCKET=$T/files/S run alien-whoami
expect_rc 0 "whoami on a token alone"
expect_out jalien "whoami on a token alone"
JALIEND_SOCKET=$T/files/S run alien-daemon status
expect_out_has "no user certificate: not renewed" "status of a token-only daemon"
stop_second files

# the PEM text itself in the environment, no token files at all
cert=$(cat "$TMPDIR/tokencert_$uid.pem")
key=$(cat "$TMPDIR/tokenkey_$uid.pem")
mkdir -p -m 700 "$T/emptytmp"
TMPDIR=$T/emptytmp JALIEN_TOKEN_CERT=$cert JALIEN_TOKEN_KEY=$key start_second pem
wait_second pem
JALIEND_SOCKET=$T/pem/S run alien-ls -a
expect_rc 0 "ls with the token given as PEM text"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %a "$T/pem/S.tokenkey.pem")" = 400 ] || fail "the token key from the environment is not kept 0400"
CHECKS=$((CHECKS + 1))
! grep -q "PRIVATE KEY" "$T/pem.log" || fail "key material in the log"
stop_second pem

# token files another local user could have made or changed are not used: a
# symbolic link, a file others may read or write, a file owned by someone else
# (these live in a shared TMPDIR); each refused with a line naming the file
# untrusted NAME WHY: a daemon with no user certificate and NAME's token files
untrusted() {
	mkdir -p -m 700 "$T/$1.run"
	set +e
	TMPDIR=$T/$1 X509_USER_CERT=$T/nothere/usercert.pem JALIEND_SOCKET=$T/$1.run/S \
		timeout 20 "$JALIEND_BUILD/daemon/jaliend" --foreground >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	OUT=
	expect_rc 1 "token files: $1"
	expect_err_has "$2" "token files: $1"
	expect_err_has "and no token with more than 10 minutes left" "token files: $1"
}
mkdir -p -m 1777 "$T/loose" "$T/link" "$T/foreign"
cp "$TMPDIR/tokencert_$uid.pem" "$TMPDIR/tokenkey_$uid.pem" "$T/loose/"
chmod 644 "$T/loose/tokencert_$uid.pem" "$T/loose/tokenkey_$uid.pem"
untrusted loose "$T/loose/tokencert_$uid.pem has mode 0644: others may read or change it; not used"
cp "$TMPDIR/tokenkey_$uid.pem" "$T/link/"
ln -s "$TMPDIR/tokencert_$uid.pem" "$T/link/tokencert_$uid.pem"
untrusted link "$T/link/tokencert_$uid.pem: a symbolic link (not followed)"
if [ "$uid" -eq 0 ]; then
	cp -p "$TMPDIR/tokencert_$uid.pem" "$TMPDIR/tokenkey_$uid.pem" "$T/foreign/"
	chown nobody "$T/foreign/tokencert_$uid.pem" "$T/foreign/tokenkey_$uid.pem"
	untrusted foreign "$T/foreign/tokencert_$uid.pem is owned by uid $(id -u nobody), not by you (uid 0); not used"
else
	echo "token files owned by another user: not tried (needs root to make them)"
fi

# neither a user certificate nor a token: one line, exit 1
mkdir -p -m 700 "$T/none"
set +e
TMPDIR=$T/emptytmp X509_USER_CERT=$T/nothere/usercert.pem JALIEND_SOCKET=$T/none/S \
	"$JALIEND_BUILD/daemon/jaliend" --foreground >"$T/out" 2>"$T/err"
RC=$?
set -e
ERR=$(cat "$T/err")
OUT=
expect_rc 1 "no credential at all"
expect_err_has "cannot read user certificate $T/nothere/usercert.pem" "no credential at all"
expect_err_has "and no token with more than 10 minutes left in $T/emptytmp/tokencert_$uid.pem" "no credential at all"
expect_one_line "no credential at all"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/none/S" ] || fail "a daemon that refused to start left its socket behind"
pass
