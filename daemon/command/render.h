/* render.h - turn a JCentral reply into what a shim prints, piece by piece.
 *
 * Text mode follows alien.py: the `message` of every result joined with
 * "\n", stripped, then "\n", to stdout when exitcode is 0; otherwise
 * metadata.error (stripped) to stderr and nothing on stdout.
 * JSON mode prints the whole reply like Python's json.dumps(sort_keys=True,
 * indent=2) to stdout, whatever the exit code.
 * Output is produced in bounded pieces so a huge reply is never copied whole. */
#ifndef JALIEND_RENDER_H
#define JALIEND_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct render;

/* Takes ownership of reply. cwd (may be NULL) replaces metadata.currentdir.
 * json: 0 text, 1 the whole reply, 2 its results array only (alien_json). */
struct render *render_reply(cJSON *reply, int json, const char *cwd);
/* A locally made answer: out to stdout, err to stderr (either may be NULL). */
struct render *render_local(const char *out, const char *err, int code);

/* Memory held for replies (docs/PROTOCOL.md, caps): every reply waiting to
 * be printed (its parsed size, estimated when render_reply takes it) and
 * every frame queued for a shim (client.c adds and removes those). A reply
 * that would take the total past the cap is not kept: the request fails
 * with exit 105 and one line saying so. */
/* --reply-memory: 1 GiB, two of the largest replies */
#define RENDER_HELD_MAX_DEFAULT (1024ull << 20)
void render_set_held_max(unsigned long long bytes);
void render_held_add(long long delta);

/* Fill buf with at most max bytes of the next piece; *fd is set to 1 or 2.
 * Returns the number of bytes (> 0), or 0 when everything was produced. */
size_t render_next(struct render *r, char *buf, size_t max, int *fd);
int render_exit_code(const struct render *r);
void render_free(struct render *r);

/* Python-style JSON of one value at the given indent level, into sb
 * (exposed for tests). Returns 0 or -ENOMEM/-E2BIG. */
struct strbuf;
int render_json_value(struct strbuf *sb, const cJSON *v, int level);
int render_json_string(struct strbuf *sb, const char *s);

#endif
