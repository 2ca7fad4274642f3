"""test_jbox.py - the JBox endpoint, seen the way alien.py sees it.

Run by test_jbox.sh inside a stack (its environment: TMPDIR, X509_USER_*,
JALIEND_ENDPOINT; argv: the stack folder). Prints one line per check."""
import json
import os
import ssl
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jboxclient import JBoxClient, WsClosed, advert_path, read_advert, token_files  # noqa: E402

STACK = sys.argv[1]
PKI = os.path.join(STACK, "pki")
CHECKS = 0


def check(cond, what):
    global CHECKS
    CHECKS += 1
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)


def meta(reply):
    return reply["metadata"]


def connect(cert=None, key=None):
    env = read_advert()
    return JBoxClient(env["JALIEN_HOST"], env["JALIEN_WSPORT"], cert or os.environ["X509_USER_CERT"],
                      key or os.environ["X509_USER_KEY"])


def refused(cert, key, what):
    """The handshake (or the upgrade) must fail."""
    try:
        c = connect(cert, key)
        c.request("pwd")
    except (ssl.SSLError, ConnectionError, WsClosed, OSError) as e:
        print("  %s refused: %s" % (what, str(e)[:80]))
        return
    check(False, "%s was accepted" % what)


# --- the advertisement file (spec 8.2) ---
path = advert_path()
for _ in range(50):  # JALIEN_USER/HOME are added once the pool has logged in
    if "JALIEN_HOME=" in open(path).read():
        break
    time.sleep(0.1)
st = os.stat(path)
check(stat.S_IMODE(st.st_mode) == 0o600, "advertisement mode %o" % stat.S_IMODE(st.st_mode))
check(st.st_uid == os.getuid(), "advertisement owner")
env = read_advert()
jaliend_pid = int(open(os.path.join(STACK, "jaliend.pid")).read())
check(env["JALIEN_HOST"] == "127.0.0.1", "JALIEN_HOST")
check(int(env["JALIEN_PID"]) == jaliend_pid, "JALIEN_PID %s, jaliend is %d" % (env["JALIEN_PID"], jaliend_pid))
check(env["JALIEN_WSPORT"].isdigit(), "JALIEN_WSPORT")
check(env.get("JALIEN_USER") == "jalien", "JALIEN_USER %s" % env.get("JALIEN_USER"))
home = env.get("JALIEN_HOME", "")
check(home.startswith("/") and home.endswith("/"), "JALIEN_HOME %s" % home)
print("advertisement: %s" % " ".join("%s=%s" % kv for kv in sorted(env.items())))

# --- alien.py's start: commandlist, then commands ---
a = connect()
cl = a.request("commandlist")
names = [r["commandlist"] for r in cl["results"] if "commandlist" in r]
check("cd" in names and "ls" in names, "commandlist rows")
check(meta(cl)["currentdir"] == home and meta(cl)["user"] == "jalien", "commandlist metadata")

# --- byte for byte what JCentral itself sends ---
ep = os.environ["JALIEND_ENDPOINT"][len("wss://"):].split("/", 1)[0]
direct = JBoxClient(ep.rsplit(":", 1)[0], ep.rsplit(":", 1)[1], os.environ["X509_USER_CERT"],
                    os.environ["X509_USER_KEY"])
direct.request_raw("commandlist")
for cmd, opts in (("commandlist", []), ("pwd", []), ("echo", ["a/b", "tab\there", "\u00e9\u2028\u0085x", '"q"\\']),
                  ("stat", ["-nomsg", "/no/such/file"]), ("ls", ["-l", "-a", home]), ("nosuchcommand", [])):
    via, ref = a.request_raw(cmd, opts), direct.request_raw(cmd, opts)
    check(via == ref, "%s: jbox sent %r, JCentral %r" % (cmd, via[:300], ref[:300]))
direct.close()
print("replies byte for byte as JCentral's (6 commands)")

