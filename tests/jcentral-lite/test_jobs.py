#!/usr/bin/env python3
"""Jobs: submit (inline JDL and from an LFN), ps (-j -a -u -f -jdl -trace -l), the built-in
scheduler's transitions, kill (own and another user's), resubmit, masterjob."""
import os
import re
import time

from jcltest import HOME, HOME2, Server, check, eq, main, req

PATH = ["INSERTING", "WAITING", "ASSIGNED", "STARTED", "RUNNING", "SAVING", "SAVED", "DONE"]
JDL = 'Executable = "test.sh"; Output = {"stdout@disk=1"}; OutputDir = "%soutput/";' % HOME


def meta(r):
    return r["metadata"]["exitcode"], r["metadata"]["error"]


def put_file(srv, lfn, data):
    """Register a file through access write + commit, writing the replica straight into the SE's
    data folder (a plain local folder: no xrootd needed)."""
    (_, acc), _ = srv.run([req("mkdir", "-p", lfn.rsplit("/", 1)[0]),
                           req("access", "-nomsg", "-s", len(data), "write", lfn, "disk:1")])
    eq(meta(acc), ("0", ""), "access write " + lfn)
    row = acc["results"][0]
    path = "/" + row["url"].split("//", 2)[2]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)
    (com,), _ = srv.run([req("commit", "-nomsg", row["envelope"], len(data), lfn, "644", "0", row["url"],
                             row["se"], row["guid"], "")])
    eq(com["results"][0]["lfn"], "1", "commit " + lfn)


def ps_status(srv, jid, who="user"):
    (ps,), _ = srv.run([req("ps", "-nomsg", "-j", jid)], who=who)
    return ps["results"][0]["status"] if ps["results"] else None


def test_lifecycle():
    with Server("--job-tick", "150", "--se", "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk") as srv:
        replies, _ = srv.run([
            req("submit", 'Output = {"stdout@disk=1"};'),
            req("submit", JDL),
            req("mkdir", "-p", HOME + "bin"),
            req("touch", HOME + "bin/test.sh"),
            req("submit", JDL),
            req("ps"),
        ])
        noexe, nopath, _, _, sub, ps0 = replies
        eq(meta(noexe), ("121", "Remote I/O error : Task queue rejected the JDL due to:\n"
                                "  The JDL has to indicate an Executable"), "no Executable")
        eq(meta(nopath)[0], "121", "executable not found")
        check("cannot be located in any standard PATH" in meta(nopath)[1], "exe message", meta(nopath))
        eq(meta(sub), ("0", ""), "submit")
        jid = sub["results"][0]["jobId"]
        eq(sub["results"][0]["message"], "Submitting the content that you passed to the command\n"
                                         "Your new job ID is %s" % jid, "submit message")
        row = ps0["results"][0]
        eq(list(row.keys()), ["message", "owner", "id", "split", "priority", "status", "name"], "ps keys")
        eq((row["owner"], row["id"], row["split"], row["name"]), ("jalien", jid, "0", "test.sh"), "ps row")
        check(re.match(r"^ +jalien +%s  +\S+ +[A-Z]+ +test\.sh$" % jid, row["message"]), "ps message", row["message"])
        # the scheduler walks the job through the states
        seen = [row["status"]]
        deadline = time.time() + 20
        while seen[-1] != "DONE" and time.time() < deadline:
            st = ps_status(srv, jid)
            if st != seen[-1]:
                seen.append(st)
            time.sleep(0.05)
        eq(seen[-1], "DONE", "job reaches DONE (seen %s)" % seen)
        check([PATH.index(s) for s in seen] == sorted(PATH.index(s) for s in seen), "states in order", seen)
        (tr, jd, lg, dn), _ = srv.run([req("ps", "-trace", jid), req("ps", "-nomsg", "-jdl", jid),
                                       req("ps", "-nomsg", "-F", "l", "-j", jid), req("ps", "-nomsg", "-f", "DONE")])
        lines = tr["results"][0]["message"].split("\n")
        check(all(re.match(r"^\d{10} \[", l) for l in lines), "trace lines", lines)
        # every step of the path, in order, as the scheduler logged it (what the polls above see
        # of it depends on the machine's load: they may miss states between two polls)
        steps = [m.group(1, 2) for m in (re.search(r"Job state transition from (\w+) to (\w+)", l)
                                         for l in lines) if m]
        eq(steps, list(zip(PATH, PATH[1:])), "trace has every transition, in order")
        # the processed JDL, as JCentral keeps it: the executable resolved to its LFN
        check('Executable = "%sbin/test.sh";' % HOME in jd["results"][0]["jdl"] and
              'Type = "Job";' in jd["results"][0]["jdl"], "ps -jdl", jd["results"])
        eq((lg["results"][0]["site"], lg["results"][0]["node"]), ("JCL::LOCAL::jcentral-lite", "localhost"), "-F l")
        eq([r["id"] for r in dn["results"]], [jid], "-f DONE")
        (tr0, jd0), _ = srv.run([req("ps", "-trace", "999"), req("ps", "-jdl", "999")])
        # measured: an unknown id lists nothing, rc 0
        eq((meta(tr0), tr0["results"]), (("0", ""), []), "trace of unknown job")
        eq((meta(jd0), jd0["results"]), (("0", ""), []), "jdl of unknown job")


