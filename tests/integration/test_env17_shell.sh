#!/bin/sh
# ALIENPY_NO_CWD_RESTORE (issue 28, docs/COMPAT.md row 86): alien.py 1.7.0's interactive
# shell then starts in the home folder instead of the saved cwd; ours starts there instead
# of its terminal's cwd (kept by jaliend), which then is the home folder for the terminal's
# next commands too. Without it the shell starts in the terminal's cwd. Driven through tmux
# (tests/interactive/tmuxlib.sh; skipped without tmux).
JALIEND_ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$JALIEND_ROOT/tests/integration/lib.sh"
. "$JALIEND_ROOT/tests/interactive/tmuxlib.sh"
stack_up
export HOME="$T/home"
mkdir -p "$HOME"
ok() {
	run "$@"
	expect_rc 0 "$*"
}
ok alien-mkdir -p d1
ok env ALIEN_SESSION=keep alien cd d1
ok env ALIEN_SESSION=fresh alien cd d1

start_cmd keep "env ALIEN_SESSION=keep alien"
wait_screen keep "AliEn[jalien]:${HOME_DIR}d1/ >"
keys keep 'exit' Enter
wait_rc keep 0

start_cmd fresh "env ALIEN_SESSION=fresh ALIENPY_NO_CWD_RESTORE=1 alien"
wait_screen fresh "Welcome to the ALICE GRID"
wait_screen fresh "AliEn[jalien]:$HOME_DIR >"
keys fresh 'pwd' Enter
wait_line fresh "$HOME_DIR"
keys fresh 'exit' Enter
wait_rc fresh 0
CHECKS=$((CHECKS + 1))
screen fresh | grep -qF "${HOME_DIR}d1/" && fail "ALIENPY_NO_CWD_RESTORE: the shell showed the old cwd: $(screen fresh)"
run env ALIEN_SESSION=fresh alien pwd
expect_out "$HOME_DIR" "after ALIENPY_NO_CWD_RESTORE the terminal is home"
run env ALIEN_SESSION=keep alien pwd
expect_out "${HOME_DIR}d1/" "without ALIENPY_NO_CWD_RESTORE the terminal keeps its cwd"
pass
