#!/bin/sh
# Issue 17 beside the golden rows (tests/golden): what alien.py 1.6.3 has no
# row for, or what needs a look at files, logs or a second terminal.
. "$(dirname "$0")/../integration/lib.sh"
stack_up
export ALIEN_SESSION=parity

# token-destroy removes jaliend's own files: a fresh token replaces them, the next command works
tok=$(alien-daemon status | sed -n 's/^token expires: .*files \([^,]*\),.*/\1/p')
[ -n "$tok" ] && [ -f "$tok" ] || fail "no token file in alien-daemon status"
before=$(openssl x509 -in "$tok" -noout -serial)
run alien-token-destroy
expect_rc 0 "token-destroy"; expect_out "Token was destroyed! Re-connect for token re-creation."
CHECKS=$((CHECKS + 1))
[ -f "$tok" ] && [ "$(openssl x509 -in "$tok" -noout -serial)" != "$before" ] ||
	fail "after token-destroy there is no new token in $tok"
run alien-token-info
expect_rc 0 "token-info after token-destroy"; expect_out_has "DN >>> "
run alien-whoami
expect_rc 0 "a command after token-destroy"; expect_out "jalien"
alien-daemon reload >/dev/null
run alien-whoami
expect_rc 0 "after token-destroy and reload"

# token-init: a token now, shown as token-info
before=$(openssl x509 -in "$tok" -noout -serial)
run alien token-init
expect_rc 0 "token-init"; expect_out_has "DN >>> "; expect_out_has "EXPIRE >>> "
CHECKS=$((CHECKS + 1))
[ "$(openssl x509 -in "$tok" -noout -serial)" != "$before" ] || fail "token-init issued no new token"
run alien-cert-verify
expect_rc 0 cert-verify; expect_out "SSL Verification successful for $X509_USER_CERT"
run alien-tokenkey-match
expect_rc 0 tokenkey-match; expect_out "Cert/key match!"
run env X509_USER_KEY="$STACK/pki/user2key.pem" alien-certkey-match
expect_rc 42 "certkey-match of another key (alien.py 1.7.0: 42)"; expect_err "Cert/key DO NOT match!"
run env X509_CERT_DIR="$T" alien-cert-verify
expect_rc 1 "cert-verify without the CA"; expect_err "SSL Verification failed for $X509_USER_CERT"

# JALIENPY_DEBUG: the JSON sent and received upstream, on this shim's stderr only
run env JALIENPY_DEBUG=1 alien-whoami
expect_rc 0 "JALIENPY_DEBUG"; expect_out "jalien"
expect_err_has '>>> JCentral: {"command":"whoami","options":['
expect_err_has '<<< JCentral: {'
run alien-whoami
expect_err "" "without JALIENPY_DEBUG: nothing on stderr"

# _json program names: the results (alien_json), the whole reply (alien_json_all)
alien-mkdir -p jd/sub >/dev/null
run "$JALIEND_BUILD/client/alien_json" ls jd
expect_rc 0 alien_json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert isinstance(d, list) and d[0]["name"] == "sub/", d' ||
	fail "alien_json ls is not the results array: $OUT"
run "$JALIEND_BUILD/client/alien_json_all" ls jd
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["metadata"]["exitcode"] == "0" and d["results"]' ||
	fail "alien_json_all ls is not the whole reply: $OUT"

# sh: as a shell escape, as !
run alien 'sh: echo hi; exit 4'
expect_rc 4 "sh: escape"; expect_out "hi"

# a non-UTF-8 argument is refused, and shown escaped (never raw on the terminal)
run alien ls "$(printf 'a\377b')"
expect_rc 22 "non-UTF-8"; expect_err_has 'a\xffb'
CHECKS=$((CHECKS + 1))
printf '%s' "$ERR" | od -An -tx1 | grep -q ' ff' && fail "the raw byte reached stderr: $ERR"

# cp: uploads counted per replica, -json all compact, a missing source
printf 'x\n' >"$T/x.txt"
run alien-cp "file:$T/x.txt" x.txt
expect_rc 0 "upload"; expect_out_has "jobID: 2/2 >>> STATUS OK"; expect_out_has "Successful jobs (1st try): 2/2"
run alien-cp -json "file:$T/x.txt" x2.txt
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | grep -q '": ' && fail "cp -json mixes indented and compact JSON: $OUT"
run alien-cp nosuch.txt "file:$T/n.txt"
expect_rc 2 "cp of a missing LFN"; expect_err "Specified source ${HOME_DIR}nosuch.txt not found!"
run alien-cp x.txt "file:/proc/nosuch/x.txt"
expect_rc 42 "cp into a folder that cannot be made"
expect_err "Could not create local destination directory: /proc/nosuch"

