/* lpclient.c - an independent client of the local protocol, for tests.
 *
 * Written from docs/PROTOCOL.md alone: it does not link common/frame.c, so a
 * bug shared by the shim and the daemon cannot hide behind a shared codec.
 * It sends what a script says, then prints every frame that comes back, one
 * line each, and checks the daemon's frames against the contract (length cap,
 * known type, zero flags, JSON objects in control frames).
 *
 *   lpclient [-s SOCKET] [-t SECONDS] [-p] [-n CONNECTIONS] STEP...
 *
 * Steps (sent in order; escapes \n \r \t \0 \\ \xHH in payloads and raw bytes):
 *   hello               HELLO {"proto":1,"client":"lpclient",...}
 *   hello:JSON          HELLO with this payload
 *   run:WORDS           REQUEST {"argv":[WORDS split on spaces],"session":"lpclient"}
 *   req:JSON            REQUEST with this payload
 *   frame:T:F:ID:DATA   a frame of type T, flags F, id ID, payload DATA
 *   hdr:LEN:T:F:ID      a bare 12-byte header announcing LEN bytes
 *   raw:DATA            bytes as they are
 *   file:T:PATH         a frame of type T whose payload is the file's content
 *   sleep:MS            wait (not reading)
 *   wait:NAME           read and print frames until one of type NAME arrives
 *   cork, flush         collect what the steps between send, then send it
 *                       in one write (several frames in one read of the daemon)
 *   shut                shut the writing side down
 * After the steps, frames are read and printed until EOF or the timeout.
 *
 * Output lines: "HELLO id=0 {...}", "STDOUT id=1 2 frames 40 bytes" (data
 * frames are summed; -p prints them), "EOF after 0.01 s", "TIMEOUT after 5 s".
 * Exit status: 0 EOF, 3 timeout, 4 the daemon broke the contract, 2 usage
 * or connection error.
 *
 * With -n N it opens N connections first (all held open), then sends the
 * steps on each (no sleep/wait steps) and prints one line per outcome:
 * "EXIT 0: 400", "ERROR 16: 600", "EOF: 0", "TIMEOUT: 0". */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define LP_HDR 12
#define LP_PAYLOAD_MAX (1u << 20) /* PROTOCOL.md: at most 1 MiB */
#define LP_DATA_MAX (64u << 10)	  /* STDOUT/STDERR: at most 64 KiB */
#define LP_TYPES 9

static const char *const lp_names[] = { "?",	"HELLO", "REQUEST",  "STDOUT",	   "STDERR",
					"EXIT", "ERROR", "PROGRESS", "PASSPHRASE", "CANCEL" };

struct lp_conn {
	int fd;
	unsigned char *in;
	size_t in_len, in_cap;
	int done;    /* EOF or a broken contract */
	int outcome; /* for -n: last EXIT/ERROR type */
	int code;
	/* data frames summed until another frame comes */
	int data_type;
	unsigned long data_frames, data_bytes;
	uint32_t data_id;
};

static int lp_print_data;
static unsigned char *lp_cork; /* "cork": bytes held until "flush" */
static size_t lp_cork_len;
static int lp_corked;
static int lp_many_mode; /* -n: no line per failed send */
static double lp_start;
static int lp_broken;

static double lp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lp_die(const char *what) __attribute__((noreturn));
static void lp_die(const char *what)
{
	fprintf(stderr, "lpclient: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint32_t lp_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void lp_put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
}

static int lp_type(const char *s)
{
	for (int i = 1; i <= LP_TYPES; i++)
		if (strcmp(s, lp_names[i]) == 0)
			return i;
	return atoi(s);
}

/* Decode the escapes of s into a new buffer; *n gets its length. */
static unsigned char *lp_unescape(const char *s, size_t *n)
{
	unsigned char *out = malloc(strlen(s) + 1);
	size_t o = 0;

	if (!out)
		lp_die("malloc");
	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[o++] = (unsigned char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			out[o++] = '\n';
			s++;
			break;
		case 'r':
			out[o++] = '\r';
			s++;
			break;
		case 't':
			out[o++] = '\t';
			s++;
			break;
		case '0':
			out[o++] = 0;
			s++;
			break;
		case 'x': {
			char hex[3] = { s[1], s[1] ? s[2] : 0, 0 };

			out[o++] = (unsigned char)strtoul(hex, NULL, 16);
			s += 1 + strlen(hex);
			break;
		}
		default: out[o++] = (unsigned char)*s++; break;
		}
	}
	*n = o;
	return out;
}

