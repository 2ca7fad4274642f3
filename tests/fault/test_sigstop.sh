#!/bin/sh
# The service stopped (SIGSTOP) mid-request (issue #8), the daemon run with
# --request-timeout 3 --connect-wait 4. jcentral-lite holds ls replies for
# 1 s; it is stopped while one is pending. Expected: that shim exits 62 with
# one line saying "no reply from ... within 3 s" (not retried: it may still
# run there); meanwhile the daemon answers its local commands, and another
# terminal's command ends too (62, or 107 if no session could be connected);
# after SIGCONT the next commands work, 20 of them with 0 failures, and
# `alien-daemon status` counts the timeouts. The times are printed, not
# asserted (machines here are noisy): the exit codes say which limit ended
# each command.
. "$(dirname "$0")/flib.sh"
TO=3 WAIT=4
export JCL_ARGS="--slow ls=1000"
export JALIEND_ARGS="--request-timeout $TO --connect-wait $WAIT"
stack_up
cpid=$(cat "$STACK/jcentral-lite.pid")
dpid=$(cat "$STACK/jaliend.pid")
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

t0=$(date +%s%N)
alien-ls "$HOME_DIR" >"$T/ls.out" 2>"$T/ls.err" &
lsp=$!
sleep 0.3
at_exit "$cpid" CONT
kill -STOP "$cpid"
t1=$(date +%s%N)
run alien-daemon status
expect_rc 0 "alien-daemon status while JCentral is stopped"
ms=$(ms_since "$t1")
t2=$(date +%s%N)
ALIEN_SESSION=other alien-whoami >"$T/who.out" 2>"$T/who.err" &
whop=$!

rc=0
wait "$lsp" || rc=$?
ls_ms=$(ms_since "$t0")
RC=$rc OUT=$(cat "$T/ls.out") ERR=$(cat "$T/ls.err")
expect_rc 62 "ls in flight when JCentral stopped"
expect_err_has "no reply from" "ls in flight"
expect_err_has "within $TO s" "ls in flight"
expect_one_line "ls in flight"

rc=0
wait "$whop" || rc=$?
who_ms=$(ms_since "$t2")
CHECKS=$((CHECKS + 1))
[ $rc -eq 62 ] || [ $rc -eq 107 ] || fail "whoami while JCentral is stopped: exit $rc: $(cat "$T/who.err")"
expect_alive "$dpid" "JCentral stopped"

kill -CONT "$cpid"
t3=$(date +%s%N)
wait_until 5 "an answer after SIGCONT" alien-whoami
back_ms=$(ms_since "$t3")
bad=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	alien-whoami >/dev/null 2>>"$T/after.err" || bad=$((bad + 1))
	alien-pwd >/dev/null 2>>"$T/after.err" || bad=$((bad + 1))
done
CHECKS=$((CHECKS + 1))
[ $bad -eq 0 ] || fail "$bad of 20 commands failed after SIGCONT: $(sort "$T/after.err" | uniq -c)"
run alien-daemon status
expect_out_has "timed out" "status counts the timeouts"
timeouts=$(printf '%s\n' "$OUT" | sed -n 's/.*timed out \([0-9]*\).*/\1/p')
CHECKS=$((CHECKS + 1))
[ "${timeouts:-0}" -ge 1 ] || fail "status counts no timeout: $OUT"
echo "sigstop: status answered in $ms ms while JCentral was stopped; ls exit 62 after $ls_ms ms, the other terminal exit $rc after $who_ms ms; answers again $back_ms ms after SIGCONT; status: $timeouts timed out"
pass