def test_kill_resubmit_and_users():
    with Server("--job-tick", "600000", "--se", "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk") as srv:
        put_file(srv, HOME + "bin/test.sh", "#!/bin/sh\necho hi\n")
        put_file(srv, HOME + "job.jdl", '# a comment line\nExecutable = "test.sh";\nArguments = "$1 $2";\n'
                                        'InputFile = {"LF:%sbin/test.sh"};\n' % HOME)
        put_file(srv, HOME + "bad.jdl", 'Executable = "test.sh";\nInputFile = {"LF:%snothere"};\n' % HOME)
        replies, _ = srv.run([
            req("submit", HOME + "job.jdl", "a", "b"),
            req("submit", "job.jdl", "only-one"),
            req("submit", "bad.jdl"),
            req("submit", "nothere.jdl"),
            req("submit", JDL),
        ])
        ok, missing_arg, badin, nofile, ok2 = replies
        eq(meta(ok), ("0", ""), "submit from LFN")
        check(ok["results"][0]["message"].startswith("Submitting %sjob.jdl\nYour new job ID is " % HOME), "message")
        j1, j2 = ok["results"][0]["jobId"], ok2["results"][0]["jobId"]
        eq(int(j2), int(j1) + 1, "ids increase")
        eq(meta(missing_arg)[0], "22", "missing $2")
        check(meta(missing_arg)[1].startswith("Invalid argument : Passing arguments to"), "argument error")
        eq(meta(badin)[0], "121", "missing InputFile")
        check("doesn't exist in the catalogue" in meta(badin)[1], "InputFile message", meta(badin))
        eq(meta(nofile)[0], "121", "JDL LFN missing")
        (jdl,), _ = srv.run([req("ps", "-nomsg", "-jdl", j1)])
        check('Arguments = "a b";' in jdl["results"][0]["jdl"] and "# a comment" not in jdl["results"][0]["jdl"],
              "arguments substituted, comments dropped", jdl["results"][0]["jdl"])
        # jdoe sees none of jalien's jobs by default, all of them with -a / -u
        (mine, alls, byuser, kill_other), _ = srv.run([
            req("ps", "-nomsg"), req("ps", "-nomsg", "-a"), req("ps", "-nomsg", "-u", "jalien"),
            req("kill", j1)], who="user2")
        eq(mine["results"], [], "jdoe has no jobs")
        eq([r["id"] for r in alls["results"]], [j1, j2], "ps -a")
        eq([r["id"] for r in byuser["results"]], [j1, j2], "ps -u jalien")
        # JCentral: a refusal is only a row, the exit code stays 0
        eq(meta(kill_other)[0], "0", "kill of another user's job refused")
        eq(kill_other["results"][0], {"jobid": j1, "message": "You are not allowed to kill %s" % j1,
                                      "status": "not_allowed"}, "not_allowed row")
        eq(ps_status(srv, j1), "INSERTING", "still alive")
        (kill, kill2, st, res, res_live, mj, lim), _ = srv.run([
            req("kill", j1 + "," + j2 + " 424242"), req("kill", j1), req("ps", "-nomsg", "-j", j1),
            req("resubmit", j1), req("resubmit", "424242"), req("masterjob", j1), req("ps", "-nomsg", "-l", "1")])
        eq(meta(kill), ("0", ""), "kill own jobs")
        eq([(r["jobid"], r["status"]) for r in kill["results"]], [(j1, "killed"), (j2, "killed")], "kill rows")
        eq((meta(kill2), kill2["results"][0]), (("0", ""), {"jobid": j1, "message": "Killed: %s" % j1,
                                                           "status": "killed"}),
           "kill of a killed job (measured: Killed again, rc 0)")
        eq(st["results"][0]["status"], "KILLED", "ps after kill")
        eq(meta(res), ("0", ""), "resubmit")
        eq(ps_status(srv, j1), "WAITING", "resubmitted job waits again")
        eq(meta(res_live)[0], "121", "resubmit of an unknown job")
        check(mj["results"][0]["message"].startswith("Job %s is in status: KILLED" % j1) or
              mj["results"][0]["message"].startswith("Job %s is in status: WAITING" % j1), "masterjob")
        eq([r["id"] for r in lim["results"]], [j2], "ps -l 1: the newest job")


if __name__ == "__main__":
    main([test_lifecycle, test_kill_resubmit_and_users])
