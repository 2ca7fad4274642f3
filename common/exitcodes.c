/* exitcodes.c - the meanings of exitcodes.def's rows. */
#include <stddef.h>

#include "exitcodes.h"

struct exitcode_row {
	int code;
	const char *name, *meaning, *line, *message;
};

static const struct exitcode_row exitcode_rows[] = {
#define EXIT_CODE(name, number, meaning) \
	{ number, #name, meaning, "jaliend: " meaning "\n", "jaliend: " meaning },
#include "exitcodes.def"
#undef EXIT_CODE
};

static const struct exitcode_row *exitcode_find(int code)
{
	for (size_t i = 0; i < sizeof(exitcode_rows) / sizeof(exitcode_rows[0]); i++)
		if (exitcode_rows[i].code == code)
			return &exitcode_rows[i];
	return NULL;
}

const char *exitcode_meaning(int code)
{
	const struct exitcode_row *r = exitcode_find(code);

	return r ? r->meaning : NULL;
}

const char *exitcode_name(int code)
{
	const struct exitcode_row *r = exitcode_find(code);

	return r ? r->name : NULL;
}

const char *exitcode_line(int code)
{
	const struct exitcode_row *r = exitcode_find(code);

	return r ? r->line : "jaliend: failed\n";
}

const char *exitcode_message(int code)
{
	const struct exitcode_row *r = exitcode_find(code);

	return r ? r->message : "jaliend: failed";
}
