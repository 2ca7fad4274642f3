// xfer_copy.cc - the copy job of xfer.h (XFER_COPY): one XrdCl::CopyProcess
// on a worker, tried again after a retryable failure, then checked, renamed
// into place or cleaned up (a download's temporary file, a partial upload).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <XrdCl/XrdClConstants.hh>
#include <XrdCl/XrdClCopyProcess.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClPropertyList.hh>
#include <XrdCl/XrdClURL.hh>

#include "xfer_get.h"
#include "xfer_int.h"
#include "xfer_zip.h"

extern "C" {
#include "log.h"
}

namespace
{

// The catalogue's size a download may not pass (-1: none): not for the whole
// archive of -noxrdzip, whose size is not the member's (xfer_zip_run checks the member's).
long long xfer_copy_size_max(const xfer_job *j)
{
	return j->upload || j->zip_local ? -1 : j->size_max;
}

// What XrdCl's CopyProcess reads. A download from one replica at a time: that replica's own
// URL, never the metalink, whose replica after a redirect libXrdCl 5.8.0-5.8.2 cannot fail over
// from: when the connection to it fails before the open is sent (refused, dropped), the open's
// answer is lost and the copy waits for ever (the "already answered" mark the metalink's
// redirect left is not cleared for the new server; xrootd 5.8.3 clears it). The caller goes on
// to the next replica, as it does after the plain reads (cp_copy_dl_done). Several sources at
// once (XrdCl's extreme copy) need the metalink's list; each is then opened by its own URL.
std::string xfer_copy_source(const xfer_job *j)
{
	std::string src = j->sources <= 1 && !j->first_url.empty() ? j->first_url : j->source;

	if (j->zip_member.empty() || j->zip_local)
		return src;
	return src + (src.find('?') == std::string::npos ? "?" : "&") +
	       "xrdcl.unzip=" + j->zip_member;
}

// -ratethreshold, measured here rather than by XrdCl's xrateThreshold: 5.5.3's asks a metalink's
// next replica while reads are still in flight (File::TryOtherServer), which corrupted the
// daemon's heap (1 in 40 such downloads ended in std::bad_alloc or basic_string::append;
// RELIABILITY finding 24). As XrdCl measures it: the rate over every `every` chunks from the
// first one (the open left out); slower fails the copy at XrdCl's next ShouldCancel, and cp goes
// on to the next replica. Only on the worker's thread (XrdCl calls JobProgress and ShouldCancel
// on the thread that runs CopyProcess::Run).
struct xfer_copy_rate {
	long long min; // bytes/s; 0: off
	int every;
	int left = 0;	     // reports before the next check
	uint64_t bytes0 = 0; // at the window's start
	std::chrono::steady_clock::time_point t0;
	bool started = false;
	bool low = false;
	double seen = 0; // the rate of the window that was too slow, bytes/s

	explicit xfer_copy_rate(const xfer_job *j)
	    : min(j->tpc == XFER_TPC_NONE ? j->tune.rate_min : 0), // not for third-party copies
	      every(j->tune.chunks > 0 ? j->tune.chunks : XrdCl::DefaultCPParallelChunks)
	{
	}
	// the copy is over with st: the job keeps what was measured (xfer_copy_run's retries and
	// reason), and a copy stopped for being too slow fails as such
	XrdCl::XRootDStatus end(xfer_job *j, const XrdCl::XRootDStatus &st) const
	{
		j->rate_low = low;
		j->rate_seen = seen;
		if (!low || j->cancel.load())
			return st;
		return XrdCl::XRootDStatus(
			XrdCl::stError, XrdCl::errThresholdExceeded, 0,
			"the transfer rate dropped below the requested threshold");
	}

