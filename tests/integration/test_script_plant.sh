#!/bin/sh
# Issue 26, item 1: a file in the current folder is run as a command script
# only when the user named it as a path, or it is the user's own, not
# writable by group or others, and not a command name. A file planted in a
# shared folder (`whoami`, `pwd`, another user's script) never runs.
. "$(dirname "$0")/lib.sh"
stack_up
export ALIEN_SESSION=plant
user=$(alien-whoami)
shared=$T/shared
mkdir -p "$shared"
chmod 1777 "$shared"
cd "$shared"

# a command name is never shadowed, even by the user's own file
printf '!id > pwned1\nwhoami\n' >whoami
chmod 644 whoami
run alien whoami
expect_rc 0 "alien whoami beside a file named whoami"
expect_out "$user" "the command ran, not the file"
CHECKS=$((CHECKS + 1))
[ ! -e pwned1 ] || fail "the file named whoami ran as a script (pwned1 made)"

# the issue's reproducer: pwd planted, and another user's (or a group-writable) script
printf '!id > pwned2\npwd\n' >pwd
run alien pwd
expect_rc 0 "alien pwd beside a file named pwd"; expect_out "$HOME_DIR" "pwd ran"
CHECKS=$((CHECKS + 1))
[ ! -e pwned2 ] || fail "the file named pwd ran as a script"

printf '!id > pwned3\nwhoami\n' >job.alien
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody job.alien
	run alien job.alien
	expect_rc 13 "a script owned by another user"; expect_one_line "another user's script"
	expect_err_has "job.alien in this folder is owned by another user; not run as a script (name it ./job.alien to run it)" "why"
	CHECKS=$((CHECKS + 1))
	[ ! -e pwned3 ] || fail "another user's script ran"
	chown 0 job.alien
fi
chmod 664 job.alien
run alien job.alien
expect_rc 13 "a group-writable script"; expect_one_line "group-writable"
expect_err_has "is writable by its group; not run" "group-writable: why"
chmod 646 job.alien
run alien job.alien
expect_rc 13 "a world-writable script"; expect_err_has "is writable by others; not run" "world-writable: why"
CHECKS=$((CHECKS + 1))
[ ! -e pwned3 ] || fail "a group- or world-writable script ran"

# a symbolic link under a bare name is not followed
printf 'whoami\n' >"$T/mine.alien"
ln -s "$T/mine.alien" linked.alien
run alien linked.alien
expect_rc 13 "a symbolic link"; expect_err_has "linked.alien here is a symbolic link; not run as a script" "link: why"

# a FIFO under a bare name does not block (it is not a script)
mkfifo fifo.alien
run timeout 20 alien fifo.alien
CHECKS=$((CHECKS + 1))
[ "$RC" -ne 124 ] || fail "alien fifo.alien blocked on the FIFO"

# the legitimate uses keep working: the user's own script, and any file named as a path
printf '# a comment\nwhoami\n' >mine.alien
chmod 644 mine.alien
run alien mine.alien
expect_rc 0 "the user's own script"; expect_out "$user" "own script ran"
chmod 666 job.alien
run alien ./job.alien
expect_rc 0 "named as a path"; expect_out "$user" "./job.alien ran"
CHECKS=$((CHECKS + 1))
[ -e pwned3 ] || fail "./job.alien did not run its !id line"
run alien "$shared/whoami"
expect_rc 0 "a path to a file named whoami"; expect_out "$user" "the path ran as a script"
CHECKS=$((CHECKS + 1))
[ -e pwned1 ] || fail "$shared/whoami did not run as a script"

pass
