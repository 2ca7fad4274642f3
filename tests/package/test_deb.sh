#!/bin/sh
# package.deb: the .deb as a user gets it. Built with cpack from this build
# tree into a temp folder, `dpkg -i`'d: /usr/bin/alien-ls and friends are links
# to /usr/bin/alien, the units pass `systemd-analyze --user verify`, and
# alien-whoami and alien-cp up and down (md5 compared) work against a
# jcentral-lite stack whose daemon is /usr/bin/jaliend, with PATH=/usr/bin:/bin
# only. Then `dpkg -r` and `dpkg --purge`: each path `dpkg -L` listed is gone
# (folders other packages own aside). Needs root and dpkg (CTest skip: 77);
# whatever happens, the package is purged at exit (trap).
. "$(dirname "$0")/pkglib.sh"
export PATH="/usr/sbin:/sbin:$PATH" # dpkg wants ldconfig and start-stop-daemon
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root: dpkg -i needs root (CI runs this test as root)"
tools="dpkg dpkg-deb dpkg-query dpkg-shlibdeps"
[ "${JALIEND_SYSTEMD:-ON}" = OFF ] || tools="$tools systemd-analyze" # the units' check
for t in $tools; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/install-deps)"
done
command -v xrootd >/dev/null 2>&1 || fail "xrootd is not installed: alien-cp needs the stack's storage elements"
pkg_status() { dpkg-query -W -f='${Status}' jaliend 2>/dev/null || true; }
# A run killed with SIGKILL (CTest's timeout) cannot purge at exit: it left
# MARK (root's own, naming its temp folder), and the next run cleans up first.
MARK=/var/tmp/jaliend-package-deb.installed
if [ -f "$MARK" ] && [ ! -L "$MARK" ] && [ "$(stat -c %u "$MARK")" = 0 ]; then
	old=$(cat "$MARK")
	echo "package.deb: cleaning up after a killed run ($old)" >&2
	case $old in "${TMPDIR:-/tmp}"/jaliend-deb.*)
		[ -d "$old/stack" ] && JALIEND_BUILD=$old/build "$ROOT/scripts/stack" down "$old/stack" >/dev/null 2>&1
		rm -rf "$old" ;;
	esac
	[ -z "$(pkg_status)" ] || dpkg --purge jaliend >/dev/null || fail "dpkg --purge of the jaliend a killed run left"
	rm -f "$MARK"
fi
case $(pkg_status) in
'' | *not-installed) ;;
*) skip "a jaliend package is on this machine ($(pkg_status)); this test would replace and remove it" ;;
esac

