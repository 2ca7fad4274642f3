/* jbox_json.h - JCentral's reply bytes for the JBox endpoint.
 *
 * The pool hands replies over parsed (cJSON); the JBox endpoint writes them
 * back out the way JCentral's serializer (json-simple 1.1.1) does: no
 * whitespace, keys in the order received, "/" as "\/", the usual \" \\ \b
 * \f \n \r \t, and U+0000-001F, U+007F-009F, U+2000-20FF as \uXXXX
 * (upper-case hex); other text verbatim (UTF-8). Numbers: integers as
 * digits, others as the shortest %g form that reads back the same. */
#ifndef JALIEND_JBOX_JSON_H
#define JALIEND_JBOX_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct strbuf;

/* Append v as JCentral would print it. 0, -ENOMEM or -E2BIG (b->max). */
int jbox_json_write(struct strbuf *b, const cJSON *v);
/* Append s as a json-simple string literal (with the quotes). */
int jbox_json_string(struct strbuf *b, const char *s);
/* An option element as JCentral stringifies it (String.valueOf): strings
 * as they are, numbers/booleans/null as their JSON text. Malloc'd or NULL. */
char *jbox_json_option_text(const cJSON *v);
/* Length of UTF-8 text in UTF-16 units (how JCentral counts its 130 KiB). */
size_t jbox_json_utf16_units(const unsigned char *p, size_t n);

#endif
