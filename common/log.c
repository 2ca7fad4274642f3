/* log.c - see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "jaliend";
static int log_level = LOG_NOTICE;
static int log_journal; /* stderr is connected to journald: use <N> prefixes */

static int log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%lu:%lu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, int max_level)
{
	log_ident = ident;
	log_level = max_level;
	log_journal = log_stderr_is_journal();
}

void log_set_level(int max_level)
{
	log_level = max_level;
}

/* The end of a token in a log line: a URL parameter value or an envelope
 * ends at white space, a quote, a backslash (JSON's \" and \n) or a '<'. */
static int log_redact_end(char ch)
{
	return ch == '\0' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '"' || ch == '\'' ||
	       ch == '<' || ch == '>' || ch == '`';
}

/* Copy `from` (up to n bytes) to out, then "<redacted>" for [a, b). */
static size_t log_redact_put(char *out, size_t o, size_t cap, const char *from, size_t n, int mark)
{
	static const char mk[] = "<redacted>";

	if (o + n >= cap)
		n = cap - 1 - o;
	memcpy(out + o, from, n);
	o += n;
	if (mark) {
		n = sizeof(mk) - 1;
		if (o + n >= cap)
			n = cap - 1 - o;
		memcpy(out + o, mk, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

size_t log_redact(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	const char *p = in;

	if (!cap)
		return 0;
	out[0] = '\0';
	while (*p) {
		const char *a = strstr(p, "authz="), *s = strstr(p, "signature="),
			   *e = strstr(p, "-----BEGIN SEALED");
		const char *hit = a, *from, *to;

		if (s && (!hit || s < hit))
			hit = s;
		if (e && (!hit || e < hit))
			hit = e;
		if (!hit)
			break;
		if (hit == a) { /* the URL's authz value: the whole envelope */
			from = a + 6;
			to = from;
			while (!log_redact_end(*to))
				to++;
			/* an encrypted envelope: to its end marker, else to the token's end */
		} else if (hit == e) {
			const char *end = strstr(e, "-----END SEALED ENVELOPE-----");

			from = e;
			to = end ? end + 29 : e;
			while (!end && !log_redact_end(*to))
				to++;
		} else { /* a signed envelope (key=value&...&signature=...): the whole token */
			from = s;
			while (from > p && !log_redact_end(from[-1]) && from[-1] != '[' &&
			       from[-1] != ',')
				from--;
			to = s + 10;
			while (!log_redact_end(*to))
				to++;
		}
		o = log_redact_put(out, o, cap, p, (size_t)(from - p), 1);
		p = to;
	}
	return log_redact_put(out, o, cap, p, strlen(p), 0);
}

void log_msg(int level, const char *fmt, ...)
{
	char line[2048], red[2048];
	int saved = errno;
	size_t off = 0;
	va_list ap;

	if (level > log_level)
		return;
	if (log_journal) {
		off = (size_t)snprintf(line, sizeof(line), "<%d>", level);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					".%03ldZ %s[%d]: ", ts.tv_nsec / 1000000, log_ident,
					(int)getpid());
	}
	errno = saved; /* so that %m works */
	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	va_end(ap);
	if (strstr(line, "authz=") || strstr(line, "signature=") ||
	    strstr(line, "-----BEGIN SEALED"))
		memcpy(line, red, log_redact(line, red, sizeof(red)) + 1);
	off = strlen(line);
	if (off >= sizeof(line) - 1)
		off = sizeof(line) - 2;
	line[off++] = '\n';
	(void)!write(STDERR_FILENO, line, off);
	errno = saved;
}
