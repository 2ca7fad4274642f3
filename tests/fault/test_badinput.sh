#!/bin/sh
# Bad input on the local socket, sent by lpclient (an independent codec): the
# daemon answers one ERROR frame naming the problem and closes that connection;
# a shim connected meanwhile and new shims are unaffected; the daemon lives on
# with the descriptors it had before.
. "$(dirname "$0")/flib.sh"
stack_up
DPID=$(cat "$STACK/jaliend.pid")
FDS=$(fd_count "$DPID")

# a terminal that stays connected through the whole barrage: one request now,
# one after everything below (its HELLO and REQUEST frames are sent at once)
"$LP" -t 60 hello run:whoami wait:EXIT sleep:4000 run:pwd wait:EXIT shut >"$T/bystander.out" 2>&1 &
BYSTANDER=$!

# bad CODE TEXT WHAT STEP...: one refused connection, then a normal shim
bad() {
	code=$1 text=$2 what=$3
	shift 3
	lp "$@"
	expect_refused "$code" "$text" "$what"
	expect_alive "$DPID" "$what"
}

bad 71 "malformed frame header" "garbage bytes" 'raw:GET / HTTP/1.1\r\nHost: x\r\n\r\n'
bad 71 "malformed frame header" "random bytes" "raw:$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')"
bad 7 "over the 1048576-byte limit" "length of 4 GiB - 1" hdr:4294967295:HELLO:0:0
bad 7 "over the 1048576-byte limit" "length of 4 GiB - 1 after HELLO" hello hdr:4294967295:REQUEST:0:1
bad 7 "over the 1048576-byte limit" "length of 1 MiB + 1" hello hdr:1048577:REQUEST:0:1
bad 71 "expected HELLO as the first frame, got REQUEST" "frame before HELLO" run:whoami
bad 71 "expected HELLO as the first frame, got STDOUT" "data frame before HELLO" frame:STDOUT:0:0:hi
bad 71 "protocol version 2 is not supported (this jaliend speaks 1)" "wrong protocol version" 'hello:{"proto":2,"client":"x"}'
bad 71 "protocol version 0 is not supported" "protocol version 0" 'hello:{"proto":0}'
bad 71 "numeric \\\"proto\\\"" "HELLO not JSON" 'hello:{"proto":1'
bad 71 "numeric \\\"proto\\\"" "HELLO a JSON array" 'hello:[1]'
bad 71 "numeric \\\"proto\\\"" "HELLO proto a string" 'hello:{"proto":"1"}'
bad 71 "numeric \\\"proto\\\"" "empty HELLO" hello:
bad 71 "malformed frame header" "unknown frame type" frame:42:0:0:x
bad 71 "malformed frame header" "non-zero flags" 'frame:HELLO:1:0:{"proto":1}'
bad 71 "unexpected STDOUT frame" "STDOUT from a client" hello frame:STDOUT:0:1:x
bad 71 "unexpected ERROR frame" "ERROR from a client" hello 'frame:ERROR:0:0:{}'
bad 71 "PASSPHRASE frame" "unsolicited PASSPHRASE" hello 'frame:PASSPHRASE:0:1:{"passphrase":"x"}'
bad 71 "one at a time" "second REQUEST while one runs" cork hello run:whoami run:whoami flush
bad 22 "not a JSON object" "REQUEST not JSON" hello 'req:{"argv":["whoami"'
bad 22 "not a JSON object" "REQUEST a JSON string" hello 'req:"whoami"'
bad 22 "non-empty \\\"argv\\\" array" "argv a string" hello 'req:{"argv":"whoami","session":"s"}'
bad 22 "non-empty \\\"argv\\\" array" "argv empty" hello 'req:{"argv":[],"session":"s"}'
bad 22 "argv[1] is not a string" "argv with a number" hello 'req:{"argv":["echo",1],"session":"s"}'
bad 22 "argv[0] is not a string" "argv with null" hello 'req:{"argv":[null],"session":"s"}'
bad 22 "\\\"session\\\" string" "no session" hello 'req:{"argv":["whoami"]}'
bad 22 "\\\"session\\\" string" "empty session" hello 'req:{"argv":["whoami"],"session":""}'
bad 22 "\\\"session\\\" string" "session of 200 bytes" hello \
	"req:{\"argv\":[\"whoami\"],\"session\":\"$(head -c 200 /dev/zero | tr '\0' s)\"}"
bad 22 "no command given" "only -json" hello 'req:{"argv":["-json"],"session":"s"}'

# 10 000 argv entries (a 60 KB frame): refused naming the count and the cap
python3 -c 'import json; print(json.dumps({"argv": ["echo"] + ["a"] * 9999, "session": "s"}))' >"$T/argv10k.json"
bad 22 "has 10000 arguments; the limit is 4096" "10 000 argv entries" hello "file:REQUEST:$T/argv10k.json"
# one argument over 64 KiB
python3 -c 'import json; print(json.dumps({"argv": ["echo", "b" * 70000], "session": "s"}))' >"$T/bigarg.json"
bad 22 "argument 1 is over 65536 bytes" "a 70 KB argument" hello "file:REQUEST:$T/bigarg.json"
# deep JSON nesting: cJSON's own limit, refused as malformed, no stack overflow
python3 -c 'print("{\"argv\":" + "[" * 100000 + "]" * 100000 + ",\"session\":\"s\"}")' >"$T/deep.json"
bad 22 "not a JSON object" "100 000 nested arrays" hello "file:REQUEST:$T/deep.json"

# truncated frames: the daemon waits for the rest and closes quietly when the
# shim goes away (nothing to answer: the shim is gone)
lp hello 'raw:\x00\x00\x00\x10\x00\x02' shut
expect_out_has "EOF after" "truncated header"; expect_alive "$DPID" "truncated header"
lp hello 'raw:\x00\x00\x00\x64\x00\x02\x00\x00\x00\x00\x00\x01{"argv":["who' shut
expect_out_has "EOF after" "truncated payload"; expect_alive "$DPID" "truncated payload"

# valid frames split into 1-byte writes are still decoded
steps=""
for b in $(printf '\000\000\000\013\000\001\000\000\000\000\000\000{"proto":1}' | od -An -tx1); do
	steps="$steps raw:\\x$b"
done
# shellcheck disable=SC2086 # one step per byte
lp $steps
expect_out_has 'HELLO id=0 {"proto":1,"daemon":"jaliend"' "HELLO sent byte by byte"

expect_whoami "after the bad input"
wait "$BYSTANDER" || fail "the connected terminal failed: $(cat "$T/bystander.out")"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^EXIT id=[12] {"code":0' "$T/bystander.out")" -eq 2 ] ||
	fail "the connected terminal did not get both answers: $(cat "$T/bystander.out")"
expect_fds "$DPID" "$FDS"
pass
