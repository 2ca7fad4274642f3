#!/bin/sh
# ZIP archive members (issue 17; COMPAT row 65): an LFN whose replica is a member of an archive
# (JCentral's pseudo-PFN guid:///<archive guid>?ZIP=<name>; access read gives the archive's
# replicas with "#<name>") is read out of the archive on the SE (only its central directory and
# the member's bytes); -noxrdzip downloads the whole archive and extracts the member locally;
# both check the member's md5 and leave nothing behind when it does not match. Neither goes
# through XrdCl's ?xrdcl.unzip=, whose inflating thread crashed the daemon (RELIABILITY
# finding 23): checked with that thread held in its window (zipdelay.c).
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed" >&2; exit 77; }
. "$(dirname "$0")/cplib.sh"
export XRD_LOGLEVEL=Dump XRD_LOGFILE=$T/xrdcl.log # libXrdCl's log: each job's source
stack_up
L=$T/local
mkdir -p "$L/o"
python3 - "$L" <<'PY'
import os, sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/arch.zip", "w") as z:
    z.writestr(zipfile.ZipInfo("m1.txt"), b"member one\n" * 5000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("m2.bin"), os.urandom(300000), compress_type=zipfile.ZIP_STORED)
    z.writestr(zipfile.ZipInfo("bad.txt"), b"registered with another md5\n", compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("m3.txt"), os.urandom(100000).hex().encode(), compress_type=zipfile.ZIP_DEFLATED)
    for m in ("m1.txt", "m2.bin", "bad.txt", "m3.txt"):
        open(d + "/" + m, "wb").write(z.read(m))
PY
run alien-cp "file:$L/arch.zip" "z/arch.zip@ALICE::JCL::SE1"
expect_rc 0 "upload of the archive"

# member NAME [MD5]: NAME registered in z/ as a member of z/arch.zip (what a job's output
# registration makes in JCentral), with the member's md5 or MD5
member() {
	python3 - "$STACK/catalogue.db" "$HOME_DIR""z/" "$1" "$L/$1" "${2:-}" <<'PY'
import hashlib, sqlite3, sys, uuid
db, zdir, name, local, md5 = sys.argv[1:]
data = open(local, "rb").read()
c = sqlite3.connect(db, timeout=30)
row = c.execute("SELECT owner, gowner, perm, ctime, guid, guidtime FROM lfn WHERE lfn = ?", (zdir + "arch.zip",)).fetchone()
g = str(uuid.uuid1())
c.execute("INSERT INTO lfn (lfn, dir, name, type, owner, gowner, perm, size, ctime, md5, guid, guidtime)"
          " VALUES (?, ?, ?, 'f', ?, ?, ?, ?, ?, ?, ?, ?)",
          (zdir + name, zdir, name, row[0], row[1], row[2], len(data), row[3],
           md5 or hashlib.md5(data).hexdigest(), g, row[5]))
c.execute("INSERT INTO pfn (guid, seNumber, se, pfn) VALUES (?, 0, 'no_se', ?)", (g, "guid:///%s?ZIP=%s" % (row[4], name)))
c.commit()
PY
}
member m1.txt
member m2.bin
member bad.txt 0123456789abcdef0123456789abcdef
member m3.txt

# no_xrdcl_unzip WHAT: XrdCl was not asked to read a member (its log names no xrdcl.unzip)
no_xrdcl_unzip() {
	CHECKS=$((CHECKS + 1))
	! grep -q 'xrdcl\.unzip' "$T/xrdcl.log" || fail "$1: XrdCl read the member: $(grep -m1 'xrdcl\.unzip' "$T/xrdcl.log")"
}

# the default: the member read out of the archive on the SE
for m in m1.txt m2.bin; do
	: >"$T/xrdcl.log"
	run env JALIENPY_XRDDEBUG=1 alien-cp "z/$m" "file:$L/o/"
	expect_rc 0 "download of the member $m"
	expect_true "$m: the member's bytes" cmp -s "$L/$m" "$L/o/$m"
	expect_err_has "unzip=$m (read out of the archive on its SE)" "JALIENPY_XRDDEBUG names the member"
	no_xrdcl_unzip "$m"
