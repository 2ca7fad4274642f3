/* log.h - one-line logging to stderr; <N> priority prefixes under journald.
 * Library code in common/ logs at LOG_DEBUG at most. */
#ifndef JALIEND_LOG_H
#define JALIEND_LOG_H

#include <syslog.h> /* LOG_ERR .. LOG_DEBUG */

void log_init(const char *ident, int max_level);
void log_set_level(int max_level);
int log_get_level(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
