// test_xfer_zip.cc - xfer_zip_run (daemon/xrootd/xfer_zip.cc) on local archives made here:
// stored, deflated over many reads, ZIP64; a missing member, another size, another md5, an
// unknown method; then every truncation and every flipped byte of an archive: an error, or the
// member's exact bytes, never anything else (RELIABILITY finding 23).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/evp.h>

#include "check.h"
#include "xrootd/xfer_zip.h"

// "xfer_md5.cc": the one helper xfer_zip.cc takes from it
bool xfer_md5_same(std::string a, std::string b)
{
	return a == b;
}

namespace
{

typedef std::vector<unsigned char> bytes_t;

void zt_le(bytes_t &b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b.push_back((unsigned char)(v >> (8 * i)));
}

bytes_t zt_deflate(const std::string &s)
{
	z_stream z = {};
	bytes_t out(compressBound((uLong)s.size()) + 64);

	deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)s.data(), z.avail_in = (uInt)s.size();
	z.next_out = out.data(), z.avail_out = (uInt)out.size();
	deflate(&z, Z_FINISH);
	out.resize(z.total_out);
	deflateEnd(&z);
	return out;
}

struct zt_member {
	std::string name, data;
	int method; // 0, 8, or another (written as stored)
};

// an archive of the members; zip64: ZIP64 sizes in the central directory, ZIP64 EOCD
bytes_t zt_zip(const std::vector<zt_member> &ms, bool zip64)
{
	bytes_t a, cd;

	for (const auto &m : ms) {
		bytes_t d =
			m.method == 8 ? zt_deflate(m.data) : bytes_t(m.data.begin(), m.data.end());
		uLong crc = crc32(crc32(0, Z_NULL, 0), (const Bytef *)m.data.data(),
				  (uInt)m.data.size());
		uint64_t lho = a.size();

		zt_le(a, 0x04034b50, 4), zt_le(a, 20, 2), zt_le(a, 0, 2), zt_le(a, m.method, 2);
		zt_le(a, 0, 4), zt_le(a, crc, 4), zt_le(a, d.size(), 4), zt_le(a, m.data.size(), 4);
		zt_le(a, m.name.size(), 2), zt_le(a, 0, 2);
		a.insert(a.end(), m.name.begin(), m.name.end());
		a.insert(a.end(), d.begin(), d.end());
		zt_le(cd, 0x02014b50, 4), zt_le(cd, 45, 2), zt_le(cd, 20, 2), zt_le(cd, 0, 2);
		zt_le(cd, m.method, 2), zt_le(cd, 0, 4), zt_le(cd, crc, 4), zt_le(cd, d.size(), 4);
		zt_le(cd, zip64 ? 0xffffffff : m.data.size(), 4), zt_le(cd, m.name.size(), 2);
		zt_le(cd, zip64 ? 12 : 0, 2), zt_le(cd, 0, 2), zt_le(cd, 0, 2), zt_le(cd, 0, 2);
		zt_le(cd, 0, 4), zt_le(cd, lho, 4);
		cd.insert(cd.end(), m.name.begin(), m.name.end());
		if (zip64)
			zt_le(cd, 1, 2), zt_le(cd, 8, 2), zt_le(cd, m.data.size(), 8);
	}
	uint64_t cdoff = a.size();
	a.insert(a.end(), cd.begin(), cd.end());
	if (zip64) {
		uint64_t at = a.size();

		zt_le(a, 0x06064b50, 4), zt_le(a, 44, 8), zt_le(a, 45, 2), zt_le(a, 45, 2);
		zt_le(a, 0, 4), zt_le(a, 0, 4), zt_le(a, ms.size(), 8), zt_le(a, ms.size(), 8);
		zt_le(a, cd.size(), 8), zt_le(a, cdoff, 8);
		zt_le(a, 0x07064b50, 4), zt_le(a, 0, 4), zt_le(a, at, 8), zt_le(a, 1, 4);
	}
	zt_le(a, 0x06054b50, 4), zt_le(a, 0, 2), zt_le(a, 0, 2), zt_le(a, ms.size(), 2);
	zt_le(a, ms.size(), 2), zt_le(a, cd.size(), 4), zt_le(a, zip64 ? 0xffffffff : cdoff, 4);
	zt_le(a, 0, 2);
	return a;
}