# --- two connections, two cwds ---
b = connect()
check(meta(a.request("mkdir", ["-p", "jboxA", "jboxB"]))["exitcode"] == "0", "mkdir")
ra = a.request("cd", ["jboxA"])
check(meta(ra)["exitcode"] == "0" and meta(ra)["currentdir"] == home + "jboxA/", "cd in A: %s" % meta(ra))
rb = b.request("pwd")
check(rb["results"][0]["pwd"] == home and meta(rb)["currentdir"] == home, "B did not move: %s" % rb)
rb = b.request("cd", ["jboxB"])
check(meta(rb)["currentdir"] == home + "jboxB/", "cd in B")
ra = a.request("pwd")
check(ra["results"][0]["pwd"] == home + "jboxA/" and meta(ra)["currentdir"] == home + "jboxA/", "A stays: %s" % ra)
check(meta(a.request("touch", ["onlyA"]))["exitcode"] == "0", "touch relative in A")
lb = b.request("ls", [])
check(not any(r.get("name", "").startswith("onlyA") for r in lb["results"]), "relative paths use B's cwd")
la = a.request("ls", [])
check(any(r.get("message", "") == "onlyA" or r.get("name") == "onlyA" for r in la["results"]), "A sees onlyA: %s" % la)
rc = a.request("cd", ["nowhere"])
check(meta(rc)["exitcode"] == "2" and meta(rc)["currentdir"] == home + "jboxA/", "failed cd keeps the cwd")
check(meta(a.request("cd", []))["currentdir"] == home, "cd alone: home")
check(meta(b.request("pwd"))["currentdir"] == home + "jboxB/", "B still in jboxB")
print("two connections keep their own cwd")

# --- one request at a time, replies in order ---
for i in range(5):
    a.send_text(json.dumps({"command": "echo", "options": ["n%d" % i]}))
got = [json.loads(a.recv_message())["results"][0]["arg0"] for _ in range(5)]
check(got == ["n0", "n1", "n2", "n3", "n4"], "pipelined replies in order: %s" % got)
print("5 pipelined requests answered in order")

# --- JCentral's answers to bad requests ---
a.send_text("this is not json")
bad = json.loads(a.recv_message())
check(meta(bad)["exitcode"] == "22" and meta(bad)["error"] == "Incoming JSON is not ok", "bad JSON: %s" % bad)
a.send_text(json.dumps({"command": "echo", "options": ["x" * 140000]}))
big = json.loads(a.recv_message())
check(meta(big)["exitcode"] == "22" and "133120" in meta(big)["error"], "too big: %s" % meta(big))
sess = a.request("echo", [12, "-silent", True])
check(sess["results"][0].get("arg0") == "12" and sess["results"][0].get("arg1") == "true" and
      "arg2" not in sess["results"][0], "options stringified, -silent dropped: %s" % sess)
print("bad, oversize and odd requests answered as JCentral does")
a.close()
b.close()

# --- who may connect ---
refused(os.path.join(PKI, "strangercert.pem"), os.path.join(PKI, "strangerkey.pem"), "unregistered certificate")
refused(os.path.join(PKI, "user2cert.pem"), os.path.join(PKI, "user2key.pem"), "another account's certificate")
fake = os.path.join(os.environ["TMPDIR"], "fake")
os.makedirs(fake, exist_ok=True)
subj = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "compat", "-in",
                       os.environ["X509_USER_CERT"]], capture_output=True, text=True).stdout.split("=", 1)[1].strip()
issuer = subprocess.run(["openssl", "x509", "-noout", "-issuer", "-nameopt", "compat", "-in",
                         os.environ["X509_USER_CERT"]], capture_output=True, text=True).stdout.split("=", 1)[1].strip()
q = dict(capture_output=True, check=True)
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", fake + "/ca.key", "-out",
                fake + "/ca.pem", "-days", "2", "-subj", issuer], **q)
subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", fake + "/key.pem", "-out",
                fake + "/req.csr", "-subj", subj], **q)
subprocess.run(["openssl", "x509", "-req", "-in", fake + "/req.csr", "-CA", fake + "/ca.pem", "-CAkey",
                fake + "/ca.key", "-CAcreateserial", "-days", "2", "-out", fake + "/cert.pem"], **q)
