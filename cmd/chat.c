/* chat: the front door. On a terminal with no prompt it opens an
 * interactive session; otherwise it runs the suite's programs the way git
 * runs its commands: "chat send ..." is chat-send, a prompt given as words
 * is chat-stream's, text on stdin is chat-send's. */
#include "cli.h"
#include "net/http.h"
#include "diag.h"
#include "repl/repl.h"
#include "sig.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat [options]                 talk in a session (on a terminal)\n"
	"       chat [options] PROMPT...       one prompt, its reply streamed\n"
	"       chat PROGRAM [ARGS...]         run chat-PROGRAM\n"
	"Text on stdin, not a terminal, makes chat run chat-send with the same arguments.\n"
	"\n"
	"Programs:\n"
	"  stream    send one prompt and write the reply as it arrives\n"
	"  send      send prompts or prompt records; print complete replies\n"
	"  history   list, show, search, export and import the history\n"
	"  upload    make images, PDFs, audio and video ready for a model\n"
	"  cost      token counts, spend, budgets\n"
	"  image     generate images\n"
	"  batch     large jobs through the providers' batch APIs\n"
	"  split     cut long input into parts that fit a model\n"
	"  key       store, list and remove API keys\n"
	"\n"
	"Session options:\n"
	"  -m, --model MODEL        model or provider:model\n"
	"  -s, --system TEXT        system prompt\n"
	"  -c, --continue           continue the most recent conversation\n"
	"      --conversation REF   continue conversation ID or NAME (a new NAME is made)\n"
	"  -f, --file PATH|URL      add a text file (folder, glob) to the first prompt\n"
	"      --raw                show replies as sent, not rendered from Markdown\n"
	"      --db PATH            the history (default $CHAT_DB, else the data folder)\n"
	"  -q, --quiet              no banner and no warnings\n"
	"  -v, --verbose            trace the HTTP exchanges on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"chat-stream's other options (--max-tokens, --temperature, --fallback, ...)\n"
	"apply to a session too; see chat(1). In a session, /help lists the commands.\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 73 history not written, 77 no key or auth\n"
	"failed, 78 config error; a program run by chat exits as that program does.\n";

static const char *const programs[] = {
	"stream", "send", "history", "upload", "cost", "image", "batch", "split", "key", NULL,
};

/* Run chat-NAME with args (args[0] is replaced): the one beside this
 * program first, then the PATH's. Returns only when neither can run. */
static int run_program(const char *name, char **args)
{
	char self[PATH_MAX], path[PATH_MAX + 64], prog[64];
	snprintf(prog, sizeof prog, "chat-%s", name);
	args[0] = prog;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, prog);
			if (access(path, X_OK) == 0)
				execv(path, args);
		}
	}
	execvp(prog, args);
	error("cannot run %s: %s", prog, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static int is_program(const char *word)
{
	for (const char *const *p = programs; *p; p++)
		if (!strcmp(*p, word))
			return 1;
	return 0;
}

/* Flags a session cannot honour: each is for one prompt's output. */
static void refuse_session_flags(const struct cli_opts *o)
{
	const char *bad = o->json ? "--json" : o->prompt_jq ? "--prompt-jq" : o->schema ? "--schema"
			: o->data_only ? "--data" : o->extract || o->extract_all || o->extract_lang ? "--extract"
			: o->dry_run ? "--dry-run" : o->nattach ? "--attach (use /attach in the session)"
			: o->template_name ? "--template" : NULL;
	if (bad)
		cli_usage("%s is for one prompt, not a session: give the prompt as words, or use chat-stream", bad);
}

/* -h or --version anywhere before "--" is chat's own, wherever the rest would go */
static int asks_about_chat(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "--version"))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	diag_init("chat");
	if (argc > 1 && is_program(argv[1]))
		return run_program(argv[1], argv + 1);
	int terminal = isatty(0) && isatty(1);
	if (!isatty(0) && !asks_about_chat(argc, argv))
		return run_program("send", argv);
	struct cli_opts o;
	cli_parse(argc, argv, &o, help, CLI_RENDER);
	if (o.nwords || !terminal)
		return run_program(o.nwords ? "stream" : "send", argv);
	refuse_session_flags(&o);
	sig_install();
	http_global_init_early();  /* done by the first prompt typed */
	if (!o.render_given)
		o.render = 1; /* a session renders unless --raw */
	return cli_exit(repl_run(&o));
}
