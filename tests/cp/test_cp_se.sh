#!/bin/sh
# Storage elements down: a download falls back to the other replica (the
# metalink lists both); an upload with one SE down keeps the replica that
# worked, and the recovery pass asks for another SE, excluding the ones that
# failed (alien.py's "disk:N,!SE"); no SE at all: a clear failure, nothing
# registered, nothing left on the SEs.
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/back"
head -c 3000000 /dev/urandom >"$L/f.bin"
run alien-cp "file:$L/f.bin" two.bin
expect_rc 0 "upload to both SEs"
CHECKS=$((CHECKS + 1))
[ "$(replicas two.bin | wc -l)" -eq 2 ] || fail "two.bin has $(replicas two.bin | wc -l) replicas"

se_stop 1
# download: SE1 is first in the server's order and down
run alien-cp two.bin "file:$L/back/"
expect_rc 0 "download with SE1 down"
expect_same_md5 "$L/f.bin" "$L/back/two.bin" "download with SE1 down"

# upload asking for SE1 only: the copy fails, the 2nd try goes to SE2
run alien-cp "file:$L/f.bin" "one.bin@ALICE::JCL::SE1"
expect_rc 0 "upload to SE1 (down) recovers"
expect_out_has "Successful jobs (1st try): 0/1" "first try failed"
expect_out_has "Successful jobs (2nd try): 1/1" "second try worked"
expect_err_has "ALICE::JCL::SE1" "the failed SE is named"
run replicas one.bin
expect_out "ALICE::JCL::SE2" "the replica is on SE2"

# default disk:2 with SE1 down: SE2 is committed, recovery finds no third SE
run alien-cp "file:$L/f.bin" dflt.bin
expect_rc 0 "upload with one of two SEs down"
expect_out_has "Successful jobs (1st try): 1/2" "first try kept SE2 (one of its two replicas)"
expect_err_has "recovery of" "the recovery's failure is reported"
run replicas dflt.bin
expect_out "ALICE::JCL::SE2" "only SE2 holds it"
run alien-cp dflt.bin "file:$L/back/"
expect_same_md5 "$L/f.bin" "$L/back/dflt.bin" "what was kept is complete"

# -norecovery: no second pass
run alien-cp -norecovery "file:$L/f.bin" "norec.bin@ALICE::JCL::SE1"
expect_rc 1 "-norecovery with the only SE down"
expect_err_has "Successful jobs (1st try): 0/1" "summary on stderr"
run alien-stat norec.bin
expect_rc 2 "nothing registered"

# both SEs down: clear failure, nothing registered, no partial files
se_stop 2
before=$(se_files)
run alien-cp "file:$L/f.bin" none.bin
expect_rc 1 "upload with both SEs down"
expect_err_has "STATUS ERROR : $L/f.bin to $HOME_DIR""none.bin" "one job error naming both sides"
run alien-stat none.bin
expect_rc 2 "nothing registered"
CHECKS=$((CHECKS + 1))
[ "$(se_files)" -eq "$before" ] || fail "files left on the SEs"
run alien-cp two.bin "file:$L/back/none.bin"
expect_rc 1 "download with both SEs down"
expect_err_has "STATUS ERROR : $HOME_DIR""two.bin" "the error names the LFN"
expect_true "no local file" test ! -e "$L/back/none.bin"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L")" -eq 0 ] && [ "$(metalinks)" -eq 0 ] || fail "temporary files or metalinks left behind"
run alien-whoami
expect_rc 0 "the daemon still answers"
pass