# ps -trace: the epoch seconds become local time, as alien.py prints them
alien-touch job.sh >/dev/null
printf 'Executable = "job.sh";\n' >"$T/j.jdl"
alien-cp "file:$T/j.jdl" j.jdl >/dev/null
id=$(alien-submit j.jdl | sed -n 's/.*job ID is //p')
[ -n "$id" ] || fail "submit gave no job ID"
run alien-ps -trace "$id"
expect_rc 0 "ps -trace"
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | grep -q '^[0-9]\{10\} ' && fail "ps -trace shows epoch seconds: $OUT"
printf '%s\n' "$OUT" | grep -q '^20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9][+-][0-9]\{4\} \[' ||
	fail "ps -trace has no local times: $OUT"

# pushd/popd/dirs: the stack lives with the terminal's cwd, between commands
alien-cd >/dev/null
run alien-pushd jd
expect_out "~/jd ~" pushd
run alien-pwd
expect_out "${HOME_DIR}jd/" "pushd moved this terminal"
run env ALIEN_SESSION=other alien-dirs
expect_out "~" "another terminal's stack"
run alien-popd
expect_out "~" popd
run alien-pwd
expect_out "$HOME_DIR" "popd moved back"

# autostart: the daemon's start-up lines stay off the first command's stderr
mkdir -m 700 "$T/auto"
run env JALIEND_AUTOSTART=1 JALIEND_SOCKET="$T/auto/S.jaliend" alien-whoami
expect_rc 0 "autostarted"; expect_out "jalien"; expect_err "" "autostart: the command's stderr is its own"
apid=$(JALIEND_SOCKET="$T/auto/S.jaliend" alien-version | sed -n 's/^jaliend pid: //p')
[ -n "$apid" ] && kill "$apid"

# find2 -json: the rows that passed the client-side filters, as JSON
alien-mkdir -p f2/d >/dev/null
alien-cp "file:$T/x.txt" f2/d/x.txt >/dev/null
alien-touch f2/e >/dev/null
run alien-find2 -json -minsize 1 f2
expect_rc 0 "find2 -json"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"]; assert [x["lfn"].rsplit("/",2)[-2:] for x in r] == [["d","x.txt"]], r' ||
	fail "find2 -json -minsize 1 is not the one file that passed: $OUT"

# toXml -local: paths from the shim's own folder, the md5 of the file, -x written there too
set +e
(cd "$T" && exec alien-toXml -local -x out.xml x.txt) >"$T/tx.out" 2>"$T/tx.err"
RC=$?
set -e
OUT=$(cat "$T/tx.out") ERR=$(cat "$T/tx.err")
expect_rc 0 "toXml -local"; expect_err "" "toXml -local"
sum=$(md5sum "$T/x.txt" | cut -d' ' -f1)
expect_out_has "lfn=\"file://$T/x.txt\" md5=\"$sum\"" "toXml -local: x.txt of the shim's folder with its md5"
CHECKS=$((CHECKS + 1))
cmp -s "$T/tx.out" "$T/out.xml" || fail "toXml -local -x: out.xml in the shim's folder is not what was printed"

# find2 without a folder: one line, exit 22 (alien.py 1.6.3 crashes: IndexError)
run alien-find2
expect_rc 22 "find2 alone"; expect_err "find2: the folder to search is missing (it is the last argument)"
# toXml -x file: of a grid collection: the server's answer, and its output written locally
# (jcentral-lite has no toXml: its error and code, the file written empty, as alien.py does)
run alien-toXml -x "file:$T/grid.xml" x.txt
expect_rc 38 "toXml -x file: on jcentral-lite"; expect_err_has "toXml is not implemented by jcentral-lite"
CHECKS=$((CHECKS + 1))
[ -f "$T/grid.xml" ] && [ ! -s "$T/grid.xml" ] || fail "toXml -x file: did not write $T/grid.xml"

# an XRootD query of an SE (integration.xrdq checks the answers): a bad count is one line, exit 22
run alien xrd_ping -c many ALICE::JCL::SE1
expect_rc 22 "xrd_ping -c many"; expect_err "xrd_ping: -c needs a count from 1 to 100"

# out of scope: said so
run alien ccdb -h
expect_rc 38 ccdb; expect_err "ccdb: not provided by jaliend: it needs services other than JAliEn (alien.py has it)"
pass
