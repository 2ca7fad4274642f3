/* test_xfer.c - xfer.cc against a real xrootd (started by run.sh):
 * upload + md5, download through a metalink (rename, xattrs), a bad md5
 * (nothing left), a dead first replica (the download fails at once, nothing
 * left: its caller goes on to the next replica), cancel of a download (no
 * partial file) and of an upload (the partial remote file removed), rm.
 * Downloads name their first replica (first_url) as cp does.
 * usage: test_xfer PORT DATADIR WORKDIR */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "xrootd/xfer.h"

static int failures, checks;
static const char *port, *data, *work;

#define CHECK(c, ...)                                                        \
	do {                                                                 \
		checks++;                                                    \
		if (!(c)) {                                                  \
			failures++;                                          \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
		}                                                            \
	} while (0)

struct wait {
	int done;
	struct xfer_result res;
	uint64_t progress;
	uint64_t cancel_at; /* cancel once this many bytes went */
	struct xfer_job *job;
};

static void t_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct wait *w = owner;

	(void)job;
	w->res = *res;
	w->done = 1;
}

static void t_progress(void *owner, struct xfer_job *job, uint64_t done, uint64_t total)
{
	struct wait *w = owner;

	(void)total;
	w->progress = done;
	if (w->cancel_at && done >= w->cancel_at) {
		xfer_cancel(job);
		w->done = 2; /* cancelled: no callback comes */
	}
}

static void t_run(struct xfer_req *r, struct wait *w)
{
	time_t t0 = time(NULL);

	w->done = 0;
	memset(&w->res, 0, sizeof(w->res)); /* never the previous job's result */
	w->job = xfer_submit(r, t_done, t_progress, w);
	CHECK(w->job, "submit");
	while (!w->done && time(NULL) - t0 < 60) {
		usleep(1000);
		xfer_drain();
	}
	CHECK(w->done, "job finished in 60 s");
	if (getenv("XFER_TEST_VERBOSE"))
		fprintf(stderr, "job of kind %d: %ld s\n", (int)r->kind, (long)(time(NULL) - t0));
}

/* wait until the cancelled jobs are cleaned up */
static void t_settle(void)
{
	for (int i = 0; i < 20000 && xfer_busy(); i++) {
		usleep(1000);
		xfer_drain();
	}
	CHECK(xfer_busy() == 0, "all jobs done");
}

static void md5_file(const char *path, char out[33])
{
	unsigned char buf[65536], md[16];
	unsigned mdlen;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int fd = open(path, O_RDONLY);
	ssize_t n;

	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(c, buf, (size_t)n);
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void make_file(const char *path, size_t size)
{
	static unsigned char buf[1 << 16];
	FILE *f = fopen(path, "w");
	unsigned x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (size_t done = 0; f && done < size; done += sizeof(buf)) {
		buf[0]++; /* no two blocks alike */
		fwrite(buf, 1, size - done < sizeof(buf) ? size - done : sizeof(buf), f);
	}
	if (f)
		fclose(f);
}

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static int count_entries(const char *dir)
{
	char cmd[600], line[32];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof(line), p))
		n = atoi(line);
	if (p)
		pclose(p);
	return n;
}

