#!/bin/sh
# The real alien.py 1.6.3 through jaliend's JBox: it verifies the JBox's
# certificate (the daemon's token) against the CA folder, finds the endpoint
# in $TMPDIR/jclient_token_<uid>, and runs whoami, ls and cp on the daemon's
# sessions, with no fallback to alice-jcentral.cern.ch and no warning.
. "$(dirname "$0")/reallib.sh"
APY=${JALIEND_REAL_ALIENPY:-$JALIEND_REAL/client/alienpy163}
[ -d "$APY/alienpy" ] || real_skip "no alien.py at $APY (JALIEND_REAL_ALIENPY)"
mkdir -p "$T/home"
alienpy() {
	HOME=$T/home ALIENPY_NO_STAGGER=1 ALIENPY_NO_HISTORY=1 PYTHONPATH=$APY \
		/usr/bin/python3 -c 'import sys; sys.argv[0]="alien.py"; from alienpy.alien import main; sys.exit(main())' "$@"
}
accepted() {
	alien-daemon status | sed -n 's/^jbox:.*(\([0-9]*\) accepted.*/\1/p'
}
before=$(accepted)
run alienpy whoami
expect_rc 0 "alien.py whoami"; expect_out "$(alien-whoami)" "alien.py whoami"
CHECKS=$((CHECKS + 1))
[ -z "$ERR" ] || fail "alien.py wrote to stderr: $ERR"
CHECKS=$((CHECKS + 1))
[ "$(accepted)" -gt "$before" ] || fail "alien.py did not come through the JBox: $(alien-daemon status | grep jbox)"

grid_dir jbox
head -c 3000000 /dev/urandom >"$T/f.bin"
run alienpy cp "file:$T/f.bin" "$G/f.bin"; expect_rc 0 "alien.py cp up"
run alienpy cp "$G/f.bin" "file:$T/f.back"; expect_rc 0 "alien.py cp down"
CHECKS=$((CHECKS + 1))
[ "$(md5 "$T/f.bin")" = "$(md5 "$T/f.back")" ] || fail "alien.py download differs from its upload"
run alienpy ls -l "$G"; expect_rc 0 "alien.py ls -l"; expect_out_has "f.bin" "alien.py ls -l"
# the same file seen through the shims (same daemon, same catalogue)
ok alien-stat "$G/f.bin"; expect_out_has "3000000" "the shim sees alien.py's upload"
ok alien-rm -rf "$G"
CHECKS=$((CHECKS + 1))
grep -qi "SSLCertVerificationError\|self-signed" "$T/home/alien_py.log" 2>/dev/null &&
	fail "alien.py logged a certificate problem: $(grep -i ssl "$T/home/alien_py.log" | head -3)"
pass
