/* chat-batch: large jobs through the providers' batch APIs at half price —
 * submit prompt records, follow the jobs, collect their results. */
#include "diag.h"
#include "numparse.h"
#include "textcheck.h"
#include "input.h"
#include "fdio.h"
#include "batch/jobrun.h"
#include "sig.h"
#include <getopt.h>
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

enum { O_MAX_TOKENS = 256, O_TEMPERATURE, O_FORCE, O_ONLY_FAILED, O_ALL_DONE, O_WAIT, O_IDS, O_RETRIES,
       O_CONNECT_TIMEOUT, O_DB, O_NO_LOG, O_VERSION };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' }, { "system", required_argument, NULL, 's' },
	{ "max-tokens", required_argument, NULL, O_MAX_TOKENS },
	{ "temperature", required_argument, NULL, O_TEMPERATURE }, { "force", no_argument, NULL, O_FORCE },
	{ "only-failed", no_argument, NULL, O_ONLY_FAILED }, { "all-done", no_argument, NULL, O_ALL_DONE },
	{ "wait", no_argument, NULL, O_WAIT }, { "ids", no_argument, NULL, O_IDS },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT }, { "db", required_argument, NULL, O_DB },
	{ "no-log", no_argument, NULL, O_NO_LOG }, { "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
};

static long number(const char *flag, const char *s, long lo, long hi)
{
	return (long)flag_whole(flag, s, lo, hi);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	struct cli_opts o;
	memset(&o, 0, sizeof o);
	o.temperature = -1;
	o.max_cost = -1;
	o.retries = 2;
	o.connect_timeout = 20;
	o.idle_timeout = 300;
	struct jobrun r;
	memset(&r, 0, sizeof r);
	int all_done = 0, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:s:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break;
		case 's': o.system = optarg; break;
		case O_MAX_TOKENS: o.max_tokens = number("--max-tokens", optarg, 1, 100000000); break;
		case O_TEMPERATURE: o.temperature = flag_number("--temperature", optarg, 0, 2); break;
		case O_FORCE: r.force = 1; break;
		case O_ONLY_FAILED: r.only_failed = 1; break;
		case O_ALL_DONE: all_done = 1; break;
		case O_WAIT: r.wait = 1; break;
		case O_IDS: r.ids = 1; break;
		case O_RETRIES: o.retries = (int)number("--retries", optarg, 0, 100), o.retries_given = 1; break;
		case O_CONNECT_TIMEOUT: o.connect_timeout = number("--connect-timeout", optarg, 1, 3600); break;
		case O_DB: o.db = optarg; break;
		case O_NO_LOG: r.no_log = o.no_log = 1; break;
		case 'q': o.quiet = 1; break;
		case 'v': verbose++; break;
		case 'h': fputs(help, stdout); return fflush(stdout) ? EXIT_CANTCREAT : 0;
		case O_VERSION: printf("%s %s\n", progname, CHAT_VERSION); return 0;
		case ':': die_usage("option needs a value", argv[optind - 1]);
		default: die_usage("unknown option", argv[optind - 1]);
		}
	}
	char why[300];
	if (text_check_str("the system prompt", o.system, why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why);
	if (optind >= argc)
		die_usage("give a command: submit, status, collect, cancel or list", NULL);
	const char *cmd = argv[optind++];
	char **refs = argv + optind;
	int nrefs = argc - optind;
	static const char *const cmds[] = { "submit", "status", "collect", "cancel", "list", NULL };
	int k = 0;
	while (cmds[k] && strcmp(cmds[k], cmd))
		k++;
	if (!cmds[k])
		die_usage("unknown command", cmd);
	if ((r.force || r.only_failed || o.model || o.system || o.max_tokens || o.temperature >= 0) && k != 0)
		die_usage("--force, --only-failed, -m, -s, --max-tokens and --temperature go with", "submit");
	if (all_done && (k != 2 || nrefs))
		die_usage("--all-done goes with collect and no JOBs", NULL);
	if ((k == 0 || k == 4) && nrefs)
		die_usage("this command takes no JOBs", refs[0]);
	if (k == 3 && !nrefs)
		die_usage("cancel needs a JOB", NULL);
	if (k == 4 && r.wait)
		die_usage("--wait goes with submit, status and collect", NULL);
	if (k == 0 && isatty(0))
		die_usage("submit reads prompt records on stdin", NULL);
	r.progress = !o.quiet && isatty(2);

	struct session s;
	int st = session_config(&s, &o);
	if (!st)
		st = jobrun_open(&r, &s);
	jv jobs = jv_array();
	if (!st && k == 0) {
		struct line_reader lr;
		lr_init(&lr, 0, INPUT_MAX);
		st = jobrun_submit(&r, &lr, &jobs);
		lr_free(&lr);
		if (r.wait && (!st || st == EXIT_PARTIAL) && !sig_caught) {
			int w = jobrun_wait(&r, jobs);
			int c2 = w ? w : jobrun_collect(&r, jobs, 0);
			if (c2 && c2 != EXIT_PARTIAL)
				st = c2;
			else if (c2)
				st = EXIT_PARTIAL;
		}
	} else if (!st && k == 4) {
		st = jobrun_list(&r);
	} else if (!st) {
		jv_free(jobs);
		st = jobrun_resolve(&r, refs, nrefs, &jobs);
		if (!st && r.wait && k != 3)
			st = jobrun_wait(&r, jobs);
		if (!st)
			st = k == 1 ? jobrun_status(&r, jobs) : k == 2 ? jobrun_collect(&r, jobs, all_done)
								       : jobrun_cancel(&r, jobs);
	}
	jv_free(jobs);
	if (r.db.db)
		jobrun_close(&r);
	session_close(&s);
	if (st > 128)
		st = 0; /* interrupted: the signal is re-raised below */
	sig_reraise();
	if (close_stdout() < 0 && !st) {
		error("cannot write output");
		st = EXIT_CANTCREAT;
	}
	return st;
}
