#!/bin/sh
# XRootD queries of the stack's storage elements (daemon/xrootd/xrdq.cc, cmdxrd.c, cmduri.c):
#  xrd_ping of a live SE by name, number and host:port (exit 0, one rtt line per SE, -c N in
#  the header), of a dead port and of a refused host (its name and the reason instead of the
#  rtt, exit 1); xrd_config / xrd_stats print what the SE itself answers (its version as
#  `xrdfs query config version` says, its stats XML); pfn-status of a present replica (size,
#  R/W) and of a missing one (the SE's error, exit 1); host names and PFNs that would put
#  options into the URL are refused; lfn2uri meta writes a metalink that xrdcp reads back,
#  lfn2uri write prints write URIs. Needs xrootd (exit 77 without).
. "$(dirname "$0")/lib.sh"
command -v xrootd >/dev/null 2>&1 || { echo "SKIP: xrootd is not installed"; exit 77; }
command -v xrdfs >/dev/null 2>&1 || { echo "SKIP: xrdfs is not installed"; exit 77; }
stack_up
L=$T/local
mkdir -p "$L"
printf 'hello grid\n' >"$L/a.txt"
cd "$L"
run alien-cp file:a.txt a.txt@ALICE::JCL::SE1
expect_rc 0 "upload of a.txt to SE1"
port() { sed -n "s|.*ALICE::JCL::SE$1=root://127.0.0.1:\([0-9]*\)/.*|\1|p" "$STACK/jcentral-lite.args"; }
P1=$(port 1)
P2=$(port 2)
[ -n "$P1" ] && [ -n "$P2" ] || fail "no SE ports in $STACK/jcentral-lite.args"

# ---- xrd_ping
run alien-xrd_ping ALICE::JCL::SE1
expect_rc 0 "xrd_ping of a live SE"
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | sed -n 1p | grep -qx 'XRootD ping(s): 3 time(s) to:' || fail "xrd_ping header: [$OUT]"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -cE '^ALICE::JCL::SE1 +rtt min/avg/max/mdev \(ms\) = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}$')" -eq 1 ] ||
	fail "xrd_ping of SE1: no rtt line: [$OUT]"
run alien-xrd_ping -c 5 JCL # a label in both SEs' names: both, in the list's order
expect_rc 0 "xrd_ping -c 5 of both SEs"
expect_out_has "XRootD ping(s): 5 time(s) to:" "xrd_ping -c 5"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c ' rtt min/avg/max/mdev (ms) = ')" -eq 2 ] || fail "xrd_ping JCL: not 2 rtt lines: [$OUT]"
run alien-xrd_ping "127.0.0.1:$P2"
expect_rc 0 "xrd_ping of host:port (found in the SE list: SE2's endpoint)"
expect_out_has "ALICE::JCL::SE2 " "xrd_ping host:port names the SE"
run alien-xrd_ping -c 0 SE1
expect_rc 22 "xrd_ping -c 0"
expect_err "xrd_ping: -c needs a count from 1 to 100" "xrd_ping -c 0"
run alien-xrd_ping -c 101 SE1
expect_rc 22 "xrd_ping -c 101 (the cap is 100)"

# a dead port (nothing listens: a port that was free a moment ago)
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run alien-xrd_ping "127.0.0.1:$DEAD"
expect_rc 1 "xrd_ping of a dead port"
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | grep -qE "^127\.0\.0\.1:$DEAD +\[(FATAL|ERROR)\] " || fail "xrd_ping of a dead port: no reason line: [$OUT]"
expect_out_has "XRootD ping(s): 3 time(s) to:" "xrd_ping of a dead port: header"
# option injection: only root://host[:port] built by jaliend is queried
run alien-xrd_ping 'bad_host:1%20'
expect_rc 1 "xrd_ping of a host that is no DNS name"
expect_out_has "[FATAL] Invalid address (jaliend queries only host[:port])" "xrd_ping of a host that is no DNS name"
run alien-xrd_ping -x
expect_rc 1 "xrd_ping of an option-looking host"

# ---- xrd_config / xrd_stats: the SE's own answer
VER=$(xrdfs "127.0.0.1:$P1" query config version | tr -d '\n\0 ')
run alien-xrd_config -v ALICE::JCL::SE1
expect_rc 0 "xrd_config -v SE1"
CHECKS=$((CHECKS + 1))
printf '%s\n' "$OUT" | sed -n 1p | grep -qE "^Site/XrdVer: [^/]+/$VER ; TPC status: .* ; role: server ; CMS: " ||
	fail "xrd_config line 1: [$OUT] (xrdfs says version $VER)"
