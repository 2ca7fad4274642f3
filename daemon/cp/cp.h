/* cp.h - alien-cp inside the daemon (issue #6; docs/cp.md).
 *
 * alien.py's forms and path rules (file: marks local, no prefix is grid),
 * uploads (size + md5 locally, access write, one copy per replica, commit
 * of each replica that succeeded, recovery passes on other SEs), downloads
 * (access read, one metalink over all replicas, md5 checked, temporary name
 * then rename), recursive copies with the rsync trailing-slash rule, filters,
 * -dst, -input, -dryrun. The implementation is cp.c, cp_opt.c, cp_plan.c,
 * cp_copy.c, cp_out.c (cp_int.h); the copies run in xfer.cc. */
#ifndef JALIEND_CP_H
#define JALIEND_CP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "exitcodes.h"

struct command;

#define CP_FILES_MAX 100000 /* files in one cp (a find reply beyond is refused) */
#define CP_JOBS_DEFAULT 8   /* -T default, as alien.py */
#define CP_BAR_MS 250	    /* progress bar refresh */

/* Start `cp ...` for command cmd (main.c registers it: command_extend). argv
 * is the command line (not kept); payload is the REQUEST (its "cwd" and
 * "tty"). Lines and the bar go out with command_send as they come; the end
 * goes through command_reply(). Returns 0 or -ENOMEM. The command holds the
 * cp (command_hold): when it goes away while the cp runs (shim gone, CANCEL),
 * its transfers stop, the workers remove partial files and nothing more is
 * committed. */
int cp_start(struct command *cmd, const cJSON *argv, const char *payload, size_t len);

/* The daemon stops (SIGTERM past --drain-time, or a second one): every cp
 * ends now with one line naming why and exit JD_EXIT_CANCELED; its
 * transfers are cancelled (the workers remove temporary files, metalinks
 * and partial uploads; xfer_fini waits for them). The number stopped. */
int cp_stop_all(const char *why);

/* The lws protocol that brings finished local walks (cp_walk.c) back to the
 * loop: main.c puts it in its protocol list, as xfer's. */
int cp_walk_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len);

/* Paths (cp_path.c): also used by tests/fuzz/fuzz_path.c through this header. */
#include "cp_path.h"

#endif
