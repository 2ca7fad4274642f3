/* test_xrdstats.c - query stats' XML as alien.py 1.6.3's xrd_stats prints it
 * (daemon/xrootd/xrdstats.c). The expected texts are what Python's xmltodict
 * (attr_prefix ''), alien.py's merge of the <stats id=...> elements and
 * json.dumps / minidom.toprettyxml make of the same XML; malformed answers
 * are refused, not half-printed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xrootd/xrdstats.h"

static const char xml[] =
	"<statistics tod=\"1\" ver=\"v5\" src=\"h:1\" site=\"\"><stats "
	"id=\"info\"><host>vm</host><port>1094</port>"
	"</stats><stats id=\"oss\" v=\"2\"><paths>1<stats "
	"id=\"0\"><lp>\"/\"</lp><rp>\"/d&amp;x/\"</rp></stats></paths>"
	"<space>0</space></stats><stats id=\"rep\"><a>1</a><a>2</a><b/></stats></statistics>";

static void check_refused(const char *bad)
{
	char *j;

	errno = 0;
	j = xrdstats_json(bad, "SE", "h:1", 0);
	CHECK(j == NULL && errno == EINVAL);
	free(j);
}

int main(void)
{
	char *j = xrdstats_json(xml, "SE", "h:1", 0), *c = xrdstats_json(xml, "SE", "h:1", 1);
	char *x = xrdstats_prettyxml(xml, 0), deep[2048];

	CHECK_STR(j, "{\n  \"tod\": \"1\", \n  \"ver\": \"v5\", \n  \"src\": \"h:1\", \n  "
		     "\"site\": \"SE\", \n  \"stats\": {\n"
		     "    \"info\": {\n      \"host\": \"vm\", \n      \"port\": \"1094\"\n    }, "
		     "\n    \"oss\": {\n"
		     "      \"v\": \"2\", \n      \"paths\": {\n        \"stats\": {\n          "
		     "\"0\": {\n"
		     "            \"lp\": \"/\", \n            \"rp\": \"/d&x/\"\n          }\n    "
		     "    }, \n"
		     "        \"#text\": \"1\"\n      }, \n      \"space\": \"0\"\n    }, \n    "
		     "\"rep\": {\n"
		     "      \"a\": [\n        \"1\", \n        \"2\"\n      ], \n      \"b\": "
		     "null\n    }\n  }, \n"
		     "  \"seName\": \"SE\", \n  \"endpointUrl\": \"h:1\"\n}");
	CHECK_STR(c, "{\"tod\":\"1\",\"ver\":\"v5\",\"src\":\"h:1\",\"site\":\"SE\",\"stats\":{"
		     "\"info\":{\"host\":\"vm\","
		     "\"port\":\"1094\"},\"oss\":{\"v\":\"2\",\"paths\":{\"stats\":{\"0\":{\"lp\":"
		     "\"/\",\"rp\":\"/d&x/\"}},"
		     "\"#text\":\"1\"},\"space\":\"0\"},\"rep\":{\"a\":[\"1\",\"2\"],\"b\":null}},"
		     "\"seName\":\"SE\","
		     "\"endpointUrl\":\"h:1\"}");
	CHECK_STR(x,
		  "<?xml version=\"1.0\" ?>\n<statistics tod=\"1\" ver=\"v5\" src=\"h:1\" "
		  "site=\"\">\n"
		  "  <stats id=\"info\">\n    <host>vm</host>\n    <port>1094</port>\n  </stats>\n"
		  "  <stats id=\"oss\" v=\"2\">\n    <paths>\n      1\n      <stats id=\"0\">\n"
		  "        <lp>\"/\"</lp>\n        <rp>\"/d&amp;x/\"</rp>\n      </stats>\n    "
		  "</paths>\n"
		  "    <space>0</space>\n  </stats>\n  <stats id=\"rep\">\n    <a>1</a>\n    "
		  "<a>2</a>\n"
		  "    <b/>\n  </stats>\n</statistics>\n");
	free(j);
	free(c);
	free(x);
	/* not the answer of query stats, or not XML at all: refused whole */
	check_refused("");
	check_refused("<statistics tod=\"1\"><stats id=\"a\"><x>1</x></stats>");    /* unclosed */
	check_refused("<statistics><stats id=\"a\"><x>1</y></stats></statistics>"); /* mismatched */
	check_refused("<other><stats id=\"a\"/><stats id=\"b\"/></other>"); /* another root */
	check_refused("<statistics><stats id=\"a\"/></statistics>");	    /* one <stats> */
	check_refused("<statistics x=1><stats/><stats/></statistics>");	    /* unquoted */
	check_refused("<statistics><stats/><stats/></statistics> trailing");
	/* nesting past XRDSTATS_DEPTH_MAX is refused, not recursed into */
	deep[0] = '\0';
	for (int i = 0; i < XRDSTATS_DEPTH_MAX + 2; i++)
		strcat(deep, "<a>");
	check_refused(deep);
	CHECK(xrdstats_prettyxml("<a><b></a>", 0) == NULL);
	return check_report();
}
