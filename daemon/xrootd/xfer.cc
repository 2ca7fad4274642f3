// xfer.cc - see xfer.h. The daemon's only C++: XrdCl::CopyProcess on
// worker threads; nothing here throws past the C API.
#include "xfer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <errno.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fcntl.h>
#include <openssl/evp.h>

#include <XrdCl/XrdClCopyProcess.hh>
#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XrdCl/XrdClFile.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClPropertyList.hh>
#include <XrdCl/XrdClURL.hh>
#include <XrdCl/XrdClXRootDResponses.hh>

#include "workers.h"

extern "C" {
#include "log.h"
}

struct xfer_job : workers_job { // cancel (shared with the worker), owner (loop thread only)
	// set at submit, read-only afterwards
	enum xfer_kind kind;
	std::string source, target, final_path, mode, md5, remove_file, xa_guid, xa_lfn, xa_md5;
	long long xa_size;
	bool upload, force, has_xattrs;
	int tpc = XFER_TPC_NONE;
	unsigned sources = 1;
	int dir_fd = -1;        // COPY to local in a folder: target, final_path are names in it
	struct xfer_tune tune = {};
	std::string zip_member; // a download of this member of the archive
	bool zip_local = false; // ... extracted here from the whole archive (-noxrdzip)
	// shared with the worker
	std::atomic<uint64_t> done{ 0 }, total{ 0 };
	// under xf.pool.mu
	bool progress_queued = false;
	std::chrono::steady_clock::time_point last_progress;
	std::chrono::steady_clock::time_point deadline; // tune.timeout_s: from the start on a worker
	bool watched = false;       // deadline set, the watchdog looks at it
	bool copy_returned = false; // the copy is over: the watchdog leaves it alone
	bool timed_out = false;     // the watchdog failed it (its owner was told)
	struct xfer_result res;
	// loop thread only
	xfer_done_fn done_cb = nullptr;
	xfer_progress_fn progress_cb = nullptr;
};

