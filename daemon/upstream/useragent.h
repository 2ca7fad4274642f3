/* useragent.h - the User-Agent of the daemon's websockets, in alien.py 1.7.0's
 * shape (spec 2.4): jaliend/<ver> libwebsockets/<ver> platform/<System>-<machine>/<release>
 * id/<login>@<hostname>, plus jobid/<ALIEN_PROC_ID> and masterjobid/<ALIEN_MASTERJOB_ID>
 * from the daemon's environment (a grid job's daemon). One per daemon: its
 * websockets are shared by every terminal. */
#ifndef JALIEND_USERAGENT_H
#define JALIEND_USERAGENT_H

#define USERAGENT_MAX 512 /* bytes of the header value */

/* Made once, on first use. */
const char *useragent_get(void);

#endif
