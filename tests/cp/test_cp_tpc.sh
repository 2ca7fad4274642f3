#!/bin/sh
# Grid to grid copies (issue 18; docs/cp.md "Grid to grid"): `alien-cp LFN LFN@SE` and
# `alien-cp -r DIR DIR@SE` as XRootD third-party copies between the stack's two SEs (both run
# with ofs.tpc), checked as a user would: the copy's bytes and md5 equal the source's, the new
# LFN's replica is on the SE asked for, the source is untouched. Then the destination SE is
# restarted without TPC and without checksums: the copy is streamed through the daemon and its
# md5 read back, still correct. A source replica corrupted on disk: md5 mismatch, nothing
# registered, nothing left on the SE. The destination SE dead: a clear error, exit 1, nothing
# registered, no partial file. Fails on a jaliend that refuses grid to grid ("... is WIP").
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed" >&2; exit 77; }
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/back"
head -c 5000000 /dev/urandom >"$L/f.bin"
run alien-cp "file:$L/f.bin" "src.bin@ALICE::JCL::SE1"
expect_rc 0 "upload of the source to SE1"
src_md5=$(md5 "$L/f.bin")
# se_count N: data files on SE N
se_count() { find "$STACK/se$1/data" -type f | wc -l; }
# stat_md5 LFN: the catalogue's md5
stat_md5() { alien-stat "$1" | sed -n 's/.*MD5:[[:space:]]*\([0-9a-f]*\).*/\1/p'; }
# tpcs: third-party copies the source SE1 let a destination read (its log: "granted tpc access")
tpcs() { grep -c 'ofs_TPC:.*granted tpc access' "$STACK/se1/log/xrootd.log" 2>/dev/null || true; }

# ---- one file, SE1 -> SE2, by third-party copy
tpc0=$(tpcs)
run alien-cp src.bin "dst.bin@ALICE::JCL::SE2"
expect_rc 0 "grid to grid copy of one file"
expect_out_has "STATUS OK" "the job's line"
CHECKS=$((CHECKS + 1))
case $ERR in *refused*) fail "the third-party copy was refused: $ERR" ;; esac
CHECKS=$((CHECKS + 1))
[ "$(tpcs)" -gt "$tpc0" ] || fail "SE1 granted no third-party copy (log: $(tail -5 "$STACK/se1/log/xrootd.log"))"
run replicas dst.bin
expect_out "ALICE::JCL::SE2" "the copy's replica is on SE2"
run stat_md5 dst.bin
expect_out "$src_md5" "the catalogue's md5 of the copy"
run alien-cp dst.bin "file:$L/back/dst.bin"
expect_rc 0 "download of the copy"
expect_same_md5 "$L/f.bin" "$L/back/dst.bin" "the copy's bytes"
run replicas src.bin
expect_out "ALICE::JCL::SE1" "the source keeps its one replica"
run alien-cp src.bin "file:$L/back/src.bin"
expect_same_md5 "$L/f.bin" "$L/back/src.bin" "the source's bytes"

# the same file again: the destination is there with its size, skipped
run alien-cp src.bin "dst.bin@ALICE::JCL::SE2"
expect_rc 0 "copy onto an identical destination"
expect_out_has "TARGET VALID" "skipped"
# onto itself: refused before anything is removed
run alien-cp src.bin src.bin
expect_rc 22 "a copy onto itself"
expect_err_has "source and destination are the same file" "says why"
run replicas src.bin
expect_out "ALICE::JCL::SE1" "the source is still there"

