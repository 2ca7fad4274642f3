/* cp_int.h - what the cp_*.c files share (not for other files; the API is cp.h).
 *
 *   cp.c       one struct cp per command: start, cancel, the per-file state
 *              changes, the pump
 *   cp_call.c  the server calls of the state machine (stat, rm, mkdir, access,
 *              commit), pipelined over the pool, and the recovery passes
 *   cp_opt.c   the command line (options, -input, -dst) into pairs and filters
 *   cp_env.c   cp's defaults from the shell's XRD_* variables
 *   cp_plan.c  the pairs into files: local walks, grid stat + find, filters
 *   cp_walk.c  a local folder walked on a worker thread (an upload's)
 *   cp_copy.c  the copies in xfer: metalinks, temporary names, md5 jobs
 *   cp_tpc.c   grid to grid: the pair's plan, and each replica's copy between SEs
 *   cp_out.c   what the user sees: alien.py's lines, -json, the bar, the summary
 *   cp_path.c  path rules
 *   cp_replace.c  an existing LFN kept until its replacement is committed */
#ifndef JALIEND_CP_INT_H
#define JALIEND_CP_INT_H

#include <regex.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "command/command.h"
#include "cp.h"
#include "command/findfilt.h"
#include "xrootd/xfer.h"

#define CP_PASSES 3	   /* upload: the first pass and two recovery passes (alien.py) */
#define CP_PAIRS_MAX 10000 /* SRC DST pairs (-input lines, -dst sources) */
#define CP_FILTERS_MAX 32  /* -exclude / -exclude_re / -name contain_ given */
#define CP_SPECS_MAX 1024  /* bytes of a storage spec list */
/* grid folders an upload remembers having made (older: mkdir -p again) */
#define CP_MADE_MAX 64
/* files past NEW and not DONE at once: the copies and md5 jobs running, as many
 * waiting in READY, and the files whose calls are in flight (issue 27) */
#define CP_WINDOW(c) (2 * (c)->jobs + CP_CALLS_MAX)
#define CP_CALLS_MAX 8	       /* server calls in flight for one cp (its pipeline; cp_call.c) */
#define CP_CALLS_DAEMON_MAX 16 /* ... for all the cps of the daemon together */

/* A file's state; each server-call state means "this call is next, or in
 * flight" (f->calls: in flight). */
enum cp_fstate {
	CF_NEW,	   /* planned */
	CF_MD5,	   /* an md5 job runs (upload: always; download: -f on an existing file) */
	CF_STAT,   /* upload: stat of the LFN next */
	CF_MKDIR,  /* upload: mkdir -p of its grid folder next */
	CF_ACCESS, /* access read/write next */
	CF_READY,  /* envelopes in hand, waiting for a copy slot */
	CF_COPY,   /* copies running in xfer */
	CF_COMMIT, /* upload: commits next */
	/* upload replacing an LFN: committed beside it; its rm -f, then the mv (cp_replace.c) */
	CF_SWAP,
	CF_DONE,
};

/* a grid to grid replica's jobs, in order: a third-party copy; where it fails,
 * a copy streamed through the daemon; then the md5 of what was written */
enum cp_tpc_stage { CP_TPC_THIRD, CP_TPC_STREAM, CP_TPC_VERIFY };

enum cp_rstate { CR_COPYING, CR_COPIED, CR_FAILED, CR_COMMITTING, CR_COMMITTED, CR_NOT_COMMITTED };

struct cp_rep { /* one replica of an upload */
	char *url, *envelope, *se, *guid;
	struct xfer_job *job;
	enum cp_rstate st;
	int pass;		     /* 1..CP_PASSES */
	enum cp_tpc_stage tpc_stage; /* grid to grid: which job p->job is (cp_tpc.c) */
};

