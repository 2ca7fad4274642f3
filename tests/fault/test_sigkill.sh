#!/bin/sh
# The daemon killed with SIGKILL (issue #8), autostart on, as a user has it:
# 1. a loop of alien-whoami; the daemon is killed 5 times mid-loop: the next
#    shim autostarts a new daemon (the dead one's socket is stale: replaced
#    under the lock), at most the command in flight fails at each kill, the
#    token files stay complete PEM of mode 0400;
# 2. jaliend killed at each step of writing its token files (killat.py:
#    inotify, SIGKILL right after the temporary key file appears, gets its
#    data, is renamed; the same for the certificate), twice each: the files
#    under their real names are never partial; a temporary file left behind
#    is readable by the owner only; the next daemon, over a key that does
#    not match its certificate (a kill between the two renames), starts,
#    serves and leaves a matching pair.
# Tokens of 300 s: under the 600 s a daemon needs to reuse a token, so every
# new daemon asks for one and writes the files (kills land on real writes).
. "$(dirname "$0")/flib.sh"
export JCL_ARGS="--token-seconds 300"
stack_up
token_paths
export JALIEND_AUTOSTART=1 JALIEND_PROGRAM="$JALIEND_BUILD/daemon/jaliend"
FLIB_AUTOSTART=1 # at exit, flib stops the daemon that serves the socket then
umask 077
dpid=$(cat "$STACK/jaliend.pid")
wait_token_files "$dpid"
expect_token_files "the stack's daemon"

# 1. kill -9 under a loop of commands
KILLS=5
(
	while [ ! -e "$T/stop" ]; do
		rc=0
		alien-whoami >/dev/null 2>>"$T/loop.err" || rc=$?
		echo "$rc $(date +%s%N)" >>"$T/loop.rc"
	done
) &
own_pid $!
loop=$!
lines() { if [ -f "$T/loop.rc" ]; then wc -l <"$T/loop.rc"; else echo 0; fi; }
ran() { [ "$(lines)" -ge "$1" ]; }
# progress N: the loop has run N commands (within 20 s)
progress() {
	wait_until 20 "the loop reaching $1 commands (at $(lines))" ran "$1"
}
k=0
while [ $k -lt $KILLS ]; do
	progress $(($(lines) + 20))
	kill -KILL "$dpid"
	date +%s%N >>"$T/kills"
	k=$((k + 1))
	progress $(($(lines) + 20))
	new=$(daemon_pid)
	[ -n "$new" ] && [ "$new" != "$dpid" ] || fail "kill $k: no new daemon answers (pid [$new], killed $dpid)"
	own_pid "$new"
	expect_token_files "after kill $k"
	dpid=$new
done
touch "$T/stop"
wait "$loop"
total=$(lines)
failed=$(grep -cv '^0 ' "$T/loop.rc" || true)
slowest=0
while read -r kt; do
	ok=$(awk -v t="$kt" '$1 == 0 && $2 > t { print $2; exit }' "$T/loop.rc")
	ms=$(((ok - kt) / 1000000))
	[ $ms -gt $slowest ] && slowest=$ms
done <"$T/kills"
echo "loop: $total commands, $KILLS kills, $failed failed ($(cut -d' ' -f1 "$T/loop.rc" | sort | uniq -c | tr -s ' \n' ' ')), slowest recovery $slowest ms"
CHECKS=$((CHECKS + 1))
[ "$failed" -le $KILLS ] || fail "$failed commands failed over $KILLS kills (at most the one in flight each): $(sort "$T/loop.err" | uniq -c)"
# the slowest recovery is printed, not asserted (machines here are noisy): a shim
# whose autostart gave up would be a failed command, counted above
run alien-whoami
expect_rc 0 "after the kills"

# 2. kill -9 at each step of the token write
kill -TERM "$dpid"
wait_until 5 "the daemon stopping on SIGTERM" gone "$dpid"
uid=$(id -u)
mism=0 temps=0 trials=0 mism_at=
[ "$(token_pair)" = match ] || fail "no matching token pair before the token kills"
cp "$TOKEN_CERT" "$T/good.cert"
cp "$TOKEN_KEY" "$T/good.key"
# kill_at EVENT GLOB: a daemon killed right after that event of its token writing
kill_at() {
	trials=$((trials + 1))
	rc=0
	python3 "$(dirname "$0")/killat.py" "$TMPDIR" "$1" "$2" 15 "$JALIEND_BUILD/daemon/jaliend" --foreground \
		>>"$T/killat.out" 2>>"$T/killat.log" || rc=$?
	CHECKS=$((CHECKS + 1))
	[ $rc -eq 0 ] || fail "killat $1 $2: exit $rc: $(tail -n 1 "$T/killat.out"); $(tail -n 5 "$T/killat.log")"
	expect_token_files "killed after $1 of $2"
	if [ "$(token_pair)" != match ]; then # counted, then a matching pair again for the next kill
		mism=$((mism + 1))
		mism_at="$mism_at, $1 ${2%%_*}"
		rm -f "$TOKEN_CERT" "$TOKEN_KEY"
		cp "$T/good.cert" "$TOKEN_CERT"
		cp "$T/good.key" "$TOKEN_KEY"
		chmod 400 "$TOKEN_CERT" "$TOKEN_KEY"
	fi
	CHECKS=$((CHECKS + 1))
	open=$(find "$TMPDIR" -maxdepth 1 -name "token*_$uid.pem.*" -perm /077)
	[ -z "$open" ] || fail "a temporary token file readable by others: $(ls -l "$TMPDIR")"
	n=$(find "$TMPDIR" -maxdepth 1 -name "token*_$uid.pem.*" | wc -l)
	temps=$((temps + n))
	find "$TMPDIR" -maxdepth 1 -name "token*_$uid.pem.*" -delete
}
for _ in 1 2; do
	kill_at create "tokenkey_$uid.pem.*"
	kill_at modify "tokenkey_$uid.pem.*"
	kill_at moved "tokenkey_$uid.pem"
	kill_at create "tokencert_$uid.pem.*"
	kill_at modify "tokencert_$uid.pem.*"
	kill_at moved "tokencert_$uid.pem"
done
echo "token writes: $trials daemons killed mid-write; $temps temporary files left behind; $mism times the key was new and the certificate old${mism_at:+ (killed after: ${mism_at#, })}"
# a kill between the two renames leaves the new key beside the old
# certificate (two files cannot be replaced at once; counted above): plant
# such a pair; the next daemon must not use it but ask for a new token
rm -f "$TOKEN_KEY"
cp "$T/good.key" "$TOKEN_KEY"
chmod 400 "$TOKEN_KEY"
CHECKS=$((CHECKS + 1))
[ "$(token_pair)" != match ] || fail "the planted key matches the certificate"
used=$(grep -c "token: using" "$STACK/run/S.jaliend.log" || true)
expect_whoami "autostart after the token kills, over a mismatched pair"
dpid=$(daemon_pid)
own_pid "$dpid"
new_pair() { [ "$(grep -c "token: using" "$STACK/run/S.jaliend.log")" -gt "$used" ] && [ "$(token_pair)" = match ]; }
wait_until 10 "a matching token pair from the new daemon" new_pair
CHECKS=$((CHECKS + 1))
grep -q "token: the key $TOKEN_KEY does not match the certificate" "$STACK/run/S.jaliend.log" ||
	fail "the new daemon did not notice the mismatched token pair"
expect_token_files "after the token kills"
pass
