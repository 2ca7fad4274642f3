#!/bin/sh
# The daemon must present the token it holds, not the first one it loaded
# (docs/RELIABILITY.md, finding 11, fixed).
# Tokens expiring under a loop of commands (issue #8). jcentral-lite issues
# tokens of 30 s (the daemon renews at 2/3: every 20 s) and closes a session
# when its token ends. Two terminals run commands for the whole time (the
# issue's 5 minutes; FAULT_TOKEN_LOOP_SECONDS to change it): one read-only
# (whoami, ls, pwd), one that changes things (touch, stat). Once the first
# token has ended, jcentral-lite restarts (the changing terminal pauses
# meanwhile: a mutating command in flight would rightly get 11), so every
# session logs in again with the token of the day; then a slow read-only
# command (du, 14 s) is sent 1-2 s before a renewal: the service closes its
# session at the token's end ("Certificate expired") while it runs, and it
# is sent again on a new session. Expected: 0 failures; the token files,
# read every 0.25 s, always complete PEM of mode 0400 and a matching pair
# (a mismatch that lasts 0.2 s fails; a shorter one is counted); a new
# token in the files at each renewal; no session refused in TLS.
. "$(dirname "$0")/flib.sh"
SECS=${FAULT_TOKEN_LOOP_SECONDS:-300}
LIFE=30
export JCL_ARGS="--token-seconds $LIFE --slow du=14000"
stack_up
token_paths
dpid=$(cat "$STACK/jaliend.pid")
wait_token_files "$dpid"
expect_token_files "at start"
alien-mkdir -p "${HOME_DIR}tl" >/dev/null
end=$(($(date +%s) + SECS))

# loop NAME COMMANDS...: until the end, each command in turn (@ is the round)
loop() {
	name=$1
	shift
	n=0
	while [ "$(date +%s)" -lt $end ]; do
		while [ "$name" = rw ] && [ -e "$T/pause" ]; do
			touch "$T/paused"
			sleep 0.05
		done
		for c in "$@"; do
			rc=0
			# shellcheck disable=SC2086,SC2091 # a command line, split and run on purpose
			ALIEN_SESSION=$name $(echo "$c" | sed "s/@/$((n % 50))/g") >/dev/null 2>>"$T/$name.err" || rc=$?
			echo "$rc $c" >>"$T/$name.rc"
		done
		n=$((n + 1))
	done
}
loop ro alien-whoami "alien-ls $HOME_DIR" alien-pwd &
own_pid $!
ro=$!
loop rw "alien-touch ${HOME_DIR}tl/f@" "alien-stat ${HOME_DIR}tl/f@" &
own_pid $!
rw=$!

# the token files, every 0.25 s; a mismatched pair is read again once
(
	while [ "$(date +%s)" -lt $end ]; do
		echo check >>"$T/checks"
		for f in "$TOKEN_CERT" "$TOKEN_KEY"; do
			[ "$(stat -c %a "$f")" = 400 ] || echo "$f: mode $(stat -c %a "$f")" >>"$T/bad"
		done
		openssl x509 -noout -serial -in "$TOKEN_CERT" >>"$T/serials" 2>/dev/null || echo "certificate incomplete" >>"$T/bad"
		openssl pkey -noout -in "$TOKEN_KEY" 2>/dev/null || echo "key incomplete" >>"$T/bad"
		if [ "$(token_pair)" != match ]; then
			echo mismatch >>"$T/transient"
			sleep 0.2
			[ "$(token_pair)" = match ] || echo "certificate and key do not match (for 0.2 s)" >>"$T/bad"
		fi
		sleep 0.25
	done
) &
own_pid $!
checker=$!

# status_num PATTERN: the number sed PATTERN finds in alien-daemon status
status_num() {
	alien-daemon status | sed -n "s/$1/\1/p"
}
issued() { [ "$(grep -c "token: using" "$STACK/jaliend.log")" -ge "$1" ]; }
first_token_ended() { [ "$(status_num '^token expires: in \(-*[0-9]*\) s.*')" -le $((LIFE / 2 + 2)) ]; }
renewal_near() {
	r=$(status_num '.*(renewal in \(-*[0-9]*\) s).*')
	[ -n "$r" ] && [ "$r" -le 2 ] && [ "$r" -ge 1 ]
}
rw_paused() { [ -e "$T/paused" ]; }