	void report(uint64_t processed)
	{
		auto now = std::chrono::steady_clock::now();

		if (min <= 0 || low)
			return;
		if (!started || --left > 0) {
			if (!started)
				started = true, left = every, bytes0 = processed, t0 = now;
			return;
		}
		double s = std::chrono::duration<double>(now - t0).count();
		double rate = s > 0 ? (double)(processed - bytes0) / s : 0;
		if (s > 0 && rate < (double)min)
			low = true, seen = rate;
		left = every, bytes0 = processed, t0 = now;
	}
};

class xfer_copy_handler : public XrdCl::CopyProgressHandler
{
      public:
	xfer_copy_handler(xfer_job *j, long long max) : rate(j), job(j), size_max(max)
	{
	}
	void JobProgress(uint16_t, uint64_t processed, uint64_t total) override
	{
		if (size_max >= 0 && (processed > (uint64_t)size_max || total > (uint64_t)size_max))
			// stopped at the next ShouldCancel
			over = total > processed ? total : processed;
		rate.report(processed);
		xfer_progress(job, processed, total);
	}
	bool ShouldCancel(uint16_t) override
	{
		return job->cancel.load() || over || rate.low;
	}
	uint64_t over = 0; // the size the SE announced or sent past size_max
	xfer_copy_rate rate;

