/* policy.h - what the pool may do with a server command: run it on a shared
 * session or on a private one, and send it again after a lost session. Each
 * row of the command table (common/cmdtab.def) names its policy; both ways
 * in ask here: the shims (command.c) and the JBox (jbox_conn.c), so alien.py
 * through the JBox and alien-<cmd> behave alike. */
#ifndef JALIEND_POLICY_H
#define JALIEND_POLICY_H

#include <cjson/cJSON.h>

/* UP_REQ_* flags (upstream.h) for verb with its options (an array of
 * strings; other items are ignored):
 *   UP_REQ_PRIVATE  it changes session state: `user`, `setSite`, `timing`,
 *                   `token -u` (their rows), any `-debug=N` option (spec 4.6);
 *   UP_REQ_READONLY it only reads, so it may be sent once more on a fresh
 *                   session if its session is lost mid-request; `jquota` and
 *                   `fquota` only as `list` (or with no sub-command), never
 *                   `set`, which may have run before the session was lost.
 * Neither: a write, sent at most once; so is a verb with no row. */
unsigned policy_flags(const char *verb, const cJSON *options);

#endif
