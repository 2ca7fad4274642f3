/* conf.h - the configuration file: $XDG_CONFIG_HOME/jaliend/jaliend.conf
 * (default ~/.config/jaliend/jaliend.conf), `key = value` lines, `#`
 * comments. Keys are the long option names (endpoint, socket, pool,
 * pool-max, keepalive, idle-exit, log). Environment and flags override it. */
#ifndef JALIEND_CONF_H
#define JALIEND_CONF_H

#include <stddef.h>

#include "base/config.h"

/* Path of the configuration file (it may not exist). */
void conf_path(char *out, size_t n);
/* Apply the file at path to cfg. A missing file is fine (returns 0); a bad
 * line gives -EINVAL with "file:line: reason" in err. */
int conf_load(const char *path, struct jd_config *cfg, char *err, size_t errn);
/* Set one option by its long name (shared by the file and the command line).
 * Returns 0, -ENOENT for an unknown key, -EINVAL for a bad value (err says why). */
int conf_set(struct jd_config *cfg, const char *key, const char *value, char *err, size_t errn);
/* No endpoint from the file, JALIEND_ENDPOINT or -e: alien.py 1.7.0's choice
 * (spec 2.3): ALIENPY_JCENTRAL[:ALIENPY_JCENTRAL_PORT] when set, else the JBox
 * at JALIEN_HOST[:JALIEN_WSPORT] when something listens there and it is not
 * a jaliend's JBox (this daemon's own, advertised before a restart), else
 * nothing (the default). 0, or -EINVAL with the reason in err. */
int conf_endpoint_from_env(struct jd_config *cfg, char *err, size_t errn);
void conf_free(void);

#endif
