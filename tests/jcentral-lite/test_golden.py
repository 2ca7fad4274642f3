#!/usr/bin/env python3
"""Golden tests: replay every request of the real JCentral transcripts
(transcripts/*.jsonl next to this file, recorded traffic kept in the project; or $JCL_TRANSCRIPTS)
against jcentral-lite and compare with
the recorded replies: exit codes, error texts, number of rows, key sets and value types per row.

The transcripts were captured in one sequence against one server, so they are replayed in the
order of their first timestamp against one jcentral-lite, on one connection per transcript (like
alien.py). Equivalent data: the same home (/localhost/localdomain/user/j/jalien/), one SE named
like the recorded one (a plain local folder: `access write` is followed by writing the file there,
as xrdcp would), the token CA. Values produced by the server (GUIDs, PFNs, envelopes) are mapped
from the recorded ones to ours, so later requests (commit, guid2lfn) carry our values.
Messages, times and other values are not compared; differences in key order are reported, not
failed."""
import glob
import json
import os
import sys

from jcltest import TOKEN_ARGS, RawWS, Server, check, main

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCRIPTS = os.environ.get("JCL_TRANSCRIPTS", os.path.join(HERE, "transcripts"))
MAPPED_KEYS = ("envelope", "url", "guid", "pfn")


def load():
    runs = []
    for f in sorted(glob.glob(os.path.join(TRANSCRIPTS, "*.jsonl"))):
        with open(f) as fh:
            msgs = [json.loads(l) for l in fh if l.strip()]
        pairs, pending = [], None
        for m in msgs:
            if m["dir"] == "send":
                pending = m["data"]
            elif pending is not None:
                pairs.append((pending, m["data"]))
                pending = None
        if pairs:
            runs.append((msgs[0]["t"], os.path.basename(f), pairs))
    return [r[1:] for r in sorted(runs)]


def substitute(value, mapping):
    if isinstance(value, str):
        if value in mapping:
            return mapping[value]
        for old, new in mapping.items():
            if len(old) == 36 and old in value:      # GUIDs inside other text
                value = value.replace(old, new)
        return value
    return value


def fake_upload(send, reply):
    """What xrdcp does for an `access write`: put a file of the announced size at the PFN."""
    opts = send.get("options", [])
    size = int(opts[opts.index("-s") + 1]) if "-s" in opts else 0
    for row in reply.get("results", []):
        url = row.get("url", "")
        if not url.startswith("root://"):
            continue
        path = "/" + url.split("//", 2)[2]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"\0" * size)


def compare(name, i, send, want, got, problems, notes):
    where = "%s #%d %s %s" % (name, i, send.get("command"), json.dumps(send.get("options", []))[:80])
    wm, gm = want["metadata"], got["metadata"]
    if set(gm) != set(wm):
        problems.append("%s: metadata keys %s vs %s" % (where, sorted(gm), sorted(wm)))
    if gm.get("exitcode") != wm.get("exitcode"):
        problems.append("%s: exitcode %r, recorded %r (error %r)" % (where, gm.get("exitcode"),
                                                                     wm.get("exitcode"), gm.get("error")))
    elif gm.get("error") != wm.get("error"):
        problems.append("%s: error %r, recorded %r" % (where, gm.get("error"), wm.get("error")))
    wr, gr = want.get("results", []), got.get("results", [])
    if len(wr) != len(gr):
        problems.append("%s: %d rows, recorded %d" % (where, len(gr), len(wr)))
        return
    for k, (a, b) in enumerate(zip(gr, wr)):
        if set(a) != set(b):
            problems.append("%s: row %d keys %s, recorded %s" % (where, k, list(a), list(b)))
            continue
        if list(a) != list(b):
            notes.append("%s: row %d key order %s, recorded %s" % (where, k, list(a), list(b)))
        for key in b:
            if type(a[key]) is not type(b[key]):
                problems.append("%s: row %d key %s is %s, recorded %s" % (where, k, key, type(a[key]).__name__,
                                                                         type(b[key]).__name__))


def test_transcripts():
    runs = load()
    check(len(runs) >= 30, "transcripts found in %s" % TRANSCRIPTS, len(runs))
    problems, notes, mapping, ncmd = [], [], {}, 0
    with Server(*TOKEN_ARGS, "--se", "localhost::JTestSite::firstse=root://127.0.0.1:1094/{tmp}/firstse") as srv:
        for name, pairs in runs:
            ws = RawWS(srv)
            check(ws.status == 101, "upgrade for " + name)
            try:
                for i, (send, want) in enumerate(pairs):
                    send = dict(send, options=[substitute(o, mapping) for o in send.get("options", [])])
                    ws.send_text(json.dumps(send))
                    kind, text, _ = ws.recv_message()
                    check(kind == "text", "%s #%d answered" % (name, i), (kind, text))
                    got = json.loads(text)
                    ncmd += 1
                    compare(name, i, send, want, got, problems, notes)
                    for gr, wr in zip(got.get("results", []), want.get("results", [])):
                        for key in MAPPED_KEYS:
                            if isinstance(wr.get(key), str) and isinstance(gr.get(key), str):
                                mapping[wr[key]] = gr[key]
                    if send.get("command") == "access" and "write" in send.get("options", []):
                        fake_upload(send, got)
            finally:
                ws.close()
    for n in notes:
        print("note: " + n)
    print("%d transcripts, %d requests compared" % (len(runs), ncmd))
    if problems:
        raise AssertionError("%d differences:\n  " % len(problems) + "\n  ".join(problems))


if __name__ == "__main__":
    if not glob.glob(os.path.join(TRANSCRIPTS, "*.jsonl")):
        print("FAIL: no transcripts (*.jsonl) in %s" % TRANSCRIPTS)
        sys.exit(1)
    main([test_transcripts])
