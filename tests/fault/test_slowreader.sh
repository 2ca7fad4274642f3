#!/bin/sh
# The slow-reader policy (issue 16 item 7; docs/PROTOCOL.md, caps), with
# fakecentral's 100 MB replies and a daemon run with --write-timeout 6
# --reply-memory 150:
#  1. a shim paused 5 s on a 100 MB reply (it takes about 3 s to come, so
#     its output waits under the write timeout) gets all
#     of it; meanwhile a second 100 MB reply would pass the 150 MiB cap: that
#     request fails at once with 105 and one line naming the cap;
#  2. a shim that reads nothing for longer than the write timeout gets one
#     ERROR frame with 105 naming it, then the close; the daemon's memory
#     comes back while that shim still sleeps; other shims are served;
#  3. a cp whose shim does not read while cp prints more than the 4 MiB
#     queue: the request fails with 105 ("passed 4 MiB"), nothing is dropped
#     silently (before: the lines past 4 MiB vanished, then a normal EXIT).
. "$(dirname "$0")/flib.sh"
[ -x "$FAKE" ] || fail "no fakecentral at $FAKE"

"$ROOT/scripts/mkcerts" "$T/pki" >/dev/null
mkdir -m 700 "$T/run" "$T/tmp"
export PATH="$JALIEND_BUILD/client:$PATH" JALIEND_SOCKET="$T/run/S.jaliend" JALIEND_AUTOSTART=0 \
	X509_USER_CERT="$T/pki/usercert.pem" X509_USER_KEY="$T/pki/userkey.pem" \
	X509_CERT_DIR="$T/pki/certificates" TMPDIR="$T/tmp"
"$FAKE" --cert "$T/pki/host.pem" --key "$T/pki/host.key" --ca-dir "$T/pki/certificates" \
	--port 0 --port-file "$T/port" --mode big100=big:100 >>"$T/fake.log" 2>&1 &
own_pid $! fakecentral
wait_file "$T/port" "$!"
export JALIEND_ENDPOINT="wss://127.0.0.1:$(cat "$T/port")/websocket/json"
"$JALIEND_BUILD/daemon/jaliend" --foreground --write-timeout 6 --reply-memory 150 >"$T/jaliend.log" 2>&1 &
DPID=$!
own_pid "$DPID" jaliend
wait_until 10 "jaliend answering through fakecentral" alien-whoami
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DPID/status"; }
rss_over() { [ "$(rss)" -gt "$1" ]; }
rss_under() { [ "$(rss)" -lt "$1" ]; }
base=$(rss)

# 1. under the timeout: all of it; a second big reply: over the cap
"$LP" -t 60 hello run:big100 sleep:5000 wait:EXIT shut >"$T/a.out" &
A=$!
wait_until 10 "the first 100 MB reply held by the daemon" rss_over $((base + 80000))
run alien big100
expect_rc 105 "a reply past the 150 MiB cap"
expect_one_line "a reply past the 150 MiB cap"
expect_err_has "the cap is 150 MiB" "a reply past the 150 MiB cap"
echo "past the cap: $ERR"
CHECKS=$((CHECKS + 1))
wait "$A" || fail "the shim paused 5 s: $(cat "$T/a.out")"
grep -q '^STDOUT id=1 [0-9]* frames 1[0-9]\{8\} bytes' "$T/a.out" && grep -q '^EXIT id=1 {"code":0' "$T/a.out" ||
	fail "the shim paused 5 s did not get the whole reply: $(cat "$T/a.out")"

# 2. over the timeout: ERROR 105, and the memory back while it still sleeps
# (within 12 s of the reply coming: the shim sleeps 25 s)
"$LP" -t 60 hello run:big100 sleep:25000 >"$T/c.out" &
C=$!
wait_until 10 "the second 100 MB reply held by the daemon" rss_over $((base + 80000))
held=$(rss)
wait_until 12 "the daemon's memory back (from $held kB; $base kB before)" rss_under $((base + 30000))
back=$(rss)
CHECKS=$((CHECKS + 1))
kill -0 "$C" 2>/dev/null || fail "the sleeping shim ended before its sleep: $(cat "$T/c.out")"
expect_whoami "while a shim is failed for not reading"
wait "$C" || fail "the shim past the write timeout: lpclient exit $?: $(cat "$T/c.out")"
OUT=$(cat "$T/c.out")
expect_out_has 'ERROR id=0 {"code":105,"message":"jaliend: the request was stopped: this shim read nothing for 6 s' "write timeout"
expect_out_has "EOF after" "write timeout: closed"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c '^ERROR')" -eq 1 ] || fail "write timeout: not one ERROR frame: $OUT"
echo "write timeout: RSS $base kB before, $held kB held, $back kB after the timeout"

# 3. cp output past the 4 MiB queue while the shim does not read: 10000
# -input pairs whose local source is missing, one ~1.9 KB error line each
python3 -c "
seg = 'x' * 200
with open('$T/input', 'w') as f:
    for i in range(10000):
        f.write('file:$T/missing/%s/%s/%s/%s/%s/%s/%s/%s/%s/f%05d dst%05d\\n' % ((seg,) * 9 + (i, i)))
"
"$LP" -t 120 hello "run:cp -input $T/input" sleep:5000 >"$T/d.out" &
D=$!
wait "$D" || fail "cp of a shim that does not read: lpclient exit $?: $(cat "$T/d.out")"
OUT=$(cat "$T/d.out")
expect_out_has 'ERROR id=0 {"code":105,"message":"jaliend: the request was stopped: its output waiting for this shim passed 4 MiB' "cp output past the queue"
case $OUT in *'EXIT id=1'*) fail "cp output past the queue: an EXIT after dropping output: $OUT" ;; esac
echo "cp output past the queue: $(printf '%s\n' "$OUT" | grep -e '^STDERR' -e '^ERROR')"
expect_whoami "after the cp was stopped"
expect_alive "$DPID" "slow readers"
pass
