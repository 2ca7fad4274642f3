# tmuxlib.sh - the tmux harness of the interactive tests: a private tmux
# server, panes of 160x50, and waits on what a pane shows (60 s each).
# Source it after tests/integration/lib.sh and stack_up; it takes over the
# EXIT trap (stops its tmux server, then the stack).
command -v tmux >/dev/null || { echo "$(basename "$0" .sh): tmux not installed: skipped"; exit 77; }

TM="tmux -S $T/tmux.sock"
tmux_cleanup() {
	rc=$?
	$TM kill-server 2>/dev/null || true
	set +e
	(exit "$rc") # lib_cleanup reads the status from $?
	lib_cleanup
}
trap tmux_cleanup EXIT INT TERM

# start_cmd NAME COMMAND: COMMAND (sh syntax) in a new tmux session; its exit
# code lands in $T/NAME.rc, then the pane stays open for capture-pane
start_cmd() {
	$TM -f /dev/null new-session -d -s "$1" -x 160 -y 50 "$2; echo \$? >$T/$1.rc; sleep 600"
}
screen() { $TM capture-pane -p -t "$1" -S -200; }
keys() {
	s=$1
	shift
	$TM send-keys -t "$s" "$@"
}
# wait_grep NAME WHAT GREP-OPTIONS PATTERN: until grep finds PATTERN in the pane (60 s: a loaded machine)
wait_grep() {
	i=0
	until screen "$1" | grep -q"$3" -- "$4"; do
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "screen of $1 never $2 [$4]; it shows:
$(screen "$1")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
}
# wait_screen NAME TEXT: until the pane shows TEXT
wait_screen() { wait_grep "$1" showed F "$2"; }
# wait_line NAME TEXT: until a whole line of the pane is TEXT (output, not the typed command)
wait_line() { wait_grep "$1" "had the line" xF "$2"; }
# wait_match NAME ERE: until a whole line of the pane matches the extended regex ERE
wait_match() { wait_grep "$1" "had a line matching" xE "$2"; }
# last_line NAME: the last non-empty line of the pane
last_line() { screen "$1" | grep -v '^$' | tail -n 1; }
# wait_until WHAT SHOW CMD...: until CMD succeeds (60 s); on failure, says it
# never WHAT and shows what the command SHOW (sh syntax) prints then
wait_until() {
	what=$1 show=$2
	shift 2
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "never $what; now: $(eval "$show")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
}
# wait_last NAME TEXT: until the last non-empty line of the pane is TEXT
# (a fresh prompt: the shell reads again)
last_is() { [ "$(last_line "$1")" = "$2" ]; }
wait_last() { wait_until "saw [$2] as the last line of $1" "screen $1" last_is "$1" "$2"; }
# wait_last_match NAME ERE: until the last non-empty line matches ERE
last_matches() { last_line "$1" | grep -qE -- "$2"; }
wait_last_match() { wait_until "saw a last line of $1 matching [$2]" "screen $1" last_matches "$1" "$2"; }
# below_pane NAME ARGS: a process below NAME's pane runs with exactly ARGS
below_pane() {
	ps -e -o pid=,ppid=,args= | awk -v root="$($TM display-message -p -t "$1" '#{pane_pid}')" -v want="$2" '
		{ pp[$1] = $2; a = $0; sub(/^ *[0-9]+ +[0-9]+ /, "", a); args[$1] = a }
		END {
			for (p in pp) {
				if (args[p] != want) continue
				for (q = pp[p]; q in pp && q != root; q = pp[q]) ;
				if (q == root) exit 0
			}
			exit 1
		}'
}
# wait_rc NAME CODE: until the command of start_cmd ended, with CODE
wait_rc() {
	i=0
	while [ ! -s "$T/$1.rc" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "$1 did not exit: $(screen "$1")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
	[ "$(cat "$T/$1.rc")" = "$2" ] || fail "$1 exited with $(cat "$T/$1.rc"), expected $2"
}
