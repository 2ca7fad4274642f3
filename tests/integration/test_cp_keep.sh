#!/bin/sh
# Issue 26, item 3: `alien-cp LFN .` (and every destination that looks
# local, without file:) is refused, not turned into a grid to grid copy; and
# no copy, upload or grid to grid, removes an existing destination LFN before
# its replacement is written and committed (docs/cp.md, cp_replace.c).
. "$(dirname "$0")/../cp/cplib.sh"
stack_up
export ALIEN_SESSION=cpkeep
L=$T/local
mkdir -p "$L/dl" "$L/exists"
cd "$L"
head -c 200000 /dev/urandom >old.bin
head -c 300000 /dev/urandom >new.bin
alien-mkdir -p keep/sub >/dev/null
run alien-cp file:old.bin keep/a.bin
expect_rc 0 "upload of the first version"
alien-cd keep

# 1. a destination that looks local: refused, one line naming file: and alien:, nothing made
alien-cp file:new.bin sub/a.bin >/dev/null # a different file of that name elsewhere, the source
for dst in . .. ./x ../x "~/x" "$L/exists" "$L/exists/" exists; do
	run alien-cp sub/a.bin "$dst"
	expect_rc 1 "alien-cp sub/a.bin $dst"
	expect_one_line "alien-cp sub/a.bin $dst"
	expect_err_has "the destination $dst looks local: a local destination is written file:$dst, a grid one alien:$dst" "alien-cp sub/a.bin $dst: why"
done
run alien-stat a.bin
expect_out_has "Size: 200000" "a.bin in the grid cwd is untouched by the refused cp LFN ."
run alien-ls
expect_out "$(printf 'a.bin\nsub/')" "no copy made in the grid cwd"
CHECKS=$((CHECKS + 1))
[ ! -e "$L/a.bin" ] && [ ! -e "$L/x" ] || fail "a refused cp wrote a local file"
# the grid form and the file: form both work
run alien-cp sub/a.bin alien:./b.bin
expect_rc 0 "alien:./b.bin is a grid destination"
run alien-cp sub/a.bin file:.
expect_rc 0 "file:. is a download"
expect_same_md5 new.bin "$L/a.bin" "the download into file:."
rm -f "$L/a.bin"
alien-rm b.bin >/dev/null

# 2. an upload replacing a.bin whose copy fails: a.bin is kept as it was
run alien-cp file:new.bin "a.bin@!ALICE::JCL::SE1,!ALICE::JCL::SE2"
expect_rc 1 "an upload that cannot be written anywhere (every SE excluded)"
run alien-stat a.bin
expect_rc 0 "a.bin still exists after the failed replacement"
expect_out_has "Size: 200000" "a.bin still the old version"
run alien-cp a.bin "file:$L/dl/a1.bin"
expect_same_md5 old.bin "$L/dl/a1.bin" "the old a.bin downloads whole"

# 3. grid to grid onto a.bin, failing: kept too
run alien-cp sub/a.bin "a.bin@!ALICE::JCL::SE1,!ALICE::JCL::SE2"
expect_rc 1 "a grid to grid copy that cannot be written anywhere"
run alien-stat a.bin
expect_out_has "Size: 200000" "a.bin kept after the failed grid to grid copy"

# 4. replacements that work: the new content under the name, nothing left beside it
run alien-cp file:new.bin a.bin
expect_rc 0 "an upload replacing a.bin"
run alien-cp a.bin "file:$L/dl/a2.bin"
expect_same_md5 new.bin "$L/dl/a2.bin" "a.bin is the new version"
alien-cp file:old.bin sub/a.bin >/dev/null # sub/a.bin becomes the old version
run alien-cp sub/a.bin a.bin
expect_rc 0 "a grid to grid copy replacing a.bin"
run alien-cp a.bin "file:$L/dl/a3.bin"
expect_same_md5 old.bin "$L/dl/a3.bin" "a.bin is sub/a.bin's content"
run alien-ls -a
expect_out "$(printf 'a.bin\nsub/')" "no temporary LFN left beside a.bin"
run alien-ls -a sub
CHECKS=$((CHECKS + 1))
case $OUT in *jaliend-*) fail "a temporary LFN was left in sub: $OUT" ;; esac
# the same file again: skipped (no replacement)
run alien-cp sub/a.bin a.bin
expect_rc 0 "the same file again"
expect_out_has "TARGET VALID" "skipped"

# 5. both SEs down: the replacement's copies fail after its envelopes were booked
se_stop 1
se_stop 2
run alien-cp -norecovery file:new.bin a.bin
expect_rc 1 "an upload replacing a.bin with every SE down"
run alien-stat a.bin
expect_out_has "Size: 200000" "a.bin kept when the replacement's copies failed"
run alien-ls -a
expect_out "$(printf 'a.bin\nsub/')" "nothing registered beside a.bin"
# a download onto an existing local file, every replica down: the local file is kept
echo "the user's own file" >"$L/dl/keep.bin"
run alien-cp a.bin "file:$L/dl/keep.bin"
expect_rc 1 "a download with every SE down"
CHECKS=$((CHECKS + 1))
[ "$(cat "$L/dl/keep.bin")" = "the user's own file" ] || fail "the failed download changed the existing local file"
CHECKS=$((CHECKS + 1))
[ "$(leftovers "$L/dl")" -eq 0 ] || fail "the failed download left a temporary file"

pass
