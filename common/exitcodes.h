/* exitcodes.h - the one table of the exit codes we produce (exitcodes.def):
 * an enum of their names, and their meanings. Shared by jaliend, the shim,
 * JBox and alien-direct. libc only. */
#ifndef JALIEND_EXITCODES_H
#define JALIEND_EXITCODES_H

#ifdef __cplusplus
extern "C" {
#endif

enum jd_exit {
#define EXIT_CODE(name, number, meaning) name = number,
#include "exitcodes.def"
#undef EXIT_CODE
};

/* The meaning of code (its first row), or NULL for a code not in the table
 * (JCentral's own, passed through). */
const char *exitcode_meaning(int code);
/* The name of code's first row ("JD_EXIT_NOMEM"), or NULL. */
const char *exitcode_name(int code);
/* jaliend's one-line answer for code: "jaliend: <meaning>\n" (a code not in
 * the table: "jaliend: failed\n"). A static string. */
const char *exitcode_line(int code);
/* The same without the newline, for a message field ("jaliend: out of memory"). */
const char *exitcode_message(int code);

#ifdef __cplusplus
}
#endif

#endif
