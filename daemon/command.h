/* command.h - what a shim's REQUEST means: alien.py's client-side rules
 * (ls -F, ll/la/lla, cd and cd -, home, the special words, -json), the
 * terminal's cwd, the local commands (cmdlocal.c) and completion
 * (complete.c), and the upstream request that carries the rest to JCentral. */
#ifndef JALIEND_COMMAND_H
#define JALIEND_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct client;
struct command;
struct lws_context;
struct strbuf;

/* Start the request in payload (REQUEST frame JSON) for client c.
 * Returns 0 (c->cmd set, or the request was refused with an ERROR frame)
 * or -ENOMEM. */
int command_start(struct client *c, uint32_t id, const char *payload, size_t len);
/* Queue the next output frame(s) on the client; returns 1 once the EXIT
 * frame is queued and the command is freed, else 0. */
int command_produce(struct command *cmd);
/* Whether command_produce would queue something now. */
int command_has_output(const struct command *cmd);
/* The client is gone or gave up: forget the command (frees it). */
void command_cancel(struct command *cmd);

/* ---- for the files that implement commands (cmdlocal.c, complete.c) ---- */

/* Called with JCentral's reply (owned by the callee), or reply == NULL and
 * an exit code with a message when there was none. */
typedef void (*command_then_fn)(struct command *cmd, cJSON *reply, int code, const char *msg);
/* Answer locally: out to stdout, err to stderr (either may be NULL). */
void command_reply(struct command *cmd, const char *out, const char *err, int code);
/* Answer with a reply of JCentral, rendered as alien.py does (takes reply). */
void command_reply_json(struct command *cmd, cJSON *reply);
/* A reply of JCentral (taken) as alien.py prints it: stdout onto out, stderr
 * onto err (NULL: dropped); returns its exit code (1 when reply is NULL). */
int command_reply_text(cJSON *reply, struct strbuf *out, struct strbuf *err);
/* Send verb + options (taken over) to JCentral in the terminal's cwd with
 * UP_REQ_* flags; then() gets the answer. Returns 0 or -ENOMEM. */
int command_upstream(struct command *cmd, const char *verb, cJSON *options, unsigned flags,
		     command_then_fn then);
/* Send argv to JCentral with alien.py's rules (ls -F, ll, cd -, -nokeys);
 * argv is not taken. Returns 0 or -ENOMEM. */
int command_forward(struct command *cmd, cJSON *argv);
/* A `cd` reply of JCentral: on success the terminal's cwd becomes its currentdir. */
void command_cd_apply(struct command *cmd, const cJSON *reply);
/* The terminal's grid cwd (home if it never moved; NULL if not known yet). */
const char *command_term_cwd(struct command *cmd);
/* The shim's own (local) working folder, NULL if it sent none. */
const char *command_local_cwd(const struct command *cmd);
/* The lws context of the shim's connection (for xfer_init), or NULL. */
struct lws_context *command_lws_context(const struct command *cmd);
/* fn(scratch) runs when the command ends or is cancelled, before the
 * scratch is free()d: it stops what still points at the command. */
void command_set_cleanup(struct command *cmd, void (*fn)(void *scratch));
/* A variable of the shim's environment it sent (REQUEST "env"), else NULL. */
const char *command_env(struct command *cmd, const char *name);
/* The shim's terminal width (0 if unknown), JSON output wanted, session key. */
int command_cols(const struct command *cmd);
int command_json(const struct command *cmd);
/* JALIENPY_DEBUG asked for: the upstream JSON is shown (command_upstream does it). */
int command_debug(const struct command *cmd);
const char *command_session(const struct command *cmd);
/* Scratch pointer of the command's implementation, free()d with the command. */
void **command_scratch(struct command *cmd);

#endif
