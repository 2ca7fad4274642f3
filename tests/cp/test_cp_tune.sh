#!/bin/sh
# cp's transfer options (issue 17; docs/cp.md "Transfer options"): bad values refused with one
# line; -chunks/-chunksz/-timeout/-ratethreshold/-retry reach libXrdCl as the job's properties
# (its own debug log shows them), and a download without them reads with plain kXR_read; -ratethreshold above what loopback can do fails the copy;
# -timeout ends a copy from a storage element that never answers; a copy is retried twice by
# default (alien.py 1.7.0's XRD_CPRETRY default) and gets a file from an SE whose first connection
# fails, where the same copy with XRD_CPRETRY=0 fails; -retry N wins over XRD_CPRETRY;
# XRD_CPRETRYPOLICY=continue retries too, a bad policy is refused; the default retries leave out
# a dead SE, -retry 1 does not.
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed" >&2; exit 77; }
. "$(dirname "$0")/cplib.sh"
L=$T/local
mkdir -p "$L/dl"
# five stand-in SEs in front of SE1 (tests/cp/seproxy.py): four drop their first connection,
# one never answers; jcentral-lite knows them as tape SEs (never chosen for uploads)
python3 "$ROOT/tests/cp/seproxy.py" "$T/px.ports" "$T/se1.port" drop1 drop1 stall drop1 drop1 &
settled "seproxy.py started" test -s "$T/px.ports"
P1=$(sed -n 1p "$T/px.ports") P2=$(sed -n 2p "$T/px.ports") P3=$(sed -n 3p "$T/px.ports")
P4=$(sed -n 4p "$T/px.ports") P5=$(sed -n 5p "$T/px.ports")
# and one where nothing listens (a dead SE)
P6=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
D=$STACK/se1/data
export JCL_ARGS="--se ALICE::JCL::PX1=root://127.0.0.1:$P1/$D,tape --se ALICE::JCL::PX2=root://127.0.0.1:$P2/$D,tape --se ALICE::JCL::STALL=root://127.0.0.1:$P3/$D,tape --se ALICE::JCL::PX3=root://127.0.0.1:$P4/$D,tape --se ALICE::JCL::PX4=root://127.0.0.1:$P5/$D,tape --se ALICE::JCL::DEAD=root://127.0.0.1:$P6/$D,tape"
# libXrdCl's own log in the daemon: it prints each job's properties
export XRD_LOGLEVEL=Dump XRD_LOGFILE=$T/xrdcl.log
stack_up
sed -n 's/.*ALICE::JCL::SE1=root:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$STACK/jcentral-lite.args" >"$T/se1.port"
[ -s "$T/se1.port" ] || fail "no SE1 port in $STACK/jcentral-lite.args"

# move_replica LFN SE PORT: the LFN's only replica (on SE1) is said to be on SE (at PORT)
move_replica() {
	python3 - "$STACK/catalogue.db" "$HOME_DIR$1" "$2" "$3" <<'PY'
import sqlite3, sys
db, lfn, se, port = sys.argv[1:]
c = sqlite3.connect(db, timeout=30)
guid = c.execute("SELECT guid FROM lfn WHERE lfn = ?", (lfn,)).fetchone()[0]
num = {"ALICE::JCL::PX1": 1, "ALICE::JCL::PX2": 2, "ALICE::JCL::STALL": 3, "ALICE::JCL::PX3": 4, "ALICE::JCL::PX4": 5, "ALICE::JCL::DEAD": 6}[se]
n = c.execute("UPDATE pfn SET seNumber = ?, se = ?, pfn = 'root://127.0.0.1:' || ? || substr(pfn, instr(substr(pfn, 18), '/') + 17)"
              " WHERE guid = lower(?)", (num, se, port, guid)).rowcount
c.commit()
sys.exit(0 if n == 1 else 1)
PY
}

head -c 3000000 /dev/urandom >"$L/f.bin"
run alien-cp "file:$L/f.bin" "f.bin@ALICE::JCL::SE1"
expect_rc 0 "upload"

