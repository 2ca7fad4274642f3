#!/bin/sh
# package.lintian: lintian finds no error (E:) and no warning (W:) in the .deb
# cpack makes from this build tree; the informational tags it prints are the
# ones packaging/CMakeLists.txt explains. No root needed; skip (77) without
# lintian or dpkg.
. "$(dirname "$0")/pkglib.sh"
for t in lintian dpkg dpkg-shlibdeps; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed (scripts/install-deps)"; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/jaliend-lintian.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
build_deb "$T/deb"
lintian --display-info "$DEB" >"$T/lintian.log" 2>&1 || true
sed '/^running with root privileges/d' "$T/lintian.log"
CHECKS=$((CHECKS + 1))
! grep -q '^[EW]: ' "$T/lintian.log" || fail "lintian: $(grep -c '^[EW]: ' "$T/lintian.log") errors or warnings (above)"
CHECKS=$((CHECKS + 1))
! grep -qi -e '^internal error' -e 'lintian: ' -e '^[A-Z]: .*unpack' "$T/lintian.log" || fail "lintian did not run through"
echo "package.lintian: $CHECKS checks passed"
