/* storage.h - storage elements, PFN layout and access envelopes (protocol reference 7, 10). */
#ifndef JCL_STORAGE_H
#define JCL_STORAGE_H

#include <stddef.h>
#include "jcl.h"

#define STORAGE_PFN_MAX 2048
#define STORAGE_ENVELOPE_MAX 8192
#define STORAGE_ENVELOPE_TTL_S 86400

/* SE by name (case-insensitive), or NULL. */
const struct jcl_se *storage_se(const struct jcl_server *srv, const char *name);
const struct jcl_se *storage_se_by_number(const struct jcl_server *srv, int number);
/* Upper-case SE name (as JCentral reports it in access/whereis). */
void storage_upper(const char *in, char *out, size_t outsz);
bool storage_se_has_tag(const struct jcl_se *se, const char *tag);
/* "[disk]" / "[disk, legooutput]" */
void storage_tags(const struct jcl_se *se, char *out, size_t outsz);
/* root://127.0.0.1:PORT/<path>/NN/NNNNN/<guid> (spec 10, JAliEn GUID hash buckets) */
int storage_pfn(const struct jcl_se *se, const char *guid, char *out, size_t outsz);
/* Local file of a PFN of one of our SEs (the SEs are local folders): <path>/NN/NNNNN/<guid>. */
int storage_local_path(const struct jcl_server *srv, const char *pfn, char *out, size_t outsz);

struct storage_env {
	const char *access; /* "read" or "write" */
	const char *turl, *lfn, *guid, *se, *md5;
	long long size;
};
/* Signed key=value envelope (spec 7.2), signed SHA384withRSA with the token CA key when there is
 * one (else an empty signature); followed by the 2024 scitag tail. 0 or negative errno. */
int storage_envelope(const struct jcl_server *srv, const struct storage_env *e, char *out,
		     size_t outsz);
/* Value of key in an envelope ("key=value&..."), copied to out; 0 or -ENOENT. */
int storage_envelope_get(const char *env, const char *key, char *out, size_t outsz);

#endif
