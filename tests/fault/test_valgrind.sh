#!/bin/sh
# The daemon under valgrind (memcheck): start, serve shims of every kind
# (normal, bad input, a cancelled request, a refused flood), reload, stop with
# SIGTERM; no invalid access, no definite or indirect leak.
. "$(dirname "$0")/flib.sh"
command -v valgrind >/dev/null || fail "valgrind is needed (scripts/install-deps installs it)"
stack_up
mkdir -m 700 "$T/v"
sock="$T/v/S.jaliend"
JALIEND_SOCKET="$sock" valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--suppressions="$(dirname "$0")/valgrind.supp" --log-file="$T/vg.log" \
	"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/v.log" 2>&1 &
vpid=$!
i=0
until JALIEND_SOCKET="$sock" alien-whoami >/dev/null 2>&1; do
	kill -0 "$vpid" 2>/dev/null || fail "jaliend under valgrind exited: $(cat "$T/vg.log" "$T/v.log")"
	i=$((i + 1))
	[ $i -lt 300 ] || fail "jaliend under valgrind did not answer in 30 s"
	sleep 0.1
done
export JALIEND_SOCKET="$sock"
expect_whoami "under valgrind"
# issue 26 item 7: a replica whose PFN, as the service sends it, is shorter than "root://"
# (pfn-status skipped 7 bytes before it checked: memcheck's invalid read)
alien-touch short.pfn
python3 - "$STACK/catalogue.db" "${HOME_DIR}short.pfn" <<'PY'
import sqlite3, sys, uuid
c = sqlite3.connect(sys.argv[1], timeout=30)
g = c.execute("SELECT guid FROM lfn WHERE lfn = ?", (sys.argv[2],)).fetchone()[0] or str(uuid.uuid1())
c.execute("UPDATE lfn SET guid = ? WHERE lfn = ?", (g, sys.argv[2]))
c.execute("INSERT INTO pfn (guid, seNumber, se, pfn) VALUES (?, 1, 'ALICE::JCL::SE1', 'r')", (g,))
c.commit()
PY
run alien-pfn-status short.pfn
expect_rc 1 "pfn-status of a replica with a short PFN"
expect_out_has "$(printf 'r\t\tMessage: [FATAL] Invalid address')" "pfn-status names the short PFN"
for c in "alien-ls -l" "alien-cd /" "alien-pwd" "alien-version" "alien-daemon status" "alien-daemon reload" \
	"alien-ls -json $HOME_DIR" "alien-stat /nothere" "alien-nosuchcommand"; do
	$c >/dev/null 2>&1 || true
done
lp 'hello:{"proto":2}'
lp hello 'req:{"argv":["x"'
lp hdr:4294967295:HELLO:0:0
lp hello 'req:{"argv":["echo","a"],"session":"v"}' shut
timeout 1 "$LP" -t 5 hello run:ls >/dev/null 2>&1 || true # gone before its answer
run "$LP" -t 30 -n 20 hello run:whoami
expect_out_has "EXIT 0: 20" "20 connections at once"
expect_whoami "after the mix"
kill -TERM "$vpid"
rc=0
wait "$vpid" || rc=$?
CHECKS=$((CHECKS + 1))
[ "$rc" -eq 0 ] || fail "jaliend under valgrind exited with $rc (99: memcheck errors): $(cat "$T/vg.log")"
grep -q "stopped" "$T/v.log" || fail "the daemon did not stop cleanly: $(tail -n 5 "$T/v.log")"
CHECKS=$((CHECKS + 1))
pass
