#!/usr/bin/env python3
"""Transport behaviour of jcentral-lite: TLS, upgrade refusal, framing, idle timeout, process."""
import json
import os
import signal
import ssl
import subprocess
import tempfile
import shutil
import time

from jcltest import HOME, RawWS, Server, SERVER, eq, check, main, req


def test_refusals():
    with Server() as srv:
        rc, out, err = srv.client([req("pwd")], who="stranger")
        eq((rc, out, err.strip()), (3, [], "HTTP 401"), "stranger certificate via jcl-wsclient")
        ws = RawWS(srv, who="stranger")
        eq(ws.status, 401, "stranger certificate via raw client")
        ws.close()
        rc, out, err = srv.client([req("pwd")], path="/websocket/plain")
        eq((rc, err.strip()), (3, "HTTP 404"), "other paths are not upgraded")
        ws = RawWS(srv)
        eq(ws.version, "TLSv1.2", "TLS 1.2 negotiated")
        eq(ws.status, 101, "registered user upgrades")
        ws.close()
        try:
            RawWS(srv, tls13=True)
            raise AssertionError("a TLS 1.3-only client must fail")
        except ssl.SSLError:
            pass
        # a certificate from an unknown CA fails the handshake (exit 2)
        tmp = tempfile.mkdtemp(prefix="jcl-self-")
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-keyout", tmp + "/k.pem", "-out", tmp + "/c.pem",
                            "-subj", "/C=ch/O=JAliEn-lite/OU=Users/CN=jalien"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            p = subprocess.run([os.environ.get("JCL_CLIENT", "jcl-wsclient"), "--url", srv.url(),
                                "--cert", tmp + "/c.pem", "--key", tmp + "/k.pem",
                                "--ca-dir", srv.certs + "/certificates"],
                               input=b'{"command":"pwd"}\n', capture_output=True, timeout=30)
            eq(p.returncode, 2, "self-signed client certificate is rejected")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def test_framing():
    with Server() as srv:
        ws = RawWS(srv)
        # nothing is sent on connect
        ws.s.settimeout(0.3)
        try:
            ws.recv_frame()
            raise AssertionError("server sent something on connect")
        except (TimeoutError, OSError):
            pass
        ws.s.settimeout(10)
        # pipelined requests: replies come back in order, one message each
        for i in range(5):
            ws.send_text(json.dumps(req("echo", str(i))))
        for i in range(5):
            kind, text, _ = ws.recv_message()
            eq(json.loads(text)["results"][0]["arg0"], str(i), "pipelined reply %d in order" % i)
        # a fragmented request is answered, and poisons the session (test_partial.py)
        body = json.dumps(req("echo", "frag" * 1000)).encode()
        ws.send_frame(0x1, body[:100], fin=False)
        ws.send_frame(0x0, body[100:3000], fin=False)
        ws.send_frame(0x0, body[3000:], fin=True)
        kind, text, _ = ws.recv_message()
        eq(json.loads(text)["results"][0]["arg0"], "frag" * 1000, "fragmented request")
        ws.send_text(json.dumps(req("pwd")))
        eq(json.loads(ws.recv_message()[1])["metadata"]["error"], "Incoming JSON is not ok", "after it")
        ws.close()
        # too big: > 133120 chars (then the tail of it, alone, is not JSON)
        ws = RawWS(srv)
        big = json.dumps(req("echo", "x" * 140000))
        ws.send_text(big)
        kind, text, _ = ws.recv_message()
        eq(json.loads(text)["metadata"]["error"], "Message too big, limit is at 133120", "too big")
        eq(json.loads(text)["metadata"]["exitcode"], "22", "too big exit code")
        eq(json.loads(ws.recv_message()[1])["metadata"]["error"], "Incoming JSON is not ok", "its tail")
        # a request just under the limit is fine (and, being more than 8192 characters, poisons)
        ok = json.dumps(req("echo", "y" * 130000))
        ws.send_text(ok)
        kind, text, _ = ws.recv_message()
        eq(len(json.loads(text)["results"][0]["arg0"]), 130000, "large request accepted")
        ws.close()
        ws = RawWS(srv)
        # a large reply arrives as one message made of several frames
        ws.send_text(json.dumps(req("mkdir", "-p", *["d%04d_%s" % (i, "z" * 60) for i in range(1500)])))
        eq(json.loads(ws.recv_message()[1])["metadata"]["exitcode"], "0", "many mkdirs")
        ws.close()                       # that request was over 8192 characters: poisoned
        ws = RawWS(srv)
        ws.send_text(json.dumps(req("ls", "-l")))
        kind, text, frames = ws.recv_message()
        reply = json.loads(text)
        eq(len(reply["results"]), 1500, "large listing")
        check(len(text) > 64 * 1024 and frames == -(-len(text.encode()) // 8192),
              "large reply in 8192-byte frames, as Tomcat", (len(text), frames))
        ws.close()
        # the same through jcl-wsclient, with permessage-deflate and client-side fragmentation
        replies, _ = srv.run([req("ls", "-l"), req("echo", "q" * 8000)], extra=["--deflate", "--fragment", "1000"])
        eq(len(replies[0]["results"]), 1500, "listing over deflate")
        eq(replies[1]["results"][0]["arg0"], "q" * 8000, "fragmented request over deflate")


def test_idle_timeout():
    with Server("--idle-timeout", "1") as srv:
        ws = RawWS(srv)
        ws.send_text(json.dumps(req("pwd")))
        eq(ws.recv_message()[0], "text", "reply before the timeout")
        t0 = time.time()
        kind, code, reason = ws.recv_message()
        elapsed = time.time() - t0
        eq((kind, code, reason), ("close", 1013, "Session timed out"), "idle close")
        check(0.5 < elapsed < 5, "closed after about 1 s", elapsed)
        ws.close()
        # activity keeps the session alive
        ws = RawWS(srv)
        for _ in range(4):
            time.sleep(0.5)
            ws.send_text(json.dumps(req("echo", "alive")))
            eq(ws.recv_message()[0], "text", "active session stays open")
        ws.close()
        # jcl-wsclient (lws 4.1.6) reports 1013 as 1002: lws rewrites close codes 1012-1015
        rc, out, err = srv.client([req("pwd")], extra=["--wait-close", "--timeout", "10"])
        eq(rc, 0, "wait-close exit")
        check(out[-1] in ("CLOSE 1013 Session timed out", "CLOSE 1002 Session timed out"), "close seen", out)


def test_process():
    srv = Server()
    try:
        srv.start()
        eq(srv.stop(), 0, "SIGTERM exits 0")
        srv.start()                      # same db again: schema and tree already there
        replies, _ = srv.run([req("pwd")])
        eq(replies[0]["results"][0]["pwd"], HOME, "restart on an existing db")
        srv.proc.send_signal(signal.SIGINT)
        eq(srv.proc.wait(10), 0, "SIGINT exits 0")
        c = srv.certs
        base = [SERVER, "--cert", c + "/host.pem", "--key", c + "/host.key", "--ca-dir", c + "/certificates",
                "--db", srv.tmp + "/cat.db", "--users", c + "/users.txt"]
        for args, what in ((base[:-2], "missing --users"),
                           (base[:2] + ["/nonexistent.pem"] + base[3:], "unreadable --cert"),
                           (base[:-1] + ["/nonexistent-users"], "unreadable --users"),
                           (base + ["--port", "x"], "bad --port"),
                           (base + ["--bogus"], "unknown option")):
            p = subprocess.run(args, capture_output=True, timeout=10)
            eq(p.returncode, 2, what)
            lines = p.stderr.decode().strip().splitlines()
            eq(len(lines), 1, what + ": one line on stderr")
    finally:
        srv.cleanup()


if __name__ == "__main__":
    main([test_refusals, test_framing, test_idle_timeout, test_process])
