"""Test harness for jcentral-lite (python3 stdlib only).

Starts jcentral-lite on an ephemeral 127.0.0.1 port inside a private temp dir (certificates from
scripts/mkcerts), talks to it through jcl-wsclient or a raw websocket client written here (so a
bug in lws cannot hide on both sides), and stops only the process it started, by pid.
Binaries come from the environment: JCL_SERVER, JCL_CLIENT, JCL_MKCERTS.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.environ.get("JCL_SERVER", "jcentral-lite")
CLIENT = os.environ.get("JCL_CLIENT", "jcl-wsclient")
MKCERTS = os.environ.get("JCL_MKCERTS", os.path.join(HERE, "..", "..", "scripts", "mkcerts"))
HOME = "/localhost/localdomain/user/j/jalien/"
HOME2 = "/localhost/localdomain/user/j/jdoe/"

_certs_cache = None


class Server:
    """One jcentral-lite process in its own temp dir."""

    def __init__(self, *extra, tmp=None, default_throttle=False):
        """The rate limiter is on by default in jcentral-lite as in JCentral; tests run with
        --throttle off unless default_throttle (or an explicit --throttle on in extra)."""
        self.throttle = [] if default_throttle else ["--throttle", "off"]
        self.own_tmp = tmp is None
        self.tmp = tmp or tempfile.mkdtemp(prefix="jcl-test-")
        self.certs = os.path.join(self.tmp, "certs")
        if not os.path.isdir(self.certs):
            try:
                subprocess.run([MKCERTS, self.certs], check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            except BaseException:
                if self.own_tmp:
                    shutil.rmtree(self.tmp, ignore_errors=True)
                raise
        self.portfile = os.path.join(self.tmp, "port")
        self.log = open(os.path.join(self.tmp, "server.log"), "ab")
        self.extra = list(extra)
        self.proc = None
        self.port = None

    def args(self):
        c = self.certs
        return [SERVER, "--cert", c + "/host.pem", "--key", c + "/host.key",
                "--ca-dir", c + "/certificates", "--db", self.tmp + "/cat.db",
                "--users", c + "/users.txt", "--port-file", self.portfile] + self.throttle + \
            [a.replace("{certs}", c).replace("{tmp}", self.tmp) for a in self.extra]

    def start(self):
        if os.path.exists(self.portfile):
            os.unlink(self.portfile)
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=self.log)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("jcentral-lite exited with %d:\n%s" % (self.proc.returncode, self.logtext()))
            try:
                with open(self.portfile) as f:
                    txt = f.read()
                if txt.endswith("\n"):
                    self.port = int(txt)
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        raise RuntimeError("jcentral-lite did not write its port file")

    def stop(self):
        """SIGTERM our own pid; returns the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def logtext(self):
        self.log.flush()
        with open(os.path.join(self.tmp, "server.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def cleanup(self):
        self.stop()
        self.log.close()
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            sys.stderr.write("---- server log ----\n" + self.logtext())
            self.cleanup()
            raise

    def __exit__(self, *exc):
        if exc[0] is not None:
            sys.stderr.write("---- server log ----\n" + self.logtext())
        self.cleanup()

    def url(self, path="/websocket/json"):
        return "wss://127.0.0.1:%d%s" % (self.port, path)

    def cred(self, who="user"):
        return (os.path.join(self.certs, who + "cert.pem"), os.path.join(self.certs, who + "key.pem"))

    def client(self, requests, who="user", path="/websocket/json", extra=(), timeout=30):
        """Run jcl-wsclient; requests are dicts (sent as JSON) or raw strings.
        Returns (exit code, [reply lines], stderr)."""
        cert, key = self.cred(who)
        lines = [r if isinstance(r, str) else json.dumps(r) for r in requests]
        p = subprocess.run([CLIENT, "--url", self.url(path), "--cert", cert, "--key", key,
                            "--ca-dir", self.certs + "/certificates"] + list(extra),
                           input="".join(l + "\n" for l in lines).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        out = p.stdout.decode()
        return p.returncode, out.splitlines(), p.stderr.decode()

    def run(self, requests, who="user", **kw):
        """Like client() but requires success and returns parsed replies."""
        rc, lines, err = self.client(requests, who=who, **kw)
        if rc != 0 or len(lines) != len(requests):
            raise AssertionError("client rc=%d, %d replies for %d requests, stderr=%s" %
                                 (rc, len(lines), len(requests), err))
        return [json.loads(l) for l in lines], lines


TOKEN_ARGS = ("--token-ca-cert", "{certs}/tokenca.pem", "--token-ca-key", "{certs}/tokenca.key")


def req(command, *options):
    return {"command": command, "options": list(options)}


# ------------------------------------------------------------------ raw websocket client

class RawWS:
    """Minimal RFC 6455 client over Python's ssl, independent of libwebsockets."""

    def __init__(self, server, who="user", path="/websocket/json", tls13=False, extensions=None,
                 host="127.0.0.1", port=None, cred=None, ca_dir=None):
        """extensions: the Sec-WebSocket-Extensions offer (e.g. "permessage-deflate;
        client_max_window_bits"); the answer is in self.extensions, and permessage-deflate is used
        when the server accepted it. host/port/cred/ca_dir: talk to another server (server=None)."""
        cert, key = cred or server.cred(who)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(capath=ca_dir or server.certs + "/certificates")
        ctx.load_cert_chain(cert, key)
        if tls13:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        port = port or server.port
        sock = socket.create_connection((host, port), timeout=10)
        self.s = ctx.wrap_socket(sock, server_hostname="localhost")
        self.version = self.s.version()
        wskey = base64.b64encode(os.urandom(16)).decode()
        ext = "Sec-WebSocket-Extensions: %s\r\n" % extensions if extensions else ""
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: localhost:%d\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n%s"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (path, port, wskey, ext)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(4096)
            if not chunk:
                break
            head += chunk
        self.head, _, self.buf = head.partition(b"\r\n\r\n")
        status_line = self.head.split(b"\r\n", 1)[0].decode()
        self.status = int(status_line.split()[1]) if status_line else 0
        self.extensions = None
        for line in self.head.decode(errors="replace").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "sec-websocket-extensions":
                self.extensions = v.strip()
        self.deflate = bool(self.extensions and self.extensions.split(";")[0].strip() == "permessage-deflate")
        params = [x.strip() for x in (self.extensions or "").split(";")[1:]]
        self.client_no_ctx = "client_no_context_takeover" in params
        self.server_no_ctx = "server_no_context_takeover" in params
        self._comp = zlib.compressobj(wbits=-15)
        self._decomp = zlib.decompressobj(wbits=-15)
        self.frames_in = []             # (fin, opcode, rsv1, payload length) of every data frame read
        if self.status == 101:
            want = base64.b64encode(hashlib.sha1((wskey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                                 .encode()).digest())
            assert want in self.head, "bad Sec-WebSocket-Accept"

    def compress(self, data):
        """permessage-deflate payload of one message (RFC 7692 7.2.1: sync flush, 4 bytes cut)."""
        if self.client_no_ctx:
            self._comp = zlib.compressobj(wbits=-15)
        out = self._comp.compress(data) + self._comp.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(b"\x00\x00\xff\xff")
        return out[:-4]

    def send_message(self, text, parts=1, compress=None):
        """One text message: compressed when deflate was negotiated (or compress=True), its payload
        split over `parts` frames (continuation frames, RSV1 on the first only)."""
        data = text.encode() if isinstance(text, str) else text
        comp = self.deflate if compress is None else compress
        if comp:
            data = self.compress(data)
        step = max(1, -(-len(data) // parts))
        chunks = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
        for i, c in enumerate(chunks):
            self.send_frame(0x1 if i == 0 else 0x0, c, fin=i == len(chunks) - 1, rsv1=comp and i == 0)

    def send_frame(self, opcode, payload, fin=True, rsv1=False):
        b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", b0, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.s.sendall(hdr + mask + body)

    def send_text(self, text):
        self.send_frame(0x1, text.encode())

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        if b1 & 0x80:
            mask = self._read(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(n)))
        else:
            data = self._read(n)
        if b0 & 0x0F < 8:
            self.frames_in.append((bool(b0 & 0x80), b0 & 0x0F, bool(b0 & 0x40), n))
        return bool(b0 & 0x80), b0 & 0x0F, data, bool(b0 & 0x40)

    def recv_message(self):
        """Returns ('text', str, nframes) or ('close', code, reason); inflates compressed messages."""
        parts, frames, comp = [], 0, False
        while True:
            fin, op, data, rsv1 = self.recv_frame()
            if op == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                return ("close", code, data[2:].decode(errors="replace"))
            if op in (0x9, 0xA):
                continue
            if not frames:
                comp = rsv1
            parts.append(data)
            frames += 1
            if fin:
                body = b"".join(parts)
                if comp:
                    if self.server_no_ctx:
                        self._decomp = zlib.decompressobj(wbits=-15)
                    body = self._decomp.decompress(body + b"\x00\x00\xff\xff")
                return ("text", body.decode(), frames)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


# ------------------------------------------------------------------ tiny test runner

class Failures(Exception):
    pass


def check(cond, what, detail=None):
    if not cond:
        raise AssertionError(what + ("" if detail is None else ": %r" % (detail,)))


def eq(got, want, what):
    if got != want:
        raise AssertionError("%s:\n  got  %r\n  want %r" % (what, got, want))


SKIP_EXIT = 77  # CTest's SKIP_RETURN_CODE for these tests (CMakeLists.txt)


class Skip(Exception):
    """Raised by a test that cannot run here; its message says why."""


def main(tests):
    """Run test functions (name -> fn); print a line per test; exit 1 on any
    failure, else SKIP_EXIT if a test was skipped (a skip is never a pass)."""
    failed = skipped = 0
    for fn in tests:
        t0 = time.time()
        try:
            fn()
            print("ok   %-40s %.2fs" % (fn.__name__, time.time() - t0), flush=True)
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (fn.__name__, e), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__, flush=True)
            traceback.print_exc()
    print("%d/%d passed, %d skipped" % (len(tests) - failed - skipped, len(tests), skipped))
    sys.exit(1 if failed else SKIP_EXIT if skipped else 0)
