/* xfer_get.h - (for xfer.cc only) a download read with plain kXR_read requests
 * and its md5 computed as the bytes arrive.
 *
 * Why not XrdCl's CopyProcess for it: libXrdCl 5.5.3 reads with kXR_pgread,
 * whose crc32c of every 4 KiB page (in software, on both ends) was 2.7 s of
 * the 3.4 s plain xrdcp took for 1 GiB here (docs/PERFORMANCE.md, issue 18).
 * Its switch, CpUsePgWrtRd, is one process-wide setting for downloads and
 * uploads alike, and uploads keep their page checksums (nothing else checks
 * what the SE received). A download needs no page checksums: its md5 is
 * checked end to end against the catalogue's, over the bytes as written. */
#ifndef JALIEND_XFER_GET_H
#define JALIEND_XFER_GET_H

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <XrdCl/XrdClXRootDResponses.hh>

#include "xfer.h"

/* Read requests: 1 MiB each, 4 in flight (4 MiB of buffers per download, freed
 * when it ends, also when its SE dies: they are ours, not libXrdCl's, see
 * RELIABILITY finding 15). 1, 4 and 8 MiB chunks, 2 to 8 in flight, were
 * alike for a 1 GiB download here (2.0-3.1 s each on the shared 2-core
 * machine, md5 and the page cache bound it), so the least memory wins. */
#define XFER_GET_CHUNK_DEFAULT XFER_CHUNK_SIZE
#define XFER_GET_CHUNKS_DEFAULT 4
/* with -timeout, each request may wait this much longer than the job, so the watchdog's "CPTimeout
 * exceeded" is what the user hears first (the worker ends when XrdCl gives up) */
#define XFER_GET_TIMEOUT_SLACK_S 5

struct xfer_get_io {
	/* root:// URL, or a local .meta4 (XrdCl opens the first replica that answers) */
	std::string source;
	/* a local path (it may be /proc/self/fd/N/name), truncated and written */
	std::string target;
	std::string md5;	 /* bare hex: the catalogue's; empty: not checked */
	bool want_md5 = true;	 /* compute it (always when md5 is set) */
	unsigned chunk_size = 0; /* 0: XFER_GET_CHUNK_DEFAULT */
	int chunks = 0;		 /* 0: XFER_GET_CHUNKS_DEFAULT (capped at XFER_CHUNKS_MAX) */
	/* seconds left for the whole read (0: none); each request waits at most that */
	int timeout_s = 0;
	/* the catalogue's size: a replica of another size is refused unread (-1: any) */
	long long size = -1;
	const std::atomic<bool> *cancel = nullptr;
	std::function<void(uint64_t done, uint64_t total)> progress;
};

/* Copy io.source to io.target. On success md5_hex holds the md5 (bare hex,
 * "" when not computed) and bytes the size. A mismatch with io.md5 is
 * errCheckSumError, a cancel errOperationInterrupted; the caller removes the
 * target on any failure. */
XrdCl::XRootDStatus xfer_get_run(const xfer_get_io &io, std::string &md5_hex, uint64_t &bytes);

#endif
