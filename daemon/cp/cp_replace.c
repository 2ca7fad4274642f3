/* cp_replace.c - an upload (or a grid to grid copy) onto an LFN that exists
 * and differs keeps that LFN until its replacement is written, verified and
 * committed (issue 26, item 3). alien.py removes it first (`rm -f`), so a
 * copy that fails after that loses it.
 *
 * Here the new file is written beside it, under a hidden temporary name in
 * the same folder (.NAME.jaliend-XXXXXXXX: access write, copies, commits
 * under that name); only once a replica is committed is the old LFN
 * removed (`rm -f`) and the new one moved into place (`mv`). JCentral's `mv`
 * onto an existing LFN does not replace it (1.7.0 against the reference:
 * `mv b a` with `a` present exits 0 and leaves `a`, the source becoming
 * `a_backup`), hence the rm first. The ordinary case (the destination
 * missing, or skipped as the same file) sends nothing more; a replacement
 * sends one command more than alien.py (the mv).
 *
 * What can go wrong, and what is left: the copy fails - the old LFN as it
 * was, nothing under the temporary name (never committed); the rm fails -
 * the old LFN as it was, the new file under the temporary name, named in
 * the error; the mv fails after the rm - the new file under the temporary
 * name, named in the error. */
#include "cp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

const char *cp_replace_lfn(const struct cp_file *f)
{
	return f->write_lfn ? f->write_lfn : f->lfn;
}

/* The temporary LFN beside lfn: "<dir>/.<name>.jaliend-<8 hex>"; NULL on ENOMEM. */
static char *cp_replace_name(const char *lfn)
{
	const char *slash = strrchr(lfn, '/');
	size_t dl = slash ? (size_t)(slash - lfn) + 1 : 0;
	unsigned int r;
	char *out;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned int)getpid() * 2654435761u ^ (unsigned int)time(NULL);
	if (asprintf(&out, "%.*s.%s.jaliend-%08x", (int)dl, lfn, lfn + dl, r) < 0)
		return NULL;
	return out;
}

void cp_replace_begin(struct cp *c, struct cp_file *f)
{
	if (c->dryrun) {
		cp_file_dry(c, f);
		return;
	}
	free(f->write_lfn);
	if (!(f->write_lfn = cp_replace_name(f->lfn))) {
		cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	f->swap_step = 0;
	cp_file_set(f, CF_ACCESS); /* the LFN exists, so its folder does: no mkdir */
}

/* the rm -f (swap_step 1) or the mv (3) answered */
static void cp_replace_done(struct cp *c, struct cp_file *f, int arg, cJSON *reply, int code,
			    const char *msg)
{
	const char *why = reply ? cp_meta_str(reply, "error") : msg ? msg : "no reply";
	int ok = reply && cp_reply_code(reply) == 0;

	(void)arg;
	(void)code;
	if (ok && f->swap_step == 1)
		f->swap_step = 2; /* the mv next */
	else if (ok)
		cp_file_ok(c, f);
	else if (f->swap_step == 1)
		cp_file_fail(c, f,
			     "cannot replace %s (%s): it is kept as it was; the new copy is %s",
			     f->lfn, why, f->write_lfn);
	else
		cp_file_fail(c, f,
			     "%s was removed to be replaced, but the new copy could not be moved "
			     "into place: "
			     "it is %s (%s)",
			     f->lfn, f->write_lfn, why);
	cJSON_Delete(reply);
	cp_pump(c);
}

void cp_replace_next(struct cp *c, struct cp_file *f)
{
	if (f->swap_step == 0) {
		f->swap_step = 1;
		/* -f: again is harmless */
		cp_call(c, f, -1, "rm", cp_opts("-nomsg", "-f", f->lfn, NULL), 1, cp_replace_done);
	} else if (f->swap_step == 2) {
		f->swap_step = 3;
		cp_call(c, f, -1, "mv", cp_opts("-nomsg", f->write_lfn, f->lfn, NULL), 0,
			cp_replace_done);
	}
}
