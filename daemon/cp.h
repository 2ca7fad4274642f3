/* cp.h - alien-cp inside the daemon (issue #6; docs/TRANSFERS.md).
 *
 * alien.py's forms and path rules (file: marks local, no prefix is grid),
 * uploads (size + md5 locally, access write, one copy per replica, commit
 * of each replica that succeeded), downloads (access read, one metalink
 * over all replicas, md5 checked, temporary name then rename), recursive
 * copies with the rsync trailing-slash rule. The copies run in xfer.c[c];
 * output lines and the summary are alien.py's; PROGRESS frames carry
 * {"bar":"<one line>"} when the shim's output is a terminal. */
#ifndef JALIEND_CP_H
#define JALIEND_CP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct command;
struct client;

#define CP_FILES_MAX 100000   /* files in one cp (a find reply beyond is refused) */
#define CP_JOBS_DEFAULT 8     /* -T default, as alien.py */
#define CP_BAR_MS 250         /* progress bar refresh */

/* Start `cp ...` for command cmd of client cl (request id). argv is the
 * command line (not kept); payload is the REQUEST (its "cwd" and "tty").
 * Output frames go straight to cl; the end goes through command_reply().
 * Returns 0 or -ENOMEM. */
int cp_start(struct command *cmd, struct client *cl, uint32_t id, const cJSON *argv, const char *payload,
	     size_t len);
/* The command goes away (shim gone, CANCEL): stop its transfers; the
 * workers remove partial files; nothing more is committed. No-op if cmd
 * runs no cp. */
void cp_cancel(struct command *cmd);

/* Paths (cp_path.c), exposed for tests. Results are malloc()ed, NULL on ENOMEM. */
/* A grid argument: alien:/alien:// stripped, %ALIEN and ~ -> home, . and
 * relative -> cwd; normalised; a trailing / is kept. */
char *cp_path_grid(const char *arg, const char *cwd, const char *home);
/* A local argument: file:/file:// stripped, ~ -> home, relative -> cwd. */
char *cp_path_local(const char *arg, const char *cwd, const char *home);
/* Remove //, /./ and /../ in place (absolute paths); keeps a trailing /. */
void cp_path_normalize(char *p);
/* What is kept of the source path below the destination folder:
 * parent > 0 keeps the last `parent` folders, rmprefix > 0 drops the first
 * `rmprefix` components, else base is the folder the copy is relative to. */
const char *cp_path_keep(const char *src, const char *base, int parent, int rmprefix, char *buf, size_t n);

#endif
