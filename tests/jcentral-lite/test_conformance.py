#!/usr/bin/env python3
"""Conformance of jcentral-lite replies with real JCentral traffic (shapes, key order, formats)."""
import re

from jcltest import HOME, HOME2, Server, eq, check, main, req

COMMANDS = ("cd pwd mkdir rmdir ls find toXml cat whereis cp rm mv touch type lfn2guid guid2lfn "
            "guidinfo access commit chown chmod deleteMirror md5sum mirror grep changeDiff "
            "listFilesFromCollection archiveList packages listCEs jobListMatch listpartitions "
            "setCEstatus submit ps masterjob kill w uptime resubmit top registerOutput df du fquota "
            "jquota listSEs listSEDistance setSite testSE listTransfer uuid stat xrdstat resyncLDAP "
            "optimiserLogs showTagValue time timing commandlist motd ping version echo whoami user "
            "whois groups token lfnexpiretime").split()

OK_META = {"currentdir": HOME, "exitcode": "0", "error": "", "user": "jalien"}
LS_LINE = re.compile(r"^(d|-)rwxr-xr-x {3}[ a-z]{8} [ a-z]{8} {12}0? ?\S* [A-Z][a-z]{2} \d\d \d\d:\d\d {4}.*$")


def test_session_info():
    with Server() as srv:
        replies, raw = srv.run([req("commandlist"), req("whoami"), req("pwd"),
                                req("whoami", "-nokeys"), req("whoami", "-v")])
        cl, who, pwd, who_plain, who_v = replies
        # commandlist: first row message + commandlist, then one row per command
        eq(list(cl["metadata"].keys()), ["currentdir", "exitcode", "error", "user"], "metadata key order")
        eq(cl["metadata"], OK_META, "commandlist metadata")
        eq(len(cl["results"]), len(COMMANDS), "commandlist rows")
        eq(cl["results"][0], {"message": "\n".join(COMMANDS), "commandlist": "cd"}, "commandlist row 0")
        eq(list(cl["results"][0].keys()), ["message", "commandlist"], "commandlist row 0 key order")
        eq([r["commandlist"] for r in cl["results"]], COMMANDS, "commandlist order")
        check(all(len(r) == 1 for r in cl["results"][1:]), "commandlist rows have one key")
        # whoami
        row = who["results"][0]
        eq(list(row.keys()), ["username", "role", "roles", "message", "certificate_expires",
                              "certificate_dn", "connected_from", "homedir"], "whoami keys")
        eq(row["username"], "jalien", "username")
        eq(row["message"], "jalien", "whoami message")
        eq(row["certificate_dn"], "CN=jalien, OU=Users, O=JAliEn-lite, C=ch", "certificate_dn")
        eq(row["connected_from"], "127.0.0.1", "connected_from")
        eq(row["homedir"], HOME, "homedir")
        check(re.fullmatch(r"1\d{9}", row["certificate_expires"]), "certificate_expires in epoch s",
              row["certificate_expires"])
        eq(who_plain["results"], [{"message": "jalien"}], "whoami -nokeys")
        vmsg = who_v["results"][0]["message"].split("\n")
        eq(vmsg[0], "Username: jalien", "whoami -v line 1")
        check(vmsg[2].startswith("Certificate DN: CN=jalien, OU=Users, O=JAliEn-lite, C=ch (expiring on "),
              "whoami -v DN line", vmsg[2])
        eq(vmsg[3:], ["Connected from: 127.0.0.1", "Home directory: " + HOME], "whoami -v tail")
        # pwd, byte-exact including json-simple "\/" escaping
        eq(raw[2], '{"metadata":{"currentdir":"\\/localhost\\/localdomain\\/user\\/j\\/jalien\\/",'
                   '"exitcode":"0","error":"","user":"jalien"},"results":[{"pwd":'
                   '"\\/localhost\\/localdomain\\/user\\/j\\/jalien\\/","message":'
                   '"\\/localhost\\/localdomain\\/user\\/j\\/jalien\\/"}]}', "pwd raw bytes")


