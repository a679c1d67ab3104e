/* chat-batch: large jobs through the providers' batch APIs at half price —
 * submit prompt records, follow the jobs, collect their results. */
#include "cli.h"
#include "net/http.h"
#include "diag.h"
#include "textcheck.h"
#include "input.h"
#include "fdio.h"
#include "batch/jobrun.h"
#include "sig.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-batch submit [options] < prompts.ndjson\n"
	"       chat-batch status|collect|cancel [options] [JOB...]\n"
	"       chat-batch list [options]\n"
	"Run prompt records through the providers' batch APIs: half the price,\n"
	"results within 24 hours. Jobs live in the history; output is records.\n"
	"\n"
	"  submit    send prompt records as batch jobs; a job record for each\n"
	"  status    ask how the open jobs (or JOBs) stand; job records\n"
	"  collect   write ended jobs' results as response and error records\n"
	"  cancel    ask the provider to stop the JOBs\n"
	"  list      every job in the history, without asking anyone\n"
	"\n"
	"  -m, --model MODEL        model for records that name none\n"
	"  -s, --system TEXT        system prompt for records that have none\n"
	"      --max-tokens N       limit each reply's length\n"
	"      --temperature T      sampling temperature, 0 to 2\n"
	"      --force              submit: a new job even for input already sent\n"
	"      --only-failed        submit: only records whose ids failed before\n"
	"      --dry-run            submit: print the requests; send and save nothing\n"
	"      --all-done           collect: every job that has ended (for cron)\n"
	"      --wait               wait until the jobs end, asking with backoff\n"
	"      --ids                job records list the ids each job covers\n"
	"      --retries N          retries on 408, 409, 429, 5xx, network (2)\n"
	"      --connect-timeout S  seconds to connect (default 20)\n"
	"      --db PATH            history (default $CHAT_DB or ~/.local/share/chat)\n"
	"      --no-log             do not record the replies in the history\n"
	"  -q, --quiet              no notes, no messages for failed records\n"
	"  -v, --verbose            trace the HTTP exchanges on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"\n"
	"Examples:\n"
	"  chat-batch submit < prompts.ndjson\n"
	"  chat-batch collect --all-done >> results.ndjson\n"
	"\n"
	"Exit status: 0 ok, 1 some records failed, 64 usage, 65 bad input,\n"
	"66 unreadable input, 69 provider unavailable, 73 cannot write,\n"
	"75 rate limited, timed out or not ended yet, 77 no key or auth failed,\n"
	"78 config error.\n";

/* Everything the options set, for the table's offsets. */
struct batch {
	struct cli_opts o;
	struct jobrun r;
	int all_done;
};

static void no_log(struct cli_parser *p, const char *unused)
{
	struct batch *b = p->target;
	(void)unused;
	b->r.no_log = b->o.no_log = 1;
}

#define B(field) offsetof(struct batch, field)
static const struct cli_option options[] = {
	{ .name = "model", .letter = 'm', .kind = CLI_STRING, .arg = "MODEL", .off = B(o.model) },
	{ .name = "system", .letter = 's', .kind = CLI_STRING, .arg = "TEXT", .off = B(o.system) },
	{ .name = "max-tokens", .kind = CLI_LONG, .arg = "N", .off = B(o.max_tokens), .lo = 1, .hi = 100000000 },
	{ .name = "temperature", .kind = CLI_DOUBLE, .arg = "T", .off = B(o.temperature), .lo = 0, .hi = 2 },
	{ .name = "force", .kind = CLI_SET, .off = B(r.force) },
	{ .name = "only-failed", .kind = CLI_SET, .off = B(r.only_failed) },
	{ .name = "all-done", .kind = CLI_SET, .off = B(all_done) },
	{ .name = "wait", .kind = CLI_SET, .off = B(r.wait) },
	{ .name = "ids", .kind = CLI_SET, .off = B(r.ids) },
	{ .name = "retries", .kind = CLI_CALL, .arg = "N", .off = B(o.retries), .call = cli_set_retries },
	{ .name = "connect-timeout", .kind = CLI_LONG, .arg = "S", .off = B(o.connect_timeout), .lo = 1, .hi = 3600 },
	{ .name = "db", .kind = CLI_STRING, .arg = "PATH", .off = B(o.db) },
	{ .name = "no-log", .kind = CLI_CALL, .call = no_log },
	{ .name = "dry-run", .kind = CLI_SET, .off = B(o.dry_run) },
	{ .name = "quiet", .letter = 'q', .kind = CLI_SET, .off = B(o.quiet) },
	{ .name = "verbose", .letter = 'v', .kind = CLI_VERBOSE },
	{ .name = "help", .letter = 'h', .kind = CLI_HELP },
	{ .name = "version", .kind = CLI_VERSION },
	{ .name = NULL },
};

