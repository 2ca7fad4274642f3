/* xfer.h - file transfers with libXrdCl (CopyProcess), behind a C API.
 *
 * The C++ behind it is xfer.cc (the API, the -timeout watchdog), xfer_copy.cc
 * (a copy) and xfer_md5.cc (an md5), sharing xfer_int.h; every exception
 * stays inside them. Jobs run on a small pool of worker threads (workers.h:
 * at most XFER_THREADS_MAX, made as needed and kept; the queue is not capped
 * there, the owners bound their jobs): one CopyProcess per job, so a job can
 * be cancelled on its own. Results and progress come back to the lws loop through a locked
 * queue and lws_cancel_service(); the loop calls xfer_drain() (from
 * xfer_lws_callback on LWS_CALLBACK_EVENT_WAIT_CANCELLED), which calls the
 * owners' callbacks on the loop thread.
 *
 * Cleanup is the worker's job, so it happens even when the owner is gone:
 *  - a download is written to a temporary name the caller made in the
 *    destination folder and renamed to its final name only once complete and
 *    verified; on any failure or cancel the temporary file is removed, and
 *    its metalink is unlinked when the job ends;
 *  - an upload (or a grid to grid copy) that fails or is cancelled has its
 *    target URL removed on the storage element (FileSystem::Rm, best effort:
 *    XrdCl keeps a cancelled upload's partial file, see docs/cp.md).
 * XrdCl's connections to storage elements outlive a job (DataServerTTL), so
 * the next command to the same SE skips the connection setup. */
#ifndef JALIEND_XFER_H
#define JALIEND_XFER_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XFER_THREADS_MAX 16	   /* worker threads = most jobs running at once */
#define XFER_CHUNK_SIZE (1u << 20) /* bytes per XrdCl chunk: progress and cancel granularity */
#define XFER_RM_TIMEOUT_S 10	   /* removing a partial upload */
#define XFER_PROGRESS_MS 100	   /* at most one progress event per job this often */
#define XFER_SOURCES_MAX 4	   /* replicas one download reads at once (XrdCl extreme copy) */
/* bytes a source is asked for at a time then (XrdCl's default, 128 MiB, leaves a smaller file to
 * one source) */
#define XFER_XCP_BLOCK_SIZE (8u << 20)
/* after a connection failure, an SE is failed at once this long (XrdCl StreamErrorWindow) */
#define XFER_SE_ERROR_WINDOW_S 5
/* cp's per-transfer tuning (-chunks, -chunksz, -timeout, -ratethreshold, -retry): its caps */
#define XFER_CHUNKS_MAX 64	  /* chunks requested in parallel (XrdCl parallelChunks) */
#define XFER_CHUNK_SIZE_MIN 4096u /* bytes per chunk (XrdCl chunkSize) */
#define XFER_CHUNK_SIZE_MAX (64u << 20)
/* chunks x chunk size: memory one job may hold in flight */
#define XFER_JOB_BUFFER_MAX (256ull << 20)
#define XFER_TIMEOUT_MAX 65535 /* seconds (XrdCl's cpTimeout is 16 bits) */
#define XFER_RETRIES_MAX 10    /* copies tried again after a retryable failure */
/* wait before a retry: past the window in which XrdCl fails every request to an SE whose connection
 * failed */
#define XFER_RETRY_DELAY_S (XFER_SE_ERROR_WINDOW_S + 1)

enum xfer_tpc { XFER_TPC_NONE = 0, XFER_TPC_FIRST = 1, XFER_TPC_ONLY = 2 };

/* per-transfer XrdCl tuning (0: the daemon's default); libXrdCl 5.5.3 takes each as a job property,
 * except the retries, which it only reads process-wide (CpRetry): xfer.cc retries itself */
struct xfer_tune {
	int chunks;	     /* parallelChunks, 1..XFER_CHUNKS_MAX (default: XrdCl's, 4) */
	unsigned chunk_size; /* chunkSize, bytes (default XFER_CHUNK_SIZE) */
	/* the job fails when not done in this many seconds from its start, retries included (XrdCl
	 * cpTimeout, checked between chunks, and a watchdog: a stalled SE answers no chunk) */
	int timeout_s;
	/* bytes/s: the job fails when slower over `chunks` chunks (as XrdCl's xrateThreshold;
	 * measured by xfer_copy.cc, not XrdCl: RELIABILITY finding 24) */
	long long rate_min;
	/* a copy that failed on a socket error, a timeout of XrdCl or a too low rate is tried again
	 * this many times, XFER_RETRY_DELAY_S apart */
	int retries;
	/* retries is cp's default (2, as alien.py 1.7.0), not asked for: a connection that cannot
	 * be made is not retried (1.7.0's XrdCl fails those retries at once too,
	 * StreamErrorWindow); an SE that drops a connection is */
	int retries_implicit;
	/* a retry resumes the target (XrdCl "continue") instead of writing it again from the start
	 * ("force"): XRD_CPRETRYPOLICY=continue */
	int resume;
};

/* The kinds of job; each has its constructor below and its own fields in
 * struct xfer_req's union, so a caller sets nothing that means nothing for it. */
enum xfer_kind {
	XFER_UPLOAD,   /* a local file to an SE (root:// URL) */
	XFER_DOWNLOAD, /* the replicas a .meta4 lists, to a local file */
	XFER_TPC,      /* an SE's file to another SE (grid to grid) */
	XFER_MD5,      /* a file's md5, into xfer_result.checksum (bare hex) */
	XFER_RM,       /* an SE's file removed */
};

