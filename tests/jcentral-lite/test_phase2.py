#!/usr/bin/env python3
"""Phase 2 commands: touch rm rmdir mv find du type user whois df listSEs fquota jquota."""
import re

from jcltest import HOME, Server, eq, check, main, req


def meta(reply):
    return reply["metadata"]["exitcode"], reply["metadata"]["error"]


def test_files():
    with Server() as srv:
        replies, _ = srv.run([
            req("mkdir", "-p", "testdir/sub1"),
            req("touch", "testdir/upload.bin"),
            req("ls", "-F", "-l", HOME + "testdir/"),
            req("stat", HOME + "testdir/upload.bin"),
            req("cd", "testdir/upload.bin"),
            req("type", "testdir/upload.bin", "testdir", "nothere"),
            req("find", HOME, "*"),
            req("find", "-d", HOME, "sub"),
            req("du", "/localhost/localdomain/user/j/jalien"),
            req("mv", "testdir/upload.bin", "testdir/renamed.bin"),
            req("mv", "testdir/renamed.bin", "testdir/sub1"),
            req("mv", "nothere", "x"),
            req("rm", HOME + "testdir/sub1/renamed.bin"),
            req("rm", HOME + "testdir/x.txt"),
            req("rmdir", "testdir"),
            req("rmdir", HOME),
            req("rm", "-r", "testdir"),
            req("ls", "-nokeys"),
            req("touch", "/localhost/forbidden"),
        ])
        (mk, touch, ls, st, cdf, typ, find, findd, du, mv1, mv2, mvmiss, rm, rmmiss, rmdir_ne, rmdir_home,
         rmr, ls2, touchno) = replies
        eq(touch["metadata"]["exitcode"], "0", "touch")
        names = [(r["name"], r["permissions"]) for r in ls["results"]]
        eq(names, [("sub1/", "drwxr-xr-x"), ("upload.bin", "-rwxr-xr-x")], "ls -F -l with a file")
        f = ls["results"][1]
        check(re.fullmatch(r"-rwxr-xr-x     jalien   jalien            0 [A-Z][a-z]{2} \d\d \d\d:\d\d    upload\.bin",
                           f["message"]), "file line", f["message"])
        eq(f["path"], HOME + "testdir/upload.bin", "file path has no -F slash")
        row = st["results"][0]
        eq(list(row.keys()), ["message", "lfn", "type", "owner", "gowner", "perm", "ctime", "size", "md5",
                              "guid", "mtime"], "stat file keys")
        check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", row["guid"]),
              "version-1 guid", row["guid"])
        check("\nSize: 0 (0 B)\nMD5: d41d8cd98f00b204e9800998ecf8427e\nGUID: " + row["guid"] +
              "\n\tGUID created on " in row["message"], "stat file message", row["message"])
        eq(meta(cdf), ("20", "Not a directory : testdir/upload.bin"), "cd to a file")
        eq([r.get("type") for r in typ["results"]], ["file", "directory"], "type")
        eq(meta(typ), ("2", "No such file or directory : nothere"), "type missing")
        eq(find["results"], [{"lfn": HOME + "testdir/upload.bin", "message": HOME + "testdir/upload.bin"}],
           "find as in the transcript")
        eq([r["lfn"] for r in findd["results"]], [HOME + "testdir/sub1/"], "find -d")
        eq(du["results"][0]["message"].split("\n")[:3],
           ["/localhost/localdomain/user/j/jalien", "  Folders: 3", "  Files: 0 of an apparent size of 0 B, of which:"],
           "du message row (JCentral counts only files with replicas; a touched file has none)")
        eq(list(du["results"][1].keys()), ["entry", "folders", "physical_files_count", "physical_files_size",
                                           "physical_files_replicas", "physical_files_one_replica_size",
                                           "logical_files_count", "logical_files_size"], "du keys")
        eq(mv1["metadata"]["exitcode"], "0", "mv rename")
        eq(mv2["metadata"]["exitcode"], "0", "mv into a directory")
        eq(meta(mvmiss), ("22", "Invalid argument : Source cannot be found: " + HOME + "nothere"), "mv missing")
        eq(meta(rm), ("0", ""), "rm file")
        eq(meta(rmmiss), ("5", "Input/output error : Failed to remove [" + HOME + "testdir/x.txt]"), "rm missing")
        eq(meta(rmdir_ne), ("5", "Input/output error : Could not remove directory: testdir"), "rmdir non-empty")
        eq(rmdir_home["metadata"]["exitcode"], "22", "rmdir of home")
        eq(meta(rmr), ("0", ""), "rm -r")
        eq(ls2["results"], [], "home is empty again")
        eq(meta(touchno), ("121", "Remote I/O error : Failed to touch the LFN: /localhost/forbidden"),
           "touch without permission")


def test_accounts_and_storage():
    with Server() as srv:
        replies, _ = srv.run([
            req("user", "jdoe"),
            req("user", "jalien"),
            req("whois", "jdoe"),
            req("whois", "nobody"),
            req("df"),
            req("top"),
            req("listSEs"),
            req("listSEs", "-x"),
            req("fquota", "-nomsg", "list", "jalien"),
            req("jquota", "-nomsg", "list", "jalien"),
            req("jquota"),
        ])
        usr, usr_ok, whois, whois_no, df, top, lses, lsesbad, fq, jq, jq0 = replies
        eq(meta(usr), ("1", "Operation not permitted : Switching user jalien to [jdoe] failed"), "user switch denied")
        eq(usr_ok["results"], [{"homedir": HOME}], "user to self")
        eq(whois["results"][0]["username"], "jdoe", "whois")
        eq(whois_no["results"], [{"message": "Username not found: nobody"}], "whois unknown")
        eq(meta(df), ("38", "Function not implemented"), "df")
        eq(meta(top), ("38", "Function not implemented : not implemented yet"), "top")
        eq((meta(lses), lses["results"]), (("0", ""), []), "listSEs without SEs")
        eq(meta(lsesbad), ("2", "Command not found or not implemented yet"), "listSEs bad option quirk")
        eq(meta(fq), ("61", "No data available : File quota information not available for jalien"), "fquota")
        eq(meta(jq), ("61", "No data available : No jobs quota found for user jalien"), "jquota")
        eq(jq0["metadata"]["exitcode"], "22", "jquota without sub-command")


if __name__ == "__main__":
    main([test_files, test_accounts_and_storage])
