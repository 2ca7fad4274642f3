// xfer_md5.cc - the md5 jobs of xfer.h (XFER_MD5: a local file's, read off
// the loop; a root:// URL's, asked of its SE or read back through XrdCl), and
// the md5 helpers the copies use (xfer_copy.cc).
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <XrdCl/XrdClBuffer.hh>
#include <XrdCl/XrdClFile.hh>
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClURL.hh>

#include "exitcodes.h"
#include "xfer_int.h"

bool xfer_md5_same(std::string a, std::string b)
{
	for (std::string *s : { &a, &b }) {
		size_t c = s->find(':');

		if (c != std::string::npos)
			*s = s->substr(c + 1);
		for (auto &ch : *s)
			ch = (char)tolower((unsigned char)ch);
		size_t z = s->find_first_not_of('0');
		*s = z == std::string::npos ? std::string() : s->substr(z);
	}
	return a == b;
}

std::string xfer_md5_file(const xfer_job *j, const std::string &path, char *out, size_t outlen,
			  uint64_t *bytes)
{
	static const size_t bufsize = 1u << 20;
	std::vector<unsigned char> buf(bufsize);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	EVP_MD_CTX *c;
	ssize_t n = 0;
	std::string err = exitcode_meaning(JD_EXIT_NOMEM);

	if (fd < 0)
		return strerror(errno);
	c = EVP_MD_CTX_new();
	if (c && EVP_DigestInit_ex(c, EVP_md5(), nullptr) == 1) {
		while (!j->cancel.load() && (n = read(fd, buf.data(), bufsize)) > 0) {
			EVP_DigestUpdate(c, buf.data(), (size_t)n);
			*bytes += (uint64_t)n;
		}
		if (n == 0 && !j->cancel.load() && EVP_DigestFinal_ex(c, md, &mdlen) == 1) {
			for (unsigned i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
				snprintf(out + 2 * i, 3, "%02x", md[i]);
			err.clear();
		} else {
			err = n < 0 ? strerror(errno) : "cancelled";
		}
	}
	EVP_MD_CTX_free(c);
	close(fd);
	return err;
}

// md5 of a file on an SE (a grid to grid copy's target, cp_tpc.c): the SE's
// own checksum (kXR_Qcksum, "?cks.type=md5"), else the file read back through
// XrdCl (an SE without xrootd.chksum; libXrdCl 5.5.3 computes no checksum
// while streaming from one SE to another: every mode is a query)
static std::string xfer_md5_remote(const xfer_job *j, char *out, size_t outlen, uint64_t *bytes)
{
	XrdCl::URL u(j->source);
	if (!u.IsValid())
		return "not a valid URL";
	XrdCl::FileSystem fs(u);
	XrdCl::Buffer arg, *resp = nullptr;
	std::string q = u.GetPathWithParams();
	arg.FromString(q + (q.find('?') == std::string::npos ? "?" : "&") + "cks.type=md5");
	XrdCl::XRootDStatus st =
		fs.Query(XrdCl::QueryCode::Checksum, arg, resp, XFER_RM_TIMEOUT_S * 6);
	std::string ans = st.IsOK() && resp ? resp->ToString() : std::string();
	delete resp;
	if (ans.compare(0, 4, "md5 ") == 0) {
		snprintf(out, outlen, "%.32s", ans.c_str() + 4);
		return "";
	}
	XrdCl::File file;
	std::vector<unsigned char> buf(XFER_CHUNK_SIZE);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint32_t got = 0;
	st = file.Open(j->source, XrdCl::OpenFlags::Read);
	if (!st.IsOK())
		return "cannot read it back: " + xfer_status_text(st);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	std::string err = c && EVP_DigestInit_ex(c, EVP_md5(), nullptr) == 1
				  ? ""
				  : exitcode_meaning(JD_EXIT_NOMEM);
	while (err.empty() && !j->cancel.load()) {
		st = file.Read(*bytes, (uint32_t)buf.size(), buf.data(), got);
		if (!st.IsOK())
			err = "cannot read it back: " + xfer_status_text(st);
		else if (got == 0)
			break;
		else
			EVP_DigestUpdate(c, buf.data(), got), *bytes += got;
	}
	if (err.empty() && j->cancel.load())
		err = "cancelled";
	if (err.empty() && EVP_DigestFinal_ex(c, md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
	XrdCl::XRootDStatus closed = file.Close(); // read only: nothing to lose
	(void)closed;
	return err;
}

// md5 of a local file off the loop (1 GiB takes seconds), or of a root:// URL
void xfer_md5_run(xfer_job *j)
{
	bool remote = j->source.compare(0, 7, "root://") == 0;
	std::string err =
		remote ? xfer_md5_remote(j, j->res.checksum, sizeof(j->res.checksum), &j->res.bytes)
		       : xfer_md5_file(j, j->source, j->res.checksum, sizeof(j->res.checksum),
				       &j->res.bytes);
	// not its authz
	std::string name = remote ? j->source.substr(0, j->source.find('?')) : j->source;

	if (err.empty())
		j->res.ok = 1;
	else
		snprintf(j->res.msg, sizeof(j->res.msg), "%s: %s", name.c_str(), err.c_str());
}