slow_rc=skipped
if [ "$SECS" -ge 60 ]; then
	# the service restarts once the first token has ended: every session
	# comes back on the current token (the changing terminal waits meanwhile, so
	# no mutating command is caught in flight: that one would get 11)
	wait_until $((LIFE + 10)) "first renewal" issued 2
	wait_until $((LIFE / 2 + 5)) "first token's end" first_token_ended
	touch "$T/pause"
	wait_until 10 "the rw loop pausing" rw_paused
	"$ROOT/scripts/stack" restart-central "$STACK"
	rm -f "$T/pause"
	# a slow read-only command (14 s) sent 1-2 s before a renewal: its
	# session is closed at the token's end while it runs
	wait_until $((LIFE + 5)) "renewal 1-2 s away" renewal_near
	closes=$(grep -c "Certificate expired" "$STACK/jaliend.log" || true)
	slow_rc=0
	ALIEN_SESSION=slow alien-du "$HOME_DIR" >"$T/du.out" 2>"$T/du.err" || slow_rc=$?
fi

wait "$ro"
wait "$rw"
wait "$checker"
runs=$(cat "$T/ro.rc" "$T/rw.rc" | wc -l)
failed=$(cat "$T/ro.rc" "$T/rw.rc" | grep -cv '^0 ' || true)
renewals=$(($(grep -c "token: using" "$STACK/jaliend.log") - 1))
serials=$(sort -u "$T/serials" | wc -l)
expired=$(grep -c "Certificate expired" "$STACK/jaliend.log" || true)
echo "token loop: $SECS s, $runs commands, $failed failed; $renewals renewals, $serials tokens seen in the files;" \
	"$(wc -l <"$T/checks") file checks, $(cat "$T/transient" 2>/dev/null | wc -l) transient mismatches;" \
	"$expired sessions closed at the token's end; slow command across the end: $slow_rc"
CHECKS=$((CHECKS + 1))
tls=$(grep -c "cannot connect.*SSL\|TLS with" "$STACK/jaliend.log" || true)
[ "$tls" -eq 0 ] || fail "$tls connections refused in TLS (an ended token presented?): $(grep "SSL\|TLS" "$STACK/jaliend.log" | tail -n 2)"
CHECKS=$((CHECKS + 1))
[ "$failed" -eq 0 ] || fail "$failed of $runs commands failed: $(cat "$T/ro.rc" "$T/rw.rc" | grep -v '^0 ' | sort | uniq -c | head -n 5); $(cat "$T/ro.err" "$T/rw.err" | sort | uniq -c | head -n 5)"
CHECKS=$((CHECKS + 1))
[ ! -s "$T/bad" ] || fail "token files: $(sort "$T/bad" | uniq -c)"
CHECKS=$((CHECKS + 1))
[ $renewals -ge $((SECS * 3 / (2 * LIFE) - 1)) ] || fail "$renewals renewals in $SECS s with tokens of $LIFE s"
CHECKS=$((CHECKS + 1))
[ "$serials" -ge $renewals ] || fail "the files held $serials tokens over $renewals renewals"
if [ "$slow_rc" != skipped ]; then
	CHECKS=$((CHECKS + 1))
	[ "$slow_rc" -eq 0 ] || fail "du across the token's end: exit $slow_rc: $(cat "$T/du.err")"
	CHECKS=$((CHECKS + 1))
	[ "$expired" -gt "$closes" ] || fail "no session was closed at the token's end while du ran"
	grep -q "du.*lost mid-request; retrying" "$STACK/jaliend.log" || fail "du was not sent again: $(grep -i du "$STACK/jaliend.log")"
	CHECKS=$((CHECKS + 1))
fi
expect_token_files "at the end"
CHECKS=$((CHECKS + 1))
[ "$(token_pair)" = match ] || fail "token certificate and key do not match at the end"
pass
