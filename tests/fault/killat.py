#!/usr/bin/env python3
"""killat.py DIR EVENT GLOB SECONDS CMD...: run CMD and SIGKILL it right after
a file event in DIR (inotify): EVENT is create, modify or moved (a rename
into DIR); GLOB matches the file's name. Prints what happened, one line.
Exit 0: killed at the event; 3: the event did not come within SECONDS (CMD
killed then); 4: CMD exited first. For test_sigkill.sh: kill jaliend in the
middle of writing its token files, at a chosen step."""
import ctypes
import fnmatch
import os
import select
import signal
import struct
import subprocess
import sys
import time

MASKS = {"create": 0x100, "modify": 0x2, "moved": 0x80}  # IN_CREATE, IN_MODIFY, IN_MOVED_TO


def main():
    if len(sys.argv) < 6 or sys.argv[2] not in MASKS:
        sys.exit("usage: killat.py DIR create|modify|moved GLOB SECONDS CMD...")
    folder, event, glob, secs, cmd = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:]
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, folder.encode(), MASKS[event]) < 0:
        sys.exit("killat: inotify on %s: %s" % (folder, os.strerror(ctypes.get_errno())))
    child = subprocess.Popen(cmd)
    signal.signal(signal.SIGTERM, lambda *_: (child.kill(), sys.exit(1)))
    deadline = time.monotonic() + secs
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            child.kill()
            child.wait()
            print("killat: no %s of %s in %s within %g s" % (event, glob, folder, secs))
            return 3
        if not select.select([fd], [], [], min(left, 0.1))[0]:
            if child.poll() is not None:
                print("killat: %s exited with %d before the event" % (cmd[0], child.returncode))
                return 4
            continue
        buf = os.read(fd, 65536)
        off = 0
        while off < len(buf):
            _, _, _, n = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16:off + 16 + n].split(b"\0", 1)[0].decode(errors="replace")
            off += 16 + n
            if fnmatch.fnmatchcase(name, glob):
                child.kill()
                child.wait()
                print("killat: killed pid %d right after %s of %s" % (child.pid, event, name))
                return 0


if __name__ == "__main__":
    sys.exit(main())
