#!/usr/bin/env python3
"""Two 200 000-entry `find`s at once, over permessage-deflate, on two connections (issue 18):
each reply must be whole, valid JSON with every entry (they used to corrupt each other:
`not JSON (17400127 bytes)`), and a whoami on each connection must work after it."""
import json
import sqlite3
import threading
import time

from jcltest import HOME, RawWS, Server, eq, check, main, req

N = 200000


def populate(srv):
    """Add N empty files under HOME/big/ straight into the catalogue (the server is stopped)."""
    db = sqlite3.connect(srv.tmp + "/cat.db")
    now = int(time.time())
    d = HOME + "big/"
    db.execute("INSERT INTO lfn (lfn, dir, name, type, owner, gowner, perm, size, ctime) "
               "VALUES (?, ?, ?, 'd', 'jalien', 'jalien', '755', 0, ?)", (d, HOME, "big/", now))
    db.executemany("INSERT INTO lfn (lfn, dir, name, type, owner, gowner, perm, size, ctime, md5) "
                   "VALUES (?, ?, ?, 'f', 'jalien', 'jalien', '644', 0, ?, "
                   "'d41d8cd98f00b204e9800998ecf8427e')",
                   ((d + "file%06d.root" % i, d, "file%06d.root" % i, now) for i in range(N)))
    db.commit()
    db.close()


def test_two_big_finds_at_once():
    srv = Server()
    try:
        srv.start()
        srv.stop()
        populate(srv)
        srv.start()
        conns = [RawWS(srv, extensions="permessage-deflate; client_max_window_bits") for _ in range(2)]
        for ws in conns:
            check(ws.deflate, "deflate negotiated", ws.extensions)
            ws.s.settimeout(120)
        out = [None, None]

        def read(i):
            try:
                out[i] = conns[i].recv_message()
            except Exception as e:          # reported below
                out[i] = ("error", repr(e), 0)

        for ws in conns:
            ws.send_message(json.dumps(req("find", HOME + "big/", "*")))
        threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        for i in range(2):
            kind, body, frames = out[i]
            eq(kind, "text", "find %d answered" % i)
            try:
                reply = json.loads(body)
            except ValueError:
                raise AssertionError("find %d: not JSON (%d bytes)" % (i, len(body)))
            eq(len(reply["results"]), N, "find %d: every entry" % i)
            eq(reply["results"][-1]["lfn"], HOME + "big/file%06d.root" % (N - 1), "find %d: last entry" % i)
            conns[i].send_message(json.dumps(req("whoami")))
            check("jalien" in conns[i].recv_message()[1], "whoami after find %d" % i)
            conns[i].close()
    finally:
        srv.cleanup()


if __name__ == "__main__":
    main([test_two_big_finds_at_once])
