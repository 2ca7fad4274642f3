#!/usr/bin/env python3
"""exitcodes_lint.py - fail when an exit code is defined outside the one table.

Every exit code jaliend, the shim, JBox and alien-direct produce is a row of
common/exitcodes.def (JD_EXIT_*). This lint reads the C and C++ sources of
client/, daemon/, common/ and compat/ (not common/exitcodes.*) and lists, one
line each (file:line: what), every place that spells an exit code another way:

  define   a #define of an *EXIT*, *_CODE or *_ERROR name to a number or to
           a JD_EXIT_* name (an alias is a second name for the same code)
  exit     exit(N) or _exit(N), also one branch of a ?: there
  return   return N; or return x ? N : M; (a function's own exit code: main's ...)
  assign   code = N, rc = N (also *code = N, r->code = N, and in a ?:)
  call     a numeric code given to a function whose parameter is `int code`
           (found in the sources: command_reply, client_fail, cp_plan_error,
           rpc_fail ...), also one branch of a ?: there
  json     a literal "code"/"exitcode" number put into a JSON reply

0 and 1 (success, and alien.py's plain failure) may stay literals. JCentral's
own codes pass through in variables and are never literals here.

Usage: exitcodes_lint.py [ROOT] [--exclude DIR]...   (DIR relative to ROOT,
e.g. daemon/command); EXITCODES_LINT_EXCLUDE=dir1:dir2 does the same.
Exit status 0: none found; 1: some found (listed); 2: bad usage.
"""
import os
import re
import sys

SOURCES = ("client", "daemon", "common", "compat")
TABLE = ("common/exitcodes.def", "common/exitcodes.h", "common/exitcodes.c")
EXTS = (".c", ".h", ".cc", ".hh", ".cpp")
ALLOWED = {0, 1}
# functions whose numbers are not exit codes (a level, a state): name -> why
NOT_CODES = {
    "envfwd_debug": "JALIENPY_DEBUG's level",
    "cp_call_made": "a folder's state (made, in flight)",
}
FUNC = re.compile(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)[^;{}]*\{", re.M)


def strip(text):
    """Comments and the contents of string and char literals blanked, lines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def numbers(expr):
    """The numeric literals of an expression that stand as a value of their own
    (not a part of arithmetic such as 128 + sig) and are not 0 or 1."""
    found = []
    for part in re.split(r"[?:]", expr):
        p = part.strip().strip("()").strip()
        if re.fullmatch(r"\d+", p) and int(p) not in ALLOWED:
            found.append(int(p))
    return found


def split_args(text, start):
    """Arguments of the call whose '(' is at start, and the index after ')'."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(cur))
                return args, i + 1
        elif c == "," and depth == 1:
            args.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return None, i


DECL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(([^;{)]*\bint\s+code\b[^;{)]*)\)\s*[;{]", re.S)
DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w*(?:EXIT|_CODE)\w*|\w*_ERROR)"
                    r"[ \t]+\(?(-?\d+|JD_EXIT_\w+)\)?[ \t]*$", re.M)
EXIT = re.compile(r"\b_?exit\s*\(([^;]*)\)\s*;")
RETURN = re.compile(r"\breturn\s+([^;]*);")
ASSIGN = re.compile(r"(?:\*|->|\b)(?:\w*code|rc)\s*=(?!=)\s*([^;(){}]*);")
JSON = re.compile(r"\"(?:code|exitcode)\"\s*,\s*(-?\d+)\s*\)")


def code_functions(files):
    """name -> index of its `int code` parameter, from every declaration."""
    funcs = {}
    for _, text in files:
        for m in DECL.finditer(text):
            params = m.group(2).split(",")
            for k, p in enumerate(params):
                if re.search(r"\bint\s+code\b", p):
                    funcs[m.group(1)] = k
    return funcs


def lint(root, excludes):
    files = []
    for top in SOURCES:
        for d, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(names):
                if not name.endswith(EXTS):
                    continue
                path = os.path.relpath(os.path.join(d, name), root)
                if path in TABLE:
                    continue
                with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                    raw = f.read()
                files.append((path, raw))
    stripped = [(p, strip(t)) for p, t in files]
    funcs = code_functions(stripped)
    hits = []
    calls = re.compile(r"\b(%s)\s*\(" % "|".join(sorted(funcs)))

    def hit(path, text, pos, kind, what):
        line = text.count("\n", 0, pos) + 1
        hits.append("%s:%d: %s: %s" % (path, line, kind, " ".join(what.split())[:120]))

    for (path, raw), (_, text) in zip(files, stripped):
        if any(path == e or path.startswith(e.rstrip("/") + "/") for e in excludes):
            continue
        for m in DEFINE.finditer(text):
            hit(path, text, m.start(), "define", m.group(0))
        for m in EXIT.finditer(text):
            if numbers(m.group(1)):
                hit(path, text, m.start(), "exit", m.group(0))
        starts = [(f.start(), f.group(1)) for f in FUNC.finditer(text)]
        for m in RETURN.finditer(text):
            inside = [name for at, name in starts if at < m.start()]
            if inside and inside[-1] in NOT_CODES:
                continue
            if numbers(m.group(1)):
                hit(path, text, m.start(), "return", m.group(0))
        for m in ASSIGN.finditer(text):
            if numbers(m.group(1)):
                hit(path, text, m.start(), "assign", m.group(0))
        for m in JSON.finditer(raw):
            if numbers(m.group(1)):
                hit(path, raw, m.start(), "json", m.group(0))
        for m in calls.finditer(text):
            name, k = m.group(1), funcs[m.group(1)]
            args, _ = split_args(text, m.end() - 1)
            if args is None or len(args) <= k or re.search(r"\bint\s+code\b", args[k]):
                continue  # not a call: a declaration or definition
            if numbers(args[k]):
                hit(path, text, m.start(), "call", "%s(... %s ...)" % (name, args[k].strip()))
    order = sorted(set(hits), key=lambda h: (h.split(":")[0], int(h.split(":")[1])))
    return len(files), funcs, order


def main(argv):
    root, excludes, i = None, [], 0
    while i < len(argv):
        if argv[i] == "--exclude" and i + 1 < len(argv):
            excludes.append(argv[i + 1])
            i += 2
        elif argv[i].startswith("-") or root is not None:
            print("usage: exitcodes_lint.py [ROOT] [--exclude DIR]...", file=sys.stderr)
            return 2
        else:
            root = argv[i]
            i += 1
    root = root or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    excludes += [e for e in os.environ.get("EXITCODES_LINT_EXCLUDE", "").split(":") if e]
    if not os.path.isfile(os.path.join(root, TABLE[0])):
        print("exitcodes-lint: %s: no %s here" % (root, TABLE[0]), file=sys.stderr)
        return 2
    nfiles, funcs, hits = lint(root, excludes)
    for h in hits:
        print(h)
    skipped = " (not looked at: %s)" % ", ".join(excludes) if excludes else ""
    if hits:
        print("exitcodes-lint: %d exit codes spelled outside %s%s: use its JD_EXIT_* names"
              % (len(hits), TABLE[0], skipped), file=sys.stderr)
        return 1
    print("exitcodes-lint: %d files, %d functions taking a code: every exit code comes from %s%s"
          % (nfiles, len(funcs), TABLE[0], skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
