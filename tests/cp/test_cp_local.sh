#!/bin/sh
# The local side refuses: a destination folder without write permission, an
# unreadable source, and a full disk (the daemon's RLIMIT_FSIZE: its writes
# fail with EFBIG as they would with ENOSPC). Each: one message naming the
# path, non-zero exit, nothing left behind, the daemon still serves.
# Permissions mean nothing to root, so as root the whole test runs as nobody.
if [ "$(id -u)" = 0 ] && [ -z "${CP_TEST_UNPRIVILEGED:-}" ]; then
	exec setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
		env HOME=/tmp CP_TEST_UNPRIVILEGED=1 sh "$0" "$@"
fi
. "$(dirname "$0")/cplib.sh"
stack_up
L=$T/local
mkdir -p "$L/ro" "$L/back"
head -c 10485760 /dev/urandom >"$L/ten.bin"
printf x >"$L/one.bin"
run alien-cp "file:$L/ten.bin" ten.bin
expect_rc 0 "upload"
run alien-cp "file:$L/one.bin" one.bin
expect_rc 0 "upload"

# no write permission in the destination folder
chmod 555 "$L/ro"
run alien-cp ten.bin "file:$L/ro/"
expect_rc 2 "download into a read-only folder"
expect_err "no write permission/or missing in any component of $L/ro/" "the message names the folder"
run alien-cp ten.bin "file:$L/ro/sub/deeper/x.bin"
expect_rc 2 "download below a read-only folder"
expect_err_has "$L/ro/sub/deeper/x.bin" "the message names the path"
CHECKS=$((CHECKS + 1))
[ -z "$(ls -A "$L/ro")" ] || fail "something was left in $L/ro: $(ls -A "$L/ro")"

# an unreadable source
chmod 000 "$L/one.bin"
run alien-cp "file:$L/one.bin" unreadable.bin
expect_rc 2 "upload of an unreadable file"
expect_one_line "upload of an unreadable file"
expect_err_has "$L/one.bin" "the message names the file"
run alien-stat unreadable.bin
expect_rc 2 "nothing registered"
chmod 644 "$L/one.bin"

# a full disk: the daemon again, with SIGXFSZ ignored and files capped at 4 MiB
kill -TERM "$(cat "$STACK/jaliend.pid")"
while kill -0 "$(cat "$STACK/jaliend.pid")" 2>/dev/null; do sleep 0.1; done
(trap '' XFSZ && ulimit -f 4096 && exec "$JALIEND_BUILD/daemon/jaliend" --foreground >>"$STACK/jaliend.log" 2>&1) &
echo $! >"$STACK/jaliend.pid"
answers() { alien-whoami >/dev/null 2>&1; }
settled "the daemon did not come back" answers
run alien-cp ten.bin "file:$L/back/"
expect_rc 1 "download onto a full disk"
expect_err_has "STATUS ERROR : $HOME_DIR""ten.bin" "the job error names the LFN"
CHECKS=$((CHECKS + 1))
[ -z "$(ls -A "$L/back")" ] || fail "partial file left: $(ls -A "$L/back")"
CHECKS=$((CHECKS + 1))
[ "$(metalinks)" -eq 0 ] || fail "metalink left behind"
run alien-cp one.bin "file:$L/back/"
expect_rc 0 "a small download still works"
expect_same_md5 "$L/one.bin" "$L/back/one.bin" "small download"
pass
