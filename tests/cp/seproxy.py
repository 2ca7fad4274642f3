#!/usr/bin/env python3
"""seproxy.py PORTFILE UPSTREAM_PORTFILE MODE... - TCP stand-ins for a storage element (tests/cp).

Listens on one free loopback port per MODE and writes them, one a line, to PORTFILE. Each port
forwards to 127.0.0.1:<the port in UPSTREAM_PORTFILE> (read at each connection), except:
  drop1  the first connection is closed at once (the copy fails on a socket error), later ones
         are forwarded
  stall  connections are accepted and never answered
  gate   connections are accepted and forwarded only once the file PORTFILE.open exists (a
         test holds a transfer at its start, does something, then lets it go; no sleeps)
  fwd    every connection is forwarded
Exits when its parent process ends (the test), so nothing outlives a test."""
import os
import socket
import sys
import threading
import time


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def gate(c, portfile, upstream_file):
    while not os.path.exists(portfile + ".open"):
        time.sleep(0.05)
    forward(c, upstream_file)


def forward(c, upstream_file):
    with open(upstream_file) as f:
        port = int(f.read().strip())
    u = socket.create_connection(("127.0.0.1", port))
    for a, b in ((c, u), (u, c)):
        threading.Thread(target=pump, args=(a, b), daemon=True).start()


def serve(ls, mode, upstream_file, portfile):
    held, n = [], 0
    while True:
        c, _ = ls.accept()
        n += 1
        if mode == "stall":
            held.append(c)  # open, silent
            continue
        if mode == "drop1" and n == 1:
            c.close()
            continue
        if mode == "gate":
            threading.Thread(target=gate, args=(c, portfile, upstream_file), daemon=True).start()
            continue
        forward(c, upstream_file)


def main():
    portfile, upstream_file, modes = sys.argv[1], sys.argv[2], sys.argv[3:]
    parent = os.getppid()
    ports = []
    for m in modes:
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        ports.append(ls.getsockname()[1])
        threading.Thread(target=serve, args=(ls, m, upstream_file, portfile), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("".join("%d\n" % p for p in ports))
    os.rename(portfile + ".tmp", portfile)
    while os.getppid() == parent:
        time.sleep(0.5)


main()
