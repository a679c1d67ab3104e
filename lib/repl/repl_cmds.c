/* The session's /commands: each a row of one table, which /help lists and
 * Tab completes from. */
#include "repl/repl.h"
#include "ask/ask.h"
#include "base64.h"
#include "clock.h"
#include "cost/tally.h"
#include "diag.h"
#include "filetext.h"
#include "fdio.h"
#include "history/histio.h"
#include "history/histview.h"
#include "imagegen/imagerun.h"
#include "sig.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum arg_kind { ARG_NONE, ARG_TEXT, ARG_MODEL, ARG_CONVERSATION, ARG_FILE };

struct command {
	const char *name, *args, *help;
	enum arg_kind arg;
	int needs_arg;
	int (*run)(struct repl *r, char *arg);
};

static const struct command commands[];

static int cmd_help(struct repl *r, char *arg)
{
	struct buf b = BUF_INIT(1 << 16);
	for (const struct command *c = commands; c->name; c++) {
		char head[64];
		snprintf(head, sizeof head, "/%s%s%s", c->name, c->args ? " " : "", c->args ? c->args : "");
		buf_addf(&b, "  %-20s %s\n", head, c->help);
	}
	buf_adds(&b, "  //TEXT               send TEXT with its leading slash\n"
		     "  \"\"\"                  start, and end, a prompt of several lines\n"
		     "Ctrl-C stops a reply (what arrived is kept) or clears the line; Ctrl-D leaves.\n");
	fflush(stdout);
	write_all(1, b.p, b.len);
	buf_free(&b);
	return 0;
}

static int cmd_quit(struct repl *r, char *arg)
{
	r->quit = 1;
	return 0;
}

/* 0 with the conversation's id; 1 when there is none (said unless quiet);
 * -1 when the history cannot be read or the reference is ambiguous (said). */
static int find_conversation(struct repl *r, const char *ref, char id[STORE_ID_LEN + 1], int quiet)
{
	struct store st;
	int e = repl_store(r, &st, STORE_READ);
	if (e == 1) {
		if (!quiet)
			warn("no conversation '%s': there is no history yet", ref);
		return 1;
	}
	if (e)
		return -1;
	int found = store_conv_find(&st, ref, id);
	store_close(&st);
	if (found == 1 && !quiet)
		warn("no conversation '%s' (/list shows them)", ref);
	return found == 0 || found == 1 ? found : -1;
}

static int cmd_new(struct repl *r, char *arg)
{
	char id[STORE_ID_LEN + 1];
	if (arg && find_conversation(r, arg, id, 1) == 0) {
		warn("a conversation named '%s' exists: /switch %s continues it", arg, arg);
		return 0;
	}
	free(r->new_name);
	r->new_name = arg ? strdup(arg) : NULL;
	r->conv[0] = '\0';
	repl_note(r, "A new conversation%s%s starts with the next prompt.", arg ? ", " : "", arg ? arg : "");
	return 0;
}

/* The model a conversation continues with, unless -m or /model chose one. */
static void follow_conversation_model(struct repl *r)
{
	char model[256];
	const char *m = r->model_chosen ? NULL : ask_conversation_model(&r->s, r->conv, model, sizeof model);
	if (m && strcmp(m, r->s.model_name))
		session_switch_model(&r->s, m);
}

static int cmd_switch(struct repl *r, char *arg)
{
	char id[STORE_ID_LEN + 1];
	if (find_conversation(r, arg, id, 0) != 0)
		return 0;
	memcpy(r->conv, id, sizeof r->conv);
	free(r->new_name);
	r->new_name = NULL;
	follow_conversation_model(r);
	repl_note(r, "Now in %s, with %s.", arg, r->s.model_name);
	return 0;
}

static int cmd_list(struct repl *r, char *arg)
{
	struct store st;
	int e = repl_store(r, &st, STORE_READ);
	if (e == 1)
		repl_note(r, "No conversations yet.");
	if (e)
		return 0;
	struct view_opts v = { .color = r->colour, .limit = 20 };
	fflush(stdout);
	histview_list(&st, &v);
	store_close(&st);
	return 0;
}

static int need_conversation(struct repl *r)
{
	if (r->conv[0])
		return 1;
	repl_note(r, "This conversation has no turns yet.");
	return 0;
}

