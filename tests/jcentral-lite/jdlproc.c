/* jdlproc.c - JCentral's processed JDL (see jdlproc.h). */
#include "jdlproc.h"
#include "reply.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum jp_type { JP_STR, JP_LIST, JP_RAW };

struct jp_entry {
	char *key;
	enum jp_type type;
	char *val;    /* JP_STR: text; JP_RAW: expression/number as written */
	char **items; /* JP_LIST */
	size_t nitems;
	bool gone;
};

struct jp {
	struct jp_entry e[JDLPROC_MAX_KEYS];
	size_t n;
	bool oom;
};

static const char *const jp_order[] = {
	"user",
	"jobtag",
	"packages",
	"executable",
	"arguments",
	"inputfile",
	"inputdata",
	"inputdatalist",
	"inputdatalistformat",
	"inputdatacollection",
	"split",
	"splitmaxinputfilenumber",
	"splitarguments",
	"jdlpath",
	"jdlarguments",
	"jdlprocessor",
	"validationcommand",
	"outputdir",
	"output",
	"outputerrore",
	"outputarchive",
	"outputfile",
	"requirements",
	"origrequirements",
	"ttl",
	"price",
	"memorysize",
	"workdirectorysize",
	"masterjobid",
	"lpmparentpid",
	"lpmchainid",
	"lpmjobtypeid",
	"lpmactivity",
	"maxwaitingtime",
	"maxfailfraction",
	"maxresubmitfraction",
	"runonaods",
	"legodatasettype",
	"jdlvariables",
};

/* JCentral's spelling of known tags */
static const char *const jp_tags[] = {
	"Arguments",
	"Executable",
	"GUIDFile",
	"InputBox",
	"InputData",
	"InputDataCollection",
	"InputDataList",
	"InputDataListFormat",
	"InputDownload",
	"InputFile",
	"JDLArguments",
	"JDLPath",
	"JDLProcessor",
	"JDLVariables",
	"JobLogOnClusterMonitor",
	"JobTag",
	"LPMActivity",
	"MasterJobID",
	"MemorySize",
	"OrigRequirements",
	"Output",
	"OutputArchive",
	"OutputDir",
	"OutputFile",
	"Packages",
	"Price",
	"Requirements",
	"SuccessfullyBookedPFNs",
	"TTL",
	"Type",
	"User",
	"ValidationCommand",
	"WorkDirectorySize",
	"Split",
	"SplitArguments",
	"SplitMaxInputFileNumber",
	"LPMParentPID",
	"LPMChainID",
	"MaxWaitingTime",
	"MaxFailFraction",
	"MaxResubmitFraction",
	"LegoResubmitZombies",
	"RunOnAODs",
	"LegoDataSetType",
	"LPMJobTypeID",
	"LPMAnchorRun",
	"LPMMetaData",
	"LPMRunNumber",
	"LPMAnchorProduction",
	"LPMProductionType",
	"LPMProductionTag",
	"LPMAnchorYear",
	"LPMInteractionType",
	"FilesToCheck",
	"OutputErrorE",
	"CPUCores",
};

