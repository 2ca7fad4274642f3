#!/bin/sh
# Each terminal session keeps its own grid cwd; relative paths use it.
. "$(dirname "$0")/lib.sh"
stack_up

alien-mkdir -p a/b c >/dev/null
run env ALIEN_SESSION=termA alien-cd a/b
expect_rc 0 "cd in A"; expect_out "" "cd in A"
run env ALIEN_SESSION=termA alien-pwd
expect_out "${HOME_DIR}a/b/" "pwd in A"
run env ALIEN_SESSION=termB alien-pwd
expect_out "$HOME_DIR" "pwd in B (not moved by A)"

# relative paths resolve against the terminal's own cwd
ALIEN_SESSION=termA alien-mkdir x >/dev/null
run env ALIEN_SESSION=termA alien-ls
expect_out "x/" "ls in A"
run env ALIEN_SESSION=termB alien-ls
expect_out "$(printf 'a/\nc/')" "ls in B"

# cd - goes back; cd alone goes home
run env ALIEN_SESSION=termA alien-cd ../../c
expect_rc 0 "cd .. in A"
run env ALIEN_SESSION=termA alien-cd -
run env ALIEN_SESSION=termA alien-pwd
expect_out "${HOME_DIR}a/b/" "cd - in A"
run env ALIEN_SESSION=termA alien-cd
run env ALIEN_SESSION=termA alien-pwd
expect_out "$HOME_DIR" "cd alone in A"

# errors leave the cwd alone
run env ALIEN_SESSION=termB alien-cd nothere
expect_rc 2 "cd missing"; expect_err "No such file or directory"
run env ALIEN_SESSION=termB alien-cd a
run env ALIEN_SESSION=termB alien-pwd
expect_out "${HOME_DIR}a/" "pwd in B"

# the default key is the shell's session id: two setsid shells are two terminals
run setsid -w sh -c 'alien-cd a/b && alien-pwd'
expect_out "${HOME_DIR}a/b/" "cd + pwd in one setsid shell"
run setsid -w sh -c 'alien-pwd'
expect_out "$HOME_DIR" "another setsid shell starts at home"

# -json shows the terminal's own cwd in metadata
run env ALIEN_SESSION=termB alien-whoami -json
expect_rc 0 "whoami -json"
printf '%s' "$OUT" | python3 -c '
import json, sys
text = sys.stdin.read()
d = json.loads(text)
assert d["metadata"]["currentdir"].endswith("/a/"), d["metadata"]
assert d["metadata"]["exitcode"] == "0" and d["metadata"]["user"] == "jalien"
assert d["results"][0]["username"] == "jalien" and "message" in d["results"][0]
assert text == json.dumps(d, sort_keys=True, indent=2), "not sorted/indented like alien.py"
' || fail "whoami -json output: $OUT"
CHECKS=$((CHECKS + 1))

run env ALIENPY_JSON=1 alien-stat /nothere
expect_rc 2 "ALIENPY_JSON stat"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["metadata"]["exitcode"]=="2"' ||
	fail "ALIENPY_JSON error reply not JSON on stdout: $OUT"
expect_err "" "JSON mode prints errors in the JSON only"

pass
