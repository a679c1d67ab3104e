/* chat-cost: what the chats cost — totals from response records or the
 * history, token counts before sending, and a budget gate for cron. */
#include "paths.h"
#include "clock.h"
#include "config.h"
#include "cost/count.h"
#include "history/histlog.h"
#include "cli.h"
#include "diag.h"
#include "numparse.h"
#include "fdio.h"
#include "eachinput.h"
#include "records.h"
#include "history/store.h"
#include "cost/tally.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-cost [options] [FILE...]\n"
	"       chat-cost --count [-m MODEL] [FILE...]\n"
	"       chat-cost --budget USD [--period day|month]\n"
	"Spend and usage from response records (stdin or FILEs) or the history,\n"
	"token counts before anything is sent, and a budget gate for scripts.\n"
	"\n"
	"      --history         add up the history (the default on a terminal)\n"
	"      --by LIST         group by model, provider, day, month, conversation,\n"
	"                        kind (batch or direct; comma-separated; default model)\n"
	"      --since DATE      only replies on or after DATE (YYYY-MM-DD, UTC)\n"
	"      --until DATE      only replies before DATE\n"
	"      --count           count the tokens of text or prompt records, and\n"
	"                        their input cost, offline\n"
	"  -m, --model MODEL     the model to count and price for\n"
	"      --encoding NAME   count with o200k_base or cl100k_base\n"
	"  -f, --file PATH       --count: the blocks chat-send -f PATH would add\n"
	"  -r, --records         --count: read prompt records\n"
	"      --text            --count: read plain text even if it looks like records\n"
	"      --budget USD      exit 3 when the history's spend this period reached USD\n"
	"      --period P        day or month (UTC; default month)\n"
	"      --json            cost (or count) records instead of a table\n"
	"      --db PATH         history database (default $CHAT_DB, else\n"
	"                        ~/.local/share/chat/history.db)\n"
	"  -q, --quiet           no notes on stderr\n"
	"  -v, --verbose         more detail on stderr\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"Examples:\n"
	"  chat-cost --by day,model --since 2026-11-01\n"
	"  chat-send --json -r < prompts.ndjson | tee out.ndjson | chat-cost\n"
	"  chat-cost --count -m gpt-4o < report.txt\n"
	"  chat-cost --budget 20 --period month && chat-send -c 'digest' < log.txt\n"
	"\n"
	"Exit status: 0 ok, 3 budget reached, 64 usage, 65 bad input,\n"
	"66 unreadable file, 73 cannot read the history, 78 bad config.\n";

enum { O_HISTORY = 256, O_BY, O_SINCE, O_UNTIL, O_COUNT, O_ENCODING, O_TEXT, O_BUDGET, O_PERIOD,
       O_JSON, O_DB, O_VERSION };

