#!/bin/sh
# The environment alien.py 1.7.0 honours, through the shims (issue 28):
# ALIEN_SITE (per terminal, on shared sessions), ALIENPY_JCENTRAL /
# JALIEN_HOST (the daemon's endpoint at start, a refusal for another one),
# ALIENPY_DEBUG / ALIENPY_DEBUG_FILE, XRD_CP* as cp's defaults, ~ in X509_*.
. "$(dirname "$0")/lib.sh"
stack_up
PORT=$(cat "$STACK/jcentral-lite.port")

# ---- ALIEN_SITE: each terminal's close site, whichever shared session runs it
# jcentral-lite's listSEDistance: distance 0 for the SEs of the session's site
# (ALICE::JCL::SE1, SE2: site JCL, JCentral's choice), "nul" for others.
near_count() { printf '%s\n' "$OUT" | grep -c 'distance:  0.000)' || true; }
i=0
while [ $i -lt 6 ]; do # two sessions in the pool: each sees both kinds of terminal
	run env ALIEN_SESSION=far ALIEN_SITE=FarSite alien listSEDistance
	expect_rc 0 "ALIEN_SITE=FarSite listSEDistance ($i)"
	[ "$(near_count)" -eq 0 ] || fail "ALIEN_SITE=FarSite: an SE is near: [$OUT]"
	expect_out_has "distance: nul)" "ALIEN_SITE=FarSite listSEDistance ($i)"
	run env ALIEN_SESSION=plain alien listSEDistance
	expect_rc 0 "listSEDistance without ALIEN_SITE ($i)"
	[ "$(near_count)" -eq 2 ] || fail "no ALIEN_SITE: the session kept another terminal's site ($i): [$OUT]"
	run env ALIEN_SESSION=jcl ALIEN_SITE=jcl alien listSEDistance
	[ "$(near_count)" -eq 2 ] || fail "ALIEN_SITE=jcl: its SEs are not near ($i): [$OUT]"
	i=$((i + 1))
done
# a chain runs every command on its site; setSite itself (a private session) sees it
run env ALIEN_SITE=FarSite alien 'listSEDistance; setSite'
expect_rc 0 "a chain with ALIEN_SITE"
expect_out_has "Keeping the current close site: FarSite" "setSite with ALIEN_SITE=FarSite"
run alien setSite
expect_out "Keeping the current close site: JCL" "setSite without ALIEN_SITE"
# JCentral maps names with '.' through a service it may not reach: the command still runs
run env ALIEN_SITE=some.host alien whoami
expect_rc 0 "ALIEN_SITE=some.host (setSite refused by JCentral): the command runs"
expect_out "jalien"
run env 'ALIEN_SITE=two words' alien whoami
expect_rc 22 "ALIEN_SITE with a space"
expect_one_line "ALIEN_SITE with a space"
expect_err_has 'ALIEN_SITE="two words" is not a site name'

