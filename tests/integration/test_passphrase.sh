#!/bin/sh
# An encrypted user key: the first command that needs a login asks for the
# passphrase on its terminal (tmux gives it one), later ones do not; without
# a terminal the command fails with advice; the passphrase is never logged.
. "$(dirname "$0")/lib.sh"
stack_up
command -v tmux >/dev/null || fail "tmux is needed (scripts/install-deps installs it)"

openssl pkey -in "$X509_USER_KEY" -aes256 -passout pass:s3cret-phrase -out "$T/enc.pem" 2>/dev/null
chmod 400 "$T/enc.pem"
mkdir -m 700 "$T/p" "$T/tmp"
sock="$T/p/S.jaliend"
X509_USER_KEY="$T/enc.pem" TMPDIR="$T/tmp" JALIEND_SOCKET="$sock" \
	"$JALIEND_BUILD/daemon/jaliend" --foreground -v >"$T/p.log" 2>&1 &
dpid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$dpid" || fail "daemon with an encrypted key did not start: $(cat "$T/p.log")"
i=0 # the line may land just after the socket appears (slow under sanitizers)
while ! grep -q "is encrypted" "$T/p.log" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q "is encrypted" "$T/p.log" || fail "daemon did not say the key is locked"
CHECKS=$((CHECKS + 2))

# no terminal: clear advice, exit 5
run env JALIEND_SOCKET="$sock" setsid -w alien-whoami
expect_rc 5 "no terminal"; expect_out "" "no terminal"
expect_err_has "is encrypted" "no terminal"; expect_err_has "X509_USER_KEY" "no terminal"

# a terminal: a wrong passphrase, then the right one
tmux_sock="$T/tmux"
tmux -S "$tmux_sock" new-session -d -x 200 -y 20 \
	"JALIEND_SOCKET='$sock' PATH='$PATH' alien-whoami; echo rc=\$?; sleep 30"
wait_screen() { # wait_screen TEXT: until the pane shows TEXT (5 s)
	i=0
	until tmux -S "$tmux_sock" capture-pane -p | grep -q "$1"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "screen never showed [$1]: $(tmux -S "$tmux_sock" capture-pane -p)"
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
}
wait_screen "Enter PEM pass phrase for $T/enc.pem"
tmux -S "$tmux_sock" send-keys "not-it" Enter
wait_screen "Wrong passphrase"
tmux -S "$tmux_sock" send-keys "s3cret-phrase" Enter
wait_screen "rc=0"
screen=$(tmux -S "$tmux_sock" capture-pane -p)
tmux -S "$tmux_sock" kill-server
case $screen in *s3cret*|*not-it*) fail "the passphrase was echoed: $screen" ;; esac
echo "$screen" | grep -qx "jalien" || fail "whoami did not print jalien: $screen"
CHECKS=$((CHECKS + 2))

# unlocked: no more prompts, even without a terminal
run env JALIEND_SOCKET="$sock" setsid -w alien-whoami
expect_rc 0 "after unlocking"; expect_out jalien "after unlocking"

kill "$dpid"
wait "$dpid" 2>/dev/null || true
if grep -q -e s3cret-phrase -e not-it "$T/p.log"; then fail "the passphrase is in the log"; fi
CHECKS=$((CHECKS + 1))
pass
