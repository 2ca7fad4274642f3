#!/bin/sh
# Bad input to the shim: one line naming what was wrong, a non-zero exit,
# and the next command still works. Large replies stream through.
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=bad

# unbalanced quotes: one line, exit 22; the rest of the chain still runs
run alien "echo 'oops; pwd"
expect_rc 22 "unbalanced quote"; expect_one_line "unbalanced quote"; expect_err_has "unbalanced quotes in: echo 'oops"
run alien 'echo "a b; pwd'
expect_rc 22 "unbalanced double quote"; expect_err_has "unbalanced quotes"
run alien "echo 'x; pwd"
expect_rc 22 "quoted ; keeps the quote open"
run alien "echo 'x'; pwd"
expect_rc 0 "balanced"; expect_out "$(printf 'x\n%s' "$HOME_DIR")" "balanced quotes then pwd"

# empty input: nothing to do, success (as alien.py)
run alien ''
expect_rc 0 "empty argument"; expect_out "" "empty argument"; expect_err "" "empty argument"
run alien ' ; ;; '
expect_rc 0 "only separators"; expect_err "" "only separators"
run sh -c "printf '\n\n   \n' | alien"
expect_rc 0 "empty stdin lines"; expect_err "" "empty stdin lines"
run alien -json
expect_rc 22 "only -json"; expect_one_line "only -json"

# a 100 KB argument: over the 64 KiB argument cap, refused with the number
big=$(head -c 102400 /dev/zero | tr '\0' a)
run alien-echo "$big"
expect_rc 22 "100 KB argument"; expect_one_line "100 KB argument"; expect_err_has "65536" "100 KB argument"
run alien-pwd
expect_rc 0 "daemon alive after the big argument"; expect_out "$HOME_DIR"

# non-UTF-8 bytes: refused in the shim, naming the argument and the byte
run alien-echo ok "$(printf 'bad\377byte')"
expect_rc 22 "non-UTF-8"; expect_one_line "non-UTF-8"; expect_err_has "argument 2 (bad\\xffbyte) of \`echo\` is not valid UTF-8 (byte 4 is 0xff)"
run alien-echo "$(printf 'caf\303\251')"
expect_rc 0 "valid UTF-8"; expect_out "$(printf 'caf\303\251')" "UTF-8 passes"

# an over-long script: refused, naming the limit
head -c 1100000 /dev/zero | tr '\0' '\n' >"$T/huge.alien"
run alien "$T/huge.alien"
expect_rc 22 "huge script"; expect_one_line "huge script"; expect_err_has "limit" "huge script"
head -c 3000000 /dev/zero | tr '\0' '\n' >"$T/huge.alien"
run alien "$T/huge.alien"
expect_rc 22 "very huge script"; expect_one_line "very huge script"; expect_err_has "over the 1 MiB limit"

# a reply over several 64 KiB frames streams through complete, and through a pipe
alien-mkdir big >/dev/null
i=0
while [ $i -lt 12 ]; do
	names=$(seq -f "big/file_with_a_rather_long_name_to_fill_the_frames_%04g_$i" 1 100 | tr '\n' ' ')
	alien-touch $names >/dev/null
	i=$((i + 1))
done
alien-find "${HOME_DIR}big" file >"$T/find.out"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/find.out")" -eq 1200 ] || fail "big find: $(wc -l <"$T/find.out") lines, expected 1200"
[ "$(wc -c <"$T/find.out")" -gt 65536 ] || fail "big find smaller than one frame"
run alien "find ${HOME_DIR}big file | wc -l"
expect_rc 0 "big reply into a pipe"; expect_out "1200" "big reply into a pipe"

pass
