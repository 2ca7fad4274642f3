// xfer.cc - see xfer.h (and xfer_int.h). The daemon's transfers with XrdCl:
// the C API, the jobs on a pool of worker threads (workers.h), the -timeout
// watchdog and XrdCl's settings; the copy job is in xfer_copy.cc, the md5
// jobs in xfer_md5.cc. Nothing here throws past the C API.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <errno.h>
#include <unistd.h>

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClURL.hh>
#include <XrdVersion.hh>

#include "xfer_int.h"
#include "xrdlog.h"

extern "C" {
#include "log.h"
#include "version.h"
}

namespace
{

void xfer_take_locked(workers_job *job, bool stopping);
void xfer_work(workers_job *job);
void xfer_ran_locked(workers_job *job);

const workers_ops xfer_ops = { xfer_take_locked, xfer_work, xfer_ran_locked };

struct xfer_state {
	// the jobs' queue and workers; its mu guards the rest too. The caps:
	// XFER_THREADS_MAX workers; the queue has none here (as ever): the owners
	// bound their jobs (a cp's transfers in flight, a command's one md5)
	workers pool{ &xfer_ops, XFER_THREADS_MAX, 0 };
	std::vector<xfer_job *> progress; // progress for the loop
	// past their deadline: the owner is told, the job runs on
	std::vector<xfer_job *> expired;
	// the watchdog's (jobs with a deadline started, stopping)
	std::condition_variable watch_cv;
	std::thread watchdog;
	bool configured = false;
};

xfer_state xf;
} // namespace

long long xfer_rate_env;

namespace
{

} // namespace

std::string xfer_status_text(const XrdCl::XRootDStatus &st)
{
	std::string s = st.ToString();
	const std::string &m = st.GetErrorMessage();

	if (!m.empty() && s.find(m) == std::string::npos)
		s += ": " + m;
	return s;
}

void xfer_progress(xfer_job *j, uint64_t processed, uint64_t total)
{
	j->done = processed;
	j->total = total;
	std::lock_guard<std::mutex> lk(xf.pool.mu);
	auto now = std::chrono::steady_clock::now();

	if (j->progress_queued ||
	    now - j->last_progress < std::chrono::milliseconds(XFER_PROGRESS_MS))
		return;
	j->last_progress = now;
	j->progress_queued = true;
	xf.progress.push_back(j);
	workers_wake_locked(&xf.pool);
}

void xfer_copy_returned(xfer_job *j)
{
	std::lock_guard<std::mutex> lk(xf.pool.mu);

	j->copy_returned = true;
}

void xfer_unlink_target(const xfer_job *j)
{
	if (j->dir_fd >= 0)
		(void)unlinkat(j->dir_fd, j->target.c_str(), 0);
	else
		(void)unlink(j->target.c_str());
}

namespace
{

void xfer_run_rm(xfer_job *j)
{
	XrdCl::URL u(j->target);

	if (!u.IsValid()) {
		snprintf(j->res.msg, sizeof(j->res.msg), "not a valid URL");
		return;
	}
	XrdCl::FileSystem fs(u);
	XrdCl::XRootDStatus st = fs.Rm(u.GetPathWithParams(), XFER_RM_TIMEOUT_S);

	j->res.ok = st.IsOK();
	if (!st.IsOK()) {
		j->res.xrd_errno = (int)st.errNo;
		snprintf(j->res.msg, sizeof(j->res.msg), "%s", xfer_status_text(st).c_str());
	}
}

void xfer_run(xfer_job *j)
{
	try {
		// a removal is cleanup: it runs even at shutdown
		if (j->cancel.load() && j->op != XFER_OP_RM) {
			j->res.cancelled = 1;
			snprintf(j->res.msg, sizeof(j->res.msg), "cancelled");
		} else if (j->op == XFER_OP_RM) {
			xfer_run_rm(j);
		} else if (j->op == XFER_OP_MD5) {
			xfer_md5_run(j);
		} else {
			xfer_copy_run(j);
		}
	} catch (const std::exception &e) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XrdCl failed: %s", e.what());
	} catch (...) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XrdCl failed (unknown exception)");
	}
	try {
		if (!j->res.ok && j->op == XFER_OP_COPY && !j->final_path.empty())
			xfer_unlink_target(j);
	} catch (...) {
	}
	if (j->dir_fd >= 0) {
		close(j->dir_fd);
		j->dir_fd = -1;
	}
	if (!j->remove_file.empty())
		(void)unlink(j->remove_file.c_str());
}