def test_mkdir_ls_stat():
    with Server() as srv:
        replies, _ = srv.run([
            req("ls", "-F", "-l", HOME),                                  # empty home
            req("mkdir", "-p", HOME + "testdir/sub1"),
            req("ls", "-F", "-l", HOME + "testdir/"),
            req("ls", "-F", "-la", "/"),
            req("ls", "-nokeys", "-F", HOME + "testdir/"),
            req("ls", HOME + "testdir"),
            req("stat", HOME + "testdir"),
            req("ls", "-c", HOME),
            req("mkdir", "-p", HOME + "testdir/sub1"),                    # idempotent
            req("mkdir", HOME + "a/b"),                                   # missing parent
            req("mkdir", "-p", HOME + "a/b", "rel/dir"),
            req("ls", "-nokeys", HOME),
            req("ls", HOME + "*/b"),
        ])
        (empty, mk, lsl, root, plain, lsdefault, st, canon, mk2, mkfail, mkp, lsrel, wild) = replies
        eq(empty["results"], [], "ls -l of empty home")
        eq(mk, {"metadata": OK_META, "results": []}, "mkdir -p reply")
        row = lsl["results"][0]
        eq(list(row.keys()), ["permissions", "user", "group", "size", "ctime", "name", "path", "message"],
           "ls -l keys")
        eq(row["name"], "sub1/", "ls -F name")
        eq(row["path"], HOME + "testdir/sub1//", "ls -F path quirk")
        eq(row["permissions"], "drwxr-xr-x", "permissions")
        eq((row["user"], row["group"], row["size"]), ("jalien", "jalien", "0"), "owner/group/size")
        check(re.fullmatch(r"1\d{9}000", row["ctime"]), "ctime in ms (whole seconds)", row["ctime"])
        check(re.fullmatch(r"drwxr-xr-x     jalien   jalien            0 [A-Z][a-z]{2} \d\d \d\d:\d\d    sub1/",
                           row["message"]), "ls -l message format", row["message"])
        eq(len(root["results"]), 1, "/ has one entry")
        r0 = root["results"][0]
        eq((r0["name"], r0["path"], r0["user"], r0["group"]), ("localhost/", "/localhost//", "admin", "admin"),
           "ls -la /")
        check(r0["message"].startswith("drwxr-xr-x      admin    admin            0 "), "admin padding",
              r0["message"])
        eq(plain["results"], [{"message": "sub1/"}], "ls -nokeys -F")
        eq(lsdefault["results"], [{"name": "sub1", "path": HOME + "testdir/sub1/", "message": "sub1"}],
           "ls default keys")
        srow = st["results"][0]
        eq(list(srow.keys()), ["message", "lfn", "type", "owner", "gowner", "perm", "ctime"], "stat dir keys")
        eq((srow["lfn"], srow["type"], srow["owner"], srow["gowner"], srow["perm"]),
           (HOME + "testdir/", "d", "jalien", "jalien", "755"), "stat dir values")
        m = re.fullmatch(r"File: (\S+)\nType: d\nOwner: jalien:jalien\nPermissions: 755\n"
                         r"Last change: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0 \((\d+)\)", srow["message"])
        check(m, "stat message format", srow["message"])
        eq((m.group(1), m.group(2)), (HOME + "testdir/", srow["ctime"]), "stat message values")
        eq(canon["results"], [{"message": HOME + "testdir/"}], "ls -c: message only, canonical")
        eq(mk2["metadata"]["exitcode"], "0", "mkdir -p of existing dir")
        eq((mkfail["metadata"]["exitcode"], mkfail["metadata"]["error"]),
           ("2", "No such file or directory : Could not create directory: " + HOME + "a/b"),
           "mkdir without -p, parent missing")
        eq(mkp["metadata"]["exitcode"], "0", "mkdir -p of two paths incl. relative")
        eq([r["message"] for r in lsrel["results"]], ["a", "rel", "testdir"], "sorted listing")
        eq([r["path"] for r in wild["results"]], [], "wildcard matching an empty dir lists nothing")


def test_cd_and_pwd_option():
    with Server() as srv:
        replies, _ = srv.run([
            req("mkdir", "-p", HOME + "work/deep"),
            req("cd", "work"),
            req("pwd"),
            req("cd", "deep/.."),
            req("cd", "/nonexistent"),
            req("cd"),
            req("ls", "-nokeys", "-pwd=" + HOME + "work/"),     # -pwd= persists
            req("pwd", "-nokeys"),
            req("cd", "~/work/deep"),
            req("echo", "-pwd=/does/not/exist"),
            req("echo", "-pwd=" + HOME, "x"),
            req("cd", "alien://" + HOME + "work"),
        ])
        mk, cd1, pwd1, cd2, cdmiss, cdhome, lspwd, pwd2, cdtilde, cdnone, back, cdalien = replies
        eq(cd1, {"metadata": dict(OK_META, currentdir=HOME + "work/"), "results": []}, "cd work")
        eq(pwd1["results"][0]["pwd"], HOME + "work/", "pwd after cd")
        eq(cd2["metadata"]["currentdir"], HOME + "work/", "cd deep/..")
        eq((cdmiss["metadata"]["exitcode"], cdmiss["metadata"]["error"], cdmiss["metadata"]["currentdir"]),
           ("2", "No such file or directory", HOME + "work/"), "cd to a missing dir")
        eq(cdhome["metadata"]["currentdir"], HOME, "cd without argument")
        eq(lspwd["results"], [{"message": "deep"}], "ls with -pwd=")
        eq(lspwd["metadata"]["currentdir"], HOME + "work/", "-pwd= sets currentdir")
        eq(pwd2["results"], [{"message": HOME + "work/"}], "-pwd= persists")
        eq(cdtilde["metadata"]["currentdir"], HOME + "work/deep/", "cd ~/...")
        eq(cdnone["metadata"]["currentdir"], "[none]", "-pwd= to a missing dir gives [none]")
        eq(back["metadata"]["currentdir"], HOME, "-pwd= back home")
        eq(back["results"][0], {"arg0": "x", "message": "x"}, "pseudo-option stripped from echo")
        eq(cdalien["metadata"]["currentdir"], HOME + "work/", "alien:// prefix")


