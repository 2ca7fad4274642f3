/* pace.h - --service-time real: each command's reply is held back for about as long as the real
 * JCentral (Java + MariaDB, warm) takes to serve it, measured on /work/refjc (issue 27): stat
 * 20-35 ms, access 27-83 ms, commit about 80 ms; every other command as stat. It only sets the
 * reply delay (sleep-based, nothing burns CPU): wsqueue.c parks the reply on a timer of its own
 * connection, so one connection's commands are served in order and different connections in
 * parallel, as Tomcat does. The value within a range is a fixed sequence (reproducible runs);
 * its mean is PACE_<CMD>_MEAN_MS, what bench/run's ideal bound uses.
 */
#ifndef JCL_PACE_H
#define JCL_PACE_H

#define PACE_STAT_MIN_MS 20
#define PACE_STAT_MAX_MS 35
#define PACE_ACCESS_MIN_MS 27
#define PACE_ACCESS_MAX_MS 83
#define PACE_COMMIT_MS 80

/* The service time of one request of command cmd, in ms. */
long pace_service_ms(const char *cmd);

#endif