expect_out_has "Chksum type: " "xrd_config -v: its second line"
run alien-xrd_stats -compact SE1
expect_rc 0 "xrd_stats SE1"
expect_out_has "\"ver\":\"$VER\"" "xrd_stats: the SE's version"
expect_out_has '"pgm":"xrootd"' "xrd_stats: the SE's program"
expect_out_has "\"seName\":\"ALICE::JCL::SE1\",\"endpointUrl\":\"127.0.0.1:$P1\"}" "xrd_stats: seName, endpointUrl last"
run alien-xrd_stats -xmlraw SE1
expect_rc 0 "xrd_stats -xmlraw"
CHECKS=$((CHECKS + 1))
case $OUT in "<statistics "*"</statistics>") ;; *) fail "xrd_stats -xmlraw is not the stats XML: [$OUT]" ;; esac

# ---- pfn-status
run alien-pfn-status a.txt
expect_rc 0 "pfn-status of a present replica"
PFN=$(alien-pfn a.txt)
expect_out "$(printf 'LFN: %sa.txt\n%s\t\tSize: 11\tR/W status:1/1' "$HOME_DIR" "$PFN")" "pfn-status a.txt"
run alien-pfn-status -v "$PFN"
expect_rc 0 "pfn-status -v of a PFN"
expect_out_has "IS DIR/OTHER/OFFLINE: 0/0/0	Modified: " "pfn-status -v"
# the replica's file removed on the SE: the SE's error, exit 1
F=$(find "$STACK/se1/data" -type f -size 11c | head -n 1)
[ -n "$F" ] || fail "no 11-byte replica file under $STACK/se1/data"
rm -f "$F"
run alien-pfn-status a.txt
expect_rc 1 "pfn-status of a missing replica"
expect_out_has "$PFN		Message: [ERROR] Server responded with an error: [3011] " "pfn-status of a missing replica"
expect_out_has "Status/Code/ErrNo:1/400/3011" "pfn-status of a missing replica: codes"
run alien-pfn-status "root://127.0.0.1:$P1/$STACK/se1/data/nosuch?xrd.wantprot=krb5#frag"
expect_rc 1 "pfn-status: the query of a PFN is dropped (as urlparse's path)"
expect_out_has "Server responded with an error: [3011] Unable to locate $STACK/se1/data/nosuch" "pfn-status of a PFN with a query"
run alien-pfn-status "root://-o//x"
expect_rc 1 "pfn-status of a PFN with a bad host"
expect_out_has "[FATAL] Invalid address" "pfn-status of a PFN with a bad host"
run alien-pfn-status nosuch.txt
expect_rc 2 "pfn-status of a missing LFN: the server's code"

# ---- lfn2uri meta / write
cp "$L/a.txt" "$L/b.txt"
run alien-cp file:b.txt b.txt
expect_rc 0 "upload of b.txt (two replicas)"
run alien-lfn2uri b.txt meta
expect_rc 0 "lfn2uri meta"
CHECKS=$((CHECKS + 1))
case $OUT in "$L"/*-*-5*.meta4) ;; *) fail "lfn2uri meta: not a uuid5 .meta4 in the shim's folder: [$OUT]" ;; esac
CHECKS=$((CHECKS + 1))
[ "$(grep -c '<url><!\[CDATA\[root://' "$OUT")" -eq 2 ] || fail "lfn2uri meta: not 2 replicas in $OUT"
CHECKS=$((CHECKS + 1))
xrdcp -s -f "$OUT" "$T/back.txt" && cmp -s "$T/back.txt" "$L/b.txt" || fail "xrdcp of the metalink did not give b.txt back"
run alien-lfn2uri "${HOME_DIR}w.txt" a.txt write
expect_rc 0 "lfn2uri write"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -c "^'root://127.0.0.1:[0-9]*/.*?xrd.wantprot=unix&authz=")" -eq 2 ] ||
	fail "lfn2uri write: not 2 write URIs (disk:2): [$OUT]"
run alien-lfn2uri "${HOME_DIR}w.txt" nosuchfile write
expect_rc 1 "lfn2uri write of a missing local file"
expect_err "$(printf 'lfnAccessUrl/write token:: invalid local file: nosuchfile\nCould not not create URIs/meta for: %sw.txt' "$HOME_DIR")" \
	"lfn2uri write of a missing local file"
pass
