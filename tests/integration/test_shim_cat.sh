#!/bin/sh
# alien-cat / alien-less / alien-more / alien-edit: a grid file through a
# temporary download (alienpy-behaviour.md 3.2; Part B 73, 74): the bytes,
# the errors, and that no temporary file is left, also after a signal, a
# closed pipe or a failed download; with tmux, less and Ctrl-C on a terminal.
. "$(dirname "$0")/lib.sh"
command -v xrootd >/dev/null || { echo "test_shim_cat: xrootd not installed (no storage elements): skipped"; exit 77; }
stack_up
export ALIEN_SESSION=cat

# no_temp WHAT: nothing of ours is left in $TMPDIR
no_temp() {
	CHECKS=$((CHECKS + 1))
	left=$(ls -A "$TMPDIR" | grep '^alien-' || true)
	[ -z "$left" ] || fail "$1: left in $TMPDIR: $left"
}
# wait_temp: until a temporary download folder exists (the download runs)
wait_temp() {
	i=0
	until ls -A "$TMPDIR" | grep -q '^alien-'; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "no temporary download folder appeared"
		sleep 0.01
	done
}

# a file with every byte value, no final newline
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4096 + b"last line, no newline")' >"$T/bin.dat"
printf 'one\ntwo\n' >"$T/a.txt"
printf 'three\n' >"$T/b.txt"
for f in bin.dat a.txt b.txt; do
	run alien-cp "file:$T/$f" "$f"
	expect_rc 0 "upload $f"
done

# the bytes, unchanged
run alien-cat bin.dat
expect_rc 0 "cat"
cmp -s "$T/out" "$T/bin.dat" || fail "cat: the bytes differ from the uploaded file"
CHECKS=$((CHECKS + 1))
expect_err "" "cat prints nothing on stderr"
no_temp "after cat"

# several LFNs (relative, absolute), options for the system cat, a chain with a pipe
run alien-cat a.txt "${HOME_DIR}b.txt"
expect_out "$(printf 'one\ntwo\nthree')" "cat of two LFNs"
run alien-cat -n a.txt
expect_out "$(printf '     1\tone\n     2\ttwo')" "cat -n"
run alien 'cat a.txt | wc -l'
expect_rc 0 "cat in a pipe"; expect_out "2" "cat | wc -l"
run alien-less a.txt
expect_rc 0 "less, stdout not a terminal"; expect_out "$(printf 'one\ntwo')" "less is cat off a terminal"
no_temp "after cat -n, less"

# help
run alien-cat
expect_rc 0 "cat alone"; expect_out_has "cat <LFN>" "cat alone shows the usage (alien.py's words)"

# a missing LFN: the server's message, one line, exit 1 (alien.py's), no output
run alien-cat missing.txt
expect_rc 1 "cat of a missing LFN"; expect_one_line "cat of a missing LFN"
expect_err "Specified source ${HOME_DIR}missing.txt not found!" "cat of a missing LFN (cp's words, as alien.py)"
expect_out "" "cat of a missing LFN: no stdout"
run alien-cat a.txt missing.txt
expect_rc 1 "one of two missing"; expect_out "" "one of two missing: nothing shown"
no_temp "after failed downloads"

# a closed pipe: cat ends as the system cat does (SIGPIPE) and cleans up
head -c 100000000 /dev/urandom >"$T/big.dat"
run alien-cp "file:$T/big.dat" big.dat
expect_rc 0 "upload big.dat"
set +e
rc=$( (alien-cat big.dat; echo $? >"$T/rc") | head -c 10 | wc -c)
set -e
[ "$rc" -eq 10 ] && [ "$(cat "$T/rc")" -eq 141 ] || fail "cat | head: $rc bytes, exit $(cat "$T/rc")"
CHECKS=$((CHECKS + 1))
no_temp "after a closed pipe"

# SIGTERM while the download runs: cancelled, cleaned up, then ended by the
# signal (a background job ignores SIGINT; Ctrl-C is tried on a terminal below)
alien-cat big.dat >/dev/null 2>"$T/int.err" &
pid=$!
wait_temp
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 143 ] || fail "cat after SIGTERM: exit $rc, expected 143 ($(cat "$T/int.err"))"
CHECKS=$((CHECKS + 1))
no_temp "after SIGTERM"
run alien-whoami
expect_rc 0 "the daemon still answers after a cancelled cat"

# edit: changed -> lfn~ keeps the old file, the new one is uploaded
printf '#!/bin/sh\necho edited >>"$1"\n' >"$T/editor.sh"
chmod +x "$T/editor.sh"
run env EDITOR="$T/editor.sh" alien-edit a.txt
expect_rc 0 "edit"; expect_out_has "Uploaded a.txt" "edit says Uploaded"
run alien-cat a.txt
expect_out "$(printf 'one\ntwo\nedited')" "the edited file"
run alien-cat a.txt~
expect_out "$(printf 'one\ntwo')" "the backup"
# unchanged: nothing uploaded
run env EDITOR=true alien-edit b.txt
expect_rc 0 "edit without change"; expect_out "" "edit without change says nothing"
run alien-stat b.txt~
[ "$RC" -ne 0 ] || fail "an unchanged file was backed up"
CHECKS=$((CHECKS + 1))
run env EDITOR=false alien-edit b.txt
expect_rc 1 "the editor's failure is the result"
run env EDITOR="$T/editor.sh" alien-edit missing.txt
expect_rc 1 "edit of a missing LFN"
expect_err_has "editing could not be done" "edit of a missing LFN"
no_temp "after edit"

# On a terminal (tmux): the pager gets the terminal and shows the LFN's
# name; Ctrl-C during the download cancels it and leaves nothing, in command
# mode and in the interactive shell.
if ! command -v tmux >/dev/null; then
	pass
	echo "test_shim_cat: tmux not installed: the terminal checks were skipped"
	exit 77
fi
. "$ROOT/tests/interactive/tmuxlib.sh"
export HOME="$T/home"
mkdir -p "$HOME"

seq 1 200 | sed 's/^/line /' >"$T/lines.txt"
alien-cp "file:$T/lines.txt" lines.txt >/dev/null

# less: on the terminal, q quits, nothing left behind
if command -v less >/dev/null; then
	start_cmd less "alien-less lines.txt"
	wait_line less "line 1"
	wait_screen less "lines.txt"
	keys less q
	wait_rc less 0
	no_temp "after less"
fi

# Ctrl-C in command mode: the download is cancelled, the shim ends by SIGINT (130)
start_cmd int "trap : INT; alien-cat big.dat >/dev/null" # the pane's sh survives Ctrl-C
wait_temp
keys int C-c
wait_rc int 130
no_temp "after Ctrl-C in command mode"

# in the interactive shell: cat shows the file; Ctrl-C cancels, the shell stays
start_cmd sh "env ALIEN_SESSION=tmux-sh alien"
wait_screen sh "AliEn[jalien]:$HOME_DIR >"
keys sh 'cat lines.txt | tail -n 1' Enter
wait_line sh "line 200"
keys sh 'cat big.dat | wc -c' Enter
wait_temp
keys sh C-c
keys sh 'exitcode' Enter
wait_line sh "130"
no_temp "after Ctrl-C in the shell"
keys sh 'cat lines.txt | head -n 1' Enter
wait_line sh "line 1"
keys sh 'exit' Enter
wait_rc sh 0
pass
