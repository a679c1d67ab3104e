#include "repl/repl.h"
#include "ask/ask.h"
#include "diag.h"
#include "filetext.h"
#include "fdio.h"
#include "paths.h"
#include "sig.h"
#include "repl/waiting.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void repl_note(const struct repl *r, const char *fmt, ...)
{
	struct buf b = BUF_INIT(1 << 20);
	va_list ap;
	va_start(ap, fmt);
	if (r->colour)
		buf_adds(&b, "\033[2m");
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r->colour)
		buf_adds(&b, "\033[0m");
	buf_addc(&b, '\n');
	fflush(stdout);
	write_all(1, b.p, b.len);
	buf_free(&b);
}

int repl_store(struct repl *r, struct store *st, enum store_open_mode mode)
{
	char path[4096];
	if (path_history(r->o->db, path, sizeof path) < 0)
		return error("cannot find where the history is: set CHAT_DB or --db"), EXIT_CANTCREAT;
	return store_open(st, path, mode);
}

int repl_ask(struct repl *r, const char *prompt)
{
	struct session *s = &r->s;
	/* /file's blocks follow the prompt's words, as -f's do */
	struct buf whole = BUF_INIT(96u << 20);
	if (r->pending_files.len) {
		if (buf_adds(&whole, prompt) < 0 || buf_adds(&whole, "\n\n") < 0 ||
		    buf_add(&whole, r->pending_files.p, r->pending_files.len) < 0) {
			warn("the prompt with its files is too large");
			buf_free(&whole);
			return 0;
		}
		prompt = buf_str(&whole);
	}
	struct ask a = { .prompt = prompt, .id = jv_invalid(), .atts = r->pending.n ? &r->pending : NULL,
			 .mode = ASK_STREAM, .reply_copy = &r->last_reply,
			 .conversation = r->conv[0] ? r->conv : r->new_name };
	/* the conversation is named from now on: -c applied once */
	if (r->conv[0] || r->new_name)
		r->o->cont = 0;
	if (prompt != r->last_prompt) {
		char *copy = strdup(prompt);
		if (copy) {
			free(r->last_prompt);
			r->last_prompt = copy;
		}
	}
	struct waiting w;
	int indicator = isatty(2) && isatty(1) && !term_dumb();
	if (indicator) {
		waiting_start(&w, 2);
		a.before_output = waiting_stop_hook;
		a.before_output_ctx = &w;
		diag_before(waiting_stop_hook, &w);
	}
	fflush(stdout);
	ask_run(s, &a);
	if (indicator) {
		waiting_stop(&w);
		diag_before(NULL, NULL);
	}
	if (s->hist.logging && s->hist.conv[0] && strcmp(r->conv, s->hist.conv)) {
		memcpy(r->conv, s->hist.conv, sizeof r->conv);
		free(r->new_name);
		r->new_name = NULL;
	}
	attachments_free(&r->pending);
	attachments_init(&r->pending);
	buf_reset(&r->pending_files);
	buf_free(&whole);
	if (sig_caught == SIGINT || sig_caught == SIGPIPE) {
		/* ^C stops the reply, not the session: what arrived is kept, marked */
		sig_caught = 0;
		repl_note(r, "[interrupted]");
		return 0;
	}
	return sig_caught ? -1 : 0;
}

/* The conversation -c or --conversation names, looked up now so that every
 * turn goes to it; a --conversation name not in the history is made with
 * the first turn. 0 or an exit status. */
static int open_conversation(struct repl *r)
{
	struct cli_opts *o = r->o;
	if (!o->cont && !o->conversation)
		return 0;
	struct store st;
	int found = 1, e = repl_store(r, &st, STORE_READ);
	if (e > 1)
		return e;
	if (e == 0) {
		found = o->conversation ? store_conv_find(&st, o->conversation, r->conv)
					: store_conv_latest(&st, r->conv);
		store_close(&st);
		if (found < 0)
			return found == -2 ? EXIT_DATAERR : EXIT_CANTCREAT;
	}
	if (found == 1) {
		r->conv[0] = '\0';
		if (o->conversation && !(r->new_name = strdup(o->conversation)))
			return error("out of memory"), EXIT_SOFTWARE;
		if (!o->conversation)
			repl_note(r, "no conversation to continue: starting a new one");
	}
	o->cont = 0;
	o->conversation = NULL;
	return 0;
}

