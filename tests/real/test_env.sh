#!/bin/sh
# The environment that reaches the real JCentral (issue 28): ALIEN_SITE is each terminal's
# close site whichever shared session runs its command (JCentral's listSEDistance shows
# the distances from the session's site: 0 for the SE's own site, "nul" for an unknown
# one), as alien.py 1.7.0 sees it on a connection of its own and through our JBox; a
# shell asking for another endpoint (ALIENPY_JCENTRAL) is refused with 107, as alien.py
# 1.7.0 exits when it cannot reach it; ALIENPY_ALLOW_UNKNOWN_CMDS sends an unlisted verb to
# the real JCentral, which answers it; XRD_LOGFILE gets XrdCl's lines of copies to and from the
# real SE; a daemon whose CA is an X509_CERT_FILE bundle reaches the real JCentral.
. "$(dirname "$0")/reallib.sh"
APY=${JALIEND_REAL_ALIENPY17:-$JALIEND_REAL/client/alienpy170}
[ -d "$APY/alienpy" ] || real_skip "no alien.py 1.7.0 at $APY (JALIEND_REAL_ALIENPY17)"
mkdir -p "$T/home"
# alien.py 1.7.0 as a program (so that `env VAR=... alienpy` works); through our JBox
# unless ALIENPY_JCENTRAL is set
{
	echo '#!/bin/sh'
	echo "HOME=$T/home ALIENPY_NO_STAGGER=1 ALIENPY_NO_HISTORY=1 PYTHONPATH=$APY exec /usr/bin/python3 -c \\"
	echo "	'import sys; sys.argv[0]=\"alien.py\"; from alienpy.alien import main; sys.exit(main())' \"\$@\""
} >"$T/alienpy"
chmod +x "$T/alienpy"
export PATH="$T:$PATH"
HOST=$(printf '%s\n' "$JALIEND_ENDPOINT" | sed -n 's,^wss://\([^:/]*\):\([0-9]*\)/.*,\1,p')
PORT=$(printf '%s\n' "$JALIEND_ENDPOINT" | sed -n 's,^wss://\([^:/]*\):\([0-9]*\)/.*,\2,p')
[ -n "$HOST" ] && [ -n "$PORT" ] || fail "cannot read host and port from $JALIEND_ENDPOINT"

# the reference's own site (JCentral's choice for us) and an unknown one
ok alien-setSite
home_site=$(printf '%s\n' "$OUT" | sed -n 's/^Keeping the current close site: //p')
[ -n "$home_site" ] || fail "setSite names no site: [$OUT]"
near() { printf '%s\n' "$OUT" | grep -c 'distance:  0\.000)' || true; }
i=0
while [ $i -lt 3 ]; do # the pool's sessions serve both terminals in turn
	run env ALIEN_SESSION=real-far ALIEN_SITE=NoSuchSite alien-listSEDistance
	expect_rc 0 "ALIEN_SITE=NoSuchSite listSEDistance ($i)"
	expect_out_has "distance: nul)" "ALIEN_SITE=NoSuchSite: no SE near ($i)"
	[ "$(near)" -eq 0 ] || fail "ALIEN_SITE=NoSuchSite: an SE is near ($i): [$OUT]"
	far=$OUT
	run env ALIEN_SESSION=real-home alien-listSEDistance
	expect_rc 0 "listSEDistance without ALIEN_SITE ($i)"
	[ "$(near)" -ge 1 ] || fail "without ALIEN_SITE the session kept another terminal's site ($i): [$OUT]"
	i=$((i + 1))
done
run env ALIEN_SITE=NoSuchSite alien-setSite
expect_out "Keeping the current close site: NoSuchSite" "setSite with ALIEN_SITE"
# alien.py 1.7.0 on a connection of its own prints the same
run env ALIENPY_JCENTRAL="$HOST" ALIENPY_JCENTRAL_PORT="$PORT" ALIEN_SITE=NoSuchSite alienpy listSEDistance
expect_rc 0 "alien.py 1.7.0 listSEDistance with ALIEN_SITE"
expect_out "$far" "listSEDistance with ALIEN_SITE: the shim's output is alien.py 1.7.0's"
# and through our JBox its setSite holds for its connection
run env ALIEN_SITE=NoSuchSite alienpy listSEDistance
expect_rc 0 "alien.py 1.7.0 through the JBox with ALIEN_SITE"
expect_out "$far" "alien.py 1.7.0 through the JBox: ALIEN_SITE holds"