refused(fake + "/cert.pem", fake + "/key.pem", "a look-alike of the user certificate (same subject and issuer)")

# --- tokens: the one the daemon got from jcentral-lite, and look-alikes ---
def make_cert(dirname, ca, cakey, subj):
    os.makedirs(dirname, exist_ok=True)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dirname + "/key.pem", "-out",
                    dirname + "/req.csr", "-subj", subj], **q)
    subprocess.run(["openssl", "x509", "-req", "-in", dirname + "/req.csr", "-CA", ca, "-CAkey", cakey,
                    "-CAcreateserial", "-days", "2", "-out", dirname + "/cert.pem"], **q)
    return dirname + "/cert.pem", dirname + "/key.pem"


def install_token(cert, key):
    for src, dst in ((cert, tc), (key, tk)):
        if os.path.exists(dst):
            os.chmod(dst, 0o600)
            os.unlink(dst)
        with open(src) as f, open(dst, "w") as g:
            g.write(f.read())
        os.chmod(dst, 0o400)


tc, tk = token_files()
tsubj = "/C=ch/O=AliEn2/CN=Users/CN=jalien/OU=jalien"
for _ in range(100):  # the daemon asks jcentral-lite for a token right after its login
    if os.access(tc, os.R_OK) and os.access(tk, os.R_OK):
        break
    time.sleep(0.1)
check(os.access(tc, os.R_OK) and os.access(tk, os.R_OK), "the daemon wrote its token files")
t = connect(tc, tk)
check(meta(t.request("commandlist"))["exitcode"] == "0", "token accepted")
check(meta(t.request("pwd"))["currentdir"] == home, "token connection starts at home")
served = t.sock.getpeercert(binary_form=True)
t.close()
print("the current token certificate is accepted")
# The JBox serves with the daemon's token (as JAliEn's JBox does), whose chain
# verifies against the CA folder: JBoxClient checks it as alien.py 1.6.3 does.
real_tc = open(tc).read()
check(served == ssl.PEM_cert_to_DER_cert(real_tc), "the JBox serves the daemon's token certificate")
print("the JBox serves the token certificate, verified against the CA folder")
tissuer = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "compat", "-in",
                          os.path.join(PKI, "tokenca.pem")], capture_output=True,
                         text=True).stdout.split("=", 1)[1].strip()
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", fake + "/tca.key",
                "-out", fake + "/tca.pem", "-days", "2", "-subj", tissuer], **q)
fc, fk = make_cert(fake + "/tok", fake + "/tca.pem", fake + "/tca.key", tsubj)
refused(fc, fk, "a look-alike token (same subject and issuer name, another CA key)")
print("a look-alike token is refused")

# A certificate another local user planted as the token file (a shared,
# sticky TMPDIR lets anyone create the name before the daemon does) is not
# trusted: the JBox trusts only the token it holds in memory.
planted = os.path.join(fake, "planted")
os.makedirs(planted, exist_ok=True)
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", planted + "/key.pem",
                "-out", planted + "/cert.pem", "-days", "2", "-subj", "/CN=planted"], **q)
real_tk = open(tk).read()
install_token(planted + "/cert.pem", planted + "/key.pem")
if os.getuid() == 0:
    nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True).stdout)
    os.chown(tc, nobody, -1)
refused(planted + "/cert.pem", planted + "/key.pem", "a certificate planted as the token file")
# ... while the token the daemon holds still works
for name, text in (("real.pem", real_tc), ("realkey.pem", real_tk)):
    with open(os.path.join(planted, name), "w") as f:
        f.write(text)
os.chmod(planted + "/realkey.pem", 0o600)
t = connect(planted + "/real.pem", planted + "/realkey.pem")
check(meta(t.request("whoami"))["exitcode"] == "0", "the daemon's own token still accepted")
t.close()
print("a certificate planted as the token file is refused")

print("test_jbox.py: %d passed, 0 failed" % CHECKS)
