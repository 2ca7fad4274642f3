# flib.sh - helpers of the reliability suite, on top of the integration
# tests' lib.sh (a per-test stack in a temp folder, run/expect_*, cleanup).
. "$(dirname "$0")/../integration/lib.sh"

LP=${LPCLIENT:-$JALIEND_BUILD/tests/fault/lpclient}
FAKE=${FAKECENTRAL:-$JALIEND_BUILD/tests/fault/fakecentral}
[ -x "$LP" ] || fail "no lpclient at $LP (build the tests/fault targets)"

# lp STEP...: lpclient on the stack's socket (5 s timeout), output in $OUT
lp() {
	run "$LP" -t 5 "$@"
}

# fd_count PID: open descriptors of a process, not counting its TCP sockets
# (the upstream pool grows on demand and keeps its sessions: not a leak);
# the same number twice in a row (a reading can race with the process)
fd_count() {
	prev=-1
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		tcp=$(awk 'FNR > 1 { printf "socket:[%s]\n", $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
		now=$(for fd in /proc/"$1"/fd/*; do readlink "$fd"; done | grep -cvxF "${tcp:-none}")
		[ "$now" -eq "$prev" ] && break
		prev=$now
		sleep 0.02
	done
	echo "$now"
}

# expect_fds PID N: the process has N descriptors (again) within 3 s
expect_fds() {
	CHECKS=$((CHECKS + 1))
	i=0
	while [ "$(fd_count "$1")" -ne "$2" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
	now=$(fd_count "$1")
	[ "$now" -eq "$2" ] || { ls -l "/proc/$1/fd" >&2; fail "$now descriptors, expected $2 (a leak?)"; }
}

# expect_alive PID WHAT: the process still runs
expect_alive() {
	CHECKS=$((CHECKS + 1))
	kill -0 "$1" 2>/dev/null || fail "$2: the daemon (pid $1) died"
}

# expect_whoami WHAT: a normal shim still gets its answer
expect_whoami() {
	run alien-whoami
	expect_rc 0 "$1: alien-whoami"
	expect_out jalien "$1: alien-whoami"
}

# expect_refused CODE TEXT WHAT: lpclient saw one ERROR frame with CODE whose
# message holds TEXT, then the daemon closed the connection
expect_refused() {
	CHECKS=$((CHECKS + 1))
	case $OUT in
	*"ERROR id=0 {\"code\":$1,\"message\":"*"$2"*) ;;
	*) fail "$3: no ERROR $1 naming [$2]; got: $OUT" ;;
	esac
	case $OUT in *"EOF after"*) ;; *) fail "$3: connection not closed after the ERROR: $OUT" ;; esac
	[ "$(printf '%s\n' "$OUT" | grep -c '^ERROR')" -eq 1 ] || fail "$3: more than one ERROR frame: $OUT"
	[ "$RC" -eq 0 ] || fail "$3: lpclient exit $RC (4: the daemon broke the frame contract): $OUT"
}

# wait_file FILE PID: until FILE is non-empty (15 s), while PID lives
wait_file() {
	i=0
	until [ -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || fail "pid $2 exited before writing $1"
		i=$((i + 1))
		[ $i -lt 300 ] || fail "$1 not written in 15 s"
		sleep 0.05
	done
}