namespace {

void xfer_take_locked(workers_job *job, bool stopping);
void xfer_work(workers_job *job);
void xfer_ran_locked(workers_job *job);

const workers_ops xfer_ops = { xfer_take_locked, xfer_work, xfer_ran_locked };

struct xfer_state {
	// the jobs' queue and workers; its mu guards the rest too. The caps:
	// XFER_THREADS_MAX workers; the queue has none here (as ever): the owners
	// bound their jobs (a cp's transfers in flight, a command's one md5)
	workers pool{ &xfer_ops, XFER_THREADS_MAX, 0 };
	std::vector<xfer_job *> progress;  // progress for the loop
	std::vector<xfer_job *> expired;   // past their deadline: the owner is told, the job runs on
	std::condition_variable watch_cv;  // the watchdog's (jobs with a deadline started, stopping)
	std::thread watchdog;
	bool configured = false;
};

xfer_state xf;

// XrdCl's status as one line: ToString() hides the message (PITFALLS C).
std::string xfer_status_text(const XrdCl::XRootDStatus &st)
{
	std::string s = st.ToString();
	const std::string &m = st.GetErrorMessage();

	if (!m.empty() && s.find(m) == std::string::npos)
		s += ": " + m;
	return s;
}

class xfer_handler : public XrdCl::CopyProgressHandler {
public:
	explicit xfer_handler(xfer_job *j) : job(j) {}
	void JobProgress(uint16_t, uint64_t processed, uint64_t total) override
	{
		job->done = processed;
		job->total = total;
		std::lock_guard<std::mutex> lk(xf.pool.mu);
		auto now = std::chrono::steady_clock::now();

		if (job->progress_queued ||
		    now - job->last_progress < std::chrono::milliseconds(XFER_PROGRESS_MS))
			return;
		job->last_progress = now;
		job->progress_queued = true;
		xf.progress.push_back(job);
		workers_wake_locked(&xf.pool);
	}
	bool ShouldCancel(uint16_t) override
	{
		return job->cancel.load();
	}

private:
	xfer_job *job;
};

// "md5:0abc" and "abc" compare equal: XrdCl strips leading zeros.
bool xfer_same_md5(std::string a, std::string b)
{
	for (std::string *s : { &a, &b }) {
		size_t c = s->find(':');

		if (c != std::string::npos)
			*s = s->substr(c + 1);
		for (auto &ch : *s)
			ch = (char)tolower((unsigned char)ch);
		size_t z = s->find_first_not_of('0');
		*s = z == std::string::npos ? std::string() : s->substr(z);
	}
	return a == b;
}

void xfer_remove_remote(const std::string &url)
{
	XrdCl::URL u(url);

	if (!u.IsValid())
		return;
	XrdCl::FileSystem fs(u);
	XrdCl::XRootDStatus st = fs.Rm(u.GetPathWithParams(), XFER_RM_TIMEOUT_S);

	if (!st.IsOK() && st.errNo != kXR_NotFound)
		log_info("xfer: could not remove the partial upload root://%s/%s: %s", u.GetHostId().c_str(),
			 u.GetPath().c_str(), xfer_status_text(st).c_str()); // not its authz (an envelope)
}

// the target as a path XrdCl and setxattr can open: in its folder's descriptor
std::string xfer_target_path(const xfer_job *j)
{
	if (j->dir_fd < 0)
		return j->target;
	return "/proc/self/fd/" + std::to_string(j->dir_fd) + "/" + j->target;
}

void xfer_unlink_target(const xfer_job *j)
{
	if (j->dir_fd >= 0)
		(void)unlinkat(j->dir_fd, j->target.c_str(), 0);
	else
		(void)unlink(j->target.c_str());
}

void xfer_set_xattrs(const xfer_job *j)
{
	char size[32];

	if (!j->has_xattrs)
		return;
	snprintf(size, sizeof(size), "%lld", j->xa_size);
	const std::pair<const char *, std::string> attrs[] = {
		{ "user.guid", j->xa_guid }, { "user.lfn", j->xa_lfn }, { "user.md5", j->xa_md5 },
		{ "user.size", j->xa_size >= 0 ? std::string(size) : std::string() },
	};
	for (const auto &a : attrs)
		if (!a.second.empty()) // best effort, as alien.py (tmpfs may refuse user.*)
			(void)setxattr(xfer_target_path(j).c_str(), a.first, a.second.data(), a.second.size(), 0);
}

// md5 of the local file path into out (bare hex), its size into *bytes; "" or the reason
std::string xfer_md5_file(const xfer_job *j, const std::string &path, char *out, size_t outlen, uint64_t *bytes)
{
	static const size_t bufsize = 1u << 20;
	std::vector<unsigned char> buf(bufsize);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	EVP_MD_CTX *c;
	ssize_t n = 0;
	std::string err = "out of memory";

	if (fd < 0)
		return strerror(errno);
	c = EVP_MD_CTX_new();
	if (c && EVP_DigestInit_ex(c, EVP_md5(), nullptr) == 1) {
		while (!j->cancel.load() && (n = read(fd, buf.data(), bufsize)) > 0) {
			EVP_DigestUpdate(c, buf.data(), (size_t)n);
			*bytes += (uint64_t)n;
		}
		if (n == 0 && !j->cancel.load() && EVP_DigestFinal_ex(c, md, &mdlen) == 1) {
			for (unsigned i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
				snprintf(out + 2 * i, 3, "%02x", md[i]);
			err.clear();
		} else {
			err = n < 0 ? strerror(errno) : "cancelled";
		}
	}
	EVP_MD_CTX_free(c);
	close(fd);
	return err;
}

// md5 of a file on an SE (a grid to grid copy's target, cp_tpc.c): the SE's
// own checksum (kXR_Qcksum, "?cks.type=md5"), else the file read back through
// XrdCl (an SE without xrootd.chksum; libXrdCl 5.5.3 computes no checksum
// while streaming from one SE to another: every mode is a query)
std::string xfer_md5_remote(const xfer_job *j, char *out, size_t outlen, uint64_t *bytes)
{
	XrdCl::URL u(j->source);
	if (!u.IsValid())
		return "not a valid URL";
	XrdCl::FileSystem fs(u);
	XrdCl::Buffer arg, *resp = nullptr;
	std::string q = u.GetPathWithParams();
	arg.FromString(q + (q.find('?') == std::string::npos ? "?" : "&") + "cks.type=md5");
	XrdCl::XRootDStatus st = fs.Query(XrdCl::QueryCode::Checksum, arg, resp, XFER_RM_TIMEOUT_S * 6);
	std::string ans = st.IsOK() && resp ? resp->ToString() : std::string();
	delete resp;
	if (ans.compare(0, 4, "md5 ") == 0) {
		snprintf(out, outlen, "%.32s", ans.c_str() + 4);
		return "";
	}
	XrdCl::File file;
	std::vector<unsigned char> buf(XFER_CHUNK_SIZE);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint32_t got = 0;
	st = file.Open(j->source, XrdCl::OpenFlags::Read);
	if (!st.IsOK())
		return "cannot read it back: " + xfer_status_text(st);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	std::string err = c && EVP_DigestInit_ex(c, EVP_md5(), nullptr) == 1 ? "" : "out of memory";
	while (err.empty() && !j->cancel.load()) {
		st = file.Read(*bytes, (uint32_t)buf.size(), buf.data(), got);
		if (!st.IsOK())
			err = "cannot read it back: " + xfer_status_text(st);
		else if (got == 0)
			break;
		else
			EVP_DigestUpdate(c, buf.data(), got), *bytes += got;
	}
	if (err.empty() && j->cancel.load())
		err = "cancelled";
	if (err.empty() && EVP_DigestFinal_ex(c, md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
	XrdCl::XRootDStatus closed = file.Close(); // read only: nothing to lose
	(void)closed;
	return err;
}

// md5 of a local file off the loop (1 GiB takes seconds), or of a root:// URL
void xfer_run_md5(xfer_job *j)
{
	bool remote = j->source.compare(0, 7, "root://") == 0;
	std::string err = remote ? xfer_md5_remote(j, j->res.checksum, sizeof(j->res.checksum), &j->res.bytes)
				 : xfer_md5_file(j, j->source, j->res.checksum, sizeof(j->res.checksum), &j->res.bytes);
	std::string name = remote ? j->source.substr(0, j->source.find('?')) : j->source; // not its authz

	if (err.empty())
		j->res.ok = 1;
	else
		snprintf(j->res.msg, sizeof(j->res.msg), "%s: %s", name.c_str(), err.c_str());
}

// seconds left before the job's -timeout (at least 1), 0 without one
int xfer_seconds_left(const xfer_job *j)
{
	if (j->tune.timeout_s <= 0)
		return 0;
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(j->deadline - std::chrono::steady_clock::now()).count();
	long long left = (ms + 999) / 1000; // rounded up: a fresh job gets the whole -timeout
	return left < 1 ? 1 : left > XFER_TIMEOUT_MAX ? XFER_TIMEOUT_MAX : (int)left;
}

// what XrdCl's own retry takes again (5.5.3 QueuedCopyJob): socket errors, its
// timeout, a rate below the threshold; and a download's metalink whose replicas
// all failed with a fatal (connection) error or a timeout: XrdCl reports that as
// an error response ("Metalink: no more replicas to try. Last seen error: ..."),
// which its own retry never takes again
bool xfer_retryable(const XrdCl::XRootDStatus &st)
{
	const std::string &m = st.GetErrorMessage();

	return XrdCl::Status::IsSocketError(st.code) || st.code == XrdCl::errOperationExpired ||
	       st.code == XrdCl::errThresholdExceeded ||
	       (st.code == XrdCl::errErrorResponse && (m.find("Last seen error: [FATAL]") != std::string::npos ||
						       m.find("Last seen error: [ERROR] Operation expired") != std::string::npos));
}

// wait XFER_RETRY_DELAY_S; false if cancelled or the deadline comes first
bool xfer_retry_wait(xfer_job *j)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::seconds(XFER_RETRY_DELAY_S);

	if (j->tune.timeout_s > 0 && until >= j->deadline)
		return false;
	while (std::chrono::steady_clock::now() < until) {
		if (j->cancel.load())
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	return !j->cancel.load();
}

XrdCl::XRootDStatus xfer_copy_once(xfer_job *j, const XrdCl::PropertyList &props, XrdCl::PropertyList &results)
{
	XrdCl::XRootDStatus st, jst;
	XrdCl::CopyProcess cp;
	xfer_handler h(j);

	st = cp.AddJob(props, &results);
	if (st.IsOK())
		st = cp.Prepare();
	if (st.IsOK())
		st = cp.Run(&h);
	if (results.HasProperty("status") && results.Get("status", jst) && !jst.IsOK())
		st = jst;
	return st;
}

// -noxrdzip: the whole archive is at the target; the member replaces it (checked
// against md5 by XrdCl reading the local archive with ?xrdcl.unzip=)
void xfer_unzip_local(xfer_job *j, struct xfer_result &r)
{
	XrdCl::PropertyList props, results;
	std::string member = j->target + ".member"; // beside it, in its folder
	std::string member_path = j->dir_fd >= 0 ? "/proc/self/fd/" + std::to_string(j->dir_fd) + "/" + member : member;

	props.Set("source", xfer_target_path(j) + "?xrdcl.unzip=" + j->zip_member);
	props.Set("target", member_path);
	props.Set("force", true);
	props.Set("posc", true);
	props.Set("makeDir", false);
	if (j->mode == "target" && !j->md5.empty()) {
		props.Set("checkSumMode", std::string("target"));
		props.Set("checkSumType", std::string("md5"));
		props.Set("checkSumPreset", j->md5);
	}
	XrdCl::XRootDStatus st = xfer_copy_once(j, props, results);
	std::string sum;

	results.Get("targetCheckSum", sum);
	snprintf(r.checksum, sizeof(r.checksum), "%s", sum.c_str());
	if (st.IsOK() && (j->dir_fd >= 0 ? renameat(j->dir_fd, member.c_str(), j->dir_fd, j->target.c_str())
					 : rename(member.c_str(), j->target.c_str())) == 0)
		return;
	r.ok = 0;
	snprintf(r.msg, sizeof(r.msg), "cannot extract %s from the archive: %s", j->zip_member.c_str(),
		 st.IsOK() ? strerror(errno) : xfer_status_text(st).c_str());
	if (j->dir_fd >= 0)
		(void)unlinkat(j->dir_fd, member.c_str(), 0);
	else
		(void)unlink(member.c_str());
}

void xfer_run_copy(xfer_job *j)
{
	struct xfer_result &r = j->res;
	XrdCl::PropertyList props, results;
	XrdCl::XRootDStatus st;
	auto t0 = std::chrono::steady_clock::now();

	props.Set("source", j->zip_member.empty() || j->zip_local ? j->source
								    : j->source + "?xrdcl.unzip=" + j->zip_member);
	props.Set("target", xfer_target_path(j));
	props.Set("force", j->force);
	props.Set("posc", true);
	props.Set("makeDir", j->dir_fd < 0); // a folder given by descriptor exists
	// several sources: XrdCl's extreme copy reads blocks from each at once;
	// its in-stream checksum of the target is then wrong (5.5.3), so the md5
	// is checked on the written file below (a pass over the page cache)
	bool multi = j->sources > 1;
	std::string mode = (multi || j->zip_local) && j->mode == "target" ? std::string("none") : j->mode;
	props.Set("sourceLimit", (uint16_t)j->sources);
	if (multi) {
		props.Set("xcp", true);
		props.Set("nbXcpSources", (uint16_t)j->sources);
		props.Set("xcpBlockSize", (uint64_t)XFER_XCP_BLOCK_SIZE);
	}
	props.Set("checkSumMode", mode);
	props.Set("thirdParty", std::string(j->tpc == XFER_TPC_ONLY ? "only" : j->tpc == XFER_TPC_FIRST ? "first" : "none"));
	{ // AddJob refuses a checkSumMode without a type, even "none" (PITFALLS C)
		props.Set("checkSumType", std::string("md5"));
		if (mode == "target" && !j->md5.empty())
			props.Set("checkSumPreset", j->md5);
	}
	props.Set("chunkSize", (uint32_t)(j->tune.chunk_size ? j->tune.chunk_size : XFER_CHUNK_SIZE));
	// parallelChunks as a uint16_t (what ClassicCopyJob reads): a uint8_t goes
	// through PropertyList's streams as a character and breaks the copy
	// ("Received corrupted data"); unset, XrdCl's CPParallelChunks (4)
	if (j->tune.chunks > 0)
		props.Set("parallelChunks", (uint16_t)j->tune.chunks);
	if (j->tune.rate_min > 0)
		props.Set("xrateThreshold", (long long)j->tune.rate_min);
	int tries = 0;
	for (int attempt = 0;; attempt++) {
		int left = xfer_seconds_left(j);

		if (left > 0) // XrdCl checks it between chunks; the watchdog when none comes
			props.Set("cpTimeout", (uint16_t)left);
		results.Clear();
		st = xfer_copy_once(j, props, results);
		tries++;
		if (st.IsOK() || attempt >= j->tune.retries || !xfer_retryable(st) || !xfer_retry_wait(j))
			break;
		log_info("xfer: retry %d of %d after: %s", attempt + 1, j->tune.retries, xfer_status_text(st).c_str());
		props.Set("force", true); // what XrdCl's own retry does (CpRetryPolicy "force")
	}
	{
		std::lock_guard<std::mutex> lk(xf.pool.mu);

		j->copy_returned = true; // from here the result is the worker's, or the watchdog's already
	}
	r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::string sum;
	results.Get(j->mode == "source" ? "sourceCheckSum" : "targetCheckSum", sum);
	snprintf(r.checksum, sizeof(r.checksum), "%s", sum.c_str());
	uint64_t size = 0;
	if (results.Get("size", size))
		r.bytes = size;
	else
		r.bytes = j->done;
	if (!st.IsOK()) {
		r.xrd_errno = (int)st.errNo;
		double rate = r.seconds > 0 ? (double)j->done.load() / r.seconds : 0;
		// XrdCl's threshold asks the source for another server first: from a metalink
		// that fails as "no more replicas", which does not say why
		std::string why = j->tune.rate_min > 0 && rate < (double)j->tune.rate_min
					  ? " (the rate, " + std::to_string((long long)rate) + " B/s, was below -ratethreshold " +
						    std::to_string(j->tune.rate_min) + " B/s)"
					  : std::string();
		if (tries > 1)
			why += " (tried " + std::to_string(tries) + " times)";
		snprintf(r.msg, sizeof(r.msg), "%s%s", xfer_status_text(st).c_str(), why.c_str());
	} else if (j->mode == "source" && !j->md5.empty() && !xfer_same_md5(sum, j->md5)) {
		snprintf(r.msg, sizeof(r.msg), "md5 mismatch: the file had %s when the copy started, %s while copied",
			 j->md5.c_str(), sum.c_str());
	} else if (multi && j->mode == "target" && !j->md5.empty()) {
		char hex[40] = "";
		uint64_t n = 0;
		std::string err = xfer_md5_file(j, xfer_target_path(j), hex, sizeof(hex), &n);

		if (!err.empty())
			snprintf(r.msg, sizeof(r.msg), "cannot read the copy back for its md5: %s", err.c_str());
		else if (!xfer_same_md5(hex, j->md5))
			snprintf(r.msg, sizeof(r.msg), "[ERROR] CheckSum error: md5 %s, the catalogue has %s", hex,
				 j->md5.c_str());
		else
			r.ok = 1;
		snprintf(r.checksum, sizeof(r.checksum), "md5:%s", hex);
	} else {
		r.ok = 1;
	}
	if (r.ok && j->zip_local)
		xfer_unzip_local(j, r);
	if (j->cancel.load()) { // cancelled, even if the last chunk made it
		r.ok = 0;
		r.cancelled = 1;
		snprintf(r.msg, sizeof(r.msg), "cancelled");
	}
	if (j->upload) {
		if (!r.ok)
			xfer_remove_remote(j->target);
		return;
	}
	if (r.ok && !j->final_path.empty()) {
		xfer_set_xattrs(j);
		int rc = j->dir_fd >= 0 ? fchmodat(j->dir_fd, j->target.c_str(), 0644, 0) : chmod(j->target.c_str(), 0644);

		(void)rc;
		if ((j->dir_fd >= 0 ? renameat(j->dir_fd, j->target.c_str(), j->dir_fd, j->final_path.c_str())
				    : rename(j->target.c_str(), j->final_path.c_str())) < 0) {
			r.ok = 0;
			snprintf(r.msg, sizeof(r.msg), "cannot rename %s to %s: %s", j->target.c_str(),
				 j->final_path.c_str(), strerror(errno));
		}
	}
	if (!r.ok && !j->final_path.empty())
		xfer_unlink_target(j); // never a partial file under any name
}

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
		if (j->cancel.load() && j->kind != XFER_RM) { // a removal is cleanup: it runs even at shutdown
			j->res.cancelled = 1;
			snprintf(j->res.msg, sizeof(j->res.msg), "cancelled");
		} else if (j->kind == XFER_RM) {
			xfer_run_rm(j);
		} else if (j->kind == XFER_MD5) {
			xfer_run_md5(j);
		} else {
			xfer_run_copy(j);
		}
	} catch (const std::exception &e) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XrdCl failed: %s", e.what());
	} catch (...) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XrdCl failed (unknown exception)");
	}
	try {
		if (!j->res.ok && j->kind == XFER_COPY && !j->final_path.empty())
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
	if (j->kind == XFER_COPY && j->tune.timeout_s > 0) {
		j->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(j->tune.timeout_s);
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
		{ "ConnectionRetry", 1 }, { "ConnectionWindow", 10 }, { "TimeoutResolution", 1 },
		{ "CPInitTimeout", 90 }, { "StreamTimeout", 60 }, { "StreamErrorWindow", XFER_SE_ERROR_WINDOW_S },
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

extern "C" struct xfer_job *xfer_submit(const struct xfer_req *req, xfer_done_fn done, xfer_progress_fn progress,
					 void *owner)
{
	xfer_job *j = nullptr;

	try {
		j = new xfer_job();
		j->kind = req->kind;
		j->source = req->source ? req->source : "";
		j->target = req->target ? req->target : "";
		j->final_path = req->final_path ? req->final_path : "";
		j->mode = req->cksum_mode ? req->cksum_mode : "none";
		j->md5 = req->md5 ? req->md5 : "";
		j->remove_file = req->remove_file ? req->remove_file : "";
		j->upload = req->upload != 0;
		j->dir_fd = req->in_dir ? req->dir_fd : -1;
		j->force = req->force != 0;
		j->tpc = req->tpc;
		j->sources = req->sources > 1 && !req->upload
				     ? (unsigned)(req->sources < XFER_SOURCES_MAX ? req->sources : XFER_SOURCES_MAX)
				     : 1;
		j->has_xattrs = req->xa_guid || req->xa_lfn || req->xa_md5;
		j->xa_guid = req->xa_guid ? req->xa_guid : "";
		j->xa_lfn = req->xa_lfn ? req->xa_lfn : "";
		j->xa_md5 = req->xa_md5 ? req->xa_md5 : "";
		j->xa_size = req->xa_size;
		j->tune = req->tune;
		j->zip_member = req->zip_member ? req->zip_member : "";
		j->zip_local = req->zip_member && req->zip_local;
		if (req->zip_member)
			j->sources = 1; // XrdCl 5.5.3 reads a zip member from one source only
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
		snprintf(r.msg, sizeof(r.msg), "[ERROR] Operation expired: CPTimeout exceeded: not done in %d s (-timeout)",
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

extern "C" int xfer_lws_callback(struct lws *, enum lws_callback_reasons reason, void *, void *, size_t)
{
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		xfer_drain(); // once per vhost and spuriously too: an empty drain does nothing
	return 0;
}
