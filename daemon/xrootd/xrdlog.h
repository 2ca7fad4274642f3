/* xrdlog.h - libXrdCl's log, and the part of it a shell's XRD_LOGFILE gets.
 *
 * libXrdCl 5.5.3 has one log per process: one level (XRD_LOGLEVEL) and one
 * output (XRD_LOGFILE, else stderr), read from the daemon's environment. Its
 * messages do not say which transfer they belong to, and most are written on
 * XrdCl's own threads. So a shell's XRD_LOGFILE gets every XrdCl line logged
 * while that shell's cp is running (its own transfers, and those of the
 * daemon's other commands running at the same time: all the same user's), at
 * the shell's XRD_LOGLEVEL; the daemon's own output keeps the daemon's level.
 * The process-wide level is the highest one asked for while a cp runs. */
#ifndef JALIEND_XRDLOG_H
#define JALIEND_XRDLOG_H

#ifdef __cplusplus
extern "C" {
#endif

#define XRDLOG_SINKS_MAX 32 /* shells' log files open at once; past it a cp runs without one */

/* XrdCl's level names (Error, Warning, Info, Debug, Dump; any case) as 1..5,
 * or -EINVAL */
int xrdlog_level(const char *name);
/* Take over libXrdCl's log output (the daemon's XRD_LOGFILE or stderr, at its
 * XRD_LOGLEVEL, as before). Called once, from xfer_init. */
void xrdlog_install(void);
/* Append XrdCl's lines of level <= level (1..5) to path (absolute) from now:
 * the file is opened O_APPEND|O_NOFOLLOW, made 0600 if new, and must be a
 * regular file of this user. A handle > 0, or -errno (-EMFILE past
 * XRDLOG_SINKS_MAX, -EPERM for another user's file or not a regular file). */
int xrdlog_open(const char *path, int level);
/* Stop and close what xrdlog_open gave (0: nothing). */
void xrdlog_close(int handle);

#ifdef __cplusplus
}
#endif

#endif