static void lp_write_all(struct lp_conn *c, const void *p, size_t n)
{
	const unsigned char *b = p;

	if (lp_corked) {
		lp_cork = realloc(lp_cork, lp_cork_len + n);
		if (!lp_cork)
			lp_die("realloc");
		memcpy(lp_cork + lp_cork_len, p, n);
		lp_cork_len += n;
		return;
	}
	while (n) {
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) { /* the daemon closed: what it said is read later */
			if (!lp_many_mode)
				printf("SEND failed: %s\n", strerror(errno));
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

static void lp_send_frame(struct lp_conn *c, unsigned type, unsigned flags, uint32_t id,
			  const void *p, size_t n)
{
	unsigned char hdr[LP_HDR];

	lp_put_u32(hdr, (uint32_t)n);
	hdr[4] = (unsigned char)(type >> 8);
	hdr[5] = (unsigned char)type;
	hdr[6] = (unsigned char)(flags >> 8);
	hdr[7] = (unsigned char)flags;
	lp_put_u32(hdr + 8, id);
	lp_write_all(c, hdr, sizeof(hdr));
	if (n)
		lp_write_all(c, p, n);
}

static char *lp_read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		lp_die(path);
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		lp_die(path);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		lp_die(path);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* REQUEST for "run:WORDS". */
static char *lp_run_json(const char *words)
{
	cJSON *o = cJSON_CreateObject(), *argv = cJSON_AddArrayToObject(o, "argv");
	char *copy = strdup(words), *save = NULL, *text;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cJSON_AddItemToArray(argv, cJSON_CreateString(w));
	cJSON_AddStringToObject(o, "session", "lpclient");
	cJSON_AddStringToObject(o, "cwd", "/");
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(copy);
	return text;
}

static void lp_flush_data(struct lp_conn *c)
{
	if (!c->data_frames)
		return;
	printf("%s id=%u %lu frame%s %lu bytes\n", lp_names[c->data_type], c->data_id,
	       c->data_frames, c->data_frames == 1 ? "" : "s", c->data_bytes);
	c->data_frames = c->data_bytes = 0;
}

static void lp_contract(struct lp_conn *c, const char *why)
{
	lp_flush_data(c);
	printf("BROKEN CONTRACT: %s\n", why);
	lp_broken = 1;
	c->done = 1;
}

/* One complete frame from the daemon. */
static void lp_on_frame(struct lp_conn *c, unsigned type, uint32_t id, const unsigned char *p,
			uint32_t n, int quiet)
{
	if (type == 3 || type == 4) {
		if (n > LP_DATA_MAX)
			lp_contract(c, "a data frame over 64 KiB");
		if (c->data_frames && (int)type != c->data_type)
			lp_flush_data(c);
		c->data_type = (int)type;
		c->data_id = id;
		c->data_frames++;
		c->data_bytes += n;
		if (lp_print_data && !quiet) {
			lp_flush_data(c);
			printf("  %.*s\n", (int)(n > 1000 ? 1000 : n), (const char *)p);
		}
		return;
	}
	if (!quiet)
		lp_flush_data(c);
	cJSON *o = cJSON_ParseWithLength((const char *)p, n);
	if (!cJSON_IsObject(o)) {
		lp_contract(c, "a control frame that is not a JSON object");
	} else {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");

		if (type == 5 || type == 6) {
			c->outcome = (int)type;
			c->code = cJSON_IsNumber(code) ? code->valueint : -1;
		}
		if (!quiet)
			printf("%s id=%u %.*s\n", lp_names[type], id, (int)(n > 2000 ? 2000 : n),
			       (const char *)p);
	}
	cJSON_Delete(o);
}

/* Decode what is buffered; returns the type of the last frame decoded, or 0. */
static int lp_decode(struct lp_conn *c, int quiet)
{
	size_t off = 0;
	int last = 0;

	while (!c->done && c->in_len - off >= LP_HDR) {
		const unsigned char *h = c->in + off;
		uint32_t n = lp_u32(h);
		unsigned type = (unsigned)h[4] << 8 | h[5], flags = (unsigned)h[6] << 8 | h[7];

		if (n > LP_PAYLOAD_MAX || type == 0 || type > LP_TYPES || flags) {
			lp_contract(c, "a frame header outside the contract");
			break;
		}
		if (c->in_len - off - LP_HDR < n)
			break;
		lp_on_frame(c, type, lp_u32(h + 8), h + LP_HDR, n, quiet);
		last = (int)type;
		off += LP_HDR + n;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	return last;
}

/* Read once (blocking up to ms); returns the last frame type, 0, or -1 on EOF/timeout. */
static int lp_read_some(struct lp_conn *c, int ms, int quiet)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t r;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	if (c->in_cap - c->in_len < 65536) {
		c->in_cap = c->in_cap ? c->in_cap * 2 : 262144;
		c->in = realloc(c->in, c->in_cap);
		if (!c->in)
			lp_die("realloc");
	}
	r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0) {
		if (!quiet) {
			lp_flush_data(c);
			if (c->in_len)
				printf("TRUNCATED: %zu bytes of a frame before EOF\n", c->in_len);
			printf("EOF after %.2f s%s\n", lp_now() - lp_start,
			       r < 0 ? " (reset)" : "");
		}
		c->done = 1;
		return -1;
	}
	c->in_len += (size_t)r;
	return lp_decode(c, quiet);
}

static int lp_remaining_ms(double deadline)
{
	double left = deadline - lp_now();

	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static int lp_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		lp_die("socket");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		lp_die(path);
	return fd;
}

/* One step on c; returns -1 when reading hit the deadline. */
static int lp_step(struct lp_conn *c, const char *step, uint32_t *next_id, double deadline)
{
	const char *arg = strchr(step, ':');
	size_t n;
	unsigned char *buf;
	char *text;

	arg = arg ? arg + 1 : "";
	if (strcmp(step, "hello") == 0) {
		char h[128];

		snprintf(h, sizeof(h),
			 "{\"proto\":1,\"client\":\"lpclient\",\"version\":\"0\",\"pid\":%d}",
			 (int)getpid());
		lp_send_frame(c, 1, 0, 0, h, strlen(h));
	} else if (strncmp(step, "hello:", 6) == 0) {
		buf = lp_unescape(arg, &n);
		lp_send_frame(c, 1, 0, 0, buf, n);
		free(buf);
	} else if (strncmp(step, "run:", 4) == 0) {
		text = lp_run_json(arg);
		lp_send_frame(c, 2, 0, (*next_id)++, text, strlen(text));
		free(text);
	} else if (strncmp(step, "req:", 4) == 0) {
		buf = lp_unescape(arg, &n);
		lp_send_frame(c, 2, 0, (*next_id)++, buf, n);
		free(buf);
	} else if (strncmp(step, "frame:", 6) == 0) {
		unsigned t, f;
		unsigned long id;
		int used = 0;
		char tname[16];

		if (sscanf(arg, "%15[^:]:%u:%lu:%n", tname, &f, &id, &used) < 3 || !used)
			return fprintf(stderr, "lpclient: bad step %s\n", step), exit(2), 0;
		t = (unsigned)lp_type(tname);
		buf = lp_unescape(arg + used, &n);
		lp_send_frame(c, t, f, (uint32_t)id, buf, n);
		free(buf);
	} else if (strncmp(step, "hdr:", 4) == 0) {
		unsigned long len, id;
		unsigned f;
		char tname[16];
		unsigned char h[LP_HDR];

		if (sscanf(arg, "%lu:%15[^:]:%u:%lu", &len, tname, &f, &id) != 4)
			return fprintf(stderr, "lpclient: bad step %s\n", step), exit(2), 0;
		lp_put_u32(h, (uint32_t)len);
		h[4] = 0;
		h[5] = (unsigned char)lp_type(tname);
		h[6] = (unsigned char)(f >> 8);
		h[7] = (unsigned char)f;
		lp_put_u32(h + 8, (uint32_t)id);
		lp_write_all(c, h, sizeof(h));
	} else if (strncmp(step, "raw:", 4) == 0) {
		buf = lp_unescape(arg, &n);
		lp_write_all(c, buf, n);
		free(buf);
	} else if (strncmp(step, "file:", 5) == 0) {
		char tname[16];
		const char *path = strchr(arg, ':');

		if (!path || path - arg >= (long)sizeof(tname))
			return fprintf(stderr, "lpclient: bad step %s\n", step), exit(2), 0;
		snprintf(tname, sizeof(tname), "%.*s", (int)(path - arg), arg);
		text = lp_read_file(path + 1, &n);
		lp_send_frame(c, (unsigned)lp_type(tname), 0, (*next_id)++, text, n);
		free(text);
	} else if (strncmp(step, "sleep:", 6) == 0) {
		struct timespec ts = { atoi(arg) / 1000, (long)(atoi(arg) % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	} else if (strncmp(step, "wait:", 5) == 0) {
		int want = lp_type(arg), got = 0;

		while (!c->done && got != want) {
			got = lp_read_some(c, lp_remaining_ms(deadline), 0);
			if (got < 0 && !c->done)
				return -1;
		}
	} else if (strcmp(step, "cork") == 0) {
		lp_corked = 1;
	} else if (strcmp(step, "flush") == 0) {
		lp_corked = 0;
		lp_write_all(c, lp_cork, lp_cork_len);
		free(lp_cork);
		lp_cork = NULL;
		lp_cork_len = 0;
	} else if (strcmp(step, "shut") == 0) {
		shutdown(c->fd, SHUT_WR);
	} else {
		fprintf(stderr, "lpclient: unknown step %s\n", step);
		exit(2);
	}
	return 0;
}

/* -n: hold n connections, then run the steps on each and count outcomes. */
static int lp_many(const char *path, int n, char **steps, int nsteps, double deadline)
{
	struct lp_conn *cs = calloc((size_t)n, sizeof(*cs));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	int counts[LP_TYPES + 1][256] = { { 0 } }, eof = 0, timeout = 0, open_ = n;

	if (!cs || !pfd)
		lp_die("calloc");
	for (int i = 0; i < n; i++)
		cs[i].fd = lp_connect(path);
	for (int i = 0; i < n; i++) {
		uint32_t id = 1;

		for (int s = 0; s < nsteps; s++)
			lp_step(&cs[i], steps[s], &id, deadline);
	}
	while (open_ > 0 && lp_remaining_ms(deadline) > 0) {
		int k = 0;

		for (int i = 0; i < n; i++)
			if (!cs[i].done)
				pfd[k++] = (struct pollfd){ .fd = cs[i].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)k, lp_remaining_ms(deadline)) <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (cs[i].done)
				continue;
			for (int j = 0; j < k; j++)
				if (pfd[j].fd == cs[i].fd && pfd[j].revents) {
					lp_read_some(&cs[i], 0, 1);
					/* an EXIT ends a one-request script too */
					if (cs[i].outcome == 5)
						cs[i].done = 1;
				}
			if (cs[i].done)
				open_--;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!cs[i].done)
			timeout++;
		else if (cs[i].outcome)
			counts[cs[i].outcome][cs[i].code & 0xff]++;
		else
			eof++;
		close(cs[i].fd);
	}
	for (int t = 5; t <= 6; t++)
		for (int code = 0; code < 256; code++)
			if (counts[t][code])
				printf("%s %d: %d\n", lp_names[t], code, counts[t][code]);
	printf("EOF: %d\nTIMEOUT: %d\n", eof, timeout);
	free(cs);
	free(pfd);
	return lp_broken ? 4 : timeout ? 3 : 0;
}

int main(int argc, char **argv)
{
	const char *path = getenv("JALIEND_SOCKET");
	double timeout = 10, deadline;
	struct lp_conn c = { .fd = -1 };
	uint32_t id = 1;
	int opt, many = 0;

	while ((opt = getopt(argc, argv, "s:t:pn:")) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 't': timeout = atof(optarg); break;
		case 'p': lp_print_data = 1; break;
		case 'n': many = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: lpclient [-s SOCKET] [-t SECONDS] [-p] [-n "
					"CONNECTIONS] STEP...\n");
			return 2;
		}
	}
	if (!path || !*path) {
		fprintf(stderr, "lpclient: no socket (-s or JALIEND_SOCKET)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lp_start = lp_now();
	deadline = lp_start + timeout;
	if (many > 0) {
		lp_many_mode = 1;
		return lp_many(path, many, argv + optind, argc - optind, deadline);
	}
	c.fd = lp_connect(path);
	for (int i = optind; i < argc && !c.done; i++)
		if (lp_step(&c, argv[i], &id, deadline) < 0)
			break;
	while (!c.done && lp_remaining_ms(deadline) > 0)
		lp_read_some(&c, lp_remaining_ms(deadline), 0);
	if (!c.done) {
		lp_flush_data(&c);
		printf("TIMEOUT after %.0f s\n", timeout);
	}
	free(c.in);
	close(c.fd);
	return lp_broken ? 4 : c.done ? 0 : 3;
}
