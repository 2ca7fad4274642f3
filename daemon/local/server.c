/* server.c - see server.h. */
#include "server.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "caps.h"
#include "log.h"
#include "peercred.h"
#include "base/obj.h"
#include "sockpath.h"

static struct {
	struct jd_obj listener_obj, signal_obj;
	int lfd, sigfd, sigw, lockfd; /* sigfd/sigw: the self-pipe of the signal handler */
	int made_socket;	      /* we bound it: we unlink it */
	int stopping;		      /* SIGTERM/SIGINT count: 1 drains, 2 exits now */
	int refuse_new;
	int (*reload)(char *err, size_t errn); /* SIGHUP */
	char path[108];
	struct lws_context *ctx;
} srv = { .lfd = -1, .sigfd = -1, .sigw = -1, .lockfd = -1 };

int server_stopping(void)
{
	return srv.stopping;
}

void server_refuse_new(void)
{
	srv.refuse_new = 1;
}

/* The socket folder must be ours and private: made 0700 here, or refused. */
static int server_check_dir(const char *dir)
{
	char why[300];
	int r;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_err("cannot create socket folder %s: %m", dir);
		return -errno;
	}
	if ((r = sockpath_check_dir(dir, why, sizeof(why))) < 0)
		log_err("%s; refusing to start", why);
	return r;
}

/* Only one daemon per socket: an flock()ed file beside the socket. */
static int server_lock(const char *path)
{
	char lock[sizeof(srv.path) + 8], pid[32];
	int fd;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_err("cannot open lock file %s: %m", lock);
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(fd, pid, sizeof(pid) - 1);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_err("another jaliend (pid %s) already serves %s", pid[0] ? pid : "?", path);
		close(fd);
		return -EADDRINUSE;
	}
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

		(void)!pwrite(fd, pid, (size_t)n, 0);
	}
	srv.lockfd = fd;
	return 0;
}

/* Whether a socket file at path may be replaced: 0 if nothing is there or
 * it is a dead socket (unlinked here), -EADDRINUSE if something answers on
 * it (another jaliend, a systemd socket unit): that one is never touched. */
static int server_probe(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_err("cannot stat %s: %m", path);
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket; refusing to replace it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sun.sun_path, path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
		log_err("something already answers on %s (another jaliend or a systemd socket "
			"unit); "
			"leaving it alone",
			path);
		return -EADDRINUSE;
	}
	if (e != ECONNREFUSED) {
		log_err("cannot probe %s: %s; leaving it alone", path, strerror(e));
		return -e;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		log_err("cannot remove stale socket %s: %m", path);
		return -errno;
	}
	log_info("removed stale socket %s (nobody answered on it)", path);
	return 0;
}

/* An inherited (systemd) listener: its bound path names the lock. */
static int server_inherit(const struct jd_config *cfg)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char dir[sizeof(srv.path)];
	int r;

	srv.lfd = cfg->listen_fd;
	memset(&sun, 0, sizeof(sun));
	if (getsockname(srv.lfd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) && sun.sun_path[0] == '/')
		snprintf(srv.path, sizeof(srv.path), "%.*s", (int)sizeof(sun.sun_path) - 1,
			 sun.sun_path);
	else
		snprintf(srv.path, sizeof(srv.path), "%s", cfg->socket_path);
	if ((r = sockpath_dir(srv.path, dir, sizeof(dir))) < 0) {
		log_err("socket path %s has no folder part", srv.path);
		return r;
	}
	/* systemd made and owns the socket; the lock still says who serves it */
	if ((r = server_check_dir(dir)) < 0 || (r = server_lock(srv.path)) < 0)
		return r;
	log_info("serving the socket systemd passed: %s", srv.path);
	return 0;
}

const char *server_path(void)
{
	return srv.path;
}

