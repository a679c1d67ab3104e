/* chat-history: the shared history, offline — list, show, search, export,
 * import, rm, rename, stats, prune. */
#include "paths.h"
#include "cli.h"
#include "diag.h"
#include "history/histio.h"
#include "history/histlog.h"
#include "history/histview.h"
#include "fdio.h"
#include "eachinput.h"
#include "history/store.h"
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-history [options] COMMAND [ARGS]\n"
	"The shared history of every exchange, offline.\n"
	"\n"
	"  list                  conversations, newest first\n"
	"  show ID|NAME          one conversation as a transcript\n"
	"  search QUERY          full-text search with highlighted snippets\n"
	"  export [ID|NAME...]   conversation and message records (all by default)\n"
	"  import [FILE...]      read export records (stdin by default)\n"
	"  rm ID|NAME...         remove conversations\n"
	"  rename ID|NAME NEW    give a conversation a new name\n"
	"  stats                 counts, tokens and size\n"
	"  prune --before DATE   remove conversations last updated before DATE\n"
	"  names                 names and ids, one per line (for completion)\n"
	"\n"
	"  -n, --limit N         at most N results (list/search; default 20, 0: all)\n"
	"      --offset N        skip the first N results\n"
	"      --model MODEL     search: only replies from MODEL\n"
	"      --since DATE      search: on or after DATE (YYYY-MM-DD)\n"
	"      --until DATE      search: before DATE\n"
	"      --before DATE     prune: the cut-off\n"
	"      --dry-run         prune: only count\n"
	"      --media           export: include attachments' bytes\n"
	"      --json            records instead of text\n"
	"      --db PATH         history database (default $CHAT_DB, else\n"
	"                        ~/.local/share/chat/history.db)\n"
	"  -q, --quiet           no summary lines on stderr\n"
	"  -v, --verbose         more detail on stderr\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"Examples:\n"
	"  chat-history search 'sigpipe' --since 2026-01-01\n"
	"  chat-history export nightly > nightly.ndjson\n"
	"  chat-history prune --before \"$(date -d '-90 days' +%F)\"\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 65 bad input or no such conversation,\n"
	"66 unreadable file, 73 cannot read or write the history.\n";

enum { O_OFFSET = 256, O_MODEL, O_SINCE, O_UNTIL, O_BEFORE, O_DRY, O_MEDIA, O_JSON, O_DB, O_VERSION };

