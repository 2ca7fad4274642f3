#!/bin/sh
# build.sh OUT [SRC]: build the libFuzzer targets into OUT with clang
# (-fsanitize=fuzzer,address,undefined), apart from the main build, which
# uses gcc by default. Our own files are compiled with -Werror; the daemon's
# with warnings shown, so a clang-only warning elsewhere does not stop us.
set -eu
out=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (scripts/install-deps installs clang)" >&2; exit 1; }
mkdir -p "$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -DJALIEND_VERSION=\"fuzz\" -I$src/common -I$src/daemon -I$src/tests/fuzz"

# obj FILE [EXTRA]: compile one source once (FILE relative to src)
obj() {
	o="$out/obj/$(echo "$1" | tr / _).o"
	# shellcheck disable=SC2086 # flags are word lists
	$cc $cflags $san -fsanitize=fuzzer-no-link -Wall -Wextra ${2:-} -c "$src/$1" -o "$o"
	echo "$o"
}
# link NAME OBJ...: one fuzzer
link() {
	name=$1
	shift
	# shellcheck disable=SC2086
	$cc $san -fsanitize=fuzzer -o "$out/$name" "$@" -lcjson -lcrypto -lm
}

own="-Werror"
frame=$(obj common/frame.c)
log=$(obj common/log.c)
render=$(obj daemon/render.c)
strbuf=$(obj daemon/strbuf.c)
session=$(obj daemon/session.c)
client=$(obj daemon/client.c)
command=$(obj daemon/command.c)
policy=$(obj daemon/policy.c)
utf8=$(obj common/utf8.c)
link fuzz_frame "$(obj tests/fuzz/fuzz_frame.c "$own")" "$frame"
link fuzz_render "$(obj tests/fuzz/fuzz_render.c "$own")" "$render" "$strbuf" "$utf8"
link fuzz_request "$(obj tests/fuzz/fuzz_request.c "$own")" "$(obj tests/fuzz/fuzz_stubs.c "$own")" \
	"$client" "$command" "$policy" "$render" "$strbuf" "$session" "$frame" "$log" "$utf8"
link fuzz_path "$(obj tests/fuzz/fuzz_path.c "$own")" "$(obj daemon/cp_path.c)"
echo "fuzz: built fuzz_frame fuzz_render fuzz_request fuzz_path in $out"
