/* cli: the flags every chat program shares, parsed one way, with the same
 * meaning, help and usage errors everywhere. */
#ifndef CHAT_CLI_H
#define CHAT_CLI_H
#include <jv.h>
#include <stddef.h>

enum cli_allow { CLI_RECORDS = 1, CLI_MODELS = 2, CLI_RENDER = 4 };

struct cli_opts {
	const char *model, *system;
	long max_tokens;
	double temperature;        /* < 0: not set */
	double max_cost;           /* dollars; < 0: no limit */
	int json, quiet, records, text_only, no_log, retries, cont, list_models;
	int remote_models;         /* --remote with --models: ask the providers' model lists */
	int retries_given;         /* --retries was on the command line (a Gemini upload has its own default) */
	const char *conversation, *db;
	long connect_timeout, idle_timeout, think_timeout, timeout;
	int parallel, ordered, skip_done;   /* batches (chat-send -r) */
	const char *fallback[8];   /* --fallback MODEL, in order */
	int nfallback;
	const char *prompt_jq, *system_jq, *id_jq;   /* jq programs: records into prompts */
	jv vars;                   /* --arg, --argjson, -p and a template's params */
	const char *template_name; /* -t NAME, applied: its values fill unset options */
	char *schema;              /* --schema (or the template's), as compact JSON */
	int data_only;             /* --data */
	int cache;                 /* --cache: answer identical requests from the history */
	long cache_ttl;            /* --cache-ttl seconds; 0: any age */
	const char *attach[16];    /* -a FILE, in order */
	int nattach;
	const char *files[64];     /* -f PATH: text files, folders, patterns or URLs, in order */
	int nfiles;
	long files_max;            /* --files-max BYTES; 0: not set (config, else 1 MB) */
	int allow_http;            /* --allow-http: -a and -f may fetch http:// URLs */
	int send_url;              /* --send-url: image URLs go to OpenAI and Anthropic as URLs */
	long fetch_timeout;        /* --fetch-timeout S: the most one fetch may take; 0: not set */
	long context;              /* --context N: earlier turns sent; -1: not set (config, else all) */
	int truncate;              /* --truncate: cut a prompt too large for the window */
	int wait_limit;            /* --wait-limit: wait out a provider's pause, however long */
	int dry_run;               /* --dry-run: print the requests, send and log nothing */
	int extract, extract_all;  /* -x, --extract-all: only the reply's fenced code */
	const char *extract_lang;  /* --extract-lang LANG: only code blocks in LANG */
	int render;                /* --render (chat-stream): Markdown rendered as it streams; --raw: not */
	int render_given;          /* --render or --raw was given (chat renders unless told not to) */
	int nwords;
	char **words;              /* prompt words left after the options */
};

/* Parse argv. --help prints help to stdout and exits 0; --version likewise;
 * a bad option prints a one-line hint and exits 64. */
void cli_parse(int argc, char **argv, struct cli_opts *o, const char *help, unsigned allow);

/* The values of options nobody gave: 2 retries, 20 s to connect, 300 s of
 * silence, no temperature, no cost limit (every program that fills a
 * cli_opts starts here). */
void cli_defaults(struct cli_opts *o);

/* One row of an option table, as git's parse-options has them: the
 * spellings, what the value is and where it goes, and the value's word in
 * --help. A table ends with a row whose name is NULL. */
enum cli_kind {
	CLI_SET,        /* no value: the int at off becomes 1 */
	CLI_STRING,     /* the const char * at off */
	CLI_LONG,       /* a whole number from lo to hi, the long at off */
	CLI_INT,        /* the same, the int at off */
	CLI_DOUBLE,     /* a decimal number from lo to hi, the double at off */
	CLI_CALL,       /* call() takes the value (NULL when arg is) */
	CLI_VERBOSE,    /* -v: one more level of detail */
	CLI_HELP,       /* -h: the help, exit 0 */
	CLI_VERSION,    /* --version, exit 0 */
};
struct cli_parser;
struct cli_option {
	const char *name;       /* the long spelling, without dashes */
	char letter;            /* the short one, or 0 */
	enum cli_kind kind;
	const char *arg;        /* the value's word in --help; NULL: takes none */
	size_t off;             /* where the value goes in the parser's target */
	double lo, hi;
	void (*call)(struct cli_parser *p, const char *value);
	unsigned needs;         /* an enum cli_allow the program must give, or 0 */
	const char *refusal;    /* when it does not: the usage error after the spelling */
};
struct cli_parser {
	int argc;
	char **argv;
	void *target;           /* the struct the rows' offsets point into */
	const struct cli_option *opt;   /* the row being applied */
};
/* A --retries row's call: its off points at a struct cli_opts's retries,
 * and retries_given is set beside it (a Gemini upload keeps its own
 * default unless the flag was given). */
void cli_set_retries(struct cli_parser *p, const char *value);
/* The table of cli_parse, for checking it against --help and the completions. */
extern const struct cli_option cli_options[];
/* Parse argv by table into target until the first word that is not an
 * option; the index of that word. Rows needing what allow lacks are refused. */
int cli_getopt(int argc, char **argv, const struct cli_option *table, void *target, const char *help,
	       unsigned allow);

/* The answer to -h, --version, a missing value (':') and an unknown option
 * in a getopt_long loop: c is what getopt_long returned, version the loop's
 * code for --version, shortopts its short options. It never returns. */
_Noreturn void cli_std_option(int c, int version, const char *shortopts, char **argv, const char *help);

/* A usage error from a printf format: "prog: message", the hint, exit 64. */
_Noreturn void cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Option values, or a usage error naming the flag (exit 64). */
long cli_number(const char *flag, const char *s, long lo, long hi);
double cli_dollars(const char *flag, const char *s, double most);
/* A date as YYYY-MM-DD (a time may follow a T); s itself. */
const char *cli_date(const char *s);

/* How a program ends: a caught signal is re-raised, and stdout is checked
 * and closed, a failure to write it being exit 73 when nothing else failed.
 * status, or what became of it. */
int cli_exit(int status);
#endif
