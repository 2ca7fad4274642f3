#!/usr/bin/env python3
"""Tokens (protocol reference 6) and the session lifetime (2.8): token issues a real certificate
signed by the token CA; a token authenticates a session; an expired token is refused; the session
closes at the certificate's notAfter."""
import calendar
import os
import subprocess
import time

from jcltest import TOKEN_ARGS, RawWS, Server, check, eq, main, req

SUBJ = "/C=ch/O=AliEn2/CN=Users/CN=jalien/OU=jalien"


def save_token(srv, reply, name="tok"):
    row = reply["results"][0]
    cert = os.path.join(srv.certs, name + "cert.pem")
    key = os.path.join(srv.certs, name + "key.pem")
    for path, text in ((cert, row["tokencert"]), (key, row["tokenkey"])):
        if os.path.exists(path):
            os.chmod(path, 0o600)
            os.unlink(path)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o400)
    return cert


def x509(path, *args):
    return subprocess.run(["openssl", "x509", "-in", path, "-noout"] + list(args),
                          stdout=subprocess.PIPE, check=True).stdout.decode()


def not_after(path):
    txt = x509(path, "-enddate").strip().split("=", 1)[1]
    return calendar.timegm(time.strptime(txt, "%b %d %H:%M:%S %Y %Z"))


def test_token_issue_and_login():
    with Server(*TOKEN_ARGS) as srv:
        (tok,), _ = srv.run([req("token")])
        eq(tok["metadata"]["exitcode"], "0", "token exitcode")
        row = tok["results"][0]
        eq(list(row.keys()), ["tokencert", "tokenkey", "message"], "token keys")
        check(row["tokencert"].startswith("-----BEGIN CERTIFICATE-----\n"), "cert PEM")
        check(row["tokenkey"].startswith("-----BEGIN RSA PRIVATE KEY-----\n"), "PKCS#1 key")
        check(row["tokenkey"].endswith("-----END RSA PRIVATE KEY-----\n"), "key ends with newline")
        check(row["message"].startswith("DN: %s\nExpires: " % SUBJ), "message", row["message"][:120])
        check(row["message"].endswith("-----END RSA PRIVATE KEY-----"), "message ends with the key")
        cert = save_token(srv, tok)
        text = x509(cert, "-text", "-nameopt", "RFC2253")
        check("OU=jalien,CN=jalien,CN=Users,O=AliEn2,C=ch" in text, "subject", text)
        check("DNS:localhost, DNS:localhost.localdomain, DNS:127.0.0.1, DNS:::1" in text, "SAN")
        check("TLS Web Client Authentication, TLS Web Server Authentication" in text, "EKU")
        check("Public-Key: (2048 bit)" in text, "RSA 2048")
        v = subprocess.run(["openssl", "verify", "-CApath", srv.certs + "/certificates", cert],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        eq(v.returncode, 0, "token verifies against the CA folder: " + v.stdout.decode())
        # log in with the token: no users-file entry needed
        (who, pwd), _ = srv.run([req("whoami"), req("pwd")], who="tok")
        r = who["results"][0]
        eq(r["username"], "jalien", "token session account")
        eq(r["certificate_dn"], "OU=jalien, CN=jalien, CN=Users, O=AliEn2, C=ch", "certificate_dn")
        eq(int(r["certificate_expires"]), not_after(cert), "certificate_expires = token notAfter")
        eq(pwd["metadata"]["currentdir"], "/localhost/localdomain/user/j/jalien/", "home")
        # a token requested over a token session cannot outlive it
        (tok2,), _ = srv.run([req("token")], who="tok")
        cert2 = save_token(srv, tok2, "tok2")
        check(not_after(cert2) <= not_after(cert), "token over token capped")
        # -u another account: refused for a normal user
        (bad,), _ = srv.run([req("token", "-u", "jdoe")])
        eq(bad["metadata"]["exitcode"], "1", "token -u other")
        eq(bad["results"], [], "no token when the switch is refused")


def test_token_lifetime_capped():
    with Server(*TOKEN_ARGS) as srv:
        user_end = not_after(srv.cred("user")[0])
        (tok, tok2, tok0), _ = srv.run([req("token", "-v", "45"), req("token", "-v", "3"),
                                        req("token", "-v", "0")])
        eq(tok["metadata"]["exitcode"], "0", "over-long request still succeeds")
        check(tok["metadata"]["error"] != "", "with a warning")
        eq(not_after(save_token(srv, tok)), user_end, "capped at the user certificate's notAfter")
        end2 = not_after(save_token(srv, tok2, "t3"))
        check(abs(end2 - (time.time() + 3 * 86400)) < 120, "-v 3 gives 3 days", end2)
        end0 = not_after(save_token(srv, tok0, "t0"))
        check(abs(end0 - (time.time() + 2 * 86400)) < 120, "-v 0 gives 2 days", end0)
        nb = x509(save_token(srv, tok2, "t3"), "-startdate").strip().split("=", 1)[1]
        nb = calendar.timegm(time.strptime(nb, "%b %d %H:%M:%S %Y %Z"))
        check(abs(nb - (time.time() - 7200)) < 120, "notBefore = now - 2 h", nb)


def test_expired_token_refused_and_session_closed():
    with Server(*TOKEN_ARGS, "--token-seconds", "3") as srv:
        (tok,), _ = srv.run([req("token")])
        save_token(srv, tok)
        # connect while valid; the server closes the session at notAfter
        ws = RawWS(srv, who="tok")
        eq(ws.status, 101, "token upgrade")
        ws.send_text('{"command":"whoami","options":[]}')
        kind, _, _ = ws.recv_message()
        eq(kind, "text", "whoami over a short token")
        t0 = time.time()
        ws.s.settimeout(15)
        kind, code, reason = ws.recv_message()
        ws.close()
        eq((kind, code, reason), ("close", 1013, "Certificate expired"), "close at notAfter")
        check(time.time() - t0 < 6, "closed in time")
        time.sleep(max(0, 4 - (time.time() - t0)))
        rc, _, err = srv.client([req("whoami")], who="tok")
        check(rc in (2, 3), "expired token refused at TLS or upgrade", (rc, err))


if __name__ == "__main__":
    main([test_token_issue_and_login, test_token_lifetime_capped,
          test_expired_token_refused_and_session_closed])
