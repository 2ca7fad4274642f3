#!/bin/sh
# alien --jobs N: command lines run N at a time over the daemon's pool, each
# command's output printed whole and in input order, exit code = the first
# failure's; the same output as the plain loop.
. "$(dirname "$0")/lib.sh"
stack_up
alien-mkdir -p batch
i=0
while [ $i -lt 12 ]; do
	alien-touch "batch/f$i"
	i=$((i + 1))
done
# the commands: stats, two that fail (2 first), comments and blank lines
{
	echo "# a comment, then a blank line"
	echo
	i=0
	while [ $i -lt 12 ]; do
		echo "stat batch/f$i"
		[ $i -eq 5 ] && echo "stat batch/nothere"
		[ $i -eq 8 ] && echo "ls -Z batch"
		i=$((i + 1))
	done
} >"$T/cmds"
# the plain loop, one command after the other
set +e
grep -v '^#' "$T/cmds" | grep . | while read -r line; do
	# shellcheck disable=SC2086
	alien $line
done >"$T/loop.out" 2>"$T/loop.err"
set -e
run alien --jobs 4 "$T/cmds"
expect_rc 2 "--jobs 4: exit code of the first failing command (stat of a missing file)"
CHECKS=$((CHECKS + 2))
[ "$OUT" = "$(cat "$T/loop.out")" ] || fail "--jobs 4 stdout differs from the loop: $(diff "$T/out" "$T/loop.out" | head)"
[ "$ERR" = "$(cat "$T/loop.err")" ] || fail "--jobs 4 stderr differs from the loop: [$ERR] vs [$(cat "$T/loop.err")]"
run sh -c "alien -j 3 <'$T/cmds'"
expect_rc 2 "-j 3 from stdin"
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$(cat "$T/loop.out")" ] || fail "-j 3 from stdin: stdout differs from the loop"

# order holds when later commands end first: the first line is the slowest
{
	echo "!sh -c 'sleep 0.5 && echo first'"
	echo "echo second"
	echo "echo third"
} >"$T/order"
run alien -j 3 "$T/order"
expect_rc 0 "ordered output"
expect_out "first
second
third" "output in input order although the first ended last"

# really N at a time: four lines that each wait until all four have started
# (for at most 10 s), then say how many had
mkdir "$T/bar"
cat >"$T/bar.sh" <<BAR
mkdir "$T/bar/\$1"
i=0
while [ "\$(ls "$T/bar" | wc -l)" -lt 4 ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
ls "$T/bar" | wc -l
BAR
: >"$T/barrier"
for n in 0 1 2 3; do echo "!sh $T/bar.sh $n" >>"$T/barrier"; done
run alien --jobs 4 "$T/barrier"
expect_rc 0 "four at once"
expect_out "4
4
4
4" "--jobs 4 ran four lines at the same time"

# bad input: one line, exit 22, nothing run
for bad in "-j" "-j 0" "-j 65" "-j x" "--jobs 4 a b"; do
	# shellcheck disable=SC2086
	run alien $bad
	expect_rc 22 "alien $bad"
	expect_err_has "usage: alien --jobs N [FILE]" "alien $bad"
done
run alien -j 2 "$T/nothere"
expect_rc 1 "a missing batch file"; expect_err_has "cannot read $T/nothere" "a missing batch file"
pass
