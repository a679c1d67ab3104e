/* cli: the flags every chat program shares, parsed one way, with the same
 * meaning, help and usage errors everywhere. */
#ifndef CHAT_CLI_H
#define CHAT_CLI_H
#include <jv.h>

enum cli_allow { CLI_RECORDS = 1, CLI_MODELS = 2 };

struct cli_opts {
	const char *model, *system;
	long max_tokens;
	double temperature;        /* < 0: not set */
	double max_cost;           /* dollars; < 0: no limit */
	int json, quiet, records, text_only, no_log, retries, cont, list_models;
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
	long context;              /* --context N: earlier turns sent; -1: not set (config, else all) */
	int truncate;              /* --truncate: cut a prompt too large for the window */
	int wait_limit;            /* --wait-limit: wait out a provider's pause, however long */
	int nwords;
	char **words;              /* prompt words left after the options */
};

/* Parse argv. --help prints help to stdout and exits 0; --version likewise;
 * a bad option prints a one-line hint and exits 64. */
void cli_parse(int argc, char **argv, struct cli_opts *o, const char *help, unsigned allow);
#endif
