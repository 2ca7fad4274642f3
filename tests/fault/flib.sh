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

# own_pid PID: a process this test started outside the stack (a daemon a
# shim autostarted, a background loop); stopped at exit by its pid (TERM,
# then KILL after 5 s), if it is still the same program
# own_pid PID [COMM]: stop PID at exit if it is still COMM (default: what it
# runs now). Give COMM for a program just started with &: right after the
# fork it may still be "sh", and a daemon recorded as "sh" would be left running.
own_pid() {
	echo "$1 ${2:-$(cat "/proc/$1/comm" 2>/dev/null)}" >>"$T/own.pids"
}
# at_exit PID SIGNAL: send SIGNAL to PID first thing at exit (SIGCONT to a
# stopped jcentral-lite, so that the stack stops it at once)
at_exit() {
	echo "$1 $2" >>"$T/at_exit"
}
flib_cleanup() {
	rc=$?
	if [ -f "$T/at_exit" ]; then
		while read -r p sig; do kill -"$sig" "$p" 2>/dev/null; done <"$T/at_exit"
	fi
	# a daemon a shim autostarted on the stack's socket after the test's last own_pid
	if [ "${FLIB_AUTOSTART:-0}" = 1 ]; then
		p=$(JALIEND_AUTOSTART=0 daemon_pid 2>/dev/null)
		[ -z "$p" ] || own_pid "$p"
	fi
	if [ -f "$T/own.pids" ]; then
		while read -r p comm; do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ] && kill -TERM "$p" 2>/dev/null
		done <"$T/own.pids"
		i=0
		while read -r p comm; do
			while [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ] && [ $i -lt 100 ]; do
				sleep 0.05
				i=$((i + 1))
			done
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ] && kill -KILL "$p" 2>/dev/null
		done <"$T/own.pids"
	fi
	if [ $rc -ne 0 ] && [ -f "$STACK/run/S.jaliend.log" ]; then
		echo "---- last lines of $STACK/run/S.jaliend.log" >&2
		tail -n 30 "$STACK/run/S.jaliend.log" >&2
	fi
	set +e
	(exit $rc) # lib_cleanup reads the status from $?
	lib_cleanup
}
trap flib_cleanup EXIT INT TERM

# daemon_pid: the pid `alien-daemon status` names (empty if none answers)
daemon_pid() {
	alien-daemon status 2>/dev/null | sed -n 's/^pid: //p'
}

# expect_token_files WHAT: both token files ($TMPDIR/tokencert_<uid>.pem,
# tokenkey_<uid>.pem) exist, have mode 0400 and are complete PEM (the
# certificate and the key parse); their contents are never printed
expect_token_files() {
	CHECKS=$((CHECKS + 1))
	for f in "$TOKEN_CERT" "$TOKEN_KEY"; do
		[ -f "$f" ] || fail "$1: no $f"
		m=$(stat -c %a "$f")
		[ "$m" = 400 ] || fail "$1: $f has mode $m, not 0400"
	done
	openssl x509 -noout -in "$TOKEN_CERT" 2>/dev/null ||
		fail "$1: $TOKEN_CERT is not a complete certificate ($(wc -c <"$TOKEN_CERT") bytes)"
	openssl pkey -noout -in "$TOKEN_KEY" 2>/dev/null ||
		fail "$1: $TOKEN_KEY is not a complete key ($(wc -c <"$TOKEN_KEY") bytes)"
}

# token_pair: "match" if the token certificate and key belong together
token_pair() {
	c=$(openssl x509 -noout -pubkey -in "$TOKEN_CERT" 2>/dev/null | sha256sum)
	k=$(openssl pkey -pubout -in "$TOKEN_KEY" 2>/dev/null | sha256sum)
	if [ "$c" = "$k" ]; then echo match; else echo mismatch; fi
}

# token_paths: TOKEN_CERT and TOKEN_KEY where the stack's daemons write them
token_paths() {
	TOKEN_CERT=$TMPDIR/tokencert_$(id -u).pem
	TOKEN_KEY=$TMPDIR/tokenkey_$(id -u).pem
}

# wait_token_files PID: both token files exist (15 s), while PID lives
wait_token_files() {
	wait_file "$TOKEN_CERT" "$1"
	wait_file "$TOKEN_KEY" "$1"
}

# wait_until SECONDS WHAT COMMAND...: run COMMAND every 50 ms until it
# succeeds; fail after SECONDS
wait_until() {
	wu_n=$(($1 * 20)) wu_what=$2 wu_i=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		wu_i=$((wu_i + 1))
		[ $wu_i -lt $wu_n ] || fail "$wu_what: not within $((wu_n / 20)) s"
		sleep 0.05
	done
}

# gone PID: the process has exited
gone() {
	! kill -0 "$1" 2>/dev/null
}
