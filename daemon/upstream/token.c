/* token.c - see token.h. */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "creds.h"
#include "log.h"
#include "base/strbuf.h"
#include "upstream.h"

#define TOKEN_RETRY_S 30     /* after a failed request */
#define TOKEN_MIN_LEFT_S 600 /* alien.py's rule: a token with less left is not used */
#define TOKEN_PEM_MAX 16384  /* bytes of a token certificate or key */

/* A token certificate and its key: the PEM text and what it parses to. */
struct token_pair {
	char *cert_pem, *key_pem;
	unsigned cert_len, key_len;
	X509 *x;
	EVP_PKEY *k;
};

static struct {
	struct lws_context *ctx;
	const struct jd_config *cfg;
	char cert[1024], key[1024];
	/* PEM text from the environment, until written to cert, key */
	const char *cert_pem, *key_pem;
	char subject[256];
	struct token_pair cur;	 /* the token in use, as the daemon holds it */
	struct token_pair found; /* a valid token token_configure found in the files */
	char problem[1200];	 /* why the files found there were not used ("" none) */
	time_t not_after, got_at, renew_at;
	struct lws_vhost *vh, *old_vh;
	lws_sorted_usec_list_t sul_renew;
	int in_flight;
	int can_login; /* 0: token only, no user certificate to renew it with */
	unsigned long issued, failures;
	char last_error[320];  /* holds a token_failed reason (<= 300 bytes) */
	char files_error[400]; /* why the token files could not be written ("" written) */
} tok;

static void (*token_new_hook)(void); /* token_on_new */

/* One token file: $env (a path, or the PEM text itself: *pem then, to be
 * written to <socket>.<name>.pem), else $TMPDIR/<name>_<uid>.pem. */
static void token_path(char *out, size_t n, const char **pem, const char *env, const char *name)
{
	const char *v = getenv(env), *tmp = getenv("TMPDIR");

	*pem = NULL;
	if (v && strncmp(v, "-----BEGIN", 10) == 0) {
		snprintf(out, n, "%s.%s.pem", tok.cfg->socket_path, name);
		*pem = v;
	} else if (v && *v) {
		snprintf(out, n, "%s", v);
	} else {
		snprintf(out, n, "%s/%s_%u.pem", tmp && *tmp ? tmp : "/tmp", name,
			 (unsigned)getuid());
	}
}

static time_t token_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

static void token_pair_free(struct token_pair *p)
{
	creds_wipe(p->cert_pem, p->cert_len);
	creds_wipe(p->key_pem, p->key_len);
	X509_free(p->x);
	EVP_PKEY_free(p->k);
	memset(p, 0, sizeof(*p));
}

/* One half of a token: the PEM text given (copied), else the file, which
 * must be the user's own and private (it lives in a shared folder). */
static int token_load_text(const char *path, const char *text, char **out, unsigned *len, char *why,
			   size_t whyn)
{
	if (text) {
		*len = (unsigned)strnlen(text, TOKEN_PEM_MAX + 1);
		if (*len > TOKEN_PEM_MAX || !(*out = strndup(text, *len))) {
			snprintf(why, whyn, "the token text is over %d bytes", TOKEN_PEM_MAX);
			return -EINVAL;
		}
		return 0;
	}
	return creds_read(path, 1, out, len, why, whyn);
}

