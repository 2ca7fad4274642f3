#!/bin/sh
# A REQUEST whose argv holds NUL bytes or bytes that are not UTF-8 must be
# refused with ERROR 22 naming the argument, not passed on: cJSON cuts a
# string at an escaped NUL (\u0000) or a raw NUL byte, so the daemon runs a
# different command than the one sent, and invalid UTF-8 sent to JCentral in
# a text frame makes Tomcat close the shared session (RFC 6455: 1007).
. "$(dirname "$0")/flib.sh"
stack_up
DPID=$(cat "$STACK/jaliend.pid")

lp hello 'req:{"argv":["echo","a\\u0000b"],"session":"s"}'
expect_refused 22 "NUL" "escaped NUL in an argument"
lp hello 'req:{"argv":["who\0ami"],"session":"s"}'
expect_refused 22 "NUL" "raw NUL byte in the REQUEST"
lp hello 'req:{"argv":["echo","a\xffb"],"session":"s"}'
expect_refused 22 "UTF-8" "argument that is not UTF-8"
lp hello 'req:{"argv":["echo","\xed\xa0\x80"],"session":"s"}'
expect_refused 22 "UTF-8" "UTF-16 surrogate encoded in UTF-8"
lp hello 'req:{"argv":["echo","ok"],"session":"s\xff"}'
expect_refused 22 "session" "session key that is not UTF-8"
expect_alive "$DPID" "strings"
expect_whoami "after bad strings"
pass
