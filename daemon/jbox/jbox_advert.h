/* jbox_advert.h - the advertisement file alien.py looks for:
 * <tmpdir>/jclient_token_<uid> ($TMPDIR, default /tmp), `KEY=VALUE` lines:
 * JALIEN_HOST=127.0.0.1, JALIEN_WSPORT, JALIEN_PID, and JALIEN_USER /
 * JALIEN_HOME once the pool knows them (spec 8.2). Mode 0600, written to a
 * temporary name in the same folder and renamed. A file naming another live
 * process of ours is left alone (that one advertises; we only listen). */
#ifndef JALIEND_JBOX_ADVERT_H
#define JALIEND_JBOX_ADVERT_H

/* Write (or rewrite) the file for port; user/home may be NULL. 0, 1 if
 * another live process owns it (not touched), or -errno. */
int jbox_advert_write(int port, const char *user, const char *home);
/* Remove the file if it is still ours. */
void jbox_advert_remove(void);
/* The file's path. */
const char *jbox_advert_path(void);

#endif
