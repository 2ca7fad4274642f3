// workers.h - a pool of worker threads with one job queue, whose finished jobs
// go back to the libwebsockets loop: what xfer.cc (transfers) and xrdq.cc (SE
// queries) run their XrdCl calls on, each with a pool and caps of its own.
// C++ only (the .cc files of xrootd/); nothing here throws past its functions.
//
// A job is the user's struct, derived from workers_job; the pool moves it along:
//   workers_submit (loop) -> queue -> a worker: take_locked, run, ran_locked
//   -> finished -> lws_cancel_service() -> the user's drain (loop thread)
//   takes them with workers_finished_locked and calls its owners back.
// Threads are made as needed (when a job is queued and none is idle), at most
// threads_max, and kept until workers_stop. They block SIGTERM, SIGINT and
// SIGHUP (the loop thread takes them; threads XrdCl makes from a worker
// inherit the block).
//
// One mutex, mu, guards the pool and whatever the user shares between its
// workers and its loop (progress queues, a watchdog): a user locks it for
// those, and the *_locked functions and hooks run with it held.
#ifndef JALIEND_WORKERS_H
#define JALIEND_WORKERS_H

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <libwebsockets.h>

struct workers_job {
	std::atomic<bool> cancel{ false }; // stop soon: the user's cancel, or workers_stop
	void *owner = nullptr;		   // the loop's, to call back; nullptr: nobody to tell
	virtual ~workers_job()
	{
	} // workers_join deletes the jobs the loop never took
};

struct workers_ops {
	// on a worker, under mu, as it takes the job off the queue; stopping:
	// workers_stop has been called (NULL: nothing to do)
	void (*take_locked)(workers_job *job, bool stopping);
	// on a worker, unlocked: the work; must not throw
	void (*run)(workers_job *job);
	// on a worker, under mu, after run, just before the job is queued for the
	// loop (NULL: nothing to do)
	void (*ran_locked)(workers_job *job);
};

struct workers {
	// the caps, given by the user
	const workers_ops *ops;
	unsigned threads_max; // worker threads = jobs running at once (at least 1)
	// jobs queued, running or finished but not yet taken by the loop; past it workers_submit
	// fails (0: no cap here, the user bounds its jobs)
	size_t jobs_max;

	std::mutex mu;
	std::condition_variable cv;	     // the workers': a job queued, or stopping
	std::deque<workers_job *> queue;     // waiting for a worker
	std::vector<workers_job *> finished; // done, for the loop
	// queued, running or finished-undelivered, in submit order
	std::vector<workers_job *> live;
	std::vector<std::thread> threads;
	unsigned idle = 0;		   // workers waiting for a job
	bool stopping = false;		   // workers_stop was called: no more jobs
	struct lws_context *ctx = nullptr; // woken when a job is finished

	workers(const workers_ops *o, unsigned nthreads, size_t njobs)
	    : ops(o), threads_max(nthreads), jobs_max(njobs)
	{
	}
};

// Remember the loop's context to wake (NULL: keep the one known). 0 or -ENOMEM.
int workers_set_context(struct workers *w, struct lws_context *ctx);
// Wake the loop (under mu): its drain will run (for a user's own queues, e.g. progress).
void workers_wake_locked(struct workers *w);
// Queue job (the user keeps it on failure): 0, -ESHUTDOWN after workers_stop,
// -EAGAIN when jobs_max are live or no worker thread can be made, -ENOMEM.
int workers_submit(struct workers *w, workers_job *job);
// On the loop, under mu: move the finished jobs to out (in the order they
// finished) and forget them; the user calls their owners back and frees them.
void workers_finished_locked(struct workers *w, std::vector<workers_job *> &out);
// Jobs queued, running or finished-undelivered.
unsigned workers_busy(struct workers *w);
// Refuse new jobs, cancel every live job and forget its owner (no callback
// may come), and wake the workers; they still take what is queued (its run
// sees the cancel) and end when the queue is empty. Does not wait: workers_join does.
void workers_stop(struct workers *w);
// After workers_stop: wait for the workers to end, then delete the finished
// jobs the loop never took. Idempotent.
void workers_join(struct workers *w);

#endif
