/* token.h - the JAliEn token: a short-lived certificate the daemon asks
 * JCentral for (`token`) after logging in with the user certificate, keeps
 * in alien.py's files ($TMPDIR/tokencert_<uid>.pem, tokenkey_<uid>.pem, or
 * JALIEN_TOKEN_CERT/KEY), logs new sessions in with, and renews at 2/3 of
 * its life (and at least 600 s before it ends, when it lives that long). */
#ifndef JALIEND_TOKEN_H
#define JALIEND_TOKEN_H

#include <stddef.h>

#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/config.h"

struct strbuf;

/* Find the token files (JALIEN_TOKEN_CERT/KEY may hold the PEM text
 * itself: it is then written beside the socket, mode 0400). Returns 1 when
 * they hold a token with more than 600 s left (usable without a user
 * certificate), else 0. */
int token_configure(const struct jd_config *cfg);
/* Why the token files found by token_configure were not used (a symbolic
 * link, others' access, a key of another certificate...), or NULL. */
const char *token_problem(void);
/* Use valid token files if there are, else ask for a token. can_login 0:
 * there is no user certificate; the token is used until it ends and cannot
 * be renewed (a token asked over a token session cannot outlive it). */
void token_start(struct lws_context *ctx, int can_login);
/* The token certificate's file (after token_configure). */
const char *token_cert_path(void);
/* Status lines: subject, expiry, renewals; never key material. */
void token_status(struct strbuf *out);
void token_stop(void);
/* Ask JCentral for a new token now (alien-daemon renew); the usual
 * rotation follows. 0, or -EPERM (token only) / -EBUSY with why. */
int token_renew_now(char *why, size_t whyn);
/* After the lws context is gone: the token leaves memory. */
void token_fini(void);
/* The token in use (certificate, and its key), as the daemon got it from
 * JCentral or read it at start: borrowed, valid until the next renewal. The
 * JBox serves with it (as JAliEn's own JBox does). 0, or -ENOENT (none, or
 * it ended). */
int token_identity(X509 **cert, EVP_PKEY **key);
/* fn() runs on the loop each time a new token is in use (read at start,
 * renewed, installed), after token_identity() returns it: the JBox re-reads
 * its CA certificates then. One hook; NULL removes it. */
void token_on_new(void (*fn)(void));
/* Write a token pair JCentral sent (PEM texts) to the token files and log
 * new sessions in with it (token-init, token-destroy). 0 or -errno. */
int token_install(const char *key_pem, const char *cert_pem);

#endif
