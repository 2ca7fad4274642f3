/* command.h - what a shim's REQUEST means: its shape, alien.py's rules that
 * are not one command's (the special words, -json), the terminal's cwd,
 * completion (complete.c), and the upstream request that carries a command
 * to JCentral. Which command a verb is, and who answers it, is the command
 * table's (common/cmdtab.def, dispatched by cmdbind.c). */
#ifndef JALIEND_COMMAND_H
#define JALIEND_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct command;
struct lws_context;
struct strbuf;

/* Where a request came from and where its output goes: a front door's
 * connection (local/client.c for a shim). This layer knows the doors only
 * through it. */
struct command_sink {
	void *conn;
	unsigned long serial;	    /* the connection's, for logs */
	const char *client_version; /* the shim's (HELLO), for `version`; outlives the command */
	struct lws_context *ctx;    /* the loop's context (xfer_init), or NULL */
	/* queue one frame (FRAME_*) of the request's output: 0, or -ENOBUFS */
	int (*send)(void *conn, uint16_t type, uint32_t id, const void *p, size_t n);
	int (*send_json)(void *conn, uint16_t type, uint32_t id, cJSON *obj); /* obj consumed */
	/* refuse the request: an ERROR frame, then the connection closes */
	void (*refuse)(void *conn, int code, const char *msg);
	/* output is ready: the door pulls it with command_produce */
	void (*wake)(void *conn);
};

/* Start the request in payload (REQUEST frame JSON) that came in by sink
 * (copied). Returns 0 with *out the command (running, or holding the answer
 * to a refused argument) or NULL (refused with sink->refuse); or -ENOMEM. */
int command_start(const struct command_sink *sink, uint32_t id, const char *payload, size_t len,
		  struct command **out);
/* Commands implemented above this layer (cp in cp/, `daemon` in ctl.c):
 * their rows in common/cmdtab.def are CMDTAB_REG; main.c binds each row's
 * handler before the first request. start gets the argv after alien.py's
 * rules; cancel (may be NULL) runs when its command is cancelled. Returns 0,
 * or -ENOENT when verb has no CMDTAB_REG row. */
typedef int (*command_ext_start_fn)(struct command *cmd, const cJSON *argv, const char *payload,
				    size_t len);
typedef void (*command_ext_cancel_fn)(struct command *cmd);
int command_extend(const char *verb, command_ext_start_fn start, command_ext_cancel_fn cancel);
/* Queue the next output frame(s) on the client; returns 1 once the EXIT
 * frame is queued and the command is freed, else 0. */
int command_produce(struct command *cmd);
/* Whether command_produce would queue something now. */
int command_has_output(const struct command *cmd);
/* The client is gone or gave up: forget the command (frees it). */
void command_cancel(struct command *cmd);

/* ---- for the files that implement commands (cmdlocal.c, complete.c) ---- */

/* Called with the arg given to command_upstream, JCentral's reply (owned by
 * the callee), or reply == NULL and an exit code with a message when there
 * was none. */
typedef void (*command_then_fn)(struct command *cmd, void *arg, cJSON *reply, int code,
				const char *msg);
/* One frame of output now (FRAME_STDOUT/_STDERR bytes, FRAME_PROGRESS JSON,
 * consumed), for output that is not the answer (cp's lines, its bar). */
int command_send(struct command *cmd, uint16_t type, const void *p, size_t n);
int command_send_json(struct command *cmd, uint16_t type, cJSON *obj);
/* Answer locally: out to stdout, err to stderr (either may be NULL). */
void command_reply(struct command *cmd, const char *out, const char *err, int code);
/* Answer with a reply of JCentral, rendered as alien.py does (takes reply). */
void command_reply_json(struct command *cmd, cJSON *reply);
/* A reply of JCentral (taken) as alien.py prints it: stdout onto out, stderr
 * onto err (NULL: dropped); returns its exit code (1 when reply is NULL). */
int command_reply_text(cJSON *reply, struct strbuf *out, struct strbuf *err);
/* Send verb + options (taken over) to JCentral in the terminal's cwd with
 * UP_REQ_* flags; then(cmd, arg, ...) gets the answer (then NULL: it is
 * printed). Returns 0 or -ENOMEM. */
int command_upstream(struct command *cmd, const char *verb, cJSON *options, unsigned flags,
		     command_then_fn then, void *arg);
/* A request of the command's own (several may be in flight; cmd->ureq is not
 * touched): verb + options (taken over) in the terminal's cwd, with UP_REQ_*
 * flags, for upstream_submit; NULL on ENOMEM. */
struct up_req;
struct up_req *
command_upstream_req(struct command *cmd, const char *verb, cJSON *options, unsigned flags,
		     void (*done)(struct up_req *req, cJSON *reply, int code, const char *msg),
		     void *owner);
/* JALIENPY_DEBUG: one JSON text sent (received 0) or received (1), on the shim's stderr. */
void command_trace_to(struct command *cmd, int received, const char *text, size_t len);
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
/* The command owns state (its implementation's, e.g. the arg its callbacks
 * get) from now on: release(state) runs when the command ends or is
 * cancelled (release NULL: free(state)); it stops what still points at the
 * command. One state at a time: holding another releases the one before.
 * state NULL: nothing is held any more (the one before is released). */
void command_hold(struct command *cmd, void *state, void (*release)(void *state));
/* A variable of the shim's environment it sent (REQUEST "env"), else NULL. */
const char *command_env(struct command *cmd, const char *name);
/* The shim's terminal width (0 if unknown), JSON output wanted, session key. */
int command_cols(const struct command *cmd);
int command_json(const struct command *cmd);
/* JALIENPY_DEBUG asked for: the upstream JSON is shown (command_upstream does it). */
int command_debug(const struct command *cmd);
const char *command_session(const struct command *cmd);

/* ---- exit codes (issue 30): the one table, common/exitcodes.def ---- */
#include "exitcodes.h"
/* Answer cmd with code's line from the table: "jaliend: <meaning>" on
 * stderr and exit code (JD_EXIT_NOMEM: "jaliend: out of memory"). */
void command_fail(struct command *cmd, int code);

#endif
