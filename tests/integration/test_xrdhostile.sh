#!/bin/sh
# A broken or hostile storage server (issue 26, items 4 and 7 and its "Also"): tests/fault/xrdfake.py
# answers every request the daemon makes (ping, query config/stats, stat, open/read) with empty,
# truncated, oversized or malformed bodies, one mode per run. xrd_ping, xrd_config, xrd_stats,
# pfn-status and an alien-cp download are run against each: the daemon stays up (alien-whoami
# after each) and each command that got a broken answer fails with one line and exit 1, nothing
# left under the download's name. Then:
#  - an SE that serves a replica longer than the catalogue's size is not read past that size
#    (the fake counts the bytes it sent): the download fails at once, naming both sizes;
#  - xrd_config whose answers pass the 4 MiB cap fails naming the cap (it wrapped before);
#  - pfn-status of a replica whose PFN the service sent is shorter than "root://" (item 7:
#    read past it; seen under ASan / valgrind, fault.sanitizers runs this test).
. "$(dirname "$0")/lib.sh"
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed"; exit 77; }
stack_up
DPID=$(cat "$STACK/jaliend.pid")
L=$T/local
mkdir -p "$L/dl"
SIZE=3000000
head -c $SIZE /dev/urandom >"$L/f.bin"
run alien-cp "file:$L/f.bin" "f.bin@ALICE::JCL::SE1"
expect_rc 0 "upload of f.bin to SE1"
P1=$(sed -n "s|.*ALICE::JCL::SE1=root://127.0.0.1:\([0-9]*\)/.*|\1|p" "$STACK/jcentral-lite.args")
[ -n "$P1" ] || fail "no SE1 port in $STACK/jcentral-lite.args"

# sql STATEMENT ARG...: run it on jcentral-lite's catalogue
sql() {
	python3 - "$STACK/catalogue.db" "$@" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
c.execute(sys.argv[2], sys.argv[3:])
c.commit()
PY
}
# replica_host FROM TO: f.bin's replica moved from one host:port to another (its SE stays SE1)
replica_host() {
	sql "UPDATE pfn SET pfn = replace(pfn, ?, ?) WHERE guid = (SELECT guid FROM lfn WHERE lfn = ?)" \
		"127.0.0.1:$1" "127.0.0.1:$2" "${HOME_DIR}f.bin"
}

# fake NAME MODE [DATA]: a fake server in MODE (serving DATA); its port in $FP, its log $T/fake.NAME.log
fake() {
	name=$1
	shift
	python3 "$ROOT/tests/fault/xrdfake.py" "$T/fake.$name" "$@" 2>>"$T/fake.err" &
	i=0
	until [ -s "$T/fake.$name" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "xrdfake $name did not start: $(cat "$T/fake.err")"
		sleep 0.05
	done
	FP=$(cat "$T/fake.$name")
}

# alive WHAT: the daemon lives and answers
alive() {
	CHECKS=$((CHECKS + 1))
	kill -0 "$DPID" 2>/dev/null || fail "$1: the daemon died"
	run alien-whoami
	expect_rc 0 "$1: alien-whoami after"
}

# one_line_fail WHAT TEXT: exit 1, and the broken answer is one line of stdout+stderr holding TEXT
one_line_fail() {
	expect_rc 1 "$1"
	CHECKS=$((CHECKS + 1))
	n=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -cF "$2") || true
	[ "$n" -eq 1 ] || fail "$1: not one line with [$2]: (stdout: $OUT) (stderr: $ERR)"
}

