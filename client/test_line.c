/* test_line.c - alien.py's command-text rules (line.c): chains, quotes,
 * pipes, the single-argument re-split, shell quoting. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "line.h"

static char segs[8][64];
static int nsegs;

static int collect(char *seg, void *ctx)
{
	(void)ctx;
	if (nsegs < 8)
		snprintf(segs[nsegs++], sizeof(segs[0]), "%s", seg);
	return 0;
}

static void test_chain(void)
{
	nsegs = 0;
	CHECK(line_split_chain(" ls -l ;pwd\n\n whoami ; ", collect, NULL) == 0);
	CHECK(nsegs == 3);
	CHECK_STR(segs[0], "ls -l");
	CHECK_STR(segs[1], "pwd");
	CHECK_STR(segs[2], "whoami");
	nsegs = 0;
	line_split_chain("echo 'a;b' \"c;d\" e\\;f; pwd", collect, NULL);
	CHECK(nsegs == 2);
	CHECK_STR(segs[0], "echo 'a;b' \"c;d\" e\\;f");
	nsegs = 0;
	line_split_chain(";;  ;", collect, NULL);
	CHECK(nsegs == 0);
}

static void test_pipe(void)
{
	char a[] = "ls -l | grep x | wc", b[] = "ls|wc", c[] = "echo ' | ' x",
	     d[] = "echo '|' | cat";

	CHECK(line_find_pipe(a) == a + 5);
	CHECK(line_find_pipe(b) == NULL);
	CHECK(line_find_pipe(c) == NULL);
	CHECK(line_find_pipe(d) == d + 8); /* the blank before the | */
}

static void test_tokenize(void)
{
	char **v;
	int n = line_tokenize("  find  '/a b' \"x\\\"y\" c\\ d e''f \"\" ", &v);

	CHECK(n == 6);
	if (n == 6) {
		CHECK_STR(v[0], "find");
		CHECK_STR(v[1], "/a b");
		CHECK_STR(v[2], "x\"y");
		CHECK_STR(v[3], "c d");
		CHECK_STR(v[4], "ef");
		CHECK_STR(v[5], "");
		CHECK(v[6] == NULL);
	}
	line_free(v);
	CHECK(line_tokenize("echo 'open", &v) == -EINVAL);
	CHECK(line_tokenize("echo \"open", &v) == -EINVAL);
	CHECK(line_tokenize("   ", &v) == 0);
	line_free(v);
}

static void test_resplit(void)
{
	char **v;
	int n = line_tokenize("find '/dir .log'", &v);

	n = line_resplit(&v, n);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(v[1], "/dir");
		CHECK_STR(v[2], ".log");
	}
	line_free(v);
	n = line_tokenize("stat \"'a b'\"", &v); /* quotes kept by the re-split */
	n = line_resplit(&v, n);
	CHECK(n == 2);
	if (n == 2)
		CHECK_STR(v[1], "'a b'");
	line_free(v);
	n = line_tokenize("ls 'a b' c", &v); /* two arguments: untouched */
	CHECK(line_resplit(&v, n) == 3);
	CHECK_STR(v[1], "a b");
	line_free(v);
}

static void test_join(void)
{
	char *argv[] = { "ls", "-l", "a b", "it's", "", "%ALIEN/x=1,y" }, *s = line_join(argv, 6),
	     **v;
	int n;

	CHECK_STR(s, "ls -l 'a b' 'it'\"'\"'s' '' %ALIEN/x=1,y");
	n = line_tokenize(s, &v); /* round trip */
	CHECK(n == 6);
	for (int i = 0; i < n && i < 6; i++)
		CHECK_STR(v[i], argv[i]);
	line_free(v);
	free(s);
}

static void test_unquote(void)
{
	char a[] = "'ls -l'", b[] = "\"pwd\"", c[] = "'x\"", d[] = "'";

	line_unquote_outer(a);
	line_unquote_outer(b);
	line_unquote_outer(c);
	line_unquote_outer(d);
	CHECK_STR(a, "ls -l");
	CHECK_STR(b, "pwd");
	CHECK_STR(c, "'x\"");
	CHECK_STR(d, "'");
}

/* a name a server sent, Tab-completed into "stat <word>": one segment, one argument, itself */
static void test_quote_word(void)
{
	static const char *const names[] = { "x;!id>pwned",   "a b",	     "q'\"\\z",
					     "p | sh",	      "~/d/f",	     "r\xc3\xa9sum\xc3\xa9",
					     "$(id)`id`&*?[", "plain/x.root" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *w = line_quote_word(names[i]), line[128], **argv = NULL;

		CHECK(w != NULL);
		snprintf(line, sizeof(line), "stat %s", w);
		nsegs = 0;
		CHECK(line_split_chain(line, collect, NULL) == 0 && nsegs == 1);
		CHECK(line_find_pipe(line) == NULL);
		CHECK(line_tokenize(line, &argv) == 2);
		CHECK_STR(argv[1], names[i]);
		line_free(argv);
		free(w);
	}
	{
		char *w = line_quote_word("~/data/run1/");

		CHECK_STR(w, "~/data/run1/"); /* nothing to escape: as typed */
		free(w);
	}
}

int main(void)
{
	test_chain();
	test_pipe();
	test_tokenize();
	test_resplit();
	test_join();
	test_unquote();
	test_quote_word();
	return check_report();
}
