/* clitable: the option table chat-send and chat-stream parse with, a row a
 * line — "--name -x needs WORD", "-" for no letter, no restriction or no
 * value — so the tests can hold it against --help and the completions. */
#include "cli.h"
#include <stdio.h>

int main(void)
{
	for (const struct cli_option *o = cli_options; o->name; o++)
		printf("--%s %s%c %s %s\n", o->name, o->letter ? "-" : "", o->letter ? o->letter : '-',
		       o->needs & CLI_RECORDS ? "records" : o->needs & CLI_MODELS ? "models" : o->needs & CLI_RENDER ? "render" : "-", o->arg ? o->arg : "-");
	return fflush(stdout) ? 1 : 0;
}
