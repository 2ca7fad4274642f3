#!/bin/sh
# A REQUEST whose argv holds NUL bytes must be refused with ERROR 22 naming
# the problem, not passed on: cJSON cuts a string at an escaped NUL (\u0000)
# or a raw NUL byte, so the daemon would run a different command than the one
# sent. An argument that is not UTF-8 is never sent to JCentral either
# (invalid UTF-8 in a text frame makes Tomcat close the shared session, RFC
# 6455: 1007): that request alone fails with 22, in the shim and in the
# daemon alike.
. "$(dirname "$0")/flib.sh"
stack_up
DPID=$(cat "$STACK/jaliend.pid")

lp hello 'req:{"argv":["echo","a\\u0000b"],"session":"s"}'
expect_refused 22 "NUL" "escaped NUL in an argument"
lp hello 'req:{"argv":["who\0ami"],"session":"s"}'
expect_refused 22 "NUL" "raw NUL byte in the REQUEST"

# One UTF-8 rule on both sides (common/utf8.c; issue 16, item 8): each string
# is refused by the shim and by the daemon alike, naming the same argument
# and byte, with exit 22; the daemon fails only that request and the next
# one on the same connection runs. Valid strings pass both.
# OCTAL (for printf) | \xHH (for lpclient) | offset of the bad byte | that byte
for c in '\377|\xff|1|0xff' '\300\257|\xc0\xaf|1|0xc0' '\340\200\257|\xe0\x80\xaf|1|0xe0' \
	'\355\240\200|\xed\xa0\x80|1|0xed' '\355\277\277|\xed\xbf\xbf|1|0xed' \
	'\360\200\200\257|\xf0\x80\x80\xaf|1|0xf0' '\364\220\200\200|\xf4\x90\x80\x80|1|0xf4' \
	'a\342\202|a\xe2\x82|2|0xe2'; do
	oct=${c%%|*} rest=${c#*|}
	hex=${rest%%|*} rest=${rest#*|}
	at=${rest%%|*} byte=${rest#*|}
	run alien-echo x "$(printf "$oct")"
	expect_rc 22 "shim, $hex"; expect_one_line "shim, $hex"
	expect_err_has "of \`echo\` is not valid UTF-8 (byte $at is $byte)" "shim, $hex"
	lp -p hello "req:{\"argv\":[\"echo\",\"x\",\"$hex\"],\"session\":\"s\"}" wait:EXIT 'run:echo next' wait:EXIT shut
	CHECKS=$((CHECKS + 1))
	case $OUT in
	*"argument 2 is not valid UTF-8 (byte $at is $byte)"*'EXIT id=1 {"code":22,'*'EXIT id=2 {"code":0,'*"EOF after"*) ;;
	*) fail "daemon, $hex: not one failed request (22) then a working one on the same connection: $OUT" ;;
	esac
	case $OUT in *ERROR*) fail "daemon, $hex: the connection was refused: $OUT" ;; esac
done
for c in '\303\251|\xc3\xa9' '\355\237\277|\xed\x9f\xbf' '\356\200\200|\xee\x80\x80' \
	'\357\277\275|\xef\xbf\xbd' '\360\237\230\200|\xf0\x9f\x98\x80' '\364\217\277\277|\xf4\x8f\xbf\xbf'; do
	oct=${c%%|*} hex=${c#*|}
	run alien-echo "$(printf "$oct")"
	expect_rc 0 "shim, valid $hex"; expect_out "$(printf "$oct")" "shim, valid $hex"
	lp hello "req:{\"argv\":[\"echo\",\"$hex\"],\"session\":\"s\"}" wait:EXIT shut
	CHECKS=$((CHECKS + 1))
	case $OUT in *'EXIT id=1 {"code":0,'*) ;; *) fail "daemon, valid $hex: $OUT" ;; esac
done
lp hello 'req:{"argv":["echo","ok"],"session":"s\xff"}'
expect_refused 22 "session" "session key that is not UTF-8"
expect_alive "$DPID" "strings"
expect_whoami "after bad strings"
pass
