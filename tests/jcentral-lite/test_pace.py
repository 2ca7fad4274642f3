#!/usr/bin/env python3
"""--service-time real (pace.h): replies held back as the real JCentral takes, one connection's
in order, different connections in parallel. No timing assertion: the order of arrival across
two connections tells a parallel server (a short command on B overtakes the queue of long ones
on A) from one that serves connections in turn."""
import json
import shutil
import subprocess
import threading

from jcltest import RawWS, Server, check, eq, main, req


def read_all(ws, name, n, log, lock):
    for i in range(n):
        msg = json.loads(ws.recv_message()[1])
        with lock:
            log.append((name, i, msg))


def test_parallel_connections_ordered_replies():
    with Server("--service-time", "real", "--counts", "{tmp}/counts") as srv:
        a, b = RawWS(srv), RawWS(srv)
        # A: four commits (80 ms each, served one after the other) then whoami and pwd
        sent_a = [req("commit")] * 4 + [req("whoami"), req("pwd")]
        for r in sent_a:
            a.send_text(json.dumps(r))
        b.send_text(json.dumps(req("pwd")))  # 20-35 ms, on its own connection
        log, lock = [], threading.Lock()
        ta = threading.Thread(target=read_all, args=(a, "A", len(sent_a), log, lock))
        tb = threading.Thread(target=read_all, args=(b, "B", 1, log, lock))
        ta.start(); tb.start(); ta.join(30); tb.join(30)
        check(not ta.is_alive() and not tb.is_alive(), "every reply came")
        order = [(n, i) for n, i, _ in log]
        eq([i for n, i in order if n == "A"], list(range(len(sent_a))), "A's replies in order")
        a_msgs = [m for n, _, m in log if n == "A"]
        check("username" in a_msgs[4]["results"][0], "A's fifth reply is whoami's", a_msgs[4])
        check("pwd" in a_msgs[5]["results"][0], "A's sixth reply is pwd's", a_msgs[5])
        # served in parallel: B's reply does not wait for A's queue of 4 x 80 ms
        check(order.index(("B", 0)) < order.index(("A", len(sent_a) - 1)),
              "B's reply came before A's last (connections served in parallel)", order)
        a.close(); b.close()
        with open(srv.tmp + "/counts") as f:
            lines = f.read().splitlines()
        check(any(l.startswith("inflight_max ") and int(l.split()[1]) >= 2 for l in lines),
              "the counter saw A's and B's requests in flight at once", lines)


def test_bad_value():
    srv = Server("--service-time", "fast")
    try:
        p = subprocess.run(srv.args(), capture_output=True, text=True, timeout=20)
    finally:
        shutil.rmtree(srv.tmp, ignore_errors=True)
    check(p.returncode != 0, "a bad --service-time exits non-zero", p.returncode)
    check("--service-time needs real or off" in p.stderr, "one line naming it", p.stderr)


if __name__ == "__main__":
    main([test_parallel_connections_ordered_replies, test_bad_value])
