#!/usr/bin/env python3
"""Replies that were measured on the real JCentral (FYP-Jalien/jalien, Tomcat 9.0.85, through a raw
websocket client, 2026-12-02) and that jcentral-lite used to get wrong (issue 15)."""
import json
import os

from jcltest import HOME, TOKEN_ARGS, Server, eq, check, main, req
from test_jobs import put_file


def meta(r):
    return r["metadata"]["exitcode"], r["metadata"]["error"]


def test_errors_as_measured():
    with Server() as srv:
        srv.run([req("touch", HOME + "probe.txt")])
        replies, _ = srv.run([
            req("ls", "-Z"),
            req("find", "-l", HOME, "*"),
            req("guid2lfn", "11111111-2222-3333-4444-555555555555"),
            req("whereis", HOME),
            req("md5sum", HOME),
            req("du", HOME + "nosuchdir"),
            req("md5sum", "probe.txt"),
            req("md5sum", "./probe.txt"),
            req("masterjob", "999999999"),
            req("ps", "-jdl", "999999999"),
            req("guid2lfn", "not-a-guid"),
        ])
        (lsz, findl, g2l, wh, md5d, du, md5a, md5b, mj, psj, g2lbad) = replies
        eq((meta(lsz), lsz["results"]), (("22", "Invalid argument : Z is not a recognized option"), []), "ls -Z")
        eq(meta(findl), ("22", "Invalid argument : Cannot parse argument '%s' of option l" % HOME), "find -l")
        eq(meta(g2l), ("2", "No such file or directory : GUID cannot be found in the database: "
                            "11111111-2222-3333-4444-555555555555"), "unknown GUID")
        eq(g2l["results"], [{"guid": "11111111-2222-3333-4444-555555555555", "error": "No GUID"}], "its row")
        eq(meta(g2lbad), ("22", "Invalid argument : Not a GUID: not-a-guid"), "not a GUID")
        eq(meta(wh), ("22", "Invalid argument : The path you indicated is not a file: " + HOME), "whereis dir")
        eq(meta(md5d), ("22", "Invalid argument : This entry is not a file: " + HOME), "md5sum dir")
        eq(meta(du), ("0", ""), "du of a missing path")
        eq(du["results"], [
            {"message": HOME + "nosuchdir\n  Files: 0 of an apparent size of 0 B, of which:"},
            {"entry": HOME + "nosuchdir", "folders": "0", "physical_files_count": "0",
             "physical_files_size": "0", "physical_files_replicas": "0", "physical_files_one_replica_size": "0",
             "logical_files_count": "0", "logical_files_size": "0"}], "du zero summary")
        md5 = "d41d8cd98f00b204e9800998ecf8427e"
        eq(md5a["results"], [{"message": md5 + "\tprobe.txt"}], "md5sum echoes the path as typed")
        eq(md5b["results"], [{"message": md5 + "\t./probe.txt"}], "md5sum ./path as typed")
        eq((mj["metadata"]["exitcode"], mj["metadata"]["error"], mj["results"]),
           ("0", "Could not load the details of 999999999\n", []), "masterjob of an unknown id")
        eq((meta(psj), psj["results"]), (("0", ""), []), "ps -jdl of an unknown id")


def test_missing_folders_are_made():
    with Server("--se", "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk") as srv:
        (t, ls, st0), _ = srv.run([req("touch", HOME + "nd1/sub/f.txt"), req("ls", "-l", HOME + "nd1/sub/"),
                                   req("stat", HOME + "nd2/")])
        eq(meta(t), ("0", ""), "touch below a missing folder")
        eq([(r["name"], r["permissions"]) for r in ls["results"]], [("f.txt", "-rwxr-xr-x")], "made with its folders")
        eq(meta(st0)[0], "2", "nd2 does not exist")
        put_file(srv, HOME + "nd2/x/f.bin", "data")       # access write rc 0, then commit
        (st,), _ = srv.run([req("stat", HOME + "nd2/x/f.bin")])
        eq(meta(st), ("0", ""), "commit made the folders")


def test_find_regex_as_measured():
    with Server() as srv:
        srv.run([req("touch", HOME + "lite_probe_f.txt")])
        (a, b, c), _ = srv.run([req("find", "-r", HOME, "lite_probe_f|^xyz"),
                                req("find", "-r", HOME, "^lite_probe_f.*"),
                                req("find", "-r", HOME, "xyz|lite_probe_f")])
        want = [HOME + "lite_probe_f.txt"]
        eq([r["lfn"] for r in a["results"]], want, "a|^b: the first alternative is anchored at the folder")
        eq(b["results"], [], "an inner ^ cannot match after the folder")
        eq([r["lfn"] for r in c["results"]], want, "the second alternative matches anywhere")


