/* cmduri.c - see cmduri.h. */
#include "cmduri.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cmdlocal.h"
#include "cmdse.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"
#include "xrootd/xfer.h"

struct cmduri {
	struct command *cmd;
	char *lfn;	  /* expanded, specs cut off */
	char *specs;	  /* after @ (NULL: none) */
	char *local;	  /* the local file (as given) */
	char *local_path; /* write: resolved against the shim's folder */
	int strict, http, meta, write;
	long long size;
	struct xfer_job *job; /* write: the md5 of the local file */
};

/* command_hold's release: the md5 stops, all is freed. */
static void cmduri_release(void *state)
{
	struct cmduri *u = state;

	if (u->job)
		xfer_cancel(u->job);
	free(u->lfn);
	free(u->specs);
	free(u->local);
	free(u->local_path);
	free(u);
}

static void cmduri_fail(struct cmduri *u, const char *first)
{
	struct strbuf e = { 0 };

	strbuf_addf(&e, "%sCould not not create URIs/meta for: %s\n", first ? first : "", u->lfn);
	command_reply(u->cmd, NULL, strbuf_cstr(&e) ? e.data : exitcode_line(JD_EXIT_NOMEM),
		      strbuf_cstr(&e) ? 1 : JD_EXIT_NOMEM);
	strbuf_free(&e);
}

/* uuid.uuid5(uuid.NAMESPACE_URL, name) as text */
static int cmduri_uuid5(const char *name, char out[37])
{
	static const unsigned char ns[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
					      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) &&
		 EVP_DigestUpdate(c, ns, sizeof(ns)) && EVP_DigestUpdate(c, name, strlen(name)) &&
		 EVP_DigestFinal_ex(c, h, &hl);

	EVP_MD_CTX_free(c);
	if (!ok || hl < 16)
		return -ENOMEM;
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	for (int i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", h[i]);
		o += 2;
	}
	return 0;
}

static void cmduri_xml(struct strbuf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '<')
			strbuf_adds(b, "&lt;");
		else if (*s == '>')
			strbuf_adds(b, "&gt;");
		else if (*s == '&')
			strbuf_adds(b, "&amp;");
		else
			strbuf_addc(b, *s);
}

/* The metalink of alien.py's create_metafile, written beside the shim (a
 * temporary name renamed into place: never half-written); its path. */
