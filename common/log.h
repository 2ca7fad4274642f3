/* log.h - one-line logging to stderr; <N> priority prefixes under journald.
 * Library code in common/ logs at LOG_DEBUG at most. */
#ifndef JALIEND_LOG_H
#define JALIEND_LOG_H

#include <stddef.h>
#include <syslog.h> /* LOG_ERR .. LOG_DEBUG */

void log_init(const char *ident, int max_level);
void log_set_level(int max_level);
/* Storage envelopes out of a log line (docs/RELIABILITY.md, threat model):
 * an authz= value, a signed envelope (a token holding signature=) and an
 * encrypted one (-----BEGIN SEALED ...) become "<redacted>". in to out (cap
 * bytes, always terminated); the length written. log_msg applies it to
 * every line. */
size_t log_redact(const char *in, char *out, size_t cap);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
