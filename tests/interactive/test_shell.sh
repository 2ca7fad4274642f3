#!/bin/sh
# The interactive shell (`alien` on a terminal) driven through tmux: prompt,
# history, Tab completion, Ctrl-C, Ctrl-D, exit N, ! and pipes
# (alienpy-behaviour.md 1.5; Part B 8-10, 12, 13).
JALIEND_ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$JALIEND_ROOT/tests/integration/lib.sh"
command -v tmux >/dev/null || { echo "test_shell: tmux not installed: skipped"; exit 0; }
stack_up

TM="tmux -S $T/tmux.sock"
shell_cleanup() {
	$TM kill-server 2>/dev/null || true
	lib_cleanup
}
trap shell_cleanup EXIT INT TERM

export HOME="$T/home"
mkdir -p "$HOME"
printf 'whoami\necho from-old-history\n' >"$HOME/.alienpy_history"
alien-mkdir -p dir1/sub dir2 >/dev/null
alien-touch dir1/file.txt >/dev/null

# start NAME: a shell in a new tmux session; its exit code lands in $T/NAME.rc
start() {
	$TM -f /dev/null new-session -d -s "$1" -x 160 -y 50 \
		"env ALIEN_SESSION=tmux-$1 alien; echo \$? >$T/$1.rc; sleep 600"
}
screen() { $TM capture-pane -p -t "$1" -S -200; }
keys() {
	s=$1
	shift
	$TM send-keys -t "$s" "$@"
}
# wait_screen NAME TEXT: until the pane shows TEXT (10 s)
wait_screen() {
	i=0
	until screen "$1" | grep -qF -- "$2"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "screen of $1 never showed [$2]; it shows:
$(screen "$1")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
}
# wait_line NAME TEXT: until a whole line of the pane is TEXT (output, not the typed command)
wait_line() {
	i=0
	until screen "$1" | grep -qxF -- "$2"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "screen of $1 never had the line [$2]; it shows:
$(screen "$1")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
}
# last_line NAME: the last non-empty line of the pane
last_line() { screen "$1" | grep -v '^$' | tail -n 1; }
wait_rc() {
	i=0
	while [ ! -s "$T/$1.rc" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "shell $1 did not exit: $(screen "$1")"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
	[ "$(cat "$T/$1.rc")" = "$2" ] || fail "shell $1 exited with $(cat "$T/$1.rc"), expected $2"
}

P="AliEn[jalien]:$HOME_DIR >"

# Part B 8: banner and prompt; cd changes the prompt
start a
wait_screen a "Welcome to the ALICE GRID"
wait_screen a "$P"
keys a 'cd dir1' Enter
wait_screen a "AliEn[jalien]:${HOME_DIR}dir1/ >"
keys a 'ls' Enter
wait_line a "file.txt"
# the shell's cwd is its own terminal's: another terminal did not move
run env ALIEN_SESSION=elsewhere alien-pwd
expect_out "$HOME_DIR" "another terminal stays home"

# Part B 10: Tab completes command names and grid paths
keys a 'whoa' Tab
wait_screen a "${HOME_DIR}dir1/ >whoami"
keys a Enter
wait_line a "jalien"
keys a 'ls ../dir' Tab
sleep 0.3
keys a Tab
wait_screen a "../dir2/"
keys a C-u 'ls ../dir2' Tab
wait_screen a "${HOME_DIR}dir1/ >ls ../dir2/"
keys a C-u 'cd ../dir1/s' Tab
wait_screen a "${HOME_DIR}dir1/ >cd ../dir1/sub/"
keys a C-u

# Part B 9: history is read at start and appended
keys a Up Up Up Up
wait_screen a "echo from-old-history"
keys a Enter
wait_line a "from-old-history"
CHECKS=$((CHECKS + 1))
grep -qx 'cd dir1' "$HOME/.alienpy_history" || fail "history not appended: $(cat "$HOME/.alienpy_history")"
[ "$(head -n 1 "$HOME/.alienpy_history")" = whoami ] || fail "history file rewritten: $(cat "$HOME/.alienpy_history")"

# Part B 11: prompt date / prompt pwd toggles
keys a 'prompt pwd' Enter
wait_screen a "AliEn[jalien]:${HOME_DIR}dir1/ local:$(pwd) >"
keys a 'prompt pwd' Enter 'prompt date' Enter 'echo dated' Enter
wait_line a "dated"
sleep 0.1
last_line a | grep -q "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\} AliEn\[jalien\]:${HOME_DIR}dir1/ >$" ||
	fail "prompt date: $(last_line a)"
CHECKS=$((CHECKS + 1))
keys a 'prompt date' Enter 'echo prompt-back' Enter
wait_line a "prompt-back"
sleep 0.1
[ "$(last_line a)" = "AliEn[jalien]:${HOME_DIR}dir1/ >" ] || fail "prompt after the toggles: $(last_line a)"

# ! and pipes and ; in the shell
keys a '!echo shell-$((6*7)); pwd | tr a-z A-Z' Enter
wait_line a "shell-42"
wait_screen a "$(printf '%s' "${HOME_DIR}dir1/" | tr a-z A-Z)"

# Part B 13 (ours): Ctrl-C while typing drops the line; Ctrl-C cancels a running command
keys a 'ls this-is-dropped' C-c
sleep 0.3
keys a 'echo after-ctrl-c' Enter
wait_line a "after-ctrl-c"
CHECKS=$((CHECKS + 1))
screen a | grep -q "No such file or directory" && fail "the dropped line ran: $(screen a)"
CL=$(cat "$STACK/jcentral-lite.pid")
kill -STOP "$CL"
keys a 'echo never-answered' Enter
sleep 0.5
keys a C-c
kill -CONT "$CL"
wait_screen a "^C"
keys a 'exitcode' Enter
wait_line a "130"
keys a 'echo still-alive' Enter
wait_line a "still-alive"
CHECKS=$((CHECKS + 1))
screen a | grep -q "^never-answered" && fail "the cancelled command printed: $(screen a)"
keys a '!sleep 30' Enter
sleep 0.3
keys a C-c
keys a 'echo after-sleep' Enter
wait_line a "after-sleep"

# Part B 12: Ctrl-D leaves with the last exit code
keys a 'ls /nothere' Enter
wait_screen a "No such file or directory"
keys a C-d
wait_screen a "Exit"
wait_rc a 2

# exit N, quit
start b
wait_screen b "$P"
keys b 'exit 5' Enter
wait_rc b 5
start c
wait_screen c "$P"
keys c 'pwd; quit' Enter
wait_rc c 0

# the shim links only libc and cJSON: libedit is opened by the shell only
CHECKS=$((CHECKS + 1))
ldd "$JALIEND_BUILD/client/alien" | grep -qiE 'edit|ssl|crypto|websockets' &&
	fail "ldd alien: $(ldd "$JALIEND_BUILD/client/alien")"

pass
