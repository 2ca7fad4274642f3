/* test_render.c - replies printed the way alien.py prints them. */
#include <stdlib.h>

#include "check.h"
#include "render.h"
#include "strbuf.h"

/* Everything a render produces, split by fd. */
static void drain(struct render *r, struct strbuf *out, struct strbuf *err)
{
	char buf[7]; /* tiny pieces: exercises the chunking */
	size_t n;
	int fd;

	while ((n = render_next(r, buf, sizeof(buf), &fd)) > 0)
		strbuf_add(fd == 1 ? out : err, buf, n);
	strbuf_cstr(out);
	strbuf_cstr(err);
}

static void text_case(const char *reply, const char *want_out, const char *want_err, int want_code)
{
	struct strbuf out = { 0 }, err = { 0 };
	struct render *r = render_reply(cJSON_Parse(reply), 0, NULL);

	drain(r, &out, &err);
	CHECK_STR(out.data, want_out);
	CHECK_STR(err.data, want_err);
	CHECK(render_exit_code(r) == want_code);
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);
}

static void test_text(void)
{
	/* messages joined with \n, whole text stripped, one \n added */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\"},\"results\":"
		  "[{\"message\":\"  a\\n\"},{\"message\":\"b  \"},{\"other\":\"x\"},{\"message\":\"\\n\\nc\\n\\n\"}]}",
		  "a\n\nb  \n\n\nc\n", "", 0);
	/* nothing to print: nothing at all, not even a newline */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\"},\"results\":[]}", "", "", 0);
	text_case("{\"metadata\":{\"exitcode\":\"0\"},\"results\":[{\"message\":\" \\n \"}]}", "", "", 0);
	/* error: stderr only, stdout dropped even if results carried text */
	text_case("{\"metadata\":{\"exitcode\":\"2\",\"error\":\"No such file or directory : /x \"},"
		  "\"results\":[{\"message\":\"ignored\"}]}",
		  "", "No such file or directory : /x\n", 2);
	/* a warning in error with exitcode 0 is not shown */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"warn\"},\"results\":[{\"message\":\"ok\"}]}",
		  "ok\n", "", 0);
	/* exit codes are taken modulo 256 like a process exit status */
	text_case("{\"metadata\":{\"exitcode\":\"-1\",\"error\":\"e\"},\"results\":[]}", "", "e\n", 255);
	/* `timing on`: alien.py adds the server's timing_ms line to a success only */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\",\"timing_ms\":\"12\"},\"results\":"
		  "[{\"message\":\"x\"}]}", "x\ntiming_ms = 12\n", "", 0);
	text_case("{\"metadata\":{\"exitcode\":\"2\",\"error\":\"e\",\"timing_ms\":\"3\"},\"results\":[]}",
		  "", "e\n", 2);
}

static void test_json(void)
{
	const char *reply = "{\"results\":[{\"z\":\"1\",\"a\":\"x/y\",\"n\":{\"k\":[1,2.5,true,null]},\"e\":{}},"
			    "{\"u\":\"caf\\u00e9 \\ud83d\\ude00\\t\\u0001\"}],"
			    "\"metadata\":{\"user\":\"jalien\",\"exitcode\":\"0\",\"currentdir\":\"/old/\",\"error\":\"\"}}";
	const char *want =
		"{\n"
		"  \"metadata\": {\n"
		"    \"currentdir\": \"/new/\",\n"
		"    \"error\": \"\",\n"
		"    \"exitcode\": \"0\",\n"
		"    \"user\": \"jalien\"\n"
		"  },\n"
		"  \"results\": [\n"
		"    {\n"
		"      \"a\": \"x/y\",\n"
		"      \"e\": {},\n"
		"      \"n\": {\n"
		"        \"k\": [\n"
		"          1,\n"
		"          2.5,\n"
		"          true,\n"
		"          null\n"
		"        ]\n"
		"      },\n"
		"      \"z\": \"1\"\n"
		"    },\n"
		"    {\n"
		"      \"u\": \"caf\\u00e9 \\ud83d\\ude00\\t\\u0001\"\n"
		"    }\n"
		"  ]\n"
		"}\n";
	struct strbuf out = { 0 }, err = { 0 };
	struct render *r = render_reply(cJSON_Parse(reply), 1, "/new/");

	drain(r, &out, &err);
	CHECK_STR(out.data, want);
	CHECK(err.len == 0);
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);

	/* empty results, and an error still goes to stdout in JSON mode */
	r = render_reply(cJSON_Parse("{\"metadata\":{\"exitcode\":\"2\",\"error\":\"e\"},\"results\":[]}"), 1, NULL);
	drain(r, &out, &err);
	CHECK_STR(out.data, "{\n  \"metadata\": {\n    \"error\": \"e\",\n    \"exitcode\": \"2\"\n  },\n"
			    "  \"results\": []\n}\n");
	CHECK(render_exit_code(r) == 2);
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);
}

static void test_local(void)
{
	struct strbuf out = { 0 }, err = { 0 };
	struct render *r = render_local("out\n", "err\n", 3);

	drain(r, &out, &err);
	CHECK_STR(out.data, "out\n");
	CHECK_STR(err.data, "err\n");
	CHECK(render_exit_code(r) == 3);
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);
}

int main(void)
{
	test_text();
	test_json();
	test_local();
	return check_report();
}
