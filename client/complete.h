/* complete.h - ask jaliend for completions (a REQUEST with "complete",
 * docs/PROTOCOL.md): command names or grid paths. */
#ifndef ALIEN_COMPLETE_H
#define ALIEN_COMPLETE_H

#include "rpc.h"

#define COMPLETE_MAX 4096 /* candidates kept per answer */

/* kind "command" or "path"; *out: malloc'ed NULL-terminated candidates
 * (free with line_free). Returns 0, or the request's exit code (> 0). */
int complete_query(struct rpc *r, const char *kind, const char *word, char ***out);

#endif
