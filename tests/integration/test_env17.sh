#!/bin/sh
# More of the environment alien.py 1.7.0 reads (issue 28, docs/COMPAT.md row 86):
# ALIENPY_JSON_OUT_GLOBAL (JSON output as -json), an empty ALIENPY_JSON (off, as
# 1.7.0's `if os.getenv(...)`), ALIENPY_JSON_OUT (no effect on what 1.7.0 prints),
# ALIENPY_ALLOW_UNKNOWN_CMDS (an unlisted verb goes to JCentral, which answers it),
# ALIENPY_TIMECONNECT (1.7.0's connection-time line on stdout, for the shim's connection
# to jaliend), ALIENPY_TIMING (a time line per request in ALIENPY_DEBUG's log).
# With alien.py 1.7.0 at hand (JALIEND_ALIENPY17, default /work/refjc/client/alienpy170)
# the JSON of ALIENPY_JSON_OUT_GLOBAL is compared with its output for the same command.
# ALIENPY_NO_CWD_RESTORE (the interactive shell) is in test_env17_shell.sh.
. "$(dirname "$0")/lib.sh"
stack_up
PORT=$(cat "$STACK/jcentral-lite.port")

# ---- ALIENPY_JSON_OUT_GLOBAL: every command's whole reply as JSON, as -json
run alien -json whoami
expect_rc 0 "-json whoami"
json=$OUT
expect_out_has '"username": "jalien"' "-json whoami"
run env ALIENPY_JSON_OUT_GLOBAL=1 alien whoami
expect_rc 0 "ALIENPY_JSON_OUT_GLOBAL whoami"
expect_out "$json" "ALIENPY_JSON_OUT_GLOBAL whoami is -json's output"
run env ALIENPY_JSON_OUT_GLOBAL=1 alien 'whoami; pwd'
expect_rc 0 "ALIENPY_JSON_OUT_GLOBAL chain"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c '"metadata": {')" -eq 2 ] ||
	fail "ALIENPY_JSON_OUT_GLOBAL: not both commands of a chain in JSON: [$OUT]"
run env ALIENPY_JSON_OUT_GLOBAL=1 alien stat /nothere
expect_rc 2 "ALIENPY_JSON_OUT_GLOBAL stat of a missing file"
expect_out_has '"exitcode": "2"' "ALIENPY_JSON_OUT_GLOBAL: JSON also on a failure"
# set but empty is unset (alien.py tests the value, not its presence); ALIENPY_JSON_OUT
# (1.7.0's per-command flag) does not change what 1.7.0 prints
for v in ALIENPY_JSON= ALIENPY_JSON_OUT_GLOBAL= ALIENPY_JSON_OUT=1; do
	run env "$v" alien whoami
	expect_rc 0 "$v whoami"
	expect_out "jalien" "$v whoami prints text"
done
APY=${JALIEND_ALIENPY17:-/work/refjc/client/alienpy170}
if [ -d "$APY/alienpy" ]; then
	mkdir -p "$T/aphome" "$T/aptmp"
	run env HOME="$T/aphome" TMPDIR="$T/aptmp" ALIENPY_JCENTRAL=127.0.0.1 \
		ALIENPY_JCENTRAL_PORT="$PORT" ALIENPY_NO_STAGGER=1 ALIENPY_NO_HISTORY=1 \
		ALIENPY_JSON_OUT_GLOBAL=1 PYTHONPATH="$APY" \
		"${JALIEND_ALIENPY17_PYTHON:-/usr/bin/python3}" -c \
		'import sys; sys.argv[0]="alien.py"; from alienpy.alien import main; sys.exit(main())' whoami
	expect_rc 0 "alien.py 1.7.0 with ALIENPY_JSON_OUT_GLOBAL"
	# jaliend's sessions log in with the user certificate, alien.py's with the token
	ours=$(printf '%s\n' "$json" | grep -v '"certificate_expires"')
	theirs=$(printf '%s\n' "$OUT" | grep -v '"certificate_expires"')
	CHECKS=$((CHECKS + 1))
	[ "$ours" = "$theirs" ] || fail "ALIENPY_JSON_OUT_GLOBAL: ours [$ours] alien.py 1.7.0 [$theirs]"
	echo "compared with alien.py 1.7.0 at $APY"
fi

