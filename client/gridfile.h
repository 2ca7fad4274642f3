/* gridfile.h - cat, less, more, edit, run and exec of grid files, as
 * alien.py does them: each LFN is downloaded by jaliend (`cp <lfn>
 * file:<tmp>`) into a private temporary folder (mkdtemp in $TMPDIR, mode
 * 0700; gridfetch.c), then written to stdout (cat), shown with a pager (less,
 * more), edited and uploaded back when it changed (edit and its aliases vi,
 * vim, nano, mcedit), given to a local command as its last argument (run) or
 * run itself (exec). The folder is removed afterwards, also on Ctrl-C,
 * SIGTERM, SIGHUP and a closed pipe (alienpy-behaviour.md section 3.2;
 * docs/COMPAT.md rows 73, 74). */
#ifndef ALIEN_GRIDFILE_H
#define ALIEN_GRIDFILE_H

#include "exec.h"

#define GRIDFILE_LFNS_MAX 64	  /* LFNs of one cat/less/more */
#define GRIDFILE_TOOL_ARGS_MAX 64 /* options passed to the local tool */

/* Run one of them (their rows in common/cmdtab.def name it; argv[0] is the
 * verb), its output to fd out (stdout, or the file of a `cmd | shellcmd`
 * line); returns the exit code. */
int gridfile_run(struct exec *x, char **argv, int argc, int out);

#endif