# bad values: one line naming the option, exit 22, nothing copied
for bad in "-chunks 0" "-chunks 65" "-chunksz 100" "-chunksz 67108865" "-timeout -1" "-timeout 65536" \
	"-retry x" "-retry 11" "-ratethreshold 1e3" "-S 16" "-chunks 64 -chunksz 67108864"; do
	# shellcheck disable=SC2086 # the option and its value
	run alien-cp $bad f.bin "file:$L/dl/bad.bin"
	expect_rc 22 "cp $bad"
	expect_one_line "cp $bad"
	opt=${bad%% *}
	[ "$bad" = "-chunks 64 -chunksz 67108864" ] && opt="-chunks 64 x -chunksz 67108864"
	expect_err_has "cp: $opt" "cp $bad names the option"
	CHECKS=$((CHECKS + 1))
	[ ! -e "$L/dl/bad.bin" ] || fail "cp $bad wrote a file"
done

# the values reach XrdCl as the job's properties (its log, and JALIENPY_XRDDEBUG)
: >"$T/xrdcl.log"
run env JALIENPY_XRDDEBUG=1 alien-cp -chunks 3 -chunksz 65536 -timeout 100 -retry 2 -ratethreshold 1000 f.bin "file:$L/dl/p.bin"
expect_rc 0 "download with the options"
expect_same_md5 "$L/f.bin" "$L/dl/p.bin" "download with the options"
expect_err_has "chunks=3 chunksz=65536 timeout=100 ratethreshold=1000 retry=2" "JALIENPY_XRDDEBUG shows them"
for p in "'chunkSize' = '65536'" "'parallelChunks' = '3'" "'cpTimeout' = '100'"; do
	xrdcl_job "the options reach XrdCl" "$p"
done
# -ratethreshold is measured by the daemon, never XrdCl's xrateThreshold (whose move to the next
# replica with reads in flight corrupted the heap: RELIABILITY finding 24)
! grep -q "'xrateThreshold' = '1000'" "$T/xrdcl.log" || fail "-ratethreshold reached XrdCl as xrateThreshold"
CHECKS=$((CHECKS + 1))
# without them: the daemon's own plain reads (xrootd/xfer_get.cc, issue 18) of the daemon's
# chunk size, no page-checksummed kXR_pgread (the md5 is checked end to end)
: >"$T/xrdcl.log"
run alien-cp f.bin "file:$L/dl/q.bin"
expect_rc 0 "download without the options"
expect_same_md5 "$L/f.bin" "$L/dl/q.bin" "download without the options"
grep -q "kXR_read (handle: [0-9a-fx]*, offset: 0, size: 1048576)" "$T/xrdcl.log" ||
	fail "the default download: no kXR_read of 1 MiB at offset 0 in libXrdCl's log"
! grep -q "kXR_pgread" "$T/xrdcl.log" || fail "the default download used kXR_pgread"
CHECKS=$((CHECKS + 2))

# -ratethreshold: faster than loopback can go, so the copy fails, every time (before the
# daemon measured it, XrdCl's own threshold corrupted the heap in 1 of 40 such downloads)
head -c 8000000 /dev/urandom >"$L/g.bin"
run alien-cp "file:$L/g.bin" "g.bin@ALICE::JCL::SE1"
expect_rc 0 "upload g.bin"
for i in 1 2 3 4 5 6 7 8 9 10; do
	run alien-cp -chunksz 65536 -ratethreshold 1000000000000000 g.bin "file:$L/dl/g.bin"
	expect_rc 1 "download $i slower than -ratethreshold"
	expect_err_has "was below -ratethreshold 1000000000000000 B/s" "the reason names -ratethreshold ($i)"
	! grep -q "tried" "$T/err" || fail "the default retries retried a copy that was too slow: $(cat "$T/err")"
	CHECKS=$((CHECKS + 2))
	[ ! -e "$L/dl/g.bin" ] && [ "$(leftovers "$L/dl")" -eq 0 ] || fail "a file left by the failed download"