static void cmduri_meta(struct cmduri *u, const cJSON *results)
{
	const char *cwd = command_local_cwd(u->cmd);
	struct strbuf m = { 0 }, path = { 0 }, tmp = { 0 }, out = { 0 };
	const cJSON *first = results->child, *row;
	char id[37], b1[64], b2[64], stamp[32], *zip = NULL, real[PATH_MAX];
	const char *size = cmdse_field(first, "size", b1, sizeof(b1)),
		   *md5 = cmdse_field(first, "md5", b2, sizeof(b2));
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1, err = 0;

	if (!cwd || cmduri_uuid5(u->lfn, id) < 0) {
		cmduri_fail(u, "Could not create the download metafile\n");
		return;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_addf(&m,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n <metalink "
		    "xmlns=\"urn:ietf:params:xml:ns:metalink\">\n"
		    "   <published>%s</published>\n   <file name=\"",
		    stamp);
	cmduri_xml(&m, u->local ? u->local : "");
	strbuf_adds(&m, "\">\n     <lfn>");
	cmduri_xml(&m, u->lfn);
	strbuf_addf(&m, "</lfn>\n     <size>%s</size>\n", size ? size : "");
	if (md5 && *md5)
		strbuf_addf(&m, "     <hash type=\"md5\">%s</hash>\n", md5);
	cJSON_ArrayForEach (row, results) {
		const cJSON *url = cJSON_GetObjectItemCaseSensitive(row, "url");
		const cJSON *env = cJSON_GetObjectItemCaseSensitive(row, "envelope");
		const char *s = cJSON_IsString(url) ? url->valuestring : "",
			   *hash = strrchr(s, '#');

		if (hash && !zip)
			zip = strdup(hash + 1); /* a member of an archive: xrdcl.unzip */
		strbuf_addf(&m, "     <url><![CDATA[%.*s?xrd.wantprot=unix&authz=%s]]></url>\n",
			    (int)(hash ? (size_t)(hash - s) : strlen(s)), s,
			    cJSON_IsString(env) ? env->valuestring : "");
	}
	strbuf_adds(&m, "   </file>\n </metalink>\n");
	strbuf_addf(&path, "%s/%s.meta4", cwd, id);
	strbuf_addf(&tmp, "%s/.%s.meta4.XXXXXX", cwd, id);
	if (!strbuf_cstr(&m) || !strbuf_cstr(&path) || !strbuf_cstr(&tmp)) {
		err = ENOMEM;
	} else if ((fd = mkstemp(tmp.data)) < 0) {
		err = errno;
	} else {
		/* small (a few KiB a replica): written at once, like the cp metalinks */
		if (write(fd, m.data, m.len) != (ssize_t)m.len || fsync(fd) < 0)
			err = errno ? errno : EIO;
		if (close(fd) < 0 && !err)
			err = errno;
		if (!err && rename(tmp.data, path.data) < 0)
			err = errno;
		if (err)
			unlink(tmp.data);
	}
	if (err) {
		char line[600];

		snprintf(line, sizeof(line),
			 "Could not create the download metafile for %.400s: %s\n", u->lfn,
			 strerror(err));
		cmduri_fail(u, line);
	} else {
		strbuf_addf(&out, "%s", realpath(path.data, real) ? real : path.data);
		if (zip && !command_env(u->cmd, "ALIENPY_NOXRDZIP"))
			strbuf_addf(&out, "?xrdcl.unzip=%s", zip);
		cmdse_reply_sb(u->cmd, &out, 0, NULL);
	}
	free(zip);
	strbuf_free(&m);
	strbuf_free(&path);
	strbuf_free(&tmp);
	strbuf_free(&out);
}

static void cmduri_access_done(struct command *cmd, void *arg, cJSON *reply, int code,
			       const char *msg)
{
	struct cmduri *u = arg;
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	const cJSON *row, *results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	struct strbuf sb = { 0 };
	char b1[32], b2[32];

	(void)code, (void)msg;
	if (reply && command_json(cmd) && !u->meta) {
		command_reply_json(cmd, reply);
		return;
	}
	if (!reply || !cJSON_IsString(ec) || strcmp(ec->valuestring, "0") ||
	    !cJSON_GetArraySize(results)) {
		cJSON_Delete(reply); /* alien.py keeps the server's reason to itself here */
		cmduri_fail(u, NULL);
		return;
	}
	if (u->meta) {
		cmduri_meta(u, results);
		cJSON_Delete(reply);
		return;
	}
	cJSON_ArrayForEach (row, results) {
		struct strbuf l = { 0 };
		const char *url = cmdse_field(row, "url", b1, sizeof(b1)),
			   *env = cmdse_field(row, "envelope", b2, sizeof(b2));

		strbuf_addf(&l, "%s?xrd.wantprot=unix&authz=%s", url ? url : "", env ? env : "");
		if (strbuf_cstr(&l))
			cmdse_repr(&sb, l.data);
		strbuf_addc(&sb, '\n');
		strbuf_free(&l);
	}
	cJSON_Delete(reply);
	cmdse_reply_sb(cmd, &sb, 0, NULL);
}

static int cmduri_access(struct cmduri *u, const char *md5)
{
	cJSON *opts = cJSON_CreateArray();
	char num[32];

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	if (u->strict)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-f"));
	if (u->http)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-u"));
	if (u->write) {
		snprintf(num, sizeof(num), "%lld", u->size);
		cJSON_AddItemToArray(opts, cJSON_CreateString("-s"));
		cJSON_AddItemToArray(opts, cJSON_CreateString(num));
		cJSON_AddItemToArray(opts, cJSON_CreateString("-m"));
		cJSON_AddItemToArray(opts, cJSON_CreateString(md5));
	}
	cJSON_AddItemToArray(opts, cJSON_CreateString(u->write ? "write" : "read"));
	cJSON_AddItemToArray(opts, cJSON_CreateString(u->lfn));
	if (u->specs && *u->specs) {
		cJSON_AddItemToArray(opts, cJSON_CreateString(u->specs));
	} else if (u->write) { /* alien.py's defaults */
		static const char *const small[] = { ".sh", ".C", ".jdl", ".xml" };
		size_t n = strlen(u->lfn);
		const char *spec = "disk:2";

		for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
			if (n >= strlen(small[i]) &&
			    strcmp(u->lfn + n - strlen(small[i]), small[i]) == 0 &&
			    u->size < CMDURI_SMALL_MAX)
				spec = "disk:4";
		cJSON_AddItemToArray(opts, cJSON_CreateString(spec));
	}
	return command_upstream(u->cmd, "access", opts, u->write ? 0 : UP_REQ_READONLY,
				cmduri_access_done, u);
}

static void cmduri_md5_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cmduri *u = owner;
	const char *md5 =
		strncmp(res->checksum, "md5:", 4) == 0 ? res->checksum + 4 : res->checksum;

	(void)job;
	u->job = NULL;
	if (!res->ok || !*md5) {
		char line[800];

		snprintf(line, sizeof(line),
			 "lfnAccessUrl/write token:: cannot read local file: %s: %s\n", u->local,
			 res->msg);
		cmduri_fail(u, line);
		return;
	}
	if (cmduri_access(u, md5) < 0)
		command_fail(u->cmd, JD_EXIT_NOMEM);
}

