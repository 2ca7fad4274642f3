#!/bin/sh
# alien-cp's forms that need no storage element: usage, grid-to-grid from a missing source,
# local-to-local, unreadable local source, and that the daemon stays up.
. "$(dirname "$0")/lib.sh"
stack_up

run alien-cp
expect_rc 22 "cp without arguments"
expect_err_has "Command format is of the form of" "usage text (alien.py's) on stderr"
run alien-cp nosuch.bin b
expect_rc 2 "grid to grid from a missing source (copies themselves: tests/cp/test_cp_tpc.sh)"
expect_err_has "Specified source $(alien-pwd)nosuch.bin not found!" "names the missing source"
run alien-cp file:/tmp/a file:/tmp/b
expect_rc 1 "local to local"
expect_err_has "for local copy use system command" "local to local message"
run alien-cp "file:$T/missing.bin" x.bin
expect_rc 2 "missing local source"
expect_err_has "$T/missing.bin" "the message names the path"
run alien-whoami
expect_rc 0 "the daemon still answers"
pass
