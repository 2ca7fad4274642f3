// xrdlog.cc - see xrdlog.h. A LogOut that writes each XrdCl line to the
// daemon's own output (at the daemon's level) and to every shell's file open
// at that moment (at that shell's level).
#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClLog.hh>

#include "xrdlog.h"

namespace
{

struct xrdlog_sink {
	int id, fd, level;
};

struct xrdlog_state {
	std::mutex mu;
	std::vector<xrdlog_sink> sinks;
	int next_id = 1;
	int daemon_level = XrdCl::Log::NoMsg;
	XrdCl::Log *log = nullptr;
	dev_t daemon_dev = 0; // the daemon's XRD_LOGFILE, not written twice
	ino_t daemon_ino = 0;
	bool installed = false;
};
// never destroyed: XrdCl logs during its own teardown at exit, after this file's statics are gone
xrdlog_state &xl = *new xrdlog_state();

const char *const xrdlog_names[] = { "Error", "Warning", "Info", "Debug", "Dump" };

// the level of a line "[time][Level  ][Topic] ..." (XrdCl::Log::Say's format)
int xrdlog_line_level(const std::string &m)
{
	size_t a = m.find("][");

	for (int i = 0; a != std::string::npos && i < 5; i++)
		if (m.compare(a + 2, strlen(xrdlog_names[i]), xrdlog_names[i]) == 0)
			return i + 1;
	return XrdCl::Log::DumpMsg;
}

void xrdlog_write_all(int fd, const std::string &m)
{
	const char *p = m.data();
	size_t n = m.size();

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; // a full disk loses log lines, never a transfer
		p += w, n -= (size_t)w;
	}
}

class xrdlog_out : public XrdCl::LogOut
{
      public:
	explicit xrdlog_out(XrdCl::LogOut *daemon) : daemon_(daemon)
	{
	}
	~xrdlog_out() override
	{
		delete daemon_;
	}
	void Write(const std::string &m) override
	{
		int lvl = xrdlog_line_level(m);
		std::lock_guard<std::mutex> lk(xl.mu);

		if (lvl <= xl.daemon_level)
			daemon_->Write(m);
		for (const auto &s : xl.sinks)
			if (lvl <= s.level)
				xrdlog_write_all(s.fd, m);
	}

      private:
	XrdCl::LogOut *daemon_;
};

// the process-wide level: the daemon's, or a running shell's if higher (xl.mu held)
void xrdlog_relevel()
{
	int lvl = xl.daemon_level;

	for (const auto &s : xl.sinks)
		lvl = std::max(lvl, s.level);
	xl.log->SetLevel((XrdCl::Log::LogLevel)lvl);
}

} // namespace

extern "C" int xrdlog_level(const char *name)
{
	for (int i = 0; name && i < 5; i++)
		if (strcasecmp(name, xrdlog_names[i]) == 0)
			return i + 1;
	return -EINVAL;
}

extern "C" void xrdlog_install(void)
{
	try {
		XrdCl::Log *log = XrdCl::DefaultEnv::GetLog(); // reads XRD_LOGLEVEL, XRD_LOGFILE
		const char *f = getenv("XRD_LOGFILE");
		XrdCl::LogOut *out = nullptr;
		struct stat st;
		std::lock_guard<std::mutex> lk(xl.mu);

		if (xl.installed)
			return;
		if (f && *f) { // as XrdCl's DefaultEnv: the file, else stderr
			auto *file = new XrdCl::LogOutFile();

			if (file->Open(f)) {
				out = file;
				if (stat(f, &st) == 0)
					xl.daemon_dev = st.st_dev, xl.daemon_ino = st.st_ino;
			} else {
				delete file;
			}
		}
		if (!out)
			out = new XrdCl::LogOutCerr();
		xl.daemon_level = log->GetLevel();
		xl.log = log;
		log->SetOutput(new xrdlog_out(out));
		xl.installed = true;
	} catch (...) { // XrdCl keeps its own output: the shells' files get nothing
	}
}

extern "C" int xrdlog_open(const char *path, int level)
{
	int fd =
		open(path,
		     O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		     0600);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	try {
		std::lock_guard<std::mutex> lk(xl.mu);

		if (!xl.installed || xl.sinks.size() >= XRDLOG_SINKS_MAX) {
			close(fd);
			return xl.installed ? -EMFILE : -ENOSYS;
		}
		if (xl.daemon_ino && st.st_dev == xl.daemon_dev && st.st_ino == xl.daemon_ino)
			level = 0; // the daemon's own file: the daemon's level writes it (once)
		xl.sinks.push_back({ xl.next_id, fd, level });
		xrdlog_relevel();
		return xl.next_id++;
	} catch (...) {
		close(fd);
		return -ENOMEM;
	}
}

extern "C" void xrdlog_close(int handle)
{
	if (handle <= 0)
		return;
	std::lock_guard<std::mutex> lk(xl.mu);

	for (auto it = xl.sinks.begin(); it != xl.sinks.end(); ++it)
		if (it->id == handle) {
			close(it->fd);
			xl.sinks.erase(it);
			break;
		}
	xrdlog_relevel();
}
