#!/bin/sh
# An upload's local walk runs off the daemon's loop (issue 19, DESIGN 1): while
# the walk of a tree of 3000 small files is held on its worker thread
# (JALIEND_TEST_WALK_HOLD, daemon/cp/cp_walk.c: the walk waits for a gate file,
# and says so with <gate>.held), another terminal's alien-whoami and
# alien-daemon status are answered; released, the cp lists every file. A cp
# whose shim goes away while its walk is held is cancelled, and the walk that
# then finishes is dropped: the daemon goes on serving.
. "$(dirname "$0")/cplib.sh"
GATE=$T/gate
export JALIEND_TEST_WALK_HOLD="$GATE"
stack_up
L=$T/local
N=3000
mkdir -p "$L/tree"
i=0
while [ $i -lt $N ]; do
	mkdir -p "$L/tree/d$((i % 30))"
	echo "$i" >"$L/tree/d$((i % 30))/f$i.txt"
	i=$((i + 1))
done

# held: wait (10 s at most) until the daemon's walk waits at the gate, while the shim $pid runs
held() {
	settled "the walk of $L/tree reached the gate" test -e "$GATE.held"
	kill -0 "$pid" 2>/dev/null || fail "the cp ended while its walk was held: $(cat "$T/bg.err")"
}

alien-cp -dryrun "file:$L/tree/" walked/ >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
held
run timeout 20 alien-whoami
expect_rc 0 "alien-whoami while a walk runs"
run timeout 20 alien-daemon status
expect_rc 0 "alien-daemon status while a walk runs"
expect_true "the cp is still walking after both answered" kill -0 "$pid"
touch "$GATE"
set +e
wait "$pid"
RC=$?
set -e
OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
expect_rc 0 "the -dryrun upload of $N files"
CHECKS=$((CHECKS + 1))
[ "$(grep -c ' -> ' "$T/bg.out")" -eq $N ] || fail "-dryrun listed $(grep -c ' -> ' "$T/bg.out") files, not $N"
CHECKS=$((CHECKS + 1))
(cd "$L/tree" && find . -type f | sed 's|^\./||' | sort) >"$T/want"
sed -n "s|^$L/tree/\([^ ]*\) -> .*|\1|p" "$T/bg.out" | sort >"$T/got"
cmp -s "$T/want" "$T/got" || fail "the walk's files differ from find's: $(diff "$T/want" "$T/got" | head -5)"

# the shim goes away while the walk is held: cancelled, the walk dropped when done
rm -f "$GATE" "$GATE.held"
alien-cp -dryrun "file:$L/tree/" walked2/ >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
held
kill "$pid"
set +e
wait "$pid"
set -e
settled "the daemon cancelled the cp" grep -q 'cp: cancelled' "$STACK/jaliend.log"
touch "$GATE"
run timeout 20 alien-whoami
expect_rc 0 "alien-whoami after a cp cancelled during its walk"
run timeout 60 alien-cp -dryrun "file:$L/tree/d7/" walked3/
expect_rc 0 "another walk after the cancelled one"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c ' -> ')" -eq $((N / 30)) ] || fail "the next walk listed the wrong files: $OUT"
pass
