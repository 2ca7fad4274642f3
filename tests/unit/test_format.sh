#!/bin/sh
# unit.format: scripts/format, as scripts/check uses it, in a scratch tree of its own
# (.clang-format and the script copied; never the real tree):
#   --check lists a file laid out otherwise and a comment line over 100 columns, exit 1;
#   scripts/format rewrites the file so that --check then passes, and leaves a laid-out
#   file byte for byte as it was;
#   another clang-format release is refused with a SKIPPED line and 77, the file untouched.
# Skipped (77) where clang-format 14 is not installed.
set -eu
SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "unit.format: FAIL: $*" >&2; exit 1; }

command -v clang-format-14 >/dev/null 2>&1 ||
	{ echo "unit.format: SKIPPED: clang-format 14 is not installed" >&2; exit 77; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/scripts" "$T/client" "$T/tests"
cp "$SRC/scripts/format" "$T/scripts/"
cp "$SRC/.clang-format" "$T/"

# laid out as .clang-format says (tabs, Linux braces)
cat >"$T/client/good.c" <<'EOF'
/* good.c - laid out already. */
static int good_add(int a, int b)
{
	if (a > b)
		return a - b;
	return a + b;
}
EOF
# spaces, a brace on the function's line, a call over 100 columns
cat >"$T/client/bad.c" <<'EOF'
static int bad_sum(int first_argument_value, int second_argument_value, int third_value) {
    return bad_other(first_argument_value, second_argument_value, third_value, first_argument_value);
}
EOF
# the formatter leaves comments as written: the column check finds it
long=$(printf '%0100d' 0)
printf '/* %s */\nint tests_long;\n' "$long" >"$T/tests/long.c"
cp "$T/client/good.c" "$T/good.orig"

set +e
"$T/scripts/format" --check >"$T/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || { cat "$T/out" >&2; fail "--check on a tree with bad.c: exit $rc, expected 1"; }
grep -q '^client/bad.c: not formatted' "$T/out" || { cat "$T/out" >&2; fail "--check did not name client/bad.c"; }
grep -q '^tests/long.c:1: 106 columns (at most 100)' "$T/out" ||
	{ cat "$T/out" >&2; fail "--check did not report the 106-column line of tests/long.c"; }
if grep -q 'good.c' "$T/out"; then cat "$T/out" >&2; fail "--check named good.c, which is laid out"; fi

"$T/scripts/format" "$T/client/bad.c" "$T/client/good.c" || fail "scripts/format on bad.c and good.c failed"
cmp -s "$T/client/good.c" "$T/good.orig" || fail "scripts/format changed good.c, which was laid out"
grep -q '^static int bad_sum' "$T/client/bad.c" && grep -q '^{$' "$T/client/bad.c" ||
	fail "bad.c's brace is not on a line of its own after scripts/format: $(cat "$T/client/bad.c")"
grep -q "$(printf '^\t\treturn\\|^\treturn')" "$T/client/bad.c" || fail "bad.c is not indented with tabs"
rm "$T/tests/long.c"
"$T/scripts/format" --check >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "--check after scripts/format: exit $?"; }

# another release: refused, nothing rewritten
printf 'static int   x;\n' >"$T/client/bad.c"
cp "$T/client/bad.c" "$T/bad.orig"
cat >"$T/clang-format-19" <<'EOF'
#!/bin/sh
echo "Debian clang-format version 19.1.7 (3+b1)"
EOF
chmod +x "$T/clang-format-19"
set +e
CLANG_FORMAT="$T/clang-format-19" "$T/scripts/format" "$T/client/bad.c" >"$T/out" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] || { cat "$T/out" >&2; fail "clang-format 19: exit $rc, expected 77"; }
grep -q 'SKIPPED: needs clang-format 14' "$T/out" || { cat "$T/out" >&2; fail "clang-format 19: no SKIPPED line"; }
cmp -s "$T/client/bad.c" "$T/bad.orig" || fail "clang-format 19: bad.c was rewritten"
echo "unit.format: ok"
