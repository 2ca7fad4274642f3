#!/usr/bin/env python3
"""exitcodes_doc.py - docs/PROTOCOL.md's "Exit codes" table is common/exitcodes.def.

The doc's table has the columns | code | name | meaning | details |: each row
of common/exitcodes.def must be there with the same number, name and meaning,
and the doc may list no code the table does not have. Names must be unique in
both. Prints every difference, one a line; exit status 0 when they agree,
1 when they differ, 2 when a file or the table is missing.

Usage: exitcodes_doc.py [ROOT]   (default: this checkout)
"""
import os
import re
import sys

ROW = re.compile(r'^EXIT_CODE\((\w+),\s*(\d+),\s*"((?:[^"\\]|\\.)*)"\)', re.M)


def table(root):
    with open(os.path.join(root, "common", "exitcodes.def"), encoding="utf-8") as f:
        return [(m.group(1), int(m.group(2)), m.group(3)) for m in ROW.finditer(f.read())]


def doc(root):
    """Rows of the first table under '## Exit codes', or None if there is none."""
    with open(os.path.join(root, "docs", "PROTOCOL.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Exit codes\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return None
    rows, header = [], None
    for line in m.group(1).splitlines():
        if not line.startswith("|"):
            if rows or header:
                break  # the table ended
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the |---| line
        if header[:3] != ["code", "name", "meaning"] or len(cells) < 3:
            return "bad header %r (expected | code | name | meaning | details |)" % "|".join(header)
        code, name, meaning = cells[0], cells[1].strip("`"), cells[2]
        rows.append((name, int(code) if code.isdigit() else code, meaning))
    return rows


def main(argv):
    root = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    try:
        want, have = table(root), doc(root)
    except OSError as e:
        print("exitcodes-doc: %s" % e, file=sys.stderr)
        return 2
    if not want:
        print("exitcodes-doc: no EXIT_CODE rows in common/exitcodes.def", file=sys.stderr)
        return 2
    if have is None or isinstance(have, str):
        print("exitcodes-doc: docs/PROTOCOL.md: %s" % (have or "no '## Exit codes' table"))
        return 1
    bad = []
    for rows, where in ((want, "common/exitcodes.def"), (have, "docs/PROTOCOL.md")):
        names = [r[0] for r in rows]
        bad += ["%s: %s is listed twice" % (where, n)
                for n in sorted(set(names)) if names.count(n) > 1]
    docs = {r[0]: r for r in have}
    defs = {r[0]: r for r in want}
    for name, code, meaning in want:
        d = docs.get(name)
        if not d:
            bad.append("docs/PROTOCOL.md lacks %s (%d, \"%s\")" % (name, code, meaning))
        elif d[1] != code:
            bad.append("%s: docs/PROTOCOL.md says %s, common/exitcodes.def %d" % (name, d[1], code))
        elif d[2] != meaning:
            bad.append("%s (%d): docs/PROTOCOL.md means \"%s\", common/exitcodes.def \"%s\""
                       % (name, code, d[2], meaning))
    for name, code, meaning in have:
        if name not in defs:
            bad.append("docs/PROTOCOL.md lists %s (%s, \"%s\"), common/exitcodes.def does not"
                       % (name, code, meaning))
    for b in bad:
        print(b)
    if bad:
        print("exitcodes-doc: docs/PROTOCOL.md's exit codes differ from common/exitcodes.def",
              file=sys.stderr)
        return 1
    print("exitcodes-doc: docs/PROTOCOL.md lists the %d rows of common/exitcodes.def" % len(want))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
