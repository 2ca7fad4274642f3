// xfer_zip.cc - see xfer_zip.h. The ZIP records read (APPNOTE 6.3.x, little
// endian): end of central directory (EOCD), its ZIP64 locator and record, the
// central directory entries, the member's local header; nothing is trusted
// that points outside the archive.
#include "xfer_zip.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <unistd.h>
#include <zlib.h>

#include <openssl/evp.h>

#include <XrdCl/XrdClFile.hh>

#include "xfer_int.h"

namespace
{

using XrdCl::XRootDStatus;

const uint32_t XFER_ZIP_EOCD_SIG = 0x06054b50, XFER_ZIP_LOC64_SIG = 0x07064b50,
	       XFER_ZIP_EOCD64_SIG = 0x06064b50, XFER_ZIP_CDH_SIG = 0x02014b50,
	       XFER_ZIP_LFH_SIG = 0x04034b50;

uint64_t xfer_zip_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

XRootDStatus xfer_zip_bad(const std::string &why)
{
	return XRootDStatus(XrdCl::stError, XrdCl::errDataError, 0, "damaged archive: " + why);
}

// the archive: XrdCl (synchronous reads) or a local descriptor
struct xfer_zip_src {
	XrdCl::File file;
	int fd = -1;
	uint16_t tmo = 0;
	uint64_t size = 0;

