#include "cli.h"
#include "diag.h"
#include "numparse.h"
#include "schema.h"
#include "template.h"
#include "textcheck.h"
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_MAX_TOKENS = 256, OPT_TEMPERATURE, OPT_JSON, OPT_NO_LOG, OPT_RETRIES,
       OPT_CONNECT_TIMEOUT, OPT_IDLE_TIMEOUT, OPT_TEXT, OPT_VERSION, OPT_CONVERSATION, OPT_DB, OPT_MODELS,
       OPT_MAX_COST, OPT_PARALLEL, OPT_ORDERED, OPT_SKIP_DONE, OPT_FALLBACK, OPT_TIMEOUT,
       OPT_PROMPT_JQ, OPT_SYSTEM_JQ, OPT_ID_JQ, OPT_ARG, OPT_ARGJSON, OPT_TEMPLATES, OPT_SCHEMA, OPT_DATA,
       OPT_CACHE, OPT_CACHE_TTL, OPT_CONTEXT, OPT_TRUNCATE, OPT_THINK_TIMEOUT, OPT_WAIT_LIMIT };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "system", required_argument, NULL, 's' },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "max-cost", required_argument, NULL, OPT_MAX_COST },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "ordered", no_argument, NULL, OPT_ORDERED },
	{ "skip-done", no_argument, NULL, OPT_SKIP_DONE },
	{ "fallback", required_argument, NULL, OPT_FALLBACK },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "prompt-jq", required_argument, NULL, OPT_PROMPT_JQ },
	{ "system-jq", required_argument, NULL, OPT_SYSTEM_JQ },
	{ "id-jq", required_argument, NULL, OPT_ID_JQ },
	{ "arg", required_argument, NULL, OPT_ARG },
	{ "argjson", required_argument, NULL, OPT_ARGJSON },
	{ "template", required_argument, NULL, 't' },
	{ "param", required_argument, NULL, 'p' },
	{ "templates", no_argument, NULL, OPT_TEMPLATES },
	{ "schema", required_argument, NULL, OPT_SCHEMA },
	{ "data", no_argument, NULL, OPT_DATA },
	{ "cache", no_argument, NULL, OPT_CACHE },
	{ "cache-ttl", required_argument, NULL, OPT_CACHE_TTL },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "truncate", no_argument, NULL, OPT_TRUNCATE },
	{ "wait-limit", no_argument, NULL, OPT_WAIT_LIMIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-log", no_argument, NULL, OPT_NO_LOG },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "think-timeout", required_argument, NULL, OPT_THINK_TIMEOUT },
	{ "records", no_argument, NULL, 'r' },
	{ "attach", required_argument, NULL, 'a' },
	{ "continue", no_argument, NULL, 'c' },
	{ "conversation", required_argument, NULL, OPT_CONVERSATION },
	{ "db", required_argument, NULL, OPT_DB },
	{ "models", no_argument, NULL, OPT_MODELS },
	{ "text", no_argument, NULL, OPT_TEXT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die_usage(msg, NULL);
}

static long number(const char *flag, const char *s, long lo, long hi)
{
	return (long)flag_whole(flag, s, lo, hi);
}

/* --cache-ttl: seconds, or a whole number with s, m, h or d, up to a century. */
static long cache_ttl(const char *s)
{
	static const struct { char c; long secs; } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char digits[32], why[200];
	size_t n = strlen(s);
	long unit = 1;
	for (size_t i = 0; n && i < sizeof units / sizeof *units; i++)
		if (s[n - 1] == units[i].c) {
			unit = units[i].secs;
			n--;
			break;
		}
	long long v;
	if (n >= sizeof digits)
		n = 0; /* no number is that long */
	memcpy(digits, s, n);
	digits[n] = 0;
	if (parse_whole("--cache-ttl", digits, 1, 100LL * 365 * 86400 / unit, &v, why, sizeof why) < 0)
		usage_error("--cache-ttl: expected a time like 3600, 90m, 12h or 7d, got '%s'", s);
	return (long)(v * unit);
}

/* The jq variables and the schema live as long as the process (the
 * options are read to the end); they are freed at exit, whichever way. */
static jv vars, given;
static char *schema;

static void release(void)
{
	jv_free(vars);
	jv_free(given);
	free(schema);
}

void cli_parse(int argc, char **argv, struct cli_opts *o, const char *help, unsigned allow)
{
	memset(o, 0, sizeof *o);
	o->temperature = -1;
	o->max_cost = -1;
	o->retries = 2;
	o->connect_timeout = 20;
	o->idle_timeout = 300;
	o->think_timeout = 600;
	o->context = -1;
	opterr = 0;
	int c;
	vars = jv_object();
	given = jv_object();     /* variables set on the command line */
	atexit(release);
	const char *schema_arg = NULL;
	int list_templates = 0;
	while ((c = getopt_long(argc, argv, ":m:s:a:t:p:rcqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 's': o->system = optarg; break;
		case OPT_MAX_TOKENS: o->max_tokens = number("--max-tokens", optarg, 1, 100000000); break;
		case OPT_TEMPERATURE: o->temperature = flag_number("--temperature", optarg, 0, 2); break;
		case OPT_MAX_COST: o->max_cost = flag_number("--max-cost", optarg, 0, 1e6); break;
		case OPT_PARALLEL:
		case OPT_ORDERED:
		case OPT_SKIP_DONE:
			if (!(allow & CLI_RECORDS))
				usage_error("%s is for batches: use chat-send -r", argv[optind - 1]);
			if (c == OPT_PARALLEL)
				o->parallel = (int)number("--parallel", optarg, 1, 256);
			else if (c == OPT_ORDERED)
				o->ordered = 1;
			else
				o->skip_done = 1;
			break;
		case OPT_FALLBACK:
			if (o->nfallback == (int)(sizeof o->fallback / sizeof *o->fallback))
				usage_error("at most %d --fallback models", (int)(sizeof o->fallback / sizeof *o->fallback));
			o->fallback[o->nfallback++] = optarg;
			break;
		case OPT_TIMEOUT: o->timeout = number("--timeout", optarg, 1, 86400); break;
		case OPT_PROMPT_JQ: o->prompt_jq = optarg; break;
		case OPT_SYSTEM_JQ: o->system_jq = optarg; break;
		case OPT_ID_JQ: o->id_jq = optarg; break;
		case OPT_ARG:
		case OPT_ARGJSON:
		case 'p': {
			/* two values: NAME is optarg, VALUE the next word */
			if (optind >= argc)
				usage_error("%s needs a name and a value",
					    c == OPT_ARGJSON ? "--argjson" : c == 'p' ? "--param" : "--arg");
			const char *name = optarg, *value = argv[optind++];
			char what[300], why[400];
			snprintf(what, sizeof what, "the value of %s %s",
				 c == OPT_ARGJSON ? "--argjson" : c == 'p' ? "--param" : "--arg", name);
			if (text_check_str(what, value, why, sizeof why) < 0)
				die(EXIT_DATAERR, "%s", why); /* jv would mend it silently */
			jv v = c == OPT_ARGJSON ? jv_parse(value) : jv_string(value);
			if (!jv_is_valid(v)) {
				jv_free(v);
				usage_error("--argjson %s: not JSON: %s", name, value);
			}
			given = jv_object_set(given, jv_string(name), v);
			break;
		}
		case 't': o->template_name = optarg; break;
		case OPT_TEMPLATES: list_templates = 1; break;
		case OPT_SCHEMA: schema_arg = optarg; break;
		case OPT_DATA: o->data_only = 1; break;
		case OPT_CACHE: o->cache = 1; break;
		case OPT_CACHE_TTL: o->cache = 1; o->cache_ttl = cache_ttl(optarg); break;
		case OPT_CONTEXT: o->context = number("--context", optarg, 0, 1000000); break;
		case OPT_TRUNCATE: o->truncate = 1; break;
		case OPT_WAIT_LIMIT: o->wait_limit = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_NO_LOG: o->no_log = 1; break;
		case OPT_RETRIES: o->retries = (int)number("--retries", optarg, 0, 100), o->retries_given = 1; break;
		case OPT_CONNECT_TIMEOUT: o->connect_timeout = number("--connect-timeout", optarg, 1, 3600); break;
		case OPT_IDLE_TIMEOUT: o->idle_timeout = number("--idle-timeout", optarg, 1, 86400); break;
		case OPT_THINK_TIMEOUT: o->think_timeout = number("--think-timeout", optarg, 1, 86400); break;
		case 'r':
			if (!(allow & CLI_RECORDS))
				usage_error("%s does not read records", "-r");
			o->records = 1;
			break;
		case OPT_TEXT: o->text_only = 1; break;
		case 'c': o->cont = 1; break;
		case 'a':
			if (o->nattach == (int)(sizeof o->attach / sizeof *o->attach))
				usage_error("at most %d files with -a", (int)(sizeof o->attach / sizeof *o->attach));
			o->attach[o->nattach++] = optarg;
			break;
		case OPT_CONVERSATION: o->conversation = optarg; break;
		case OPT_DB: o->db = optarg; break;
		case OPT_MODELS:
			if (!(allow & CLI_MODELS))
				usage_error("%s: use chat-send --models", "--models");
			o->list_models = 1;
			break;
		case 'q': o->quiet = 1; break;
		case 'v': verbose++; break;
		case 'h': fputs(help, stdout); exit(fflush(stdout) ? EXIT_CANTCREAT : 0);
		case OPT_VERSION: printf("%s %s\n", progname, CHAT_VERSION); exit(0);
		case ':': usage_error("option needs a value: %s", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown option: -%c", optopt);
			usage_error("unknown option: %s", argv[optind - 1]);
		}
	}
	if (list_templates)
		exit(template_list());
	/* a template fills what the command line left unset */
	static struct template t;
	if (o->template_name) {
		char why[600];
		int r = template_load(o->template_name, &t, why, sizeof why);
		if (r) {
			fprintf(stderr, "%s: %s\n", progname, why);
			exit(r);
		}
		if (!o->model)
			o->model = t.model;
		if (!o->system)
			o->system = t.system;
		if (!o->prompt_jq)
			o->prompt_jq = t.prompt_jq;
		if (!o->system_jq)
			o->system_jq = t.system_jq;
		if (!o->id_jq)
			o->id_jq = t.id_jq;
		if (!o->max_tokens)
			o->max_tokens = t.max_tokens;
		if (o->temperature < 0)
			o->temperature = t.temperature;
		if (o->context < 0)
			o->context = t.context;
		if (!schema_arg)
			schema_arg = t.schema;
		for (int i = 0; i < t.nparams; i++)
			vars = jv_object_set(vars, jv_string(t.params[i].name), jv_string(t.params[i].value));
	}
	vars = jv_object_merge(vars, given);
	given = jv_invalid();
	o->vars = vars; /* borrowed by everyone */
	if (schema_arg) {
		char why[600];
		int r = schema_load(schema_arg, &schema, why, sizeof why);
		o->schema = schema;
		if (r == EXIT_USAGE)
			usage_error("%s", why);
		if (r) {
			fprintf(stderr, "%s: %s\n", progname, why);
			exit(r);
		}
	}
	if (o->data_only && !o->schema)
		usage_error("%s", "--data prints the answers parsed with --schema: give a schema");
	if ((o->system_jq || o->id_jq) && !o->prompt_jq)
		usage_error("%s", "--system-jq and --id-jq go with --prompt-jq");
	if (o->prompt_jq && o->text_only)
		usage_error("%s", "--prompt-jq reads records; it cannot go with --text");
	if (o->cont && o->conversation)
		usage_error("%s", "--continue and --conversation cannot be used together");
	if (o->records && o->nattach)
		usage_error("%s", "-a applies to a prompt given as words; prompt records carry their own \"attachments\"");
	if (o->records && o->text_only)
		usage_error("%s", "--records and --text cannot be used together");
	o->nwords = argc - optind;
	o->words = argv + optind;
}