T=$(mktemp -d "${TMPDIR:-/tmp}/jaliend-deb.XXXXXX")
chmod 755 "$T" # the stack's xrootd runs as nobody below it
STACK=$T/stack
BT=$T/build # a "build tree" whose jaliend and alien are the installed ones
INSTALLED=0
cleanup() {
	rc=$?
	PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
	[ -d "$STACK" ] && JALIEND_BUILD=$BT "$ROOT/scripts/stack" down "$STACK" >/dev/null 2>&1
	if [ $INSTALLED = 1 ] && [ -n "$(pkg_status)" ]; then
		echo "package.deb: purging the jaliend package" >&2
		if dpkg --purge jaliend >"$T/purge.log" 2>&1; then
			rm -f "$MARK"
		else
			echo "package.deb: dpkg --purge jaliend failed:" >&2
			cat "$T/purge.log" >&2
			rc=1
		fi
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		for f in "$STACK"/*.log "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "---- last lines of $f" >&2
			tail -n 20 "$f" >&2
		done
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

build_deb "$T/deb"
CHECKS=$((CHECKS + 1))
[ "$(dpkg-deb -f "$DEB" Package Version | tr '\n' ' ')" = "Package: jaliend Version: $PKG_VERSION " ] ||
	fail "control: $(dpkg-deb -f "$DEB" Package Version | tr '\n' ' ')"
dep=$(dpkg-deb -f "$DEB" Depends)
libs="libc6 libcjson1 libwebsockets libssl libxrdcl"
[ "${JALIEND_SYSTEMD:-ON}" = OFF ] || libs="$libs libsystemd0"
for lib in $libs; do
	CHECKS=$((CHECKS + 1))
	case $dep in *"$lib"*) ;; *) fail "Depends [$dep] lacks $lib (dpkg-shlibdeps)" ;; esac
done
if [ "${JALIEND_SYSTEMD:-ON}" = OFF ]; then # built without libsystemd: it must not be needed
	CHECKS=$((CHECKS + 1))
	case $dep in *libsystemd*) fail "Depends [$dep] names libsystemd in a -DJALIEND_SYSTEMD=OFF build" ;; esac
fi

# Files already there that no package owns (say, a `cmake --install --prefix
# /usr`) would be taken over by dpkg -i and deleted by dpkg -r: leave them be.
dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed -n 's|^\./|/|; /[^/]$/p' >"$T/payload"
while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] && skip "$f exists and is no package's: dpkg -i would replace it and dpkg -r delete it"
done <"$T/payload"

rm -f "$MARK"
(set -C && echo "$T" >"$MARK") || fail "cannot write $MARK"
INSTALLED=1
CHECKS=$((CHECKS + 1))
dpkg -i "$DEB" >"$T/dpkg-i.log" 2>&1 || fail "dpkg -i: $(tail -n 5 "$T/dpkg-i.log")"
dpkg -L jaliend >"$T/files"
CHECKS=$((CHECKS + 1))
case $(pkg_status) in *" installed") ;; *) fail "after dpkg -i, status is [$(pkg_status)]" ;; esac
check_tree "" /usr
check_contents "" "$T/files"
CHECKS=$((CHECKS + 1))
[ "$(dpkg -S /usr/bin/alien-ls)" = "jaliend: /usr/bin/alien-ls" ] || fail "dpkg -S /usr/bin/alien-ls: $(dpkg -S /usr/bin/alien-ls 2>&1)"
CHECKS=$((CHECKS + 1))
[ "$(/usr/bin/jaliend --version | sed -n 1p)" = "jaliend $PKG_VERSION" ] || fail "jaliend --version: $(/usr/bin/jaliend --version 2>&1)"
CHECKS=$((CHECKS + 1))
[ "$(/usr/bin/alien --version)" = "alien (jaliend) $PKG_VERSION" ] || fail "alien --version: $(/usr/bin/alien --version 2>&1)"
if [ "${JALIEND_SYSTEMD:-ON}" = ON ]; then # OFF installs no units (check_tree)
	mkdir -m 700 "$T/xdg" # a user manager's runtime folder, which a CTest run has not
	CHECKS=$((CHECKS + 1))
	XDG_RUNTIME_DIR=$T/xdg systemd-analyze --user verify /usr/lib/systemd/user/jaliend.socket /usr/lib/systemd/user/jaliend.service \
		>"$T/verify.log" 2>&1 || fail "systemd-analyze --user verify: $(cat "$T/verify.log")"
	CHECKS=$((CHECKS + 1))
	[ ! -s "$T/verify.log" ] || fail "systemd-analyze --user verify says: $(cat "$T/verify.log")"
fi
if command -v man >/dev/null 2>&1; then
	CHECKS=$((CHECKS + 1))
	[ "$(man -w alien-ls)" = /usr/share/man/man1/alien.1.gz ] || fail "man -w alien-ls (alien(1) through its link): $(man -w alien-ls 2>&1)"
fi

# A stack whose jaliend is /usr/bin/jaliend (scripts/stack starts $JALIEND_BUILD/daemon/jaliend)
mkdir -p "$BT/client" "$BT/daemon" "$BT/tests/jcentral-lite"
ln -s /usr/bin/alien "$BT/client/alien"
ln -s /usr/bin/jaliend "$BT/daemon/jaliend"
for f in jcentral-lite libjcl-bindlo.so; do
	ln -s "$BUILD/tests/jcentral-lite/$f" "$BT/tests/jcentral-lite/$f"
done
JALIEND_BUILD=$BT "$ROOT/scripts/stack" up "$STACK" 2>"$T/stack.log" || fail "stack up failed"
eval "$(JALIEND_BUILD=$BT "$ROOT/scripts/stack" env "$STACK")"
usr() { env PATH=/usr/bin:/bin "$@"; } # usr CMD...: CMD as found in /usr/bin:/bin only
CHECKS=$((CHECKS + 1))
[ "$(readlink "/proc/$(cat "$STACK/jaliend.pid")/exe")" = /usr/bin/jaliend ] ||
	fail "the stack's daemon is $(readlink "/proc/$(cat "$STACK/jaliend.pid")/exe"), not /usr/bin/jaliend"
CHECKS=$((CHECKS + 1))
[ "$(usr sh -c 'command -v alien-whoami')" = /usr/bin/alien-whoami ] || fail "alien-whoami is not /usr/bin/alien-whoami"
CHECKS=$((CHECKS + 1))
out=$(usr alien-whoami 2>&1) && [ "$out" = jalien ] || fail "alien-whoami: [$out]"
head -c 3145728 /dev/urandom >"$T/up.bin"
mkdir "$T/down"
CHECKS=$((CHECKS + 1))
usr alien-cp "file:$T/up.bin" up.bin >"$T/cp-up.log" 2>&1 || fail "alien-cp up: $(cat "$T/cp-up.log")"
CHECKS=$((CHECKS + 1))
usr alien_cp up.bin "file:$T/down/" >"$T/cp-down.log" 2>&1 || fail "alien_cp down: $(cat "$T/cp-down.log")"
CHECKS=$((CHECKS + 1))
[ "$(md5sum <"$T/up.bin")" = "$(md5sum <"$T/down/up.bin")" ] || fail "md5 of the downloaded up.bin differs"
CHECKS=$((CHECKS + 1))
[ "$(usr alien-ls up.bin)" = up.bin ] || fail "alien-ls up.bin: $(usr alien-ls up.bin 2>&1)"
JALIEND_BUILD=$BT "$ROOT/scripts/stack" down "$STACK"

# Remove, then purge: nothing of it is left
CHECKS=$((CHECKS + 1))
dpkg -r jaliend >"$T/dpkg-r.log" 2>&1 || fail "dpkg -r: $(tail -n 5 "$T/dpkg-r.log")"
check "dpkg -r removed /usr/bin/alien-ls" test ! -e /usr/bin/alien-ls -a ! -L /usr/bin/alien-ls
CHECKS=$((CHECKS + 1))
dpkg --purge jaliend >"$T/dpkg-purge.log" 2>&1 || fail "dpkg --purge: $(tail -n 5 "$T/dpkg-purge.log")"
CHECKS=$((CHECKS + 1))
case $(pkg_status) in '' | *not-installed) ;; *) fail "after purge, status is [$(pkg_status)]" ;; esac
INSTALLED=0
rm -f "$MARK"
left=0
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || continue
	# a folder stays when another package owns it or something else is in it
	if [ -d "$p" ] && [ ! -L "$p" ] && { dpkg -S "$p" >/dev/null 2>&1 || [ -n "$(ls -A "$p")" ]; }; then
		continue
	fi
	echo "left behind: $p" >&2
	left=$((left + 1))
done <"$T/files"
CHECKS=$((CHECKS + 1))
[ $left -eq 0 ] || fail "$left paths of the package left after dpkg --purge"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/files")" -gt 500 ] || fail "dpkg -L listed only $(wc -l <"$T/files") paths"
echo "package.deb: $CHECKS checks passed ($(wc -l <"$T/files") paths installed and removed)"