# ---- the endpoint a shell asks for
run env ALIENPY_JCENTRAL=127.0.0.1 ALIENPY_JCENTRAL_PORT="$PORT" alien whoami
expect_rc 0 "ALIENPY_JCENTRAL naming the daemon's endpoint"
expect_out "jalien"
run env ALIENPY_JCENTRAL=localhost ALIENPY_JCENTRAL_PORT="$PORT" alien whoami
expect_rc 0 "ALIENPY_JCENTRAL=localhost for 127.0.0.1"
run env ALIENPY_JCENTRAL=127.0.0.1 ALIENPY_JCENTRAL_PORT=1 alien whoami
expect_rc 107 "ALIENPY_JCENTRAL naming another endpoint"
expect_one_line "ALIENPY_JCENTRAL naming another endpoint"
expect_err_has "ALIENPY_JCENTRAL asks for 127.0.0.1:1, but this jaliend serves 127.0.0.1:$PORT"
[ -z "$OUT" ] || fail "a refused shell got output: [$OUT]"
run env ALIENPY_JCENTRAL=alice-jcentral.cern.ch alien whoami
expect_rc 107 "ALIENPY_JCENTRAL with the default port, another host"
expect_err_has "alice-jcentral.cern.ch:8097"
run env ALIENPY_JCENTRAL=127.0.0.1 ALIENPY_JCENTRAL_PORT=x alien whoami
expect_rc 22 "ALIENPY_JCENTRAL_PORT not a number"
expect_err_has 'ALIENPY_JCENTRAL_PORT="x" is not a port number'
# the daemon's own JBox (what alien.py reads from the advertisement) is this daemon
JBOX_PORT=$(sed -n 's/^JALIEN_WSPORT=//p' "$TMPDIR/jclient_token_$(id -u)")
[ -n "$JBOX_PORT" ] || fail "no JBox advertisement in $TMPDIR"
run env JALIEN_HOST=127.0.0.1 JALIEN_WSPORT="$JBOX_PORT" alien whoami
expect_rc 0 "JALIEN_HOST/JALIEN_WSPORT of the daemon's own JBox"
run env JALIEN_HOST=localhost JALIEN_WSPORT="$PORT" alien whoami
expect_rc 0 "JALIEN_HOST/JALIEN_WSPORT naming the daemon's endpoint"
# another service that answers (an SE's port): refused, never served quietly
SE_PORT=$(sed -n 's/.*--se ALICE::JCL::SE1=root:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$STACK/jcentral-lite.args" 2>/dev/null || true)
[ -n "$SE_PORT" ] || SE_PORT=$(alien listSEs 2>/dev/null | sed -n 's/.*root:\/\/127.0.0.1:\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$SE_PORT" ] || fail "cannot find an SE's port"
run env JALIEN_HOST=127.0.0.1 JALIEN_WSPORT="$SE_PORT" alien whoami
expect_rc 107 "JALIEN_HOST/JALIEN_WSPORT naming another listening service"
expect_one_line "JALIEN_HOST naming another service"
expect_err_has "JALIEN_HOST/JALIEN_WSPORT ask for the JBox at 127.0.0.1:$SE_PORT"
# nothing listens there: alien.py goes on to the advertised JBox (this daemon); so do we
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$T/freeport"
run env JALIEN_HOST=127.0.0.1 JALIEN_WSPORT="$(cat "$T/freeport")" alien whoami
expect_rc 0 "JALIEN_HOST naming a port nothing listens on"
expect_out "jalien"

# ---- the daemon's endpoint at start: ALIENPY_JCENTRAL when it has none of its own
mkdir -m 700 "$T/d2"
env -u JALIEND_ENDPOINT ALIENPY_JCENTRAL=127.0.0.1 ALIENPY_JCENTRAL_PORT="$PORT" ALIEN_PROC_ID=4242 ALIEN_MASTERJOB_ID=4241 \
	"$JALIEND_BUILD/daemon/jaliend" -f --no-jbox -s "$T/d2/S.jaliend" >"$T/d2/log" 2>&1 &
D2=$!
i=0
until JALIEND_SOCKET="$T/d2/S.jaliend" alien whoami >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 400 ] || { kill "$D2"; fail "jaliend on ALIENPY_JCENTRAL did not serve: $(cat "$T/d2/log")"; }
	sleep 0.05
done
run env JALIEND_SOCKET="$T/d2/S.jaliend" alien daemon status
kill "$D2" 2>/dev/null || fail "the jaliend started on ALIENPY_JCENTRAL has gone: $(cat "$T/d2/log")"
wait "$D2" || true
expect_rc 0 "daemon status of a jaliend started on ALIENPY_JCENTRAL"
expect_out_has "endpoint: wss://127.0.0.1:$PORT/websocket/json" "the endpoint of a jaliend started on ALIENPY_JCENTRAL"
run env -u JALIEND_ENDPOINT ALIENPY_JCENTRAL='a b' "$JALIEND_BUILD/daemon/jaliend" -f -s "$T/d2/S2"
expect_rc 2 "jaliend with a bad ALIENPY_JCENTRAL"
expect_err_has "ALIENPY_JCENTRAL"

# ---- ALIENPY_DEBUG: the upstream JSON in the log file, nothing more on the terminal
run env ALIENPY_DEBUG=1 ALIENPY_DEBUG_FILE="$T/debug.log" alien whoami
expect_rc 0 "ALIENPY_DEBUG whoami"
expect_out "jalien"
expect_err "" "ALIENPY_DEBUG: stderr"
grep -q '^>>> JCentral: {"command":"whoami"' "$T/debug.log" || fail "ALIENPY_DEBUG_FILE has no request: $(cat "$T/debug.log")"
grep -q '^<<< JCentral: {' "$T/debug.log" || fail "ALIENPY_DEBUG_FILE has no reply"
CHECKS=$((CHECKS + 2))
mkdir -p "$T/h"
run env HOME="$T/h" ALIENPY_DEBUG=1 alien pwd
[ -s "$T/h/alien_py.log" ] || fail "ALIENPY_DEBUG without a file: no ~/alien_py.log"
run env JALIENPY_DEBUG=1 alien whoami
expect_err_has '>>> JCentral: {"command":"whoami"' "JALIENPY_DEBUG (the seed's name) still on stderr"

# ---- XRD_*: cp's defaults from the shell, checked as the options are
printf 'hello\n' >"$T/a.txt"
run env XRD_CPCHUNKSIZE=12 alien cp "file:$T/a.txt" envx.txt
expect_rc 22 "XRD_CPCHUNKSIZE out of range"
expect_one_line "XRD_CPCHUNKSIZE out of range"
expect_err_has "XRD_CPCHUNKSIZE=12 (the default of -chunksz): expected a whole number"
run env XRD_CPCHUNKSIZE=12 alien cp -chunksz 65536 "file:$T/a.txt" envx.txt
expect_rc 0 "an option wins over XRD_CPCHUNKSIZE"
expect_out_has "Warning! env var XRD_CPCHUNKSIZE is set and will be overwritten with value 65536" \
	"alien.py 1.7.0's warning when an option wins over its variable"
run env XRD_SUBSTREAMSPERCHANNEL=2 XRD_CPRETRY=1 alien cp -S 3 -retry 0 envx.txt "file:$T/warn.txt"
expect_rc 0 "-S and -retry over their variables"
expect_out_has "Warning! env var XRD_SUBSTREAMSPERCHANNEL is set and will be overwritten with value: 3"
expect_out_has "Warning! env var XRD_CPRETRY is set and will be overwritten with value 0"
run env XRD_CPPARALLELCHUNKS=2 XRD_CPCHUNKSIZE=65536 XRD_CPRETRY=1 alien cp envx.txt "file:$T/back.txt"
expect_rc 0 "a download with XRD_CP* defaults"
cmp -s "$T/a.txt" "$T/back.txt" || fail "the download with XRD_CP* differs"

# ALIENPY_KEEP_META: the download's metalink left in the shell's folder as <uuid5(lfn)>.meta4
mkdir -p "$T/kmdir"
(cd "$T/kmdir" && run env ALIENPY_KEEP_META=1 alien cp envx.txt "file:$T/km.txt" &&
	expect_rc 0 "a download with ALIENPY_KEEP_META")
km=$T/kmdir/$(python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, sys.argv[1]))' "${HOME_DIR}envx.txt").meta4
[ -f "$km" ] || fail "ALIENPY_KEEP_META: no $km (there: $(ls "$T/kmdir"))"
grep -q '<url><!\[CDATA\[root://' "$km" || fail "ALIENPY_KEEP_META: $km has no replica URL"
[ "$(stat -c %a "$km")" = 600 ] || fail "ALIENPY_KEEP_META: $km has mode $(stat -c %a "$km")"
CHECKS=$((CHECKS + 3))
(cd "$T/kmdir" && run alien cp envx.txt "file:$T/km2.txt" && expect_rc 0 "a download without ALIENPY_KEEP_META")
[ "$(find "$T/kmdir" -name '*.meta4' | wc -l)" -eq 1 ] || fail "a metalink kept without ALIENPY_KEEP_META"

