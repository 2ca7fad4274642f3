/* complete.c - see complete.h. */
#include "complete.h"

#include <stdlib.h>
#include <string.h>

int complete_query(struct rpc *r, const char *kind, const char *word, char ***out)
{
	struct rpc_sink sink = { .fd = -1, .capture = 1 };
	cJSON *extra = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(extra, "complete");
	char *argv[] = { "complete", NULL }, **v;
	size_t n = 0;
	int rc;

	*out = NULL;
	cJSON_AddStringToObject(c, "kind", kind);
	cJSON_AddStringToObject(c, "word", word);
	rc = rpc_request(r, argv, 1, 0, extra, &sink);
	v = calloc(COMPLETE_MAX + 1, sizeof(*v));
	if (rc || !v) {
		free(sink.buf);
		free(v);
		return rc ? rc : 1;
	}
	for (char *line = sink.buf, *nl; line && *line && n < COMPLETE_MAX; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (*line)
			v[n++] = strdup(line);
	}
	free(sink.buf);
	*out = v;
	return 0;
}
