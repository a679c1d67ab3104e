/* chat-stream: send one prompt and write the reply's tokens to stdout the
 * moment they arrive. */
#include "ask.h"
#include "diag.h"
#include "input.h"
#include "iox.h"
#include "sig.h"
#include <unistd.h>

static const char help[] =
	"usage: chat-stream [options] [PROMPT...]\n"
	"Send one prompt and write the reply to stdout as it arrives.\n"
	"Words are the prompt; text on stdin is added after a blank line.\n"
	"\n"
	"  -m, --model MODEL        model or provider:model (default gpt-4o-mini)\n"
	"      --fallback MODEL     the next model when one stays unavailable\n"
	"  -s, --system TEXT        system prompt\n"
	"  -a, --attach FILE        attach an image or video (see chat-upload)\n"
	"      --max-tokens N       limit the reply's length\n"
	"      --temperature T      sampling temperature, 0 to 2\n"
	"      --max-cost USD       refuse a request that could cost more\n"
	"      --json               write delta records and a final response record\n"
	"      --text               read stdin as text even if it looks like records\n"
	"      --retries N          retries before the first token (default 2)\n"
	"      --connect-timeout S  seconds to connect (default 20)\n"
	"      --idle-timeout S     seconds of silence mid-reply (default 300)\n"
	"      --timeout S          seconds for a whole request (default none)\n"
	"  -c, --continue           continue the most recent conversation\n"
	"      --conversation REF   continue conversation ID or NAME (a new NAME is made)\n"
	"      --db PATH            history (default $CHAT_DB or ~/.local/share/chat)\n"
	"      --no-log             do not record the exchange in the history\n"
	"  -q, --quiet              no warnings on stderr, only errors\n"
	"  -v, --verbose            trace the HTTP exchange on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
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
	cli_parse(argc, argv, &o, help, 0);
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
	if (!st && records) {
		/* stdin's records are attachments for the prompt given as words */
		if (!o.nwords) {
			error("stdin holds records; chat-stream takes one prompt (use chat-send for records, or --text)");
			st = EXIT_USAGE;
		} else {
			st = attachments_read(&atts, &lr);
		}
	}
	if (!st)
		st = ask_words(&s, buf_str(&prompt), &atts, ASK_STREAM | (o.json ? ASK_JSON : 0));
	attachments_free(&atts);
	buf_free(&prompt);
	lr_free(&lr);
	session_close(&s);
	sig_reraise();
	if (close_stdout() < 0 && !st) {
		error("cannot write output");
		st = EXIT_CANTCREAT;
	}
	return st;
}
