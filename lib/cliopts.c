/* The options chat-send and chat-stream share: their table, the template
 * that fills what the command line left unset, and the rules between them. */
#include "cli.h"
#include "diag.h"
#include "jsonx.h"
#include "numparse.h"
#include "schema.h"
#include "template.h"
#include "textcheck.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The jq variables and the schema live as long as the process (the
 * options are read to the end); they are freed at exit, whichever way. */
static jv vars, given;
static char *schema;
static const char *schema_arg;  /* --schema, before the template's */
static int list_templates;
static const char *save_name;   /* --save NAME: write a template, send nothing */
static int force;               /* --force: --save may replace one */
static struct template tpl;     /* -t NAME, as loaded */

static void release(void)
{
	jv_free(vars);
	jv_free(given);
	free(schema);
}

#define MAXOF(a) (int)(sizeof(a) / sizeof *(a))

static void fallback(struct cli_parser *p, const char *model)
{
	struct cli_opts *o = p->target;
	if (o->nfallback == MAXOF(o->fallback))
		cli_usage("at most %d --fallback models", MAXOF(o->fallback));
	o->fallback[o->nfallback++] = model;
}

static void attach(struct cli_parser *p, const char *file)
{
	struct cli_opts *o = p->target;
	if (o->nattach == MAXOF(o->attach))
		cli_usage("at most %d files with -a", MAXOF(o->attach));
	o->attach[o->nattach++] = file;
}

static void file_option(struct cli_parser *p, const char *path)
{
	struct cli_opts *o = p->target;
	if (o->nfiles == MAXOF(o->files))
		cli_usage("at most %d paths with -f (a folder or pattern stands for many files)", MAXOF(o->files));
	o->files[o->nfiles++] = path;
}

/* --files-max: bytes, or a whole number with k or M (10^3, 10^6), up to 64 MB (the prompt's own limit). */
static void files_max(struct cli_parser *p, const char *s)
{
	struct cli_opts *o = p->target;
	char digits[32], why[200];
	size_t n = strlen(s);
	long unit = n && (s[n - 1] == 'k' || s[n - 1] == 'K') ? 1000 : n && s[n - 1] == 'M' ? 1000000 : 1;
	if (unit > 1)
		n--;
	long long v;
	if (n >= sizeof digits)
		n = 0;
	memcpy(digits, s, n);
	digits[n] = 0;
	if (parse_whole("--files-max", digits, 1, 64000000 / unit, &v, why, sizeof why) < 0)
		cli_usage("--files-max: expected a size like 200000, 500k or 4M (at most 64M), got '%s'", s);
	o->files_max = (long)(v * unit);
}