done
run alien-cp -chunksz 65536 -ratethreshold 1000 g.bin "file:$L/dl/g.bin"
expect_rc 0 "download faster than -ratethreshold 1000"
expect_same_md5 "$L/g.bin" "$L/dl/g.bin" "download faster than -ratethreshold 1000"

# -timeout: the only replica is on an SE that never answers
head -c 100000 /dev/urandom >"$L/s.bin"
run alien-cp "file:$L/s.bin" "s.bin@ALICE::JCL::SE1"
expect_true "s.bin's replica moved to STALL" move_replica s.bin ALICE::JCL::STALL "$P3"
run alien-cp -timeout 1 s.bin "file:$L/dl/s.bin"
expect_rc 1 "download from a stalled SE with -timeout 1"
expect_err_has "CPTimeout exceeded: not done in 1 s (-timeout)" "the reason names -timeout"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/dl/s.bin" ] || fail "a file from the stalled SE"
settled "the temporary file of the stalled download removed" test "$(leftovers "$L/dl")" -eq 0

# retries: PX1..PX4 each drop their first connection
head -c 2000000 /dev/urandom >"$L/r.bin"
for n in 1 2 3 4; do
	run alien-cp "file:$L/r.bin" "r$n.bin@ALICE::JCL::SE1"
	expect_rc 0 "upload r$n.bin"
	expect_true "r$n.bin on PX$n" move_replica "r$n.bin" "ALICE::JCL::PX$n" "$(sed -n "$((n < 3 ? n : n + 1))p" "$T/px.ports")"
done
run env XRD_CPRETRY=0 alien-cp r2.bin "file:$L/dl/r2.bin"
expect_rc 1 "with XRD_CPRETRY=0 the dropped connection fails the copy"
[ ! -e "$L/dl/r2.bin" ] || fail "a file from the failed copy"
run env JALIENPY_XRDDEBUG=1 alien-cp r1.bin "file:$L/dl/r1.bin"
expect_rc 0 "by default (retried twice, as alien.py 1.7.0) the copy succeeds on the second try"
expect_err_has " retry=2" "the default is 2 retries"
expect_same_md5 "$L/r.bin" "$L/dl/r1.bin" "the retried download"
run env XRD_CPRETRY=0 alien-cp -retry 1 r3.bin "file:$L/dl/r3.bin"
expect_rc 0 "-retry 1 wins over XRD_CPRETRY=0"
expect_same_md5 "$L/r.bin" "$L/dl/r3.bin" "the download retried with -retry 1"
# through XrdCl's copy (-ratethreshold 1): a retry with its "continue" policy
run env XRD_CPRETRYPOLICY=continue alien-cp -ratethreshold 1 r4.bin "file:$L/dl/r4.bin"
expect_rc 0 "XRD_CPRETRYPOLICY=continue: retried"
expect_same_md5 "$L/r.bin" "$L/dl/r4.bin" "the download retried with the continue policy"
# a dead SE: the default retries leave it out (it fails at once, as 1.7.0's retries do), -retry 1 not
run alien-cp "file:$L/r.bin" "d.bin@ALICE::JCL::SE1"
expect_rc 0 "upload d.bin"
expect_true "d.bin on DEAD" move_replica d.bin ALICE::JCL::DEAD "$P6"
run alien-cp d.bin "file:$L/dl/d.bin"
expect_rc 1 "a download from a dead SE"
expect_err_has "Connection error" "the dead SE's reason"
CHECKS=$((CHECKS + 1))
case $ERR in *"(tried"*) fail "the default retries retried a dead SE: $ERR" ;; esac
run alien-cp -retry 1 d.bin "file:$L/dl/d.bin"
expect_rc 1 "a download from a dead SE with -retry 1"
expect_err_has "Connection error (tried 2 times)" "-retry 1 retries a dead SE"
# a dead first replica under -ratethreshold (so through XrdCl's copy): cp goes on to the next one
# (the copy reads one replica by its URL: libXrdCl 5.8.1 never ended a metalink's fallback past a
# replica it could not connect to, docs/PLATFORMS.md)
run alien-cp "file:$L/r.bin" two.bin
expect_rc 0 "upload two.bin to SE1 and SE2"
expect_true "two.bin's SE1 replica said to be on the dead SE's port" python3 - "$STACK/catalogue.db" "$HOME_DIR""two.bin" "$P6" <<'PY'
import sqlite3, sys
db, lfn, port = sys.argv[1:]
c = sqlite3.connect(db, timeout=30)
guid = c.execute("SELECT guid FROM lfn WHERE lfn = ?", (lfn,)).fetchone()[0]
n = c.execute("UPDATE pfn SET pfn = 'root://127.0.0.1:' || ? || substr(pfn, instr(substr(pfn, 18), '/') + 17)"
              " WHERE guid = lower(?) AND se = 'ALICE::JCL::SE1'", (port, guid)).rowcount