static const struct option longopts[] = {
	{ "limit", required_argument, NULL, 'n' }, { "offset", required_argument, NULL, O_OFFSET },
	{ "model", required_argument, NULL, O_MODEL }, { "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL }, { "before", required_argument, NULL, O_BEFORE },
	{ "dry-run", no_argument, NULL, O_DRY }, { "media", no_argument, NULL, O_MEDIA },
	{ "json", no_argument, NULL, O_JSON }, { "db", required_argument, NULL, O_DB },
	{ "quiet", no_argument, NULL, 'q' }, { "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Resolve a conversation reference; prints why when it cannot. */
static int find(struct store *s, const char *ref, char id[STORE_ID_LEN + 1])
{
	int r = store_conv_find(s, ref, id);
	if (r == 1)
		error("no conversation '%s'", ref);
	return r == 0 ? 0 : r == 1 || r == -2 ? EXIT_DATAERR : EXIT_CANTCREAT;
}

struct import_totals {
	struct store *s;
	long conversations, messages;
};

static int import_one_input(void *ctx, int fd, const char *name)
{
	(void)name;
	struct import_totals *t = ctx;
	long c = 0, m = 0;
	int r = histio_import(t->s, fd, &c, &m);
	t->conversations += c;
	t->messages += m;
	return r;
}

static int import_files(struct store *s, int argc, char **argv, int quiet)
{
	struct import_totals t = { s, 0, 0 };
	int status = for_each_input(argc, argv, import_one_input, &t);
	if (!quiet)
		warn("imported %ld new conversations and %ld new messages", t.conversations, t.messages);
	return status;
}

static int command(struct store *s, const char *cmd, int argc, char **argv, struct view_opts *v,
		   const char *before, int dry, int media, int quiet)
{
	char id[STORE_ID_LEN + 1];
	int r;
	if (!strcmp(cmd, "list"))
		return histview_list(s, v);
	if (!strcmp(cmd, "stats"))
		return histview_stats(s, v);
	if (!strcmp(cmd, "search")) {
		if (argc < 1)
			die_usage("search needs a query", NULL);
		char q[4096] = "";
		for (int i = 0; i < argc; i++)
			snprintf(q + strlen(q), sizeof q - strlen(q), "%s%s", i ? " " : "", argv[i]);
		return histview_search(s, q, v);
	}
	if (!strcmp(cmd, "show")) {
		if (argc != 1)
			die_usage("show needs one conversation", NULL);
		return (r = find(s, argv[0], id)) ? r : histview_show(s, id, v);
	}
	if (!strcmp(cmd, "export")) {
		if (!argc)
			return histio_export_all(s, media, 1);
		for (int i = 0; i < argc; i++)
			if ((r = find(s, argv[i], id)) || (r = histio_export_one(s, id, media, 1)))
				return r;
		return 0;
	}
	if (!strcmp(cmd, "import"))
		return import_files(s, argc, argv, quiet);
	if (!strcmp(cmd, "rm")) {
		if (!argc)
			die_usage("rm needs a conversation", NULL);
		for (int i = 0; i < argc; i++)
			if ((r = find(s, argv[i], id)) || (r = histio_remove(s, id)))
				return r;
		return 0;
	}
	if (!strcmp(cmd, "rename")) {
		if (argc != 2)
			die_usage("rename needs a conversation and a new name", NULL);
		return (r = find(s, argv[0], id)) ? r : histio_rename(s, id, argv[1]);
	}
	if (!strcmp(cmd, "prune")) {
		long n = 0;
		r = histio_prune(s, before, &n, dry);
		if (!r && !quiet)
			warn("%s %ld conversations last updated before %s", dry ? "would remove" : "removed", n, before);
		return r;
	}
	if (!strcmp(cmd, "names"))
		return histview_names(s);
	die_usage("unknown command", cmd);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	struct view_opts v = { .limit = 20 };
	const char *db = NULL, *before = NULL;
	int dry = 0, media = 0, quiet = 0, c, limit_set = 0;
	opterr = 0;
	const char *shortopts = ":n:qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'n': v.limit = cli_number("--limit", optarg, 0, LONG_MAX); limit_set = 1; break;
		case O_OFFSET: v.offset = cli_number("--offset", optarg, 0, LONG_MAX); break;
		case O_MODEL: v.model = optarg; break;
		case O_SINCE: v.since = cli_date(optarg); break;
		case O_UNTIL: v.until = cli_date(optarg); break;
		case O_BEFORE: before = cli_date(optarg); break;
		case O_DRY: dry = 1; break;
		case O_MEDIA: media = 1; break;
		case O_JSON: v.json = 1; break;
		case O_DB: db = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	if (optind >= argc)
		die_usage("no command given", NULL);
	const char *cmd = argv[optind++];
	if (!strcmp(cmd, "prune") && !before)
		die_usage("prune needs --before DATE", NULL);
	if (!limit_set && v.json && !strcmp(cmd, "list"))
		v.limit = 0; /* records are for scripts: all of them */
	v.color = isatty(1) && !getenv("NO_COLOR") && !v.json;
	char path[4096];
	if (path_history(db, path, sizeof path) < 0)
		return EXIT_CANTCREAT;
	int writes = !strcmp(cmd, "import");
	struct store s;
	int nargs = argc - optind;
	if ((!strcmp(cmd, "show") && nargs != 1) || (!strcmp(cmd, "rm") && nargs < 1) ||
	    (!strcmp(cmd, "rename") && nargs != 2) || (!strcmp(cmd, "search") && nargs < 1))
		die_usage("wrong number of arguments for", cmd);
	int r = store_open(&s, path, writes ? STORE_CREATE : STORE_READ);
	if (r == 0 && strcmp(cmd, "stats"))
		histlog_spool_replay(&s); /* what the history could not take in time, first */
	if (r == 1) {
		/* no history yet: lists are empty, a named conversation is missing */
		if (!strcmp(cmd, "show") || !strcmp(cmd, "rm") || !strcmp(cmd, "rename")) {
			error("no conversation '%s': there is no history at %s yet", optind < argc ? argv[optind] : "", path);
			return EXIT_DATAERR;
		}
		if (!strcmp(cmd, "export") && optind < argc)
			return error("no conversation '%s': there is no history at %s yet", argv[optind], path), EXIT_DATAERR;
		int st = 0;
		if (!strcmp(cmd, "stats")) {
			if (v.json)
				st = histview_stats(NULL, &v);
			else if (!quiet)
				warn("no history at %s yet", path);
		}
		return cli_exit(st);
	}
	if (r)
		return r;
	r = command(&s, cmd, argc - optind, argv + optind, &v, before, dry, media, quiet);
	store_close(&s);
	return cli_exit(r);
}