	// exactly n bytes at off (the caller checked off + n <= size)
	XRootDStatus read(uint64_t off, uint32_t n, unsigned char *buf)
	{
		while (n) {
			uint32_t got = 0;

			if (fd >= 0) {
				ssize_t r = pread(fd, buf, n, (off_t)off);

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					return XRootDStatus(
						XrdCl::stError, XrdCl::errOSError, (uint32_t)errno,
						std::string("cannot read the archive: ") +
							strerror(errno));
				got = (uint32_t)r;
			} else {
				XRootDStatus st = file.Read(off, n, buf, got, tmo);

				if (!st.IsOK())
					return st;
			}
			if (!got)
				return xfer_zip_bad("it ends at " + std::to_string(off));
			off += got, n -= got, buf += got;
		}
		return XRootDStatus();
	}
};

struct xfer_zip_entry {
	uint16_t flags = 0, method = 0;
	uint32_t crc = 0;
	uint64_t csize = 0, usize = 0, lho = 0, data = 0;
};

// the EOCD (or ZIP64) record's central directory: its offset and size
XRootDStatus xfer_zip_cd(xfer_zip_src &s, uint64_t &cdoff, uint64_t &cdsize)
{
	uint32_t tail = s.size < XFER_ZIP_TAIL_MAX ? (uint32_t)s.size : XFER_ZIP_TAIL_MAX;
	std::vector<unsigned char> t(tail);
	XRootDStatus st;
	long e;

	if (tail < 22)
		return xfer_zip_bad("it has " + std::to_string(s.size) + " bytes");
	if (!(st = s.read(s.size - tail, tail, t.data())).IsOK())
		return st;
	for (e = (long)tail - 22; e >= 0; e--) // the last EOCD whose comment ends the file
		if (xfer_zip_le(&t[e], 4) == XFER_ZIP_EOCD_SIG &&
		    e + 22 + (long)xfer_zip_le(&t[e + 20], 2) == (long)tail)
			break;
	if (e < 0)
		return xfer_zip_bad("no end of central directory");
	uint64_t entries = xfer_zip_le(&t[e + 10], 2);
	cdsize = xfer_zip_le(&t[e + 12], 4);
	cdoff = xfer_zip_le(&t[e + 16], 4);
	if (entries == 0xffff || cdsize == 0xffffffff || cdoff == 0xffffffff) { // ZIP64
		unsigned char r[56];

		if (e < 20 || xfer_zip_le(&t[e - 20], 4) != XFER_ZIP_LOC64_SIG)
			return xfer_zip_bad("no ZIP64 locator");
		uint64_t at = xfer_zip_le(&t[e - 20 + 8], 8);
		if (at > s.size || s.size - at < sizeof(r))
			return xfer_zip_bad("ZIP64 record outside the archive");
		if (!(st = s.read(at, sizeof(r), r)).IsOK())
			return st;
		if (xfer_zip_le(r, 4) != XFER_ZIP_EOCD64_SIG)
			return xfer_zip_bad("no ZIP64 end of central directory");
		cdsize = xfer_zip_le(r + 40, 8);
		cdoff = xfer_zip_le(r + 48, 8);
	}
	if (cdoff > s.size || cdsize > s.size - cdoff)
		return xfer_zip_bad("central directory outside the archive");
	if (cdsize > XFER_ZIP_CD_MAX)
		return XRootDStatus(XrdCl::stError, XrdCl::errNotSupported, 0,
				    "the archive's central directory has " +
					    std::to_string(cdsize) + " bytes, over " +
					    std::to_string(XFER_ZIP_CD_MAX));
	return XRootDStatus();
}

// a central directory entry's ZIP64 extra field (id 1): the fields at their maximum follow
bool xfer_zip_extra64(const unsigned char *x, size_t n, xfer_zip_entry &z)
{
	while (n >= 4) {
		size_t id = xfer_zip_le(x, 2), len = xfer_zip_le(x + 2, 2);

		if (len > n - 4)
			return false;
		if (id == 1) {
			uint64_t *want[] = { &z.usize, &z.csize, &z.lho };
			uint64_t max[] = { 0xffffffff, 0xffffffff, 0xffffffff };
			size_t at = 0;

			for (int i = 0; i < 3; i++)
				if (*want[i] == max[i]) {
					if (at + 8 > len)
						return false;
					*want[i] = xfer_zip_le(x + 4 + at, 8), at += 8;
				}
			return true;
		}
		x += 4 + len, n -= 4 + len;
	}
	return true;
}

// the member's entry and where its bytes start
XRootDStatus xfer_zip_find(xfer_zip_src &s, const std::string &name, xfer_zip_entry &z)
{
	uint64_t cdoff = 0, cdsize = 0;
	XRootDStatus st = xfer_zip_cd(s, cdoff, cdsize);

	if (!st.IsOK())
		return st;
	std::vector<unsigned char> cd(cdsize);
	if (cdsize && !(st = s.read(cdoff, (uint32_t)cdsize, cd.data())).IsOK())
		return st;
	size_t pos = 0;
	for (;; pos += 46 + xfer_zip_le(&cd[pos + 28], 2) + xfer_zip_le(&cd[pos + 30], 2) +
		       xfer_zip_le(&cd[pos + 32], 2)) {
		if (pos + 46 > cdsize) // the central directory ended: no such member
			return XRootDStatus(XrdCl::stError, XrdCl::errNotFound, 0,
					    "no member " + name + " in the archive");
		const unsigned char *h = &cd[pos];
		size_t n = xfer_zip_le(h + 28, 2), m = xfer_zip_le(h + 30, 2);
		if (xfer_zip_le(h, 4) != XFER_ZIP_CDH_SIG ||
		    pos + 46 + n + m + xfer_zip_le(h + 32, 2) > cdsize)
			return xfer_zip_bad("central directory entry at " + std::to_string(pos));
		if (n != name.size() || memcmp(h + 46, name.data(), n) != 0)
			continue;
		z.flags = (uint16_t)xfer_zip_le(h + 8, 2);
		z.method = (uint16_t)xfer_zip_le(h + 10, 2);
		z.crc = (uint32_t)xfer_zip_le(h + 16, 4);
		z.csize = xfer_zip_le(h + 20, 4);
		z.usize = xfer_zip_le(h + 24, 4);
		z.lho = xfer_zip_le(h + 42, 4);
		if (!xfer_zip_extra64(h + 46 + n, m, z))
			return xfer_zip_bad("ZIP64 fields of " + name);
		break;
	}
	unsigned char l[30];
	if (z.lho > s.size || s.size - z.lho < sizeof(l))
		return xfer_zip_bad("local header of " + name + " outside the archive");
	if (!(st = s.read(z.lho, sizeof(l), l)).IsOK())
		return st;
	if (xfer_zip_le(l, 4) != XFER_ZIP_LFH_SIG)
		return xfer_zip_bad("no local header for " + name);
	z.data = z.lho + sizeof(l) + xfer_zip_le(l + 26, 2) + xfer_zip_le(l + 28, 2);
	if (z.data > s.size || z.csize > s.size - z.data)
		return xfer_zip_bad(name + "'s bytes outside the archive");
	return XRootDStatus();
}

struct xfer_zip_out {
	const xfer_zip_io &io;
	const xfer_zip_entry &z;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uLong crc = crc32(0, Z_NULL, 0);
	uint64_t done = 0;