done
# a deflated member over many reads and writes: -chunksz 4096 reads its ~110 KB of deflate
# in ~27 reads and writes its 200 000 bytes in ~49
for opt in "" -noxrdzip; do
	# shellcheck disable=SC2086 # no option, or one
	run alien-cp $opt -chunksz 4096 z/m3.txt "file:$L/o/m3$opt.txt"
	expect_rc 0 "m3.txt $opt -chunksz 4096"
	expect_true "m3.txt $opt -chunksz 4096: the member's bytes" cmp -s "$L/m3.txt" "$L/o/m3$opt.txt"
done
# -noxrdzip: the whole archive, then the member taken out of it here
rm -f "$L/o/m2.bin"
: >"$T/xrdcl.log"
run env JALIENPY_XRDDEBUG=1 alien-cp -noxrdzip z/m2.bin "file:$L/o/"
expect_rc 0 "-noxrdzip download"
expect_true "-noxrdzip: the member's bytes" cmp -s "$L/m2.bin" "$L/o/m2.bin"
expect_err_has "(the whole archive, extracted here: -noxrdzip)" "JALIENPY_XRDDEBUG says so"
xrdcl_job "-noxrdzip: the whole archive" "'checkSumMode' = 'none'.*'source' = 'root://127\.0\.0\.1:"
no_xrdcl_unzip "-noxrdzip: the member taken from the local archive"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L/o")" -eq 0 ] && [ -z "$(find "$L/o" -name '*.member')" ] || fail "-noxrdzip left files"
# ALIENPY_NOXRDZIP in the shell: as -noxrdzip (alien.py sets it for that option and reads it)
rm -f "$L/o/m2.bin"
run env ALIENPY_NOXRDZIP=1 JALIENPY_XRDDEBUG=1 alien-cp z/m2.bin "file:$L/o/"
expect_rc 0 "ALIENPY_NOXRDZIP download"
expect_true "ALIENPY_NOXRDZIP: the member's bytes" cmp -s "$L/m2.bin" "$L/o/m2.bin"
expect_err_has "(the whole archive, extracted here: -noxrdzip)" "ALIENPY_NOXRDZIP reaches cp"

# the catalogue's md5 of a member is checked, both ways
for opt in "" -noxrdzip; do
	# shellcheck disable=SC2086 # no option, or one
	run alien-cp $opt z/m1.txt "file:$L/o/m1bad.txt"
	expect_rc 0 "m1.txt $opt"
	run alien-cp $opt z/bad.txt "file:$L/o/"
	expect_rc 1 "a member whose md5 differs from the catalogue's ($opt)"
	expect_err_has "CheckSum" "the md5 mismatch is the reason ($opt)"
	CHECKS=$((CHECKS + 1))
	[ ! -e "$L/o/bad.txt" ] && [ "$(leftovers "$L/o")" -eq 0 ] || fail "a file left by the bad member ($opt)"
done

# -noxrdzip in a folder where another user planted a symbolic link at the member's name
# (issue 26 item 2): the archive download is held at its start (seproxy.py's gate in front of
# SE1) until the link is planted at <temporary name>.member; the victim file stays as it was
P1=$(sed -n "s|.*ALICE::JCL::SE1=root://127.0.0.1:\([0-9]*\)/.*|\1|p" "$STACK/jcentral-lite.args")
printf '%s\n' "$P1" >"$T/se1.port"
python3 "$ROOT/tests/cp/seproxy.py" "$T/gate" "$T/se1.port" gate &
settled "seproxy.py started" test -s "$T/gate"
GP=$(cat "$T/gate")
python3 - "$STACK/catalogue.db" "${HOME_DIR}z/arch.zip" "127.0.0.1:$P1" "127.0.0.1:$GP" <<'PY'
import sqlite3, sys
db, lfn, old, new = sys.argv[1:]
c = sqlite3.connect(db, timeout=30)
c.execute("UPDATE pfn SET pfn = replace(pfn, ?, ?) WHERE guid = (SELECT guid FROM lfn WHERE lfn = ?)", (old, new, lfn))
c.commit()
PY
printf 'the victim\n' >"$L/victim"
chmod 600 "$L/victim"
mkdir -p "$L/shared"
alien-cp -noxrdzip z/m2.bin "file:$L/shared/" >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
settled "the archive download started" sh -c "find '$L/shared' -name '.m2.bin.jaliend-*' | grep -q ."
tmp=$(find "$L/shared" -name '.m2.bin.jaliend-*' | head -n 1)
ln -s "$L/victim" "$tmp.member"
: >"$T/gate.open"
set +e
wait $pid
RC=$?
set -e
OUT=$(cat "$T/bg.out") ERR=$(cat "$T/bg.err")
CHECKS=$((CHECKS + 1))
[ "$(cat "$L/victim")" = "the victim" ] || fail "the planted link's target was written: $(head -c 80 "$L/victim" | od -c | head -n 2)"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %a "$L/victim")" = 600 ] || fail "the planted link's target was chmodded to $(stat -c %a "$L/victim")"
if [ "$RC" -eq 0 ]; then # done safely: the member's bytes in a file of ours
	expect_true "-noxrdzip beside a planted link: the member's bytes" cmp -s "$L/m2.bin" "$L/shared/m2.bin"
	expect_true "-noxrdzip beside a planted link: a file, not the link" test ! -L "$L/shared/m2.bin"
