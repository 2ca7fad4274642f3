#!/usr/bin/env python3
"""Test hooks: --slow CMD=MS, ping -c/-s pauses and the --throttle rate limiter; none of them may
block other connections."""
import json
import subprocess
import time

from jcltest import CLIENT, HOME, RawWS, Server, check, eq, main, req


def spawn(srv, requests, who="user"):
    cert, key = srv.cred(who)
    p = subprocess.Popen([CLIENT, "--url", srv.url(), "--cert", cert, "--key", key,
                          "--ca-dir", srv.certs + "/certificates"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write("".join(json.dumps(r) + "\n" for r in requests).encode())
    p.stdin.close()
    return p


def finish(p, timeout):
    """Wait for a spawned client; returns its stdout text."""
    out = p.stdout.read()
    p.wait(timeout)
    p.stderr.close()
    p.stdout.close()
    return out


def timed(srv, requests, who="user"):
    t0 = time.time()
    replies, _ = srv.run(requests, who=who)
    return time.time() - t0, replies


def test_slow_reply_does_not_block_others():
    with Server("--slow", "echo=1500", "--slow", "motd=0") as srv:
        t0 = time.time()
        slow = spawn(srv, [req("echo", "late")])
        time.sleep(0.2)
        dt, replies = timed(srv, [req("pwd"), req("motd")], who="user2")
        check(dt < 1.0, "other connection answered while a slow reply is pending", dt)
        out = finish(slow, 20)
        total = time.time() - t0
        eq(slow.returncode, 0, "slow client rc")
        eq(json.loads(out.decode().splitlines()[0])["results"][0]["arg0"], "late", "slow reply content")
        check(total >= 1.5, "echo reply sent >= 1.5 s late", total)


def test_ping_pauses_without_blocking():
    with Server() as srv:
        t0 = time.time()
        p = spawn(srv, [req("ping", "-c", "3", "-s", "700")])
        time.sleep(0.2)
        dt, _ = timed(srv, [req("pwd")], who="user2")
        check(dt < 1.0, "pwd during ping", dt)
        out = finish(p, 20)
        total = time.time() - t0
        check(total >= 1.4, "ping -c 3 -s 700 takes two pauses", total)
        msg = json.loads(out.decode().splitlines()[0])["results"][0]["message"]
        check(msg.count("reply from") == 3, "three ping lines", msg)
        # -s 0: immediate
        dt, _ = timed(srv, [req("ping", "-c", "5", "-s", "0")])
        check(dt < 1.0, "ping -s 0 is immediate", dt)


def test_throttle():
    n = 140                     # counter reaches 10 + 140: delays 1..40 ms, ~820 ms in total
    with Server() as srv:
        dt_free, _ = timed(srv, [req("echo", str(i)) for i in range(n)])
    with Server(default_throttle=True) as srv:      # on unless --throttle off, as in JCentral
        t0 = time.time()
        p = spawn(srv, [req("echo", str(i)) for i in range(n)])
        time.sleep(0.3)
        dt_other, _ = timed(srv, [req("pwd")], who="user2")
        out = finish(p, 60)
        dt = time.time() - t0
        eq(len(out.decode().splitlines()), n, "all throttled commands answered")
        check(dt >= dt_free + 0.6, "throttled run is slower (%.2f s vs %.2f s)" % (dt, dt_free), dt)
        check(dt_other < 0.8, "another subject is not throttled", dt_other)
        # the counter is per subject and survives reconnects: +10 per connection, so the next
        # connection's first command is delayed by ~ (150 + 1 + 10 + 1) - 100 ms
        dt1, _ = timed(srv, [req("pwd")])
        check(dt1 >= 0.05, "next connection of the same subject starts throttled", dt1)


def test_long_command_overlap():
    """Measured on JCentral: ping -c 2 -s 1500, whoami, pwd sent back to back: the ping reply
    (after 1.5 s), then "" for whoami (JCentral stopped waiting for the ping after 1 s and took
    whoami while the ping still ran), then pwd answered normally."""
    with Server() as srv:
        ws = RawWS(srv)
        t0 = time.time()
        for r in (req("ping", "-c", "2", "-s", "1500"), req("whoami"), req("pwd")):
            ws.send_text(json.dumps(r))
        got = [ws.recv_message()[1] for _ in range(3)]
        dt = time.time() - t0
        check("reply from" in json.loads(got[0])["results"][0]["message"], "ping reply first", got[0])
        eq(got[1], "", "whoami behind it: an empty message")
        eq(json.loads(got[2])["results"][0]["pwd"], HOME, "pwd: answered")
        check(1.4 < dt < 3, "all after the ping", dt)
        ws.s.settimeout(1.5)
        try:
            extra = ws.recv_message()
            raise AssertionError("one reply too many: %r" % (extra,))
        except (TimeoutError, OSError):
            pass
        ws.s.settimeout(10)
        # under 1 s: pipelined requests are answered in order, nothing is lost
        for r in (req("ping", "-c", "2", "-s", "500"), req("whoami"), req("pwd")):
            ws.send_text(json.dumps(r))
        got = [json.loads(ws.recv_message()[1]) for _ in range(3)]
        eq([list(g["results"][0])[0] for g in got], ["message", "username", "pwd"], "short command: in order")
        ws.close()


def read_counts(path, total, timeout=5):
    """--counts FILE once it shows `total` requests: ({cmd: n}, [(id, account, n)])."""
    deadline = time.time() + timeout
    while True:
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        if ("total %d" % total) in lines or time.time() > deadline:
            break
        time.sleep(0.02)
    eq(lines[:1], ["total %d" % total], "counts total")
    cmds = {l.split()[1]: int(l.split()[2]) for l in lines if l.startswith("cmd ")}
    sess = [tuple(l.split()[1:]) for l in lines if l.startswith("session ")]
    return cmds, sess


def test_counts():
    with Server("--counts", "{tmp}/counts") as srv:
        path = srv.tmp + "/counts"
        srv.run([req("whoami"), req("ls"), req("ls", "-l"), req("no-such-cmd")])
        cmds, sess = read_counts(path, 4)
        eq(cmds, {"whoami": 1, "ls": 2, "no-such-cmd": 1}, "per command")
        eq(sess, [], "no open session")
        check("session 1 (jalien): 4 requests" in srv.logtext(), "closed session logged", srv.logtext())
        ws = RawWS(srv)
        for r in (req("pwd"), req("pwd")):
            ws.send_text(json.dumps(r))
            ws.recv_message()
        ws.send_text("not json")
        ws.recv_message()
        ws.send_text(json.dumps(req("bad name!")))
        ws.recv_message()
        cmds, sess = read_counts(path, 8)
        eq((cmds["pwd"], cmds["(bad)"], cmds["(other)"]), (2, 1, 1), "pwd, bad JSON, odd name")
        eq(sess, [("2", "jalien", "4")], "open session")
        ws.close()


if __name__ == "__main__":
    main([test_slow_reply_does_not_block_others, test_ping_pauses_without_blocking, test_throttle,
          test_counts, test_long_command_overlap])
