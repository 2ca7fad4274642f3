#!/usr/bin/env python3
"""xrdfake.py PORTFILE MODE [DATA] - a hostile or broken XRootD data server for the tests.

Speaks enough of the XRootD protocol (docs: XProtocol.hh of xrootd 5.5; written from it, no
code taken) for libXrdCl 5.5 to log in: the handshake, kXR_protocol, kXR_login, then answers
kXR_ping, kXR_query (config, stats, checksum), kXR_stat, kXR_open, kXR_read and kXR_close of
any path per MODE, one mode for the whole run:

  good       honest answers: config keys echo `key` (unset) or a value, stats a small
             <statistics> XML, stat/open/read serve the bytes of DATA (empty without it)
  empty      every answer kXR_ok with no body (open, read, stat, query alike; ping has none)
  truncated  every answer announces its body, sends half of it, then drops the connection
             (ping: 8 bytes announced, 4 sent)
  oversized  query config answers each key with 4 MiB + 64 bytes, query stats with 5 MiB,
             stat reports DATA's size plus 1 TiB (reads serve DATA, then zeros)
  malformed  query: NUL bytes, bytes that are not UTF-8, a cut-off XML element; stat: a
             line that is not "id size flags mtime"; open: a 2-byte body; read and ping:
             kXR_error with a 2-byte body

Listens on a free 127.0.0.1 port and writes it to PORTFILE (renamed into place once
listening). Writes one line per request to PORTFILE.log ("open <path>", "read <offset>
<length> <bytes sent>", ...) and the total of file bytes sent, "served N", after each read.
Exits when its parent process ends (the test), so nothing outlives a test."""
import os
import socket
import struct
import sys
import threading
import time

K_QUERY, K_CLOSE, K_PROTOCOL, K_LOGIN, K_OPEN, K_PING = 3001, 3003, 3006, 3007, 3010, 3011
K_READ, K_STAT, K_ENDSESS = 3013, 3017, 3023
OK, ERROR = 0, 4003
Q_STATS, Q_CKSUM, Q_CONFIG = 1, 3, 7
E_UNSUPPORTED = 3013
TIB = 1 << 40

MODE = "good"
DATA = b""
LOG = None
LOCK = threading.Lock()
SERVED = [0]


def log(line):
    with LOCK:
        LOG.write(line + "\n")
        LOG.flush()


