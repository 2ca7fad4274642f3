/* jdl.h - minimal JDL handling (protocol reference 9.3): ClassAd-like `Key = value;` text. */
#ifndef JCL_JDL_H
#define JCL_JDL_H

#include <stddef.h>

#define JDL_MAX (128 * 1024) /* JDL text after substitution */

/* Drop lines whose first non-blank character is '#', replace $1..$N by args (a missing
 * argument is an error). Returns the malloc'd text, or NULL with err set. */
char *jdl_prepare(const char *text, const char *const *args, size_t nargs, char *err, size_t errsz);

/* Call cb for each string of key (case-insensitive): one for "x", each element for {"a","b"},
 * the bare text for unquoted values. Returns the number of values (0: key absent). */
int jdl_values(const char *jdl, const char *key, void (*cb)(const char *v, void *arg), void *arg);
/* First value of key into out ("" and 0 if absent); 1 if found. */
int jdl_first(const char *jdl, const char *key, char *out, size_t outsz);

#endif
