/* cmdhelp.c - see cmdhelp.h. The texts are what alien.py 1.7.0 prints for
 * `<cmd> -h` (tests/golden/records.jsonl), so scripts and users see the same. */
#include "cmdhelp.h"

#include <string.h>

static const struct {
	const char *verb;
	const char *text;
} cmdhelp_table[] = {
	{ "pwd",
		  "pwd : print/return the current work directory\n" },
	{ "time",
		  "Command format: time command arguments\n" },
	{ "token-info",
		  "Print token certificate information\n" },
	{ "cert-info",
		  "Print user certificate information\n" },
	{ "token-destroy",
		  "Delete the token{cert,key}.pem files\n" },
	{ "token-verify",
		  "Print token certificate information\n" },
	{ "cert-verify",
		  "Verify the user cert against the found CA stores (file or directory)\n" },
	{ "certkey-match",
		  "Check match of user cert with key cert\n" },
	{ "tokenkey-match",
		  "Check match of user token with key token\n" },
	{ "quota",
		  "Client-side implementation that make use of server's jquota and fquota (hidden by this implementation)\n"
		  "Command format: quota [user]\n"
		  "if [user] is not provided, it will be assumed the current user\n" },
	{ "ping",
		  "ping <count>\n"
		  "where count is integer\n" },
	{ "run",
		  "Command format: shell_command arguments lfn\n"
		  "N.B.!! the lfn must be the last element of the command!!\n"
		  "N.B.! The output and error streams will be captured and printed at the end of execution!\n"
		  "for working within application use <edit> or -noout argument\n"
		  "additional arguments recognized independent of the shell command:\n"
		  "-force : will re-download the lfn even if already present\n"
		  "-noout : will not capture output, the actual application can be used\n" },
	{ "exec",
		  "Command format: exec lfn list_of_arguments\n"
		  "N.B.! The output and error streams will be captured and printed at the end of execution!\n"
		  "for working within application use <edit>\n" },
	{ "pfn",
		  "Command format : pfn [lfn]\n"
		  "It will print only the list of associated pfns (simplified form of whereis)\n" },
	{ "pfn-status",
		  "Command format: pfn_status <pfn>|<lfn>\n"
		  "It will return all flags reported by the xrootd server - this is direct access to server\n"
		  "pfn is identified by prefix root://; if missing the argument will be taken to be a lfn\n" },
	{ "lfn2uri",
		  "Command format : lfn2uri <lfn> <local_file?> [meta] [write|upload] [strict] [http]\n"
		  "It will print the URIs for lfn replicas\n"
		  "local_file : required only for write|upload URIs\n"
		  "meta : will write in current directory the metafile and will return the string to be used with xrdcp\n"
		  "write|upload : request tokens for writing/upload; incompatible with <meta> argument\n"
		  "strict : lfn specifications will be considered to be strict\n"
		  "http : URIs will be for http end-points of enabled SEs\n" },
	{ "getSE",
		  "Command format: getSE <-id | -name | -srv> identifier_string\n"
		  "Return the specified property for the SE specified label\n" },
	{ "getCE",
		  "Command format: getCE [-name string] [-host string] [-part string]>\n"
		  "Return the information for the selection\n" },
	{ "SEqos",
		  "Command format: SEqos <SE name>\n"
		  "Return the QOS tags for the specified SE (ALICE:: can be omitted and capitalization does not matter)\n" },
	{ "siteJobs",
		  "Command format: siteJobs <SITE ID> [ -id ] [ -running ] [ -status string] [ -user string ]\n"
		  "        Print jobs id or information for jobs associated with a site; use getCE command to identify site names\n" },
	{ "jobInfo",
		  "Command format: jobInfo id1,id2,.. [ -trace ] [ -proc ] [ -jdl ]\n"
		  "        Print job information for specified ID(s)\n"
		  "        -trace : will show the trace messages\n"
		  "        -proc  : will show the proc messages\n"
		  "        -jdl   : print jdl as a json object\n"
		  "        -unixtime : do not convert to nice time\n" },
	{ "xrd_ping",
		  "Command format: xrd_ping [-c count] fqdn[:port] | SE name | SE id\n"
		  "It will use the XRootD connect/ping option to connect and return a RTT\n" },
	{ "xrd_config",
		  "Command format: xrd_config [-v | -verbose] fqdn[:port] | SE name | SE id\n"
		  "It will use the XRootD query config to get the current server properties\n"
		  "verbose mode will print more about the server configuration\n" },
	{ "xrd_stats",
		  "Command format: xrd_stats [ -xml | -xmlraw | -compact  ]  fqdn[:port] | SE name | SE id\n"
		  "It will use the XRootD query stats option to get the server metrics\n"
		  "-xml : print xml output (native to xrootd)\n"
		  "-xmlraw : print rawxml output without any indentation\n"
		  "-compact : print the most compact version of the output, with minimal white space\n" },
	{ "checkAddr",
		  "checkAddr [reference] fqdn/ip port\n"
		  "defaults are: alice-jcentral.cern.ch 8097\n"
		  "reference arg will check connection to google dns and www.cern.ch\n" },
	{ "prompt",
		  "Toggle the following in the command prompt : <date> for date information and <pwd> for local directory\n" },
	{ "submit",
		  "usage: submit   <URL>\n"
		  "\n"
		  "                    <URL> => <LFN>\n"
		  "                    <URL> => file:///<local path>\n" },
};

const char *cmdhelp_text(const char *verb)
{
	for (size_t i = 0; i < sizeof(cmdhelp_table) / sizeof(cmdhelp_table[0]); i++)
		if (strcmp(verb, cmdhelp_table[i].verb) == 0)
			return cmdhelp_table[i].text;
	return NULL;
}
