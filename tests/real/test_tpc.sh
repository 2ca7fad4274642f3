#!/bin/sh
# Grid to grid alien-cp against the real JCentral (issue 18). Its one SE has no ofs.tpc, so the
# third-party copy is refused and the copy streams through the daemon; its md5 comes from the
# SE's checksum query. Checked: the copy's bytes and catalogue md5 equal the source's, the source
# keeps its replica, a folder copies file by file.
. "$(dirname "$0")/reallib.sh"
grid_dir tpc
head -c 3000000 /dev/urandom >"$T/f.bin"
ok alien-cp "file:$T/f.bin" "$G/src.bin"
ok alien-cp "$G/src.bin" "$G/dst.bin"
expect_out_has "STATUS OK" "the grid to grid job's line"
ok alien-cp "$G/dst.bin" "file:$T/dst.back"
CHECKS=$((CHECKS + 1))
[ "$(md5 "$T/f.bin")" = "$(md5 "$T/dst.back")" ] || fail "the grid to grid copy differs from the source"
ok alien-md5sum "$G/dst.bin"; expect_out_has "$(md5 "$T/f.bin")" "the copy's catalogue md5"
ok alien-whereis "$G/src.bin"; expect_out_has "SE" "the source keeps its replica"
ok alien-mkdir -p "$G/d"
ok alien-cp "$G/src.bin" "$G/d/a.bin"
ok alien-cp "$G/d" "$G/e/"
ok alien-ls "$G/e/d"; expect_out "a.bin" "the folder's copy"
alien-rm -rf "$G" >/dev/null 2>&1 || true
pass
