/* envfwd.h - the shell's environment that goes with a request (the daemon
 * reads it as this shell sees it), and the shim's debug log (ALIENPY_DEBUG). */
#ifndef ALIEN_ENVFWD_H
#define ALIEN_ENVFWD_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define ENVFWD_VALUE_MAX (16u << 10) /* bytes of one forwarded variable (a PEM certificate fits) */

/* Add the forwarded variables to env (an object). */
void envfwd_add(cJSON *env);
/* 1: the daemon's upstream JSON goes to stderr (JALIENPY_DEBUG), 2: to the
 * log file (ALIENPY_DEBUG: ALIENPY_DEBUG_FILE, else ~/alien_py.log), 0: none. */
int envfwd_debug(void);
/* 1 when the variable is set and not empty (alien.py's `if os.getenv(name)`). */
int envfwd_flag(const char *name);
/* 1 when this shell asks for JSON output of every command: ALIENPY_JSON, or
 * 1.7.0's ALIENPY_JSON_OUT_GLOBAL (what its -json and ALIENPY_JSON set). */
int envfwd_json(void);
/* Append debug text to the log file (opened once; errors are silent, as a log's). */
void envfwd_log(const void *p, size_t n);

#endif
