/* progress.c - see progress.h. */
#include "progress.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cjson/cJSON.h>

static int progress_tty = -1; /* -1: not asked yet */
static int progress_shown;

static void progress_write(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a bar is best effort */
		s += w;
		n -= (size_t)w;
	}
}

int progress_enabled(void)
{
	if (progress_tty < 0)
		progress_tty = isatty(STDERR_FILENO);
	return progress_tty;
}

void progress_draw(const char *payload, size_t len)
{
	cJSON *o;
	const cJSON *bar;
	char line[PROGRESS_LINE_MAX + 8];
	struct winsize ws;
	size_t n = 0, width = PROGRESS_LINE_MAX;

	if (!progress_enabled())
		return;
	o = cJSON_ParseWithLength(payload, len);
	bar = cJSON_GetObjectItemCaseSensitive(o, "bar");
	if (!cJSON_IsString(bar)) {
		cJSON_Delete(o);
		return;
	}
	/* a line as wide as the terminal wraps, and '\r' then cannot take it back */
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col - 1u < width)
		width = ws.ws_col - 1u;
	line[n++] = '\r';
	for (const unsigned char *p = (const unsigned char *)bar->valuestring; *p && n - 1 < width;
	     p++)
		line[n++] = (*p < 0x20 || *p >= 0x7f) ? '?' : (char)*p;
	memcpy(line + n, "\033[K", 3); /* erase what a longer bar left */
	n += 3;
	cJSON_Delete(o);
	progress_write(line, n);
	progress_shown = 1;
}

void progress_clear(void)
{
	if (!progress_shown)
		return;
	progress_shown = 0;
	progress_write("\r\033[K", 4);
}
