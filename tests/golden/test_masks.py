#!/usr/bin/env python3
"""golden.masks: the PLATFORM masks of golden.py on the real records. Each recorded row that
names an SE's xrootd version or host is rewritten as another platform's SE would answer (Debian
13's xrootd v5.8.1, the chroot's host address): after the masks it must equal the record. The
same rows with a real difference (another SE's name, a counter key renamed, a version outside
an SE's answer) must still differ. Exit 0 all good, 1 a mask too narrow or too wide."""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import golden  # noqa: E402

ELSEWHERE = [  # what a Debian 13 root's SE answers where Debian 12's answered the record
    (re.compile(r"v5\.5\.3"), "v5.8.1"),
    (re.compile(r"<HOST>:<PORT>"), "trixie-root.example:1094"),
    (re.compile(r"<HOST>"), "[::ffff:10.1.2.3]"),
]
REAL = [  # differences no mask may hide
    ("ALICE::JCL::SE1", "ALICE::JCL::SE9"),
    ('"ver"', '"vers"'),
    ("TPC status: 1", "TPC status: 0"),
]


def main():
    with open(os.path.join(HERE, "records.jsonl"), encoding="utf-8") as fh:
        recs = [json.loads(l) for l in fh if l.strip()]
    touched = bad = 0
    for r in recs:
        if r["line"].startswith("version"):  # alien.py's own versions: differ.txt, not masked
            continue
        rec = r["out"]
        other = rec
        for rx, tag in ELSEWHERE:
            other = rx.sub(tag, other)
        if other == rec:
            continue
        touched += 1
        if golden.platform_masked(other) != golden.platform_masked(rec):
            print("FAIL: %s: another platform's answer is not masked:\n  record: %r\n  masked: %r"
                  % (r["line"], golden.platform_masked(rec)[:300], golden.platform_masked(other)[:300]))
            bad += 1
        for old, new in REAL:
            if old in rec and golden.platform_masked(rec.replace(old, new)) == golden.platform_masked(rec):
                print("FAIL: %s: the masks hide a real difference (%s -> %s)" % (r["line"], old, new))
                bad += 1
    # a version outside an SE's answer stays as it is
    if golden.platform_masked("jaliend v5.5.3") != "jaliend v5.5.3":
        print("FAIL: a version outside an SE's ver/XrdVer field was masked")
        bad += 1
    if touched < 5:
        print("FAIL: only %d recorded rows name an SE's version or host (expected the 5 xrd_stats/xrd_config rows)"
              % touched)
        bad += 1
    print("golden.masks: %d rows rewritten as another platform's, %d failures" % (touched, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
