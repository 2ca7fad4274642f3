/* shell.h - the interactive shell: `alien` with no arguments on a terminal.
 * Prompt `AliEn[user]:cwd >`, libedit line editing (dlopen'ed), history in
 * ~/.alienpy_history, Tab completion from jaliend, Ctrl-C cancels the
 * running command, Ctrl-D leaves with the last exit code. */
#ifndef ALIEN_SHELL_H
#define ALIEN_SHELL_H

#include "exec.h"

/* Returns the exit status for the process. */
int shell_run(struct exec *x);

#endif
