/* cmdxml.c - see cmdxml.h. The collection is written as alien.py 1.6.3
 * prints it (minidom's pretty print: tab indents, attributes in its order). */
#include "cmdxml.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/safefile.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"
#include "xrootd/xfer.h"

static const char cmdxml_help_local[] = "\nAdditionally the client implements these options:"
					"\n-local: specify that the target lfns are local files"
					"\nfor -x (output file) and -l (file with lfns) the file: "
					"and alien: represent the location of file"
					"\nthe inferred defaults are that the target files and the "
					"output files are of the same type";

struct cmdxml;

struct cmdxml_file {
	struct cmdxml *x; /* the owner */
	/* resolved, or NULL: an empty element (a -l line that is no file) */
	char *path;
	struct stat st;
	char md5[40];
	struct xfer_job *job;
};

struct cmdxml {
	struct command *cmd;
	char *out_file; /* -x, or NULL */
	int n, pending;
	struct cmdxml_file files[];
};

/* "file:" / "alien:" / "file://" prefixes, as alien.py's lfn_prefix_re takes them away */
static const char *cmdxml_unprefix(const char *s)
{
	for (;;) {
		const char *p = strncmp(s, "alien", 5) == 0  ? s + 5
				: strncmp(s, "file", 4) == 0 ? s + 4
							     : NULL,
			   *q = p;

		while (q && (*q == ':' || (q[0] == '/' && q[1] == '/')))
			q += *q == ':' ? 1 : 2;
		if (!p || q == p)
			return s;
		s = q;
	}
}

/* A local path as the shim means it (~, relative to its folder), resolved. */
static char *cmdxml_resolve(struct command *cmd, const char *p)
{
	const char *home = command_env(cmd, "HOME"), *cwd = command_local_cwd(cmd);
	struct strbuf sb = { 0 };
	char *full, *real;

	if ((p[0] == '~' && (p[1] == '/' || !p[1])) && home)
		strbuf_addf(&sb, "%s%s", home, p + 1);
	else if (p[0] != '/' && cwd)
		strbuf_addf(&sb, "%s/%s", cwd, p);
	else
		strbuf_adds(&sb, p);
	full = strbuf_cstr(&sb);
	real = full ? realpath(full, NULL) : NULL;
	strbuf_free(&sb);
	return real;
}

static void cmdxml_attr(struct strbuf *sb, const char *k, const char *v)
{
	strbuf_addf(sb, " %s=\"", k);
	for (; *v; v++) {
		if (*v == '&')
			strbuf_adds(sb, "&amp;");
		else if (*v == '<')
			strbuf_adds(sb, "&lt;");
		else if (*v == '>')
			strbuf_adds(sb, "&gt;");
		else if (*v == '"')
			strbuf_adds(sb, "&quot;");
		else
			strbuf_addc(sb, *v);
	}
	strbuf_addc(sb, '"');
}

static void cmdxml_element(struct strbuf *sb, const struct cmdxml_file *f)
{
	char ctime_s[32] = "", perm[32] = "", size[32] = "", owner[64] = "", group[64] = "",
	     turl[PATH_MAX + 8] = "";
	const char *name = "";

	if (f->path) {
		struct passwd *pw = getpwuid(f->st.st_uid);
		struct group *gr = getgrgid(f->st.st_gid);
		struct tm tm;
		char mode[32];

		name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
		localtime_r(&f->st.st_ctime, &tm);
		strftime(ctime_s, sizeof(ctime_s), "%Y-%m-%d %H:%M:%S", &tm);
		/* Python: str(oct(mode))[5:] */
		snprintf(mode, sizeof(mode), "0o%o", (unsigned)f->st.st_mode);
		snprintf(perm, sizeof(perm), "%s", strlen(mode) > 5 ? mode + 5 : "");
		snprintf(size, sizeof(size), "%lld", (long long)f->st.st_size);
		snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "");
		snprintf(group, sizeof(group), "%s", gr ? gr->gr_name : "");
		snprintf(turl, sizeof(turl), "file://%s", f->path);
	}
	strbuf_adds(sb, "\t\t\t<file");
	cmdxml_attr(sb, "name", name);
	cmdxml_attr(sb, "aclId", "");
	cmdxml_attr(sb, "broken", f->path ? "0" : "");
	cmdxml_attr(sb, "ctime", ctime_s);
	cmdxml_attr(sb, "dir", "");
	cmdxml_attr(sb, "entryId", "");
	cmdxml_attr(sb, "expiretime", "");
	cmdxml_attr(sb, "gowner", group);
	cmdxml_attr(sb, "guid", "");
	cmdxml_attr(sb, "guidtime", "");
	cmdxml_attr(sb, "jobid", "");
	cmdxml_attr(sb, "lfn", turl);
	cmdxml_attr(sb, "md5", f->path ? f->md5 : "");
	cmdxml_attr(sb, "owner", owner);
	cmdxml_attr(sb, "perm", perm);
	cmdxml_attr(sb, "replicated", f->path ? "0" : "");
	cmdxml_attr(sb, "size", size);
	cmdxml_attr(sb, "turl", turl);
	cmdxml_attr(sb, "type", f->path ? "f" : "");
	strbuf_adds(sb, "/>\n");
}

