#!/bin/sh
# The interactive shell (`alien` on a terminal) driven through tmux: prompt,
# history, Tab completion, Ctrl-C, Ctrl-D, exit N, ! and pipes
# (alienpy-behaviour.md 1.5; Part B 8-10, 12, 13).
JALIEND_ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$JALIEND_ROOT/tests/integration/lib.sh"
. "$JALIEND_ROOT/tests/interactive/tmuxlib.sh"
stack_up

export HOME="$T/home"
mkdir -p "$HOME"
printf 'whoami\necho from-old-history\n' >"$HOME/.alienpy_history"
alien-mkdir -p dir1/sub dir2 >/dev/null
alien-touch dir1/file.txt >/dev/null

# start NAME: a shell in a new tmux session; its exit code lands in $T/NAME.rc
start() { start_cmd "$1" "env ALIEN_SESSION=tmux-$1 alien"; }

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
keys a 'ls ../dir'
wait_screen a "${HOME_DIR}dir1/ >ls ../dir"
keys a Tab
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
wait_last_match a "^[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:]{8} AliEn\[jalien\]:${HOME_DIR}dir1/ >$"
keys a 'prompt date' Enter 'echo prompt-back' Enter
wait_line a "prompt-back"
wait_last a "AliEn[jalien]:${HOME_DIR}dir1/ >"

# ! and pipes and ; in the shell
keys a '!echo shell-$((6*7)); pwd | tr a-z A-Z' Enter
wait_line a "shell-42"
wait_screen a "$(printf '%s' "${HOME_DIR}dir1/" | tr a-z A-Z)"

# Part B 13 (ours): Ctrl-C while typing drops the line; Ctrl-C cancels a running command
# (each key only once the shell shows it has read the one before: a Ctrl-C
# that reaches the terminal first flushes what was typed after it)
keys a 'ls this-is-dropped'
wait_screen a "${HOME_DIR}dir1/ >ls this-is-dropped"
keys a C-c
wait_last a "AliEn[jalien]:${HOME_DIR}dir1/ >"
keys a 'echo after-ctrl-c' Enter
wait_line a "after-ctrl-c"
CHECKS=$((CHECKS + 1))
screen a | grep -q "No such file or directory" && fail "the dropped line ran: $(screen a)"
CL=$(cat "$STACK/jcentral-lite.pid")
kill -STOP "$CL"
keys a 'echo never-answered' Enter
# Ctrl-C only once the request is in flight (the daemon shows it running):
# before that the line editor has the terminal and Ctrl-C drops the line
wait_until "saw echo running in the daemon" "alien-daemon status" sh -c 'alien-daemon status | grep -q "running \`echo"'
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
wait_until "saw sleep 30 run below the shell" "screen a; ps -e -o pid,ppid,args" below_pane a "sleep 30"
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
