/* passphrase.h - ask the user for a key passphrase on /dev/tty, echo off. */
#ifndef ALIEN_PASSPHRASE_H
#define ALIEN_PASSPHRASE_H

#include <stddef.h>

#define PASSPHRASE_MAX 1024 /* bytes of a passphrase (longer input is refused) */

/* Print prompt on /dev/tty, read one line with echo off into buf (NUL-ended,
 * no newline). Returns 0, -ENXIO when there is no terminal, -E2BIG for a
 * line over n-1 bytes, -EIO on a read error or end of input. */
int passphrase_ask(const char *prompt, char *buf, size_t n);

#endif
