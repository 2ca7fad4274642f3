/* tcpreach.h - whether something listens at host:port: alien.py tries a JBox
 * named by JALIEN_HOST/JALIEN_WSPORT only when a plain TCP connection to it
 * succeeds (2 s per address). Used by the shim (client/envfwd.c) and the
 * daemon at start (daemon/conf.c). Blocking: never on the daemon's loop. */
#ifndef JALIEND_TCPREACH_H
#define JALIEND_TCPREACH_H

#define TCPREACH_MS 2000 /* per resolved address, as alien.py */

/* 1 when a TCP connection to one of host's addresses at port succeeds within
 * TCPREACH_MS each, else 0. */
int tcpreach(const char *host, const char *port);

#endif