/* --no-log: the session still needs its turns as context, so they go to a
 * history of its own that is removed when the session ends. */
static char scratch_dir[4096], scratch_db[4200];

static int scratch_history(struct cli_opts *o)
{
	if (scratch_dir_make("chat-session", scratch_dir, sizeof scratch_dir) < 0) {
		scratch_dir[0] = '\0';
		return error("cannot make a folder for --no-log's history: %s", strerror(errno)), EXIT_CANTCREAT;
	}
	snprintf(scratch_db, sizeof scratch_db, "%s/history.db", scratch_dir);
	o->db = scratch_db;
	o->no_log = 0;
	return 0;
}

static void banner(const struct repl *r)
{
	if (r->o->quiet)
		return;
	const char *conv = r->conv[0] ? r->conv : r->new_name;
	repl_note(r, "chat %s, %s%s%s. /help lists the commands; Ctrl-D leaves.", CHAT_VERSION, r->s.model_name,
		  conv ? " in " : "", conv ? conv : "");
}

static const char *prompt_text(const struct repl *r)
{
	return r->colour ? "\001\033[1m\001>\001\033[0m\001 " : "> ";
}

int repl_run(struct cli_opts *o)
{
	static struct repl r; /* big, and one per run */
	memset(&r, 0, sizeof r);
	r.o = o;
	r.images = -1;
	r.colour = colour_on(1);
	buf_init(&r.last_reply, 256u << 20);
	attachments_init(&r.pending);
	buf_init(&r.pending_files, 64u << 20);
	r.model_chosen = o->model && *o->model;
	int st = o->no_log ? scratch_history(o) : 0;
	if (!st)
		st = session_config(&r.s, o);
	if (!st)
		st = open_conversation(&r);
	char conv_model[256];
	if (!st)
		st = session_model(&r.s, r.model_chosen || !r.conv[0] ? NULL
					 : ask_conversation_model(&r.s, r.conv, conv_model, sizeof conv_model));
	char why[700];
	if (!st && o->nfiles && (st = filetext_append(&r.pending_files, o->files, o->nfiles, why, sizeof why)))
		error("%s", why);
	char hist[4096];
	if (!st) {
		r.le = lineedit_open(progname, lineedit_history_path(hist, sizeof hist) == 0 ? hist : NULL,
				     repl_complete, &r);
		if (!r.le)
			st = (error("cannot start line editing on this terminal"), EXIT_SOFTWARE);
	}
	if (!st)
		banner(&r);
	struct buf line = BUF_INIT(64u << 20);
	while (!st && !r.quit) {
		/* a ^C that came between reply and prompt has nothing left to stop */
		if (sig_caught == SIGINT)
			sig_caught = 0;
		int got = lineedit_read(r.le, prompt_text(&r), &line);
		if (got < 0) {
			if (sig_caught && sig_caught != SIGINT)
				break;
			sig_caught = 0; /* ^C at the prompt: the line is gone, the session stays */
			continue;
		}
		if (got == 0) {
			write_all(1, "\n", 1);
			break;
		}
		char *text = (char *)buf_str(&line);
		text += strspn(text, " \t"); /* a leading space only kept the line out of the input history */
		size_t n = strlen(text);
		while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
			text[--n] = '\0';
		if (!n)
			continue;
		/* "//..." sends a prompt that starts with a slash */
		lineedit_busy(r.le);
		int end = text[0] == '/' && text[1] != '/' ? repl_command(&r, text)
			: repl_ask(&r, text[0] == '/' ? text + 1 : text);
		lineedit_idle(r.le);
		if (end < 0)
			break;
	}
	buf_free(&line);
	lineedit_close(r.le);
	attachments_free(&r.pending);
	buf_free(&r.pending_files);
	buf_free(&r.last_reply);
	free(r.last_prompt);
	free(r.new_name);
	free(r.model_choice);
	free(r.system_choice);
	int hist_status = r.s.hist.status;
	session_close(&r.s);
	if (scratch_dir[0])
		scratch_dir_remove(scratch_dir); /* the history and whatever it kept beside it */
	return st ? st : hist_status;
}
