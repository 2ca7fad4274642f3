#!/bin/sh
# The commands alien.py answers on the client side, answered by jaliend
# (alienpy-behaviour.md section 3; Part B 12, 25, 26, 28, 45, 51, 53, 76, 78).
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=local

# Part B 53, 51: home, pwd, cd -, cd alone
run alien-home
expect_rc 0 home; expect_out "$HOME_DIR" home
alien-mkdir -p d1/d2 >/dev/null
alien-touch d1/.hidden d1/f >/dev/null
run alien 'cd d1; cd d2; cd -; pwd'
expect_out "${HOME_DIR}d1/" "cd - goes back"
run alien 'cd; pwd'
expect_out "$HOME_DIR" "cd alone goes home"

# Part B 28: ls -F by default, ll, la, lla
run alien-ls d1
expect_out "$(printf 'd2/\nf')" "ls has -F, no hidden entries"
run alien-la d1
expect_out_has ".hidden" "la shows hidden entries"
run alien-ll d1
expect_rc 0 ll; expect_out_has " d2/" "ll is long with -F"
run alien-lla d1
expect_out_has ".hidden" "lla"; expect_out_has " d2/" "lla is long"

# Part B 45: cert-info / token-info / token-destroy (local, 4 lines)
subject=$(openssl x509 -in "$X509_USER_CERT" -noout -subject -nameopt compat | sed 's|^subject=/||')
begin=$(openssl x509 -in "$X509_USER_CERT" -noout -startdate -dateopt iso_8601 | sed 's/^notBefore=//; s/Z$//')
run alien-cert-info
expect_rc 0 cert-info
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 4 ] || fail "cert-info is not 4 lines: $OUT"
expect_out_has "DN >>> $subject" "cert-info DN"; expect_out_has "BEGIN >>> $begin" "cert-info BEGIN"
expect_out_has "ISSUER >>> C=ch/O=JAliEn-lite/CN=" "cert-info issuer"
run env X509_USER_CERT="$T/none.pem" alien-cert-info
expect_rc 2 "cert-info missing"; expect_err "File >>> $T/none.pem <<< not found/accessible!"
run env JALIEN_TOKEN_CERT="$(cat "$X509_USER_CERT")" alien-token-info
expect_rc 0 "token-info from PEM text in JALIEN_TOKEN_CERT"; expect_out_has "DN >>> $subject"
mkdir -p "$T/tok"
cp "$X509_USER_CERT" "$T/tok/tokencert_$(id -u).pem"
cp "$X509_USER_KEY" "$T/tok/tokenkey_$(id -u).pem"
run env TMPDIR="$T/tok" alien-token-info
expect_rc 0 "token-info from \$TMPDIR/tokencert_<uid>.pem"; expect_out_has "EXPIRE >>> "
run env TMPDIR="$T/tok" alien-token-destroy
expect_rc 0 token-destroy; expect_out "Token was destroyed! Re-connect for token re-creation."
[ ! -e "$T/tok/tokencert_$(id -u).pem" ] && [ ! -e "$T/tok/tokenkey_$(id -u).pem" ] || fail "token files still there"
CHECKS=$((CHECKS + 1))
run env TMPDIR="$T/tok" alien-token-info
expect_rc 2 "token-info after destroy"; expect_err_has "not found/accessible!"

# Part B 25: unknown command: warning, similar commands, exit 1
run alien lss -l
expect_rc 1 "unknown"; expect_out "" "unknown: no stdout"
expect_err "$(printf 'WARNING! command >>> lss <<< not in the list of known commands!\nSimilar commands: less ls listSEs')" "difflib's three best, as alien.py"
mkdir -p "$T/bin"
cp "$JALIEND_BUILD/client/alien" "$T/bin/alien"
ln -s alien "$T/bin/alien-wohami"
run "$T/bin/alien-wohami"
expect_rc 1 "unknown by name"; expect_err_has "Similar commands: whoami"
run alien qqqqqqqqqq
expect_rc 1 "unknown, nothing similar"; expect_err "WARNING! command >>> qqqqqqqqqq <<< not in the list of known commands!"

# a fresh daemon that has no command list yet still knows an unknown command
mkdir -m 700 "$T/fresh"
JALIEND_SOCKET="$T/fresh/S.jaliend" "$JALIEND_BUILD/daemon/jaliend" --foreground >"$T/fresh.log" 2>&1 &
fpid=$!
i=0
while [ ! -S "$T/fresh/S.jaliend" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
run env JALIEND_SOCKET="$T/fresh/S.jaliend" alien whoamii
kill "$fpid"
wait "$fpid" || true
expect_rc 1 "unknown as the first command of a daemon"; expect_err_has "Similar commands: whoami"

# Part B 26: help in columns of 24, help <cmd> = <cmd> -h, -h first
run env COLUMNS=80 alien help
expect_rc 0 help; expect_out_has "cert-info" "help lists client commands"
printf '%s\n' "$OUT" | grep -q "^\$?  *?  *SEqos  *access  *archiveList$" || fail "help columns (alien.py 1.7.0 lists \$? and ? first): $OUT"
CHECKS=$((CHECKS + 1))
run alien -h
expect_rc 0 "alien -h"; expect_out_has "whoami" "alien -h is help"
run alien help ls
expect_rc 0 "help ls"; expect_out_has "usage: ls" "help ls = ls -h"
help_ls=$OUT
run alien-ls -h
expect_out "$help_ls" "ls -h"

# Part B 11 (exitcode): the terminal's last code, across invocations
alien-ls /nothere 2>/dev/null || true
run alien-exitcode
expect_rc 2 "exitcode"; expect_out "2" "exitcode prints the last code"
run alien '$?'
expect_rc 2 "\$?"; expect_out "2" "\$? keeps the code (exitcode exits with it)"
run env ALIEN_SESSION=other alien-exitcode
expect_out "-1" "exitcode of another terminal (-1 before any command)"
expect_rc 255 "exitcode of a fresh terminal (alien.py 1.7.0 exits 255)"

# version, ping (client-side in alien.py)
run alien-version
expect_rc 0 version; expect_out_has "jaliend version: " version
run alien-ping 2
expect_rc 0 ping; expect_out_has "Websocket ping/pong(s) : 2 time(s) to $JALIEND_ENDPOINT" ping
printf '%s\n' "$OUT" | grep -q "^rtt min/avg/max/mdev (ms) = [0-9.]*/[0-9.]*/[0-9.]*/[0-9.]*$" || fail "ping rtt: $OUT"
CHECKS=$((CHECKS + 1))
run alien-ping 1000
expect_rc 22 "ping over the cap"; expect_one_line "ping over the cap"

# Part B 76: quota = jquota list + fquota list; no quota record is a clear error
run alien-quota
case $RC in
0) expect_out_has "Quota report for user : jalien" quota ;;
*) expect_rc 1 "quota error (alien.py: 1)"; expect_out "" "quota error: no stdout"
	expect_err_has "jquota exitcode: " "quota error: jquota's answer"; expect_err_has "fquota exitcode: " "and fquota's" ;;
esac

# alien --direct: the one-shot client beside the binary; missing: 127
run "$T/bin/alien" --direct whoami
expect_rc 127 "--direct without alien-direct"; expect_err_has "$T/bin/alien-direct" "--direct names the binary"

# help of a command registered above the command layer: its own usage
for how in "help daemon" "daemon -h"; do
	run alien $how
	expect_rc 0 "$how"; expect_out_has "alien-daemon reload" "$how"
done

pass
