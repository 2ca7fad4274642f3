#!/bin/sh
# Multi-source download (issue 18): a file with two replicas is read from both
# SEs at once (each SE sends the daemon a good share of the bytes, counted on
# the daemon's sockets with ss), md5 checked; with one SE down it still comes
# back whole from the other.
. "$(dirname "$0")/cplib.sh"
command -v ss >/dev/null 2>&1 || { echo "SKIP: ss (iproute2) is needed to count bytes per SE"; exit 77; }
export JALIEND_CP_SOURCES=2 # the daemon the stack starts inherits it
stack_up
L=$T/local
mkdir -p "$L/back"
MIB=64
head -c $((MIB * 1048576)) /dev/urandom >"$L/f.bin"
run alien-cp "file:$L/f.bin" two.bin
expect_rc 0 "upload to both SEs"
CHECKS=$((CHECKS + 1))
[ "$(replicas two.bin | wc -l)" -eq 2 ] || fail "two.bin has $(replicas two.bin | wc -l) replicas"

# se_port N: the port of the stack's SE N (from jcentral-lite's --se)
se_port() {
	tr '\0' '\n' <"/proc/$(cat "$STACK/jcentral-lite.pid")/cmdline" |
		sed -n "s|^ALICE::JCL::SE$1=root://[^:/]*:\([0-9]*\)/.*|\1|p"
}
# rx PORT: bytes received so far on the established connections to PORT
rx() { ss -tni state established "( dport = :$1 )" | grep -o 'bytes_received:[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }'; }

P1=$(se_port 1) P2=$(se_port 2)
[ -n "$P1" ] && [ -n "$P2" ] || fail "cannot find the SEs' ports"
b1=$(rx "$P1") b2=$(rx "$P2")
run alien-cp two.bin "file:$L/back/"
expect_rc 0 "download of two.bin"
expect_same_md5 "$L/f.bin" "$L/back/two.bin" "two-replica download"
d1=$(($(rx "$P1") - b1)) d2=$(($(rx "$P2") - b2))
CHECKS=$((CHECKS + 1))
# both read: each sent at least an eighth of the file
[ "$d1" -ge $((MIB * 1048576 / 8)) ] && [ "$d2" -ge $((MIB * 1048576 / 8)) ] ||
	fail "not read from both SEs: SE1 sent $d1 bytes, SE2 $d2 (of $((MIB * 1048576)))"

se_stop 2
run alien-cp two.bin "file:$L/back/again.bin"
expect_rc 0 "download with SE2 down"
expect_same_md5 "$L/f.bin" "$L/back/again.bin" "download with SE2 down"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L")" -eq 0 ] && [ "$(metalinks)" -eq 0 ] || fail "temporary files or metalinks left behind"
pass