static int cmd_history(struct repl *r, char *arg)
{
	struct store st;
	if (!need_conversation(r) || repl_store(r, &st, STORE_READ))
		return 0;
	struct view_opts v = { .color = r->colour };
	fflush(stdout);
	histview_show(&st, r->conv, &v);
	store_close(&st);
	return 0;
}

static int cmd_rename(struct repl *r, char *arg)
{
	if (!r->conv[0]) {
		/* not in the history yet: the name waits for the first turn */
		free(r->new_name);
		r->new_name = strdup(arg);
		repl_note(r, "The conversation will be named %s.", arg);
		return 0;
	}
	struct store st;
	if (repl_store(r, &st, STORE_CREATE))
		return 0;
	if (histio_rename(&st, r->conv, arg) == 0)
		repl_note(r, "Renamed to %s.", arg);
	store_close(&st);
	return 0;
}

static int cmd_model(struct repl *r, char *arg)
{
	if (!arg) {
		repl_note(r, "%s (%s)", r->s.model_name, r->s.prov->name);
		return 0;
	}
	char *name = strdup(arg);
	if (!name)
		return 0;
	if (session_switch_model(&r->s, name) == 0) {
		free(r->model_choice);
		r->model_choice = name;
		r->o->model = name;
		r->model_chosen = 1;
		repl_note(r, "Now with %s (%s).", r->s.model_name, r->s.prov->name);
	} else {
		free(name);
	}
	return 0;
}

static int cmd_system(struct repl *r, char *arg)
{
	if (!arg) {
		const char *sys = r->o->system ? r->o->system : r->s.hist.system;
		repl_note(r, "%s", sys && *sys ? sys : "No system prompt.");
		return 0;
	}
	char *copy = strdup(arg);
	if (!copy)
		return 0;
	free(r->system_choice);
	r->system_choice = copy;
	r->o->system = copy;
	repl_note(r, "The system prompt is set for the next turns.");
	return 0;
}

static int cmd_attach(struct repl *r, char *arg)
{
	size_t before = r->pending.n;
	const char *files[1] = { arg };
	if (ask_attach(&r->s, &r->pending, files, 1) != 0)
		return 0;
	for (size_t i = before; i < r->pending.n; i++) {
		const struct attachment *a = &r->pending.v[i];
		if (a->width)
			repl_note(r, "Attached %s: %s, %dx%d, sent with the next prompt.", arg, a->mime, a->width, a->height);
		else
			repl_note(r, "Attached %s: %s, sent with the next prompt.", arg, a->mime);
		if (!strncmp(a->mime, "image/", 6))
			repl_show_image(r, arg);
	}
	return 0;
}

/* /file: a text file's block (a folder's, a pattern's, a URL's) for the next prompt. */
static int cmd_file(struct repl *r, char *arg)
{
	char why[700];
	size_t before = r->pending_files.len;
	const char *paths[1] = { arg };
	int st = filetext_append(&r->pending_files, paths, 1, why, sizeof why);
	if (st) {
		r->pending_files.len = before; /* none of this path's blocks, if one failed */
		if (r->pending_files.p)
			r->pending_files.p[before] = 0;
		if (st < 128)
			error("%s", why);
		return 0;
	}
	repl_note(r, "Added %s (%zu bytes with its fences), sent with the next prompt.", arg,
		  r->pending_files.len - before);
	return 0;
}

/* /image: chat-image's run, with its default model and file names. */
static int cmd_image(struct repl *r, char *arg)
{
	static struct session is;
	struct cli_opts io = *r->o;
	io.model = NULL;
	io.json = 0;
	io.conversation = NULL;
	io.cont = 0;
	struct imagerun ir;
	memset(&ir, 0, sizeof ir);
	ir.s = &is;
	ir.count = 1;
	ir.fo.count = 1;
	ir.fo.want = IMG_UNKNOWN;
	ir.rq.prompt = ir.fo.prompt = arg;
	int st = session_config(&is, &io);
	if (!st)
		st = imagerun_model(&ir, imagerun_pick_model(NULL, &is.cfg), 0);
	if (!st) {
		char why[400], ratio[16];
		if ((st = imagegen_check(&ir.rq, ratio, sizeof ratio, why, sizeof why)))
			error("%s", why);
	}
	if (!st)
		st = imagerun_budget(&ir);
	if (!st) {
		struct histlog_start hs = { .db_flag = io.db, .no_log = io.no_log, .prompt = arg };
		st = histlog_begin(&is.hist, &hs);
		if (!st) {
			fflush(stdout);
			imagerun_go(&ir);
		}
	}
	for (size_t i = 0; i < ir.nfiles; i++)
		repl_show_image(r, ir.files[i].path);
	imagerun_free(&ir);
	session_close(&is);
	if (sig_caught == SIGINT || sig_caught == SIGPIPE) {
		sig_caught = 0;
		repl_note(r, "[interrupted]");
	}
	return sig_caught ? -1 : 0;
}