c.commit()
sys.exit(0 if n == 1 else 1)
PY
run alien-cp -ratethreshold 1 two.bin "file:$L/dl/two.bin"
expect_rc 0 "a download under -ratethreshold whose first replica is dead"
expect_err_has "trying the next replica" "the dead replica was tried first, then the next"
expect_same_md5 "$L/r.bin" "$L/dl/two.bin" "the download past a dead replica"
run env XRD_CPRETRYPOLICY=sometimes alien-cp r1.bin "file:$L/dl/r5.bin"
expect_rc 22 "a bad XRD_CPRETRYPOLICY"
expect_one_line "a bad XRD_CPRETRYPOLICY"
expect_err_has "cp: XRD_CPRETRYPOLICY=sometimes: expected force or continue" "the refusal names the variable"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/dl/r5.bin" ] || fail "a file copied under a bad XRD_CPRETRYPOLICY"

# the daemon's own XRD_XRATETHRESHOLD (libXrdCl imports it when loaded): the copies' default
# -ratethreshold, measured by the daemon; XrdCl's own threshold stays off (a negative one in the
# job); the shell's value wins
mkdir -m 700 "$T/d2"
JALIEND_SOCKET=$T/d2/S.jaliend XRD_XRATETHRESHOLD=2000000000 XRD_LOGFILE=$T/xrdcl2.log \
	"$JALIEND_BUILD/daemon/jaliend" --foreground >"$T/d2.log" 2>&1 &
D2=$!
# the stack's cleanup sees the test's status (set -e would end the trap at a failing `exit`)
trap 'rc=$?; set +e; kill -TERM "$D2" 2>/dev/null; (exit $rc); lib_cleanup' EXIT INT TERM
settled "the second daemon answering (log: $T/d2.log)" env JALIEND_SOCKET="$T/d2/S.jaliend" alien-whoami
run env JALIEND_SOCKET="$T/d2/S.jaliend" alien-cp g.bin "file:$L/dl/x.bin" # 8 chunks of 1 MiB
expect_rc 1 "a download slower than the daemon's XRD_XRATETHRESHOLD"
expect_err_has "was below -ratethreshold 2000000000 B/s" "the reason names the daemon's threshold"
CHECKS=$((CHECKS + 1))
# XrdCl's own threshold off: in any line of the job's properties (its source, the replica's URL,
# holds an envelope of many lines, each logged by libXrdCl with a header of its own)
CHECKS=$((CHECKS + 1))
grep -q "'xrateThreshold' = '-1'" "$T/xrdcl2.log" ||
	fail "XrdCl's own threshold off: no XrdCl job with 'xrateThreshold' = '-1' in $T/xrdcl2.log"
run env JALIENPY_XRDDEBUG=1 JALIEND_SOCKET="$T/d2/S.jaliend" XRD_XRATETHRESHOLD=1000 alien-cp g.bin "file:$L/dl/x.bin"
expect_rc 0 "the shell's XRD_XRATETHRESHOLD wins over the daemon's"
expect_err_has "ratethreshold=1000 " "the shell's value reaches the copy"
expect_same_md5 "$L/g.bin" "$L/dl/x.bin" "the download under the shell's threshold"
pass
