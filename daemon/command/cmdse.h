/* cmdse.h - alien.py's client-side storage commands: pfn (whereis -r, the
 * PFNs only), getSE and SEqos (listSEs and alien.py's selection of it). */
#ifndef JALIEND_CMDSE_H
#define JALIEND_CMDSE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define CMDSE_LABELS_MAX 16 /* SE labels of one getSE / SEqos */
#define CMDSE_LABEL_MAX 256 /* bytes of one label */

struct command;

/* Run pfn, getSE or SEqos (argv[0], help already answered); 1 or -ENOMEM. */
int cmdse_run(struct command *cmd, cJSON *argv);

struct strbuf;
/* A row's field as text (a number without decimals, in buf); NULL when missing. */
const char *cmdse_field(const cJSON *row, const char *key, char *buf, size_t n);
/* alien.py's getSE match of an SE row: a number in seNumber, else the label
 * in the name, number or endpoint, case-insensitive. */
int cmdse_match(const cJSON *se, const char *label);
/* url's netloc (scheme:// and the path after the first '/' dropped) onto out. */
void cmdse_netloc(const char *url, char *out, size_t n);
/* Reply with sb stripped of trailing blanks plus one newline (alien.py's print); frees sb. */
void cmdse_reply_sb(struct command *cmd, struct strbuf *sb, int code, const char *err);
/* Python's repr() of a str onto sb: quoted, backslash and control bytes escaped. */
void cmdse_repr(struct strbuf *sb, const char *s);

#endif