/* --arg, --argjson and -p take two values: NAME is the option's, VALUE the next word. */
static void variable(struct cli_parser *p, const char *name)
{
	int json = !strcmp(p->opt->name, "argjson");
	if (optind >= p->argc)
		cli_usage("--%s needs a name and a value", p->opt->name);
	const char *value = p->argv[optind++];
	char what[300], why[400];
	snprintf(what, sizeof what, "the value of --%s %s", p->opt->name, name);
	if (text_check_str(what, value, why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why); /* jv would mend it silently */
	jv v = json ? jv_parse(value) : jv_string(value);
	if (!jv_is_valid(v)) {
		jv_free(v);
		cli_usage("--argjson %s: not JSON: %s", name, value);
	}
	given = jv_object_set(given, jv_string(name), v);
}

static void templates(struct cli_parser *p, const char *unused)
{
	(void)p, (void)unused;
	list_templates = 1;
}

static void save_option(struct cli_parser *p, const char *name)
{
	(void)p;
	save_name = name;
}

static void force_option(struct cli_parser *p, const char *unused)
{
	(void)p, (void)unused;
	force = 1;
}

/* --render and --raw: the last one given wins */
static void render_option(struct cli_parser *p, const char *unused)
{
	(void)unused;
	((struct cli_opts *)p->target)->render = !strcmp(p->opt->name, "render");
	((struct cli_opts *)p->target)->render_given = 1;
}

static void schema_option(struct cli_parser *p, const char *s)
{
	(void)p;
	schema_arg = s;
}

/* --cache-ttl: seconds, or a whole number with s, m, h or d, up to a century. */
static void cache_ttl(struct cli_parser *p, const char *s)
{
	static const struct { char c; long secs; } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	struct cli_opts *o = p->target;
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
		cli_usage("--cache-ttl: expected a time like 3600, 90m, 12h or 7d, got '%s'", s);
	o->cache = 1;
	o->cache_ttl = (long)(v * unit);
}

/* Rows in the manner of git's OPT_STRING, OPT_BOOL, ...: letter, name, then
 * the value's word in --help and where it goes. */
#define F(field) offsetof(struct cli_opts, field)
#define STR(l, n, w, f) { .name = n, .letter = l, .kind = CLI_STRING, .arg = w, .off = F(f) }
#define SET(l, n, f) { .name = n, .letter = l, .kind = CLI_SET, .off = F(f) }
#define LONG(n, w, f, a, b) { .name = n, .kind = CLI_LONG, .arg = w, .off = F(f), .lo = a, .hi = b }
#define NUM(n, w, f, a, b) { .name = n, .kind = CLI_DOUBLE, .arg = w, .off = F(f), .lo = a, .hi = b }
#define CALL(l, n, w, fn) { .name = n, .letter = l, .kind = CLI_CALL, .arg = w, .call = fn }
#define FOR_BATCHES .needs = CLI_RECORDS, .refusal = " is for batches: use chat-send -r"

const struct cli_option cli_options[] = {
	STR('m', "model", "MODEL", model),
	STR('s', "system", "TEXT", system),
	LONG("max-tokens", "N", max_tokens, 1, 100000000),
	NUM("temperature", "T", temperature, 0, 2),
	NUM("max-cost", "USD", max_cost, 0, 1e6),
	{ .name = "parallel", .kind = CLI_INT, .arg = "N", .off = F(parallel), .lo = 1, .hi = 256, FOR_BATCHES },
	{ .name = "ordered", .kind = CLI_SET, .off = F(ordered), FOR_BATCHES },
	{ .name = "skip-done", .kind = CLI_SET, .off = F(skip_done), FOR_BATCHES },
	CALL(0, "fallback", "MODEL", fallback),
	LONG("timeout", "S", timeout, 1, 86400),
	STR(0, "prompt-jq", "JQ", prompt_jq),
	STR(0, "system-jq", "JQ", system_jq),
	STR(0, "id-jq", "JQ", id_jq),
	CALL(0, "arg", "NAME VALUE", variable),
	CALL(0, "argjson", "NAME JSON", variable),
	STR('t', "template", "NAME", template_name),
	CALL('p', "param", "NAME VALUE", variable),
	CALL(0, "templates", NULL, templates),
	CALL(0, "save", "NAME", save_option),
	CALL(0, "force", NULL, force_option),
	CALL(0, "schema", "FILE|JSON", schema_option),
	SET(0, "data", data_only),
	SET(0, "cache", cache),
	CALL(0, "cache-ttl", "T", cache_ttl),
	LONG("context", "N", context, 0, 1000000),
	SET(0, "truncate", truncate),
	SET(0, "wait-limit", wait_limit),
	SET('x', "extract", extract),
	SET(0, "extract-all", extract_all),
	STR(0, "extract-lang", "LANG", extract_lang),
	SET(0, "json", json),
	{ .name = "render", .kind = CLI_CALL, .call = render_option, .needs = CLI_RENDER,
	  .refusal = " is for chat-stream" },
	{ .name = "raw", .kind = CLI_CALL, .call = render_option, .needs = CLI_RENDER,
	  .refusal = " is for chat-stream" },
	SET(0, "no-log", no_log),
	SET(0, "dry-run", dry_run),
	{ .name = "retries", .kind = CLI_CALL, .arg = "N", .off = F(retries), .call = cli_set_retries },
	LONG("connect-timeout", "S", connect_timeout, 1, 3600),
	LONG("idle-timeout", "S", idle_timeout, 1, 86400),
	LONG("think-timeout", "S", think_timeout, 1, 86400),
	{ .name = "records", .letter = 'r', .kind = CLI_SET, .off = F(records), .needs = CLI_RECORDS,
	  .refusal = " does not read records" },
	CALL('a', "attach", "FILE", attach),
	CALL('f', "file", "PATH", file_option),
	CALL(0, "files-max", "SIZE", files_max),
	SET(0, "allow-http", allow_http),
	SET(0, "send-url", send_url),
	LONG("fetch-timeout", "S", fetch_timeout, 1, 3600),
	SET('c', "continue", cont),
	STR(0, "conversation", "REF", conversation),
	STR(0, "db", "PATH", db),
	{ .name = "models", .kind = CLI_SET, .off = F(list_models), .needs = CLI_MODELS,
	  .refusal = ": use chat-send --models" },
	{ .name = "remote", .kind = CLI_SET, .off = F(remote_models), .needs = CLI_MODELS,
	  .refusal = ": use chat-send --models --remote" },
	SET(0, "text", text_only),
	SET('q', "quiet", quiet),
	{ .name = "verbose", .letter = 'v', .kind = CLI_VERBOSE },
	{ .name = "help", .letter = 'h', .kind = CLI_HELP },
	{ .name = "version", .kind = CLI_VERSION },
	{ .name = NULL },
};

/* A template fills what the command line left unset; its params come
 * before the command line's variables, which win. */
static void apply_template(struct cli_opts *o)
{
	struct template t = tpl;
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
	/* the template's files come first, then the command line's */
	if (t.nfiles + o->nfiles > MAXOF(o->files))
		cli_usage("at most %d paths with -f, the template's included", MAXOF(o->files));
	memmove(o->files + t.nfiles, o->files, (size_t)o->nfiles * sizeof *o->files);
	for (int i = 0; i < t.nfiles; i++)
		o->files[i] = t.files[i];
	o->nfiles += t.nfiles;
	for (int i = 0; i < t.nparams; i++)
		vars = jv_object_set(vars, jv_string(t.params[i].name), jv_string(t.params[i].value));
	tpl = t;
}

/* --save: the options a template holds, written as one; nothing is sent.
 * An exit status. */
static int save_template(const struct cli_opts *o)
{
	char why[900], path[4200];
	if (o->nwords && o->prompt_jq)
		die_usage("--prompt-jq makes prompts from records: give no prompt words", NULL);
	struct template t = { .description = tpl.description, .model = (char *)o->model,
			      .system = (char *)o->system, .prompt_jq = (char *)o->prompt_jq,
			      .system_jq = (char *)o->system_jq, .id_jq = (char *)o->id_jq, .schema = o->schema,
			      .max_tokens = o->max_tokens, .temperature = o->temperature, .context = o->context };
	if (o->nfiles > TEMPLATE_MAX_FILES)
		cli_usage("--save: a template holds at most %d file lines", TEMPLATE_MAX_FILES);
	for (int i = 0; i < o->nfiles; i++)
		t.files[t.nfiles++] = (char *)o->files[i]; /* borrowed */
	struct buf prompt = BUF_INIT(16u << 20);
	for (int i = 0; i < o->nwords; i++)
		if ((i && buf_addc(&prompt, ' ') < 0) || buf_adds(&prompt, o->words[i]) < 0)
			die(EXIT_DATAERR, "--save %s: the prompt is too large", save_name);
	if (o->nwords)
		t.prompt = prompt.p;
	jv v = o->vars;
	for (int it = jv_object_iter(v); jv_object_iter_valid(v, it); it = jv_object_iter_next(v, it)) {
		jv key = jv_object_iter_key(v, it), val = jv_object_iter_value(v, it);
		int str = jv_get_kind(val) == JV_KIND_STRING;
		if (str && t.nparams < TEMPLATE_MAX_PARAMS) {
			/* borrowed: vars holds both until exit */
			t.params[t.nparams].name = (char *)jv_string_value(key);
			t.params[t.nparams++].value = (char *)jv_string_value(val);
		}
		if (!str)
			cli_usage("--save: $%s is not a string; a template's params are strings (-p or --arg)",
				  jv_string_value(key));
		jv_free(key);
		jv_free(val);
	}
	if (jv_get_kind(v) == JV_KIND_OBJECT && jv_object_length(jv_copy(v)) > TEMPLATE_MAX_PARAMS)
		cli_usage("--save: a template holds at most %d params", TEMPLATE_MAX_PARAMS);
	int r = template_save(&t, save_name, force, path, sizeof path, why, sizeof why);
	buf_free(&prompt);
	if (r == EXIT_USAGE)
		die_usage(why, NULL);
	if (r) {
		fprintf(stderr, "%s: %s\n", progname, why);
		return r;
	}
	if (o->json) {
		jv rec = JV_OBJECT(jv_string("type"), jv_string("template"), jv_string("name"), jv_string(save_name),
				   jv_string("path"), jv_string(path), jv_string("description"),
				   t.description ? jv_string(t.description) : jv_null());
		struct buf line = BUF_INIT(1 << 20);
		jx_dump_line(rec, &line);
		fwrite(line.p, 1, line.len, stdout);
		buf_free(&line);
	}
	return 0;
}

static void load_schema(struct cli_opts *o)
{
	char why[600];
	int r = schema_load(schema_arg, &schema, why, sizeof why);
	o->schema = schema;
	if (r == EXIT_USAGE)
		die_usage(why, NULL);
	if (r) {
		fprintf(stderr, "%s: %s\n", progname, why);
		exit(r);
	}
}

/* The options that need, or exclude, one another. */
static void check_combinations(const struct cli_opts *o)
{
	if (o->data_only && !o->schema)
		die_usage("--data prints the answers parsed with --schema: give a schema", NULL);
	if ((o->system_jq || o->id_jq) && !o->prompt_jq)
		die_usage("--system-jq and --id-jq go with --prompt-jq", NULL);
	if (o->prompt_jq && o->text_only)
		die_usage("--prompt-jq reads records; it cannot go with --text", NULL);
	if (o->cont && o->conversation)
		die_usage("--continue and --conversation cannot be used together", NULL);
	if (o->records && o->nattach)
		die_usage("-a applies to a prompt given as words; prompt records carry their own \"attachments\"", NULL);
	if (o->records && o->nfiles)
		die_usage("-f applies to a prompt given as words; prompt records carry their own \"files\"", NULL);
	if (o->prompt_jq && o->nfiles)
		die_usage("-f goes with a prompt given as words, not with --prompt-jq", NULL);
	if (o->records && o->text_only)
		die_usage("--records and --text cannot be used together", NULL);
	if (o->extract_lang && (!*o->extract_lang || strlen(o->extract_lang) > 63 || strpbrk(o->extract_lang, " \t\n")))
		die_usage("--extract-lang takes one word, a language name of at most 63 bytes", NULL);
	if ((o->extract || o->extract_all || o->extract_lang) && o->schema)
		die_usage("-x, --extract-all and --extract-lang take code out of a reply; --schema asks for JSON", NULL);
	if (o->render && o->json)
		die_usage("--render writes text for a terminal; --json writes records", NULL);
	if (o->render && (o->extract || o->extract_all || o->extract_lang))
		die_usage("--render shows the whole reply; -x, --extract-all and --extract-lang only its code", NULL);
}

void cli_parse(int argc, char **argv, struct cli_opts *o, const char *help, unsigned allow)
{
	cli_defaults(o);
	o->think_timeout = 600;
	o->context = -1;
	vars = jv_object();
	given = jv_object();     /* variables set on the command line */
	atexit(release);
	int words = cli_getopt(argc, argv, cli_options, o, help, allow);
	if (list_templates)
		exit(template_list(o->json, verbose > 0));
	if (force && !save_name)
		die_usage("--force goes with --save", NULL);
	if (o->template_name)
		apply_template(o);
	vars = jv_object_merge(vars, given);
	given = jv_invalid();
	o->vars = vars; /* borrowed by everyone */
	if (schema_arg)
		load_schema(o);
	check_combinations(o);
	if (o->dry_run)
		o->no_log = 1; /* the history may be read (-c), never written */
	o->nwords = argc - words;
	o->words = argv + words;
	/* a template's prompt stands in for prompt words, unless records are asked for */
	static char *prompt_word[1];
	if (!o->nwords && tpl.prompt && !o->prompt_jq && !o->records) {
		prompt_word[0] = tpl.prompt;
		o->words = prompt_word;
		o->nwords = 1;
	}
	if (save_name)
		exit(cli_exit(save_template(o)));
}