static void write_meta4(const char *path, const char *const *urls, const char *md5, long long size)
{
	FILE *f = fopen(path, "w");

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metalink "
		"xmlns=\"urn:ietf:params:xml:ns:metalink\">\n"
		"  <file name=\"x\">\n    <size>%lld</size>\n    <hash type=\"md5\">%s</hash>\n",
		size, md5);
	for (; *urls; urls++)
		fprintf(f, "    <url><![CDATA[%s]]></url>\n", *urls);
	fprintf(f, "  </file>\n</metalink>\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	char src[512], url[1024], url2[1024], remote[512], meta[512], tmp[512], fin[512], md5[33],
		md5b[33];
	char dldir[256];
	struct xfer_req r;
	struct xfer_download d;
	struct wait w = { 0 };

	if (argc != 4) {
		fprintf(stderr, "usage: test_xfer PORT DATADIR WORKDIR\n");
		return 2;
	}
	port = argv[1], data = argv[2], work = argv[3];
	CHECK(xfer_init(NULL) == 0, "init");

	/* upload, md5 compared at the source */
	snprintf(src, sizeof(src), "%s/src.bin", work);
	make_file(src, 5u << 20);
	md5_file(src, md5);
	snprintf(url, sizeof(url),
		 "root://127.0.0.1:%s/%s/up/src.bin?xrd.wantprot=unix&authz=dummy", port, data);
	snprintf(remote, sizeof(remote), "%s/up/src.bin", data);
	r = xfer_req_upload(src, url, md5, NULL);
	t_run(&r, &w);
	CHECK(w.res.ok, "upload: %s", w.res.msg);
	CHECK(w.progress > 0, "upload progress seen");
	md5_file(remote, md5b);
	CHECK(strcmp(md5, md5b) == 0, "uploaded md5 %s vs %s", md5b, md5);

	/* upload whose local md5 is not what we said: refused and removed */
	snprintf(url2, sizeof(url2),
		 "root://127.0.0.1:%s/%s/up/bad.bin?xrd.wantprot=unix&authz=dummy", port, data);
	r = xfer_req_upload(src, url2, "00112233445566778899aabbccddeeff", NULL);
	t_run(&r, &w);
	snprintf(tmp, sizeof(tmp), "%s/up/bad.bin", data);
	CHECK(!w.res.ok && strstr(w.res.msg, "md5"), "upload with a wrong md5 fails: %s",
	      w.res.msg);
	CHECK(!exists(tmp), "the failed upload was removed");

	/* download through a metalink: temp name, rename, xattrs */
	snprintf(dldir, sizeof(dldir), "%.200s/dl", work);
	mkdir(dldir, 0755);
	snprintf(meta, sizeof(meta), "%s/x.meta4", work);
	snprintf(tmp, sizeof(tmp), "%s/.src.bin.part", dldir);
	snprintf(fin, sizeof(fin), "%s/src.bin", dldir);
	{
		const char *urls[] = { url, NULL };

		write_meta4(meta, urls, md5, 5 << 20);
	}
	memset(&d, 0, sizeof(d));
	d.meta4 = meta, d.first_url = url, d.tmp_name = tmp, d.final_name = fin, d.md5 = md5;
	d.guid = "0adc90d9-eac1-11f1-a413-02fc00000001", d.lfn = "/a/b/src.bin", d.size = 5 << 20;
	r = xfer_req_download(&d, NULL);
	t_run(&r, &w);
	CHECK(w.res.ok, "download: %s", w.res.msg);
	md5_file(fin, md5b);
	CHECK(strcmp(md5, md5b) == 0, "downloaded md5");
	CHECK(!exists(tmp) && !exists(meta), "temp and metalink gone");
	{
		char v[64] = "";
		ssize_t n = getxattr(fin, "user.lfn", v, sizeof(v) - 1);

		CHECK(n < 0 ? errno == ENOTSUP : strcmp(v, "/a/b/src.bin") == 0, "xattr user.lfn");
	}

	/* bad md5 on download: nothing left under any name */
	{
		const char *urls[] = { url, NULL };

		write_meta4(meta, urls, "00112233445566778899aabbccddeeff", 5 << 20);
	}
	snprintf(fin, sizeof(fin), "%s/bad.bin", dldir);
	d.final_name = fin, d.md5 = "00112233445566778899aabbccddeeff";
	r = xfer_req_download(&d, NULL);
	t_run(&r, &w);
	CHECK(!w.res.ok, "bad md5 fails");
	CHECK(!exists(tmp) && !exists(fin) && !exists(meta), "nothing left after a bad md5");

	/* a dead replica first (another host name, PITFALLS C): the download reads that replica
	 * only, by its URL, and fails (libXrdCl 5.8.1 never ended a metalink's fallback past it),
	 * with nothing left; cp then writes a metalink from the next replica on (cp.se, cp.tune) */
	snprintf(url2, sizeof(url2),
		 "root://127.0.0.2:1/%s/up/src.bin?xrd.wantprot=unix&authz=dummy", data);
	{
		const char *urls[] = { url2, url, NULL };

		write_meta4(meta, urls, md5, 5 << 20);
	}
	snprintf(fin, sizeof(fin), "%s/dead.bin", dldir);
	d.first_url = url2, d.final_name = fin, d.md5 = md5;
	r = xfer_req_download(&d, NULL);
	t_run(&r, &w);
	CHECK(w.done == 1 && !w.res.ok && strstr(w.res.msg, "Connection error"),
	      "a dead first replica fails the download with a connection error: %s", w.res.msg);
	CHECK(!exists(tmp) && !exists(fin) && !exists(meta), "nothing left after a dead replica");
	d.first_url = url;

	/* cancel a download half-way: no partial file */
	snprintf(src, sizeof(src), "%s/big.bin", work);
	make_file(src, 64u << 20);
	md5_file(src, md5);
	snprintf(url, sizeof(url),
		 "root://127.0.0.1:%s/%s/up/big.bin?xrd.wantprot=unix&authz=dummy", port, data);
	r = xfer_req_upload(src, url, md5, NULL);
	t_run(&r, &w);
	CHECK(w.res.ok, "big upload: %s", w.res.msg);
	{
		const char *urls[] = { url, NULL };

		write_meta4(meta, urls, md5, 64 << 20);
	}
	snprintf(fin, sizeof(fin), "%s/big.bin", dldir);
	memset(&d, 0, sizeof(d));
	d.meta4 = meta, d.first_url = url, d.tmp_name = tmp, d.final_name = fin, d.md5 = md5,
	d.size = -1;
	r = xfer_req_download(&d, NULL);
	w.cancel_at = 8u << 20;
	t_run(&r, &w);
	CHECK(w.done == 2, "download cancelled half-way (at %llu bytes)",
	      (unsigned long long)w.progress);
	t_settle();
	CHECK(!exists(tmp) && !exists(fin) && !exists(meta),
	      "nothing left after a cancelled download");
	CHECK(count_entries(dldir) == 1, "download folder holds the good file only (%d)",
	      count_entries(dldir));

	/* cancel an upload half-way: the partial remote file is removed */
	snprintf(url2, sizeof(url2),
		 "root://127.0.0.1:%s/%s/up/cancel.bin?xrd.wantprot=unix&authz=dummy", port, data);
	r = xfer_req_upload(src, url2, md5, NULL);
	t_run(&r, &w);
	CHECK(w.done == 2, "upload cancelled half-way (at %llu bytes)",
	      (unsigned long long)w.progress);
	t_settle();
	snprintf(tmp, sizeof(tmp), "%s/up/cancel.bin", data);
	CHECK(!exists(tmp), "the cancelled upload's partial file was removed");
	w.cancel_at = 0;

	/* rm */
	r = xfer_req_rm(url);
	t_run(&r, &w);
	CHECK(w.res.ok, "rm: %s", w.res.msg);
	snprintf(tmp, sizeof(tmp), "%s/up/big.bin", data);
	CHECK(!exists(tmp), "rm removed it");

	xfer_fini();
	printf("test_xfer: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
