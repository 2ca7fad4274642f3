/* throttle.h - the JCentral 2024 rate limiter (protocol reference 2.10), behind --throttle.
 *
 * One counter per certificate subject (RFC 2253 form), shared by all connections of that
 * subject: +10 per connection, +1 per command, +1 per disconnect; all counters are halved every
 * 5 minutes (counted from server start). Before a command runs, a counter above 100 delays it by
 * counter - 100 ms. Subjects starting with OU=alitrain, / OU=alihyperloop, are exempt.
 * Cap: THROTTLE_MAX_SUBJECTS distinct subjects; beyond that the least recently used is reused.
 */
#ifndef JCL_THROTTLE_H
#define JCL_THROTTLE_H

#define THROTTLE_MAX_SUBJECTS 1024
#define THROTTLE_HALVE_MS     (5 * 60 * 1000)

void throttle_connect(const char *subject);
void throttle_disconnect(const char *subject);
/* Count one command; returns the delay in ms to apply before running it (0 if none). */
long throttle_command(const char *subject);
/* Current counter value (for logs and tests). */
long throttle_value(const char *subject);

#endif