	~xfer_zip_out()
	{
		EVP_MD_CTX_free(md);
	}
	// n uncompressed bytes: never past the entry's size
	XRootDStatus put(const unsigned char *p, size_t n)
	{
		if (n > z.usize - done)
			return xfer_zip_bad(io.member + " inflates past its " +
					    std::to_string(z.usize) + " bytes");
		if (EVP_DigestUpdate(md, p, n) != 1)
			return XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0,
					    "md5 update failed");
		crc = crc32(crc, p, (uInt)n);
		for (size_t w = 0; w < n;) {
			ssize_t r = pwrite(io.out_fd, p + w, n - w, (off_t)(done + w));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return XRootDStatus(XrdCl::stError, XrdCl::errOSError,
						    (uint32_t)errno,
						    "cannot write " + io.member + ": " +
							    strerror(r < 0 ? errno : EIO));
			w += (size_t)r;
		}
		done += n;
		if (io.progress)
			io.progress(done, z.usize);
		return XRootDStatus();
	}
};

// the member's bytes: read, inflated when deflated, written, summed
XRootDStatus xfer_zip_copy(xfer_zip_src &s, const xfer_zip_io &io, const xfer_zip_entry &z,
			   xfer_zip_out &out)
{
	const uint32_t chunk = io.chunk_size ? io.chunk_size : XFER_CHUNK_SIZE;
	std::vector<unsigned char> in(z.csize < chunk ? (size_t)z.csize : chunk),
		buf(z.method ? chunk : 0);
	z_stream zs = {};
	std::unique_ptr<z_stream, int (*)(z_stream *)> zguard(nullptr, inflateEnd);
	int zrc = Z_OK;
	XRootDStatus st;

	if (z.method && inflateInit2(&zs, -MAX_WBITS) != Z_OK) // raw deflate, no header
		return XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0, "inflateInit2 failed");
	if (z.method)
		zguard.reset(&zs);
	for (uint64_t off = 0; off < z.csize;) {
		uint32_t n =
			z.csize - off < in.size() ? (uint32_t)(z.csize - off) : (uint32_t)in.size();

		if (io.stop && io.stop())
			return XRootDStatus(XrdCl::stError, XrdCl::errOperationInterrupted, 0,
					    "cancelled");
		if (!(st = s.read(z.data + off, n, in.data())).IsOK())
			return st;
		off += n;
		if (!z.method) {
			if (!(st = out.put(in.data(), n)).IsOK())
				return st;
			continue;
		}
		zs.next_in = in.data(), zs.avail_in = n;
		while (zs.avail_in && zrc != Z_STREAM_END) {
			zs.next_out = buf.data(), zs.avail_out = (uInt)buf.size();
			zrc = inflate(&zs, Z_NO_FLUSH);
			if (zrc != Z_OK && zrc != Z_STREAM_END)
				return xfer_zip_bad(io.member + ": " +
						    (zs.msg ? zs.msg : "inflate"));
			if (!(st = out.put(buf.data(), buf.size() - zs.avail_out)).IsOK())
				return st;
		}
		// the stream may end with output still inside zlib
		while (zrc == Z_OK && !zs.avail_in && off == z.csize) {
			zs.next_out = buf.data(), zs.avail_out = (uInt)buf.size();
			zrc = inflate(&zs, Z_FINISH);
			if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
				return xfer_zip_bad(io.member + ": " +
						    (zs.msg ? zs.msg : "inflate"));
			if (!(st = out.put(buf.data(), buf.size() - zs.avail_out)).IsOK())
				return st;
			if (zrc == Z_BUF_ERROR)
				break;
		}
	}
	if (z.method && zrc != Z_STREAM_END)
		return xfer_zip_bad(io.member + "'s deflate stream is cut short");
	return XRootDStatus();
}

} // namespace