      private:
	xfer_job *job;
	long long size_max;
};

void xfer_copy_remove_remote(const std::string &url)
{
	XrdCl::URL u(url);

	if (!u.IsValid())
		return;
	XrdCl::FileSystem fs(u);
	XrdCl::XRootDStatus st = fs.Rm(u.GetPathWithParams(), XFER_RM_TIMEOUT_S);

	if (!st.IsOK() && st.errNo != kXR_NotFound)
		log_info("xfer: could not remove the partial upload root://%s/%s: %s",
			 u.GetHostId().c_str(),
			 // not its authz (an envelope)
			 u.GetPath().c_str(), xfer_status_text(st).c_str());
}

// the target as a path XrdCl and setxattr can open: in its folder's descriptor
std::string xfer_copy_target_path(const xfer_job *j)
{
	if (j->dir_fd < 0)
		return j->target;
	return "/proc/self/fd/" + std::to_string(j->dir_fd) + "/" + j->target;
}

// The verified download at its temporary name, opened to set its mode and
// attributes through the descriptor (never by name: a link planted at that
// name is refused, not followed). -errno.
int xfer_copy_open_target(const xfer_job *j)
{
	struct stat st;
	int fd = openat(j->dir_fd >= 0 ? j->dir_fd : AT_FDCWD, j->target.c_str(),
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

void xfer_copy_set_xattrs(const xfer_job *j, int fd)
{
	char size[32], ts[32];
	struct timespec now;

	if (!j->has_xattrs)
		return;
	snprintf(size, sizeof(size), "%lld", j->xa_size);
	// alien.py 1.7.0: when it was read and written here, ms since the epoch
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(ts, sizeof(ts), "%lld", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	const std::pair<const char *, std::string> attrs[] = {
		{ "user.guid", j->xa_guid },
		{ "user.lfn", j->xa_lfn },
		{ "user.md5", j->xa_md5 },
		{ "user.size", j->xa_size >= 0 ? std::string(size) : std::string() },
		{ "user.ts_r", std::string(ts) },
		{ "user.ts_w", std::string(ts) },
	};
	for (const auto &a : attrs)
		if (!a.second.empty()) // best effort, as alien.py (tmpfs may refuse user.*)
			(void)fsetxattr(fd, a.first, a.second.data(), a.second.size(), 0);
}

// seconds left before the job's -timeout (at least 1), 0 without one
int xfer_copy_seconds_left(const xfer_job *j)
{
	if (j->tune.timeout_s <= 0)
		return 0;
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
			  j->deadline - std::chrono::steady_clock::now())
			  .count();
	long long left = (ms + 999) / 1000; // rounded up: a fresh job gets the whole -timeout
	return left < 1 ? 1 : left > XFER_TIMEOUT_MAX ? XFER_TIMEOUT_MAX : (int)left;
}

// what XrdCl's own retry takes again (5.5.3 QueuedCopyJob): socket errors, its
// timeout, a rate below the threshold; and a download's metalink whose replicas
// all failed with a fatal (connection) error or a timeout: XrdCl reports that as
// an error response ("Metalink: no more replicas to try. Last seen error: ..."),
// which its own retry never takes again
bool xfer_copy_retryable(const XrdCl::XRootDStatus &st)
{
	const std::string &m = st.GetErrorMessage();

	return XrdCl::Status::IsSocketError(st.code) || st.code == XrdCl::errOperationExpired ||
	       st.code == XrdCl::errThresholdExceeded ||
	       (st.code == XrdCl::errErrorResponse &&
		(m.find("Last seen error: [FATAL]") != std::string::npos ||
		 m.find("Last seen error: [ERROR] Operation expired") != std::string::npos));
}

// the SE could not be reached at all (directly, or every replica of a metalink)
bool xfer_copy_unreachable(const XrdCl::XRootDStatus &st)
{
	return st.code == XrdCl::errConnectionError ||
	       (st.code == XrdCl::errErrorResponse &&
		st.GetErrorMessage().find("Last seen error: [FATAL] Connection error") !=
			std::string::npos);
}

// wait XFER_RETRY_DELAY_S; false if cancelled or the deadline comes first
bool xfer_copy_retry_wait(xfer_job *j)
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

XrdCl::XRootDStatus xfer_copy_once(xfer_job *j, const XrdCl::PropertyList &props,
				   XrdCl::PropertyList &results)
{
	XrdCl::XRootDStatus st, jst;
	XrdCl::CopyProcess cp;
	long long max = xfer_copy_size_max(j);
	xfer_copy_handler h(j, max);

	st = cp.AddJob(props, &results);
	if (st.IsOK())
		st = cp.Prepare();
	if (st.IsOK())
		st = cp.Run(&h);
	if (results.HasProperty("status") && results.Get("status", jst) && !jst.IsOK())
		st = jst;
	st = h.rate.end(j, st);
	if (h.over && !j->cancel.load())
		st = XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errDataError, 0,
					 "the replica has " + std::to_string(h.over) +
						 " bytes, the catalogue " + std::to_string(max) +
						 "; stopped");
	return st;
}

// A download to a file in its folder from one replica at a time: plain reads,
// md5 as they arrive (xfer_get.h says why not CopyProcess). Not for several
// sources at once, an archive's member, a third-party copy, or -ratethreshold
// (measured by xfer_copy_handler, which only CopyProcess calls).
bool xfer_copy_plain(const xfer_job *j)
{
	return !j->upload && !j->first_url.empty() && j->dir_fd >= 0 && j->sources <= 1 &&
	       j->zip_member.empty() && j->tpc == XFER_TPC_NONE && j->tune.rate_min <= 0;
}

XrdCl::XRootDStatus xfer_copy_get(xfer_job *j, XrdCl::PropertyList &results)
{
	xfer_get_io io;
	std::string hex;
	uint64_t bytes = 0;
	int left = xfer_copy_seconds_left(j);

	// not the metalink: XrdCl 5.5.3's File::Open of a local .meta4 crashed here
	// (MetalinkRedirector::FinalizeInitialization, many downloads at once)
	io.source = j->first_url;
	io.target = xfer_copy_target_path(j);
	io.md5 = j->mode == "target" ? j->md5 : std::string();
	io.want_md5 = j->mode != "none";
	io.chunk_size = j->tune.chunk_size;
	io.chunks = j->tune.chunks;
	io.timeout_s = left ? left + XFER_GET_TIMEOUT_SLACK_S : 0;
	io.size = j->size_max;
	io.cancel = &j->cancel;
	io.progress = [j](uint64_t done, uint64_t total) { xfer_progress(j, done, total); };
	XrdCl::XRootDStatus st = xfer_get_run(io, hex, bytes);
	results.Set("size", bytes);
	if (!hex.empty())
		results.Set("targetCheckSum", "md5:" + hex);
	return st;
}

// An archive's member: read out of the archive here, never with XrdCl's ?xrdcl.unzip=
// (xfer_zip.h: libXrdCl 5.5.3 inflates on its own thread into freed memory, RELIABILITY finding
// 23); from the first replica, cp moves to the next one itself. -noxrdzip: the whole archive.
bool xfer_copy_member(const xfer_job *j)
{
	return !j->upload && !j->zip_member.empty() && !j->zip_local && !j->first_url.empty() &&
	       j->dir_fd >= 0 && j->tpc == XFER_TPC_NONE;
}

// j's member out of the archive at src (a root:// URL, or the open local archive afd) into fd;
// -ratethreshold measured as xfer_copy_handler does
XrdCl::XRootDStatus xfer_copy_zip(xfer_job *j, const std::string &src, int afd, int fd,
				  std::string &hex, uint64_t &bytes)
{
	xfer_zip_io io;
	xfer_copy_rate rate(j);
	int left = xfer_copy_seconds_left(j);

	io.source = src;
	io.archive_fd = afd;
	io.member = j->zip_member;
	io.out_fd = fd;
	io.md5 = j->mode == "target" ? j->md5 : std::string();
	io.size = j->size_max;
	io.chunk_size = j->tune.chunk_size;
	io.timeout_s = left ? left + XFER_GET_TIMEOUT_SLACK_S : 0;
	io.stop = [j, &rate] { return j->cancel.load() || rate.low; };
	io.progress = [j, &rate](uint64_t done, uint64_t total) {
		rate.report(done);
		xfer_progress(j, done, total);
	};
	return rate.end(j, xfer_zip_run(io, hex, bytes));
}

XrdCl::XRootDStatus xfer_copy_member_get(xfer_job *j, XrdCl::PropertyList &results)
{
	std::string hex, target = xfer_copy_target_path(j);
	uint64_t bytes = 0;
	int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)errno,
					   "cannot open " + j->target + ": " + strerror(errno));
	XrdCl::XRootDStatus st = xfer_copy_zip(j, j->first_url, -1, fd, hex, bytes);
	if (close(fd) < 0 && st.IsOK())
		st = XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)errno,
					 "cannot write " + j->target + ": " + strerror(errno));
	results.Set("size", bytes);
	if (!hex.empty())
		results.Set("targetCheckSum", "md5:" + hex);
	return st;
}

