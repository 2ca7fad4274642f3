// xfer_int.h - what xfer.cc, xfer_copy.cc and xfer_md5.cc share (not for
// other files; the API is xfer.h): a job, and the functions each file gives
// the others. C++ only.
#ifndef JALIEND_XFER_INT_H
#define JALIEND_XFER_INT_H

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <XrdCl/XrdClXRootDResponses.hh>

#include "workers.h"
#include "xfer.h"

// what a job does (a request's kind, xfer.h, without the copy's directions)
enum xfer_op { XFER_OP_COPY, XFER_OP_RM, XFER_OP_MD5 };

// cancel (shared with the worker), owner (loop thread only) set at submit, read-only afterwards
struct xfer_job : workers_job {
	enum xfer_op op;
	std::string source, target, final_path, mode, md5, remove_file, xa_guid, xa_lfn, xa_md5;
	long long xa_size;
	// a download: the catalogue's size (-1: unknown), never written past
	long long size_max = -1;
	bool upload, force, has_xattrs;
	int tpc = XFER_TPC_NONE;
	unsigned sources = 1;
	int dir_fd = -1; // COPY to local in a folder: target, final_path are names in it
	struct xfer_tune tune = {};
	std::string zip_member; // a download of this member of the archive
	std::string first_url;	// a download: its first replica (xfer_copy_plain)
	bool zip_local = false; // ... extracted here from the whole archive (-noxrdzip)
	// the worker's only: the last try was slower than -ratethreshold, at this many bytes/s
	bool rate_low = false;
	double rate_seen = 0;
	// shared with the worker
	std::atomic<uint64_t> done{ 0 }, total{ 0 };
	// under the pool's lock (xfer.cc)
	bool progress_queued = false;
	std::chrono::steady_clock::time_point last_progress;
	// tune.timeout_s: from the start on a worker
	std::chrono::steady_clock::time_point deadline;
	bool watched = false;	    // deadline set, the watchdog looks at it
	bool copy_returned = false; // the copy is over: the watchdog leaves it alone
	bool timed_out = false;	    // the watchdog failed it (its owner was told)
	struct xfer_result res;
	// loop thread only
	xfer_done_fn done_cb = nullptr;
	xfer_progress_fn progress_cb = nullptr;
};

// xfer.cc
// the daemon's XRD_XRATETHRESHOLD (0: none), set once before the first job: each copy's default
// -ratethreshold, and what XrdCl would apply itself to a copy whose xrateThreshold is 0
extern long long xfer_rate_env;
// XrdCl's status as one line: ToString() hides the message (PITFALLS C).
std::string xfer_status_text(const XrdCl::XRootDStatus &st);
// a copy's progress (XrdCl's JobProgress): kept, and sent to the loop at most every
// XFER_PROGRESS_MS
void xfer_progress(xfer_job *j, uint64_t processed, uint64_t total);
// the copy of j is over: the -timeout watchdog leaves it alone from now on
void xfer_copy_returned(xfer_job *j);
// unlink a download's temporary file (in its folder's descriptor, if any)
void xfer_unlink_target(const xfer_job *j);

// xfer_copy.cc: an XFER_COPY job, on a worker (fills j->res, cleans up after itself)
void xfer_copy_run(xfer_job *j);

// xfer_md5.cc
// "md5:0abc" and "abc" compare equal: XrdCl strips leading zeros.
bool xfer_md5_same(std::string a, std::string b);
// md5 of the local file path into out (bare hex), its size into *bytes; "" or the reason
std::string xfer_md5_file(const xfer_job *j, const std::string &path, char *out, size_t outlen,
			  uint64_t *bytes);
// an XFER_MD5 job, on a worker: a local file's md5, or a root:// URL's
void xfer_md5_run(xfer_job *j);

#endif
