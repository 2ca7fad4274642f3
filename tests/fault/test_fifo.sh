#!/bin/sh
# FIFOs planted at the daemon's names in a shared TMPDIR (issue 26 item 5): another user's FIFO
# at $TMPDIR/tokencert_<uid>.pem, tokenkey_<uid>.pem or jclient_token_<uid> (/tmp when TMPDIR is
# unset, as under systemd) made open() block the daemon's only loop: at start, on token-info
# after login, and on SIGTERM (the JBox advertisement is read before it is removed). Every open
# by name now goes through daemon/base/safefile.c (O_NONBLOCK, fstat, regular files only):
# the daemon starts and serves whoami, token-info fails with one line, SIGTERM stops it.
. "$(dirname "$0")/flib.sh"
U=$(id -u)
mkdir -p "$STACK/tmp"
chmod 700 "$STACK/tmp"
for n in "tokencert_$U.pem" "tokenkey_$U.pem" "jclient_token_$U"; do
	mkfifo "$STACK/tmp/$n"
done
# the stack waits 15 s for a whoami answered through the daemon: a daemon stuck in open() fails here
stack_up
DPID=$(cat "$STACK/jaliend.pid")
expect_whoami "FIFOs at the token and JBox names at start"
CHECKS=$((CHECKS + 1))
grep -q "tokencert_$U.pem: not a regular file (a FIFO, a device or a folder)" "$STACK/jaliend.log" ||
	fail "the FIFO at the token certificate's name is not named in the log"
# the daemon's token replaced them (our own folder): regular files now
for n in "tokencert_$U.pem" "tokenkey_$U.pem"; do
	settled "$n written over the FIFO" test -f "$STACK/tmp/$n"
done

# after login: a FIFO at the token certificate's name, read by token-info
rm -f "$STACK/tmp/tokencert_$U.pem"
mkfifo "$STACK/tmp/tokencert_$U.pem"
run timeout 30 alien-token-info
expect_rc 2 "token-info with a FIFO at the token certificate's name"
expect_err "File >>> $STACK/tmp/tokencert_$U.pem <<< not found/accessible!" "token-info: one line"
expect_whoami "after token-info on a FIFO"

# a FIFO at the JBox advertisement's name, then SIGTERM: the daemon stops (within 20 s)
settled "the JBox advertisement written" test -f "$STACK/tmp/jclient_token_$U"
rm -f "$STACK/tmp/jclient_token_$U"
mkfifo "$STACK/tmp/jclient_token_$U"
kill -TERM "$DPID"
gone() { ! kill -0 "$1" 2>/dev/null; }
CHECKS=$((CHECKS + 1))
wait_until 20 "the daemon stopping on SIGTERM with a FIFO at jclient_token_$U" gone "$DPID"
CHECKS=$((CHECKS + 1))
grep -q "^.*jaliend\[$DPID\]: stopped" "$STACK/jaliend.log" || fail "no 'stopped' in the log"
pass
