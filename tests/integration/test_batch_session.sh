#!/bin/sh
# Issue 26, item 6 and "Also": each line of `alien -j N` runs in a grid
# session of its own that starts in the terminal's cwd; a `cd` on one line
# moves neither the other lines nor the terminal. Output waiting its turn
# has a cap (client/batch.h): a line past it loses the rest and fails with
# one line, the others print whole.
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=batchsess
alien-mkdir -p start/a start/b >/dev/null
alien-touch start/a/only_a start/b/only_b start/here >/dev/null
alien-cd start
START=${HOME_DIR}start/

# 40 lines, 8 at a time: a `cd` line, then a bare `ls`, in turn; the last
# line leaves its session in a/
i=0
while [ $i -lt 40 ]; do
	case $((i % 4)) in
	0) echo "cd a; ls" >>"$T/cmds" && echo "only_a" >>"$T/want" ;;
	2) echo "cd b; ls" >>"$T/cmds" && echo "only_b" >>"$T/want" ;;
	*) echo "ls" >>"$T/cmds" && printf 'a/\nb/\nhere\n' >>"$T/want" ;;
	esac
	i=$((i + 1))
done
echo "cd a; pwd" >>"$T/cmds"
echo "${START}a/" >>"$T/want"
run alien -j 8 "$T/cmds"
expect_rc 0 "alien -j 8 of cd lines and ls lines"
CHECKS=$((CHECKS + 1))
if [ "$OUT" != "$(cat "$T/want")" ]; then
	wrong=$(diff "$T/out" "$T/want" | grep -c '^<' || true)
	fail "-j 8: $wrong output lines are not what each line's own session gives (a line ran in another line's folder): $(diff "$T/out" "$T/want" | head -8)"
fi
run alien pwd
expect_out "$START" "the terminal's cwd is unchanged after alien -j"

# a line's cd - goes back to the terminal's folder, not to another line's
run sh -c "printf 'cd a; cd -; pwd\ncd b; cd -; pwd\n' | alien -j 2"
expect_out "$(printf '%s\n%s' "$START" "$START")" "cd - in a line"

# the output cap: with -j 64 a line may hold 4 MiB of stdout (2 GiB / (2 * 4 * 64))
{
	echo "pwd"
	echo "!head -c 5242880 /dev/zero"
	echo "whoami"
} >"$T/big"
set +e
alien -j 64 "$T/big" >"$T/big.out" 2>"$T/big.err"
RC=$?
set -e
ERR=$(cat "$T/big.err")
OUT=""
expect_rc 1 "a line over the output cap fails"
CHECKS=$((CHECKS + 1)) # head says its write failed; alien says why, once
[ "$(grep -c -- '--jobs' "$T/big.err")" -eq 1 ] || fail "over the cap: not one line from alien: [$ERR]"
expect_err_has "line 2 wrote over the 4 MiB an output may hold while it waits its turn (-j 64); the rest was lost" "over the cap: why"
CHECKS=$((CHECKS + 1))
size=$(wc -c <"$T/big.out")
want=$((${#START} + 1 + 4194304 + $(alien-whoami | wc -c)))
[ "$size" -eq "$want" ] || fail "-j 64 with a 5 MiB line printed $size bytes, expected $want (pwd, 4 MiB, whoami)"
CHECKS=$((CHECKS + 1))
[ "$(tail -n 1 "$T/big.out" | tr -d '\0')" = "$(alien-whoami)" ] || fail "the line after the capped one did not print whole"

pass