static void cmdxml_finish(struct cmdxml *x)
{
	struct strbuf sb = { 0 };
	char err[PATH_MAX + 40];

	strbuf_adds(&sb, "<?xml version=\"1.0\" ?>\n<alien>\n");
	if (!x->n) {
		strbuf_adds(&sb, "\t<collection name=\"tempCollection\"/>\n");
	} else {
		strbuf_adds(&sb, "\t<collection name=\"tempCollection\">\n");
		for (int i = 0; i < x->n; i++) {
			strbuf_addf(&sb, "\t\t<event name=\"%d\">\n", i + 1);
			cmdxml_element(&sb, &x->files[i]);
			strbuf_adds(&sb, "\t\t</event>\n");
		}
		strbuf_adds(&sb, "\t</collection>\n");
	}
	strbuf_adds(&sb, "</alien>\n");
	if (!strbuf_cstr(&sb)) {
		command_fail(x->cmd, JD_EXIT_NOMEM);
		return;
	}
	if (x->out_file) {
		int fd = safefile_create(x->out_file); /* a FIFO there would block the loop */
		ssize_t w = fd >= 0 ? write(fd, sb.data, sb.len) : -1;

		if (fd < 0 || w != (ssize_t)sb.len || close(fd) != 0) {
			snprintf(err, sizeof(err), "Error writing %s\n", x->out_file);
			command_reply(x->cmd, NULL, err, 1);
			strbuf_free(&sb);
			return;
		}
	}
	command_reply(x->cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
}

static void cmdxml_md5_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cmdxml_file *f = owner;
	struct cmdxml *x = f->x;

	(void)job;
	f->job = NULL;
	snprintf(f->md5, sizeof(f->md5), "%.32s",
		 !res->ok				  ? "-1"
		 : strncmp(res->checksum, "md5:", 4) == 0 ? res->checksum + 4
							  : res->checksum);
	if (--x->pending == 0)
		cmdxml_finish(x);
}

/* command_hold's release: the transfers stop, all is freed. */
static void cmdxml_release(void *state)
{
	struct cmdxml *x = state;

	for (int i = 0; i < x->n; i++) {
		if (x->files[i].job)
			xfer_cancel(x->files[i].job);
		free(x->files[i].path);
	}
	free(x->out_file);
	free(x);
}

/* ---- the command line ---- */

/* -x FILE: without its file: prefix, in the shim's folder unless absolute (malloc'ed). */
static char *cmdxml_local_out(struct command *cmd, const char *out)
{
	const char *o = cmdxml_unprefix(out), *cwd = command_local_cwd(cmd);
	struct strbuf sb = { 0 };

	if (o[0] == '/' || !cwd)
		return strdup(o);
	strbuf_addf(&sb, "%s/%s", cwd, o);
	return strbuf_cstr(&sb);
}

static void cmdxml_help_done(struct command *cmd, void *arg, cJSON *reply, int code,
			     const char *msg)
{
	struct strbuf sb = { 0 };

	(void)arg, (void)code, (void)msg;
	command_reply_text(reply, &sb, NULL);
	while (sb.len && sb.data[sb.len - 1] == '\n')
		sb.len--;
	strbuf_addf(&sb, "%s\n", cmdxml_help_local);
	/* no server text: alien.py's output starts with its own line */
	if (sb.data && sb.data[0] == '\n')
		memmove(sb.data, sb.data + 1, sb.len--);
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
		      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM), sb.data ? 0 : JD_EXIT_NOMEM);
	strbuf_free(&sb);
}

