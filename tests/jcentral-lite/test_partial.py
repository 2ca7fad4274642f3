#!/usr/bin/env python3
"""How Tomcat + JCentral turn websocket frames into requests, as measured on the real JCentral
(Tomcat 9.0.85): a message that reaches JCentral in more than one part (several frames, or more
than 8192 characters in one frame) works, but leaves its non-last parts in a buffer that is
never cleared, so every later request of the session is answered "Incoming JSON is not ok".
permessage-deflate is negotiated as Tomcat does (RFC 7692)."""
import json
import random
import string

from jcltest import RawWS, Server, eq, check, main, req, HOME

BAD = ('{"metadata":{"exitcode":"22","error":"Incoming JSON is not ok","user":"jalien",'
       '"currentdir":"%s"},"results":[]}' % HOME.replace("/", "\\/"))


def text(n, seed=1):
    r = random.Random(seed)
    return "".join(r.choice(string.ascii_letters + string.digits + " .,;:!?-_") for _ in range(n))


def ask(ws, r, **kw):
    ws.send_message(json.dumps(r), **kw)
    kind, body, _ = ws.recv_message()
    eq(kind, "text", "reply kind")
    return body


def echo_ok(ws, t, what, **kw):
    body = ask(ws, req("echo", t), **kw)
    eq(json.loads(body)["results"][0]["arg0"], t, what)


def whoami(ws):
    return ask(ws, req("whoami"))


def test_fragmented_request_poisons_the_session():
    with Server() as srv:
        ws = RawWS(srv)
        echo_ok(ws, "frag" * 100, "a request in two frames is answered", parts=2)
        eq(whoami(ws), BAD, "the next request on that session")
        eq(whoami(ws), BAD, "and every one after it")
        ws.close()
        ws = RawWS(srv)
        check("jalien" in whoami(ws), "another session is not affected")
        ws.close()


def test_text_buffer_is_8192_characters():
    with Server() as srv:
        pad = len(json.dumps(req("echo", "")))
        ws = RawWS(srv)
        echo_ok(ws, "b" * (8192 - pad), "8192 characters in one frame")
        check("jalien" in whoami(ws), "one part: the session stays good")
        ws.close()
        ws = RawWS(srv)
        echo_ok(ws, "b" * (8193 - pad), "8193 characters in one frame")
        eq(whoami(ws), BAD, "two parts (8192 + 1): poisoned")
        ws.close()
        # a character outside the BMP counts 2 UTF-16 units and does not straddle a part
        ws = RawWS(srv)
        echo_ok(ws, "b" * (8191 - pad) + "\U0001F600", "8191 + a surrogate pair")
        eq(whoami(ws), BAD, "the pair starts the second part")
        ws.close()


def test_empty_first_frame_is_harmless():
    with Server() as srv:
        ws = RawWS(srv)
        ws.send_frame(0x1, b"", fin=False)
        ws.send_frame(0x0, json.dumps(req("echo", "e")).encode(), fin=True)
        eq(json.loads(ws.recv_message()[1])["results"][0]["arg0"], "e", "empty first frame")
        check("jalien" in whoami(ws), "an empty part leaves an empty buffer")
        ws.close()


def test_deflate_single_frame_works():
    with Server() as srv:
        ws = RawWS(srv, extensions="permessage-deflate; client_max_window_bits")
        eq(ws.extensions, "permessage-deflate", "accepted")
        for i in range(3):
            t = text(6000, seed=i)
            n0 = len(ws.frames_in)
            echo_ok(ws, t, "6000 random characters, one compressed frame (%d)" % i)
            check(ws.frames_in[n0][2], "the reply is compressed (RSV1)", ws.frames_in[n0:])
            check("jalien" in whoami(ws), "a request after it works (%d)" % i)
        ws.close()
        # the daemon's offer; lws-style client that resets its compressor after each message
        ws = RawWS(srv, extensions="permessage-deflate; client_no_context_takeover; client_max_window_bits")
        eq(ws.extensions, "permessage-deflate; client_no_context_takeover", "echoed")
        for i in range(3):
            echo_ok(ws, text(7900, seed=10 + i), "7900 characters, client_no_context_takeover")
            check("jalien" in whoami(ws), "whoami after it")
        ws.close()


