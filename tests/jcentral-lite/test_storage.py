#!/usr/bin/env python3
"""Storage: two real xrootd SEs (scripts/xrootd-se), access write/read, xrdcp, commit, whereis,
md5sum, lfn2guid, guid2lfn, guidinfo, stat, cat, listSEs, du, rm, and the access errors."""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import urllib.parse

from jcltest import HOME, TOKEN_ARGS, Server, Skip, check, eq, main, req

HERE = os.path.dirname(os.path.abspath(__file__))
XROOTD_SE = os.path.join(HERE, "..", "..", "scripts", "xrootd-se")
XRD_ENV = dict(os.environ, XRD_CONNECTIONRETRY="1", XRD_REQUESTTIMEOUT="10", XRD_STREAMTIMEOUT="10")
GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
ACCESS_KEYS = ["envelope", "url", "guid", "se", "tags", "nSEs", "md5", "size"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bucket(guid):
    """The PFN hash folders NN/NNNNN, computed independently of the server."""
    digits = [int(ch, 16) for ch in guid if ch != "-"]
    c0 = c1 = 0
    for v in digits:
        c0 += v
        c1 += c0
    c0 &= 255
    c1 &= 255
    return "%02d/%05d" % (sum(digits) % 16, (((c1 - c0) % 255) << 8) + c1 % 255)


class SEs:
    def __init__(self, tmp, n=2):
        self.dirs, self.ports = [], []
        for i in range(n):
            d, p = os.path.join(tmp, "se%d" % (i + 1)), free_port()
            subprocess.run([XROOTD_SE, "start", d, str(p)], check=True, timeout=30,
                           stdout=subprocess.DEVNULL)
            self.dirs.append(d)
            self.ports.append(p)

    def args(self):
        out = []
        for i, (d, p) in enumerate(zip(self.dirs, self.ports)):
            out += ["--se", "ALICE::JCL::SE%d=root://127.0.0.1:%d/%s/data" % (i + 1, p, d)]
        return out

    def stop(self):
        for d in self.dirs:
            subprocess.run([XROOTD_SE, "stop", d], timeout=30)


def xrdcp(src, dst):
    p = subprocess.run(["xrdcp", "-f", "-s", src, dst], env=XRD_ENV, timeout=40,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    eq(p.returncode, 0, "xrdcp %s -> %s: %s" % (src, dst, p.stdout.decode()))


def meta(r):
    return r["metadata"]["exitcode"], r["metadata"]["error"]


def test_upload_download_cycle():
    if not (shutil.which("xrootd") and shutil.which("xrdcp") and shutil.which("xrdfs")):
        raise Skip("xrootd/xrdcp/xrdfs not installed: no upload cycle")
    tmp = tempfile.mkdtemp(prefix="jcl-storage-")
    os.chmod(tmp, 0o755)
    ses = None
    try:
        ses = SEs(tmp)
        with Server(*TOKEN_ARGS, *ses.args(), tmp=tmp) as srv:
            data = b"hello\n" + os.urandom(3000).hex().encode() + b"\nlast line\n"
            local = os.path.join(tmp, "up.txt")
            with open(local, "wb") as f:
                f.write(data)
            md5 = hashlib.md5(data).hexdigest()
            lfn = HOME + "testdir/x.txt"
            (mk, acc), _ = srv.run([req("mkdir", "-p", HOME + "testdir"),
                                    req("access", "-nomsg", "-s", len(data), "-m", md5, "write", lfn, "disk:2")])
            eq(meta(acc), ("0", ""), "access write")
            rows = acc["results"]
            eq(len(rows), 2, "two write replicas")
            guid = rows[0]["guid"]
            check(GUID_RE.match(guid), "lower-case v1 guid", guid)
            for i, r in enumerate(rows):
                eq(list(r.keys()), ACCESS_KEYS, "access keys")
                eq(r["se"], "ALICE::JCL::SE%d" % (i + 1), "se")
                eq(r["url"], "root://127.0.0.1:%d/%s/data/%s/%s" % (ses.ports[i], ses.dirs[i], bucket(guid), guid),
                   "PFN layout")
                eq((r["tags"], r["nSEs"], r["md5"], r["size"]), ("[disk]", "2", md5, str(len(data))), "row values")
                # sealed, framed as the measured reference SE's (seal.h)
                check(re.fullmatch(r"-----BEGIN SEALED CIPHER-----\n[A-Za-z0-9+=\n-]+\n-----END SEALED CIPHER-----\n"
                                   r"-----BEGIN SEALED ENVELOPE-----\n[A-Za-z0-9+=\n-]+\n-----END SEALED ENVELOPE-----\n"
                                   r"&scitag.flow=335&eos.app=cliUpload", r["envelope"]) is not None, "envelope",
                      r["envelope"])
                check(all(len(l) <= 76 for l in r["envelope"].split("\n")), "76-character lines")
                xrdcp(local, r["url"] + "?xrd.wantprot=unix&authz=" + urllib.parse.quote(r["envelope"], safe=""))
            # message form (without -nomsg)
            (accm,), _ = srv.run([req("access", "-s", len(data), "-m", md5, "write", HOME + "testdir/y.txt",
                                      "ALICE::JCL::SE2")])
            m = accm["results"][0]["message"]
            check(m.startswith(accm["results"][0]["url"] + "\nSE: ALICE::JCL::SE2 (needs encrypted "
                               "envelopes)\nEncrypted envelope:\n-----BEGIN SEALED CIPHER-----\n"), "access message", m)
            eq(accm["results"][0]["nSEs"], "1", "explicit SE only")
            commits = [req("commit", "-nomsg", r["envelope"], len(data), lfn, "644", "0", r["url"], r["se"], guid, md5)
                       for r in rows]
            replies, _ = srv.run(commits + [req("commit", "-nokeys", "turl=root://nowhere&signature=x", 1, lfn,
                                                "644", "0", "root://nowhere", "X", guid, md5)])
            for i, c in enumerate(replies[:2]):
                eq(meta(c), ("0", ""), "commit")
                eq(c["results"], [{"path": lfn, "lfn": "1", "pfn": rows[i]["url"]}], "commit row")
            eq(meta(replies[2]), ("53", "Invalid request descriptor : Nothing was registered"), "bogus commit")
            eq(replies[2]["results"], [{"message": lfn + " 0"}], "bogus commit row")

            (st, wh, md, l2g, g2l, gi, rd, rdx, rdf, cat, ls, du), _ = srv.run([
                req("stat", "-nomsg", lfn), req("whereis", lfn), req("md5sum", lfn), req("lfn2guid", lfn),
                req("guid2lfn", guid), req("guidinfo", guid), req("access", "-nomsg", "read", lfn),
                req("access", "-nomsg", "read", lfn, "!ALICE::JCL::SE1"),
                req("access", "-nomsg", "-f", "read", lfn, "!ALICE::JCL::SE1"),
                req("cat", lfn), req("listSEs"), req("du", HOME)])
            s = st["results"][0]
            eq((s["size"], s["md5"], s["guid"], s["owner"], s["perm"]), (str(len(data)), md5, guid, "jalien", "755"),
               "stat of the uploaded file")
            eq([(r["seName"], r["pfn"]) for r in wh["results"]],
               [("ALICE::JCL::SE1", rows[0]["url"]), ("ALICE::JCL::SE2", rows[1]["url"])], "whereis")
            check(wh["results"][0]["message"].startswith("the file x.txt is in\n\n\t SE => ALICE::JCL::SE1 pfn => "),
                  "whereis message")
            eq(md["results"], [{"message": "%s\t%s" % (md5, lfn)}], "md5sum")
            eq(l2g["results"][0]["guid"], guid, "lfn2guid")
            eq(g2l["results"], [{"guid": guid, "message": "%s    %s" % (guid, lfn), "lfn": lfn}], "guid2lfn")
            eq(gi["results"][0]["guid"], guid, "guidinfo")
            eq([r["se"] for r in rd["results"]], ["ALICE::JCL::SE1", "ALICE::JCL::SE2"], "read order")
            eq([r["se"] for r in rdx["results"]], ["ALICE::JCL::SE2", "ALICE::JCL::SE1"], "excluded SE last")
            eq([r["se"] for r in rdf["results"]], ["ALICE::JCL::SE2"], "-f drops the excluded SE")
            eq(rd["results"][0]["nSEs"], "2", "read nSEs")
            check(rd["results"][0]["envelope"].endswith("&scitag.flow=330&eos.app=dataAccess"), "read tail")
            eq(cat["results"][0]["message"], data.decode().rstrip("\n"), "cat content")
            eq(cat["results"][0]["value"], "last line", "cat value = last line")
            eq([(r["seName"], r["fileCount"], r["usedSpace"]) for r in ls["results"]],
               [("ALICE::JCL::SE1", "1", str(len(data))), ("ALICE::JCL::SE2", "1", str(len(data)))], "listSEs")
            check(ls["results"][0]["message"].split("\n")[1].endswith("Endpoint URL"), "listSEs header")
            dk = du["results"][1]
            eq((dk["physical_files_count"], dk["physical_files_replicas"], dk["physical_files_size"]),
               ("1", "2", str(2 * len(data))), "du counts replicas")
            # download each replica with xrdcp and compare
            for i, r in enumerate(rd["results"]):
                out = os.path.join(tmp, "down%d" % i)
                xrdcp(r["url"] + "?xrd.wantprot=unix&authz=" + r["envelope"], out)
                with open(out, "rb") as f:
                    eq(f.read(), data, "downloaded content")
            # a second write of the same LFN adds no replica where one exists
            (again,), _ = srv.run([req("access", "-nomsg", "-s", len(data), "-m", md5, "write", lfn, "disk:2")])
            eq(meta(again)[0], "77", "no SE left for another replica")
            (diff,), _ = srv.run([req("access", "-s", 5, "write", lfn, "disk:1")])
            eq(meta(diff), ("22", "Invalid argument : You seem to want to write a different file from the "
                            "existing one in the catalogue"), "different file")
            # rm drops the replicas from the catalogue
            (rm, wh2, du2, ls2), _ = srv.run([req("rm", lfn), req("whereis", lfn), req("du", HOME), req("listSEs")])
            eq(meta(rm), ("0", ""), "rm")
            eq(meta(wh2)[0], "2", "whereis after rm")
            eq(du2["results"][1]["physical_files_replicas"], "0", "du after rm")
            eq(ls2["results"][0]["fileCount"], "0", "listSEs after rm")
    finally:
        if ses:
            ses.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_access_errors():
    with Server(*TOKEN_ARGS, "--se", "ALICE::JCL::SE1=root://127.0.0.1:1//nonexistent/se1",
                "--se", "alice::jcl::tape=root://127.0.0.1:2//nonexistent/tape,tape") as srv:
        replies, _ = srv.run([
            req("touch", HOME + "empty.txt"),
            req("access", "read", HOME + "empty.txt"),
            req("access", "write", "/localhost/forbidden.txt", "disk:1"),
            req("access", "write", HOME + "nodir/x", "disk:1"),
            req("access", "delete", HOME + "x"),
            req("access", "write", HOME + "x", "disk:0"),
            req("access", "write", HOME + "x", "disk:x"),
            req("access", "write", HOME + "x", "what"),
            req("access", "write", "relative.txt"),
            req("access", "read", HOME + "missing"),
            req("access", "-nomsg", "write", HOME + "t.txt", "tape:1"),
            req("access", "-nomsg", "write", HOME + "t2.txt", "disk:1,!ALICE::JCL::SE1"),
            req("access", "-nomsg", "write", HOME + "t3.txt", "ALICE::JCL"),
            req("listSEs", "-qos", "tape"),
            req("commit", "turl=x", 0, HOME + "x"),
        ])
        (touch, rd, wf, wnd, dele, d0, dx, what, rel, miss, tape, excl, onecolon, lst, commit0) = replies
        eq(meta(rd), ("77", "File descriptor in bad state : No read PFNs"), "read without replicas")
        eq(meta(wf), ("77", "File descriptor in bad state : No write PFNs"), "write to a read-only dir")
        # measured on JCentral: a missing folder is fine, commit creates it
        eq(meta(wnd), ("0", ""), "write without parent")
        check(wnd["results"] and wnd["results"][0].get("url", "").startswith("root://"), "a write PFN", wnd)
        eq(meta(dele), ("22", "Invalid argument : Invalid access type requested: delete"), "delete")
        eq(meta(d0), ("22", "Invalid argument : The number replicas has to be stricly positive in `disk:0`"), "disk:0")
        eq(meta(dx), ("22", "Invalid argument : Invalid format of the QoS string `disk:x`"), "disk:x")
        eq(meta(what), ("22", "Invalid argument : Don't know what to do with `what`"), "bad spec")
        eq(meta(rel)[0], "2", "relative LFN")
        eq(meta(miss)[0], "2", "missing LFN")
        eq([r["se"] for r in tape["results"]], ["ALICE::JCL::TAPE"], "tape tag")
        eq(tape["results"][0]["tags"], "[tape]", "tags")
        eq(meta(excl), ("77", "File descriptor in bad state : No write PFNs"), "only SE excluded")
        eq(meta(onecolon)[0], "0", "one '::' is ignored (default disk:2)")
        eq([r["seName"] for r in lst["results"]], ["alice::jcl::tape"], "listSEs -qos, name as given")
        eq(meta(commit0), ("22", "Invalid argument : Size should be known at commit time"), "commit size 0")
        # another user cannot write into jalien's home
        (other,), _ = srv.run([req("access", "write", HOME + "u.txt", "disk:1")], who="user2")
        eq(meta(other)[0], "77", "write into another user's folder")
        # a restart with the same --db and no --se / token options keeps both (settings table)
        srv.stop()
        srv.extra = []
        srv.start()
        (lst2, tok), _ = srv.run([req("listSEs"), req("token", "-nomsg")])
        eq([r["seName"] for r in lst2["results"]], ["ALICE::JCL::SE1", "alice::jcl::tape"], "SEs remembered")
        eq(meta(tok), ("0", ""), "token CA remembered")


if __name__ == "__main__":
    main([test_upload_download_cycle, test_access_errors])
