/* rpc.h - one connection to jaliend that runs requests one after another
 * (command mode sends one REQUEST; chains, scripts and the interactive
 * shell send one per command over the same connection, docs/PROTOCOL.md). */
#ifndef ALIEN_RPC_H
#define ALIEN_RPC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "caps.h"
#include "conn.h"

#define RPC_USER_MAX 128	    /* bytes of the user name kept from EXIT */
#define RPC_CAPTURE_MAX (16u << 20) /* bytes a capture sink keeps (completion answers) */

/* Where a request's STDOUT goes: an fd, or memory (capture != 0). */
struct rpc_sink {
	int fd; /* -1: discard */
	int capture;
	char *buf; /* capture: NUL-terminated, malloc'ed */
	size_t len, cap;
	int truncated;
	struct rpc_sink *err; /* where STDERR goes (NULL: fd 2); only in the sink given as `out` */
};

struct rpc {
	int fd;		   /* -1: not connected (connected on first use) */
	struct conn_in in; /* read ahead from fd */
	/* fd's folder and peer uid were checked (a passphrase goes only there) */
	int peer_checked;
	char sock[512];
	uint32_t next_id;
	char cwd[LIM_PATH_MAX];	 /* the terminal's grid cwd, from the last EXIT ("" unknown) */
	char user[RPC_USER_MAX]; /* the account, from the last EXIT ("" unknown) */
};

/* Set by the interactive shell's SIGINT handler: the running request is
 * cancelled (CANCEL frame) and rpc_request returns 130. */
extern volatile sig_atomic_t rpc_interrupted;

/* Prepare (no connection yet); prog names us in messages. */
void rpc_init(struct rpc *r, const char *prog);
/* Run one command: argv[0..argc) with the global JSON flag; `extra` (may be
 * NULL) is a JSON object whose members are added to the REQUEST. Returns
 * the exit code (0-255); local problems print one line on stderr and give
 * the codes of docs/PROTOCOL.md (107 no daemon, 22 bad argument ...). */
int rpc_request(struct rpc *r, char *const *argv, int argc, int json, cJSON *extra,
		struct rpc_sink *out);
void rpc_close(struct rpc *r);
/* This terminal's session key (ALIEN_SESSION, else sid:<getsid(0)>). A
 * request also names ALIEN_SESSION_FROM when set (an `alien -j` line: its
 * session starts as a copy of that terminal's, docs/PROTOCOL.md). */
void rpc_session_key(char *out, size_t n);

#endif
