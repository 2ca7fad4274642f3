#!/bin/sh
# run.sh FUZZER CORPUS SECONDS: every seed of CORPUS once (a regression run),
# then SECONDS of fuzzing starting from it. New inputs go to a temporary
# folder, never into the source tree; a crash is kept beside the fuzzer as
# crash-<hash> (rerun it with: FUZZER crash-<hash>).
set -eu
bin=$1 corpus=$2 secs=$3
[ -x "$bin" ] || { echo "fuzz: no $bin (the fuzz.build test builds it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin" -error_exitcode=1 -runs=0 "$corpus" # libFuzzer says 77 by default: a CTest skip
rc=0
"$bin" -error_exitcode=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$(dirname "$bin")/" "$work" "$corpus" >"$work/log" 2>&1 || rc=$?
tail -n 60 "$work/log"
exit $rc