else
	expect_rc 1 "-noxrdzip beside a planted link"
	expect_err_has "cannot create $(basename "$tmp").member: File exists" "the planted name is named"
	expect_true "nothing under the name" test ! -e "$L/shared/m2.bin"
fi
expect_true "the planted link is left alone" test -L "$tmp.member"

# finding 23: libXrdCl's thread that inflates a member (m1.txt is deflated) held for a second
# after it hands the chunk over (as a busy machine may hold it), in a daemon of this stack;
# the downloads succeed and the daemon lives on (with ?xrdcl.unzip= it died: free() on freed
# memory, in every run)
dpid=$(cat "$STACK/jaliend.pid")
kill -TERM "$dpid"
while kill -0 "$dpid" 2>/dev/null; do sleep 0.1; done
[ -f "$JALIEND_BUILD/tests/cp/libcp-zipdelay.so" ] || fail "$JALIEND_BUILD/tests/cp/libcp-zipdelay.so is not built"
LD_PRELOAD="$JALIEND_BUILD/tests/cp/libcp-zipdelay.so${LD_PRELOAD:+ $LD_PRELOAD}" ZIPDELAY_MS=1000 \
	ZIPDELAY_LOG="$T/zipdelay.log" "$JALIEND_BUILD/daemon/jaliend" --foreground >>"$STACK/jaliend.log" 2>&1 &
dpid=$!
echo $dpid >"$STACK/jaliend.pid"
settled "the daemon answers again" sh -c "alien-whoami >/dev/null 2>&1"
for opt in "" -noxrdzip; do
	rm -f "$L/o/m1held.txt"
	# shellcheck disable=SC2086 # no option, or one
	run alien-cp $opt z/m1.txt "file:$L/o/m1held.txt"
	expect_rc 0 "m1.txt $opt with XrdCl's inflating thread held"
	expect_true "m1.txt $opt held: the member's bytes" cmp -s "$L/m1.txt" "$L/o/m1held.txt"
	# the held thread (if XrdCl inflated at all) has gone on before the daemon is asked again
	[ ! -s "$T/zipdelay.log" ] || settled "XrdCl's held thread went on" grep -q woke "$T/zipdelay.log"
	run alien-whoami
	expect_rc 0 "the daemon still answers after m1.txt $opt"
	expect_true "the daemon is still running after m1.txt $opt" kill -0 "$dpid"
done

# the archive itself is still the archive; a folder copy takes members and archive alike
rm -rf "$L/o"
run alien-cp z/ "file:$L/o/"
expect_rc 0 "folder copy (bad.txt fails its md5, the others are copied)"
expect_err_has "z/bad.txt" "bad.txt is the file that failed"
expect_true "the archive" cmp -s "$L/o/arch.zip" "$L/arch.zip"
expect_true "m1.txt below z/" cmp -s "$L/m1.txt" "$L/o/m1.txt"
expect_true "m2.bin below z/" cmp -s "$L/m2.bin" "$L/o/m2.bin"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/o/bad.txt" ] || fail "bad.txt copied in the folder copy"
pass