# ---- ALIENPY_ALLOW_UNKNOWN_CMDS: JCentral answers a verb it does not list
run alien nosuchcmd a b
expect_rc 1 "an unknown verb"
expect_err_has "WARNING! command >>> nosuchcmd <<< not in the list of known commands!"
run env ALIENPY_ALLOW_UNKNOWN_CMDS=1 alien nosuchcmd a b
expect_rc 2 "ALIENPY_ALLOW_UNKNOWN_CMDS: JCentral's code for a command it has not"
expect_err "No such file or directory : Command [nosuchcmd] not found!" \
	"ALIENPY_ALLOW_UNKNOWN_CMDS: JCentral's answer"
run env ALIENPY_ALLOW_UNKNOWN_CMDS= alien nosuchcmd
expect_rc 1 "ALIENPY_ALLOW_UNKNOWN_CMDS empty: the warning"
run env ALIENPY_ALLOW_UNKNOWN_CMDS=1 alien 'whoami; pwd'
expect_rc 0 "ALIENPY_ALLOW_UNKNOWN_CMDS: known commands as before"
expect_out "jalien
$HOME_DIR"

# ---- ALIENPY_TIMECONNECT: 1.7.0's line, once a process, before the output
TC='^>>>   AlienConnect::Time for connection: [0-9][0-9]*\.[0-9][0-9][0-9] ms$'
run env ALIENPY_TIMECONNECT=1 alien 'whoami; pwd'
expect_rc 0 "ALIENPY_TIMECONNECT chain"
CHECKS=$((CHECKS + 3))
printf '%s\n' "$OUT" | head -n 1 | grep -q "$TC" || fail "ALIENPY_TIMECONNECT: no time line first: [$OUT]"
[ "$(printf '%s\n' "$OUT" | grep -c "$TC")" -eq 1 ] || fail "ALIENPY_TIMECONNECT: not one line: [$OUT]"
[ "$(printf '%s\n' "$OUT" | tail -n 2)" = "jalien
$HOME_DIR" ] || fail "ALIENPY_TIMECONNECT: the output changed: [$OUT]"
run env ALIENPY_TIMECONNECT=1 alien 'whoami | cat'
expect_rc 0 "ALIENPY_TIMECONNECT with a pipe"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c "$TC")" -eq 1 ] || fail "ALIENPY_TIMECONNECT with a pipe: [$OUT]"
run env ALIENPY_TIMECONNECT=1 alien --complete command whoam
expect_out "whoami" "ALIENPY_TIMECONNECT: completion answers stay clean"
run env ALIENPY_TIMECONNECT= alien whoami
expect_out "jalien" "ALIENPY_TIMECONNECT empty: no line"

# ---- ALIENPY_TIMING: a time line per request in ALIENPY_DEBUG's log, none without it
TL='^>>>__sendmsg time = [0-9][0-9]*\.[0-9][0-9][0-9] ms$'
run env ALIENPY_DEBUG=1 ALIENPY_DEBUG_FILE="$T/t1.log" ALIENPY_TIMING=1 alien 'whoami; pwd'
expect_rc 0 "ALIENPY_TIMING with ALIENPY_DEBUG"
expect_out "jalien
$HOME_DIR" "ALIENPY_TIMING: nothing more on the terminal"
CHECKS=$((CHECKS + 2))
[ "$(grep -c "$TL" "$T/t1.log")" -eq 2 ] || fail "ALIENPY_TIMING: not one time line a command: $(cat "$T/t1.log")"
grep -q '"command"' "$T/t1.log" || fail "ALIENPY_TIMING: the debug JSON is gone: $(cat "$T/t1.log")"
run env ALIENPY_DEBUG=1 ALIENPY_DEBUG_FILE="$T/t2.log" alien whoami
CHECKS=$((CHECKS + 1))
grep -q "$TL" "$T/t2.log" && fail "a time line without ALIENPY_TIMING: $(cat "$T/t2.log")"
run env ALIENPY_DEBUG_FILE="$T/t3.log" ALIENPY_TIMING=1 alien whoami
expect_out "jalien" "ALIENPY_TIMING without ALIENPY_DEBUG"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/t3.log" ] || fail "ALIENPY_TIMING without ALIENPY_DEBUG wrote a log: $(cat "$T/t3.log")"
pass
