// workers.cc - see workers.h: the worker threads, the job queue and the
// hand-back of finished jobs to the lws loop, for xfer.cc and xrdq.cc.
#include "workers.h"

#include <errno.h>
#include <signal.h>

namespace
{

void workers_forget_locked(struct workers *w, workers_job *job)
{
	for (auto it = w->live.begin(); it != w->live.end(); ++it)
		if (*it == job) {
			w->live.erase(it);
			break;
		}
}

void workers_main(struct workers *w)
{
	// the loop thread takes these (server.c); XrdCl threads made here inherit the block
	sigset_t stop_sigs;

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, nullptr);
	std::unique_lock<std::mutex> lk(w->mu);

	for (;;) {
		w->idle++;
		w->cv.wait(lk, [w] { return w->stopping || !w->queue.empty(); });
		w->idle--;
		if (w->queue.empty())
			return; // stopping and nothing left
		workers_job *job = w->queue.front();
		w->queue.pop_front();
		if (w->ops->take_locked)
			w->ops->take_locked(job, w->stopping);
		lk.unlock();
		w->ops->run(job);
		lk.lock();
		if (w->ops->ran_locked)
			// e.g. a watchdog must not pick it up once the loop may free it
			w->ops->ran_locked(job);
		w->finished.push_back(job);
		workers_wake_locked(w);
	}
}

} // namespace

int workers_set_context(struct workers *w, struct lws_context *ctx)
{
	try {
		std::lock_guard<std::mutex> lk(w->mu);

		if (ctx)
			w->ctx = ctx;
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

void workers_wake_locked(struct workers *w)
{
	if (w->ctx)
		lws_cancel_service(w->ctx);
}

int workers_submit(struct workers *w, workers_job *job)
{
	try {
		std::lock_guard<std::mutex> lk(w->mu);

		if (w->stopping)
			return -ESHUTDOWN;
		if (w->jobs_max && w->live.size() >= w->jobs_max)
			return -EAGAIN;
		w->live.push_back(job);
		try {
			w->queue.push_back(job);
		} catch (...) {
			w->live.pop_back();
			return -ENOMEM;
		}
		if (w->idle == 0 && w->threads.size() < w->threads_max) {
			try {
				w->threads.emplace_back(workers_main, w);
			} catch (...) {
				if (w->threads.empty()) { // nobody would ever run it
					w->queue.pop_back();
					w->live.pop_back();
					return -EAGAIN;
				}
			}
		}
		w->cv.notify_one();
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

void workers_finished_locked(struct workers *w, std::vector<workers_job *> &out)
{
	out.swap(w->finished);
	for (workers_job *job : out)
		workers_forget_locked(w, job);
}

unsigned workers_busy(struct workers *w)
{
	std::lock_guard<std::mutex> lk(w->mu);

	return (unsigned)w->live.size();
}

void workers_stop(struct workers *w)
{
	try {
		std::lock_guard<std::mutex> lk(w->mu);

		w->stopping = true;
		w->ctx = nullptr;
		for (workers_job *job : w->live) {
			job->cancel = true;
			job->owner = nullptr;
		}
		w->cv.notify_all();
	} catch (...) {
	}
}

void workers_join(struct workers *w)
{
	std::vector<std::thread> threads;

	try {
		{
			std::lock_guard<std::mutex> lk(w->mu);

			threads.swap(w->threads);
		}
		for (auto &t : threads)
			if (t.joinable())
				t.join();
		std::lock_guard<std::mutex> lk(w->mu);
		// never started (none: the workers end on an empty queue)
		for (workers_job *job : w->queue)
			delete job;
		w->queue.clear();
		for (workers_job *job : w->finished)
			delete job;
		w->finished.clear();
		w->live.clear();
	} catch (...) {
	}
}