int server_listen(const struct jd_config *cfg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(srv.path)];
	mode_t old;
	int fd, r;

	if (cfg->listen_fd >= 0)
		return server_inherit(cfg);
	if (strlen(cfg->socket_path) >= sizeof(sun.sun_path)) {
		log_err("socket path %s is too long", cfg->socket_path);
		return -ENAMETOOLONG;
	}
	snprintf(srv.path, sizeof(srv.path), "%s", cfg->socket_path);
	if ((r = sockpath_dir(srv.path, dir, sizeof(dir))) < 0) {
		log_err("socket path %s has no folder part", srv.path);
		return r;
	}
	if ((r = server_check_dir(dir)) < 0 || (r = server_lock(srv.path)) < 0)
		return r;
	/* We hold the lock, yet a socket here may still be live (a systemd
	 * socket unit, a daemon of an older version): probe before unlinking. */
	if ((r = server_probe(srv.path)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* bound at a temporary name beside it, listening, then renamed: the
	 * socket appears only once it accepts (a shim that sees the file and
	 * connects at once got ECONNREFUSED between bind and listen under load);
	 * a path with no room for the temporary name is bound directly */
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.S.%ld", dir, (long)getpid()) >=
	    (int)sizeof(sun.sun_path))
		strcpy(sun.sun_path, srv.path);
	(void)unlink(sun.sun_path); /* ours (the folder is private), from a pid now reused */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(fd, 128) < 0 ||
	    (strcmp(sun.sun_path, srv.path) != 0 && rename(sun.sun_path, srv.path) < 0)) {
		r = -errno;
		log_err("cannot listen on %s: %s", srv.path, strerror(-r));
		if (strcmp(sun.sun_path, srv.path) != 0)
			(void)unlink(sun.sun_path);
		close(fd);
		return r;
	}
	srv.made_socket = 1;
	srv.lfd = fd;
	log_info("listening on %s", srv.path);
	return 0;
}

/* SIGTERM, SIGINT and SIGHUP reach the loop through a self-pipe written by
 * their handler, whichever thread the kernel picks: a signalfd needs the
 * signals blocked in every thread, and libXrdCl starts short-lived threads
 * that unblock them all (seen with strace during downloads), so a SIGTERM
 * delivered there took the default action and killed the daemon mid-drain.
 * The pipe holds 64 KiB; a signal that finds it full is one of many
 * pending, and the loop acts on those. */
static void server_sig_handler(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	(void)!write(srv.sigw, &b, 1);
	errno = saved;
}

static int server_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	sigset_t set;
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	srv.sigfd = p[0];
	srv.sigw = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = server_sig_handler;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
		sigaddset(&set, sigs[i]);
	}
	/* a parent may have blocked them (they are inherited) */
	return sigprocmask(SIG_UNBLOCK, &set, NULL) < 0 ? -errno : 0;
}

static int server_adopt_fd(struct lws_vhost *vh, int fd, struct jd_obj *obj, enum jd_obj_kind kind)
{
	lws_sock_file_fd_type u;
	struct lws *w;

	obj->kind = kind;
	u.filefd = fd;
	w = lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, u, "jaliend-local", NULL);
	if (!w)
		return -EIO;
	lws_set_opaque_user_data(w, obj);
	return 0;
}