static char *jp_dup(struct jp *j, const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) {
		j->oom = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static struct jp_entry *jp_get(struct jp *j, const char *key)
{
	for (size_t i = 0; i < j->n; i++)
		if (!j->e[i].gone && !strcasecmp(j->e[i].key, key))
			return &j->e[i];
	return NULL;
}

static void jp_clear(struct jp_entry *e)
{
	free(e->val);
	for (size_t i = 0; i < e->nitems; i++)
		free(e->items[i]);
	free(e->items);
	e->val = NULL;
	e->items = NULL;
	e->nitems = 0;
}

/* set: an existing key keeps its place and spelling, a new one goes last */
static struct jp_entry *jp_set(struct jp *j, const char *key, enum jp_type t, const char *val)
{
	struct jp_entry *e = jp_get(j, key);
	if (!e) {
		if (j->n == JDLPROC_MAX_KEYS) {
			j->oom = true;
			return NULL;
		}
		e = &j->e[j->n++];
		memset(e, 0, sizeof(*e));
		if (!(e->key = jp_dup(j, key, strlen(key))))
			return NULL;
	}
	jp_clear(e);
	e->type = t;
	if (val && !(e->val = jp_dup(j, val, strlen(val))))
		return NULL;
	return e;
}

static void jp_add_item(struct jp *j, struct jp_entry *e, const char *s, size_t n)
{
	char **ni = realloc(e->items, (e->nitems + 1) * sizeof(*ni));
	if (!ni) {
		j->oom = true;
		return;
	}
	e->items = ni;
	if ((e->items[e->nitems] = jp_dup(j, s, n)))
		e->nitems++;
}

/* `Key = value;` statements, in order */
static void jp_parse(struct jp *j, const char *p)
{
	while (*p && !j->oom) {
		while (*p && (isspace((unsigned char)*p) || *p == ';'))
			p++;
		const char *k = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			break;
		size_t kl = (size_t)(p - k);
		while (kl && isspace((unsigned char)k[kl - 1]))
			kl--;
		p++;
		while (*p && isspace((unsigned char)*p))
			p++;
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(kl < 255 ? kl : 255), k);
		if (*p == '{') {
			struct jp_entry *e = jp_set(j, key, JP_LIST, NULL);
			p++;
			while (*p && *p != '}' && e) {
				while (*p && (isspace((unsigned char)*p) || *p == ','))
					p++;
				if (*p == '"') {
					const char *s = ++p;
					while (*p && *p != '"')
						p++;
					jp_add_item(j, e, s, (size_t)(p - s));
					if (*p)
						p++;
				} else if (*p && *p != '}') {
					const char *s = p;
					while (*p && *p != ',' && *p != '}')
						p++;
					size_t l = (size_t)(p - s);
					while (l && isspace((unsigned char)s[l - 1]))
						l--;
					jp_add_item(j, e, s, l);
				}
			}
			if (*p == '}')
				p++;
		} else if (*p == '"') {
			const char *s = ++p;
			while (*p && *p != '"')
				p++;
			char *v = jp_dup(j, s, (size_t)(p - s));
			if (v)
				jp_set(j, key, JP_STR, v);
			free(v);
			if (*p)
				p++;
		} else {
			const char *s = p;
			bool inq = false;
			while (*p && (inq || *p != ';')) {
				if (*p == '"')
					inq = !inq;
				p++;
			}
			size_t l = (size_t)(p - s);
			while (l && isspace((unsigned char)s[l - 1]))
				l--;
			char *v = jp_dup(j, s, l);
			if (v)
				jp_set(j, key, JP_RAW, v);
			free(v);
		}
		while (*p && *p != ';')
			p++;
	}
}

static const char *jp_text(const struct jp_entry *e)
{
	if (!e)
		return NULL;
	if (e->type == JP_LIST)
		return e->nitems ? e->items[0] : NULL;
	return e->val;
}

static void jp_add_req(struct jp *j, struct jp_entry **req, const char *r)
{
	if (!r || !*r)
		return;
	bool wrapped = r[0] == '(' && r[strlen(r) - 1] == ')' && strlen(r) > 2;
	if (!*req) {
		*req = jp_set(j, "Requirements", JP_RAW, "");
		if (!*req)
			return;
	}
	if (strstr((*req)->val, r))
		return;
	char *n = NULL;
	if (asprintf(&n, "%s%s%s%s%s", (*req)->val, *(*req)->val ? " && " : "", wrapped ? "" : "( ",
		     r, wrapped ? "" : " )") < 0) {
		j->oom = true;
		return;
	}
	free((*req)->val);
	(*req)->val = n;
}

static const char *jp_spelling(const char *key)
{
	for (size_t i = 0; i < sizeof(jp_tags) / sizeof(jp_tags[0]); i++)
		if (!strcasecmp(jp_tags[i], key))
			return jp_tags[i];
	return key;
}

static void jp_write(struct jcl_buf *b, const struct jp_entry *e)
{
	jcl_buf_addf(b, "%s = ", jp_spelling(e->key));
	if (e->type == JP_STR) {
		jcl_buf_addf(b, "\"%s\"", e->val);
	} else if (e->type == JP_LIST) {
		jcl_buf_adds(b, "{\n");
		for (size_t i = 0; i < e->nitems; i++)
			jcl_buf_addf(b, "\"%s\"%s\n", e->items[i], i + 1 < e->nitems ? "," : "");
		jcl_buf_adds(b, "}");
	} else {
		jcl_buf_adds(b, e->val);
	}
	jcl_buf_adds(b, ";\n");
}

