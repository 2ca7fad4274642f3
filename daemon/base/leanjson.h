/* leanjson.h - parse a JCentral reply that will only be printed, without a
 * tree for its big results array (upstream/usession.c parses, command/render.c
 * prints). */
#ifndef JALIEND_LEANJSON_H
#define JALIEND_LEANJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define LEANJSON_MIN (64 << 10) /* results text from which leanjson_parse keeps it as text */

/* Parse a reply that will only be printed. Everything but a big results
 * array becomes a cJSON tree; that array stays JSON text, in text's own
 * buffer, as a cJSON_Raw item "results" that render_reply (command/render.c) walks one element
 * at a time: a reply of N bytes then costs about N bytes, not the 3-4 N of a
 * full tree. Any reply that is not strict JSON, or has a small results
 * array, is parsed whole by cJSON (the outcome is the same as
 * cJSON_ParseWithLength). Takes text (malloc'd, len bytes, no NUL needed)
 * in every case; NULL when it is not JSON (or out of memory). */
cJSON *leanjson_parse(char *text, size_t len);

/* p moved past JSON whitespace (not beyond end). */
const char *leanjson_ws(const char *p, const char *end);

#endif
