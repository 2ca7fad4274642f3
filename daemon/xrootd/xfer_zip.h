/* xfer_zip.h - (for xfer_copy.cc only) one member of a ZIP archive, read out of
 * the archive on an SE (the default) or out of a local copy of it (-noxrdzip):
 * its central directory entry found, its bytes read (stored, or deflate
 * inflated here with zlib), written, checked against the entry's crc32, its
 * size and the catalogue's md5.
 *
 * Why not XrdCl's ?xrdcl.unzip=: libXrdCl 5.5.3 inflates a deflated member in
 * ZipCache::Decompress on one of its own threads, tells the copy its chunk is
 * ready, then goes on using the cache; the copy meanwhile ends and deletes the
 * archive with that cache, so the thread frees through freed memory (SIGSEGV in
 * free(), RELIABILITY finding 23). Here every read is synchronous and every
 * buffer the caller's. */
#ifndef JALIEND_XFER_ZIP_H
#define JALIEND_XFER_ZIP_H

#include <cstdint>
#include <functional>
#include <string>

#include <XrdCl/XrdClXRootDResponses.hh>

/* the central directory read whole: at most this (about 300 000 members of
 * 10-byte names; ALICE's archives hold tens), else the member is not read */
#define XFER_ZIP_CD_MAX (16u << 20)
/* the end-of-central-directory record is in the last 22 + 65535 (its comment)
 * bytes; the ZIP64 locator is the 20 bytes before it */
#define XFER_ZIP_TAIL_MAX (22u + 65535u + 20u)

struct xfer_zip_io {
	std::string source;  /* the archive's root:// URL (read with XrdCl) ... */
	int archive_fd = -1; /* ... or a local archive open for reading (then source unused) */
	std::string member;  /* the member's name in the archive */
	int out_fd = -1;     /* written from offset 0; the caller truncates, closes, removes */
	std::string md5;     /* bare hex: the catalogue's; empty: not checked */
	long long size = -1; /* the catalogue's size of the member: another is refused (-1: any) */
	unsigned chunk_size = 0;    /* bytes per read of the archive (0: XFER_CHUNK_SIZE) */
	int timeout_s = 0;	    /* each XrdCl request waits at most this (0: XrdCl's default) */
	std::function<bool()> stop; /* true: give up (cancel, -ratethreshold); may be empty */
	std::function<void(uint64_t done, uint64_t total)> progress; /* may be empty */
};

/* Write io.member of the archive to io.out_fd. On success md5_hex is its md5
 * (bare hex) and bytes its size. A member not in the archive is errNotFound, a
 * method other than stored or deflate errNotSupported, a damaged archive or a
 * crc32 or size mismatch errDataError, an md5 mismatch errCheckSumError, a stop
 * errOperationInterrupted; XrdCl's own status for a failed open or read. */
XrdCl::XRootDStatus xfer_zip_run(const xfer_zip_io &io, std::string &md5_hex, uint64_t &bytes);

#endif