void xfer_watchdog_start_locked();

// the pool's hooks (workers.h), in the order a job meets them
void xfer_take_locked(workers_job *job, bool stopping)
{
	xfer_job *j = static_cast<xfer_job *>(job);

	if (stopping)
		j->cancel = true;
	if (j->op == XFER_OP_COPY && j->tune.timeout_s > 0) {
		j->deadline =
			std::chrono::steady_clock::now() + std::chrono::seconds(j->tune.timeout_s);
		j->watched = true;
		xfer_watchdog_start_locked();
		xf.watch_cv.notify_all();
	}
}

void xfer_work(workers_job *job)
{
	xfer_run(static_cast<xfer_job *>(job));
}

void xfer_ran_locked(workers_job *job)
{
	// the watchdog must not pick it up once the loop may free it
	static_cast<xfer_job *>(job)->copy_returned = true;
}

// The watchdog: a job still copying at its deadline (-timeout) is failed for its
// owner at once and told to stop; XrdCl only looks at its cancel flag and its
// cpTimeout between chunks, and a stalled SE sends none (it fails on its own
// later: StreamTimeout), so the worker stays busy until then and cleans up.
void xfer_watchdog()
{
	std::unique_lock<std::mutex> lk(xf.pool.mu);

	while (!xf.pool.stopping) {
		auto now = std::chrono::steady_clock::now();
		auto next = now + std::chrono::hours(1);

		for (workers_job *p : xf.pool.live) {
			xfer_job *j = static_cast<xfer_job *>(p);

			if (!j->watched || j->copy_returned || j->timed_out)
				continue;
			if (j->deadline <= now) {
				j->timed_out = true;
				j->cancel = true;
				// a download's temporary file goes now (XrdCl may write on into the
				// unlinked file; the failed job renames nothing); its folder's
				// descriptor stays open until the worker is done
				if (!j->upload && !j->final_path.empty())
					xfer_unlink_target(j);
				xf.expired.push_back(j);
				workers_wake_locked(&xf.pool);
			} else if (j->deadline < next) {
				next = j->deadline;
			}
		}
		xf.watch_cv.wait_until(lk, next);
	}
}

void xfer_watchdog_start_locked()
{
	if (xf.watchdog.joinable() || xf.pool.stopping)
		return;
	try {
		xf.watchdog = std::thread(xfer_watchdog);
	} catch (...) { // no watchdog: XrdCl's cpTimeout still ends a job that gets chunks
		log_warn("xfer: cannot start the -timeout watchdog");
	}
}

void xfer_configure()
{
	XrdCl::Env *env = XrdCl::DefaultEnv::GetEnv();
	// a dead replica must not block for minutes (PITFALLS C); the user's
	// XRD_* variables win (PutInt is ignored for names set in the environment).
	// StreamErrorWindow: after a fatal connection error XrdCl fails every new
	// request to that SE at once for this long (default 1800 s): a one-shot
	// client never notices, but the daemon would shun a restarted SE for half
	// an hour. 5 s keeps a burst of files to a dead SE failing fast.
	const std::pair<const char *, int> defaults[] = {
		{ "ConnectionRetry", 1 },   { "ConnectionWindow", 10 },
		{ "TimeoutResolution", 1 }, { "CPInitTimeout", 90 },
		{ "StreamTimeout", 60 },    { "StreamErrorWindow", XFER_SE_ERROR_WINDOW_S },
	};
	for (const auto &d : defaults)
		env->PutInt(d.first, d.second);
	// Read and write recovery off: when an SE dies mid-transfer XrdCl 5.5.3
	// reopens the file elsewhere on one thread while the copy thread still
	// reads the old data-server URL (a use-after-free ASan caught in cp.sekill:
	// RELIABILITY finding 19). The copy fails instead, and cp moves on to the
	// next replica itself (cp_copy.c) or runs its recovery pass (uploads).
	env->PutString("ReadRecovery", "false");
	env->PutString("WriteRecovery", "false");
	// what the SEs log as the client (alien.py: "alien.py/<ver> xrootd/<ver>");
	// XRD_APPNAME wins. Process-wide: one name for every user's transfers.
	env->PutString("AppName", "jaliend/" JALIEND_VERSION " xrootd/" XrdVERSION);
	xrdlog_install(); // a shell's XRD_LOGFILE gets XrdCl's lines while its cp runs
	// -ratethreshold is measured by xfer_copy.cc, never XrdCl (RELIABILITY finding 24):
	// the daemon's own XRD_XRATETHRESHOLD (XrdCl imported it at load) is the copies' default
	int rate = 0;
	if (env->GetInt("XRateThreshold", rate) && rate > 0) {
		xfer_rate_env = rate;
		log_info("xfer: XRD_XRATETHRESHOLD=%d B/s: the default -ratethreshold", rate);
	}
}

} // namespace

