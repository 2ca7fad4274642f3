#!/bin/sh
# Issue 26 ("Also"): Tab completion inserts names the service sent as one
# word, escaped: a grid file named `x;!id>pwned` completed into a command
# line stays that file's name, and no `!id` runs (the interactive shell in
# tmux, and the bash completion function).
JALIEND_ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$JALIEND_ROOT/tests/integration/lib.sh"
. "$JALIEND_ROOT/tests/interactive/tmuxlib.sh"
stack_up

export HOME="$T/home"
mkdir -p "$HOME" "$T/work"
alien-mkdir -p q >/dev/null
alien-touch 'q/x;!id>pwned' >/dev/null
run alien-ls q
expect_out 'x;!id>pwned' "the grid file with ; and ! in its name"

# a name with a newline (sent raw: the shim would split it) is not offered:
# it would be two candidates, the second a word of the service's choosing
LP=$JALIEND_BUILD/tests/fault/lpclient
if [ -x "$LP" ]; then
	"$LP" -s "$JALIEND_SOCKET" -t 20 hello \
		"req:{\"argv\":[\"touch\",\"${HOME_DIR}q/nl\\nwhoami\"],\"session\":\"quote\"}" wait:EXIT shut >/dev/null
	run alien-ls q
	expect_out "$(printf 'nl\nwhoami\nx;!id>pwned')" "the name with a newline exists"
	run alien --complete path q/n
	expect_rc 0 "completion of q/n"
	expect_out "" "a name with a newline is not a candidate"
fi

# the interactive shell: `stat q/x` Tab Enter
cd "$T/work"
start_cmd a "env ALIEN_SESSION=tmux-quote alien"
wait_screen a "AliEn[jalien]:$HOME_DIR >"
keys a 'stat q/x' Tab
wait_screen a 'stat q/x\;\!id\>pwned'
keys a Enter
wait_match a "File: ${HOME_DIR}q/x;!id>pwned"
keys a 'exit' Enter
wait_rc a 0
CHECKS=$((CHECKS + 1))
[ ! -e "$T/work/pwned" ] || fail "completing a grid name ran its !id: $(cat "$T/work/pwned")"

# the bash completion function: each candidate shell-quoted
if command -v bash >/dev/null; then
	run bash -c ". '$ROOT/client/completion.bash'
COMP_WORDS=(alien-stat q/x); COMP_CWORD=1; _alien_complete alien-stat; printf '%s\n' \"\${COMPREPLY[@]}\""
	expect_out 'q/x\;\!id\>pwned' "bash completion quotes the name"
	run bash -c ". '$ROOT/client/completion.bash'
COMP_WORDS=(alien-stat q/x); COMP_CWORD=1; _alien_complete alien-stat; eval \"alien-stat \${COMPREPLY[0]}\""
	expect_rc 0 "the completed word names the file"
	expect_out_has "${HOME_DIR}q/x;!id>pwned" "bash: stat of the completed name"
	CHECKS=$((CHECKS + 1))
	[ ! -e "$T/work/pwned" ] || fail "the bash completion's word ran !id"
fi

pass
