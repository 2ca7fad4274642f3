# cplib.sh - shared by tests/cp: tests/integration/lib.sh plus transfer helpers.
. "${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

command -v xrootd >/dev/null 2>&1 || fail "xrootd is not installed: the cp tests need real storage elements"

# md5 FILE: its md5 as hex
md5() { md5sum "$1" | cut -d' ' -f1; }

# expect_same_md5 A B WHAT
expect_same_md5() {
	CHECKS=$((CHECKS + 1))
	[ "$(md5 "$1")" = "$(md5 "$2")" ] || fail "$3: md5 of $2 differs from $1"
}

# expect_true WHAT COMMAND...: the command succeeds
expect_true() {
	what=$1
	shift
	CHECKS=$((CHECKS + 1))
	"$@" || fail "$what"
}

# replicas LFN: the SE names alien-whereis lists, one per line, sorted
replicas() { alien-whereis "$1" | sed -n 's/.*SE => \([^ ]*\) .*/\1/p' | sort; }

# se_stop N: stop storage element N of this test's stack (by its recorded pid)
se_stop() { "$ROOT/scripts/xrootd-se" stop "$STACK/se$1"; }

# leftovers DIR: temporary download files left in DIR (should be none)
leftovers() { find "$1" -name '.*.jaliend-*' | wc -l; }

# metalinks: metalink files left in the stack's TMPDIR (should be none)
metalinks() { find "$STACK/tmp" -name 'jaliend-cp-*.meta4' | wc -l; }

# se_files: data files on both SEs
se_files() { find "$STACK"/se1/data "$STACK"/se2/data -type f 2>/dev/null | wc -l; }

# big_setup MIB: a stack, $L/big.bin of MIB MiB of random bytes (SIZE: its
# bytes), uploaded as src.bin (default specs); $L/dl exists and is empty
big_setup() {
	stack_up
	L=$T/local
	mkdir -p "$L/dl"
	SIZE=$(($1 * 1024 * 1024))
	head -c $SIZE /dev/urandom >"$L/big.bin"
	run alien-cp "file:$L/big.bin" src.bin
	expect_rc 0 "upload of the file to download later"
}

# half_way DIR: wait until a file below DIR, newer than $T/stamp, holds half
# of SIZE (30 s at most) while the shim $pid runs
half_way() {
	i=0
	until find "$1" -type f -newer "$T/stamp" -size +$((SIZE / 2 / 1024))k 2>/dev/null | grep -q .; do
		i=$((i + 1))
		[ $i -lt 3000 ] || fail "no transfer reached half way in $1"
		kill -0 "$pid" 2>/dev/null || fail "the shim ended before half way: $(cat "$T/bg.err")"
		sleep 0.01
	done
}

# counts_get KEY: the number on jcentral-lite's --counts line KEY ($COUNTS: "total",
# "cmd NAME", "inflight_max"), 0 if none
counts_get() { sed -n "s/^$1 //p" "$COUNTS" 2>/dev/null | grep . || echo 0; }
# counts_mark: one ls after a cp; once the file counts it, every request before it is counted too
MARKS=0
counts_mark() {
	MARKS=$((MARKS + 1))
	alien-ls / >/dev/null 2>&1
	settled "the counts file counts ls number $MARKS" sh -c "[ \"\$(sed -n 's/^cmd ls //p' '$COUNTS')\" = $MARKS ]"
}

# two_folders DIR N STEP ADD: N random files DIR/a/f0.dat, DIR/b/f1.dat, ... alternately
# in DIR/a and DIR/b, file i of i * STEP + ADD bytes
two_folders() {
	mkdir -p "$1/a" "$1/b"
	i=0
	while [ $i -lt "$2" ]; do
		d=a
		[ $((i % 2)) -eq 0 ] || d=b
		head -c $((i * $3 + $4)) /dev/urandom >"$1/$d/f$i.dat"
		i=$((i + 1))
	done
}

# xrdcl_job WHAT PATTERN [LOG]: libXrdCl's log (LOG, default $T/xrdcl.log: the daemon ran with
# XRD_LOGLEVEL=Dump XRD_LOGFILE=$T/xrdcl.log) shows a copy job whose properties match PATTERN (grep)
xrdcl_job() {
	CHECKS=$((CHECKS + 1))
	grep "Adding job with properties" "${3:-$T/xrdcl.log}" | grep -q "$2" ||
		fail "$1: no XrdCl job with $2 in: $(grep 'Adding job' "${3:-$T/xrdcl.log}")"
}
