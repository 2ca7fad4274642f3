/* test_render.c - replies printed the way alien.py prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/leanjson.h"
#include "command/render.h"
#include "base/strbuf.h"

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
		  "[{\"message\":\"  a\\n\"},{\"message\":\"b  "
		  "\"},{\"other\":\"x\"},{\"message\":\"\\n\\nc\\n\\n\"}]}",
		  "a\n\nb  \n\n\nc\n", "", 0);
	/* nothing to print: nothing at all, not even a newline */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\"},\"results\":[]}", "", "", 0);
	text_case("{\"metadata\":{\"exitcode\":\"0\"},\"results\":[{\"message\":\" \\n \"}]}", "",
		  "", 0);
	/* error: stderr only, stdout dropped even if results carried text */
	text_case(
		"{\"metadata\":{\"exitcode\":\"2\",\"error\":\"No such file or directory : /x \"},"
		"\"results\":[{\"message\":\"ignored\"}]}",
		"", "No such file or directory : /x\n", 2);
	/* a warning in error with exitcode 0 is not shown */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"warn\"},\"results\":[{\"message\":"
		  "\"ok\"}]}",
		  "ok\n", "", 0);
	/* exit codes are taken modulo 256 like a process exit status */
	text_case("{\"metadata\":{\"exitcode\":\"-1\",\"error\":\"e\"},\"results\":[]}", "", "e\n",
		  255);
	/* `timing on`: alien.py adds the server's timing_ms line to a success only */
	text_case("{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\",\"timing_ms\":\"12\"},"
		  "\"results\":"
		  "[{\"message\":\"x\"}]}",
		  "x\ntiming_ms = 12\n", "", 0);
	text_case("{\"metadata\":{\"exitcode\":\"2\",\"error\":\"e\",\"timing_ms\":\"3\"},"
		  "\"results\":[]}",
		  "", "e\n", 2);
}

static void test_json(void)
{
	const char *reply = "{\"results\":[{\"z\":\"1\",\"a\":\"x/"
			    "y\",\"n\":{\"k\":[1,2.5,true,null]},\"e\":{}},"
			    "{\"u\":\"caf\\u00e9 \\ud83d\\ude00\\t\\u0001\"}],"
			    "\"metadata\":{\"user\":\"jalien\",\"exitcode\":\"0\",\"currentdir\":"
			    "\"/old/\",\"error\":\"\"}}";
	const char *want = "{\n"
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
	r = render_reply(
		cJSON_Parse("{\"metadata\":{\"exitcode\":\"2\",\"error\":\"e\"},\"results\":[]}"),
		1, NULL);
	drain(r, &out, &err);
	CHECK_STR(out.data,
		  "{\n  \"metadata\": {\n    \"error\": \"e\",\n    \"exitcode\": \"2\"\n  },\n"
		  "  \"results\": []\n}\n");
	CHECK(render_exit_code(r) == 2);
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);
}

/* Everything render produces for reply, parsed by leanjson_parse (lean) or by
 * cJSON_Parse (full): "<exit code>|<stdout>|<stderr>", or NULL if not JSON. */
static char *render_all(const char *reply, int lean, int json, int *was_lean)
{
	struct strbuf out = { 0 }, err = { 0 };
	char *text = strdup(reply), *all = NULL;
	cJSON *tree = lean ? leanjson_parse(text, strlen(reply)) : cJSON_Parse(reply);
	struct render *r;

	if (!lean)
		free(text);
	if (was_lean)
		*was_lean = cJSON_IsRaw(cJSON_GetObjectItemCaseSensitive(tree, "results"));
	if (!tree)
		return NULL;
	r = render_reply(tree, json, "/cwd/");
	drain(r, &out, &err);
	if (asprintf(&all, "%d|%s|%s", render_exit_code(r), out.data, err.data) < 0)
		all = NULL;
	render_free(r);
	strbuf_free(&out);
	strbuf_free(&err);
	return all;
}

/* leanjson_parse gives what cJSON_Parse gives, in text and JSON mode. */
static void lean_case(const char *reply, int want_lean)
{
	for (int json = 0; json < 2; json++) {
		int was_lean = -1;
		char *full = render_all(reply, 0, json, NULL),
		     *lean = render_all(reply, 1, json, &was_lean);

		CHECK((full == NULL) == (lean == NULL));
		if (full && lean)
			CHECK(strcmp(full, lean) == 0);
		if (full)
			CHECK(was_lean == want_lean);
		free(full);
		free(lean);
	}
}