# XRD_LOGFILE/XRD_LOGLEVEL: XrdCl's lines of this cp's transfers in the shell's file (relative:
# to the shell's folder), at its level; not after the cp; a symlink or a bad level is refused
mkdir -p "$T/logdir"
(cd "$T/logdir" && run env XRD_LOGFILE=xrd.log XRD_LOGLEVEL=debug alien cp envx.txt "file:$T/back2.txt" &&
	expect_rc 0 "a download with XRD_LOGFILE (relative) and XRD_LOGLEVEL=debug")
[ -f "$T/logdir/xrd.log" ] || fail "XRD_LOGFILE=xrd.log: no $T/logdir/xrd.log"
grep -q '^\[[^]]*\]\[Debug  \]\[' "$T/logdir/xrd.log" || fail "XRD_LOGFILE has no XrdCl debug line: $(head -c 600 "$T/logdir/xrd.log")"
grep -q "envx.txt\|127.0.0.1:" "$T/logdir/xrd.log" || fail "XRD_LOGFILE names neither the file nor its SE"
[ "$(stat -c %a "$T/logdir/xrd.log")" = 600 ] || fail "XRD_LOGFILE made with mode $(stat -c %a "$T/logdir/xrd.log")"
CHECKS=$((CHECKS + 4))
size=$(wc -c <"$T/logdir/xrd.log")
run alien cp envx.txt "file:$T/back3.txt"
expect_rc 0 "a download without XRD_LOGFILE"
[ "$(wc -c <"$T/logdir/xrd.log")" -eq "$size" ] || fail "XRD_LOGFILE got lines from a later cp without it"
run env XRD_LOGFILE="$T/logdir/info.log" XRD_LOGLEVEL=Error alien cp envx.txt "file:$T/back4.txt"
expect_rc 0 "a download with XRD_LOGLEVEL=Error"
! grep -q '\]\[Debug  \]\[' "$T/logdir/info.log" || fail "XRD_LOGLEVEL=Error: debug lines in the file"
CHECKS=$((CHECKS + 2))
ln -s "$T/logdir/xrd.log" "$T/logdir/link.log"
run env XRD_LOGFILE="$T/logdir/link.log" XRD_LOGLEVEL=Debug alien cp envx.txt "file:$T/back5.txt"
expect_rc 22 "XRD_LOGFILE naming a symbolic link"
expect_one_line "XRD_LOGFILE naming a symbolic link"
expect_err_has "XRD_LOGFILE=$T/logdir/link.log" "the refusal names XRD_LOGFILE"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/back5.txt" ] || fail "a copy made under a refused XRD_LOGFILE"
run env XRD_LOGFILE="$T/logdir/x.log" XRD_LOGLEVEL=loud alien cp envx.txt "file:$T/back5.txt"
expect_rc 22 "a bad XRD_LOGLEVEL"
expect_err "cp: XRD_LOGLEVEL=loud: expected Error, Warning, Info, Debug or Dump"