struct cp_file {
	struct cp *cp; /* the owner (xfer callbacks get the file) */
	char *local, *lfn;
	/* download: local's first root_len bytes are the destination folder the user named; below
	 * it nothing is followed (cp_path_open_below) */
	size_t root_len;
	/* also set for grid to grid (tpc): the destination is written as an upload's */
	int upload;
	int tpc; /* grid to grid: local is the source LFN, rows its access read */
	/* upload: known not to exist (the destination was missing): no stat */
	int fresh;
	long long size;
	long long ctime_ms; /* download: the catalogue's ctime */
	char md5[40];	    /* the catalogue's (download) or the local file's (upload) */
	char local_md5[40]; /* download -f: of the existing local file */
	enum cp_fstate st;
	/* its server calls in flight (several: the commits of its replicas) */
	int calls;
	int idx; /* jobID, from 1 */
	int ok, skipped, dry;
	int pass;		/* upload: 1, 2 or 3 */
	int pass_ok[CP_PASSES]; /* upload: a replica committed in that pass */
	struct cp_rep *reps;	/* upload: the replicas of every pass */
	int nreps, reps_left;
	struct xfer_job *job; /* download or md5 */
	char *tmp, *meta;     /* download: temporary file, metalink */
	char *guid;	      /* download: for user.guid */
	cJSON *rows;	      /* download: access read's replicas, in the server's order */
	int from;	      /* download: the metalink starts at this replica */
	char *ses;	      /* download -dryrun: the SEs */
	char *specs;	      /* its pair's storage specs (after @), or NULL */
	char *tried;	      /* upload: "!SE1,!SE2" of every SE tried */
	/* upload replacing lfn: the temporary LFN written and committed (cp_replace.c) */
	char *write_lfn;
	/* ... 0: rm -f of lfn next, 1: in flight, 2: mv next, 3: in flight */
	int swap_step;
	uint64_t done_bytes;
	double t0;
	char err[700];
};

struct cp_walk_entry { /* a file a walk found (cp_walk.c), in nftw's order */
	char *path;
	long long size;
	int err; /* errno of access(R_OK): it cannot be read (0: it can) */
};

struct cp_pair {
	char *src, *dst; /* as given (file: marks local) */
};

struct cp_filter {
	char *glob;	/* -glob, or the glob of the source path */
	int glob_path;	/* the glob has a '/': matched on the relative path */
	regex_t select; /* -select: the full path */
	int has_select;
	regex_t name; /* -name REGEX: the file name */
	int has_name;
	char *begin, *ends, *ext; /* -name begin_X_contain_Y_ends_Z_ext_W */
	char *contain[CP_FILTERS_MAX];
	int ncontain;
	char *exclude[CP_FILTERS_MAX];
	int nexclude;
	regex_t exclude_re[CP_FILTERS_MAX];
	int nexclude_re;
	struct findfilt props; /* -minsize ... -jobid (cp_filter.c); its strings are owned */
};