int cmduri_run(struct command *cmd, cJSON *argv)
{
	struct cmduri *u = calloc(1, sizeof(*u));
	const char *args[2] = { NULL, NULL };
	int nargs = 0;
	char *at;

	if (!u)
		return -ENOMEM;
	u->cmd = cmd;
	command_hold(cmd, u, cmduri_release);
	for (const cJSON *a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring;

		if (strcmp(v, "strict") == 0)
			u->strict = 1;
		else if (strcmp(v, "http") == 0)
			u->http = 1;
		else if (strcmp(v, "meta") == 0)
			u->meta = 1;
		else if (strcmp(v, "write") == 0 || strcmp(v, "upload") == 0)
			u->write = 1;
		else if (nargs < 2)
			args[nargs++] = v;
	}
	if (u->write && u->meta) {
		command_reply(cmd, NULL, "meta argument is incompatible with uploading\n", 1);
		return 1;
	}
	if (u->write && nargs < 2) {
		command_reply(cmd, NULL,
			      "for upload URIs two elements are required: lfn local_file\n", 1);
		return 1;
	}
	if (!nargs) {
		command_reply(cmd, NULL, "at least one argument is neeeded: lfn\n", 1);
		return 1;
	}
	/* the LFN as alien.py expands it (also for write, where alien.py sends it as typed) */
	if (!(u->lfn = cmdlocal_expand(args[0], command_term_cwd(cmd), upstream_home())))
		return -ENOMEM;
	at = strpbrk(u->lfn, "@,"); /* LFN@specs: the specs go apart */
	if (at) {
		if (!(u->specs = strdup(at + 1)))
			return -ENOMEM;
		*at = '\0';
	}
	if (strlen(u->lfn) > 1 && u->lfn[strlen(u->lfn) - 1] == '/')
		u->lfn[strlen(u->lfn) - 1] = '\0'; /* alien.py's normpath */
	if (nargs > 1 && !(u->local = strdup(args[1])))
		return -ENOMEM;
	if (!u->write)
		return cmduri_access(u, NULL) < 0 ? -ENOMEM : 1;
	{
		const char *cwd = command_local_cwd(cmd);
		struct strbuf p = { 0 };
		struct stat st;
		char line[600];

		if (u->local[0] == '/' || !cwd)
			strbuf_adds(&p, u->local);
		else
			strbuf_addf(&p, "%s/%s", cwd, u->local);
		if (!(u->local_path = strbuf_cstr(&p)))
			return -ENOMEM;
		if (stat(u->local_path, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(line, sizeof(line),
				 "lfnAccessUrl/write token:: invalid local file: %.500s\n",
				 u->local);
			cmduri_fail(u, line);
			return 1;
		}
		u->size = (long long)st.st_size;
		xfer_init(command_lws_context(cmd));
		struct xfer_req r = xfer_req_md5(u->local_path);
		u->job = xfer_submit(&r, cmduri_md5_done, NULL, u);
		if (!u->job)
			return -ENOMEM;
		return 1;
	}
}