def test_sizes():
    with Server("--se", "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk") as srv:
        put_file(srv, HOME + "s/a.bin", "a" * 300000)
        put_file(srv, HOME + "s/b.bin", "b" * 6402600)
        put_file(srv, HOME + "s/c.bin", "c" * 1024)
        (ls,), _ = srv.run([req("ls", "-H", HOME + "s/")])
        sizes = [r["message"].split()[3:5] for r in ls["results"]]
        eq(sizes, [["293", "KB"], ["6.106", "MB"], ["1024", "B"]], "ls -H sizes (lazyj Format.size)")


REAL_JDL = (  # ps -jdl on the real JCentral for the JDL below (job 1888757068)
    'User = "jalien";\nJobTag = {\n"comment:lite probe"\n};\n'
    'Executable = "/localhost/localdomain/user/j/jalien/lite_probe.sh";\nArguments = "a b";\n'
    'JDLPath = "/localhost/localdomain/user/j/jalien/lite_probe.jdl";\n'
    'Requirements = ( other.TTL > 300 ) && ( other.Price <= 1 );\nTTL = 300;\nPrice = 1.0;\n'
    'MemorySize = "8GB";\nJDLVariables = {\n"CPUCores"\n};\nCPUCores = "1";\nType = "Job";\n')


def test_processed_jdl():
    with Server("--job-tick", "600000", "--se", "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk") as srv:
        put_file(srv, HOME + "lite_probe.sh", "#!/bin/sh\necho hi\n")
        put_file(srv, HOME + "lite_probe.jdl", 'Executable = "%slite_probe.sh";\nArguments = "a b";\n'
                 'TTL = 300;\nJobTag = {"comment:lite probe"};\n' % HOME)
        (sub,), _ = srv.run([req("submit", HOME + "lite_probe.jdl")])
        jid = sub["results"][0]["jobId"]
        (ps, psl), _ = srv.run([req("ps", "-jdl", jid), req("ps", "-L")])
        row = ps["results"][0]
        eq(list(row), ["owner", "id", "split", "priority", "status", "name", "message", "jdl"], "ps -jdl keys")
        eq(row["jdl"], REAL_JDL, "processed JDL as JCentral shows it")
        eq(row["message"], REAL_JDL.rstrip("\n"), "and as text")
        # columns as measured: names right-aligned; -L: owner, id, priority, site, node, status, name
        line = psl["results"][0]["message"]
        eq(line, "%10s    %10s  %3s  %38s  %40s  %3s  %30s" % ("jalien", jid, "0", row and psl["results"][0]["site"],
                                                            psl["results"][0]["node"], "I", "lite_probe.sh"),
           "ps -L line")


def test_sealed_envelopes():
    """The reference SE needs encrypted envelopes; jcentral-lite seals them (seal.h) by default."""
    se = "ALICE::JCL::DISK=root://127.0.0.1:1/{tmp}/disk"
    with Server(*TOKEN_ARGS, "--se", se) as srv:
        (acc,), _ = srv.run([req("access", "-s", 4, "write", HOME + "e.txt", "disk:1")])
        row = acc["results"][0]
        check("(needs encrypted envelopes)\nEncrypted envelope:\n-----BEGIN SEALED CIPHER-----\n" in row["message"],
              "access message", row["message"])
        env = row["envelope"]
        check(1200 < len(env) < 2600, "about the size of the reference's (1513)", len(env))
        path = "/" + row["url"].split("//", 2)[2]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("data")
        i = env.index("ENVELOPE-----\n") + 40
        bad = env[:i] + ("A" if env[i] != "A" else "B") + env[i + 1:]
        args = [4, HOME + "e.txt", "644", "0", row["url"], row["se"], row["guid"], ""]
        (c1, c2), _ = srv.run([req("commit", bad, *args), req("commit", env, *args)])
        eq(c1["metadata"]["exitcode"], "53", "a tampered sealed envelope registers nothing")
        eq((c2["metadata"]["exitcode"], c2["results"][0]["lfn"]), ("0", "1"), "the sealed envelope commits")
    with Server(*TOKEN_ARGS, "--se", se, "--envelopes", "signed") as srv:
        (acc,), _ = srv.run([req("access", "-nomsg", "-s", 4, "write", HOME + "e.txt", "disk:1")])
        check(acc["results"][0]["envelope"].startswith("turl="), "--envelopes signed", acc["results"][0])


if __name__ == "__main__":
    main([test_errors_as_measured, test_missing_folders_are_made, test_find_regex_as_measured, test_sizes,
          test_processed_jdl, test_sealed_envelopes])
