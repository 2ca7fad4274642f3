/* token.c - see token.h. */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
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
#include "strbuf.h"
#include "upstream.h"

#define TOKEN_RETRY_S 30      /* after a failed request */
#define TOKEN_MIN_LEFT_S 600  /* alien.py's rule: a token with less left is not used */
#define TOKEN_PEM_MAX 16384   /* bytes of a token certificate or key */

static struct {
	struct lws_context *ctx;
	const struct jd_config *cfg;
	char cert[1024], key[1024];
	char subject[256];
	time_t not_after, got_at, renew_at;
	struct lws_vhost *vh, *old_vh;
	lws_sorted_usec_list_t sul_renew;
	int in_flight;
	unsigned long issued, failures;
	char last_error[200];
} tok;

static void token_paths(void)
{
	const char *c = getenv("JALIEN_TOKEN_CERT"), *k = getenv("JALIEN_TOKEN_KEY");
	const char *tmp = getenv("TMPDIR");
	unsigned uid = (unsigned)getuid();

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (c && *c)
		snprintf(tok.cert, sizeof(tok.cert), "%s", c);
	else
		snprintf(tok.cert, sizeof(tok.cert), "%s/tokencert_%u.pem", tmp, uid);
	if (k && *k)
		snprintf(tok.key, sizeof(tok.key), "%s", k);
	else
		snprintf(tok.key, sizeof(tok.key), "%s/tokenkey_%u.pem", tmp, uid);
}

static time_t token_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

/* Read the token files: subject and notAfter, key matching. 0 or -errno. */
static int token_read(time_t *not_after, char *subject, size_t sn)
{
	FILE *f = fopen(tok.cert, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = NULL;
	int r = -EINVAL;

	if (f)
		fclose(f);
	if (!x)
		goto out;
	f = fopen(tok.key, "r");
	k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!k || X509_check_private_key(x, k) != 1)
		goto out;
	*not_after = token_asn1_time(X509_get0_notAfter(x));
	X509_NAME_oneline(X509_get_subject_name(x), subject, (int)sn);
	r = 0;
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return r;
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
	log_info("token: renewing (ends in %ld s)", (long)(tok.not_after - time(NULL)));
	token_request();
}

static void token_schedule(time_t at)
{
	time_t now = time(NULL);

	lws_sul_schedule(tok.ctx, 0, &tok.sul_renew, token_renew_cb,
			 (lws_usec_t)(at > now ? at - now : 1) * LWS_US_PER_SEC);
}

/* Log new sessions in with the token now in the files. */
static int token_use(void)
{
	char err[300];
	struct lws_vhost *vh;
	time_t na;

	if (token_read(&na, tok.subject, sizeof(tok.subject)) < 0)
		return -EINVAL;
	vh = creds_vhost(tok.cert, tok.key, NULL, err, sizeof(err));
	if (!vh) {
		log_warn("token: %s", err);
		return -EINVAL;
	}
	creds_vhost_drop(tok.old_vh); /* two renewals old: its sessions were retired long ago */
	tok.old_vh = tok.vh;
	tok.vh = vh;
	tok.not_after = na;
	tok.got_at = time(NULL);
	tok.renew_at = token_renew_time(tok.got_at, na);
	upstream_use_token(vh);
	token_schedule(tok.renew_at);
	log_notice("token: using %s until %ld (renewal in %ld s)", tok.subject, (long)na,
		   (long)(tok.renew_at - tok.got_at));
	return 0;
}

/* Write a PEM to path: a private temporary file in the same folder, mode
 * 0400, renamed over the old one, so readers never see half a file. */
static int token_write(const char *path, const char *pem)
{
	char tmp[1100];
	size_t n = strlen(pem), done = 0;
	int fd, r = 0;

	if (n == 0 || n > TOKEN_PEM_MAX)
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
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
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static const char *token_field(const cJSON *reply, const char *key)
{
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
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

static void token_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "metadata"),
							   "exitcode");
	const char *cert = token_field(reply, "tokencert"), *key = token_field(reply, "tokenkey");
	char why[300];
	int w;

	(void)r;
	tok.in_flight = 0;
	if (!reply) {
		snprintf(why, sizeof(why), "no token (%d): %.250s", code, msg);
		token_failed(why);
	} else if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") != 0 || !cert || !key) {
		token_failed("JCentral gave no token (exit code or empty fields)");
	} else if ((w = token_write(tok.key, key)) < 0 || (w = token_write(tok.cert, cert)) < 0) {
		snprintf(why, sizeof(why), "cannot write the token files %.100s, %.100s: %.60s", tok.cert, tok.key,
			 strerror(-w));
		token_failed(why);
	} else if (token_use() < 0) {
		token_failed("the token JCentral sent does not load");
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
		token_failed("out of memory");
		return;
	}
	/* a token asked over a token session cannot outlive that token (spec
	 * 6.1): ask on a session of its own, logged in with the user certificate */
	r->flags = UP_REQ_PRIVATE | UP_REQ_LOGIN;
	r->internal = 1;
	tok.in_flight = 1;
	upstream_submit(r);
}

void token_start(struct lws_context *ctx, const struct jd_config *cfg)
{
	char subject[256];
	time_t na, now = time(NULL);
	struct stat st;

	tok.ctx = ctx;
	tok.cfg = cfg;
	token_paths();
	if (stat(tok.cert, &st) == 0 && token_read(&na, subject, sizeof(subject)) == 0 &&
	    na - now > TOKEN_MIN_LEFT_S && token_use() == 0) {
		log_info("token: found a valid token in %s", tok.cert);
		return;
	}
	token_request();
}

void token_status(struct strbuf *out)
{
	time_t now = time(NULL);

	if (!tok.vh) {
		strbuf_addf(out, "token: none yet%s%s (files %s, %s)\n", tok.last_error[0] ? ": " : "",
			    tok.last_error, tok.cert, tok.key);
		return;
	}
	strbuf_addf(out, "token: %s\n", tok.subject);
	strbuf_addf(out, "token expires: in %ld s (renewal in %ld s), files %s, %s\n", (long)(tok.not_after - now),
		    (long)(tok.renew_at - now), tok.cert, tok.key);
	strbuf_addf(out, "tokens issued: %lu, failed requests %lu%s%s\n", tok.issued, tok.failures,
		    tok.last_error[0] ? ", last: " : "", tok.last_error);
}

void token_stop(void)
{
	if (tok.ctx)
		lws_sul_cancel(&tok.sul_renew);
}