XRootDStatus xfer_zip_run(const xfer_zip_io &io, std::string &md5_hex, uint64_t &bytes)
{
	xfer_zip_src s;
	xfer_zip_entry z;
	XRootDStatus st;

	md5_hex.clear();
	bytes = 0;
	s.tmo = io.timeout_s > 0 && io.timeout_s < 65535 ? (uint16_t)io.timeout_s : 0;
	if (io.archive_fd >= 0) {
		off_t end = lseek(io.archive_fd, 0, SEEK_END);

		if (end < 0)
			return XRootDStatus(XrdCl::stError, XrdCl::errOSError, (uint32_t)errno,
					    std::string("cannot read the archive: ") +
						    strerror(errno));
		s.fd = io.archive_fd, s.size = (uint64_t)end;
	} else {
		XrdCl::StatInfo *info = nullptr;

		if (!(st = s.file.Open(io.source, XrdCl::OpenFlags::Read, XrdCl::Access::None,
				       s.tmo))
			     .IsOK())
			return st;
		st = s.file.Stat(false, info, s.tmo);
		if (st.IsOK() && info)
			s.size = info->GetSize();
		delete info;
		if (st.IsOK() && !info)
			st = XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0,
					  "no size from stat");
	}
	if (st.IsOK())
		st = xfer_zip_find(s, io.member, z);
	if (st.IsOK() && (z.flags & 1))
		st = XRootDStatus(XrdCl::stError, XrdCl::errNotSupported, 0,
				  io.member + " is encrypted");
	else if (st.IsOK() && z.method != 0 && z.method != Z_DEFLATED)
		st = XRootDStatus(XrdCl::stError, XrdCl::errNotSupported, 0,
				  io.member + ": compression method " + std::to_string(z.method) +
					  " (only stored and deflate are read)");
	else if (st.IsOK() && io.size >= 0 && z.usize != (uint64_t)io.size) // a bomb, a mix-up
		st = XRootDStatus(XrdCl::stError, XrdCl::errDataError, 0,
				  "the member has " + std::to_string(z.usize) +
					  " bytes, the catalogue " + std::to_string(io.size) +
					  "; not read");
	else if (st.IsOK() && !z.method && z.csize != z.usize)
		st = xfer_zip_bad(io.member + " is stored with two sizes");
	xfer_zip_out out{ io, z };
	if (st.IsOK() && !out.md)
		st = XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0, "no md5 context");
	if (st.IsOK() && EVP_DigestInit_ex(out.md, EVP_md5(), nullptr) != 1)
		st = XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0, "md5 init failed");
	if (st.IsOK())
		st = xfer_zip_copy(s, io, z, out);
	if (s.fd < 0 && s.file.IsOpen()) { // read only: nothing to lose if closing fails
		XRootDStatus cst = s.file.Close(s.tmo);
		(void)cst;
	}
	if (!st.IsOK())
		return st;
	if (out.done != z.usize)
		return xfer_zip_bad(io.member + " has " + std::to_string(out.done) +
				    " bytes, not " + std::to_string(z.usize));
	if ((uint32_t)out.crc != z.crc)
		return xfer_zip_bad(io.member + "'s crc32 differs from its entry's");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (EVP_DigestFinal_ex(out.md, md, &n) != 1)
		return XRootDStatus(XrdCl::stError, XrdCl::errInternal, 0, "md5 final failed");
	for (unsigned i = 0; i < n; i++)
		md5_hex += "0123456789abcdef"[md[i] >> 4],
			md5_hex += "0123456789abcdef"[md[i] & 15];
	bytes = out.done;
	if (!io.md5.empty() && !xfer_md5_same(md5_hex, io.md5))
		return XRootDStatus(XrdCl::stError, XrdCl::errCheckSumError, 0,
				    "md5 " + md5_hex + ", the catalogue has " + io.md5);
	return XRootDStatus();
}
