/* gridfetch.h - the private temporary folder of a cat, less, more, edit,
 * run or exec (gridfile.h): the LFNs downloaded into it by jaliend
 * (`cp <lfn> file:<tmp>`), its removal, and the signals that would otherwise
 * leave it behind. */
#ifndef ALIEN_GRIDFETCH_H
#define ALIEN_GRIDFETCH_H

#include <limits.h>
#include <signal.h>

#include "gridfile.h"

/* One command's downloads. */
struct gridfile {
	struct exec *x;
	const char *verb;
	int out;		       /* where stdout output goes */
	char dir[PATH_MAX];	       /* the private folder, "" before the first download */
	char *path[GRIDFILE_LFNS_MAX]; /* the downloaded files, in order */
	int n;
	int cancelled;		 /* a download was cancelled: jaliend may still touch the folder */
	struct sigaction old[3]; /* what SIGINT, SIGTERM, SIGHUP did before */
	int mine[3];		 /* 1 where our handler is installed */
};

/* Catch SIGINT, SIGTERM and SIGHUP where their default would end the
 * process with the folder left behind (a download in flight is cancelled). */
void gridfetch_signals_on(struct gridfile *g);
/* Put them back; returns the signal caught meanwhile (0 none), and clears it. */
int gridfetch_signals_off(struct gridfile *g);
/* 1 once such a signal (or the shell's Ctrl-C) asked us to stop. */
int gridfetch_stopped(void);
/* Download lfn into the folder (made on the first call), appended to g->path.
 * 0, or the exit code to give (the errors are printed). */
int gridfetch_get(struct gridfile *g, const char *lfn);
/* One command for jaliend with its output kept: stdout discarded unless
 * out->capture, stderr in *err (the caller frees out->buf and err->buf). */
int gridfetch_quiet(struct gridfile *g, char **argv, int argc, int json, struct rpc_sink *out,
		    struct rpc_sink *err);
/* Print what a failed command said (err), without cp's summary line; 1 if
 * anything was printed. */
int gridfetch_print_errors(const struct rpc_sink *err);
/* Free the paths and remove the folder (looking again after a cancel). */
void gridfetch_cleanup(struct gridfile *g);

#endif
