#!/bin/sh
# alien-direct against a local stack: same output and exit codes as the
# daemon path, JSON that parses, one-line errors with alien.py's codes.
ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck disable=SC1091 # tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
stack_up

# same_as CMD...: alien-direct CMD and alien CMD print the same and exit the same
same_as() {
	run alien-direct "$@"
	d_out=$OUT d_err=$ERR d_rc=$RC
	run alien "$@"
	CHECKS=$((CHECKS + 1))
	[ "$d_rc" -eq "$RC" ] || fail "alien-direct $*: exit $d_rc, the daemon path exits $RC"
	[ "$d_out" = "$OUT" ] || fail "alien-direct $*: stdout [$d_out], the daemon path prints [$OUT]"
	[ "$d_err" = "$ERR" ] || fail "alien-direct $*: stderr [$d_err], the daemon path prints [$ERR]"
}

run alien-direct whoami
expect_rc 0 "direct whoami"; expect_err "" "direct whoami"
direct_whoami=$OUT
run alien-whoami
[ "$direct_whoami" = "$OUT" ] || fail "alien-direct whoami printed [$direct_whoami], alien-whoami [$OUT]"
CHECKS=$((CHECKS + 1))
run alien --direct whoami
expect_rc 0 "alien --direct whoami"; expect_out "$direct_whoami" "alien --direct whoami finds alien-direct beside alien"

run alien-direct mkdir -p dtour/a dtour/b
expect_rc 0 "direct mkdir -p"
same_as ls dtour
expect_out "a/
b/" "ls dtour (-F added)"
same_as ls -l dtour
same_as ll dtour
same_as pwd
same_as home
same_as frobnicate
expect_rc 1 "unknown command"

run alien-direct stat dtour/nothere
expect_rc 2 "direct stat missing"; expect_out "" "direct stat missing"
expect_err "No such file or directory : dtour/nothere" "direct stat missing"
same_as stat dtour/nothere

run alien-direct -json stat dtour
expect_rc 0 "direct -json stat"
printf '%s\n' "$OUT" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["metadata"]["exitcode"] == "0", d' ||
	fail "alien-direct -json stat: not JSON with exitcode 0: [$OUT]"
CHECKS=$((CHECKS + 1))
same_as -json stat dtour
same_as stat -json dtour/nothere
export ALIENPY_JSON=1
same_as whoami
unset ALIENPY_JSON
# 1.7.0's ALIENPY_JSON_OUT_GLOBAL is ALIENPY_JSON; an empty value is unset
export ALIENPY_JSON_OUT_GLOBAL=1
same_as whoami
expect_out_has '"metadata": {' "ALIENPY_JSON_OUT_GLOBAL whoami"
export ALIENPY_JSON_OUT_GLOBAL=
same_as whoami
expect_out "$direct_whoami" "ALIENPY_JSON_OUT_GLOBAL empty: text"
unset ALIENPY_JSON_OUT_GLOBAL

run alien-direct
expect_rc 22 "no command"; expect_one_line "no command"

# a CA folder that does not hold the test CA: TLS fails, one line, 107
mkdir -p "$T/otherca"
run env X509_CERT_DIR="$T/otherca" alien-direct whoami
expect_rc 107 "bad CA"; expect_out "" "bad CA"; expect_one_line "bad CA"
expect_err_has "TLS with $JALIEND_ENDPOINT failed" "bad CA"
expect_err_has "$T/otherca" "bad CA"

run env X509_CERT_DIR="$T/nothere" alien-direct whoami
expect_rc 107 "missing CA folder"; expect_one_line "missing CA folder"
expect_err_has "$T/nothere" "missing CA folder"

run env X509_USER_CERT="$T/nocert.pem" alien-direct whoami
expect_rc 107 "missing certificate"; expect_one_line "missing certificate"
expect_err_has "$T/nocert.pem" "missing certificate"

run env JALIEND_ENDPOINT=wss://127.0.0.1:1/websocket/json alien-direct whoami
expect_rc 107 "nothing listening"; expect_one_line "nothing listening"
expect_err_has "wss://127.0.0.1:1/websocket/json" "nothing listening"

pass
