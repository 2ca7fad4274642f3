/* unlock.c - see unlock.h. */
#include "unlock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "creds.h"
#include "log.h"
#include "upstream.h"

static struct {
	struct auth_files af; /* the vhost reads these paths: keep a copy */
	int locked, asking;
} ul;

void unlock_init(const struct auth_files *af)
{
	ul.af = *af;
	ul.locked = af->key_encrypted;
	ul.asking = 0;
	upstream_lock(ul.locked);
	if (ul.locked)
		log_notice("user key %s is encrypted: the first command that needs a login asks "
			   "for its passphrase",
			   af->key);
}

int unlock_should_ask(void)
{
	return ul.locked && !ul.asking && !upstream_has_token();
}

void unlock_prompt(char *out, size_t n, int attempt)
{
	snprintf(out, n, "%sEnter PEM pass phrase for %s: ", attempt ? "Wrong passphrase. " : "",
		 ul.af.key);
}

void unlock_asking(int on)
{
	ul.asking = on;
}

int unlock_try(char *pass, char *err, size_t errn)
{
	struct lws_vhost *vh;
	int r = auth_unlock_check(&ul.af, pass, err, errn);

	if (r == 0) {
		vh = creds_vhost(ul.af.cert, ul.af.key, pass, err, errn);
		r = vh ? 0 : -EINVAL;
		if (vh) {
			ul.locked = 0;
			ul.asking = 0;
			log_notice("user key %s unlocked", ul.af.key);
			upstream_use_login(vh);
			upstream_lock(0);
		}
	}
	OPENSSL_cleanse(pass, strlen(pass));
	return r;
}

void unlock_give_up(const char *why)
{
	char msg[600];

	ul.asking = 0;
	snprintf(msg, sizeof(msg),
		 "jaliend: the user key %.300s is encrypted and %.100s: run an alien command in a "
		 "terminal to type its passphrase, or set X509_USER_KEY to an unencrypted copy "
		 "(mode 0400)",
		 ul.af.key, why);
	upstream_fail_waiting(JD_EXIT_IO, msg);
}
