// xrdq.cc - see xrdq.h. Synchronous XrdCl::FileSystem calls with a timeout,
// on a pool of worker threads of its own (workers.h); nothing here throws
// past the C API.
#include "xrdq.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <errno.h>

#include <XrdCl/XrdClBuffer.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClURL.hh>
#include <XrdCl/XrdClXRootDResponses.hh>

#include "exitcodes.h"
#include "workers.h"
#include "xfer.h"

// cancel, owner (loop thread only, and xrdq_fini) set at submit, read-only afterwards
struct xrdq_job : workers_job {
	enum xrdq_kind kind;
	std::string hostport, arg;
	int count = 1;
	// written by the worker before it queues the job as finished
	struct xrdq_result res;
	std::string answer;
	// loop thread only
	xrdq_done_fn done_cb = nullptr;
};

namespace
{

// XrdCl's status as one line: ToStr(), as pyxrootd's `message` (alien.py strips it).
std::string xrdq_status_text(const XrdCl::XRootDStatus &st)
{
	std::string s = st.ToStr();

	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

void xrdq_set_status(xrdq_job *j, const XrdCl::XRootDStatus &st)
{
	j->res.status = st.status;
	j->res.code = st.code;
	j->res.xerrno = (int)st.errNo;
	j->res.ok = st.IsOK();
	if (st.IsOK())
		j->res.msg[0] = '\0';
	else
		snprintf(j->res.msg, sizeof(j->res.msg), "%s", xrdq_status_text(st).c_str());
}

// the job failed on its answer: "[ERROR] <why> to <what>"
bool xrdq_fail(xrdq_job *j, const char *why, const std::string &what)
{
	j->res.ok = 0;
	j->res.status = 1; // stError
	snprintf(j->res.msg, sizeof(j->res.msg), "[ERROR] %s to %s", why, what.c_str());
	return false;
}

// The answer of a query as text, trailing NULs and blanks dropped; false (and
// the job failed, saying why) when it is empty, not printable ASCII, or would
// take the job's answer past XRDQ_ANSWER_MAX. `what`: the query, for the message.
bool xrdq_take_answer(xrdq_job *j, XrdCl::Buffer *b, const std::string &what)
{
	std::unique_ptr<XrdCl::Buffer> own(b);
	size_t n = b ? b->GetSize() : 0, s = 0;
	const char *p = b ? b->GetBuffer() : nullptr;
	const char *why = nullptr;

	while (n && (p[n - 1] == '\0' || p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	while (s < n && (p[s] == ' ' || p[s] == '\n'))
		s++;
	if (s == n)
		why = "an empty answer";
	// answer.size() <= XRDQ_ANSWER_MAX: no wrap
	else if (n - s > XRDQ_ANSWER_MAX - j->answer.size())
		why = "an answer over " XRDQ_ANSWER_MAX_TEXT;
	for (size_t i = s; !why && i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < ' ' && c != '\n' && c != '\t' && c != '\r') || c >= 0x7f)
			why = "an answer that is not text";
	}
	if (why)
		return xrdq_fail(j, why, what);
	j->answer.append(p + s, n - s);
	return true;
}

void xrdq_run_ping(xrdq_job *j, XrdCl::FileSystem &fs)
{
	XrdCl::XRootDStatus st = fs.Ping(XRDQ_TIMEOUT_S); // the first one sets up the connection

	if (!st.IsOK()) { // no connection: the timed ones would each wait the same timeout
		xrdq_set_status(j, st);
		j->res.ok = 0;
		return;
	}
	for (int i = 0; i < j->count && !j->cancel; i++) {
		auto t0 = std::chrono::steady_clock::now();

		st = fs.Ping(XRDQ_TIMEOUT_S);
		if (!st.IsOK()) {
			if (j->res.pings == 0)
				// it answered none: the next ones would wait the same timeout
				break;
			continue;
		}
		j->res.rtt_ms[j->res.pings++] = std::chrono::duration<double, std::milli>(
							std::chrono::steady_clock::now() - t0)
							.count();
	}
	xrdq_set_status(j, st);
	j->res.ok = j->res.pings > 0;
}

void xrdq_run_config(xrdq_job *j, XrdCl::FileSystem &fs)
{
	size_t p = 0;

	j->res.ok = 1;
	while (p < j->arg.size() && !j->cancel) {
		size_t e = j->arg.find(' ', p);
		std::string key =
			j->arg.substr(p, e == std::string::npos ? std::string::npos : e - p);
		XrdCl::Buffer q, *resp = nullptr;

		p = e == std::string::npos ? j->arg.size() : e + 1;
		if (key.empty())
			continue;
		q.FromString(key);
		XrdCl::XRootDStatus st =
			fs.Query(XrdCl::QueryCode::Config, q, resp, XRDQ_TIMEOUT_S);
		xrdq_set_status(j, st);
		if (!st.IsOK()) {
			delete resp;
			return; // as alien.py: the first error ends the query
		}
		if (!j->answer.empty()) {
			if (j->answer.size() >= XRDQ_ANSWER_MAX) {
				delete resp;
				xrdq_fail(j, "an answer over " XRDQ_ANSWER_MAX_TEXT,
					  "query config " + key);
				return;
			}
			j->answer += '\n';
		}
		if (!xrdq_take_answer(j, resp, "query config " + key))
			return;
	}
}

void xrdq_run_stats(xrdq_job *j, XrdCl::FileSystem &fs)
{
	XrdCl::Buffer q, *resp = nullptr;

	q.FromString("a");
	XrdCl::XRootDStatus st = fs.Query(XrdCl::QueryCode::Stats, q, resp, XRDQ_TIMEOUT_S);
	xrdq_set_status(j, st);
	if (st.IsOK())
		xrdq_take_answer(j, resp, "query stats");
	else
		delete resp;
}

void xrdq_run_stat(xrdq_job *j, XrdCl::FileSystem &fs)
{
	XrdCl::StatInfo *info = nullptr;
	XrdCl::XRootDStatus st = fs.Stat(j->arg + "?xrd.wantprot=unix", info, XRDQ_TIMEOUT_S);

	xrdq_set_status(j, st);
	if (st.IsOK() && info) {
		j->res.size = info->GetSize();
		j->res.flags = info->GetFlags();
		j->res.modtime = info->GetModTime();
		snprintf(j->res.modtimestr, sizeof(j->res.modtimestr), "%s",
			 info->GetModTimeAsString().c_str());
	}
	delete info;
}

void xrdq_run(xrdq_job *j)
{
	try {
		XrdCl::URL url("root://" + j->hostport + "/");
		XrdCl::FileSystem fs(url);

		switch (j->kind) {
		case XRDQ_PING: xrdq_run_ping(j, fs); break;
		case XRDQ_CONFIG: xrdq_run_config(j, fs); break;
		case XRDQ_STATS: xrdq_run_stats(j, fs); break;
		case XRDQ_STAT: xrdq_run_stat(j, fs); break;
		}
	} catch (...) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XRootD query failed (%s)",
			 exitcode_meaning(JD_EXIT_NOMEM));
	}
}

