#!/bin/sh
# Jobs against the real JCentral: submit a JDL, see it in ps, its processed
# JDL (ps -jdl), its trace, kill it.
. "$(dirname "$0")/reallib.sh"
grid_dir jobs
printf '#!/bin/sh\necho hello from jaliend\n' >"$T/hello.sh"
# JCentral accepts an Executable found in a standard path: the user's bin/ is one
ok alien-mkdir -p "$(alien-pwd)bin"
alien-rm -f "$(alien-pwd)bin/jaliend-hello.sh" >/dev/null 2>&1 || true
ok alien-cp "file:$T/hello.sh" "$(alien-pwd)bin/jaliend-hello.sh"
printf 'Executable = "jaliend-hello.sh";\nJobTag = {"jaliend real test"};\n' >"$T/t.jdl"
ok alien-cp "file:$T/t.jdl" "$G/t.jdl"
ok alien-submit "$G/t.jdl"; expect_out_has "Your new job ID is" "submit"
id=$(echo "$OUT" | sed -n 's/.*Your new job ID is \([0-9]*\).*/\1/p')
CHECKS=$((CHECKS + 1))
[ -n "$id" ] || fail "no job id in [$OUT]"
ok alien-ps; expect_out_has "$id" "ps lists the job"
ok alien-ps -jdl "$id"
expect_out_has "JDLPath = \"$G/t.jdl\"" "ps -jdl: the processed JDL names its path"
expect_out_has "Executable = \"" "ps -jdl: Executable"
expect_out_has "jaliend-hello.sh" "ps -jdl: the executable"
run alien-ps -trace "$id"
CHECKS=$((CHECKS + 1))
[ "$RC" -eq 0 ] || [ "$RC" -eq 61 ] || fail "ps -trace: exit $RC ($ERR)"
ok alien-kill "$id"; expect_out "Killed: $id" "kill"
ok alien-ps -a; expect_out_has "$id" "ps -a still lists the killed job"
ok alien-rm -rf "$G"
ok alien-rm -f "$(alien-pwd)bin/jaliend-hello.sh"
pass
