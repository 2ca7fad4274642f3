/* command_int.h - a request's state, shared by command.c (its life, its
 * answer, its upstream calls) and cmdreq.c (its REQUEST read); nothing else
 * includes it. */
#ifndef JALIEND_COMMAND_INT_H
#define JALIEND_COMMAND_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "command.h"

/* Output shape asked for with alien.py's special words (1.9). */
enum command_keys { CK_TEXT, CK_KEYS, CK_ALL };

struct command_ext;
struct render;
struct up_req;

struct command {
	struct command_sink sink; /* the door it came in by */
	const struct command_ext
		*ext; /* the registered command it runs (command_extend), or NULL */
	uint32_t id;
	char *session; /* terminal key */
	int json;
	enum command_keys keys;
	int debug; /* upstream JSON to this shim: 1 stderr, 2 its log (J/ALIENPY_DEBUG) */
	int cols;
	cJSON *env;		     /* the shim's variables (object), owned */
	cJSON *complete;	     /* a completion request {"kind","word"}, owned */
	struct up_req *ureq;	     /* while waiting for JCentral */
	command_then_fn then;	     /* what to do with its answer */
	void *then_arg;		     /* given back to then */
	struct render *render;	     /* once there is something to print */
	void *held;		     /* the implementation's state (command_hold) */
	void (*release)(void *held); /* frees it (NULL: free) */
	char *local_cwd;	     /* the shim's own working folder (REQUEST "cwd"), or NULL */
	const char *payload; /* the REQUEST, while command_start runs (for a registered start) */
	size_t len;
};

/* cmdreq.c: the REQUEST's shape checked and its settings read into cmd; its
 * argv after alien.py's rules, or NULL: refused through the sink, or
 * answered (*answered set: a bad argument gets exit 22 and one line). */
cJSON *cmdreq_parse(struct command *cmd, const char *payload, size_t len, int *answered);

#endif