/* Parse p's text: a certificate and the key that belongs to it. 0 or -EINVAL. */
static int token_pair_parse(struct token_pair *p, const char *what, char *why, size_t whyn)
{
	BIO *b = BIO_new_mem_buf(p->cert_pem, (int)p->cert_len);

	p->x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = p->x ? BIO_new_mem_buf(p->key_pem, (int)p->key_len) : NULL;
	p->k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	if (!p->x || !p->k) {
		snprintf(why, whyn, "the token %s does not parse", what);
		return -EINVAL;
	}
	/* e.g. a writer killed between the two renames */
	if (X509_check_private_key(p->x, p->k) != 1) {
		snprintf(why, whyn, "the key %s does not match the certificate; not used", what);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

/* Read the token files (or the PEM text from the environment) into p; why
 * says what was wrong ("" for files that are not there). */
static int token_read(struct token_pair *p, char *why, size_t whyn)
{
	int r;

	memset(p, 0, sizeof(*p));
	why[0] = '\0';
	if ((r = token_load_text(tok.cert, tok.cert_pem, &p->cert_pem, &p->cert_len, why, whyn)) <
		    0 ||
	    (r = token_load_text(tok.key, tok.key_pem, &p->key_pem, &p->key_len, why, whyn)) < 0 ||
	    (r = token_pair_parse(p, tok.key_pem ? "(text)" : tok.key, why, whyn)) < 0) {
		if (r == -ENOENT)
			why[0] = '\0';
		token_pair_free(p);
		return -EINVAL;
	}
	return 0;
}

static time_t token_not_after(const struct token_pair *p)
{
	return token_asn1_time(X509_get0_notAfter(p->x));
}

int token_identity(X509 **cert, EVP_PKEY **key)
{
	if (!tok.cur.x || token_not_after(&tok.cur) <= time(NULL))
		return -ENOENT;
	*cert = tok.cur.x;
	*key = tok.cur.k;
	return 0;
}

/* When to renew a token we hold since `from` that ends at not_after. */
static time_t token_renew_time(time_t from, time_t not_after)
{
	time_t at = from + (not_after - from) * 2 / 3;

	if (not_after - from > 3 * TOKEN_MIN_LEFT_S && at > not_after - TOKEN_MIN_LEFT_S)
		at = not_after - TOKEN_MIN_LEFT_S;
	return at;
}

static void token_request(void);

static void token_renew_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (tok.vh)
		log_info("token: renewing (ends in %ld s)", (long)(tok.not_after - time(NULL)));
	else
		log_info("token: asking JCentral for a token again");
	token_request();
}

static void token_schedule(time_t at)
{
	time_t now = time(NULL);

	lws_sul_schedule(tok.ctx, 0, &tok.sul_renew, token_renew_cb,
			 (lws_usec_t)(at > now ? at - now : 1) * LWS_US_PER_SEC);
}

/* Log new sessions in with the token p (taken over) and serve it on the JBox. */
static int token_use(struct token_pair *p)
{
	char err[300];
	struct lws_vhost *vh;
	time_t na = token_not_after(p);

	vh = creds_vhost_mem(p->cert_pem, p->cert_len, p->key_pem, p->key_len, "the token", err,
			     sizeof(err));
	if (!vh) {
		log_warn("token: %s", err);
		token_pair_free(p);
		return -EINVAL;
	}
	token_pair_free(&tok.cur);
	tok.cur = *p;
	memset(p, 0, sizeof(*p));
	X509_NAME_oneline(X509_get_subject_name(tok.cur.x), tok.subject, (int)sizeof(tok.subject));
	creds_vhost_drop(tok.old_vh); /* two renewals old: its sessions were retired long ago */
	tok.old_vh = tok.vh;
	tok.vh = vh;
	tok.not_after = na;
	tok.got_at = time(NULL);
	tok.renew_at = token_renew_time(tok.got_at, na);
	upstream_use_token(vh);
	if (token_new_hook)
		token_new_hook();
	if (!tok.can_login) {
		log_notice("token: no user certificate: this token is used until it ends in %ld s "
			   "and cannot be renewed",
			   (long)(na - tok.got_at));
		return 0;
	}
	token_schedule(tok.renew_at);
	log_notice("token: using %s until %ld (renewal in %ld s)", tok.subject, (long)na,
		   (long)(tok.renew_at - tok.got_at));
	return 0;
}

/* Write a PEM to a private temporary file beside path (mode 0400, synced);
 * its name goes to tmp. 0, or -errno with nothing left behind. */
static int token_stage(const char *path, const char *pem, char *tmp, size_t tn)
{
	size_t n = strlen(pem), done = 0;
	int fd, r = 0;

	if (n == 0 || n > TOKEN_PEM_MAX)
		return -EINVAL;
	snprintf(tmp, tn, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < n && r == 0) {
		ssize_t w = write(fd, pem + done, n - done);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			done += (size_t)w;
	}
	if (r == 0 && pem[n - 1] != '\n' && write(fd, "\n", 1) != 1)
		r = -EIO;
	if (r == 0 && (fchmod(fd, 0400) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Replace the token key and certificate (either may be NULL). Both are
 * written first and renamed back to back, so readers never see half a file
 * and (alien.py) do not find a new key beside the old certificate for longer
 * than two system calls; two files cannot be swapped atomically. */
static int token_write_pair(const char *key_pem, const char *cert_pem)
{
	char kt[1100] = "", ct[1100] = "";
	int r = 0;

	if (key_pem)
		r = token_stage(tok.key, key_pem, kt, sizeof(kt));
	if (r == 0 && cert_pem)
		r = token_stage(tok.cert, cert_pem, ct, sizeof(ct));
	if (r == 0 && kt[0] && rename(kt, tok.key) < 0)
		r = -errno;
	if (r == 0 && ct[0] && rename(ct, tok.cert) < 0)
		r = -errno;
	if (r < 0) { /* a file already renamed is gone from its temporary name */
		if (kt[0])
			unlink(kt);
		if (ct[0])
			unlink(ct);
	}
	return r;
}

/* Temporary files a killed daemon left beside a token file: ours, a minute
 * old (a live writer renames its own within milliseconds). */
static void token_sweep(const char *path)
{
	char pat[1100];
	struct stat st;
	glob_t g;

	snprintf(pat, sizeof(pat), "%s.??????", path);
	if (glob(pat, GLOB_NOSORT, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (lstat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == getuid() && st.st_mtime < time(NULL) - 60 &&
		    unlink(g.gl_pathv[i]) == 0)
			log_info("token: removed %s, left by a daemon that was killed",
				 g.gl_pathv[i]);
	globfree(&g);
}

static const char *token_field(const cJSON *reply, const char *key)
{
	const cJSON *row =
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void token_failed(const char *why)
{
	tok.failures++;
	snprintf(tok.last_error, sizeof(tok.last_error), "%s", why);
	log_warn("token: %s; trying again in %d s", why, TOKEN_RETRY_S);
	token_schedule(time(NULL) + TOKEN_RETRY_S);
}

/* The token files were written (w == 0) or not (-errno): a token that could
 * not be written is used from memory all the same (asking again would not
 * help: the name stays planted), and why is said once, loudly, in the log and
 * in `alien-daemon status`, until a later write works. */
static void token_files_written(int w)
{
	char why[400];

	if (w == 0) {
		if (tok.files_error[0])
			log_notice("token: the token files %s, %s are written again", tok.cert,
				   tok.key);
		tok.files_error[0] = '\0';
		return;
	}
	snprintf(why, sizeof(why), "cannot write the token files %.120s, %.120s: %.60s", tok.cert,
		 tok.key,
		 w == -EISDIR		       ? "a folder is at that name"
		 : w == -EPERM || w == -EACCES ? "another user owns that name or its folder"
					       : strerror(-w));
	if (strcmp(why, tok.files_error))
		log_warn("token: %s; the token is used from memory (alien.py and other tools will "
			 "not find it "
			 "there; remove what is at that name, then run `alien-daemon renew`)",
			 why);
	snprintf(tok.files_error, sizeof(tok.files_error), "%s", why);
}

static void token_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	const char *cert = token_field(reply, "tokencert"), *key = token_field(reply, "tokenkey");
	struct token_pair p = { 0 };
	char why[300];
	(void)r;
	tok.in_flight = 0;
	if (!reply) {
		snprintf(why, sizeof(why), "no token (%d): %.250s", code, msg);
		token_failed(why);
	} else if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") != 0 || !cert || !key) {
		token_failed("JCentral gave no token (exit code or empty fields)");
	} else if (token_load_text(NULL, cert, &p.cert_pem, &p.cert_len, why, sizeof(why)) < 0 ||
		   token_load_text(NULL, key, &p.key_pem, &p.key_len, why, sizeof(why)) < 0 ||
		   token_pair_parse(&p, "from JCentral", why, sizeof(why)) < 0) {
		token_pair_free(&p);
		token_failed(why);
	} else if (token_files_written(token_write_pair(key, cert)), token_use(&p) < 0) {
		token_failed("the token JCentral sent cannot be used");
	} else {
		tok.issued++;
		tok.last_error[0] = '\0';
	}
	cJSON_Delete(reply);
}

static void token_request(void)
{
	cJSON *opts = cJSON_CreateArray();
	struct up_req *r;

	if (tok.in_flight)
		return;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	r = upstream_req_new("token", opts, NULL, token_done, &tok);
	if (!r) {
		token_failed(exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	/* a token asked over a token session cannot outlive that token (spec
	 * 6.1): ask on a session of its own, logged in with the user certificate */
	r->flags = UP_REQ_PRIVATE | UP_REQ_LOGIN;
	r->internal = 1;
	tok.in_flight = 1;
	upstream_submit(r);
}

/* The valid token in the files, into tok.found (else why it is not usable in
 * tok.problem). */
static int token_find(void)
{
	token_pair_free(&tok.found);
	if (token_read(&tok.found, tok.problem, sizeof(tok.problem)) < 0)
		return 0;
	if (token_not_after(&tok.found) - time(NULL) > TOKEN_MIN_LEFT_S)
		return 1;
	token_pair_free(&tok.found);
	return 0;
}

int token_configure(const struct jd_config *cfg)
{
	tok.cfg = cfg;
	token_path(tok.cert, sizeof(tok.cert), &tok.cert_pem, "JALIEN_TOKEN_CERT", "tokencert");
	token_path(tok.key, sizeof(tok.key), &tok.key_pem, "JALIEN_TOKEN_KEY", "tokenkey");
	return token_find();
}

const char *token_problem(void)
{
	return tok.problem[0] ? tok.problem : NULL;
}

/* The token given as PEM text goes to files too, where alien.py looks. */
static int token_keep_pem(void)
{
	int r = token_write_pair(tok.key_pem, tok.cert_pem);

	if (r == 0)
		tok.key_pem = tok.cert_pem = NULL;
	if (r < 0)
		log_warn("token: cannot write the token from the environment to %s: %s", tok.cert,
			 strerror(-r));
	return r;
}

void token_start(struct lws_context *ctx, int can_login)
{
	tok.ctx = ctx;
	tok.can_login = can_login;
	token_sweep(tok.cert);
	token_sweep(tok.key);
	/* again, now that the log is where it stays (the daemon went to the background) */
	if (!token_find() && tok.problem[0])
		log_notice("token: %s", tok.problem);
	if (tok.found.x && token_keep_pem() == 0 && token_use(&tok.found) == 0) {
		log_info("token: found a valid token in %s", tok.cert);
		return;
	}
	if (can_login)
		token_request();
}

const char *token_cert_path(void)
{
	return tok.cert;
}

void token_status(struct strbuf *out)
{
	time_t now = time(NULL);

	if (!tok.vh) {
		strbuf_addf(out, "token: none yet%s%s (files %s, %s)\n",
			    tok.last_error[0] ? ": " : "", tok.last_error, tok.cert, tok.key);
		return;
	}
	strbuf_addf(out, "token: %s\n", tok.subject);
	if (tok.can_login)
		strbuf_addf(out, "token expires: in %ld s (renewal in %ld s), files %s, %s\n",
			    (long)(tok.not_after - now), (long)(tok.renew_at - now), tok.cert,
			    tok.key);
	else
		strbuf_addf(out,
			    "token expires: in %ld s (no user certificate: not renewed), files %s, "
			    "%s\n",
			    (long)(tok.not_after - now), tok.cert, tok.key);
	strbuf_addf(out, "tokens issued: %lu, failed requests %lu%s%s\n", tok.issued, tok.failures,
		    tok.last_error[0] ? ", last: " : "", tok.last_error);
	if (tok.files_error[0])
		strbuf_addf(out, "token files: NOT WRITTEN: %s; the token is used from memory\n",
			    tok.files_error);
}

void token_stop(void)
{
	if (tok.ctx)
		lws_sul_cancel(&tok.sul_renew);
}

void token_on_new(void (*fn)(void))
{
	token_new_hook = fn;
}

int token_renew_now(char *why, size_t whyn)
{
	if (!tok.can_login) {
		snprintf(why, whyn, "no user certificate: a token cannot be renewed with a token");
		return -EPERM;
	}
	if (tok.in_flight) {
		snprintf(why, whyn, "a token request is already running");
		return -EBUSY;
	}
	log_info("token: renewal asked for by a client");
	lws_sul_cancel(&tok.sul_renew);
	token_request();
	return 0;
}

void token_fini(void)
{
	token_pair_free(&tok.cur);
	token_pair_free(&tok.found);
}

/* ---- for token-init / token-destroy (command/cmdcert.c): a token the asking
 * command got from JCentral goes to the files and is used from now on ---- */
int token_install(const char *key_pem, const char *cert_pem)
{
	struct token_pair p = { 0 };
	char why[300];
	int r;

	if (token_load_text(NULL, cert_pem, &p.cert_pem, &p.cert_len, why, sizeof(why)) < 0 ||
	    token_load_text(NULL, key_pem, &p.key_pem, &p.key_len, why, sizeof(why)) < 0 ||
	    token_pair_parse(&p, "from JCentral", why, sizeof(why)) < 0) {
		token_pair_free(&p);
		return -EINVAL;
	}
	if ((r = token_write_pair(key_pem, cert_pem)) < 0) {
		token_pair_free(&p);
		return r;
	}
	if (token_use(&p) < 0)
		return -EINVAL;
	tok.issued++;
	tok.last_error[0] = '\0';
	return 0;
}