static const struct option longopts[] = {
	{ "history", no_argument, NULL, O_HISTORY }, { "by", required_argument, NULL, O_BY },
	{ "since", required_argument, NULL, O_SINCE }, { "until", required_argument, NULL, O_UNTIL },
	{ "count", no_argument, NULL, O_COUNT }, { "model", required_argument, NULL, 'm' },
	{ "encoding", required_argument, NULL, O_ENCODING }, { "records", no_argument, NULL, 'r' },
	{ "file", required_argument, NULL, 'f' },
	{ "text", no_argument, NULL, O_TEXT }, { "budget", required_argument, NULL, O_BUDGET },
	{ "period", required_argument, NULL, O_PERIOD }, { "json", no_argument, NULL, O_JSON },
	{ "db", required_argument, NULL, O_DB }, { "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
};

struct totals_ctx {
	struct tally *t;
	const struct tally_query *q;
	long bad;
};

static int total_one(void *ctx, long lineno, jv rec, const char *why)
{
	struct totals_ctx *c = ctx;
	if (!jv_is_valid(rec)) {
		c->bad++;
		return 0;
	}
	const char *bad;
	if (tally_record(c->t, c->q, rec, &bad) < 0) {
		warn("line %ld: %s", lineno, bad);
		c->bad++; /* the rest still count; the status says one did not */
	}
	jv_free(rec);
	return 0;
}

static int totals_from_input(void *ctx, int fd, const char *name)
{
	struct line_reader lr;
	lr_init(&lr, fd, (size_t)256 << 20);
	int r = records_each(&lr, total_one, ctx) < 0 ? (error("%s: %s", name, strerror(errno)), EXIT_NOINPUT) : 0;
	lr_free(&lr);
	return r;
}

static int totals_from_records(struct tally *t, const struct tally_query *q, int nfiles, char **files)
{
	struct totals_ctx c = { t, q, 0 };
	int status = for_each_input(nfiles, files, totals_from_input, &c);
	if (c.bad && !status)
		status = EXIT_DATAERR;
	return status;
}

/* Open the history for reading: 0, 1 when there is none yet, or a status. */
static int open_history(struct store *s, const char *db, char *path, size_t cap)
{
	if (path_history(db, path, cap) < 0)
		return EXIT_CANTCREAT;
	int r = store_open(s, path, STORE_READ);
	if (r == 0)
		histlog_spool_replay(s); /* spooled replies count too */
	return r;
}

static int budget(const char *db, double limit, const char *period, int quiet)
{
	char now[40], since[16];
	clock_rfc3339(now, sizeof now);
	snprintf(since, sizeof since, "%.*s", !strcmp(period, "day") ? 10 : 7, now);
	char path[4096];
	struct store s;
	double spent = 0;
	long unpriced = 0;
	int r = open_history(&s, db, path, sizeof path);
	if (r > 1)
		return r;
	if (r == 0) {
		r = tally_spent(&s, since, &spent, &unpriced);
		store_close(&s);
		if (r)
			return r;
	}
	const char *when = !strcmp(period, "day") ? "today" : "this month";
	if (unpriced && !quiet)
		warn("%ld %s %s without a known price: the spend may be higher than shown", unpriced,
		     unpriced == 1 ? "reply" : "replies", when);
	if (spent >= limit) {
		if (!quiet)
			warn("budget reached: $%.6f spent %s of $%g", spent, when, limit);
		return EXIT_GUARD;
	}
	if (verbose || (isatty(2) && !quiet))
		warn("$%.6f spent %s of $%g; $%.6f left", spent, when, limit, limit - spent);
	return 0;
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	struct tally_query q = { .by = { "model" }, .nby = 1 };
	struct count_opts co = { 0 };
	static char *cfiles[64];
	co.files = cfiles;
	const char *db = NULL, *period = "month";
	int history = 0, count = 0, json = 0, quiet = 0, c;
	double limit = -1;
	char by[256], why[256];
	opterr = 0;
	const char *shortopts = ":m:rf:qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case O_HISTORY: history = 1; break;
		case O_BY:
			snprintf(by, sizeof by, "%s", optarg);
			if (tally_parse_by(&q, by, why, sizeof why))
				die_usage(why, NULL);
			break;
		case O_SINCE: q.since = cli_date(optarg); break;
		case O_UNTIL: q.until = cli_date(optarg); break;
		case O_COUNT: count = 1; break;
		case 'm': co.model = optarg; break;
		case O_ENCODING: co.encoding = optarg; break;
		case 'r': co.records = 1; break;
		case 'f':
			if (co.nfiles == (int)(sizeof cfiles / sizeof *cfiles))
				die_usage("too many -f paths", optarg);
			cfiles[co.nfiles++] = optarg;
			break;
		case O_TEXT: co.text_only = 1; break;
		case O_BUDGET: limit = cli_dollars("--budget", optarg, 1e9); break;
		case O_PERIOD:
			if (strcmp(optarg, "day") && strcmp(optarg, "month"))
				die_usage("--period is day or month, not", optarg);
			period = optarg;
			break;
		case O_JSON: json = 1; break;
		case O_DB: db = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	int nfiles = argc - optind;
	char **files = argv + optind;
	if (count + (limit >= 0) + history > 1)
		die_usage("choose one of --count, --budget and --history", NULL);
	if (limit >= 0) {
		if (nfiles)
			die_usage("--budget reads the history, not files", files[0]);
		return budget(db, limit, period, quiet);
	}
	if (count) {
		co.json = json;
		co.quiet = quiet;
		int r = count_input(&co, nfiles, files);
		return cli_exit(r);
	}
	if (co.model || co.encoding || co.records || co.text_only || co.nfiles)
		die_usage("-m, --encoding, -f, -r and --text go with --count", NULL);
	if (history && nfiles)
		die_usage("--history reads the history, not files", files[0]);
	struct tally t;
	tally_init(&t);
	int r = 0;
	if (history || (!nfiles && isatty(0))) {
		char path[4096];
		struct store s;
		r = open_history(&s, db, path, sizeof path);
		if (r == 0) {
			r = tally_history(&t, &s, &q);
			store_close(&s);
		} else if (r == 1) {
			r = 0;
			if (!quiet && !json)
				warn("no history at %s yet", path);
		}
	} else {
		r = totals_from_records(&t, &q, nfiles, files);
	}
	int from_history = history || (!nfiles && isatty(0));
	if ((r == 0 || r == EXIT_DATAERR) && !t.n && !json && !from_history) {
		/* nothing was read: an empty table would look like a total of zero */
		if (!quiet)
			warn("%s", nfiles ? "no response records in the files given"
			     : "no response records on stdin (chat-cost --history totals the history)");
	} else if ((r == 0 || r == EXIT_DATAERR) && tally_print(&t, &q, json) < 0 && errno != EPIPE)
		r = (error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT);
	tally_free(&t);
	return cli_exit(r);
}
