/* cmdcert.c - the credential commands alien.py answers itself: cert-info,
 * token-info, cert-verify, token-verify, certkey-match, tokenkey-match (on
 * the files this shim names), token-init and token-destroy (a new token
 * from JCentral into jaliend's token files). */
#include "cmdlocal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/certcheck.h"
#include "base/certinfo.h"
#include "base/strbuf.h"
#include "upstream/token.h"
#include "upstream/upstream.h"

static void cmdcert_token_paths(struct command *cmd, char *cert, char *key, size_t n)
{
	const char *c = command_env(cmd, "JALIEN_TOKEN_CERT"),
		   *k = command_env(cmd, "JALIEN_TOKEN_KEY");
	const char *tmp = command_env(cmd, "TMPDIR");

	c = c ? c : getenv("JALIEN_TOKEN_CERT");
	k = k ? k : getenv("JALIEN_TOKEN_KEY");
	tmp = tmp ? tmp : getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (c && *c)
		snprintf(cert, n, "%s", c);
	else
		snprintf(cert, n, "%s/tokencert_%u.pem", tmp, (unsigned)getuid());
	if (k && *k)
		snprintf(key, n, "%s", k);
	else
		snprintf(key, n, "%s/tokenkey_%u.pem", tmp, (unsigned)getuid());
}

int cmdcert_info(struct command *cmd, int token)
{
	char cert[CERTINFO_PEM_MAX], key[4096], line[4200];
	struct strbuf sb = { 0 };
	int r;

	if (token) {
		cmdcert_token_paths(cmd, cert, key,
				    sizeof(cert) < sizeof(key) ? sizeof(cert) : sizeof(key));
	} else {
		const char *c = command_env(cmd, "X509_USER_CERT"),
			   *home = command_env(cmd, "HOME");

		c = c ? c : getenv("X509_USER_CERT");
		home = home ? home : getenv("HOME") ? getenv("HOME") : "";
		if (c && *c)
			snprintf(cert, sizeof(cert), "%s", c);
		else
			snprintf(cert, sizeof(cert), "%s/.globus/usercert.pem", home);
	}
	r = certinfo_lines(cert, &sb);
	if (r < 0) {
		snprintf(line, sizeof(line),
			 r == -ENOENT ? "File >>> %.4000s <<< not found/accessible!\n"
				      : "File >>> %.4000s <<< is not a PEM certificate!\n",
			 strncmp(cert, "-----BEGIN", 10) == 0 ? "(PEM text in JALIEN_TOKEN_CERT)"
							      : cert);
		command_reply(cmd, NULL, line, r == -ENOENT ? JD_EXIT_NOENT : JD_EXIT_IO);
	} else {
		command_reply(cmd, strbuf_cstr(&sb), NULL, 0);
	}
	strbuf_free(&sb);
	return 1;
}

/* The user's certificate and key as this shim names them (alien.py's defaults). */
static void cmdcert_user_paths(struct command *cmd, char *cert, char *key, size_t n)
{
	const char *c = command_env(cmd, "X509_USER_CERT"), *k = command_env(cmd, "X509_USER_KEY");
	const char *home = command_env(cmd, "HOME");

	c = c ? c : getenv("X509_USER_CERT");
	k = k ? k : getenv("X509_USER_KEY");
	home = home ? home : getenv("HOME") ? getenv("HOME") : "";
	if (c && *c)
		snprintf(cert, n, "%s", c);
	else
		snprintf(cert, n, "%s/.globus/usercert.pem", home);
	if (k && *k)
		snprintf(key, n, "%s", k);
	else
		snprintf(key, n, "%s/.globus/userkey.pem", home);
}