# -norecovery, -strictspec: alien.py 1.7.0's notices; -strictspec asks `access -f`
run alien cp -norecovery "file:$T/a.txt" envnr.txt
expect_rc 0 "cp -norecovery"
[ "$(printf '%s\n' "$OUT" | head -n 1)" = "N.B.! norecovery enabled! there will be no fallback for a failed copy!" ] ||
	fail "cp -norecovery: no notice first: [$OUT]"
run env JALIENPY_DEBUG=1 alien cp -strictspec "file:$T/a.txt" envss.txt@disk:1
expect_rc 0 "cp -strictspec"
expect_out_has "Strict specifications were enabled!! Command may fail!!" "cp -strictspec"
expect_err_has '{"command":"access","options":["-nomsg","-f",' "cp -strictspec asks access -f"

# ---- ~ in X509_*: the shell's HOME, as alien.py 1.7.0 expands it
mkdir -p "$T/h/.globus"
cp "$X509_USER_CERT" "$T/h/.globus/mycert.pem"
run env HOME="$T/h" X509_USER_CERT='~/.globus/mycert.pem' alien cert-info
expect_rc 0 "cert-info with ~ in X509_USER_CERT"
expect_out_has "DN >>>" "cert-info with ~ in X509_USER_CERT"

# ---- the User-Agent JCentral sees: alien.py 1.7.0's shape, jaliend's names
CHECKS=$((CHECKS + 1))
grep -qE "client user-agent: jaliend/[^ ]+ libwebsockets/[^ ]+ platform/Linux-[^/ ]+/[^ ]+ id/[^@ ]+@[^ ]+$" \
	"$STACK/jcentral-lite.log" || fail "no User-Agent of alien.py's shape: $(grep user-agent "$STACK/jcentral-lite.log" | head -n 2)"