extern "C" int xfer_init(struct lws_context *ctx)
{
	if (workers_set_context(&xf.pool, ctx) < 0)
		return -ENOMEM;
	try {
		std::lock_guard<std::mutex> lk(xf.pool.mu);

		if (!xf.configured) {
			xfer_configure();
			xf.configured = true;
			atexit(xfer_fini); // cancel and clean up before XrdCl's own teardown
		}
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

namespace
{

// a request of this kind (tune NULL: the defaults), its fields still to fill
struct xfer_req xfer_req_of(enum xfer_kind kind, const struct xfer_tune *tune)
{
	struct xfer_req r = {};

	r.kind = kind;
	if (tune)
		r.tune = *tune;
	return r;
}

} // namespace

extern "C" struct xfer_req xfer_req_upload(const char *local, const char *url, const char *md5,
					   const struct xfer_tune *tune)
{
	struct xfer_req r = xfer_req_of(XFER_UPLOAD, tune);

	r.u.upload = { local, url, md5 };
	return r;
}

extern "C" struct xfer_req xfer_req_download(const struct xfer_download *d,
					     const struct xfer_tune *tune)
{
	struct xfer_req r = xfer_req_of(XFER_DOWNLOAD, tune);

	r.u.download = *d;
	return r;
}

extern "C" struct xfer_req xfer_req_tpc(const char *src_url, const char *dst_url,
					enum xfer_tpc mode, const struct xfer_tune *tune)
{
	struct xfer_req r = xfer_req_of(XFER_TPC, tune);

	r.u.tpc = { src_url, dst_url, mode };
	return r;
}

extern "C" struct xfer_req xfer_req_md5(const char *source)
{
	struct xfer_req r = xfer_req_of(XFER_MD5, nullptr);

	r.u.md5.source = source;
	return r;
}

extern "C" struct xfer_req xfer_req_rm(const char *url)
{
	struct xfer_req r = xfer_req_of(XFER_RM, nullptr);

	r.u.rm.url = url;
	return r;
}

namespace
{

std::string xfer_str(const char *s)
{
	return s ? s : "";
}

// a download's fields into its job
void xfer_submit_download(xfer_job *j, const struct xfer_download *d)
{
	j->source = xfer_str(d->meta4);
	j->remove_file = j->source;
	j->target = xfer_str(d->tmp_name);
	j->final_path = xfer_str(d->final_name);
	j->dir_fd = d->in_dir ? d->dir_fd : -1;
	j->md5 = xfer_str(d->md5);
	j->mode = j->md5.empty() ? "none" : "target";
	j->force = true;
	j->sources = d->sources < 2		     ? 1
		     : d->sources < XFER_SOURCES_MAX ? (unsigned)d->sources
						     : XFER_SOURCES_MAX;
	j->has_xattrs = d->lfn != nullptr;
	j->xa_guid = xfer_str(d->guid);
	j->xa_lfn = xfer_str(d->lfn);
	j->xa_md5 = j->md5;
	j->xa_size = d->size;
	j->size_max = d->size >= 0 ? d->size : -1;
	j->zip_member = xfer_str(d->zip_member);
	j->first_url = xfer_str(d->first_url);
	j->zip_local = d->zip_member && d->zip_local;
	if (d->zip_member)
		j->sources = 1; // XrdCl 5.5.3 reads a zip member from one source only
}

// the request's fields into its job
void xfer_submit_fill(xfer_job *j, const struct xfer_req *req)
{
	j->op = XFER_OP_COPY;
	j->mode = "none";
	j->tune = req->tune;
	if (j->tune.rate_min <= 0)
		j->tune.rate_min = xfer_rate_env;
	switch (req->kind) {
	case XFER_UPLOAD:
		j->source = xfer_str(req->u.upload.local);
		j->target = xfer_str(req->u.upload.url);
		j->md5 = xfer_str(req->u.upload.md5);
		j->mode = "source";
		j->upload = j->force = true;
		break;
	case XFER_DOWNLOAD: xfer_submit_download(j, &req->u.download); break;
	case XFER_TPC:
		j->source = xfer_str(req->u.tpc.src_url);
		j->target = xfer_str(req->u.tpc.dst_url);
		j->tpc = req->u.tpc.mode;
		j->upload = j->force = true;
		break;
	case XFER_MD5:
		j->op = XFER_OP_MD5;
		j->source = xfer_str(req->u.md5.source);
		j->tune = {};
		break;
	case XFER_RM:
		j->op = XFER_OP_RM;
		j->target = xfer_str(req->u.rm.url);
		j->tune = {};
		break;
	}
}

} // namespace

extern "C" struct xfer_job *xfer_submit(const struct xfer_req *req, xfer_done_fn done,
					xfer_progress_fn progress, void *owner)
{
	xfer_job *j = nullptr;

	try {
		j = new xfer_job();
		xfer_submit_fill(j, req);
		j->owner = owner;
		j->done_cb = done;
		j->progress_cb = progress;
		if (workers_submit(&xf.pool, j) < 0) { // after xfer_fini, no worker thread, ENOMEM
			delete j;
			return nullptr;
		}
		return j;
	} catch (...) {
		delete j;
		return nullptr;
	}
}

extern "C" void xfer_cancel(struct xfer_job *job)
{
	if (!job)
		return;
	job->cancel = true; // read by ShouldCancel on the worker
	job->owner = nullptr;
	job->done_cb = nullptr;
	job->progress_cb = nullptr;
}

extern "C" void xfer_drain(void)
{
	std::vector<xfer_job *> prog, exp;
	std::vector<workers_job *> fin;

	try {
		std::lock_guard<std::mutex> lk(xf.pool.mu);

		prog.swap(xf.progress);
		workers_finished_locked(&xf.pool, fin);
		exp.swap(xf.expired);
		for (xfer_job *j : prog)
			j->progress_queued = false;
	} catch (...) {
		return;
	}
	// callbacks run unlocked: they may submit or cancel jobs
	for (xfer_job *j : prog)
		if (j->progress_cb && j->owner)
			j->progress_cb(j->owner, j, j->done.load(), j->total.load());
	for (xfer_job *j : exp) { // still live (freed when its worker is done): the owner hears now
		if (!j->done_cb || !j->owner)
			continue;
		struct xfer_result r = {};
		void *owner = j->owner;
		xfer_done_fn cb = j->done_cb;

		r.bytes = j->done.load();
		r.seconds = j->tune.timeout_s;
		snprintf(r.msg, sizeof(r.msg),
			 "[ERROR] Operation expired: CPTimeout exceeded: not done in %d s "
			 "(-timeout)",
			 j->tune.timeout_s);
		xfer_cancel(j);
		cb(owner, j, &r);
	}
	for (workers_job *p : fin) {
		xfer_job *j = static_cast<xfer_job *>(p);

		if (j->done_cb && j->owner)
			j->done_cb(j->owner, j, &j->res);
		delete j;
	}
}

extern "C" unsigned xfer_busy(void)
{
	return workers_busy(&xf.pool);
}

extern "C" void xfer_fini(void)
{
	workers_stop(&xf.pool); // every job cancelled, its owner forgotten
	try {
		{
			std::lock_guard<std::mutex> lk(xf.pool.mu);

			xf.watch_cv.notify_all();
		}
		workers_join(&xf.pool); // the workers clean up what they ran
		if (xf.watchdog.joinable())
			xf.watchdog.join();
		std::lock_guard<std::mutex> lk(xf.pool.mu);
		xf.progress.clear();
		xf.expired.clear();
	} catch (...) {
	}
}

extern "C" int xfer_lws_callback(struct lws *, enum lws_callback_reasons reason, void *, void *,
				 size_t)
{
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		xfer_drain(); // once per vhost and spuriously too: an empty drain does nothing
	return 0;
}
