#!/bin/sh
# XRootD queries of the real service's storage element (issue 17; daemon/xrootd/xrdq.cc): each SE of
# listSEs is pinged (exit 0, its rtt line), its query config matches `xrdfs query config
# version`, its stats are the xrootd's; pfn-status of an uploaded file prints what the real
# alien.py 1.6.3 prints (through the JBox); lfn2uri meta writes the metalink alien.py writes
# (same name), which xrdcp reads back; lfn2uri write gives write URIs.
. "$(dirname "$0")/reallib.sh"
command -v xrdfs >/dev/null 2>&1 || real_skip "xrdfs is not installed"
APY=${JALIEND_REAL_ALIENPY:-$JALIEND_REAL/client/alienpy163}
[ -d "$APY/alienpy" ] || real_skip "no alien.py at $APY (JALIEND_REAL_ALIENPY)"
alienpy() {
	HOME=$T/home ALIENPY_NO_STAGGER=1 ALIENPY_NO_HISTORY=1 PYTHONPATH=$APY \
		/usr/bin/python3 -c 'import sys; sys.argv[0]="alien.py"; from alienpy.alien import main; sys.exit(main())' "$@"
}
mkdir -p "$T/home"
grid_dir xrdq
ok alien-getSE
for id in $(printf '%s\n' "$OUT" | awk '{print $1}'); do
	name=$(alien-getSE -name "$id" | head -n 1)
	srv=$(alien-getSE -srv "$id" | head -n 1)
	ok alien-xrd_ping -c 2 "$name"
	CHECKS=$((CHECKS + 1))
	printf '%s\n' "$OUT" | grep -qE "^$name +rtt min/avg/max/mdev \(ms\) = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+$" ||
		fail "xrd_ping $name: [$OUT]"
	ver=$(xrdfs "$srv" query config version | tr -d '\n\0 ')
	ok alien-xrd_config "$name"
	expect_out_has "/$ver ; TPC status: " "xrd_config $name (xrdfs: $ver)"
	ok alien-xrd_stats -compact "$name"
	expect_out_has "\"ver\":\"$ver\"" "xrd_stats $name"
	expect_out_has "\"seName\":\"$name\",\"endpointUrl\":\"$srv\"}" "xrd_stats $name"
done
printf 'real xrdq\n' >"$T/q.txt"
ok alien-cp "file:$T/q.txt" "$G/q.txt"
ok alien-pfn-status "$G/q.txt"
mine=$OUT
run alienpy pfn-status "$G/q.txt"
expect_rc 0 "alien.py pfn-status"
expect_out "$mine" "pfn-status: jaliend's output is alien.py's"
cd "$T"
ok alien-lfn2uri "$G/q.txt" meta
meta=$OUT
CHECKS=$((CHECKS + 1))
[ -s "$meta" ] && xrdcp -s -f "$meta" "$T/q.back" && cmp -s "$T/q.txt" "$T/q.back" || fail "xrdcp of $meta"
rm -f "$meta"
run alienpy lfn2uri "$G/q.txt" meta
expect_rc 0 "alien.py lfn2uri meta"
expect_out "$meta" "lfn2uri meta: the metalink alien.py writes"
ok alien-lfn2uri "$G/w.txt" q.txt write
CHECKS=$((CHECKS + 1))
case $OUT in "'root://"*"?xrd.wantprot=unix&authz=-----BEGIN SEALED CIPHER-----"*) ;; *) fail "lfn2uri write: [$OUT]" ;; esac
ok alien-rm -rf "$G"
pass