CHECKS=$((CHECKS + 1)) # a grid job's daemon (ALIEN_PROC_ID, ALIEN_MASTERJOB_ID) says so
grep -q "client user-agent: jaliend/.* jobid/4242 masterjobid/4241$" "$STACK/jcentral-lite.log" ||
	fail "no jobid/masterjobid in the User-Agent of a job's daemon"

# ---- the CA for cert-verify in alien.py 1.7.0's order: ALIENPY_USE_LOCAL_CAS, X509_CERT_DIR, X509_CERT_FILE
mkdir -p "$T/h/.globus/certificates" "$T/noca"
cp "$X509_CERT_DIR"/* "$T/h/.globus/certificates/"
run env HOME="$T/h" X509_CERT_DIR="$T/noca" ALIENPY_USE_LOCAL_CAS=1 alien cert-verify
expect_rc 0 "cert-verify with ALIENPY_USE_LOCAL_CAS (~/.globus/certificates) before X509_CERT_DIR"
expect_out "SSL Verification successful for $X509_USER_CERT"
run env X509_CERT_DIR="$T/noca" alien cert-verify
expect_rc 1 "cert-verify with an X509_CERT_DIR without the CA"
CAFILE=$(grep -l "BEGIN CERTIFICATE" "$X509_CERT_DIR"/* | head -n 1)
run env -u X509_CERT_DIR X509_CERT_FILE="$CAFILE" alien cert-verify
expect_rc 0 "cert-verify with X509_CERT_FILE"

# ---- the daemon's own TLS to JCentral: X509_CERT_FILE (a bundle) after an X509_CERT_DIR that
# is empty or absent, as alien.py 1.7.0's CA search; a bundle without the server's CA fails
cat "$STACK/pki/tokenca.pem" "$STACK/pki/ca.pem" >"$T/bundle.pem"
whoami_via_daemon c1 X509_CERT_DIR="$T/noca" X509_CERT_FILE="$T/bundle.pem"
expect_rc 0 "jaliend with X509_CERT_FILE (a bundle) and an empty X509_CERT_DIR: $(cat "$T/c1.log")"
expect_out "jalien"
whoami_via_daemon c2 X509_CERT_DIR="$T/absent" X509_CERT_FILE="$T/bundle.pem"
expect_rc 0 "jaliend with X509_CERT_FILE and an absent X509_CERT_DIR: $(cat "$T/c2.log")"
expect_out "jalien"
whoami_via_daemon c3 X509_CERT_DIR="$T/noca" X509_CERT_FILE="$STACK/pki/tokenca.pem"
expect_rc 107 "jaliend with an X509_CERT_FILE without the server's CA"
expect_one_line "jaliend with an X509_CERT_FILE without the server's CA"
expect_err_has "(CA file $STACK/pki/tokenca.pem)" "the TLS error names the CA file"

echo "test_env: $CHECKS checks passed"