/* cert-verify, token-verify, certkey-match, tokenkey-match */
int cmdcert_check(struct command *cmd, int token, int match)
{
	char cert[4096], key[4096], local[4096];
	const char *ca = command_env(cmd, "ALIENPY_USE_LOCAL_CAS"),
		   *home = command_env(cmd, "HOME");
	struct strbuf out = { 0 }, err = { 0 };
	struct stat st;
	int code;

	if (token)
		cmdcert_token_paths(cmd, cert, key, sizeof(cert));
	else
		cmdcert_user_paths(cmd, cert, key, sizeof(cert));
	/* alien.py 1.7.0's order (spec 2.5): ALIENPY_USE_LOCAL_CAS (a folder, else
	 * ~/.globus/certificates), X509_CERT_DIR, X509_CERT_FILE, the daemon's */
	if (ca && !(stat(ca, &st) == 0 && S_ISDIR(st.st_mode))) {
		snprintf(local, sizeof(local), "%s/.globus/certificates", home ? home : "");
		ca = home ? local : NULL;
	}
	ca = ca ? ca : command_env(cmd, "X509_CERT_DIR");
	ca = ca ? ca : command_env(cmd, "X509_CERT_FILE");
	ca = ca ? ca
	     : getenv("X509_CERT_DIR") && *getenv("X509_CERT_DIR")
		     ? getenv("X509_CERT_DIR")
		     : "/etc/grid-security/certificates";
	code = match ? certcheck_keymatch(cert, key, &out, &err)
		     : certcheck_verify(cert, ca, &out, &err);
	if (!strbuf_cstr(&out) || !strbuf_cstr(&err))
		command_fail(cmd, JD_EXIT_NOMEM);
	else
		command_reply(cmd, out.len ? out.data : NULL, err.len ? err.data : NULL, code);
	strbuf_free(&out);
	strbuf_free(&err);
	return 1;
}

/* the arg of a token-destroy's new token (token-init's is NULL) */
static char cmdcert_destroyed[] = "destroyed";

/* token-init, and token-destroy when it removed jaliend's own files (arg
 * cmdcert_destroyed): a new token from JCentral (a session logged in with the user
 * certificate, as jaliend's own renewals), into jaliend's token files at once. */
static void cmdcert_token_new_done(struct command *cmd, void *arg, cJSON *reply, int code,
				   const char *msg)
{
	const cJSON *row = cmdlocal_row0(reply);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "tokencert");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(row, "tokenkey");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(meta, "error");
	int destroy = arg != NULL, r;
	struct strbuf sb = { 0 };
	char line[700];

	if (!reply || !cJSON_IsString(ec) || strcmp(ec->valuestring, "0") || !cJSON_IsString(c) ||
	    !cJSON_IsString(k)) {
		snprintf(line, sizeof(line), "%sno new token from JCentral: %.500s\n",
			 destroy ? "Token was destroyed! " : "",
			 reply ? (cJSON_IsString(er) && *er->valuestring ? er->valuestring
									 : "empty reply")
			       : msg);
		command_reply(cmd, NULL, line,
			      reply ? (cJSON_IsString(ec) && atoi(ec->valuestring)
					       ? atoi(ec->valuestring)
					       : 1)
				    : code);
		cJSON_Delete(reply);
		return;
	}
	r = token_install(k->valuestring, c->valuestring);
	cJSON_Delete(reply);
	if (r < 0) {
		snprintf(line, sizeof(line), "cannot keep the new token in %.500s: %s\n",
			 token_cert_path(), strerror(-r));
		command_reply(cmd, NULL, line, JD_EXIT_IO);
		return;
	}
	if (destroy) {
		command_reply(cmd, "Token was destroyed! Re-connect for token re-creation.\n", NULL,
			      0);
		return;
	}
	r = certinfo_lines(token_cert_path(), &sb); /* alien.py: token-init prints token-info */
	command_reply(cmd, r == 0 && strbuf_cstr(&sb) ? sb.data : NULL,
		      r == 0 ? NULL : "token-info: cannot read the new token\n",
		      r == 0 ? 0 : JD_EXIT_IO);
	strbuf_free(&sb);
}

int cmdcert_token_new(struct command *cmd, const cJSON *argv, int destroy)
{
	cJSON *opts = cJSON_CreateArray();
	const cJSON *a;

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	for (a = argv && !destroy ? argv->child->next : NULL; a; a = a->next)
		cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
	return command_upstream(cmd, "token", opts, UP_REQ_PRIVATE | UP_REQ_LOGIN,
				cmdcert_token_new_done, destroy ? cmdcert_destroyed : NULL) < 0
		       ? -ENOMEM
		       : 1;
}

int cmdcert_token_destroy(struct command *cmd)
{
	char cert[4096], key[4096];
	int ours;

	cmdcert_token_paths(cmd, cert, key, sizeof(cert));
	/* the files this shell names; when they are jaliend's own, a new token replaces them now */
	ours = token_cert_path() && strcmp(cert, token_cert_path()) == 0;
	if (strncmp(cert, "-----BEGIN", 10) != 0)
		unlink(cert);
	if (strncmp(key, "-----BEGIN", 10) != 0)
		unlink(key);
	if (ours)
		return cmdcert_token_new(cmd, NULL, 1);
	command_reply(cmd, "Token was destroyed! Re-connect for token re-creation.\n", NULL, 0);
	return 1;
}
