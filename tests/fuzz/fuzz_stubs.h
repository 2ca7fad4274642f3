/* fuzz_stubs.h - what fuzz_request.c needs around client.c and command.c:
 * libwebsockets, the upstream pool, local commands, completion, the control
 * commands and the key unlock, replaced by small fakes (fuzz_stubs.c). */
#ifndef FUZZ_STUBS_H
#define FUZZ_STUBS_H

struct client;

/* Before each input: locked = the user key waits for its passphrase. */
void fuzz_stubs_reset(int locked);
/* Answer pending upstream requests and run WRITEABLE callbacks until the
 * client has nothing more to write; checks every frame written. Returns -1
 * when the daemon would close the connection. */
int fuzz_stubs_pump(struct client *c);
/* After the connection closed: nothing may be left pending. */
void fuzz_stubs_finish(void);

#endif