/* What a command may be given beside the common options. */
enum { TAKES_SUBMIT = 1, TAKES_WAIT = 2, TAKES_ALL_DONE = 4, READS_STDIN = 8 };
enum jobs_words { NO_JOBS, ANY_JOBS, SOME_JOBS };

struct command {
	const char *name;
	unsigned takes;
	enum jobs_words jobs;
	/* the jobs named (or open) for all but submit and list */
	int (*run)(struct batch *b, jv *jobs);
};

static int submit(struct batch *b, jv *jobs)
{
	struct jobrun *r = &b->r;
	struct line_reader lr;
	lr_init(&lr, 0, INPUT_MAX);
	int st = jobrun_submit(r, &lr, jobs);
	lr_free(&lr);
	if (r->wait && (!st || st == EXIT_PARTIAL) && !sig_caught) {
		int w = jobrun_wait(r, *jobs);
		int c = w ? w : jobrun_collect(r, *jobs, 0);
		if (c && c != EXIT_PARTIAL)
			st = c;
		else if (c)
			st = EXIT_PARTIAL;
	}
	return st;
}

static int status(struct batch *b, jv *jobs)
{
	int st = b->r.wait ? jobrun_wait(&b->r, *jobs) : 0;
	return st ? st : jobrun_status(&b->r, *jobs);
}

static int collect(struct batch *b, jv *jobs)
{
	int st = b->r.wait ? jobrun_wait(&b->r, *jobs) : 0;
	return st ? st : jobrun_collect(&b->r, *jobs, b->all_done);
}

static int cancel(struct batch *b, jv *jobs)
{
	return jobrun_cancel(&b->r, *jobs);
}

static int list(struct batch *b, jv *jobs)
{
	(void)jobs;
	return jobrun_list(&b->r);
}

/* cancel takes --wait as it always has, and does not wait */
static const struct command commands[] = {
	{ "submit", TAKES_SUBMIT | TAKES_WAIT | READS_STDIN, NO_JOBS, submit },
	{ "status", TAKES_WAIT, ANY_JOBS, status },
	{ "collect", TAKES_WAIT | TAKES_ALL_DONE, ANY_JOBS, collect },
	{ "cancel", TAKES_WAIT, SOME_JOBS, cancel },
	{ "list", 0, NO_JOBS, list },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	die_usage("unknown command", name);
}

/* The options and JOB words a command cannot take are usage errors. */
static void check_command(const struct command *c, const struct batch *b, int nrefs, char **refs)
{
	const struct cli_opts *o = &b->o;
	if ((b->r.force || b->r.only_failed || o->model || o->system || o->max_tokens || o->temperature >= 0) &&
	    !(c->takes & TAKES_SUBMIT))
		die_usage("--force, --only-failed, -m, -s, --max-tokens and --temperature go with", "submit");
	if (b->all_done && (!(c->takes & TAKES_ALL_DONE) || nrefs))
		die_usage("--all-done goes with collect and no JOBs", NULL);
	if (c->jobs == NO_JOBS && nrefs)
		die_usage("this command takes no JOBs", refs[0]);
	if (c->jobs == SOME_JOBS && !nrefs)
		cli_usage("%s needs a JOB", c->name);
	if (o->dry_run && (!(c->takes & TAKES_SUBMIT) || b->r.wait || b->r.only_failed))
		die_usage("--dry-run goes with submit, without --wait and --only-failed", NULL);
	if (b->r.wait && !(c->takes & TAKES_WAIT))
		die_usage("--wait goes with submit, status and collect", NULL);
	if ((c->takes & READS_STDIN) && isatty(0))
		cli_usage("%s reads prompt records on stdin", c->name);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	static struct batch b;
	cli_defaults(&b.o);
	int words = cli_getopt(argc, argv, options, &b, help, 0);
	char why[300];
	if (text_check_str("the system prompt", b.o.system, why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why);
	if (words >= argc)
		die_usage("give a command: submit, status, collect, cancel or list", NULL);
	const struct command *c = find_command(argv[words]);
	char **refs = argv + words + 1;
	int nrefs = argc - words - 1;
	check_command(c, &b, nrefs, refs);
	if (strcmp(c->name, "list") && !b.o.dry_run)    /* the others ask the provider */
		http_global_init_early();
	b.r.progress = !b.o.quiet && isatty(2);

	struct session s;
	int st = session_config(&s, &b.o);
	if (!st)
		st = jobrun_open(&b.r, &s);
	jv jobs = jv_array();
	if (!st && c->jobs != NO_JOBS) {
		jv_free(jobs);
		st = jobrun_resolve(&b.r, refs, nrefs, &jobs);
	}
	if (!st)
		st = c->run(&b, &jobs);
	jv_free(jobs);
	if (b.r.db.db)
		jobrun_close(&b.r);
	session_close(&s);
	if (st > 128)
		st = 0; /* interrupted: the signal is re-raised below */
	return cli_exit(st);
}