def test_filters_and_misc():
    with Server() as srv:
        replies, _ = srv.run([
            req("-nomsg", "pwd"),
            req("pwd", "-nomsg"),
            req("pwd", "-nokeys"),
            req("pwd", "-nomsg", "-nokeys"),
            req("echo", "a", 5, "b c", 1.5, "-debug=3"),
            req("ls", "-h"),
            req("whoami", "--help", "-nomsg"),
            req("version"),
            req("ls", "-la", "-nomsg", "/"),
            req("echo"),
        ])
        nomsg_cmd, nomsg, nokeys, both, echo, ls_help, who_help, ver, lsnomsg, echo0 = replies
        eq(nomsg_cmd["metadata"]["exitcode"], "2", "-nomsg as command name is a command")
        eq(nomsg["results"], [{"pwd": HOME}], "-nomsg")
        eq(nokeys["results"], [{"message": HOME}], "-nokeys")
        eq(both["results"], [], "-nomsg -nokeys: rows vanish")
        eq(echo["results"], [{"arg0": "a", "arg1": "5", "arg2": "b c", "arg3": "1.5",
                              "message": "a 5 b c 1.5"}], "echo with numbers")
        eq(ls_help["metadata"]["exitcode"], "0", "ls -h exit code")
        check(ls_help["results"][0]["message"].startswith("\nusage: ls   [-options] [<directory>]\n\noptions:\n"
                                                          "                    -l                     :  long format\n"),
              "ls help text", ls_help["results"][0]["message"])
        check("-v" in who_help["results"][0]["message"], "help ignores -nomsg")
        eq(list(ver["results"][0].keys()), ["message", "tag", "git_hash", "compiled_at", "compiled_by"],
           "version keys")
        check(all("message" not in r for r in lsnomsg["results"]), "ls -nomsg has no message")
        eq(echo0["results"], [{"message": ""}], "echo without arguments: one empty message row")
        eq(echo0["metadata"]["exitcode"], "0", "echo without arguments")


def test_second_user():
    with Server() as srv:
        r, _ = srv.run([req("pwd"), req("mkdir", HOME + "x"), req("mkdir", "-p", HOME + "x/y"),
                        req("ls", "-nokeys", HOME), req("mkdir", "mine")], who="user2")
        pwd, mk, mkp, ls, mine = r
        eq(pwd["metadata"]["user"], "jdoe", "jdoe session user")
        eq(pwd["results"][0]["pwd"], HOME2, "jdoe home")
        eq((mk["metadata"]["exitcode"], mk["metadata"]["error"]),
           ("2", "No such file or directory : Could not create directory: " + HOME + "x"),
           "jdoe cannot mkdir in jalien's home")
        eq(mkp["metadata"]["error"],
           "No such file or directory : Could not create directory (or non-existing parents): " + HOME + "x/y",
           "mkdir -p error text")
        eq(ls["results"], [], "listing is not permission checked")
        eq(mine["metadata"]["exitcode"], "0", "jdoe mkdir in own home")
        r, _ = srv.run([req("mkdir", "/localhost/x"), req("mkdir", "-p", "/localhost/localdomain/user/")])
        eq(r[0]["metadata"]["error"], "No such file or directory : Could not create directory: /localhost/x",
           "jalien cannot write admin dirs")
        eq(r[1]["metadata"]["exitcode"], "2", "existing admin dir is not writable")


if __name__ == "__main__":
    main([test_session_info, test_mkdir_ls_stat, test_cd_and_pwd_option, test_filters_and_misc,
          test_second_user])
