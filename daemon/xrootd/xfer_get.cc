// xfer_get.cc - see xfer_get.h. Up to `chunks` reads are in flight; they are
// consumed in offset order (md5 is a stream), written with pwrite, and the
// slot is asked for the next chunk. Buffers are freed only once no read can
// still write into them.
#include "xfer_get.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <XrdCl/XrdClFile.hh>

#include "xfer_int.h"

namespace
{

// one read request: its buffer and, once answered, its status and length
struct xfer_get_slot : public XrdCl::ResponseHandler {
	std::mutex *mu = nullptr;
	std::condition_variable *cv = nullptr;
	std::vector<char> buf;
	uint64_t offset = 0;
	uint32_t want = 0, got = 0;
	bool busy = false, answered = false;
	XrdCl::XRootDStatus st;

	void HandleResponse(XrdCl::XRootDStatus *status, XrdCl::AnyObject *response) override
	{
		XrdCl::ChunkInfo *ci = nullptr;

		if (response)
			response->Get(ci);
		std::lock_guard<std::mutex> lk(*mu);
		st = status ? *status : XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errInternal);
		got = st.IsOK() && ci ? ci->length : 0;
		answered = true;
		cv->notify_all();
		delete status;
		delete response;
	}
};

struct xfer_get_md5 {
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
	~xfer_get_md5()
	{
		EVP_MD_CTX_free(ctx);
	}
};

bool xfer_get_write(int fd, const char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w, n -= (size_t)w, off += (uint64_t)w;
	}
	return true;
}

std::string xfer_get_hex(const unsigned char *md, unsigned n)
{
	static const char digits[] = "0123456789abcdef";
	std::string s;

	for (unsigned i = 0; i < n; i++)
		s += digits[md[i] >> 4], s += digits[md[i] & 15];
	return s;
}

// a read-only file: nothing to lose if closing fails
void xfer_get_close(XrdCl::File &f, uint16_t tmo)
{
	XrdCl::XRootDStatus st = f.Close(tmo);

	(void)st;
}

} // namespace

XrdCl::XRootDStatus xfer_get_run(const xfer_get_io &io, std::string &md5_hex, uint64_t &bytes)
{
	using XrdCl::XRootDStatus;
	const unsigned chunk = io.chunk_size ? io.chunk_size : XFER_GET_CHUNK_DEFAULT;
	const int nslots = io.chunks > 0
				   ? (io.chunks > XFER_CHUNKS_MAX ? XFER_CHUNKS_MAX : io.chunks)
				   : XFER_GET_CHUNKS_DEFAULT;
	const uint16_t tmo = io.timeout_s > 0 && io.timeout_s < 65535 ? (uint16_t)io.timeout_s : 0;
	XrdCl::File file;
	XrdCl::StatInfo *info = nullptr;
	std::mutex mu;
	std::condition_variable cv;
	std::vector<std::unique_ptr<xfer_get_slot>> slots;
	xfer_get_md5 md5;
	XRootDStatus st;
	uint64_t size, next = 0, done = 0;
	int fd;

	md5_hex.clear();
	bytes = 0;
	st = file.Open(io.source, XrdCl::OpenFlags::Read, XrdCl::Access::None, tmo);
	if (!st.IsOK())
		return st;
	st = file.Stat(false, info, tmo);
	if (!st.IsOK() || !info) {
		delete info;
		xfer_get_close(file, tmo);
		return st.IsOK() ? XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0,
						"no size from stat")
				 : st;
	}
	size = info->GetSize();
	delete info;
	// a hostile SE could otherwise fill the disk
	if (io.size >= 0 && size != (uint64_t)io.size) {
		xfer_get_close(file, tmo);
		return XRootDStatus(XrdCl::stError, XrdCl::errDataError, 0,
				    "the replica has " + std::to_string(size) +
					    " bytes, the catalogue " + std::to_string(io.size) +
					    "; not read");
	}
	fd = open(io.target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		xfer_get_close(file, tmo);
		return XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)errno,
				    "cannot open " + io.target + ": " + strerror(errno));
	}
	if ((io.want_md5 || !io.md5.empty()) && !md5.ok) {
		close(fd);
		xfer_get_close(file, tmo);
		return XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0, "no md5 context");
	}
	for (int i = 0; i < nslots; i++) {
		slots.emplace_back(new xfer_get_slot);
		slots.back()->mu = &mu, slots.back()->cv = &cv;
	}
	// ask for the chunk at `next` in slot s; false with st set if the request fails
	auto ask = [&](xfer_get_slot &s) {
		if (next >= size)
			return true;
		s.offset = next;
		s.want = (uint32_t)(size - next < chunk ? size - next : chunk);
		if (s.buf.size() < s.want)
			s.buf.resize(s.want);
		s.answered = false;
		s.busy = true;
		XRootDStatus rs = file.Read(s.offset, s.want, s.buf.data(), &s, tmo);
		if (!rs.IsOK()) {
			s.busy = false;
			st = rs;
			return false;
		}
		next += s.want;
		return true;
	};
	bool ok = true;
	for (auto &s : slots)
		if (!(ok = ask(*s)))
			break;
	// consume in offset order: slot k holds chunk k, k + nslots, ...
	for (int k = 0; ok && done < size; k = (k + 1) % nslots) {
		xfer_get_slot &s = *slots[k];
		{
			std::unique_lock<std::mutex> lk(mu);
			cv.wait(lk, [&] { return s.answered; });
			s.busy = false;
		}
		if (!s.st.IsOK()) {
			st = s.st, ok = false;
			break;
		}
		if (s.got != s.want) {
			st = XRootDStatus(XrdCl::stError, XrdCl::errDataError, 0,
					  "short read at " + std::to_string(s.offset) + ": " +
						  std::to_string(s.got) + " of " +
						  std::to_string(s.want) + " bytes");
			ok = false;
			break;
		}
		if (md5.ok && EVP_DigestUpdate(md5.ctx, s.buf.data(), s.got) != 1) {
			st = XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0,
					  "md5 update failed");
			ok = false;
			break;
		}
		if (!xfer_get_write(fd, s.buf.data(), s.got, s.offset)) {
			int e = errno;
			st = XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)e,
					  "cannot write " + io.target + ": " + strerror(e));
			ok = false;
			break;
		}
		done += s.got;
		if (io.progress)
			io.progress(done, size);
		if (io.cancel && io.cancel->load()) {
			st = XRootDStatus(XrdCl::stError, XrdCl::errOperationInterrupted, 0,
					  "cancelled");
			ok = false;
			break;
		}
		if (!(ok = ask(s)))
			break;
	}
	{ // no buffer goes while a read may still fill it
		std::unique_lock<std::mutex> lk(mu);
		for (auto &s : slots)
			if (s->busy)
				cv.wait(lk, [&] { return s->answered; });
	}
	if (close(fd) < 0 && ok) {
		int e = errno;
		st = XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)e,
				  "cannot write " + io.target + ": " + strerror(e));
		ok = false;
	}
	xfer_get_close(file, tmo);
	if (!ok)
		return st;
	bytes = done;
	if (md5.ok && (io.want_md5 || !io.md5.empty())) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned n = 0;

		if (EVP_DigestFinal_ex(md5.ctx, md, &n) != 1)
			return XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0,
					    "md5 final failed");
		md5_hex = xfer_get_hex(md, n);
	}
	if (!io.md5.empty() && !xfer_md5_same(md5_hex, io.md5))
		return XRootDStatus(XrdCl::stError, XrdCl::errCheckSumError, 0,
				    "md5 " + md5_hex + ", the catalogue has " + io.md5);
	return XRootDStatus();
}
