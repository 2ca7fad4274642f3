#!/usr/bin/env python3
"""Error replies of jcentral-lite: exit codes and error texts as JCentral sends them."""
import json

from jcltest import HOME, Server, eq, check, main, req


def meta(reply):
    return reply["metadata"]["exitcode"], reply["metadata"]["error"]


def test_request_errors():
    with Server() as srv:
        replies, raw = srv.run([
            "this is not json",
            '{"command": "pwd", "options": [',
            req("cp", "/a", "file:/tmp/b"),
            req("foo"),
            req("role"),
            req("mirror", "/x", "disk:1"),
            req("setshell", "jaliensh"),
            req("pwd"),
        ])
        bad, trunc, cp, foo, role, access, hidden, pwd = replies
        eq(meta(bad), ("22", "Incoming JSON is not ok"), "non-JSON request")
        eq(bad["metadata"]["currentdir"], HOME, "early errors carry currentdir")
        eq(bad["metadata"]["user"], "jalien", "early errors carry user")
        eq(meta(trunc), ("22", "Incoming JSON is not ok"), "truncated JSON")
        eq(meta(cp), ("22", "'cp' grid command is not implemented. Please use native client's Cp() method"),
           "cp refused")
        eq(meta(foo), ("2", "No such file or directory : Command [foo] not found!"), "unknown command")
        eq(meta(role), ("2", "No such file or directory : Command [role] not found!"), "role is unknown")
        eq(meta(access), ("38", "Function not implemented : mirror is not implemented by jcentral-lite"),
           "listed but not implemented")
        eq((meta(hidden), hidden["results"]), (("0", ""), []), "hidden no-op command")
        eq(pwd["metadata"]["exitcode"], "0", "session survives errors")
        check(raw[2].find("native client's Cp() method") > 0, "cp text verbatim")


def test_path_errors():
    with Server() as srv:
        replies, _ = srv.run([
            req("ls", "-F", HOME + "doesnotexist"),
            req("ls", "nothere", "nothere2"),
            req("ls", HOME + "nothere*"),
            req("stat", "nothere"),
            req("stat", HOME + "nothere", HOME),
            req("stat"),
            req("mkdir"),
            req("cd", HOME + "missing/"),
            req("ls", "-x"),
            req("whoami", "-q"),
            req("ls", "-lq", "-nomsg"),
            req("mkdir", "-p", "/localhost/localdomain/user/j/jalien/../../../../x"),
        ])
        (ls1, ls2, lsw, st1, st2, st0, mk0, cd, lsx, whox, lslq, mkroot) = replies
        eq(meta(ls1), ("2", "No such file or directory : " + HOME + "doesnotexist"), "ls missing (absolute)")
        eq(meta(ls2), ("2", "No such file or directory : " + HOME + "nothere, " + HOME + "nothere2"),
           "ls several missing, comma-joined absolute paths")
        eq(meta(lsw), ("2", "No such file or directory : " + HOME + "nothere*"), "wildcard matching nothing")
        eq(meta(st1), ("2", "No such file or directory : nothere"), "stat missing: arg as typed")
        eq(meta(st2), ("2", "No such file or directory : " + HOME + "nothere"), "stat: other args still done")
        eq(len(st2["results"]), 1, "stat lists the existing arg")
        eq(meta(st0), ("22", "Invalid argument : Command requires an argument"), "stat without args")
        check(st0["results"][0]["message"].startswith("\nusage: stat"), "help after missing argument")
        eq(meta(mk0), ("22", "Invalid argument : Command requires an argument"), "mkdir without args")
        eq(meta(cd), ("2", "No such file or directory"), "cd missing")
        # measured on the real JCentral (ls -Z): joptsimple's message, no quotes, no help
        eq((meta(lsx), lsx["results"]), (("22", "Invalid argument : x is not a recognized option"), []),
           "ls unknown option")
        eq(meta(whox), ("22", "Invalid argument : q is not a recognized option"), "whoami unknown option")
        eq((meta(lslq), lslq["results"]), (("22", "Invalid argument : q is not a recognized option"), []),
           "ls bad option in a cluster, -nomsg")
        eq(meta(mkroot), ("2", "No such file or directory : Could not create directory (or non-existing "
                                "parents): /localhost/localdomain/user/j/jalien/../../../../x"),
           "mkdir -p below / as jalien")


def test_silent():
    with Server() as srv:
        rc, raw, err = srv.client([
            req("pwd", "-silent"),                  # fresh session: JCentral replies ""
            req("pwd"),
            req("pwd", "-silent"),                  # after a command object exists: ignored
        ])
        eq((rc, len(raw)), (0, 3), "three replies")
        eq(raw[0], "", "-silent on a fresh session gives an empty reply")
        eq(json.loads(raw[2])["results"][0]["pwd"], HOME, "-silent later is ignored")


if __name__ == "__main__":
    main([test_request_errors, test_path_errors, test_silent])