def recv_all(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


class Dropped(Exception):
    pass


def send(c, sid, status, body):
    """One response; in truncated mode half of the body, then the connection is dropped."""
    if MODE == "truncated" and body:
        c.sendall(sid + struct.pack(">HI", status, len(body)) + body[: len(body) // 2])
        raise Dropped
    c.sendall(sid + struct.pack(">HI", status, len(body)) + body)


def error(c, sid, code, text):
    send(c, sid, ERROR, struct.pack(">I", code) + text.encode() + b"\0")


def stat_line(size, flags=16):
    return ("0 %d %d %d" % (size, flags, int(time.time()))).encode() + b"\0"


def answer_query(c, sid, infotype, arg):
    if MODE == "empty":
        return send(c, sid, OK, b"")
    if MODE == "malformed":
        if infotype == Q_STATS:
            return send(c, sid, OK, b'<statistics tod="1" ver="v5"><stats id="info"><host>x')
        return send(c, sid, OK, b"\0\xff\xfe<\0" + arg + b"\n\0\0")
    if infotype == Q_CONFIG:
        if MODE == "oversized":
            return send(c, sid, OK, b"y" * ((4 << 20) + 64))
        vals = {b"version": b"v5.5.3-fake", b"role": b"server", b"sitename": b"FAKE"}
        return send(c, sid, OK, b"\n".join(vals.get(k, k) for k in arg.split(b"\n") if k) + b"\n")
    if infotype == Q_STATS:
        if MODE == "oversized":
            return send(c, sid, OK, b'<statistics tod="1" ver="v5">' + b"<stats id=\"x\"></stats>" * ((5 << 20) // 22))
        return send(c, sid, OK, b'<statistics tod="1700000000" ver="v5.5.3-fake" src="fake:1" tos="1" pgm="xrootd" '
                    b'ins="anon" pid="1" site=""><stats id="info"><host>fake</host><port>1</port><name>anon</name>'
                    b'</stats><stats id="sched"><jobs>0</jobs></stats></statistics>')
    if infotype == Q_CKSUM:
        if MODE == "oversized":
            return send(c, sid, OK, b"md5 " + b"f" * (4 << 20))
        return error(c, sid, E_UNSUPPORTED, "query chksum is not supported")
    return error(c, sid, E_UNSUPPORTED, "query %d is not supported" % infotype)


def file_size():
    return len(DATA) + (TIB if MODE == "oversized" else 0)


def answer_file(c, sid, req, body, rid):
    if rid == K_STAT:
        if MODE == "empty":
            return send(c, sid, OK, b"")
        if MODE == "malformed":
            return send(c, sid, OK, b"this is no stat\0")
        return send(c, sid, OK, stat_line(file_size()))
    if rid == K_OPEN:
        if MODE == "empty":
            return send(c, sid, OK, b"")
        if MODE == "malformed":
            return send(c, sid, OK, b"\1\2")
        return send(c, sid, OK, b"\0\0\0\1" + b"\0" * 8 + stat_line(file_size()))
    if rid == K_READ:
        offset, rlen = struct.unpack(">qi", req[4:16])
        if MODE == "empty":
            log("read %d %d 0" % (offset, rlen))
            return send(c, sid, OK, b"")
        if MODE == "malformed":
            return send(c, sid, ERROR, b"\0\1")
        n = max(0, min(rlen, file_size() - offset))
        chunk = DATA[offset:offset + n] if offset < len(DATA) else b""
        chunk += b"\0" * (n - len(chunk))
        with LOCK:
            SERVED[0] += len(chunk)
            total = SERVED[0]
        log("read %d %d %d" % (offset, rlen, len(chunk)))
        log("served %d" % total)
        return send(c, sid, OK, chunk)
    return send(c, sid, OK, b"")  # close


def serve(c):
    try:
        hs = recv_all(c, 20)
        if struct.unpack(">5i", hs) != (0, 0, 0, 4, 2012):
            return
        # the handshake's answer: a response header of stream 0, protocol version, data server
        c.sendall(struct.pack(">2sHIii", b"\0\0", OK, 8, 0x400, 1))
        while True:
            h = recv_all(c, 24)
            sid, rid = h[0:2], struct.unpack(">H", h[2:4])[0]
            req = h[4:20]
            dlen = struct.unpack(">i", h[20:24])[0]
            body = recv_all(c, dlen) if dlen > 0 else b""
            body = body.rstrip(b"\0")
            if rid == K_PROTOCOL:  # 0x400: no TLS, no pgread; no security requirements
                c.sendall(sid + struct.pack(">HIii", OK, 8, 0x400, 1))
            elif rid == K_LOGIN:
                c.sendall(sid + struct.pack(">HI", OK, 16) + os.urandom(16))
            elif rid == K_ENDSESS:
                c.sendall(sid + struct.pack(">HI", OK, 0))
            elif rid == K_PING:
                log("ping")
                if MODE == "truncated":  # an answer of 8 bytes announced, 4 sent, then gone
                    c.sendall(sid + struct.pack(">HI", OK, 8) + b"\0" * 4)
                    raise Dropped
                if MODE == "malformed":  # an error without its 4-byte code
                    c.sendall(sid + struct.pack(">HI", ERROR, 2) + b"\0\1")
                else:
                    c.sendall(sid + struct.pack(">HI", OK, 0))
            elif rid == K_QUERY:
                infotype = struct.unpack(">H", req[0:2])[0]
                log("query %d %s" % (infotype, body.replace(b"\n", b" ").decode("latin-1")))
                answer_query(c, sid, infotype, body)
            elif rid in (K_STAT, K_OPEN, K_READ, K_CLOSE):
                if rid != K_READ:
                    log("%s %s" % ({K_STAT: "stat", K_OPEN: "open", K_CLOSE: "close"}[rid],
                                   body.rstrip(b"\0").decode("latin-1")))
                answer_file(c, sid, req, body, rid)
            else:
                log("unsupported %d" % rid)
                error(c, sid, E_UNSUPPORTED, "request %d is not supported here" % rid)
    except (EOFError, OSError, Dropped):
        pass
    except Exception as e:  # a bug here: said once, the connection dropped
        log("error %r" % e)
    finally:
        c.close()


def main():
    global MODE, DATA, LOG
    portfile, MODE = sys.argv[1], sys.argv[2]
    if MODE not in ("good", "empty", "truncated", "oversized", "malformed"):
        sys.exit("xrdfake: unknown mode " + MODE)
    if len(sys.argv) > 3:
        with open(sys.argv[3], "rb") as f:
            DATA = f.read()
    LOG = open(portfile + ".log", "a")
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