struct cp {
	struct cp *next;
	/* holds this cp (command_hold): it is freed when the command ends */
	struct command *cmd;
	/* its answer is given (cp_finish) or it is stopped: nothing moves */
	int ended;
	struct lws_context *ctx;
	/* options */
	int json, tty, force, jobs, dryrun, norecovery, strictspec, parent, rmprefix;
	struct cp_filter filt;
	char *shim_cwd, *home;
	/* the plan */
	struct cp_pair *pairs;
	int npairs, plan_next; /* the pair being planned is plan_next - 1 */
	int planning;
	int plan_errors, plan_code;
	/* download: names from the server refused (outside the destination) */
	int refused;
	char plan_err[1200]; /* a single pair's error, printed as the command's */
	/* the pair being planned, expanded (grid to grid: local is the destination's grid path) */
	char *grid, *local;
	int tpc;	 /* the pair is grid to grid (cp_tpc.c) */
	char *specs;	 /* its storage specs (after @) */
	char *find_base; /* download of a folder: what rel paths are relative to */
	char *pglob;	 /* the glob in the pair's source path (or -glob) */
	int pglob_path;	 /* it has a '/': matched on the relative path */
	int grid_is_dir; /* upload: the grid destination is an existing folder */
	/* upload: the plan's stat said the destination does not exist (code 2): every file under it
	 * is new, so no per-file stat (issue 18) */
	int grid_missing;
	struct cp_walk *walk; /* upload of a folder: its walk on a worker thread (cp_walk.c) */
	/* the files */
	struct cp_file *files;
	int nfiles, cap;
	int first_open;	       /* files before it are DONE */
	struct cp_call *calls; /* the server calls in flight (cp_call.c) */
	int ncalls;	       /* ... how many (at most CP_CALLS_MAX) */
	int starved;	       /* a call waits for the daemon's cap (CP_CALLS_DAEMON_MAX) */
	/* upload: the grid folders made by mkdir -p (a ring, "dir/"): a file whose folder is one of
	 * them or above one needs no mkdir (issue 18) */
	char *made[CP_MADE_MAX];
	/* mkdir -p calls sent; made[(nmade - 1) % CP_MADE_MAX] is the last */
	int nmade;
	/* that made[] entry's mkdir -p is in flight: its files wait */
	unsigned char made_wait[CP_MADE_MAX];
	int active;  /* files past NEW, not DONE */
	int copying; /* files with copies running */
	int finished, ok, skipped;
	int rep_k;		  /* uploads: replicas per file, as shown (cp_out.c) */
	int xrddebug;		  /* JALIENPY_XRDDEBUG: each XRootD operation on stderr */
	int recovered[CP_PASSES]; /* files that needed pass 2, 3 */
	int recovered_ok[CP_PASSES];
	uint64_t total_bytes;
	double t0;
	lws_sorted_usec_list_t sul;
	/* issue 17: -chunks, -chunksz, -timeout, -ratethreshold, -retry (each transfer's), -S */
	struct xfer_tune tune;
	/* -S: validated; libXrdCl reads it process-wide only (docs/cp.md) */
	int streams;
	/* the shell's XRD_LOGFILE while this cp runs: xrdlog_open's handle, 0: none */
	int xrdlog;
	/* -noxrdzip: an archive member is extracted here from the whole archive */
	int noxrdzip;
};

