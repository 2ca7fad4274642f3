#!/bin/sh
# run.sh TEST_XFER BINDLO: start a private xrootd (as nobody, loopback), run test_xfer against it, stop it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
export BINDLO=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/xfer-test.XXXXXX")
chmod 755 "$T"
pid=
cleanup() {
	rc=$?
	[ -n "$pid" ] && "$here/xrd.sh" stop "$pid"
	[ $rc -ne 0 ] && tail -n 20 "$T"/se/log/*/xrd.log >&2 2>/dev/null
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT INT TERM
# a free port: 20000 + pid-derived, tried a few times
port=$((20000 + $$ % 20000))
i=0
while [ $i -lt 5 ]; do
	if pid=$("$here/xrd.sh" start "$T/se" "$port"); then
		break
	fi
	pid=
	port=$((port + 1))
	i=$((i + 1))
done
[ -n "$pid" ] || { echo "run.sh: no xrootd" >&2; exit 1; }
mkdir -p "$T/work"
if [ "$(id -u)" -eq 0 ]; then chown nobody:nogroup "$T/se/data"; fi
"$bin" "$port" "$T/se/data" "$T/work"
