#!/bin/sh
# alien.py's command-line rules in the shim: one quoted argument, `;` chains,
# `!cmd`, `cmd | shell`, `time`, the single-argument re-split, script files
# and commands on stdin (alienpy-behaviour.md 1.2, 1.3, 1.6, 1.7; Part B 1-7, 14, 15).
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=chain

# Part B 1, 20: command mode under every name
alien-mkdir -p run/sub >/dev/null
alien-touch run/x.log run/y.log run/z.txt >/dev/null
for name in "alien ls" alien-ls alien_ls; do
	run $name run
	expect_rc 0 "$name"; expect_out "$(printf 'sub/\nx.log\ny.log\nz.txt')" "$name run"
done

# Part B 2, 4: the whole chain as one argument; last exit code wins, errors do not stop it
run alien 'cd run; pwd; ls sub'
expect_rc 0 "chain"; expect_out "${HOME_DIR}run/" "chain: cd then pwd in one invocation"
run alien 'ls /nothere; pwd'
expect_rc 0 "chain goes on after an error"; expect_out "${HOME_DIR}run/" "chain after error"
expect_err_has "No such file or directory" "chain after error"
run alien 'pwd; ls /nothere'
expect_rc 2 "the last command's code wins"
run alien "$(printf 'cd ..\npwd')"
expect_rc 0 "newline splits"; expect_out "$HOME_DIR" "newline chain"
# outer quotes of a single argument go (alien.py), and ; inside quotes does not split
run alien "'echo one'"
expect_out "one" "outer quotes"
run alien 'echo "a;b"'
expect_rc 0 "quoted ;"; expect_out "a;b" "quoted ; is one argument"

# Part B 3: one argument after the verb is split again (alien.py test 003)
run alien-find "${HOME_DIR}run .log"
expect_rc 0 "find 'dir pattern'"
expect_out "$(printf '%s\n%s' "${HOME_DIR}run/x.log" "${HOME_DIR}run/y.log")" "find re-split"
run alien "find ${HOME_DIR}run .log"
expect_out "$(printf '%s\n%s' "${HOME_DIR}run/x.log" "${HOME_DIR}run/y.log")" "find as one chain"

# Part B 5: !cmd runs /bin/sh; its exit code is the result
run alien '!echo local; !exit 3'
expect_rc 3 "! exit code"; expect_out "local" "! output"

# Part B 6: pipe (space-guarded, first only, only on success)
run alien "ls ${HOME_DIR}run | grep log | wc -l"
expect_rc 0 "pipe"; expect_out "2" "pipe through two shell commands"
run alien 'ls /nothere | echo ran'
expect_rc 2 "pipe after failure"; expect_out "" "shell part does not run after a failure"
run alien 'ls run|wc -l'
expect_rc 2 "bare | is an argument (alien.py needs spaces)"
run alien 'echo x | false'
expect_rc 1 "the shell's exit code is the result"

# Part B 7: time prefix
run alien time pwd
expect_rc 0 "time"
printf '%s\n' "$OUT" | grep -qx ">>>ProcessInput time: [0-9]*\.[0-9][0-9][0-9] ms" || fail "time line: $OUT"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | head -n 1)" = "$HOME_DIR" ] || fail "time: command output first: $OUT"

# Part B 14: a script file argument; lines starting with # are comments
printf '# a comment\ncd run\nls sub\npwd\n' >"$T/script.alien"
run alien "$T/script.alien"
expect_rc 0 "script"; expect_out "${HOME_DIR}run/" "script runs every line in order"
printf 'pwd\nls /nothere\n' >"$T/fail.alien"
run alien "$T/fail.alien"
expect_rc 2 "script: exit code of the last line"

# Part B 15: commands on a stdin that is not a terminal (no banner, no prompt)
run sh -c "printf 'cd run\npwd\nwhoami\n' | alien"
expect_rc 0 "stdin"; expect_out "$(printf '%s\njalien' "${HOME_DIR}run/")" "stdin batch"
run sh -c "printf 'pwd\nexit 4\npwd\n' | alien"
expect_rc 4 "exit N in batch"; expect_out "${HOME_DIR}run/" "exit stops the batch (the terminal stays in run/)"

# Part B 17, 18: -json global and per command; ALIENPY_JSON
run alien 'pwd -json; pwd'
expect_rc 0 "per-command json"
printf "%s\n" "$OUT" | tail -n 1 | grep -qx "${HOME_DIR}run/" || fail "json then text: $OUT"
CHECKS=$((CHECKS + 1))
run alien -json whoami
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["results"][0]["username"]=="jalien"' ||
	fail "global -json: $OUT"
CHECKS=$((CHECKS + 1))

# Part B 21: the special words are not arguments
run alien-echo hello nokeys
expect_rc 0 "nokeys"; expect_out "hello" "nokeys is dropped"
run alien-echo hello allkeys
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"][0]; assert r["arg0"]=="hello" and r["message"]=="hello", r' ||
	fail "allkeys: $OUT"
CHECKS=$((CHECKS + 1))

# Part B 27: ~/.alienpy_aliases (name=value, # comments, quotes stripped; a chain as value)
mkdir -p "$T/h"
printf '# my aliases\nwhere="pwd; whoami"  # two commands\nlsl=ls -l\n' >"$T/h/.alienpy_aliases"
run env HOME="$T/h" alien where
expect_rc 0 "alias"; expect_out "$(printf '%s\njalien' "${HOME_DIR}run/")" "alias to a chain"
run env HOME="$T/h" alien "lsl ${HOME_DIR}run | grep -c log"
expect_out "2" "alias with arguments and a pipe"
run env HOME="$T/h" alien echo lsl where
expect_out "lsl where" "an alias only replaces the first word"

# Part B 24: stdout for results, stderr for the error only
run alien-ls /nothere
expect_rc 2 "ls missing"; expect_out "" "no stdout on error"; expect_err_has "No such file or directory"

pass
