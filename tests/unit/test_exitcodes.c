/* test_exitcodes.c - the one exit-code table (common/exitcodes.def): the
 * numbers scripts rely on stay alien.py's and the shell's, every name is
 * unique and every number an exit status (1-255), rows are in order, and a
 * code's line is what a user reads ("jaliend: out of memory"). */
#include "check.h"
#include "exitcodes.h"

static const struct {
	const char *name;
	int code;
	const char *meaning;
} rows[] = {
#define EXIT_CODE(name, number, meaning) { #name, number, meaning },
#include "exitcodes.def"
#undef EXIT_CODE
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

int main(void)
{
	/* the numbers users and scripts see, as before the table (alien.py's,
	 * errno's, a shell's): a change here changes what `echo $?` prints */
	CHECK(JD_EXIT_NOCONN == 107 && JD_EXIT_UNAUTHORIZED == 129 && JD_EXIT_EMPTY == 70);
	CHECK(JD_EXIT_USAGE == 22 && JD_EXIT_LOST == 11 && JD_EXIT_TOOBIG == 7 &&
	      JD_EXIT_BUSY == 16);
	CHECK(JD_EXIT_TIMEOUT == 62 && JD_EXIT_NOMEM == 12 && JD_EXIT_SLOW == 105 &&
	      JD_EXIT_PROTO == 71);
	CHECK(JD_EXIT_REFUSED == 13 && JD_EXIT_CANCELED == 125 && JD_EXIT_INTERRUPTED == 130);
	CHECK(JD_EXIT_NOTFOUND == 127 && JD_EXIT_NOEXEC == 126 && JD_EXIT_NOMATCH == 42);
	CHECK(JD_EXIT_IO == 5 && JD_EXIT_NOENT == 2 && JD_EXIT_NOSYS == 38 &&
	      JD_EXIT_NONE_YET == 255);

	for (int i = 0; i < NROWS; i++) {
		CHECK(rows[i].code >= 1 && rows[i].code <= 255);
		CHECK(rows[i].meaning[0] && !strchr(rows[i].meaning, '\n'));
		if (i > 0)
			CHECK(rows[i - 1].code <= rows[i].code);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(rows[i].name, rows[j].name) != 0);
		/* a shared number answers with its first row */
		if (i == 0 || rows[i - 1].code != rows[i].code)
			CHECK_STR(exitcode_name(rows[i].code), rows[i].name);
	}

	CHECK_STR(exitcode_meaning(JD_EXIT_NOMEM), "out of memory");
	CHECK_STR(exitcode_line(JD_EXIT_NOMEM), "jaliend: out of memory\n");
	CHECK_STR(exitcode_message(JD_EXIT_NOMEM), "jaliend: out of memory");
	CHECK_STR(exitcode_meaning(JD_EXIT_NOENT), "no such file or folder");
	/* JCentral's own codes are not ours: nothing to say about them */
	CHECK(exitcode_meaning(0) == NULL && exitcode_meaning(3) == NULL &&
	      exitcode_name(256) == NULL);
	CHECK_STR(exitcode_line(3), "jaliend: failed\n");
	return check_report();
}