/* XFER_DOWNLOAD. The file is written under a temporary name in its folder and
 * renamed to final_name only once complete and verified; on any failure or
 * cancel the temporary file is removed. */
struct xfer_download {
	const char *meta4; /* the local .meta4 listing the replicas (unlinked at the end) */
	/* its first replica's URL, authz included (NULL: none). With one source the download reads
	 * that replica only, never the metalink (xfer_copy_source): with plain reads (xfer_get.h),
	 * or XrdCl's copy for a member or -ratethreshold; a replica that fails is the caller's to
	 * move past */
	const char *first_url;
	/* in_dir: tmp_name and final_name are names in the folder dir_fd (nothing followed:
	 * renameat, unlinkat); the job owns dir_fd and closes it (the caller, if xfer_submit
	 * fails). Else they are paths */
	int in_dir, dir_fd;
	const char *tmp_name, *final_name;
	/* bare hex: what is written is checked against it (NULL or "": not checked) */
	const char *md5;
	/* the catalogue's size of what is written (a member's for a member; -1: unknown): a replica
	 * of another size is refused before it is read, a copy that gets more bytes is stopped
	 * there (a hostile SE cannot fill the disk) */
	long long size;
	/* with lfn: extended attributes user.guid, user.lfn, user.md5, user.size set before the
	 * rename (NULL lfn: none) */
	const char *guid, *lfn;
	/* read up to this many replicas at once (XrdCl extreme copy; 0 or 1: one at a time, capped
	 * at XFER_SOURCES_MAX). With 2+ and an md5, it is checked on the written file after the
	 * copy: libXrdCl 5.5.3's in-stream checksum is wrong when blocks come from several sources
	  * */
	int sources;
	/* the file is this member of the archive the metalink lists (NULL: the whole file); the
	 * daemon reads only the member from first_url (xfer_zip.h) */
	const char *zip_member;
	/* with zip_member: the whole archive is downloaded, then the member extracted from it here,
	 * checked against md5 (-noxrdzip) */
	int zip_local;
};

struct xfer_req {
	enum xfer_kind kind;
	union {
		struct {
			/* on failure or cancel the SE's file is removed (best effort: docs/cp.md)
			 * */
			const char *local, *url;
			/* bare hex: the local file's, checked at the source as it is read */
			const char *md5;
		} upload;
		struct xfer_download download;
		struct {
			const char *src_url, *dst_url; /* dst as an upload (removed on failure) */
			/* _NONE: the bytes go through the daemon; _FIRST: a third-party copy
			 * between the SEs, streamed where it is refused; _ONLY */
			enum xfer_tpc mode;
		} tpc;
		struct {
			/* a local file, or a root:// URL: the SE's checksum, else read back */
			const char *source;
		} md5;
		struct {
			const char *url;
		} rm;
	} u;
	struct xfer_tune tune; /* UPLOAD, DOWNLOAD, TPC (zero: the defaults) */
};

/* The constructors (tune NULL: the defaults). The strings are not copied
 * until xfer_submit. */
struct xfer_req xfer_req_upload(const char *local, const char *url, const char *md5,
				const struct xfer_tune *tune);
struct xfer_req xfer_req_download(const struct xfer_download *d, const struct xfer_tune *tune);
struct xfer_req xfer_req_tpc(const char *src_url, const char *dst_url, enum xfer_tpc mode,
			     const struct xfer_tune *tune);
struct xfer_req xfer_req_md5(const char *source);
struct xfer_req xfer_req_rm(const char *url);

struct xfer_result {
	int ok;		   /* 1: copied (and verified when a checksum mode was given) */
	int cancelled;	   /* xfer_cancel or shutdown stopped it */
	int xrd_errno;	   /* XrdCl's errNo, 0 if none */
	uint64_t bytes;	   /* bytes moved */
	double seconds;	   /* from the start of the copy to its end */
	char checksum[96]; /* "md5:<hex>" as computed during the copy, or "" */
	char msg[600];	   /* the reason on failure */
};

struct xfer_job;
typedef void (*xfer_done_fn)(void *owner, struct xfer_job *job, const struct xfer_result *res);
typedef void (*xfer_progress_fn)(void *owner, struct xfer_job *job, uint64_t done, uint64_t total);

/* Set XrdCl's process-wide defaults (ConnectionRetry 1 unless
 * XRD_CONNECTIONRETRY is set, ...) and remember the context to wake. Idempotent. */
int xfer_init(struct lws_context *ctx);
/* Queue a job (the strings are copied). done() is called once on the loop
 * unless the job is cancelled first, never before this returns; progress()
 * may be NULL. NULL on ENOMEM or after xfer_fini (nothing is called then). */
struct xfer_job *xfer_submit(const struct xfer_req *req, xfer_done_fn done,
			     xfer_progress_fn progress, void *owner);
/* Stop the job and forget its owner: no callback will come; the worker
 * still cleans up (partial upload removed, temporary file unlinked). */
void xfer_cancel(struct xfer_job *job);
/* On the loop thread: deliver queued progress and results (idempotent). */
void xfer_drain(void);
/* Jobs queued or running (owned or cancelled). */
unsigned xfer_busy(void);
/* Cancel everything and join the workers (waits for their cleanup). */
void xfer_fini(void);
/* The lws protocol of the transfers (put last in the protocol list): drains
 * on LWS_CALLBACK_EVENT_WAIT_CANCELLED, which lws delivers to every protocol
 * of every vhost, spuriously too. */
int xfer_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len);

#ifdef __cplusplus
}
#endif

#endif