int server_adopt(struct lws_context *ctx)
{
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
	int r;

	srv.ctx = ctx;
	if (!vh)
		return -ENOENT;
	if (fcntl(srv.lfd, F_SETFL, fcntl(srv.lfd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	if ((r = server_adopt_fd(vh, srv.lfd, &srv.listener_obj, JD_OBJ_LISTENER)) < 0)
		return r;
	if ((r = server_signals()) < 0)
		return r;
	return server_adopt_fd(vh, srv.sigfd, &srv.signal_obj, JD_OBJ_SIGNAL);
}

/* Refuse a connection we did not adopt (too many clients): best effort. */
static void server_refuse_raw(int fd, int code, const char *msg)
{
	char body[256];
	unsigned char hdr[FRAME_HDR_LEN];
	int n = snprintf(body, sizeof(body), "{\"code\":%d,\"message\":\"%s\"}", code, msg);

	frame_put_header(hdr, FRAME_ERROR, 0, (uint32_t)n);
	(void)!write(fd, hdr, sizeof(hdr));
	(void)!write(fd, body, (size_t)n);
	close(fd);
}

static void server_accept(void)
{
	struct lws_vhost *vh = lws_get_vhost_by_name(srv.ctx, "default");

	for (;;) {
		int fd = accept4(srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		lws_sock_file_fd_type u;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("accept on %s: %m", srv.path);
			return;
		}
		if (srv.refuse_new) {
			server_refuse_raw(fd, JD_EXIT_BUSY,
					  "jaliend is stopping; try again in a moment");
			continue;
		}
		if (client_count() >= LIM_CLIENTS_MAX) {
			log_warn("refusing a client: %d connections already", LIM_CLIENTS_MAX);
			server_refuse_raw(fd, JD_EXIT_BUSY,
					  "jaliend is busy: too many connections; try again");
			continue;
		}
		u.sockfd = fd;
		if (!lws_adopt_descriptor_vhost(vh, LWS_ADOPT_SOCKET, u, "jaliend-local", NULL))
			log_warn("cannot adopt a client connection");
	}
}

void server_on_reload(int (*fn)(char *err, size_t errn))
{
	srv.reload = fn;
}

static void server_on_signal(void)
{
	unsigned char signo;

	while (read(srv.sigfd, &signo, 1) == 1) {
		if (signo == SIGHUP) {
			char err[600];

			if (srv.reload && srv.reload(err, sizeof(err)) < 0)
				log_err("SIGHUP: %s; keeping the previous credentials", err);
			continue;
		}
		srv.stopping++;
		log_notice("%s: %s", signo == SIGTERM ? "SIGTERM" : "SIGINT",
			   srv.stopping == 1
				   ? "finishing running requests, then exiting (again: exit now)"
				   : "exiting now");
		lws_cancel_service(srv.ctx);
	}
}

/* A new shim connection: check who it is. */
static int server_on_adopt(struct lws *wsi)
{
	uid_t uid;
	pid_t pid;
	struct client *c;
	int e = peercred_get(lws_get_socket_fd(wsi), &uid, &pid);

	if (e < 0) {
		log_warn("%s failed: %s", peercred_how, strerror(-e));
		return -1;
	}
	c = client_new(wsi, uid, pid);
	if (!c)
		return -1;
	lws_set_opaque_user_data(wsi, c);
	if (uid != getuid()) {
		client_fail(c, JD_EXIT_REFUSED,
			    "jaliend of uid %u does not serve uid %u: "
			    "each user runs their own jaliend",
			    (unsigned)getuid(), (unsigned)uid);
		return 0;
	}
	/* LWS_CALLBACK_TIMER: no HELLO yet gets an ERROR frame, then the close */
	lws_set_timer_usecs(wsi, (lws_usec_t)LIM_HELLO_TIMEOUT_S * LWS_US_PER_SEC);
	return 0;
}

static void server_on_hello_timer(struct lws *wsi, struct client *c)
{
	if (c->state != CL_HELLO)
		return;
	client_fail(c, JD_EXIT_PROTO, "no HELLO within %d s", LIM_HELLO_TIMEOUT_S);
	/* a peer that does not read cannot hold the close up */
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_REASON_BASE + 1, 2);
}

int server_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct jd_obj *o = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT: return server_on_adopt(wsi);
	case LWS_CALLBACK_RAW_RX:
		return o && o->kind == JD_OBJ_CLIENT ? client_on_rx((struct client *)o, in, len)
						     : 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		return o && o->kind == JD_OBJ_CLIENT ? client_on_writable((struct client *)o) : 0;
	case LWS_CALLBACK_TIMER:
		if (o && o->kind == JD_OBJ_CLIENT)
			server_on_hello_timer(wsi, (struct client *)o);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE:
		if (o && o->kind == JD_OBJ_CLIENT)
			client_on_close((struct client *)o);
		lws_set_opaque_user_data(wsi, NULL);
		return 0;
	case LWS_CALLBACK_RAW_RX_FILE:
		if (o && o->kind == JD_OBJ_LISTENER)
			server_accept();
		else if (o && o->kind == JD_OBJ_SIGNAL)
			server_on_signal();
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE: return 0;
	default: return 0;
	}
}

void server_close(void)
{
	if (srv.made_socket && srv.path[0] && unlink(srv.path) < 0 && errno != ENOENT)
		log_warn("cannot remove %s: %m", srv.path);
	srv.made_socket = 0;
	/* the handlers stay: SIGTERM from here on is ignored by a closed pipe */
	if (srv.sigfd >= 0) {
		close(srv.sigfd);
		close(srv.sigw);
	}
	if (srv.lockfd >= 0)
		close(srv.lockfd);
	srv.sigfd = srv.sigw = srv.lockfd = -1;
}
