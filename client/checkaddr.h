/* checkaddr.h - alien.py's checkAddr: can this machine open a TCP
 * connection to host:port (default alice-jcentral.cern.ch 8097)? Runs in
 * the shim: it is the user's network that is asked about, not jaliend's. */
#ifndef ALIEN_CHECKADDR_H
#define ALIEN_CHECKADDR_H

#define CHECKADDR_TIMEOUT_MS 3000 /* per address */

/* checkAddr [reference] [host [port]]; output to fd out; the exit code (0, as alien.py). */
int checkaddr_run(char **argv, int argc, int out);

#endif
