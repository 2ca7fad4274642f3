#!/bin/sh
# Pool fairness (issue #4): a slow command on one session never delays a
# quick one while another session is idle. jcentral-lite holds every `find`
# for 8 s; while one runs, 20 `alien-ls` in a row must all be answered before
# it ends. Then the same with one session only (--pool 1 --pool-max 1): the
# first `ls` must wait for the find, which shows the check can fail.
. "$(dirname "$0")/lib.sh"
export JCL_ARGS="--slow find=8000" # room for 20 ls + 20 status on a loaded machine under ASan
stack_up
alien-mkdir -p fair >/dev/null

# find_running: the daemon still waits for the find's reply (its own view: the
# find's shim may still be printing and exiting after the daemon is done with it,
# so its pid says nothing about the order of the replies)
find_running() { alien-daemon status 2>/dev/null | grep -q 'running `find'; }

# ls_during_find: start a find, run 20 ls; prints how many ls finished while
# the find was still running.
ls_during_find() {
	alien-find fair '*' >"$T/find.out" 2>&1 &
	f=$!
	# until the find is on its session (status is answered by the daemon itself)
	w=0
	until find_running; do
		w=$((w + 1))
		[ $w -lt 100 ] || fail "the find never showed up as running in alien-daemon status"
		sleep 0.05
	done
	n=0
	i=0
	while [ $i -lt 20 ]; do
		alien-ls fair >/dev/null || fail "ls failed while a find ran"
		find_running && n=$((n + 1))
		i=$((i + 1))
	done
	wait "$f" || true
	echo "$n"
}

n=$(ls_during_find)
echo "pool 2: $n of 20 ls answered while the find ran"
CHECKS=$((CHECKS + 1))
[ "$n" -eq 20 ] || fail "only $n of 20 ls were answered while a slow find held one session: $(alien-daemon status)"

# one session: the quick command has to wait (the test can tell the difference)
"$ROOT/scripts/stack" down "$STACK" >/dev/null 2>&1
rm -f "$STACK/jaliend.pid" "$STACK/jcentral-lite.pid"
JALIEND_ARGS="--pool 1 --pool-max 1" "$ROOT/scripts/stack" up "$STACK" 2>/dev/null
alien-mkdir -p fair >/dev/null
n=$(ls_during_find)
echo "pool 1: $n of 20 ls answered while the find ran"
CHECKS=$((CHECKS + 1))
[ "$n" -eq 0 ] || fail "with one session, $n ls were answered while the find held it"
pass
