#!/bin/sh
# The token files cannot be written (issue 26 item 5): a folder planted at the token
# certificate's name (rename() fails: EISDIR; another user's file in a sticky /tmp gives EPERM
# the same way). The token JCentral sent is used from memory: one token request, not one every
# 30 s; the log says why once, `alien-daemon status` says it while it lasts; commands work.
. "$(dirname "$0")/flib.sh"
U=$(id -u)
mkdir -p "$STACK/tmp"
chmod 700 "$STACK/tmp"
mkdir "$STACK/tmp/tokencert_$U.pem"
COUNTS=$T/counts
JCL_ARGS="--counts $COUNTS" stack_up
DPID=$(cat "$STACK/jaliend.pid")
expect_whoami "with the token files unwritable"
tokens() { sed -n 's/^cmd token //p' "$COUNTS" 2>/dev/null | head -n 1; }
settled "the daemon asked for a token" test "$(tokens)" = 1
# a window past the 30 s retry of a failed token request: still one request
CHECKS=$((CHECKS + 1))
i=0
while [ $i -lt 80 ]; do
	[ "$(tokens)" = 1 ] || fail "$(tokens) token requests within $((i / 2)) s (the token is asked for again)"
	i=$((i + 1))
	sleep 0.5
done
run alien-daemon status
expect_rc 0 "alien-daemon status"
expect_out_has "token files: NOT WRITTEN: cannot write the token files $STACK/tmp/tokencert_$U.pem" "status says why"
expect_out_has "a folder is at that name; the token is used from memory" "status says why"
expect_out_has "token: /C=ch/O=AliEn2/CN=Users/CN=jalien" "the token is in use"
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'token: cannot write the token files' "$STACK/jaliend.log")" -eq 1 ] ||
	fail "the log does not say it once: $(grep 'cannot write the token' "$STACK/jaliend.log")"
expect_whoami "after the window"
# removed: the next token (renew) is written, the status line goes
rmdir "$STACK/tmp/tokencert_$U.pem"
run alien-daemon renew
expect_rc 0 "alien-daemon renew"
settled "the token files written after the folder went" test -f "$STACK/tmp/tokencert_$U.pem"
run alien-daemon status
CHECKS=$((CHECKS + 1))
case $OUT in *"NOT WRITTEN"*) fail "status still says NOT WRITTEN: $OUT" ;; esac
pass