std::string zt_md5(const std::string &s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	std::string hex;

	EVP_Digest(s.data(), s.size(), md, &n, EVP_md5(), nullptr);
	for (unsigned i = 0; i < n; i++)
		hex += "0123456789abcdef"[md[i] >> 4], hex += "0123456789abcdef"[md[i] & 15];
	return hex;
}

std::string zt_dir;

// member of archive a: its status; out: what was written
XrdCl::XRootDStatus zt_run(const bytes_t &a, const std::string &member, std::string &out,
			   long long size = -1, const std::string &md5 = "")
{
	std::string ap = zt_dir + "/a.zip", op = zt_dir + "/out";
	int afd = open(ap.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ofd = open(op.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
	xfer_zip_io io;
	std::string hex;
	uint64_t n = 0;

	if (afd < 0 || ofd < 0 || write(afd, a.data(), a.size()) != (ssize_t)a.size())
		abort();
	io.archive_fd = afd, io.out_fd = ofd, io.member = member, io.size = size, io.md5 = md5;
	io.chunk_size = 4096; // many reads and writes
	XrdCl::XRootDStatus st = xfer_zip_run(io, hex, n);
	out.assign((size_t)lseek(ofd, 0, SEEK_END), '\0');
	if (pread(ofd, &out[0], out.size(), 0) != (ssize_t)out.size())
		abort();
	if (st.IsOK() && (n != out.size() || hex != zt_md5(out)))
		out = "(md5 or size reported wrong)";
	close(afd), close(ofd);
	return st;
}

} // namespace

int main()
{
	char tmpl[] = "/tmp/test_xfer_zip.XXXXXX";
	std::string big, text = "member one\n", out;

	if (!mkdtemp(tmpl))
		return 1;
	zt_dir = tmpl;
	srand(23);
	for (int i = 0; i < 200000; i++) // incompressible enough for ~25 reads of 4 KiB
		big += "0123456789abcdef"[rand() % 16];
	for (int zip64 = 0; zip64 < 2; zip64++) {
		bytes_t a = zt_zip({ { "s.bin", big, 0 },
				     { "d.txt", big, 8 },
				     { "t.txt", text, 8 },
				     { "x.bz2", text, 12 } },
				   zip64);

		CHECK(zt_run(a, "s.bin", out).IsOK() && out == big);
		CHECK(zt_run(a, "d.txt", out).IsOK() && out == big);
		CHECK(zt_run(a, "t.txt", out, (long long)text.size(), zt_md5(text)).IsOK() &&
		      out == text);
		CHECK(zt_run(a, "nothere", out).code == XrdCl::errNotFound && out.empty());
		CHECK(zt_run(a, "d.txt", out, 10).code == XrdCl::errDataError && out.empty());
		CHECK(zt_run(a, "t.txt", out, -1, zt_md5("other")).code == XrdCl::errCheckSumError);
		CHECK(zt_run(a, "x.bz2", out).code == XrdCl::errNotSupported && out.empty());
	}
	// every truncation, every flipped byte: an error or the exact member
	bytes_t small =
		zt_zip({ { "a", "first\n", 0 }, { "t.txt", text + text + text, 8 } }, false);
	int wrong = 0, errors = 0;
	for (size_t len = 0; len < small.size(); len++) {
		bytes_t cut(small.begin(), small.begin() + len);
		errors += !zt_run(cut, "t.txt", out).IsOK();
	}
	CHECK(errors == (int)small.size());
	for (int z64 = 0; z64 < 2; z64++) {
		bytes_t base = zt_zip({ { "a", "first\n", 0 }, { "t.txt", text + text, 8 } }, z64);
		for (size_t i = 0; i < base.size(); i++) {
			bytes_t f = base;
			f[i] ^= 0xff;
			XrdCl::XRootDStatus st = zt_run(f, "t.txt", out);
			wrong += st.IsOK() && out != text + text;
		}
	}
	CHECK(wrong == 0);
	unlink((zt_dir + "/a.zip").c_str()), unlink((zt_dir + "/out").c_str()), rmdir(tmpl);
	return check_report();
}
