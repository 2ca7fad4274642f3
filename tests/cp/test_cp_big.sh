#!/bin/sh
# A 1 GiB file up (two replicas) and back, md5 checked; prints the times.
# Needs about 4 GiB free in TMPDIR (the file, two replicas, the copy back).
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/back"
head -c 1073741824 /dev/urandom >"$L/big.bin"
t0=$(date +%s.%N)
run alien-cp "file:$L/big.bin" big.bin
expect_rc 0 "upload of 1 GiB"
t1=$(date +%s.%N)
run replicas big.bin
expect_out "ALICE::JCL::SE1
ALICE::JCL::SE2" "two replicas"
run alien-cp big.bin "file:$L/back/"
expect_rc 0 "download of 1 GiB"
t2=$(date +%s.%N)
expect_same_md5 "$L/big.bin" "$L/back/big.bin" "1 GiB round trip"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L")" -eq 0 ] && [ "$(metalinks)" -eq 0 ] || fail "temporary files or metalinks left behind"
echo "1 GiB: upload (md5 + 2 replicas) $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s, download $(awk "BEGIN { printf \"%.1f\", $t2 - $t1 }") s"
pass
