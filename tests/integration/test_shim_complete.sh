#!/bin/sh
# Completion answers of jaliend (`alien --complete`, used by the shell's Tab
# and by client/completion.bash): command names and grid paths (Part B 10).
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=compl

alien-mkdir -p data/run1 data/run2 data/.hid >/dev/null
alien-touch data/readme.txt >/dev/null

run alien --complete command who
expect_rc 0 "commands"; expect_out "$(printf 'whoami\nwhois')" "commands starting with who"
run alien --complete command cert
expect_out "$(printf 'cert-info\ncert-verify\ncertkey-match')" "client-side commands are candidates too"
run alien --complete path da
expect_out "data/" "a folder gets its /"
run alien --complete path data/
expect_out "$(printf 'data/readme.txt\ndata/run1/\ndata/run2/')" "entries as typed, hidden ones left out"
run alien --complete path data/.
expect_out "data/.hid/" "hidden entries when asked for with a dot"
run alien --complete path "${HOME_DIR}data/r"
expect_out "$(printf '%s\n' "${HOME_DIR}data/readme.txt" "${HOME_DIR}data/run1/" "${HOME_DIR}data/run2/")" "absolute"
run alien --complete path "~/data/run"
expect_out "$(printf '~/data/run1/\n~/data/run2/')" "~ is home"
run alien --complete path "%ALIEN/data/run1"
expect_out "%ALIEN/data/run1/" "%ALIEN is home"
# relative to the terminal's cwd
ALIEN_SESSION=compl alien-cd data
run alien --complete path run
expect_out "$(printf 'run1/\nrun2/')" "relative to the terminal's cwd"
# a change through jaliend is seen at once (the cached listing is dropped)
alien-mkdir run3 >/dev/null
run alien --complete path run
expect_out "$(printf 'run1/\nrun2/\nrun3/')" "new folder seen at once"
# a fresh listing is answered from the cache: no second `ls` to JCentral
alien-daemon debug on >/dev/null
alien-touch run1/f1 run1/f2 >/dev/null
lscount() { grep -c '> {"command":"ls","options":\["-nomsg","-a","-F","'"${HOME_DIR}data/run1/"'"\]}' "$STACK/jaliend.log" || true; }
alien --complete path run1/f >/dev/null
alien --complete path run1/ >/dev/null
run alien --complete path "${HOME_DIR}data/run1/f"
expect_out "$(printf '%s\n' "${HOME_DIR}data/run1/f1" "${HOME_DIR}data/run1/f2")" "cached listing"
CHECKS=$((CHECKS + 1))
[ "$(lscount)" -eq 1 ] || fail "three completions in one folder sent $(lscount) ls requests, expected 1"
alien-daemon debug off >/dev/null

run alien --complete path /nothere/x
expect_rc 0 "missing folder"; expect_out "" "missing folder: no candidates"
run alien --complete color x
expect_rc 22 "bad kind"; expect_one_line "bad kind"

# the bash completion function
if command -v bash >/dev/null; then
	run bash -c ". '$ROOT/client/completion.bash'
COMP_WORDS=(alien whoa); COMP_CWORD=1; _alien_complete alien; echo \"\${COMPREPLY[*]}\"
COMP_WORDS=(alien-ls ru); COMP_CWORD=1; _alien_complete alien-ls; echo \"\${COMPREPLY[*]}\""
	expect_out "$(printf 'whoami\nrun1/ run2/ run3/')" "bash completion"
fi

pass