/* Write len bytes to path (made or truncated): 0, or -errno; closed on every path. */
static int cmdxml_write_file(const char *path, const char *data, size_t len)
{
	int fd = safefile_create(path), rc = 0; /* never a FIFO the loop would wait on */
	ssize_t w;

	if (fd < 0)
		return fd;
	w = len ? write(fd, data, len) : 0;
	if (w != (ssize_t)len)
		rc = w < 0 ? -errno : -EIO; /* short: the disk is full */
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* A grid toXml whose -x names a local file: the server's output is written there too. */
static void cmdxml_grid_done(struct command *cmd, void *arg, cJSON *reply, int code,
			     const char *msg)
{
	struct cmdxml *x = arg;
	struct strbuf out = { 0 }, err = { 0 };

	if (reply)
		code = command_reply_text(reply, &out, &err);
	else
		strbuf_addf(&err, "%s\n", msg);
	if ((out.len && !strbuf_cstr(&out)) || (err.len && !strbuf_cstr(&err))) {
		command_fail(cmd, JD_EXIT_NOMEM);
	} else if (cmdxml_write_file(x->out_file, out.data, out.len) < 0) {
		strbuf_reset(&err);
		strbuf_addf(&err, "Error writing %s\n", x->out_file);
		command_reply(cmd, NULL, strbuf_cstr(&err), 1);
	} else {
		command_reply(cmd, out.len ? out.data : NULL, err.len ? err.data : NULL, code);
	}
	strbuf_free(&out);
	strbuf_free(&err);
}

static int cmdxml_fail(struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int cmdxml_fail(struct command *cmd, const char *fmt, ...)
{
	char line[PATH_MAX + 200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	command_reply(cmd, NULL, line, 1);
	return 1;
}

/* The -l list: its words, as alien.py reads it (comment lines and blank lines skipped). */
static int cmdxml_read_list(struct command *cmd, const char *list, char ***words, int *nwords)
{
	char *path = cmdxml_resolve(cmd, list), *text, *line, *save = NULL;
	/* not a FIFO: it would block the loop */
	FILE *fh = path ? safefile_fopen(path, SAFEFILE_FOLLOW) : NULL;
	size_t len;
	int n = 0;

	free(path);
	*words = NULL;
	*nwords = 0;
	if (!fh)
		return -ENOENT;
	text = calloc(1, CMDXML_LIST_MAX + 1);
	*words = calloc(CMDXML_FILES_MAX, sizeof(char *));
	if (!text || !*words) {
		fclose(fh);
		free(text);
		free(*words);
		*words = NULL;
		return -ENOMEM;
	}
	len = fread(text, 1, CMDXML_LIST_MAX, fh);
	fclose(fh);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line && n < CMDXML_FILES_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line + strspn(line, " \t\r"), *w, *wsave = NULL;

		if (!*p || *p == '#' || *p == ';' || strncmp(p, "//", 2) == 0)
			continue;
		for (w = strtok_r(p, " \t\r", &wsave); w && n < CMDXML_FILES_MAX;
		     w = strtok_r(NULL, " \t\r", &wsave))
			if (!((*words)[n++] = strdup(w)))
				break;
	}
	free(text);
	*nwords = n;
	return 0;
}

static void cmdxml_words_free(char **w, int n)
{
	for (int i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

int cmdxml_run(struct command *cmd, const cJSON *argv, int help)
{
	const cJSON *a;
	const char *out = NULL, *list = NULL, *names[CMDXML_NAMES_MAX];
	char **words = NULL;
	int local = 0, append = 0, nnames = 0, nwords = 0, from_list, n;
	struct cmdxml *x;

	if (help || !argv->child->next)
		return command_upstream(cmd, "toXml",
					cJSON_CreateStringArray((const char *[]){ "-h" }, 1),
					UP_REQ_READONLY, cmdxml_help_done, NULL) < 0
			       ? -ENOMEM
			       : 1;
	for (a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring;

		if (strcmp(v, "-local") == 0)
			local = 1;
		else if (strcmp(v, "-a") == 0)
			append = 1;
		else if ((strcmp(v, "-x") == 0 || strcmp(v, "-l") == 0) && a->next) {
			*(v[1] == 'x' ? &out : &list) = a->next->valuestring;
			a = a->next;
		} else if (strcmp(v, "-i") != 0) {
			if (nnames == CMDXML_NAMES_MAX)
				return cmdxml_fail(
					cmd,
					"toXml: more than %s files named (give a list with -l)\n",
					"256");
			names[nnames++] = v;
		}
	}
	if (append && !out)
		return cmdxml_fail(
			cmd,
			"Append operation need -x argument for specification of target file\n");
	if (!local && (!out || strncmp(out, "file:", 5) != 0))
		return 0; /* the server's toXml */
	if (!local) {
		cJSON *opts = cJSON_CreateArray();

		x = calloc(1, sizeof(*x));
		if (!x || !opts) {
			free(x);
			cJSON_Delete(opts);
			return -ENOMEM;
		}
		command_hold(cmd, x, cmdxml_release);
		if (!(x->out_file = cmdxml_local_out(cmd, out))) {
			cJSON_Delete(opts);
			return -ENOMEM;
		}
		for (a = argv->child->next; a; a = a->next)
			if (strcmp(a->valuestring, "-x") == 0 && a->next)
				a = a->next; /* the local file is ours */
			else
				cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
		return command_upstream(cmd, "toXml", opts, UP_REQ_READONLY, cmdxml_grid_done, x) <
				       0
			       ? -ENOMEM
			       : 1;
	}
	if (append)
		return cmdxml_fail(
			cmd,
			"toXml::local usage - appending to local xml is WIP, try without -a\n");
	from_list = list != NULL;
	if (from_list) {
		int r = cmdxml_read_list(cmd, list, &words, &nwords);

		if (r == -ENOMEM)
			return -ENOMEM;
		if (r < 0)
			return cmdxml_fail(cmd, "filelist %s could not be found!!\n", list);
		if (!nwords) {
			cmdxml_words_free(words, nwords);
			return cmdxml_fail(cmd, "No files could be read from %s\n", list);
		}
		if (strncmp(words[0], "alien:", 6) == 0) {
			cmdxml_words_free(words, nwords);
			return cmdxml_fail(cmd, "Local filelists should contain only local files "
						"(not alien: lfns)\n");
		}
	} else if (!nnames) {
		return cmdxml_fail(cmd, "Invalid list of files: []\n");
	}
	if (out && strncmp(out, "alien:", 6) == 0) {
		cmdxml_words_free(words, nwords);
		return cmdxml_fail(cmd,
				   "For the moment upload the resulting file by hand in grid\n");
	}
	n = from_list ? nwords : nnames;
	x = calloc(1, sizeof(*x) + (size_t)n * sizeof(x->files[0]));
	if (!x) {
		cmdxml_words_free(words, nwords);
		return -ENOMEM;
	}
	x->cmd = cmd;
	command_hold(cmd, x, cmdxml_release);
	if (out && !(x->out_file = cmdxml_local_out(cmd, out))) {
		cmdxml_words_free(words, nwords);
		return -ENOMEM;
	}
	xfer_init(command_lws_context(cmd));
	for (int i = 0; i < n; i++) {
		/* the arguments are taken as given (a file: one is no file: dropped, as alien.py);
		 * the list's lines lose their file: prefix, and one that is no file is an empty
		  * element */
		char *p = cmdxml_resolve(cmd, from_list ? cmdxml_unprefix(words[i]) : names[i]);
		struct cmdxml_file *f = &x->files[x->n];

		if (p && stat(p, &f->st) == 0 && S_ISREG(f->st.st_mode)) {
			f->path = p;
		} else {
			free(p);
			if (!from_list)
				continue;
		}
		x->n++;
	}
	cmdxml_words_free(words, nwords);
	for (int i = 0; i < x->n; i++) {
		struct cmdxml_file *f = &x->files[i];
		struct xfer_req r = xfer_req_md5(f->path);

		f->x = x;
		if (!f->path)
			continue;
		f->job = xfer_submit(&r, cmdxml_md5_done, NULL, f);
		if (!f->job)
			snprintf(f->md5, sizeof(f->md5), "-1");
		else
			x->pending++;
	}
	if (!x->pending)
		cmdxml_finish(x);
	return 1;
}