/* cp.c */
void cp_pump(struct cp *c);
void cp_finish(struct cp *c, const char *err, int code);
void cp_file_set(struct cp_file *f, enum cp_fstate st);
void cp_file_fail(struct cp *c, struct cp_file *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cp_file_ok(struct cp *c, struct cp_file *f);
void cp_file_skip(struct cp *c, struct cp_file *f, const char *why);
void cp_file_dry(struct cp *c, struct cp_file *f); /* -dryrun: the file is done, as if copied */
const char *cp_meta_str(const cJSON *reply, const char *key);
int cp_reply_code(const cJSON *reply);
const char *cp_str(const cJSON *o, const char *key);
cJSON *cp_opts(const char *first, ...);
double cp_now(void);

/* cp.c: a cp whose calls wait for the daemon's cap, or NULL */
struct cp *cp_starved(void);

/* cp_call.c: the server call(s) that f's state says come next (call it only
 * while f has none in flight, or for its commits, and cp_call_room > 0) */
void cp_call_next(struct cp *c, struct cp_file *f);
/* how many more calls c may send now (the caps; 0 marks c starved when the daemon's is full) */
int cp_call_room(struct cp *c);
/* the cp goes: drop its calls (their replies are ignored) */
void cp_call_cancel_all(struct cp *c);
/* a call's reply handler: f, arg as sent */
typedef void (*cp_call_fn)(struct cp *c, struct cp_file *f, int arg, cJSON *reply, int code,
			   const char *msg);
/* send verb + opts (taken) for f; safe: it may be sent again on a fresh session. 0, or -ENOMEM with
 * f failed */
int cp_call(struct cp *c, struct cp_file *f, int arg, const char *verb, cJSON *opts, int safe,
	    cp_call_fn then);

/* cp_replace.c: the LFN an upload writes and commits (lfn, or the temporary
 * name beside it); stat found lfn to be replaced (write beside it); the
 * rm -f / mv of a CF_SWAP file */
const char *cp_replace_lfn(const struct cp_file *f);
void cp_replace_begin(struct cp *c, struct cp_file *f);
void cp_replace_next(struct cp *c, struct cp_file *f);

/* cp_opt.c: 0, or -1 with the message in err and the exit code in *code */
int cp_opt_parse(struct cp *c, const cJSON *argv, char *err, size_t n, int *code);
void cp_opt_free(struct cp *c);
/* -S N, -chunks N, ... (a transfer option): 1 if a is one (its value v kept), 0 if not,
 * -1 with the message in err */
int cp_opt_tune(struct cp *c, const char *a, const char *v, char *err, size_t en);

/* cp_env.c: cp's defaults from the shell's XRD_* and ALIENPY_NOXRDZIP (an option given in
 * argv wins); 0, or -EINVAL with the message in err */
int cp_env_apply(struct cp *c, const cJSON *argv, char *err, size_t en);
/* alien.py 1.7.0's warning for each option given while the shell has its XRD_* variable */
void cp_env_warn(struct cp *c, const cJSON *argv);
/* ALIENPY_KEEP_META: a download's metalink (text) also in the shell's folder */
void cp_env_keep_meta(struct cp *c, const char *lfn, const char *text, size_t n);
/* what cp_env_apply opened (the shell's XRD_LOGFILE) */
void cp_env_free(struct cp *c);

/* cp_filter.c: 1 if a grid file (its find row) / a local file passes the property filters */
int cp_filter_row(const struct cp *c, const cJSON *row, const char *lfn);
int cp_filter_local(const struct cp *c, const char *path, long long size);

/* cp_plan.c */
void cp_plan_next(struct cp *c);
void cp_plan_free(struct cp *c);
void cp_plan_error(struct cp *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cp_plan_add(struct cp *c, const char *local, size_t root_len, const char *lfn, int upload,
		long long size, const char *md5, long long ctime_ms);
int cp_plan_match(const struct cp *c, const char *path, const char *rel, long long size, int grid);
void cp_plan_single(const struct cp *c, const char *src, const char *dst, int dst_is_dir, char *out,
		    size_t n);
char *cp_plan_grid_arg(struct cp *c, const char *arg, int keep_specs);
int cp_plan_src_glob(struct cp *c, char *src);
int cp_plan_dst_stat(struct cp *c, cJSON *reply);
void cp_plan_download_stat_done(struct command *cmd, void *arg, cJSON *reply, int code,
				const char *msg);

void cp_plan_walk_done(struct cp *c, const char *base, const struct cp_walk_entry *e, int n,
		       int err, int more);

/* cp_walk.c: walk the folder root (paths relative to base) for the pair being
 * planned; cp_plan_walk_done() then goes on with the plan, on the loop (0),
 * or -ENOMEM (nothing started). cp_walk_abandon: the cp goes (NULL walk fine). */
int cp_walk_start(struct cp *c, const char *root, const char *base);
void cp_walk_abandon(struct cp *c);

/* cp_tpc.c */
int cp_tpc_pair(struct cp *c);
int cp_tpc_add(struct cp *c, const char *src, const char *dst, const cJSON *row);
void cp_tpc_read_done(struct cp *c, struct cp_file *f, const cJSON *results);
struct xfer_job *cp_tpc_submit(struct cp *c, struct cp_file *f, struct cp_rep *p);

/* cp_copy.c */
int cp_copy_md5(struct cp *c, struct cp_file *f);
void cp_copy_start(struct cp *c, struct cp_file *f);
int cp_copy_metalink(struct cp_file *f);
void cp_copy_cancel(struct cp_file *f);
void cp_copy_remove(const struct cp_rep *p);
char *cp_copy_url(const char *url, const char *envelope);
void cp_copy_progress(void *owner, struct xfer_job *job, uint64_t done, uint64_t total);
void cp_copy_rep_end(struct cp *c, struct cp_file *f, struct cp_rep *p, int ok, const char *msg);

/* cp_out.c */
void cp_out(struct cp *c, int fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct xfer_req;
/* JALIENPY_XRDDEBUG: one line for an XRootD operation and its parameters */
void cp_out_xrd(struct cp *c, const struct xfer_req *r);
void cp_out_start(struct cp *c, struct cp_file *f);
void cp_out_done(struct cp *c, struct cp_file *f);
void cp_out_skip(struct cp *c, struct cp_file *f, const char *why);
void cp_out_dry(struct cp *c, struct cp_file *f);
void cp_out_summary(struct cp *c);
void cp_out_bar_start(struct cp *c);
void cp_out_human(double v, char *buf, size_t n);

#endif
