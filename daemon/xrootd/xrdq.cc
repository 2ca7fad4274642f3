// xrdq.cc - see xrdq.h. Synchronous XrdCl::FileSystem calls with a timeout,
// on worker threads of this file; nothing here throws past the C API.
#include "xrdq.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <errno.h>
#include <signal.h>

#include <XrdCl/XrdClBuffer.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClURL.hh>
#include <XrdCl/XrdClXRootDResponses.hh>

#include "xfer.h"

struct xrdq_job {
	// set at submit, read-only afterwards
	enum xrdq_kind kind;
	std::string hostport, arg;
	int count = 1;
	// shared with the worker
	std::atomic<bool> cancel{ false };
	// written by the worker before it queues the job as finished
	struct xrdq_result res;
	std::string answer;
	// loop thread only (and xrdq_fini)
	void *owner = nullptr;
	xrdq_done_fn done_cb = nullptr;
};

namespace {

struct xrdq_state {
	std::mutex mu;
	std::condition_variable cv;
	std::deque<xrdq_job *> queue;     // waiting for a worker
	std::vector<xrdq_job *> finished; // results for the loop
	std::vector<xrdq_job *> live;     // queued, running or finished-undelivered
	std::vector<std::thread> threads;
	unsigned idle = 0;
	bool stopping = false;
	struct lws_context *ctx = nullptr;
};

xrdq_state xq;

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

// The answer of a query as text: bounded, trailing NULs and blanks dropped.
void xrdq_take_answer(xrdq_job *j, XrdCl::Buffer *b)
{
	if (!b)
		return;
	size_t n = b->GetSize();
	const char *p = b->GetBuffer();

	while (n && (p[n - 1] == '\0' || p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	size_t s = 0;
	while (s < n && (p[s] == ' ' || p[s] == '\n'))
		s++;
	if (j->answer.size() + (n - s) > XRDQ_ANSWER_MAX)
		n = s + (XRDQ_ANSWER_MAX - j->answer.size());
	j->answer.append(p + s, n - s);
	delete b;
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
				break; // it answered none: the next ones would wait the same timeout
			continue;
		}
		j->res.rtt_ms[j->res.pings++] =
			std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
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
		std::string key = j->arg.substr(p, e == std::string::npos ? std::string::npos : e - p);
		XrdCl::Buffer q, *resp = nullptr;

		p = e == std::string::npos ? j->arg.size() : e + 1;
		if (key.empty())
			continue;
		q.FromString(key);
		XrdCl::XRootDStatus st = fs.Query(XrdCl::QueryCode::Config, q, resp, XRDQ_TIMEOUT_S);
		xrdq_set_status(j, st);
		if (!st.IsOK()) {
			delete resp;
			return; // as alien.py: the first error ends the query
		}
		if (!j->answer.empty())
			j->answer += '\n';
		xrdq_take_answer(j, resp);
	}
}

void xrdq_run_stats(xrdq_job *j, XrdCl::FileSystem &fs)
{
	XrdCl::Buffer q, *resp = nullptr;

	q.FromString("a");
	XrdCl::XRootDStatus st = fs.Query(XrdCl::QueryCode::Stats, q, resp, XRDQ_TIMEOUT_S);
	xrdq_set_status(j, st);
	if (st.IsOK())
		xrdq_take_answer(j, resp);
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
		snprintf(j->res.modtimestr, sizeof(j->res.modtimestr), "%s", info->GetModTimeAsString().c_str());
	}
	delete info;
}

void xrdq_run(xrdq_job *j)
{
	try {
		XrdCl::URL url("root://" + j->hostport + "/");
		XrdCl::FileSystem fs(url);

		switch (j->kind) {
		case XRDQ_PING:
			xrdq_run_ping(j, fs);
			break;
		case XRDQ_CONFIG:
			xrdq_run_config(j, fs);
			break;
		case XRDQ_STATS:
			xrdq_run_stats(j, fs);
			break;
		case XRDQ_STAT:
			xrdq_run_stat(j, fs);
			break;
		}
	} catch (...) {
		j->res.ok = 0;
		snprintf(j->res.msg, sizeof(j->res.msg), "XRootD query failed (out of memory)");
	}
}

