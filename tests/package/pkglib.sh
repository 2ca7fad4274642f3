# pkglib.sh - shared by tests/package: what an installed jaliend tree must hold.
# Source it; set ROOT, BUILD, T; $PKG_VERSION and $PKG_LINKS come from CTest.
set -eu

ROOT=${JALIEND_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${JALIEND_BUILD:-$ROOT/build}
: "${PKG_VERSION:?set by CTest (tests/package/CMakeLists.txt)}"
: "${PKG_LINKS:?set by CTest (tests/package/CMakeLists.txt)}"
CHECKS=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
check() { # check WHAT COMMAND...: the command succeeds
	what=$1
	shift
	CHECKS=$((CHECKS + 1))
	"$@" || fail "$what"
}
is_link_to() { [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; }

# check_tree R P: the tree installed for prefix P, as found under R (R/P/bin...
# for a staged install, R empty for the real one): binaries, every alien-<cmd>
# and alien_<cmd> link (relative, to alien), their completion and man page
# links, the units naming P/bin/jaliend, the man pages, docs, copyright.
check_tree() {
	r=$1 p=$2
	b=$r$p/bin
	for f in alien jaliend alien-direct; do
		check "$b/$f is an executable file" test -f "$b/$f" -a -x "$b/$f" -a ! -L "$b/$f"
	done
	comp=$r$p/share/bash-completion/completions
	man1=$r$p/share/man/man1
	check "completion $comp/alien" test -f "$comp/alien" -a ! -L "$comp/alien"
	n=0
	for v in $PKG_LINKS; do
		for s in - _; do
			is_link_to "$b/alien$s$v" alien || fail "$b/alien$s$v is not a link to alien: $(ls -l "$b/alien$s$v" 2>&1)"
			is_link_to "$comp/alien$s$v" alien || fail "$comp/alien$s$v is not a link to alien"
			is_link_to "$man1/alien$s$v.1.gz" alien.1.gz || fail "$man1/alien$s$v.1.gz is not a link to alien.1.gz"
			n=$((n + 1))
		done
	done
	CHECKS=$((CHECKS + 1))
	[ "$n" -ge 160 ] || fail "only $n alien-<cmd>/alien_<cmd> names (PKG_LINKS)"
	[ "$(readlink -f "$b/alien-ls")" = "$(readlink -f "$b/alien")" ] || fail "alien-ls does not resolve to alien"
	check "man link for alien-direct" is_link_to "$man1/alien-direct.1.gz" alien.1.gz
	for m in man1/alien.1 man8/jaliend.8; do
		f=$r$p/share/man/$m.gz
		check "$f is gzip" gzip -t "$f"
		CHECKS=$((CHECKS + 1))
		gzip -dc "$f" | head -n 1 | grep -q "\"jaliend $PKG_VERSION\"" ||
			fail "$f: .TH line does not name jaliend $PKG_VERSION: $(gzip -dc "$f" | head -n 1)"
	done
	u=$r$p/lib/systemd/user
	if [ "${JALIEND_SYSTEMD:-ON}" = OFF ]; then # no socket activation, no notify: no units
		for f in jaliend.service jaliend.socket; do
			check "no unit $u/$f (built with -DJALIEND_SYSTEMD=OFF)" test ! -e "$u/$f"
		done
	else
		for f in jaliend.service jaliend.socket; do
			check "unit $u/$f, mode 644" test "$(stat -c %a "$u/$f" 2>/dev/null)" = 644
			check "$f: Documentation names the installed README" \
				grep -qx "Documentation=file://$p/share/doc/jaliend/README.md" "$u/$f"
		done
		check "jaliend.service: ExecStart=$p/bin/jaliend" grep -qx "ExecStart=$p/bin/jaliend --foreground" "$u/jaliend.service"
	fi
	d=$r$p/share/doc/jaliend
	for f in README.md copyright changelog.gz docs/jaliend.md docs/PROTOCOL.md; do
		check "doc $d/$f" test -s "$d/$f"
	done
	CHECKS=$((CHECKS + 1))
	gzip -dc "$d/changelog.gz" | head -n 1 | grep -q "^jaliend ($PKG_VERSION)" || fail "changelog.gz: not version $PKG_VERSION"
}

# check_contents R LIST: of the paths in LIST (one a line, as installed, found
# under R), none is a test or bench program or a library, and no text file
# names the build or source tree.
check_contents() {
	r=$1
	CHECKS=$((CHECKS + 1))
	extra=$(grep -e jcentral -e '/test_[^/]*$' -e bench -e '\.so$' -e '\.so\.[0-9]' "$2" | head -n 3)
	[ -z "$extra" ] || fail "not for installing: $extra"
	CHECKS=$((CHECKS + 1))
	while read -r f; do
		[ -f "$r$f" ] && [ ! -L "$r$f" ] && printf '%s\0' "$r$f"
	done <"$2" | xargs -0 grep -lI -e "$BUILD" -e "$ROOT" >"$T/buildpaths" || true
	[ ! -s "$T/buildpaths" ] || fail "build paths in: $(head -n 3 "$T/buildpaths")"
}

# build_deb DIR: cpack -G DEB from this build tree into DIR; DEB names the
# package, which must be jaliend_<version>_<arch>.deb and the only one made.
build_deb() {
	mkdir -p "$1"
	CHECKS=$((CHECKS + 1))
	cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$1" >"$1/cpack.log" 2>&1 ||
		fail "cpack -G DEB failed: $(tail -n 5 "$1/cpack.log")"
	DEB=$1/jaliend_${PKG_VERSION}_$(dpkg --print-architecture).deb
	CHECKS=$((CHECKS + 1))
	[ "$(ls "$1"/*.deb)" = "$DEB" ] || fail "cpack made [$(ls "$1"/*.deb | tr '\n' ' ')], expected $DEB"
}
