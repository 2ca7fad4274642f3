/* upstream_cmds.c - what the pool learned from JCentral's replies: its
 * command list (from `commandlist`), the user's home and name. */
#include "upstream_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void upstream_learn_commands(const cJSON *results)
{
	int n = cJSON_GetArraySize(results), i = 0;
	char **cmds = calloc((size_t)n + 1, sizeof(*cmds));
	const cJSON *row;

	if (!cmds)
		return;
	cJSON_ArrayForEach (row, results) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "commandlist");
		size_t len;

		if (!cJSON_IsString(c))
			continue;
		len = strlen(c->valuestring);
		if (len > 4 && strcmp(c->valuestring + len - 4, "_csd") == 0)
			continue; /* as alien.py: experimental, unreachable */
		if ((cmds[i] = strdup(c->valuestring)))
			i++;
	}
	for (int j = 0; j < up.ncmds; j++)
		free(up.cmds[j]);
	free(up.cmds);
	up.cmds = cmds;
	up.ncmds = i;
	up.cmds_at = time(NULL);
}

const char *const *upstream_commands(time_t *learned_at)
{
	*learned_at = up.cmds_at;
	return (const char *const *)up.cmds;
}

const char *upstream_home(void)
{
	return up.home;
}

const char *upstream_user(void)
{
	return up.user;
}

int upstream_knows(const char *cmd)
{
	if (!up.cmds)
		return -1;
	for (int i = 0; i < up.ncmds; i++)
		if (strcmp(up.cmds[i], cmd) == 0)
			return 1;
	return 0;
}