void xrdq_worker()
{
	sigset_t stop_sigs; // the loop thread takes these (server.c)

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, nullptr);
	std::unique_lock<std::mutex> lk(xq.mu);
	for (;;) {
		xq.idle++;
		xq.cv.wait(lk, [] { return xq.stopping || !xq.queue.empty(); });
		xq.idle--;
		if (xq.queue.empty())
			return; // stopping
		xrdq_job *j = xq.queue.front();
		xq.queue.pop_front();
		lk.unlock();
		if (!j->cancel)
			xrdq_run(j);
		lk.lock();
		xq.finished.push_back(j);
		if (xq.ctx)
			lws_cancel_service(xq.ctx);
	}
}

void xrdq_forget_locked(xrdq_job *j)
{
	for (size_t i = 0; i < xq.live.size(); i++)
		if (xq.live[i] == j) {
			xq.live[i] = xq.live.back();
			xq.live.pop_back();
			break;
		}
}

bool xrdq_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
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
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
			      *p == ':' || *p == '.'))
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
	if (xfer_init(ctx) < 0) // XrdCl's defaults: TimeoutResolution 1 s, so a timeout is kept to the second
		return -ENOMEM;
	std::lock_guard<std::mutex> lk(xq.mu);
	if (ctx)
		xq.ctx = ctx;
	return 0;
}

extern "C" struct xrdq_job *xrdq_submit(const struct xrdq_req *req, xrdq_done_fn done, void *owner)
{
	if (!xrdq_hostport_ok(req->hostport) || (req->kind == XRDQ_STAT && !xrdq_path_ok(req->arg)) ||
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
		std::lock_guard<std::mutex> lk(xq.mu);
		if (xq.stopping || xq.live.size() >= XRDQ_QUEUE_MAX) {
			errno = xq.stopping ? ESHUTDOWN : EAGAIN;
			delete j;
			return nullptr;
		}
		xq.live.push_back(j);
		xq.queue.push_back(j);
		if (xq.idle == 0 && xq.threads.size() < XRDQ_THREADS_MAX) {
			try {
				xq.threads.emplace_back(xrdq_worker);
			} catch (...) {
				if (xq.threads.empty()) { // nobody would ever run it
					xq.queue.pop_back();
					xrdq_forget_locked(j);
					delete j;
					errno = EAGAIN;
					return nullptr;
				}
			}
		}
		xq.cv.notify_one();
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
	std::vector<xrdq_job *> fin;

	{
		std::lock_guard<std::mutex> lk(xq.mu);
		fin.swap(xq.finished);
		for (xrdq_job *j : fin)
			xrdq_forget_locked(j);
	}
	for (xrdq_job *j : fin) { // unlocked: a callback may submit or cancel
		if (j->done_cb && j->owner) {
			j->res.answer = j->answer.c_str();
			j->res.answer_len = j->answer.size();
			j->done_cb(j->owner, j, &j->res);
		}
		delete j;
	}
}

extern "C" unsigned xrdq_busy(void)
{
	std::lock_guard<std::mutex> lk(xq.mu);

	return (unsigned)xq.live.size();
}

extern "C" void xrdq_fini(void)
{
	std::vector<std::thread> threads;

	try {
		{
			std::lock_guard<std::mutex> lk(xq.mu);

			xq.stopping = true;
			xq.ctx = nullptr;
			for (xrdq_job *j : xq.live) {
				j->cancel = true;
				j->owner = nullptr;
			}
			threads.swap(xq.threads);
			xq.cv.notify_all();
		}
		for (auto &t : threads)
			if (t.joinable())
				t.join();
		std::lock_guard<std::mutex> lk(xq.mu);
		for (xrdq_job *j : xq.queue) // never started
			delete j;
		xq.queue.clear();
		for (xrdq_job *j : xq.finished)
			delete j;
		xq.finished.clear();
		xq.live.clear();
	} catch (...) {
	}
}

extern "C" int xrdq_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
				 size_t len)
{
	(void)wsi;
	(void)user;
	(void)in;
	(void)len;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		xrdq_drain(); // once per vhost and spuriously too: an empty drain does nothing
	return 0;
}
