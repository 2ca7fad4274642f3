/* reply.h - builds one JCentral JSON reply, byte-compatible with the json-simple writer.
 *
 * Mirrors the server's JSONPrintWriter: a reply is a list of rows, a row is an ordered
 * key -> string map (insertion order kept, re-putting a key keeps its position), and the
 * "message" key accumulates free text. -nomsg drops text, -nokeys drops fields; a row that
 * never received anything does not exist. Trailing newlines of messages are stripped.
 */
#ifndef JCL_REPLY_H
#define JCL_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define JCL_REPLY_MAX (256u << 20) /* serialized reply cap (bytes) */

/* Growable byte buffer with a hard cap. */
struct jcl_buf {
	char *p;
	size_t len, cap;
};
int jcl_buf_add(struct jcl_buf *b, const void *data, size_t n);
int jcl_buf_adds(struct jcl_buf *b, const char *s);
int jcl_buf_addf(struct jcl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jcl_buf_free(struct jcl_buf *b);
/* Append s as a JSON string literal with json-simple escaping ("/" -> "\/", ...). */
int jcl_buf_add_json_str(struct jcl_buf *b, const char *s);

struct reply;

struct reply *reply_new(void);
void reply_free(struct reply *r);

void reply_set_filters(struct reply *r, bool nomsg, bool nokeys);
int reply_out(struct reply *r, const char *text);
int reply_outf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int reply_field(struct reply *r, const char *key, const char *value);
int reply_fieldf(struct reply *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void reply_next(struct reply *r);

/* exitcode = code, error = "<strerror(code)> : <detail>" (or just strerror if detail empty). */
void reply_error(struct reply *r, int code, const char *detail);
void reply_errorf(struct reply *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* JCentral's printErr: text appended to error, exitcode unchanged. */
void reply_err_append(struct reply *r, const char *text);
/* exitcode = code, error = text verbatim. */
void reply_error_raw(struct reply *r, int code, const char *text);
int reply_exitcode(const struct reply *r);

/* Serialize {"metadata":{currentdir,exitcode,error,user},"results":[...]}; caller frees. */
char *reply_serialize(struct reply *r, const char *currentdir, const char *user, size_t *len);

#endif
