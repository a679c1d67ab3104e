/* chat-send: send one prompt, or a stream of prompt records, and print each
 * complete reply. */
#include "ask/ask.h"
#include "ask/parallel.h"
#include "ask/remote_models.h"
#include "cli.h"
#include "net/http.h"
#include "diag.h"
#include "input.h"
#include "fdio.h"
#include "jsonx.h"
#include "provdefs.h"
#include "response.h"
#include "sig.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-send [options] [PROMPT...]\n"
	"       chat-send -r [options] < prompts.ndjson\n"
	"Send a prompt and print the complete reply. Words are the prompt; text on\n"
	"stdin is added after a blank line. With -r (or when stdin starts with a\n"
	"record), each prompt record gets a response or error record.\n"
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
	"      --json               write a response record instead of the text\n"
	"  -r, --records            read prompt records from stdin\n"
	"      --prompt-jq JQ       read any records; this jq program makes the prompt\n"
	"      --parallel N         records: N requests at once (default 1)\n"
	"      --ordered            records: results in input order\n"
	"      --skip-done          records: skip ids the history has answered\n"
	"  -c, --continue           continue the most recent conversation\n"
	"      --conversation REF   continue conversation ID or NAME (a new NAME is made)\n"
	"More options, described in chat-send(1):\n"
	"  --system-jq JQ, --id-jq JQ, --arg NAME VALUE, --argjson NAME JSON,\n"
	"  --fallback MODEL, --temperature T, --retries N, --connect-timeout S,\n"
	"  --idle-timeout S, --think-timeout S, --timeout S, --wait-limit, --context N,\n"
	"  --truncate, --text, --models, --remote, --templates, --save NAME, --force,\n"
	"  --data, --db PATH, --no-log, --cache, --cache-ttl T, --dry-run, -x, --extract,\n"
	"  --extract-all, --extract-lang LANG, --files-max SIZE, --allow-http,\n"
	"  --send-url, --fetch-timeout S, -q, --quiet, -v, --verbose, -h, --help,\n"
	"  --version\n"
	"\n"
	"Examples:\n"
	"  chat-send 'Name three Unix signals'\n"
	"  jq -c '{type:\"prompt\",id:.n,text:.q}' q.ndjson | chat-send -r --parallel 8\n"
	"\n"
	"Exit status: 0 ok, 1 some records failed, 3 over --max-cost, 64 usage,\n"
	"65 bad input, 69 provider unavailable, 75 rate limited or timed out,\n"
	"77 no key or auth failed, 78 config error.\n";

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	struct cli_opts o;
	cli_parse(argc, argv, &o, help, CLI_RECORDS | CLI_MODELS);
	if (!o.dry_run && (!o.list_models || o.remote_models))
		http_global_init_early();  /* beside the prompts and the history getting ready */
	struct session s;
	int st = session_config(&s, &o);
	if (o.remote_models && (!o.list_models || o.nwords > 1))
		cli_usage("--remote goes with --models, and names at most one provider");
	if (!st && o.list_models) {
		if (o.remote_models)
			st = remote_models_print(&s, o.nwords ? o.words[0] : NULL, o.json);
		else if (!(st = models_print(&s.models, o.json)))
			st = provdefs_print(provdefs_get(), o.json);
		session_close(&s);
		return cli_exit(st);
	}
	struct line_reader lr;
	lr_init(&lr, 0, INPUT_MAX);
	struct buf prompt = BUF_INIT(INPUT_MAX);
	int records = 0;
	if (!st)
		st = input_gather(&o, &lr, &prompt, &records);
	struct attachments atts;
	attachments_init(&atts);
	if (!st && o.prompt_jq && o.nwords) {
		error("--prompt-jq makes prompts from stdin's records: give no prompt words");
		st = EXIT_USAGE;
	}
	/* with prompt words, stdin's records are attachments for that prompt */
	if (!st && records && o.nwords)
		st = attachments_read(&atts, &lr);
	if (!st && records && !o.nwords) {
		struct parallel_opts bo = { .parallel = o.parallel ? o.parallel : 1, .ordered = o.ordered,
					 .skip_done = o.skip_done, .progress = isatty(2) && !o.quiet };
		st = parallel_run(&s, &lr, &bo);
		if (st > 128)
			st = 0; /* interrupted: the signal is re-raised below */
	} else if (!st) {
		st = ask_words(&s, buf_str(&prompt), &atts, o.json ? ASK_JSON : 0);
	}
	attachments_free(&atts);
	buf_free(&prompt);
	lr_free(&lr);
	session_close(&s);
	return cli_exit(st);
}
