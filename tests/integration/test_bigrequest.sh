#!/bin/sh
# Big requests keep the session usable (issue 15). The real JCentral poisons a websocket session
# for good when one request reaches it in more than one part (several frames, or over 8192
# characters in one frame): every later request is answered "Incoming JSON is not ok".
# jcentral-lite reproduces that (tests/jcentral-lite/wsmsg.c), so this fails when jaliend
# sends a request in several frames (lws 4.1.6 splits compressed output into 1 KiB frames).
. "$(dirname "$0")/lib.sh"
stack_up

# text N KIND: N printable characters, repeated or random (no spaces, no leading '-')
text() {
	if [ "$2" = repeated ]; then
		head -c "$1" /dev/zero | tr '\0' a
	else
		printf 'r'
		LC_ALL=C tr -dc 'A-Za-z0-9.,:;_+=@%^' </dev/urandom | head -c $(($1 - 1))
	fi
}

for kind in repeated random; do
	for n in 1000 1500 3000 6000 7900; do
		t=$(text "$n" "$kind")
		[ ${#t} -eq "$n" ] || fail "test text has ${#t} characters, not $n"
		run alien-echo "$t"
		expect_rc 0 "echo of $n $kind characters"
		CHECKS=$((CHECKS + 1))
		[ "$OUT" = "$t" ] || fail "echo of $n $kind characters printed ${#OUT} characters: $(printf %.80s "$OUT")..."
		run alien-whoami
		expect_rc 0 "whoami after $n $kind characters"; expect_out jalien "whoami after $n $kind characters"
	done
done

# a file's stat after a request of the size of an upload's (access write + envelope)
run alien-touch bigreq.txt
expect_rc 0 touch
t=$(text 1500 random)
run alien-echo "$t"
expect_rc 0 "echo before stat"
run alien-stat bigreq.txt
expect_rc 0 "stat after a 1500-character request"
expect_out_has "File: ${HOME_DIR}bigreq.txt" "stat after a 1500-character request"

# a real upload, then the stat and the download of that file
if [ -n "$(alien-listSEs 2>/dev/null | grep -i 'JCL::SE')" ]; then
	head -c 200000 /dev/urandom >"$T/up.bin"
	run alien-cp "file:$T/up.bin" up.bin
	expect_rc 0 "upload"
	run alien-stat up.bin
	expect_rc 0 "stat after upload"; expect_out_has "Size: 200000" "stat after upload"
	run alien-cp up.bin "file:$T/down.bin"
	expect_rc 0 "download after upload"
	cmp -s "$T/up.bin" "$T/down.bin" || fail "downloaded file differs"
	CHECKS=$((CHECKS + 1))
	run alien-whoami
	expect_rc 0 "whoami after upload and download"; expect_out jalien "whoami after cp"
else
	echo "test_bigrequest: no storage elements (xrootd missing): upload part not run" >&2
fi
pass