static int cmd_retry(struct repl *r, char *arg)
{
	if (!r->last_prompt) {
		repl_note(r, "Nothing to ask again yet.");
		return 0;
	}
	return repl_ask(r, r->last_prompt);
}

static int cmd_cost(struct repl *r, char *arg)
{
	struct store st;
	int e = repl_store(r, &st, STORE_READ);
	if (e == 1)
		repl_note(r, "Nothing spent yet.");
	if (e)
		return 0;
	char now[40], today[16];
	clock_rfc3339(now, sizeof now); /* as chat-cost --budget reads the day, $CHAT_NOW and all */
	snprintf(today, sizeof today, "%.10s", now);
	double conv_usd = 0, day_usd = 0;
	long requests = 0, conv_unpriced = 0, day_unpriced = 0;
	if (r->conv[0] && tally_conversation(&st, r->conv, &conv_usd, &requests, &conv_unpriced) == 0)
		repl_note(r, "This conversation: $%.4f in %ld repl%s%s", conv_usd, requests, requests == 1 ? "y" : "ies",
			  conv_unpriced ? " (some without a known price)" : "");
	else if (!r->conv[0])
		repl_note(r, "This conversation: nothing yet");
	if (tally_spent(&st, today, &day_usd, &day_unpriced) == 0)
		repl_note(r, "Today (UTC): $%.4f%s", day_usd, day_unpriced ? " (some without a known price)" : "");
	store_close(&st);
	return 0;
}

static int need_reply(struct repl *r)
{
	if (r->last_reply.len)
		return 1;
	repl_note(r, "No reply yet.");
	return 0;
}

/* The terminal's clipboard (OSC 52), which also reaches the local
 * clipboard through ssh and tmux where the terminal allows it. */
static int cmd_copy(struct repl *r, char *arg)
{
	if (!need_reply(r))
		return 0;
	struct buf b = BUF_INIT(512u << 20);
	if (buf_adds(&b, "\033]52;c;") == 0 && base64_encode(r->last_reply.p, r->last_reply.len, &b) == 0 &&
	    buf_adds(&b, "\a") == 0) {
		fflush(stdout);
		write_all(1, b.p, b.len);
		repl_note(r, "Copied the last reply (%zu bytes) to the terminal's clipboard.", r->last_reply.len);
	}
	buf_free(&b);
	return 0;
}

static int cmd_save(struct repl *r, char *arg)
{
	if (!need_reply(r))
		return 0;
	if (write_file_atomic(arg, r->last_reply.p, r->last_reply.len, 0644, 0) < 0)
		warn("cannot save %s: %s", arg, strerror(errno));
	else
		repl_note(r, "Saved the last reply to %s.", arg);
	return 0;
}

static const struct command commands[] = {
	{ "new", "[NAME]", "start a new conversation", ARG_TEXT, 0, cmd_new },
	{ "list", NULL, "the recent conversations", ARG_NONE, 0, cmd_list },
	{ "switch", "REF", "continue conversation REF (name or id)", ARG_CONVERSATION, 1, cmd_switch },
	{ "rename", "NAME", "name this conversation", ARG_TEXT, 1, cmd_rename },
	{ "model", "[MODEL]", "show or change the model", ARG_MODEL, 0, cmd_model },
	{ "system", "[TEXT]", "show or set the system prompt", ARG_TEXT, 0, cmd_system },
	{ "attach", "FILE", "attach an image, PDF, audio or video to the next prompt", ARG_FILE, 1, cmd_attach },
	{ "file", "PATH", "add a text file (a folder, a glob, a URL) to the next prompt", ARG_FILE, 1, cmd_file },
	{ "image", "PROMPT", "generate an image (as chat-image does)", ARG_TEXT, 1, cmd_image },
	{ "retry", NULL, "ask the last prompt again", ARG_NONE, 0, cmd_retry },
	{ "cost", NULL, "the spend of this conversation and of today", ARG_NONE, 0, cmd_cost },
	{ "copy", NULL, "copy the last reply to the clipboard", ARG_NONE, 0, cmd_copy },
	{ "save", "FILE", "write the last reply to FILE", ARG_FILE, 1, cmd_save },
	{ "history", NULL, "this conversation's transcript", ARG_NONE, 0, cmd_history },
	{ "help", NULL, "this list", ARG_NONE, 0, cmd_help },
	{ "quit", NULL, "leave (so does Ctrl-D)", ARG_NONE, 0, cmd_quit },
	{ NULL, NULL, NULL, ARG_NONE, 0, NULL },
};

