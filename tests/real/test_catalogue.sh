#!/bin/sh
# Catalogue commands through jaliend against the real JCentral, requests up
# to the 8000-byte cap (each in one websocket frame: JCentral breaks a session
# for good on a request that comes in pieces), then 100 more commands on the
# same sessions: none fails, none lands on a broken session, no reconnect.
. "$(dirname "$0")/reallib.sh"
USER_NAME=$(alien-whoami)
CHECKS=$((CHECKS + 1))
[ -n "$USER_NAME" ] || fail "whoami printed nothing"
HOME_DIR=$(alien-pwd)
grid_dir cat
ok alien-cd "$G"
ok alien-pwd; expect_out "$G/" "pwd after cd"
ok alien-mkdir -p a/b
ok alien-ls; expect_out "a/" "ls of a folder with one folder"
ok alien-touch f1
ok alien-ls -l; expect_out_has " f1" "ls -l shows the file"
ok alien-stat f1; expect_out_has "File: $G/f1" "stat"
ok alien-mv f1 f2
ok alien-ls; expect_out "a/
f2" "ls after mv"
ok alien-find "$G" f; expect_out "$G/f2" "find"
ok alien-rmdir a/b
ok alien-ls a; expect_out "" "ls of an empty folder"
run alien-stat nothere; expect_rc 2 "stat of a missing file"; expect_err_has "No such file or directory" "stat of a missing file"
ok alien-rm f2
ok alien-ls; expect_out "a/" "ls after rm"
ok alien-cd
ok alien-pwd; expect_out "$HOME_DIR" "cd with no argument goes home"

# requests of every size up to the cap, each followed by a small one
for n in 1000 1500 3000 6000 7900; do
	text=$(head -c $((n * 2)) /dev/urandom | base64 -w0 | head -c "$n")
	ok alien-echo "$text"; expect_out "$text" "echo of $n characters"
	ok alien-whoami; expect_out "$USER_NAME" "whoami after a $n-character request"
	rep=$(head -c "$n" /dev/zero | tr '\0' a)
	ok alien-echo "$rep"; expect_out "$rep" "echo of $n repeated characters"
	ok alien-whoami; expect_out "$USER_NAME" "whoami after $n repeated characters"
done

# 100 more on the same sessions
connects=$(status_field "connects:")
i=0
while [ $i -lt 100 ]; do
	case $((i % 4)) in
	0) ok alien-whoami; expect_out "$USER_NAME" "loop whoami $i" ;;
	1) ok alien-ls "$G"; expect_out "a/" "loop ls $i" ;;
	2) ok alien-stat "$G/a"; expect_out_has "File: $G/a" "loop stat $i" ;;
	3) ok alien-pwd; expect_out "$HOME_DIR" "loop pwd $i" ;;
	esac
	i=$((i + 1))
done
CHECKS=$((CHECKS + 2))
[ "$(status_field "connects:")" = "$connects" ] || fail "sessions reconnected during 100 commands: $(alien-daemon status)"
[ "$(status_field "broken by the server")" = 0 ] || fail "the server broke sessions: $(alien-daemon status)"
ok alien-rm -rf "$G"
pass
