/* cmdfail.c - a command answered with one line of the exit-code table. */
#include "command.h"

void command_fail(struct command *cmd, int code)
{
	command_reply(cmd, NULL, exitcode_line(code), code);
}