# the endpoint: the daemon's is served, another one is refused (alien.py: 107 when unreachable)
run env ALIENPY_JCENTRAL="$HOST" ALIENPY_JCENTRAL_PORT="$PORT" alien-whoami
expect_rc 0 "ALIENPY_JCENTRAL naming the daemon's endpoint"
other=$((PORT + 1))
run env ALIENPY_JCENTRAL="$HOST" ALIENPY_JCENTRAL_PORT="$other" alien-whoami
expect_rc 107 "ALIENPY_JCENTRAL naming another endpoint"
expect_one_line "ALIENPY_JCENTRAL naming another endpoint"
expect_err_has "ALIENPY_JCENTRAL asks for $HOST:$other"
run env ALIENPY_JCENTRAL="$HOST" ALIENPY_JCENTRAL_PORT="$other" alienpy whoami
expect_rc 107 "alien.py 1.7.0 with ALIENPY_JCENTRAL at a closed port"

# ALIENPY_ALLOW_UNKNOWN_CMDS: a verb JCentral does not list goes to it, which answers it
# (alien.py 1.7.0 skips its warning but never sends the verb: "Invalid state", exit 1)
run alien nosuchcmd a
expect_rc 1 "an unknown verb"
expect_err_has "WARNING! command >>> nosuchcmd <<< not in the list of known commands!"
run env ALIENPY_ALLOW_UNKNOWN_CMDS=1 alien nosuchcmd a
expect_rc 2 "ALIENPY_ALLOW_UNKNOWN_CMDS: the real JCentral's code"
expect_err "No such file or directory : Command [nosuchcmd] not found!" \
	"ALIENPY_ALLOW_UNKNOWN_CMDS: the real JCentral's answer"
run env ALIENPY_JCENTRAL="$HOST" ALIENPY_JCENTRAL_PORT="$PORT" ALIENPY_ALLOW_UNKNOWN_CMDS=1 \
	alienpy nosuchcmd a
expect_rc 1 "alien.py 1.7.0 with ALIENPY_ALLOW_UNKNOWN_CMDS"
expect_err_has "there was no return object" "alien.py 1.7.0 with ALIENPY_ALLOW_UNKNOWN_CMDS"

# XRD_LOGFILE / XRD_LOGLEVEL: XrdCl's lines of a copy to and from the real SE in the shell's file
grid_dir env
head -c 100000 /dev/urandom >"$T/x.bin"
run env XRD_LOGFILE="$T/xrd.log" XRD_LOGLEVEL=Debug alien-cp "file:$T/x.bin" "$G/x.bin"
expect_rc 0 "an upload to the real SE with XRD_LOGFILE"
run env XRD_LOGFILE="$T/xrd.log" XRD_LOGLEVEL=Debug alien-cp "$G/x.bin" "file:$T/back.bin"
expect_rc 0 "a download from the real SE with XRD_LOGFILE"
CHECKS=$((CHECKS + 3))
cmp -s "$T/x.bin" "$T/back.bin" || fail "the download differs from the upload"
grep -q '^\[[^]]*\]\[Debug  \]\[' "$T/xrd.log" || fail "XRD_LOGFILE has no XrdCl debug line"
grep -q 'kXR_open' "$T/xrd.log" || fail "XRD_LOGFILE has no kXR_open of the real SE's file"
ok alien-rm -rf "$G"

# X509_CERT_FILE: a daemon whose CA is a bundle file (X509_CERT_DIR empty) reaches the real
# JCentral; a bundle without its CA is refused (107), the error naming the file
mkdir -p "$T/noca"
cat "$X509_CERT_DIR"/*.pem >"$T/bundle.pem"
whoami_via_daemon c1 X509_CERT_DIR="$T/noca" X509_CERT_FILE="$T/bundle.pem"
expect_rc 0 "jaliend with X509_CERT_FILE and an empty X509_CERT_DIR: $(tail -n 3 "$T/c1.log")"
whoami=$OUT
ok alien-whoami
expect_out "$whoami" "whoami through the X509_CERT_FILE daemon"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/other.pem" -days 1 \
	-subj "/CN=not the reference CA" >/dev/null 2>&1 || fail "openssl could not make a CA"
whoami_via_daemon c2 X509_CERT_DIR="$T/noca" X509_CERT_FILE="$T/other.pem"
expect_rc 107 "jaliend with an X509_CERT_FILE without the reference's CA"
expect_err_has "(CA file $T/other.pem)" "the TLS error names the CA file"
pass
