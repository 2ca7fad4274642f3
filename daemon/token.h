/* token.h - the JAliEn token: a short-lived certificate the daemon asks
 * JCentral for (`token`) after logging in with the user certificate, keeps
 * in alien.py's files ($TMPDIR/tokencert_<uid>.pem, tokenkey_<uid>.pem, or
 * JALIEN_TOKEN_CERT/KEY), logs new sessions in with, and renews at 2/3 of
 * its life (and at least 600 s before it ends, when it lives that long). */
#ifndef JALIEND_TOKEN_H
#define JALIEND_TOKEN_H

#include <libwebsockets.h>

#include "config.h"

struct strbuf;

/* Use valid token files if there are, else ask for a token. */
void token_start(struct lws_context *ctx, const struct jd_config *cfg);
/* Status lines: subject, expiry, renewals; never key material. */
void token_status(struct strbuf *out);
void token_stop(void);

#endif
