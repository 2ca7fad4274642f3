#!/bin/sh
# whoami, pwd, mkdir -p then ls -l, stat of a missing path, unknown commands.
. "$(dirname "$0")/lib.sh"
stack_up

run alien-whoami
expect_rc 0 whoami; expect_out jalien whoami; expect_err "" whoami
run alien whoami
expect_rc 0 "alien whoami"; expect_out jalien "alien whoami"
run alien_whoami
expect_rc 0 "alien_whoami"; expect_out jalien "alien_whoami"

[ "$HOME_DIR" = /localhost/localdomain/user/j/jalien/ ] || fail "pwd at start is [$HOME_DIR]"

run alien-mkdir -p tour/sub1/deeper
expect_rc 0 "mkdir -p"; expect_out "" "mkdir -p"; expect_err "" "mkdir -p"
run alien-ls tour
expect_rc 0 ls; expect_out "sub1/" "ls (alien.py adds -F)"
run alien-ls -l tour
expect_rc 0 "ls -l"
echo "$OUT" | grep -Eq '^drwxr-xr-x +jalien +jalien +0 [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} +sub1/$' ||
	fail "ls -l line: [$OUT]"
CHECKS=$((CHECKS + 1))

run alien-stat tour/nothere
expect_rc 2 "stat missing"; expect_out "" "stat missing"
expect_err "No such file or directory : tour/nothere" "stat missing"

run alien-ls /localhost/localdomain/user/j/jalien/nothere
expect_rc 2 "ls missing"; expect_err "No such file or directory : /localhost/localdomain/user/j/jalien/nothere"

run alien-mkdir /localhost/forbidden
expect_rc 2 "mkdir without permission"; expect_out ""
expect_err_has "Could not create directory" "mkdir without permission"

run alien-stat tour/sub1
expect_rc 0 "stat dir"
expect_out_has "File: /localhost/localdomain/user/j/jalien/tour/sub1/" "stat dir"
expect_out_has "Type: d" "stat dir"

run alien frobnicate --now
expect_rc 1 "unknown command"; expect_out "" "unknown command"
expect_err "WARNING! command >>> frobnicate <<< not in the list of known commands!"

run alien </dev/null
expect_rc 0 "no arguments, empty stdin"; expect_out "" "no arguments, empty stdin"
run alien -json
expect_rc 22 "no command"; expect_one_line "no command"; expect_err_has "no command given"

pass
