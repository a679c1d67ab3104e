/* chat-stream: send one prompt and write the reply's tokens to stdout the
 * moment they arrive. */
#include "ask/ask.h"
#include "cli.h"
#include "diag.h"
#include "input.h"
#include "net/http.h"
#include "fdio.h"
#include "ask/promptmap.h"
#include <stdlib.h>
#include "sig.h"
#include <unistd.h>

static const char help[] =
	"usage: chat-stream [options] [PROMPT...]\n"
	"Send one prompt and write the reply to stdout as it arrives.\n"
	"Words are the prompt; text on stdin is added after a blank line.\n"
	"\n"
	"  -m, --model MODEL        model or provider:model (default gpt-4o-mini)\n"
	"  -s, --system TEXT        system prompt\n"
	"  -a, --attach FILE|URL    attach an image, PDF, audio or video (chat-upload)\n"
	"  -f, --file PATH|URL      add a text file (a folder, a glob) in a fenced block\n"
	"  -t, --template NAME      a saved template (--templates lists them)\n"
	"  -p, --param NAME VALUE   set the template's (or jq's) $NAME\n"
	"      --max-tokens N       limit the reply's length\n"
	"      --max-cost USD       refuse a request that could cost more\n"
	"      --schema FILE|JSON   answer as JSON that follows this JSON Schema\n"
	"      --data               print only the parsed answer (with --schema)\n"
	"      --json               write delta records and a final response record\n"
	"      --prompt-jq JQ       stdin is one record; this jq program makes the prompt\n"
	"  -x, --extract            write only the reply's first fenced code block\n"
	"      --render, --raw      render the reply's Markdown as it streams, or not\n"
	"  -c, --continue           continue the most recent conversation\n"
	"      --conversation REF   continue conversation ID or NAME (a new NAME is made)\n"
	"  -q, --quiet              no warnings on stderr, only errors\n"
	"  -v, --verbose            trace the HTTP exchange on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"More options, described in chat-stream(1):\n"
	"  --system-jq JQ, --id-jq JQ, --arg NAME VALUE, --argjson NAME JSON,\n"
	"  --fallback MODEL, --temperature T, --retries N, --connect-timeout S,\n"
	"  --idle-timeout S, --think-timeout S, --timeout S, --wait-limit, --context N,\n"
	"  --truncate, --text, --templates, --save NAME, --force, --db PATH, --no-log,\n"
	"  --cache, --cache-ttl T, --dry-run, --extract-all, --extract-lang LANG,\n"
	"  --files-max SIZE, --allow-http, --send-url, --fetch-timeout S, --version\n"
	"\n"
	"Examples:\n"
	"  chat-stream 'Explain SIGPIPE in one paragraph'\n"
	"  git diff | chat-stream -s 'You review code.' 'Review this diff'\n"
	"  chat-stream --json 'hello' | jq -r 'select(.type==\"delta\").text'\n"
	"\n"
	"Exit status: 0 ok, 3 over --max-cost, 64 usage, 65 bad input,\n"
	"69 provider unavailable, 75 rate limited or timed out, 77 no key or auth\n"
	"failed, 78 config error.\n";

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	struct cli_opts o;
	cli_parse(argc, argv, &o, help, CLI_RENDER);
	if (!o.dry_run)
		http_global_init_early();  /* beside the prompt and the history getting ready */
	struct session s;
	int st = session_config(&s, &o);
	struct line_reader lr;
	lr_init(&lr, 0, INPUT_MAX);
	struct buf prompt = BUF_INIT(INPUT_MAX);
	int records = 0;
	if (!st)
		st = input_gather(&o, &lr, &prompt, &records);
	struct attachments atts;
	attachments_init(&atts);
	char *system = NULL;
	if (!st && o.prompt_jq) {
		if (o.nwords) {
			error("--prompt-jq makes the prompt from stdin's record: give no prompt words");
			st = EXIT_USAGE;
		} else if (!(st = promptmap_one(o.prompt_jq, o.system_jq, o.vars, &lr, &prompt, &system)) && system) {
			o.system = system;
		}
	} else if (!st && records) {
		/* stdin's records are attachments for the prompt given as words */
		if (!o.nwords) {
			error("stdin holds records; chat-stream takes one prompt (use chat-send for records, or --text)");
			st = EXIT_USAGE;
		} else {
			st = attachments_read(&atts, &lr);
		}
	}
	if (!st)
		st = ask_words(&s, buf_str(&prompt), &atts, (o.data_only ? 0 : ASK_STREAM) | (o.json ? ASK_JSON : 0));
	free(system);
	attachments_free(&atts);
	buf_free(&prompt);
	lr_free(&lr);
	session_close(&s);
	return cli_exit(st);
}
