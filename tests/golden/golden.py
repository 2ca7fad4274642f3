#!/usr/bin/env python3
"""Golden outputs of alien.py 1.7.0, and the shims compared with them.

  golden.py record --alienpy DIR   runs every row of lines.txt through the real alien.py
                                   (DIR holds its `alienpy` package) and writes records.jsonl
  golden.py check                  runs the same rows through the shims (build/client/alien)
                                   and compares with records.jsonl; rows listed in differ.txt
                                   must differ (docs/COMPAT.md says why), all others must match

Both modes bring up their own stack (scripts/stack up in a temp folder: jcentral-lite, two
xrootd storage elements, jaliend), create the same fixtures through the shims (fixtures.txt),
then run the rows in order, each from the local folder <W>/local and, for the shims, in a
terminal session of its own (ALIEN_SESSION), for alien.py with no saved cwd: every row starts in
the grid home. stdout, stderr and the exit code are kept after normalise(): only what must vary
between runs (times, GUIDs, ports, temp paths, speeds, envelopes, xrd_ping round trips,
xrd_stats counters) is replaced by a <TAG>; whereis' replica lines are sorted.

Row syntax (lines.txt): shell words (shlex), `#` comments. Leading `@argv0=NAME` runs the row
under that program name (alien.py: sys.argv[0]; the shims: build/client/NAME), `@env=K=V` sets
a variable for that row. Exit: 0 all good, 1 a mismatch, 77 cannot run here (no xrootd)."""
import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SKIP = 77
ROW_TIMEOUT = 120  # seconds; a row that takes longer is a failure, not a hang

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
RULES = [
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<GUID>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( ?(\+|-)\d{2}:?\d{2}|Z| UTC| CET| CEST)?"), "<TIME>"),
    (re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (%s) +\d+ \d\d:\d\d:\d\d( [A-Z]{3,4})? \d{4}" % MONTHS), "<TIME>"),
    (re.compile(r"\b(%s) \d\d +\d\d:\d\d\b" % MONTHS), "<DATE>"),
    (re.compile(r"\b(%s) \d\d +\d{4}\b" % MONTHS), "<DATE>"),
    (re.compile(r"\b1[6-9]\d{11}\b"), "<EPOCHMS>"),
    (re.compile(r"\b1[6-9]\d{8}\b"), "<EPOCH>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>"),
    (re.compile(r"localhost:\d+"), "localhost:<PORT>"),
    (re.compile(r"\d+(\.\d+)? ?(ms|s)\b"), "<DUR>"),
    (re.compile(r"\d+(\.\d+)? ?([kKMG]i?)?B/s"), "<RATE>"),
    (re.compile(r"(jaliend|alien)-(cat|less|more|edit|run|exec)\.[A-Za-z0-9]{6}"), r"\2.<TMP>"),
    (re.compile(r"\bby ([0-9a-f]{2}:){5}[0-9a-f]{2}\b"), "by <MAC>"),  # the GUID's node
    (re.compile(r"/data/\d\d/\d{5}/"), "/data/<HASH>/"),  # an SE's folders for a GUID
    (re.compile(r"signature=[A-Za-z0-9+/=]+"), "signature=<SIG>"),
    # a sealed envelope (lfn2uri's URIs) is new on every access; what follows it stays
    (re.compile(r"authz=-----BEGIN SEALED CIPHER-----.*?-----END SEALED ENVELOPE-----", re.S), "authz=<ENVELOPE>"),
]
JOB = re.compile(r"(?<=[^\n])(?=jobID: \d+/\d+ >>> )")
# xrd_ping's round trips; the counters, times and host of an SE's query stats (its answer
# differs on every query); the SE's host name
RTT = (re.compile(r"rtt min/avg/max/mdev \(ms\) = [0-9./]+"), "rtt min/avg/max/mdev (ms) = <RTT>")
STATS = [(re.compile(r'("[A-Za-z_#]+": ?)"\d+"'), r'\1"<N>"'), (re.compile(r'(<[A-Za-z_]+>)\d+(</)'), r"\1<N>\2"),
         (re.compile(r'(tod|tos|pid)="\d+"'), r'\1="<N>"')]
WHEREIS_ROW = re.compile(r"^\t SE => .*$")
# What differs between the machine a record was made on and one the check runs on (another
# Debian release, a chroot; docs/PLATFORMS.md): the xrootd version an SE reports (v5.5.3 on
# Debian 12, v5.8.1 on 13) and the name or address it calls its own host. check() applies
# these to the record and to the output alike, so records made elsewhere stay valid.
PLATFORM = [
    (re.compile(r'(XrdVer: [^/\s]*/|"ver": ?"|\bver=")v\d+\.\d+\.\d+(-rc\d+)?'), r"\1v<XRDVER>"),
    (re.compile(r'("src": ?"|\bsrc=")[^"\s]+:(\d+|<PORT>)"'), r'\1<HOST>:<PORT>"'),
    (re.compile(r'("host": ?")[^"]*"'), r'\1<HOST>"'),
    (re.compile(r"<host>[^<]*</host>"), "<host><HOST></host>"),
]


def cp_progress(text):
    """cp's lines `jobID: N/M >>> ...` come from parallel jobs (alien.py: threads, which even
    write two on one line): one a line, blank lines between them dropped, each run sorted."""
    if "jobID: " not in text:
        return text
    lines = [l for l in JOB.sub("\n", text).split("\n")]
    out, run = [], []
    for l in lines:
        if l.startswith("jobID: "):
            run.append(l)
            continue
        if run and l == "":
            continue
        out.extend(sorted(run))
        run = []
        out.append(l)
    out.extend(sorted(run))
    return "\n".join(out)


def whereis_sorted(text):
    """whereis lists a file's replicas in any order (JCentral's and alien.py's differ between
    recordings): each run of `\t SE => ... pfn => ...` lines sorted."""
    lines, out, run = text.split("\n"), [], []
    for l in lines + [None]:
        if l is not None and WHEREIS_ROW.match(l):
            run.append(l)
            continue
        out.extend(sorted(run))
        run = []
        if l is not None:
            out.append(l)
    return "\n".join(out)


def normalise(text, paths, line=""):
    host = socket.gethostname()
    for p, tag in paths:
        text = text.replace(p, tag)
    for rx, tag in RULES:
        text = rx.sub(tag, text)
    text = RTT[0].sub(RTT[1], text)
    if line.startswith("xrd_stats"):
        for rx, tag in STATS:
            text = rx.sub(tag, text)
        if host:
            text = re.sub(r"\b%s\b" % re.escape(host), "<HOST>", text)
        text = re.sub(r"<HOST>:\d+", "<HOST>:<PORT>", text)
    if line.startswith("whereis"):
        text = whereis_sorted(text)
    return cp_progress(text)


def platform_masked(text):
    """text with PLATFORM's masks: what may differ between two machines' SEs."""
    for rx, tag in PLATFORM:
        text = rx.sub(tag, text)
    return text


def parse_lines(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line)
            argv0, env = None, {}
            while words and words[0].startswith("@"):
                k, _, v = words.pop(0)[1:].partition("=")
                if k == "argv0":
                    argv0 = v
                elif k == "env":
                    ek, _, ev = v.partition("=")
                    env[ek] = ev
                else:
                    raise SystemExit("lines.txt: unknown row option @%s in: %s" % (k, line))
            if any(r["line"] == line for r in rows):
                raise SystemExit("%s: the row `%s` is there twice (differ.txt names rows by their text)" % (path, line))
            rows.append({"line": line, "argv0": argv0, "env": env, "args": words})
    return rows


class Stack:
    """scripts/stack up in a temp folder; down (by the recorded pids) on close."""

    def __init__(self, build):
        self.build = build
        self.w = tempfile.mkdtemp(prefix="jaliend-golden.")
        os.chmod(self.w, 0o755)
        self.dir = os.path.join(self.w, "st")
        # jobs stay as submitted (a scheduler tick of an hour): the rows about them do not race it
        self.env = dict(os.environ, JALIEND_BUILD=build, JCL_ARGS="--job-tick 3600000")
        r = subprocess.run([os.path.join(ROOT, "scripts", "stack"), "up", self.dir], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            self.close()
            raise SystemExit("golden: stack up failed:\n" + r.stdout)
        out = subprocess.run([os.path.join(ROOT, "scripts", "stack"), "env", self.dir],
                             env=self.env, stdout=subprocess.PIPE, text=True, check=True).stdout
        for m in re.finditer(r'^export (\w+)="(.*)"$', out, re.M):
            self.env[m.group(1)] = m.group(2).replace("$PATH", os.environ.get("PATH", ""))
        self.port = open(os.path.join(self.dir, "jcentral-lite.port")).read().strip()
        self.local = os.path.join(self.w, "local")
        os.makedirs(self.local)
        for name, size in (("a.txt", 0), ("b.txt", 1000), ("c.jdl", 0), ("big.bin", 300000)):
            with open(os.path.join(self.local, name), "wb") as fh:
                if name == "a.txt":
                    fh.write(b"hello grid\n")
                elif name == "c.jdl":
                    fh.write(b'Executable = "job.sh";\n')
                else:
                    fh.write(bytes((i * 7 + 3) % 251 for i in range(size)))
        with open(os.path.join(self.local, "xl.lst"), "w") as fh:  # a list for toXml -local -l
            fh.write("a.txt\n# a comment\nnosuch b.txt\n")
        os.makedirs(os.path.join(self.local, "tree", "sub"))
        for n in ("tree/x.txt", "tree/sub/y.txt"):
            with open(os.path.join(self.local, n), "w") as fh:
                fh.write(n + "\n")

    def close(self):
        subprocess.run([os.path.join(ROOT, "scripts", "stack"), "down", self.dir], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.w, ignore_errors=True)

    def paths(self, extra):
        # longest first, so a folder inside another is replaced by its own tag
        p = [(self.local, "<W>/local"), (self.dir, "<ST>"), (self.w, "<W>")] + extra
        return sorted(p, key=lambda x: -len(x[0]))


def shim_env(stack, home, n):
    env = dict(stack.env, HOME=home, ALIENPY_NO_HISTORY="1", ALIEN_SESSION="golden-%d" % n,
               JALIEND_AUTOSTART="0", LC_ALL="C.UTF-8", COLUMNS="120")
    for k in ("ALIENPY_JSON", "JALIENPY_DEBUG", "JALIENPY_XRDDEBUG", "EDITOR", "PAGER"):
        env.pop(k, None)
    return env


def run_fixtures(stack, home):
    env = shim_env(stack, home, 0)
    alien = os.path.join(stack.build, "client", "alien")
    for row in parse_lines(os.path.join(HERE, "fixtures.txt")):
        r = subprocess.run([alien] + row["args"], env=env, cwd=stack.local, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=ROW_TIMEOUT)
        if r.returncode != 0:
            raise SystemExit("golden: fixture `%s` failed (%d): %s" % (row["line"], r.returncode, r.stdout))


def run_row(cmd, env, cwd):
    try:
        r = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=ROW_TIMEOUT)
        rc = r.returncode
        out, err = r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
    except OSError as e:  # e.g. a program name that is not built
        rc, out, err = "cannot run: %s" % e.strerror, b"", b""
    dec = lambda b: b.decode("utf-8", "backslashreplace")
    return rc, dec(out), dec(err)


def record(args):
    build = args.build
    stack = Stack(build)
    try:
        home = os.path.join(stack.w, "shimhome")
        aphome = os.path.join(stack.w, "aphome")
        aptmp = os.path.join(stack.w, "aptmp")  # no jclient_token of jaliend's JBox in here
        for d in (home, aphome, aptmp):
            os.makedirs(d, mode=0o700)
        run_fixtures(stack, home)
        base = dict(os.environ)
        for k in list(base):
            if k.startswith(("ALIENPY", "JALIEN", "X509", "ALIEN_")):
                del base[k]
        base.update(ALIENPY_JCENTRAL="127.0.0.1", ALIENPY_JCENTRAL_PORT=stack.port,
                    X509_USER_CERT=stack.env["X509_USER_CERT"], X509_USER_KEY=stack.env["X509_USER_KEY"],
                    X509_CERT_DIR=stack.env["X509_CERT_DIR"], HOME=aphome, TMPDIR=aptmp,
                    ALIENPY_NO_STAGGER="1", ALIENPY_NO_HISTORY="1", PYTHONPATH=args.alienpy,
                    LC_ALL="C.UTF-8", COLUMNS="120")
        paths = stack.paths([(aphome, "<HOME>"), (aptmp, "<TMP>")])
        out = []
        rows = parse_lines(os.path.join(HERE, "lines.txt"))
        for i, row in enumerate(rows):
            sess = os.path.join(aphome, ".alienpy_session")
            if os.path.exists(sess):
                os.unlink(sess)
            argv0 = row["argv0"] or "alien.py"
            code = ('import sys; sys.argv[0]=%r; from alienpy.alien import main; sys.exit(main())' % argv0)
            env = dict(base, **row["env"])
            rc, o, e = run_row([args.python, "-c", code] + row["args"], env, stack.local)
            rec = {"line": row["line"], "rc": rc, "out": normalise(o, paths, row["line"]),
                   "err": normalise(e, paths, row["line"])}
            out.append(rec)
            print("%3d rc=%-3s %s" % (i + 1, rc, row["line"]), file=sys.stderr)
        with open(os.path.join(HERE, "records.jsonl"), "w", encoding="utf-8") as fh:
            for rec in out:
                fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        stack.close()
    return 0


def load_differ():
    differ = {}
    with open(os.path.join(HERE, "differ.txt"), encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            row, sep, why = line.partition("\t")
            if not sep or not why.strip():
                raise SystemExit("differ.txt: no reason (TAB then reason) on: %s" % line)
            differ[row] = why.strip()
    return differ


def show(label, a, b):
    import difflib
    d = difflib.unified_diff(a.splitlines(), b.splitlines(), "alien.py", "shim", lineterm="", n=1)
    body = "\n".join(list(d)[2:])
    return "  %s:\n%s" % (label, "\n".join("    " + l for l in body.splitlines()))


def check(args):
    if not shutil.which("xrootd"):
        print("golden: xrootd not installed: the rows with cp need it; skipped", file=sys.stderr)
        return SKIP
    with open(os.path.join(HERE, "records.jsonl"), encoding="utf-8") as fh:
        recs = [json.loads(l) for l in fh if l.strip()]
    rows = parse_lines(os.path.join(HERE, "lines.txt"))
    if [r["line"] for r in rows] != [r["line"] for r in recs]:
        print("golden: lines.txt and records.jsonl do not hold the same rows: run record again",
              file=sys.stderr)
        return 1
    differ = load_differ()
    unknown = [k for k in differ if k not in {r["line"] for r in rows}]
    if unknown:
        print("golden: differ.txt names rows that are not in lines.txt: %s" % unknown, file=sys.stderr)
        return 1
    stack = Stack(args.build)
    same = diff_ok = 0
    bad = []
    try:
        home = os.path.join(stack.w, "shimhome")
        os.makedirs(home, mode=0o700)
        run_fixtures(stack, home)
        paths = stack.paths([(home, "<HOME>"), (stack.env["TMPDIR"], "<TMP>")])
        for i, (row, rec) in enumerate(zip(rows, recs)):
            env = dict(shim_env(stack, home, i + 1), **row["env"])
            prog = os.path.join(args.build, "client", row["argv0"] or "alien")
            rc, o, e = run_row([prog] + row["args"], env, stack.local)
            o, e = normalise(o, paths, row["line"]), normalise(e, paths, row["line"])
            o, e = platform_masked(o), platform_masked(e)
            rec_o, rec_e = platform_masked(rec["out"]), platform_masked(rec["err"])
            diffs = []
            if rc != rec["rc"]:
                diffs.append("  exit code: alien.py %s, shim %s" % (rec["rc"], rc))
            if o != rec_o:
                diffs.append(show("stdout", rec_o, o))
            if e != rec_e:
                diffs.append(show("stderr", rec_e, e))
            known = row["line"] in differ
            if not diffs and not known:
                same += 1
            elif diffs and known:
                diff_ok += 1
                if args.verbose:
                    print("row %d differs on purpose (%s): %s\n%s" % (i + 1, differ[row["line"]], row["line"], "\n".join(diffs)))
            elif diffs:
                bad.append("row %d `%s` differs from alien.py:\n%s" % (i + 1, row["line"], "\n".join(diffs)))
            else:
                bad.append("row %d `%s` is listed in differ.txt (%s) but is now the same: remove it there and in docs/COMPAT.md"
                           % (i + 1, row["line"], differ[row["line"]]))
    finally:
        stack.close()
    for b in bad:
        print(b)
    print("golden: %d rows: %d same as alien.py 1.7.0, %d differ on purpose (differ.txt), %d wrong"
          % (len(rows), same, diff_ok, len(bad)))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("record", "check"))
    ap.add_argument("--build", default=os.environ.get("JALIEND_BUILD", os.path.join(ROOT, "build")))
    ap.add_argument("--alienpy", default="/work/refjc/client/alienpy170",
                    help="folder holding alien.py's `alienpy` package (record only)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="the Python that has alien.py's modules (websockets, XRootD) (record only)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print the expected differences")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    return record(args) if args.mode == "record" else check(args)


if __name__ == "__main__":
    sys.exit(main())
