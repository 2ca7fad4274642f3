#!/bin/sh
# alien-cp of 0-byte, 1-byte and 10 MiB files up and back, md5 checked;
# replicas as alien-whereis shows them; an existing destination (skip, -f);
# -json and -dryrun. jcentral-lite signs its envelopes, so a 0-byte file is
# committed (with JAliEn's encrypted envelopes commit refuses size 0: docs/cp.md).
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/back"
: >"$L/zero.bin"
printf x >"$L/one.bin"
head -c 10485760 /dev/urandom >"$L/ten.bin"

for f in zero one ten; do
	run alien-cp "file:$L/$f.bin" "$f.bin"
	expect_rc 0 "upload of $f.bin"
	# alien.py counts an upload's jobs per replica (disk:2: two)
	expect_out_has "jobID: 1/2 >>> STATUS OK" "upload of $f.bin: status line"
	expect_out_has "jobID: 2/2 >>> STATUS OK" "upload of $f.bin: second replica's line"
	expect_out_has "Successful jobs (1st try): 2/2" "upload of $f.bin: summary"
	run alien-stat "$f.bin"
	expect_rc 0 "alien-stat $f.bin"
	expect_out_has "Size: $(stat -c %s "$L/$f.bin") " "alien-stat: size of $f.bin"
	expect_out_has "MD5: $(md5 "$L/$f.bin")" "alien-stat: md5 of $f.bin"
	CHECKS=$((CHECKS + 1))
	[ "$(replicas "$f.bin" | tr '\n' ' ')" = "ALICE::JCL::SE1 ALICE::JCL::SE2 " ] ||
		fail "$f.bin: replicas are [$(replicas "$f.bin")], expected both SEs (disk:2)"
	run alien-cp "$f.bin" "file:$L/back/"
	expect_rc 0 "download of $f.bin"
	expect_same_md5 "$L/$f.bin" "$L/back/$f.bin" "download of $f.bin"
done
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L")" -eq 0 ] && [ "$(metalinks)" -eq 0 ] || fail "temporary files or metalinks left behind"
# alien.py's xattrs on a download, where the file system keeps user.* ones
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$L/one.bin" 2>/dev/null; then
	CHECKS=$((CHECKS + 1))
	python3 - "$L/back/ten.bin" "$HOME_DIR""ten.bin" "$(md5 "$L/ten.bin")" <<'PY' || fail "xattrs of the download"
import os, sys
f, lfn, md5 = sys.argv[1:]
assert os.getxattr(f, "user.lfn").decode() == lfn, os.getxattr(f, "user.lfn")
assert os.getxattr(f, "user.md5").decode() == md5
assert os.getxattr(f, "user.size").decode() == "10485760"
assert len(os.getxattr(f, "user.guid")) == 36
# alien.py 1.7.0: when it was read and written here, ms since the epoch (within a minute of now)
import time
for a in ("user.ts_r", "user.ts_w"):
    assert abs(int(os.getxattr(f, a)) - time.time() * 1000) < 60000, (a, os.getxattr(f, a))
PY
fi

# the destination exists and looks identical: skipped
run alien-cp ten.bin "file:$L/back/"
expect_rc 0 "download again"
expect_out "$L/back/ten.bin --> TARGET VALID (size match, source/lfn older than destination/local_file)
No copy jobs to be done!" "download again: skipped"
run alien-cp -f ten.bin "file:$L/back/"
expect_rc 0 "download again with -f"
expect_out_has "TARGET VALID (md5 match)" "-f compares md5"
run alien-cp "file:$L/ten.bin" ten.bin
expect_rc 0 "upload again"
expect_out_has "ten.bin --> TARGET VALID" "upload again: skipped"
# same size, other content: -f notices, the download replaces it whole
head -c 10485760 /dev/urandom >"$L/back/ten.bin"
touch -d '2030-01-01' "$L/back/ten.bin"
run alien-cp ten.bin "file:$L/back/ten.bin"
expect_out_has "TARGET VALID" "without -f: same size and newer is skipped"
run alien-cp -f ten.bin "file:$L/back/ten.bin"
expect_rc 0 "-f download of a different file"
expect_same_md5 "$L/ten.bin" "$L/back/ten.bin" "-f replaced the different file"
# a different local file of the same size: -f replaces the LFN
head -c 10485760 /dev/urandom >"$L/ten2.bin"
run alien-cp -f "file:$L/ten2.bin" ten.bin
expect_rc 0 "-f upload of a different file"
run alien-stat ten.bin
expect_out_has "MD5: $(md5 "$L/ten2.bin")" "-f upload replaced the LFN"

# a file name as destination, relative paths, ~ and %ALIEN
run alien-cp "file:$L/one.bin" "%ALIEN/sub/renamed.txt"
expect_rc 0 "upload to a new name in a new folder"
run alien-stat sub/renamed.txt
expect_rc 0 "the folder was made and the file is there"
(cd "$L" && alien-cp "$HOME_DIR/sub/renamed.txt" file:r.txt >/dev/null)
expect_same_md5 "$L/one.bin" "$L/r.txt" "download to a relative local name"

# -json: one object per file and a summary
run alien-cp -json "file:$L/one.bin" json/
expect_rc 0 "-json upload"
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
assert lines[0]["status"] == "OK" and lines[0]["dst"].endswith("/json/one.bin"), lines
assert sorted(lines[0]["replicas"]) == ["ALICE::JCL::SE1", "ALICE::JCL::SE2"], lines
assert lines[-1]["successful"] == 1 and lines[-1]["failed"] == 0, lines
' || fail "-json output: $OUT"

# -dryrun: shows, writes nothing
run alien-cp -dryrun "file:$L/one.bin" dry/one.bin
expect_rc 0 "-dryrun upload"
expect_out "$L/one.bin -> $HOME_DIR""dry/one.bin (disk:2)" "-dryrun upload line"
run alien-stat dry
expect_rc 2 "-dryrun made no folder"
run alien-cp -dryrun one.bin "file:$L/dry/"
expect_rc 0 "-dryrun download"
expect_out "$HOME_DIR""one.bin -> $L/dry/one.bin (ALICE::JCL::SE1,ALICE::JCL::SE2)" "-dryrun download line"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/dry" ] || fail "-dryrun download created $L/dry"

# a missing grid source: one line naming it, non-zero
run alien-cp missing.bin "file:$L/back/"
expect_rc 2 "missing grid source"
expect_one_line "missing grid source"
expect_err_has "missing.bin" "the message names the LFN"
run alien-whoami
expect_rc 0 "the daemon still answers"
pass