/* A reply with n results made from elem, its "%d" replaced by the index. */
static char *big_reply(const char *head, const char *elem, int n, const char *tail)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, head);
	strbuf_addc(&sb, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_adds(&sb, " ,\n ");
		const char *d = strstr(elem, "%d");

		strbuf_add(&sb, elem, (size_t)(d - elem));
		strbuf_addf(&sb, "%d", i);
		strbuf_adds(&sb, d + 2);
	}
	strbuf_addc(&sb, ']');
	strbuf_adds(&sb, tail);
	return strbuf_cstr(&sb);
}

static void test_lean(void)
{
	static const struct {
		const char *head, *elem, *tail;
		int lean;
	} c[] = {
		/* find's text mode: one message per result */
		{ "{\"metadata\":{\"exitcode\":\"0\",\"error\":\"\",\"currentdir\":\"/a/"
		  "\"},\"results\":",
		  "{\"message\":\"/alice/data/file%d.root\"}", "}", 1 },
		/* results first, metadata after, blanks everywhere, escapes and nesting in
		 * results */
		{ " {\n \"results\" : ",
		  "{ \"message\" : \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\t%d\\n\" , "
		  "\"n\":[1,-2.5e+3,0.5,true,false,null,{\"k\":{}}],\"e\":[] }",
		  " ,\"metadata\":{\"exitcode\":0,\"timing_ms\":\"3\"}, \"other\":[1] }\n", 1 },
		/* an error: stderr only */
		{ "{\"metadata\":{\"exitcode\":\"2\",\"error\":\"no such file \"},\"results\":",
		  "{\"message\":\"m%d\"}", "}", 1 },
		/* lenient JSON (cJSON takes "1." and control characters): parsed whole */
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":",
		  "{\"message\":\"m%d\",\"x\":1.}", "}", 0 },
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":", "{\"message\":\"m\t%d\"}", "}",
		  0 },
		/* a lone surrogate: neither takes it */
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":", "{\"message\":\"\\udc00%d\"}",
		  "}", 0 },
		/* not JSON at all, truncated */
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":", "{\"message\":\"m%d\"}", "",
		  0 },
		/* results not an array; trailing bytes after the object (cJSON ignores them) */
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"x\":", "{\"message\":\"m%d\"}",
		  ",\"results\":{}}", 0 },
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":", "{\"message\":\"m%d\"}",
		  "} trailing", 1 },
		/* messages that are only whitespace, and non-objects in results */
		{ "{\"metadata\":{\"exitcode\":\"0\"},\"results\":",
		  "{\"message\":\" \\n \"},\"s%d\",[]", "}", 1 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *big =
			big_reply(c[i].head, c[i].elem, 3000, c[i].tail); /* over 64 KiB: lean */
		char *small =
			big_reply(c[i].head, c[i].elem, 3, c[i].tail); /* small: a full tree */

		lean_case(big, c[i].lean);
		lean_case(small, 0);
		free(big);
		free(small);
	}
	/* nesting deeper than cJSON allows is refused either way */
	{
		struct strbuf sb = { 0 };

		strbuf_adds(&sb, "{\"metadata\":{},\"results\":[");
		for (int i = 0; i < 1100; i++)
			strbuf_addc(&sb, '[');
		for (int i = 0; i < 70000; i++)
			strbuf_addc(&sb, ' ');
		for (int i = 0; i < 1100; i++)
			strbuf_addc(&sb, ']');
		strbuf_adds(&sb, "]}");
		lean_case(strbuf_cstr(&sb), 0);
		strbuf_free(&sb);
	}
	/* every escape and a control character at every offset of an 8-byte word */
	{
		static const char *const esc[] = { "\\\"",    "\\\\",		"\\/", "\\n",
						   "\\u00e9", "\\ud83d\\ude00", "\t" };

		for (size_t e = 0; e < sizeof(esc) / sizeof(esc[0]); e++) {
			struct strbuf sb = { 0 };

			strbuf_adds(&sb, "{\"metadata\":{\"exitcode\":\"0\"},\"results\":[");
			for (int i = 0; i < 4000; i++)
				strbuf_addf(&sb, "%s{\"message\":\"%.*s%sxyz\"}", i ? "," : "",
					    i % 17, "abcdefghijklmnopq", esc[e]);
			strbuf_adds(&sb, "]}");
			lean_case(strbuf_cstr(&sb),
				  esc[e][0] !=
					  '\t'); /* a raw tab: cJSON's leniency, parsed whole */
			strbuf_free(&sb);
		}
	}
	CHECK(leanjson_parse(strdup("not json"), 8) == NULL);
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
	test_lean();
	test_local();
	return check_report();
}
