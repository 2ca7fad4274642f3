/* cmdhelp.h - alien.py's help texts of its client-side commands (`<cmd> -h`). */
#ifndef JALIEND_CMDHELP_H
#define JALIEND_CMDHELP_H

/* The help text of verb (ends with a newline), or NULL when jaliend has none. */
const char *cmdhelp_text(const char *verb);

#endif
