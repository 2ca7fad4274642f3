#!/usr/bin/env python3
"""mkseeds.py - write the seed corpus of the fuzz targets into corpus/<target>/.
Run once after changing it; the files are kept in git."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(ftype, payload, fid=0, flags=0, length=None):
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload).encode()
    elif isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    return struct.pack(">IHHI", n, ftype, flags, fid) + payload


HELLO = frame(1, {"proto": 1, "client": "alien", "version": "0.1.0", "pid": 1})


def req(argv, fid=1, **extra):
    body = {"argv": argv, "session": "sid:1", "cwd": "/tmp", "json": False, "tty": True, "cols": 80}
    body.update(extra)
    return frame(2, body, fid)


SEEDS = {
    "frame": {
        "hello": HELLO,
        "hello_request": HELLO + req(["ls", "-l"]),
        "huge_len": frame(1, b"", length=0xFFFFFFFF),
        "bad_type": frame(42, b"x"),
        "flags": frame(1, b"{}", flags=1),
        "partial": HELLO[:7],
        "small_cap": b"\x11" + frame(3, b"a" * 40),
        "many": b"".join(frame(t, b"abc", t) for t in range(1, 10)),
    },
    "render": {},
    "path": {
        "grid": b"\x01\x00alien://~/a/../b/./c/\0alice/cern.ch/user/j/jdoe\0alice/cern.ch/user/j/jdoe/\0/alice/",
        "alien_var": b"\x02\x01%ALIEN/x//y/..\0w/\0h\0/w/",
        "local": b"\x00\x02file:///tmp/../x/\0tmp\0root\0/tmp/",
        "relative": b"\x03\x00../../../x\0a/b\0c\0a",
        "empty_rmprefix": b"\x00\x03\0/w\0/h\0/",  # finding 3: cp_path_keep("", .., rmprefix 3)
    },
    "request": {
        "ls": b"\x00" + HELLO + req(["ls", "-l", "/alice/"]),
        "json": b"\x02" + HELLO + req(["whoami", "-json"]),
        "words": b"\x04" + HELLO + req(["ls", "nomsg", "-showkeys", "allkeys"]),
        "cd": b"\x00" + HELLO + req(["cd", "/alice/x/"]) + req(["cd", "-"], 2) + req(["pwd"], 3),
        "aliases": b"\x06" + HELLO + req(["ll"]) + req(["lla", "d"], 2) + req(["home"], 3),
        "version": b"\x00" + HELLO + req(["version"]) + req(["daemon", "status"], 2),
        "complete": b"\x00" + HELLO + req(["ls"], complete={"kind": "path", "word": "/al"}),
        "env": b"\x08" + HELLO + req(["echo", "x"], env={"ALIEN_X": "1"}),
        "cancel": b"\x00" + HELLO + req(["ls"]) + frame(9, {}, 1) + req(["pwd"], 2),
        "passphrase": b"\x01" + HELLO + req(["whoami"]) + frame(8, {"passphrase": "no"}, 1)
        + frame(8, {"passphrase": "open"}, 1),
        "giveup": b"\x01" + HELLO + req(["whoami"]) + frame(8, {"error": "no terminal"}, 1),
        "bad_hello": b"\x00" + frame(1, {"proto": 2}),
        "bad_req": b"\x00" + HELLO + frame(2, {"argv": [1, None]}, 1),
        "two_req": b"\x00" + HELLO + req(["ls"]) + req(["ls"], 2),
    },
}

for name, reply in {
    "ok": {"metadata": {"exitcode": "0", "error": "", "user": "u", "currentdir": "/a/"},
           "results": [{"message": "line one\n"}, {"message": "  two  "}, {"name": "x"}]},
    "error": {"metadata": {"exitcode": "2", "error": "No such file or directory : /x\n"}, "results": []},
    "numbers": {"metadata": {"exitcode": 0, "n": [1.5, -0.0, 1e300, 12345678901234567890]},
                "results": [{"a": True, "b": None, "c": {"z": 1, "a": [[], {}]}}]},
    "unicode": {"metadata": {"exitcode": "0"}, "results": [{"message": "caf\u00e9 \U0001F600 \u2028 \x01"}]},
    "empty_results": {"metadata": {"exitcode": "0", "currentdir": "/"}},
}.items():
    SEEDS["render"][name] = b"\x02\x03" + json.dumps(reply).encode()
SEEDS["render"]["not_json"] = b"\x05\x00{\"metadata\":"
SEEDS["render"]["local"] = b"\x0c\x01out text\n"

for target, seeds in SEEDS.items():
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
