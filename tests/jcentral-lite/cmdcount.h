/* cmdcount.h - how many requests jcentral-lite received, per command name and per session.
 *
 * With --counts FILE the counts are written to FILE (temp file + rename) at most
 * CMDCOUNT_FLUSH_MS after a request arrived, and at exit:
 *     total <requests>
 *     cmd <name> <n>               one line per command name, sorted by name
 *     session <id> <account> <n>   one line per open session (id: 1, 2, ... in connect order)
 *     inflight_max <n>             most requests in flight at once, all sessions together
 *     session_inflight_max <n>     most requests in flight at once on one session
 *     running_max <name> <n>       most requests of that command served at once (from its
 *                                  execution to its reply queued), one line per command name
 * Names are the request's "command" as sent; names with other characters than [A-Za-z0-9_.-]
 * or longer than 63 bytes count as "(other)", requests that are not JSON as "(bad)".
 * Every close also logs "session <id> (<account>): <n> requests". Caps: CMDCOUNT_MAX_NAMES
 * distinct names (more: "(other)"), CMDCOUNT_MAX_SESSIONS sessions listed.
 */
#ifndef JCL_CMDCOUNT_H
#define JCL_CMDCOUNT_H

#include "jcl.h"

#define CMDCOUNT_MAX_NAMES 256
#define CMDCOUNT_MAX_SESSIONS 4096
#define CMDCOUNT_FLUSH_MS 50

struct lws_context;

void cmdcount_init(struct lws_context *ctx, const char *path);
void cmdcount_session_open(struct jcl_session *s);
void cmdcount_session_close(struct jcl_session *s);
/* One request received on session s; name NULL = not a JSON request. */
void cmdcount_add(struct jcl_session *s, const char *name);
/* A request of session s arrived / its reply was queued: the requests in flight, per session
 * and overall, whose maxima the file reports as "inflight_max N" and "session_inflight_max N"
 * (a client that keeps one request in flight per websocket, spec 4.4, shows 1). */
void cmdcount_begin(struct jcl_session *s);
void cmdcount_end(struct jcl_session *s);
/* Write the file now (no-op without --counts). */
void cmdcount_flush(void);

#endif
