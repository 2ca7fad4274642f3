"""jboxclient.py - a JBox client that behaves like alien.py when it connects
(spec 2.1 step 3, 2.3, 2.6, 8.2), written from the protocol document only:
python3 standard library, TLS client certificate, no server verification
(what alien.py does when it presents a token), RFC 6455 framing by hand.

    python3 jboxclient.py [--cert F --key F] [--advert F] command [options...]

prints the raw reply text. As a module: read_advert(), JBoxClient."""
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import sys

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def advert_path():
    tmp = os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(tmp, "jclient_token_%d" % os.getuid())


def read_advert(path=None):
    """KEY=VALUE lines (text after # ignored, quotes stripped), as alien.py
    reads them; the PID must be alive and ours. Returns the dict."""
    path = path or advert_path()
    env = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if "=" not in line:
                continue
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip().strip('"')
    pid = int(env["JALIEN_PID"])
    os.kill(pid, 0)  # raises if dead
    if os.stat("/proc/%d" % pid).st_uid != os.getuid():
        raise PermissionError("JALIEN_PID %d is not ours" % pid)
    return env


def token_files():
    tmp = os.environ.get("TMPDIR") or "/tmp"
    uid = os.getuid()
    return (os.environ.get("JALIEN_TOKEN_CERT") or os.path.join(tmp, "tokencert_%d.pem" % uid),
            os.environ.get("JALIEN_TOKEN_KEY") or os.path.join(tmp, "tokenkey_%d.pem" % uid))


class WsClosed(Exception):
    pass


class JBoxClient:
    def __init__(self, host, port, cert, key, timeout=20.0, path="/websocket/json"):
        # as alien.py 1.6.3 (connect_ssl.create_ssl_context): the server's chain
        # must verify against the CA folder; no host-name check
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(capath=os.environ.get("X509_CERT_DIR", "/etc/grid-security/certificates"))
        ctx.load_cert_chain(cert, key)
        raw = socket.create_connection((host, int(port)), timeout=timeout)
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        except Exception:
            raw.close()
            raise
        self.buf = b""
        self.status = None
        self._handshake(host, port, path)

    def _handshake(self, host, port, path):
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "User-Agent: jboxclient/1 (test)\r\n\r\n") % (path, host, port, key)
        self.sock.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WsClosed("connection closed during the upgrade")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        if self.status != 101:
            raise WsClosed("HTTP %d" % self.status)
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if hdrs.get("sec-websocket-accept") != want:
            raise WsClosed("bad Sec-WebSocket-Accept")

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise WsClosed("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode, payload, fin=True):
        mask = os.urandom(4)
        hdr = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(hdr + mask + masked)

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def recv_message(self):
        """One whole text message (bytes); answers pings; WsClosed on close."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            op, fin, n = b0 & 0x0F, b0 & 0x80, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if op == 0x9:
                self.send_frame(0xA, data)
                continue
            if op == 0xA:
                continue
            if op == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                raise WsClosed("closed by the server (%d)" % code)
            parts.append(data)
            if fin:
                return b"".join(parts)

    def request_raw(self, command, options=()):
        self.send_text(json.dumps({"command": command, "options": list(options)}))
        return self.recv_message()

    def request(self, command, options=()):
        raw = self.request_raw(command, options)
        return json.loads(raw) if raw else None

    def close(self):
        try:
            self.send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


def main(argv):
    cert, key, adv = None, None, None
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--cert":
            cert = argv.pop(0)
        elif opt == "--key":
            key = argv.pop(0)
        elif opt == "--advert":
            adv = argv.pop(0)
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    env = read_advert(adv)
    if not cert:  # alien.py: the token if present, else the user certificate
        tc, tk = token_files()
        if os.access(tc, os.R_OK) and os.access(tk, os.R_OK):
            cert, key = tc, tk
        else:
            cert = os.environ.get("X509_USER_CERT", os.path.expanduser("~/.globus/usercert.pem"))
            key = os.environ.get("X509_USER_KEY", os.path.expanduser("~/.globus/userkey.pem"))
    c = JBoxClient(env.get("JALIEN_HOST", "localhost"), env.get("JALIEN_WSPORT", "8097"), cert, key)
    c.request_raw("commandlist")
    sys.stdout.write(c.request_raw(argv[0], argv[1:]).decode() + "\n")
    c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