int repl_command(struct repl *r, char *line)
{
	char *name = line + 1, *arg = name + strcspn(name, " \t");
	if (*arg) {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
	}
	if (!*arg)
		arg = NULL;
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, name) && !(c->run == cmd_quit && !strcmp(name, "exit")))
			continue;
		if (c->needs_arg && !arg) {
			warn("usage: /%s %s", c->name, c->args);
			return 0;
		}
		if (!c->args && arg) {
			warn("/%s takes no argument", c->name);
			return 0;
		}
		return c->run(r, arg);
	}
	warn("unknown command /%s: /help lists them (//%s sends it as a prompt)", name, name);
	return 0;
}

/* Tab after "/model ": the model table's names. */
static void complete_models(struct repl *r, const char *word, struct completions *out)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < r->s.models.n; i++)
		if (!strncmp(r->s.models.v[i].name, word, n))
			completions_add(out, r->s.models.v[i].name);
}

struct name_match {
	const char *word;
	struct completions *out;
};

static int add_name(void *ctx, const char *name)
{
	struct name_match *m = ctx;
	if (!strncmp(name, m->word, strlen(m->word)))
		return completions_add(m->out, name) < 0;
	return 0;
}

static void complete_conversations(struct repl *r, const char *word, struct completions *out)
{
	struct store st;
	if (repl_store(r, &st, STORE_READ))
		return;
	struct name_match m = { word, out };
	histview_each_name(&st, add_name, &m);
	store_close(&st);
}

/* Tab after "/attach ", "/file " or "/save ": the files, folders ending in "/". */
static void complete_files(const char *word, struct completions *out)
{
	const char *slash = strrchr(word, '/');
	size_t dirlen = slash ? (size_t)(slash - word) + 1 : 0;
	char dir[4096];
	snprintf(dir, sizeof dir, "%.*s", (int)(dirlen ? dirlen : 1), dirlen ? word : ".");
	const char *base = word + dirlen;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || strncmp(e->d_name, base, strlen(base)))
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue; /* hidden, unless asked for */
		char full[4096 + 256];
		snprintf(full, sizeof full, "%.*s%s", (int)dirlen, word, e->d_name);
		struct stat sb;
		int is_dir = stat(dirlen ? full : e->d_name, &sb) == 0 && S_ISDIR(sb.st_mode);
		if (is_dir)
			strcat(full, "/");
		completions_add(out, full);
	}
	closedir(d);
	if (out->n == 1 && out->v[0][strlen(out->v[0]) - 1] == '/')
		out->no_space = 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void repl_complete(void *ctx, const char *line, struct completions *out)
{
	struct repl *r = ctx;
	if (line[0] != '/')
		return;
	const char *sp = strchr(line, ' ');
	if (!sp) {
		out->start = 1;
		for (const struct command *c = commands; c->name; c++)
			if (!strncmp(c->name, line + 1, strlen(line + 1)))
				completions_add(out, c->name);
		return;
	}
	const char *word = sp + strspn(sp, " ");
	out->start = (size_t)(word - line);
	size_t namelen = (size_t)(sp - line - 1);
	for (const struct command *c = commands; c->name; c++) {
		if (strlen(c->name) != namelen || strncmp(c->name, line + 1, namelen))
			continue;
		if (c->arg == ARG_MODEL)
			complete_models(r, word, out);
		else if (c->arg == ARG_CONVERSATION)
			complete_conversations(r, word, out);
		else if (c->arg == ARG_FILE)
			complete_files(word, out);
		break;
	}
	if (out->n > 1 && out->v)
		qsort(out->v, out->n, sizeof *out->v, by_name);
}