// the file at name in the job's folder is still the one open as fd
bool xfer_copy_same_file(const xfer_job *j, const std::string &name, int fd)
{
	struct stat a, b;

	return fstatat(j->dir_fd >= 0 ? j->dir_fd : AT_FDCWD, name.c_str(), &a,
		       AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// -noxrdzip: the whole archive is at the target; the member replaces it (read out
// of it here, xfer_zip.h, checked against md5). Its file is ours alone (issue 26
// item 2): made here with O_CREAT|O_EXCL|O_NOFOLLOW in the destination's folder (a
// name another user planted there, a symbolic link above all, fails the copy and
// is left alone), written through our descriptor, renamed into place only while
// its name still holds that file.
void xfer_copy_unzip_local(xfer_job *j, struct xfer_result &r)
{
	std::string member = j->target + ".member", hex; // beside it, in its folder
	int dfd = j->dir_fd >= 0 ? j->dir_fd : AT_FDCWD;
	int afd = xfer_copy_open_target(j); // the archive, a regular file, never a link
	uint64_t bytes = 0;

	if (afd < 0) {
		r.ok = 0;
		snprintf(r.msg, sizeof(r.msg), "cannot extract %s from the archive: %s",
			 j->zip_member.c_str(),
			 afd == -EINVAL ? "not a regular file" : strerror(-afd));
		return;
	}
	int fd = openat(dfd, member.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);

	if (fd < 0) {
		r.ok = 0;
		snprintf(r.msg, sizeof(r.msg),
			 "cannot extract %s from the archive: cannot create %s: %s%s",
			 j->zip_member.c_str(), member.c_str(), strerror(errno),
			 errno == EEXIST ? " (something else is at that name; it is left alone)"
					 : "");
		close(afd);
		return;
	}
	XrdCl::XRootDStatus st = xfer_copy_zip(j, std::string(), afd, fd, hex, bytes);
	const char *why = nullptr;

	close(afd);
	snprintf(r.checksum, sizeof(r.checksum), "%s%s", hex.empty() ? "" : "md5:", hex.c_str());
	if (st.IsOK())
		r.bytes = bytes;
	if (st.IsOK() && !xfer_copy_same_file(j, member, fd))
		why = "it was replaced while written";
	else if (st.IsOK() && renameat(dfd, member.c_str(), dfd, j->target.c_str()) < 0)
		why = strerror(errno);
	if (st.IsOK() && !why) {
		close(fd);
		return;
	}
	r.ok = 0;
	snprintf(r.msg, sizeof(r.msg), "cannot extract %s from the archive: %s",
		 j->zip_member.c_str(), why ? why : xfer_status_text(st).c_str());
	if (xfer_copy_same_file(j, member, fd))
		(void)unlinkat(dfd, member.c_str(), 0);
	close(fd);
}

} // namespace

void xfer_copy_run(xfer_job *j)
{
	struct xfer_result &r = j->res;
	XrdCl::PropertyList props, results;
	XrdCl::XRootDStatus st;
	auto t0 = std::chrono::steady_clock::now();

	props.Set("source", xfer_copy_source(j));
	props.Set("target", xfer_copy_target_path(j));
	props.Set("force", j->force);
	props.Set("posc", true);
	props.Set("makeDir", j->dir_fd < 0); // a folder given by descriptor exists
	// several sources: XrdCl's extreme copy reads blocks from each at once;
	// its in-stream checksum of the target is then wrong (5.5.3), so the md5
	// is checked on the written file below (a pass over the page cache)
	bool multi = j->sources > 1;
	std::string mode =
		(multi || j->zip_local) && j->mode == "target" ? std::string("none") : j->mode;
	props.Set("sourceLimit", (uint16_t)j->sources);
	if (multi) {
		props.Set("xcp", true);
		props.Set("nbXcpSources", (uint16_t)j->sources);
		props.Set("xcpBlockSize", (uint64_t)XFER_XCP_BLOCK_SIZE);
	}
	props.Set("checkSumMode", mode);
	props.Set("thirdParty", std::string(j->tpc == XFER_TPC_ONLY    ? "only"
					    : j->tpc == XFER_TPC_FIRST ? "first"
								       : "none"));
	{ // AddJob refuses a checkSumMode without a type, even "none" (PITFALLS C)
		props.Set("checkSumType", std::string("md5"));
		if (mode == "target" && !j->md5.empty())
			props.Set("checkSumPreset", j->md5);
	}
	props.Set("chunkSize",
		  (uint32_t)(j->tune.chunk_size ? j->tune.chunk_size : XFER_CHUNK_SIZE));
	// parallelChunks as a uint16_t (what ClassicCopyJob reads): a uint8_t goes
	// through PropertyList's streams as a character and breaks the copy
	// ("Received corrupted data"); unset, XrdCl's CPParallelChunks (4)
	if (j->tune.chunks > 0)
		props.Set("parallelChunks", (uint16_t)j->tune.chunks);
	// CopyProcess fills an xrateThreshold of 0 from the daemon's XRD_XRATETHRESHOLD; 5.5.3
	// compares the bytes with threshold x time, so a negative one is never reached
	if (xfer_rate_env > 0)
		props.Set("xrateThreshold", (long long)-1);
	int tries = 0;
	for (int attempt = 0;; attempt++) {
		int left = xfer_copy_seconds_left(j);

		if (left > 0) // XrdCl checks it between chunks; the watchdog when none comes
			props.Set("cpTimeout", (uint16_t)left);
		results.Clear();
		st = xfer_copy_member(j)  ? xfer_copy_member_get(j, results)
		     : xfer_copy_plain(j) ? xfer_copy_get(j, results)
					  : xfer_copy_once(j, props, results);
		tries++;
		if (st.IsOK() || attempt >= j->tune.retries || !xfer_copy_retryable(st) ||
		    (j->tune.retries_implicit && (xfer_copy_unreachable(st) || j->rate_low)) ||
		    !xfer_copy_retry_wait(j))
			break;
		log_info("xfer: retry %d of %d after: %s", attempt + 1, j->tune.retries,
			 xfer_status_text(st).c_str());
		// what XrdCl's own retry does with CpRetryPolicy "force" (the default) or
		// "continue" (the two are exclusive; the daemon's plain reads start again)
		props.Set("force", !j->tune.resume);
		props.Set("continue", j->tune.resume != 0);
	}
	xfer_copy_returned(j); // from here the result is the worker's, or the watchdog's already
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
		std::string why = j->rate_low ? " (the rate, " +
							std::to_string((long long)j->rate_seen) +
							" B/s, was below -ratethreshold " +
							std::to_string(j->tune.rate_min) + " B/s)"
					      : std::string();
		if (tries > 1)
			why += " (tried " + std::to_string(tries) + " times)";
		snprintf(r.msg, sizeof(r.msg), "%s%s", xfer_status_text(st).c_str(), why.c_str());
	} else if (j->mode == "source" && !j->md5.empty() && !xfer_md5_same(sum, j->md5)) {
		snprintf(r.msg, sizeof(r.msg),
			 "md5 mismatch: the file had %s when the copy started, %s while copied",
			 j->md5.c_str(), sum.c_str());
	} else if (multi && j->mode == "target" && !j->md5.empty()) {
		char hex[40] = "";
		uint64_t n = 0;
		std::string err = xfer_md5_file(j, xfer_copy_target_path(j), hex, sizeof(hex), &n);

		if (!err.empty())
			snprintf(r.msg, sizeof(r.msg), "cannot read the copy back for its md5: %s",
				 err.c_str());
		else if (!xfer_md5_same(hex, j->md5))
			snprintf(r.msg, sizeof(r.msg),
				 "[ERROR] CheckSum error: md5 %s, the catalogue has %s", hex,
				 j->md5.c_str());
		else
			r.ok = 1;
		snprintf(r.checksum, sizeof(r.checksum), "md5:%s", hex);
	} else {
		r.ok = 1;
	}
	if (r.ok && j->zip_local)
		xfer_copy_unzip_local(j, r);
	if (j->cancel.load()) { // cancelled, even if the last chunk made it
		r.ok = 0;
		r.cancelled = 1;
		snprintf(r.msg, sizeof(r.msg), "cancelled");
	}
	if (j->upload) {
		if (!r.ok)
			xfer_copy_remove_remote(j->target);
		return;
	}
	if (r.ok && !j->final_path.empty()) {
		int fd = xfer_copy_open_target(j);

		if (fd < 0) {
			r.ok = 0;
			snprintf(r.msg, sizeof(r.msg), "cannot open %s to finish it: %s",
				 j->target.c_str(),
				 fd == -ELOOP	 ? "a symbolic link is at that name"
				 : fd == -EINVAL ? "not a regular file"
						 : strerror(-fd));
		} else {
			xfer_copy_set_xattrs(j, fd);
			(void)fchmod(fd, 0644);
			close(fd);
		}
	}
	if (r.ok && !j->final_path.empty()) {
		if ((j->dir_fd >= 0 ? renameat(j->dir_fd, j->target.c_str(), j->dir_fd,
					       j->final_path.c_str())
				    : rename(j->target.c_str(), j->final_path.c_str())) < 0) {
			r.ok = 0;
			snprintf(r.msg, sizeof(r.msg), "cannot rename %s to %s: %s",
				 j->target.c_str(), j->final_path.c_str(), strerror(errno));
		}
	}
	if (!r.ok && !j->final_path.empty())
		xfer_unlink_target(j); // never a partial file under any name
}
