/* replicas.h - physical replicas (guid -> SE, PFN) and write bookings, in the catalogue's
 * SQLite database.
 *
 * A booking is made by `access write` for each granted (SE, PFN) and consumed by `commit`,
 * which registers the LFN (if new) and the replica. Bookings expire after REPLICAS_BOOKING_S.
 */
#ifndef JCL_REPLICAS_H
#define JCL_REPLICAS_H

#include "catalogue.h"

#define REPLICAS_BOOKING_S 86400
#define REPLICAS_MAX 64 /* replicas reported per GUID */

struct replica {
	char se[128];
	int se_number;
	char pfn[2048];
};

struct booking {
	char pfn[2048];
	char guid[40];
	char lfn[JCL_LFN_MAX];
	char se[128];
	int se_number;
	long long size;
	char md5[64];
	char owner[JCL_ACCOUNT_MAX];
	long long guidtime_ms;
};

int replicas_init(struct catalogue *c);
/* Up to max replicas of guid, in registration order; returns the count or negative errno. */
int replicas_list(struct catalogue *c, const char *guid, struct replica *out, int max);
int replicas_add(struct catalogue *c, const char *guid, const struct replica *r);
/* Drop the replicas no LFN refers to any more (after rm -r). */
int replicas_gc_all(struct catalogue *c);
/* Number of replicas of guid (0 on error). */
long long replicas_count(struct catalogue *c, const char *guid);
/* Per SE: replica count and total size (sizes from the LFN entries). */
int replicas_se_usage(struct catalogue *c, int se_number, long long *files, long long *bytes);

int replicas_book(struct catalogue *c, const struct booking *b);
/* Booking of a PFN (expired ones are purged first); 0 or -ENOENT. */
int replicas_booking(struct catalogue *c, const char *pfn, struct booking *b);
int replicas_unbook(struct catalogue *c, const char *pfn);

#endif
