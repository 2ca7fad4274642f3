#!/bin/sh
# package.stage: `DESTDIR=$PWD/stage cmake --install build --prefix /usr`, as a
# packager runs it, prints no error and gives the full tree under stage/usr
# (links, completion links, units naming /usr/bin/jaliend) and nothing outside;
# --prefix /opt/jaliend moves all of it; install_manifest.txt lists every
# file and link, so `xargs rm < install_manifest.txt` removes them. No root needed.
. "$(dirname "$0")/pkglib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/jaliend-stage.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# stage_install DIR PREFIX: the install, its output in DIR.log; no error, no warning
stage_install() {
	CHECKS=$((CHECKS + 1))
	DESTDIR=$1 cmake --install "$BUILD" --prefix "$2" >"$1.log" 2>&1 ||
		fail "cmake --install --prefix $2 failed: $(grep -v '^-- ' "$1.log" | head -n 5)"
	CHECKS=$((CHECKS + 1))
	! grep -qi -e error -e warning "$1.log" || fail "cmake --install --prefix $2 printed: $(grep -i -e error -e warning "$1.log" | head -n 3)"
}

stage_install "$T/stage" /usr
check_tree "$T/stage" /usr
CHECKS=$((CHECKS + 1))
[ "$(ls -A "$T/stage")" = usr ] || fail "installed outside <DESTDIR>/usr: $(ls -A "$T/stage")"
CHECKS=$((CHECKS + 1))
want="bin lib share"
[ "${JALIEND_SYSTEMD:-ON}" = ON ] || want="bin share" # lib/ holds only the systemd units
[ "$(ls -A "$T/stage/usr" | tr '\n' ' ')" = "$want " ] || fail "<DESTDIR>/usr holds $(ls -A "$T/stage/usr" | tr '\n' ' ')"
CHECKS=$((CHECKS + 1))
[ "$("$T/stage/usr/bin/jaliend" --version | sed -n 1p)" = "jaliend $PKG_VERSION" ] || fail "jaliend --version: $("$T/stage/usr/bin/jaliend" --version 2>&1)"
CHECKS=$((CHECKS + 1))
[ "$("$T/stage/usr/bin/alien" --version)" = "alien (jaliend) $PKG_VERSION" ] || fail "alien --version: $("$T/stage/usr/bin/alien" --version 2>&1)"
# the manifest: exactly what is in the stage (files and links), without DESTDIR
(cd "$T/stage" && find . ! -type d | sed 's|^\.||' | sort) >"$T/found"
sort "$BUILD/install_manifest.txt" >"$T/manifest"
CHECKS=$((CHECKS + 1))
cmp -s "$T/found" "$T/manifest" || fail "install_manifest.txt is not the installed tree: $(diff "$T/manifest" "$T/found" | head -n 5)"
check_contents "$T/stage" "$T/found"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/found")" -gt 500 ] || fail "only $(wc -l <"$T/found") files and links installed"

# installing over an existing tree (an upgrade by hand) is quiet too
stage_install "$T/stage" /usr
check_tree "$T/stage" /usr

# another prefix: everything follows it, the units too
stage_install "$T/opt" /opt/jaliend
check_tree "$T/opt" /opt/jaliend
CHECKS=$((CHECKS + 1))
[ "$(ls -A "$T/opt")" = opt ] || fail "prefix /opt/jaliend: installed outside it: $(ls -A "$T/opt")"
echo "package.stage: $CHECKS checks passed"
