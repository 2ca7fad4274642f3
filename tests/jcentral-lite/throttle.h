/* throttle.h - the JCentral rate limiter (JAliEnCOMMander incrementCommandCount/getThrottleTime),
 * on by default as in JCentral; --throttle off disables it.
 *
 * One counter per certificate subject (RFC 2253 form), shared by all connections of that
 * subject: +10 per connection, +1 per command, +1 per disconnect. The first count after the
 * "swap" time halves every counter (integer division) and sets the next swap 5 minutes later
 * (the first swap is 5 minutes after start); so after a long idle time counters are halved once,
 * not once per 5 minutes. A command whose count (before any halving) is above 100 is delayed by
 * count - 100 ms. Subjects starting with OU=alitrain, / OU=alihyperloop, do not count logins and
 * commands (their disconnects still count, as in JCentral).
 * Cap: THROTTLE_MAX_SUBJECTS distinct subjects; beyond that the least recently used is reused.
 */
#ifndef JCL_THROTTLE_H
#define JCL_THROTTLE_H

#define THROTTLE_MAX_SUBJECTS 1024
#define THROTTLE_HALVE_MS (5 * 60 * 1000)

void throttle_init(void);
void throttle_connect(const char *subject);
void throttle_disconnect(const char *subject);
/* Count one command; returns the delay in ms to apply before running it (0 if none). */
long throttle_command(const char *subject);

#endif
