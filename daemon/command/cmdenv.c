/* cmdenv.c - see cmdenv.h.
 *
 * alien.py 1.7.0 picks its endpoint from the environment (spec 2.3):
 * ALIENPY_JCENTRAL[:ALIENPY_JCENTRAL_PORT] exclusively when set, else a JBox
 * at JALIEN_HOST:JALIEN_WSPORT if it is reachable (the shim forwards the pair
 * only then: client/envfwd.c), else the advertised JBox or JCentral. A shim
 * is served by its daemon's pool, so a shell that asks for another endpoint
 * is refused with one line rather than quietly served by the wrong service.
 * JALIEN_HOST/JALIEN_WSPORT naming this daemon's own JBox (what alien.py
 * started from a shell of ours would read) are this daemon: accepted. */
#include "cmdenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "upstream/upstream.h"

#define CMDENV_DEFAULT_PORT 8097 /* alien.py's default for both port variables */

static char cmdenv_host[256];
static int cmdenv_port, cmdenv_jbox;

void cmdenv_configure(const char *host, int port, int jbox_port)
{
	snprintf(cmdenv_host, sizeof(cmdenv_host), "%s", host ? host : "");
	cmdenv_port = port;
	cmdenv_jbox = jbox_port;
}

static int cmdenv_loopback(const char *h)
{
	static const char *const lo[] = { "localhost",	   "127.0.0.1",
					  "::1",	   "[::1]",
					  "ip6-localhost", "localhost.localdomain",
					  "localhost6",	   NULL };

	for (const char *const *p = lo; *p; p++)
		if (strcasecmp(h, *p) == 0)
			return 1;
	return strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") == strlen(h);
}

int cmdenv_same_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.') /* a fully qualified name's trailing dot */
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	if (la == lb && strncasecmp(a, b, la) == 0)
		return 1;
	return cmdenv_loopback(a) && cmdenv_loopback(b);
}

/* A port variable: its number, CMDENV_DEFAULT_PORT when unset, -1 when not a port. */
static int cmdenv_port_of(struct command *cmd, const char *name)
{
	const char *v = command_env(cmd, name);
	char *end;
	long p;

	if (!v)
		return CMDENV_DEFAULT_PORT;
	p = strtol(v, &end, 10);
	return end != v && !*end && p > 0 && p < 65536 ? (int)p : -1;
}

int cmdenv_allow_unknown(struct command *cmd)
{
	return command_env(cmd, "ALIENPY_ALLOW_UNKNOWN_CMDS") != NULL;
}

static int cmdenv_check_site(struct command *cmd, char *msg, size_t n)
{
	const char *site = command_env(cmd, "ALIEN_SITE");

	if (!site)
		return 0;
	if (strlen(site) < UP_SITE_MAX &&
	    strspn(site, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:") ==
		    strlen(site))
		return 0;
	snprintf(msg, n,
		 "jaliend: ALIEN_SITE=\"%.80s%s\" is not a site name (letters, digits, _ - . :, at "
		 "most %d)\n",
		 site, strlen(site) > 80 ? "..." : "", UP_SITE_MAX - 1);
	return JD_EXIT_USAGE;
}

int cmdenv_check(struct command *cmd, char *msg, size_t n)
{
	const char *jc = command_env(cmd, "ALIENPY_JCENTRAL"),
		   *jh = command_env(cmd, "JALIEN_HOST");
	int rc, port;

	if ((rc = cmdenv_check_site(cmd, msg, n)))
		return rc;
	if (jc) {
		if ((port = cmdenv_port_of(cmd, "ALIENPY_JCENTRAL_PORT")) < 0) {
			snprintf(msg, n,
				 "jaliend: ALIENPY_JCENTRAL_PORT=\"%.20s\" is not a port number\n",
				 command_env(cmd, "ALIENPY_JCENTRAL_PORT"));
			return JD_EXIT_USAGE;
		}
		if (cmdenv_same_host(jc, cmdenv_host) && port == cmdenv_port)
			return 0;
		snprintf(msg, n,
			 "jaliend: this shell's ALIENPY_JCENTRAL asks for %.100s:%d, but this "
			 "jaliend serves "
			 "%.100s:%d: unset ALIENPY_JCENTRAL, or use a jaliend for it "
			 "(JALIEND_SOCKET=... jaliend -e "
			 "wss://%.100s:%d/websocket/json)\n",
			 jc, port, cmdenv_host, cmdenv_port, jc, port);
		return JD_EXIT_NOCONN;
	}
	if (!jh)
		return 0;
	if ((port = cmdenv_port_of(cmd, "JALIEN_WSPORT")) < 0) {
		snprintf(msg, n, "jaliend: JALIEN_WSPORT=\"%.20s\" is not a port number\n",
			 command_env(cmd, "JALIEN_WSPORT"));
		return JD_EXIT_USAGE;
	}
	if (cmdenv_same_host(jh, cmdenv_host) && port == cmdenv_port)
		return 0; /* the JBox named is the endpoint itself */
	if (cmdenv_loopback(jh) && cmdenv_jbox > 0 && port == cmdenv_jbox)
		return 0; /* this daemon's own JBox */
	snprintf(msg, n,
		 "jaliend: this shell's JALIEN_HOST/JALIEN_WSPORT ask for the JBox at %.100s:%d, "
		 "but this "
		 "jaliend serves %.100s:%d%s: unset them, or use a jaliend for that endpoint\n",
		 jh, port, cmdenv_host, cmdenv_port,
		 cmdenv_jbox > 0 ? " (its JBox: 127.0.0.1)" : "");
	return JD_EXIT_NOCONN;
}