def test_deflate_fragments_poison():
    with Server() as srv:
        ws = RawWS(srv, extensions="permessage-deflate; client_max_window_bits")
        echo_ok(ws, text(1500), "a compressed message in 2 frames", parts=2)
        eq(whoami(ws), BAD, "poisoned, as lws's 1 KiB fragments poison the real JCentral")
        ws.close()
        ws = RawWS(srv, extensions="permessage-deflate")
        echo_ok(ws, "c" * 20000, "20000 characters that compress into one small frame")
        eq(whoami(ws), BAD, "still more than 8192 characters: poisoned")
        ws.close()


def test_too_big():
    with Server() as srv:
        # 140000 characters in one frame: 17 parts fill the buffer past 133120 (error, buffer
        # dropped), the last part alone is not JSON; the buffer is empty again afterwards
        ws = RawWS(srv)
        ws.send_text(json.dumps(req("echo", "x" * 140000)))
        eq(json.loads(ws.recv_message()[1])["metadata"]["error"], "Message too big, limit is at 133120",
           "too big")
        eq(ws.recv_message()[1], BAD, "then the tail is not JSON")
        check("jalien" in whoami(ws), "and the session works again")
        ws.close()


def test_negotiation():
    with Server() as srv:
        for offer, want in (("permessage-deflate; server_max_window_bits=10", None),
                            ("permessage-deflate; server_max_window_bits=10, permessage-deflate; "
                             "server_no_context_takeover", "permessage-deflate; server_no_context_takeover"),
                            ("permessage-deflate; server_max_window_bits=15", "permessage-deflate"),
                            ("x-webkit-deflate-frame", None)):
            ws = RawWS(srv, extensions=offer)
            eq((ws.status, ws.extensions), (101, want), offer)
            check("jalien" in whoami(ws), offer + ": works")
            if want and "server_no_context_takeover" in want:
                echo_ok(ws, text(3000), "server_no_context_takeover")
                echo_ok(ws, text(3000), "server_no_context_takeover, again")
            ws.close()
        for offer in ("permessage-deflate; foo", "permessage-deflate; client_max_window_bits=16",
                      "permessage-deflate; client_no_context_takeover; client_no_context_takeover"):
            ws = RawWS(srv, extensions=offer)
            eq(ws.status, 500, offer + ": Tomcat fails the upgrade")
            ws.close()
    with Server("--no-deflate") as srv:
        ws = RawWS(srv, extensions="permessage-deflate")
        eq((ws.status, ws.extensions), (101, None), "--no-deflate")
        ws.close()


def test_fixed_reassembly_option():
    with Server("--fixed-reassembly") as srv:
        ws = RawWS(srv, extensions="permessage-deflate")
        echo_ok(ws, text(3000), "fragmented", parts=3)
        check("jalien" in whoami(ws), "--fixed-reassembly: no poisoning")
        ws.close()


def test_wsclient_fragments():
    """jcl-wsclient (lws) --fragment: what the lws-based daemon does with big requests."""
    with Server() as srv:
        t = text(3000)
        replies, _ = srv.run([req("echo", t), req("whoami")], extra=["--deflate", "--fragment", "1000"])
        eq(replies[0]["results"][0]["arg0"], t, "fragmented request over deflate")
        eq(replies[1]["metadata"]["error"], "Incoming JSON is not ok", "poisoned after it")
        # lws 4.1.6 splits its compressed output into 1 KiB frames by itself: 3000 random
        # characters (about 2.3 KiB compressed) leave in 3 frames and poison the session
        replies, _ = srv.run([req("echo", t), req("whoami")], extra=["--deflate"])
        eq(replies[0]["results"][0]["arg0"], t, "lws deflate, no --fragment")
        eq(replies[1]["metadata"]["error"], "Incoming JSON is not ok", "lws's own 1 KiB fragments poison")
        t = text(600)
        replies, _ = srv.run([req("echo", t), req("whoami")], extra=["--deflate"])
        eq(replies[1]["results"][0]["username"], "jalien", "under 1 KiB compressed: one frame, fine")


if __name__ == "__main__":
    main([test_fragmented_request_poisons_the_session, test_text_buffer_is_8192_characters,
          test_empty_first_frame_is_harmless, test_deflate_single_frame_works,
          test_deflate_fragments_poison, test_too_big, test_negotiation, test_fixed_reassembly_option,
          test_wsclient_fragments])