# ---- a folder, recursively (rsync's rule: "tree" is recreated below the destination)
two_folders "$L/tree" 6 1000 7
run alien-cp "file:$L/tree" "%ALIEN/@ALICE::JCL::SE1"
expect_rc 0 "upload of the folder"
run alien-cp -r tree "copy/@ALICE::JCL::SE2"
expect_rc 0 "grid to grid copy of a folder"
expect_out_has "Successful jobs (1st try): 6/6" "six files copied"
run alien-cp copy/tree/ "file:$L/back/tree/"
expect_rc 0 "download of the copied folder"
CHECKS=$((CHECKS + 1))
diff -r "$L/tree" "$L/back/tree" >/dev/null || fail "the copied folder differs: $(diff -r "$L/tree" "$L/back/tree" | head -3)"
run replicas copy/tree/b/f3.dat
expect_out "ALICE::JCL::SE2" "a copied file's replica"

# ---- a source replica corrupted on its SE: md5 mismatch, nothing registered or left
pfn=$(alien-whereis src.bin | sed -n 's/.*pfn => root:\/\/[^/]*\/\(.*\)$/\1/p')
[ -f "$pfn" ] || fail "no file at the source's pfn [$pfn]"
cp "$pfn" "$T/pfn.keep"
se2_has() { [ "$(se_count 2)" -eq "$1" ]; }
# corrupt_copy LFN WHAT: 8 bytes of the source's replica overwritten, then copied to LFN on SE2:
# refused for its md5, nothing registered, nothing left on SE2; the replica then restored
corrupt_copy() {
	printf 'XXXXXXXX' | dd of="$pfn" bs=1 seek=1000 conv=notrunc 2>/dev/null
	before=$(se_count 2)
	run alien-cp -norecovery src.bin "$1@ALICE::JCL::SE2"
	expect_rc 1 "$2: copy of a corrupted replica"
	expect_err_has "md5 mismatch" "$2: the reason"
	run alien-stat "$1"
	expect_rc 2 "$2: nothing registered for a bad copy"
	settled "$2: the bad copy removed from SE2" se2_has "$before"
	cp "$T/pfn.keep" "$pfn"
}
corrupt_copy bad.bin "third-party copy"

# ---- SE2 without TPC and without checksums: streamed through the daemon, md5 read back
port2=$(cat "$STACK/se2/port")
se_stop 2
XROOTD_SE_TPC=off XROOTD_SE_CKSUM=off "$ROOT/scripts/xrootd-se" start "$STACK/se2" "$port2" 2>/dev/null
run alien-cp src.bin "fb.bin@ALICE::JCL::SE2"
expect_rc 0 "copy to an SE that refuses TPC"
expect_err_has "third-party copy to ALICE::JCL::SE2 refused" "the fallback is said"
run replicas fb.bin
expect_out "ALICE::JCL::SE2" "the streamed copy's replica"
run stat_md5 fb.bin
expect_out "$src_md5" "the streamed copy's md5"
run alien-cp fb.bin "file:$L/back/fb.bin"
expect_same_md5 "$L/f.bin" "$L/back/fb.bin" "the streamed copy's bytes"
# without checksums, a corrupted source is still caught (read back)
corrupt_copy bad2.bin "streamed copy, md5 read back"

# ---- SE2 dead: clear error, nothing registered, nothing left
before1=$(se_count 1)
se_stop 2
before2=$(se_count 2)
run alien-cp -norecovery src.bin "dead.bin@ALICE::JCL::SE2"
expect_rc 1 "copy to a dead SE"
expect_err_has "STATUS ERROR : $HOME_DIR""src.bin to $HOME_DIR""dead.bin" "the job's error names both LFNs"
expect_err_has "ALICE::JCL::SE2" "the dead SE is named"
run alien-stat dead.bin
expect_rc 2 "nothing registered"
CHECKS=$((CHECKS + 1))
[ "$(se_count 1)" -eq "$before1" ] && [ "$(se_count 2)" -eq "$before2" ] || fail "files left on the SEs"
# without -norecovery the recovery pass writes it to the other SE (SE1)
run alien-cp src.bin "rec.bin@ALICE::JCL::SE2"
expect_rc 0 "copy to a dead SE recovers"
run replicas rec.bin
expect_out "ALICE::JCL::SE1" "recovered onto SE1"
run alien-whoami
expect_rc 0 "the daemon still answers"
pass
