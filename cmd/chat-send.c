/* chat-send: send one prompt, or a stream of prompt records, and print each
 * complete reply. */
#include "ask.h"
#include "diag.h"
#include "input.h"
#include "iox.h"
#include "jsonx.h"
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
	"  -m, --model MODEL        model or provider:model (default gpt-4o-mini;\n"
	"                           providers: openai anthropic gemini ollama)\n"
	"  -s, --system TEXT        system prompt\n"
	"  -a, --attach FILE        attach an image or video (see chat-upload)\n"
	"      --max-tokens N       limit the reply's length\n"
	"      --temperature T      sampling temperature, 0 to 2\n"
	"      --json               write a response record instead of the text\n"
	"  -r, --records            read prompt records from stdin\n"
	"      --models             list the model table (--json: records)\n"
	"      --text               read stdin as text even if it looks like records\n"
	"      --retries N          retries on 408, 409, 429, 5xx, network (default 2)\n"
	"      --connect-timeout S  seconds to connect (default 20)\n"
	"      --idle-timeout S     seconds of silence before giving up (default 300)\n"
	"  -c, --continue           continue the most recent conversation\n"
	"      --conversation REF   continue conversation ID or NAME (a new NAME is made)\n"
	"      --db PATH            history database (default $CHAT_DB, else\n"
	"                           ~/.local/share/chat/history.db)\n"
	"      --no-log             do not record the exchange in the history\n"
	"  -q, --quiet              no error messages for failed records\n"
	"  -v, --verbose            trace the HTTP exchange on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"\n"
	"Examples:\n"
	"  chat-send 'Name three Unix signals'\n"
	"  summary=$(chat-send 'Summarise this:' < notes.txt)\n"
	"  jq -c '{type:\"prompt\",id:.n,text:.q}' q.ndjson | chat-send -r > a.ndjson\n"
	"\n"
	"Exit status: 0 ok, 1 some records failed, 64 usage, 65 bad input,\n"
	"69 provider unavailable, 75 rate limited or timed out, 77 no key or auth\n"
	"failed, 78 config error.\n";

struct batch {
	struct session *s;
	int failed, fatal;
};

static int fail_record(struct batch *b, jv id, enum err_code code, const char *msg)
{
	struct chat_error e = { 0 };
	err_set(&e, code, 0, "%s", msg);
	if (!b->s->opts->quiet && strncmp(msg, "line ", 5) == 0 && !strstr(msg, "invalid JSON") &&
	    !strstr(msg, "a record must") && !strstr(msg, "a record needs"))
		warn("%s", msg); /* the record loop has already reported lines it could not parse */
	b->failed++;
	if (jx_write_line(1, error_record(id, &e)) < 0) {
		b->fatal = error("cannot write output: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static int one_record(void *ctx, long lineno, jv rec, const char *why)
{
	struct batch *b = ctx;
	char msg[512];
	if (why) {
		snprintf(msg, sizeof msg, "line %ld: %s", lineno, why);
		return fail_record(b, jv_invalid(), ERR_BAD_INPUT, msg);
	}
	jv id = jx_get(rec, "id");
	char type[32] = "", model[256] = "";
	jx_str(rec, "type", type, sizeof type);
	jv text = jx_get(rec, "text"), system = jx_get(rec, "system"), conv = jx_get(rec, "conversation");
	jv list = jx_get(rec, "attachments");
	struct attachments atts;
	attachments_init(&atts);
	char bad[256] = "";
	int na = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	for (int i = 0; i < na && !bad[0]; i++) {
		jv one = jv_array_get(jv_copy(list), i);
		attachments_add(&atts, one, bad, sizeof bad);
		jv_free(one);
	}
	if (jv_is_valid(list) && jv_get_kind(list) != JV_KIND_ARRAY && jv_get_kind(list) != JV_KIND_NULL)
		snprintf(bad, sizeof bad, "\"attachments\" must be a list");
	jv_free(list);
	int rc = 0;
	if (strcmp(type, "prompt")) {
		snprintf(msg, sizeof msg, "line %ld: a %s record is not a prompt", lineno, type);
		rc = fail_record(b, id, ERR_BAD_INPUT, msg);
	} else if (bad[0]) {
		snprintf(msg, sizeof msg, "line %ld: %s", lineno, bad);
		rc = fail_record(b, id, ERR_BAD_INPUT, msg);
	} else if (jv_get_kind(text) != JV_KIND_STRING || !jv_string_length_bytes(jv_copy(text))) {
		snprintf(msg, sizeof msg, "line %ld: a prompt record needs a non-empty \"text\"", lineno);
		rc = fail_record(b, id, ERR_BAD_INPUT, msg);
	} else {
		jx_str(rec, "model", model, sizeof model);
		int st = session_model(b->s, model[0] ? model : NULL);
		if (st) {
			snprintf(msg, sizeof msg, "line %ld: cannot use model %s", lineno,
				 model[0] ? model : b->s->model_name);
			rc = fail_record(b, id, st == EXIT_NOPERM ? ERR_AUTH : ERR_BAD_INPUT, msg);
		} else {
			struct ask a = { .prompt = jv_string_value(text), .id = id, .mode = ASK_JSON | ASK_BATCH, .atts = &atts,
					 .system = jv_get_kind(system) == JV_KIND_STRING ? jv_string_value(system) : NULL,
					 .conversation = jv_get_kind(conv) == JV_KIND_STRING ? jv_string_value(conv) : NULL };
			st = ask_run(b->s, &a);
			if (sig_caught) {
				rc = 1;
			} else if (st == EXIT_CANTCREAT) {
				b->fatal = st;
				rc = 1;
			} else if (st) {
				b->failed++;
			}
		}
	}
	jv_free(text);
	jv_free(system);
	jv_free(conv);
	attachments_free(&atts);
	jv_free(id);
	jv_free(rec);
	return rc;
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	struct cli_opts o;
	cli_parse(argc, argv, &o, help, CLI_RECORDS | CLI_MODELS);
	struct session s;
	int st = session_config(&s, &o);
	if (!st && o.list_models) {
		st = models_print(&s.models, o.json);
		session_close(&s);
		return st ? st : close_stdout() < 0 ? EXIT_CANTCREAT : 0;
	}
	struct line_reader lr;
	lr_init(&lr, 0, INPUT_MAX);
	struct buf prompt = BUF_INIT(INPUT_MAX);
	int records = 0;
	if (!st)
		st = input_gather(&o, &lr, &prompt, &records);
	struct attachments atts;
	attachments_init(&atts);
	/* with prompt words, stdin's records are attachments for that prompt */
	if (!st && records && o.nwords)
		st = attachments_read(&atts, &lr);
	if (!st && records && !o.nwords) {
		struct batch b = { .s = &s };
		if (records_each(&lr, one_record, &b) == -1 && !b.fatal && !sig_caught)
			b.fatal = EXIT_DATAERR;
		st = b.fatal ? (b.fatal < 0 ? EXIT_CANTCREAT : b.fatal)
		     : s.hist.status ? s.hist.status : b.failed ? EXIT_PARTIAL : 0;
	} else if (!st) {
		st = ask_words(&s, buf_str(&prompt), &atts, o.json ? ASK_JSON : 0);
	}
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