HP=
for mode in empty truncated oversized malformed; do
	fake $mode $mode "$L/f.bin"
	HP=127.0.0.1:$FP
	run alien-xrd_ping -c 2 "$HP"
	case $mode in
	empty | oversized) expect_rc 0 "xrd_ping ($mode: a ping has no body to break)" ;;
	*) one_line_fail "xrd_ping ($mode)" "$HP " ;;
	esac
	alive "xrd_ping ($mode)"
	run alien-xrd_config "$HP"
	one_line_fail "xrd_config ($mode)" "Query error for $HP : "
	alive "xrd_config ($mode)"
	for opt in "" -xml -xmlraw; do
		# shellcheck disable=SC2086 # no option, or one
		run alien-xrd_stats $opt "$HP"
		if [ "$mode$opt" = malformed-xmlraw ]; then # raw: the text as the server sent it
			expect_rc 0 "xrd_stats -xmlraw ($mode)"
			expect_out '<statistics tod="1" ver="v5"><stats id="info"><host>x' "xrd_stats -xmlraw ($mode)"
		else
			one_line_fail "xrd_stats $opt ($mode)" "xrdfs_q_stats:: "
		fi
		alive "xrd_stats $opt ($mode)"
	done
	run alien-pfn-status "root://$HP//some/file"
	case $mode in
	oversized) expect_rc 0 "pfn-status ($mode: a size of 1 TiB is an answer)" ;;
	*) one_line_fail "pfn-status ($mode)" "root://$HP//some/file		Message: " ;;
	esac
	alive "pfn-status ($mode)"
	# the download, from the fake only
	replica_host "$P1" "$FP"
	# -timeout: libXrdCl reconnects and sends the open again after each truncated answer (12 000
	# times a minute here) until its request timeout, 1800 s by default (RELIABILITY finding 23)
	run alien-cp -timeout 20 f.bin "file:$L/dl/"
	expect_rc 1 "download from the fake server ($mode)"
	expect_err_has "STATUS ERROR" "download from the fake server ($mode)"
	CHECKS=$((CHECKS + 1))
	[ -z "$(ls -A "$L/dl")" ] || fail "download ($mode) left files: $(ls -A "$L/dl")"
	replica_host "$FP" "$P1"
	alive "download ($mode)"
done
# the oversized config answers: the cap, not a wrap
fake cap oversized
run alien-xrd_config "127.0.0.1:$FP"
expect_err "Query error for 127.0.0.1:$FP : [ERROR] an answer over 4 MiB to query config bind_max" "xrd_config over the cap"

# a replica longer than the catalogue says: not read past the catalogue's size
head -c $((8 << 20)) /dev/urandom | cat "$L/f.bin" - >"$L/long.bin"
fake long good "$L/long.bin"
replica_host "$P1" "$FP"
run alien-cp f.bin "file:$L/dl/"
expect_rc 1 "download of a replica longer than the catalogue's size"
expect_err_has "has $((SIZE + (8 << 20))) bytes, the catalogue $SIZE" "the sizes are named"
CHECKS=$((CHECKS + 1))
served=$(sed -n 's/^served //p' "$T/fake.long.log" | tail -n 1)
[ "${served:-0}" -le $SIZE ] || fail "the daemon read $served bytes of a $SIZE-byte file from the SE"
CHECKS=$((CHECKS + 1))
[ -z "$(ls -A "$L/dl")" ] || fail "the long replica left files: $(ls -A "$L/dl")"
# the same SE, honest now: the download works
head -c $SIZE "$L/long.bin" >"$L/same.bin"
LONGP=$FP
fake honest good "$L/same.bin"
replica_host "$LONGP" "$FP"
run alien-cp f.bin "file:$L/dl/"
expect_rc 0 "download from an honest fake server"
CHECKS=$((CHECKS + 1))
cmp -s "$L/f.bin" "$L/dl/f.bin" || fail "the honest download differs"

# item 7: a PFN from the service shorter than "root://"
cp "$L/f.bin" "$L/g.bin"
run alien-cp "file:$L/g.bin" "g.bin@ALICE::JCL::SE1"
expect_rc 0 "upload of g.bin"
sql "UPDATE pfn SET pfn = 'r' WHERE guid = (SELECT guid FROM lfn WHERE lfn = ?)" "${HOME_DIR}g.bin"
run alien-pfn-status g.bin
expect_rc 1 "pfn-status of a short PFN"
expect_out_has "r		Message: [FATAL] Invalid address" "pfn-status names the short PFN"
alive "pfn-status of a short PFN"
pass