// the pool's hooks (workers.h)
void xrdq_work(workers_job *job)
{
	xrdq_job *j = static_cast<xrdq_job *>(job);

	if (!j->cancel)
		xrdq_run(j);
}

const workers_ops xrdq_ops = { nullptr, xrdq_work, nullptr };
workers xrdq_pool(&xrdq_ops, XRDQ_THREADS_MAX, XRDQ_QUEUE_MAX); // the caps: xrdq.h

bool xrdq_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

} // namespace

extern "C" int xrdq_hostport_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, h = 0;

	if (!n || n > XRDQ_HOSTPORT_MAX)
		return 0;
	if (s[0] == '[') { // [v6]
		const char *e = strchr(s, ']');

		if (!e || e == s + 1)
			return 0;
		for (const char *p = s + 1; p < e; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			      (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
				return 0;
		h = (size_t)(e - s) + 1;
	} else {
		if (s[0] == '-' || s[0] == '.')
			return 0;
		while (h < n && xrdq_host_char(s[h]))
			h++;
		if (!h)
			return 0;
	}
	if (h == n)
		return 1;
	if (s[h] != ':' || h + 1 == n || n - h - 1 > 5)
		return 0;
	long port = 0;
	for (size_t i = h + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

extern "C" int xrdq_path_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	if (!n || n > XRDQ_PATH_MAX || p[0] != '/')
		return 0;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c <= ' ' || *c == 0x7f || *c == '?' || *c == '#')
			return 0;
	return 1;
}

extern "C" int xrdq_init(struct lws_context *ctx)
{
	// XrdCl's defaults: TimeoutResolution 1 s, so a timeout is kept to the second
	if (xfer_init(ctx) < 0)
		return -ENOMEM;
	return workers_set_context(&xrdq_pool, ctx);
}

extern "C" struct xrdq_job *xrdq_submit(const struct xrdq_req *req, xrdq_done_fn done, void *owner)
{
	if (!xrdq_hostport_ok(req->hostport) ||
	    (req->kind == XRDQ_STAT && !xrdq_path_ok(req->arg)) ||
	    (req->kind == XRDQ_PING && (req->count < 1 || req->count > XRDQ_PING_MAX))) {
		errno = EINVAL;
		return nullptr;
	}
	xrdq_job *j = nullptr;
	try {
		j = new xrdq_job();
		j->kind = req->kind;
		j->hostport = req->hostport;
		j->arg = req->arg ? req->arg : "";
		j->count = req->count;
		memset(&j->res, 0, sizeof(j->res));
		j->owner = owner;
		j->done_cb = done;
		// -ESHUTDOWN, -EAGAIN (full, no thread), -ENOMEM
		int rc = workers_submit(&xrdq_pool, j);

		if (rc < 0) {
			delete j;
			errno = -rc;
			return nullptr;
		}
		return j;
	} catch (...) {
		delete j;
		errno = ENOMEM;
		return nullptr;
	}
}

extern "C" void xrdq_cancel(struct xrdq_job *job)
{
	if (!job)
		return;
	job->cancel = true;
	job->owner = nullptr; // loop thread: xrdq_drain reads it on this thread only
}

extern "C" void xrdq_drain(void)
{
	std::vector<workers_job *> fin;

	try {
		std::lock_guard<std::mutex> lk(xrdq_pool.mu);

		workers_finished_locked(&xrdq_pool, fin);
	} catch (...) {
		return;
	}
	for (workers_job *p : fin) { // unlocked: a callback may submit or cancel
		xrdq_job *j = static_cast<xrdq_job *>(p);

		if (j->done_cb && j->owner) {
			j->res.answer = j->answer.c_str();
			j->res.answer_len = j->answer.size();
			j->done_cb(j->owner, j, &j->res);
		}
		delete j;
	}
}

extern "C" void xrdq_fini(void)
{
	workers_stop(&xrdq_pool);
	workers_join(&xrdq_pool); // each worker ends within its request's timeout
}

extern "C" int xrdq_lws_callback(struct lws *, enum lws_callback_reasons reason, void *, void *,
				 size_t)
{
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		xrdq_drain(); // once per vhost and spuriously too: an empty drain does nothing
	return 0;
}