char *jdlproc_process(const char *jdl, const char *user, const char *exe_lfn, const char *jdl_path)
{
	struct jp *j = calloc(1, sizeof(*j));
	struct jcl_buf b = { 0 };
	char num[64];

	if (!j)
		return NULL;
	jp_parse(j, jdl);
	if (jdl_path)
		jp_set(j, "JDLPath", JP_STR, jdl_path);
	if (exe_lfn)
		jp_set(j, "Executable", JP_STR, exe_lfn);

	const char *v = jp_text(jp_get(j, "Price"));
	double price = v ? strtod(v, NULL) : 0;
	if (price < 1)
		price = 1;
	if (price == (double)(long long)price)
		snprintf(num, sizeof(num), "%.1f", price);
	else
		snprintf(num, sizeof(num), "%g", price);
	jp_set(j, "Price", JP_RAW, num);

	v = jp_text(jp_get(j, "TTL"));
	long ttl = v ? strtol(v, NULL, 10) : 0;
	if (ttl <= 0)
		ttl = 21600;
	snprintf(num, sizeof(num), "%ld", ttl);
	jp_set(j, "TTL", JP_RAW, num);
	jp_set(j, "Type", JP_STR, "Job");

	struct jp_entry *req = jp_get(j, "Requirements");
	if (!jp_get(j, "OrigRequirements") && req && req->type == JP_RAW && *req->val)
		jp_set(j, "OrigRequirements", JP_RAW, req->val);

	v = jp_text(jp_get(j, "CPUCores"));
	long cores = v ? strtol(v, NULL, 10) : 0;
	if (cores < 1)
		cores = 1;
	snprintf(num, sizeof(num), "%ld", cores);
	jp_set(j, "CPUCores", JP_STR, num);
	if (!jp_get(j, "MemorySize")) {
		snprintf(num, sizeof(num), "%ldGB", 8 * cores);
		jp_set(j, "MemorySize", JP_STR, num);
	}
	struct jp_entry *vars = jp_get(j, "JDLVariables");
	if (!vars || vars->type != JP_LIST)
		vars = jp_set(j, "JDLVariables", JP_LIST, NULL);
	if (vars) {
		bool have = false;
		for (size_t i = 0; i < vars->nitems; i++)
			have |= !strcasecmp(vars->items[i], "CPUCores");
		if (!have)
			jp_add_item(j, vars, "CPUCores", 8);
		size_t w = 0;
		for (size_t i = 0; i < vars->nitems; i++) {
			if (jp_get(j, vars->items[i]))
				vars->items[w++] = vars->items[i];
			else
				free(vars->items[i]);
		}
		vars->nitems = w;
	}
	jp_set(j, "User", JP_STR, user);

	if ((req = jp_get(j, "Requirements")))
		req->gone = true;
	req = NULL;
	struct jp_entry *orig = jp_get(j, "OrigRequirements");
	if (orig)
		jp_add_req(j, &req, orig->val);
	struct jp_entry *pk = jp_get(j, "Packages");
	for (size_t i = 0; pk && pk->type == JP_LIST && i < pk->nitems; i++) {
		char r[512];
		snprintf(r, sizeof(r), "member(other.Packages,\"%s\")", pk->items[i]);
		jp_add_req(j, &req, r);
	}
	snprintf(num, sizeof(num), "other.TTL > %ld", ttl);
	jp_add_req(j, &req, num);
	snprintf(num, sizeof(num), "other.Price <= %lld", (long long)price);
	jp_add_req(j, &req, num);

	/* JDL.sortContent: the preferred order (JDLVariables followed by its variables), then
	 * the rest */
	bool done[JDLPROC_MAX_KEYS] = { false };
	for (size_t o = 0; o < sizeof(jp_order) / sizeof(jp_order[0]); o++) {
		for (size_t i = 0; i < j->n; i++)
			if (!j->e[i].gone && !done[i] && !strcasecmp(j->e[i].key, jp_order[o])) {
				jp_write(&b, &j->e[i]);
				done[i] = true;
			}
		if (!strcmp(jp_order[o], "jdlvariables") && vars)
			for (size_t k = 0; k < vars->nitems; k++)
				for (size_t i = 0; i < j->n; i++)
					if (!j->e[i].gone && !done[i] &&
					    !strcasecmp(j->e[i].key, vars->items[k])) {
						jp_write(&b, &j->e[i]);
						done[i] = true;
					}
	}
	for (size_t i = 0; i < j->n; i++)
		if (!j->e[i].gone && !done[i])
			jp_write(&b, &j->e[i]);

	bool oom = j->oom;
	for (size_t i = 0; i < j->n; i++) {
		jp_clear(&j->e[i]);
		free(j->e[i].key);
	}
	free(j);
	if (oom || !b.p) {
		jcl_buf_free(&b);
		return NULL;
	}
	return b.p;
}
