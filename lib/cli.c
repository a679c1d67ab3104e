/* cli: options read by table, the usage errors and defaults every program
 * shares, and the way every program ends. */
#include "cli.h"
#include "thread.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "numparse.h"
#include "sig.h"
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die_usage(msg, NULL);
}

long cli_number(const char *flag, const char *s, long lo, long hi)
{
	return (long)flag_whole(flag, s, lo, hi);
}

double cli_dollars(const char *flag, const char *s, double most)
{
	return flag_number(flag, s, 0, most);
}

const char *cli_date(const char *s)
{
	if (!clock_valid_date(s))
		die_usage("expected a date as YYYY-MM-DD", s);
	return s;
}

void cli_defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->temperature = -1;
	o->max_cost = -1;
	o->retries = 2;
	o->connect_timeout = 20;
	o->idle_timeout = 300;
}

void cli_std_option(int c, int version, const char *shortopts, char **argv, const char *help)
{
	if (c == 'h') {
		fputs(help, stdout);
		exit(fflush(stdout) ? EXIT_CANTCREAT : 0);
	}
	if (c == version) {
		printf("%s %s\n", progname, CHAT_VERSION);
		exit(0);
	}
	if (c == ':')
		die_usage("option needs a value", argv[optind - 1]);
	/* an unknown letter is named alone (in -qZ the word is not the culprit,
	 * and in -Zq it is not even argv[optind - 1]); a known one is here
	 * because its long spelling was given a value it does not take */
	if (optopt > 0 && optopt < 256 && !strchr(shortopts, optopt))
		cli_usage("unknown option: -%c", optopt);
	die_usage("unknown option", argv[optind - 1]);
}

int cli_exit(int status)
{
	thread_settle();
	sig_reraise();
	if (close_stdout() < 0 && !status) {
		error("cannot write output");
		status = EXIT_CANTCREAT;
	}
	return status;
}

/* The getopt_long code of a table's row: its letter, else 256 + its index. */
static int row_code(const struct cli_option *t, int i)
{
	return t[i].letter ? t[i].letter : 256 + i;
}

static void apply(struct cli_parser *p, const char *value, unsigned allow)
{
	const struct cli_option *r = p->opt;
	char *at = (char *)p->target + r->off;
	char flag[64];
	snprintf(flag, sizeof flag, "--%s", r->name);
	if (r->needs & ~allow)
		cli_usage("%s%s", r->letter ? (char[]){ '-', r->letter, 0 } : flag, r->refusal);
	switch (r->kind) {
	case CLI_SET: *(int *)at = 1; break;
	case CLI_STRING: *(const char **)at = value; break;
	case CLI_LONG: *(long *)at = cli_number(flag, value, (long)r->lo, (long)r->hi); break;
	case CLI_INT: *(int *)at = (int)cli_number(flag, value, (long)r->lo, (long)r->hi); break;
	case CLI_DOUBLE: *(double *)at = flag_number(flag, value, r->lo, r->hi); break;
	case CLI_CALL: r->call(p, value); break;
	case CLI_VERBOSE: verbose++; break;
	case CLI_HELP: case CLI_VERSION: break; /* answered by cli_std_option */
	}
}

void cli_set_retries(struct cli_parser *p, const char *value)
{
	struct cli_opts *o = (struct cli_opts *)((char *)p->target + p->opt->off - offsetof(struct cli_opts, retries));
	o->retries = (int)cli_number("--retries", value, 0, 100);
	o->retries_given = 1;
}

int cli_getopt(int argc, char **argv, const struct cli_option *table, void *target, const char *help,
	       unsigned allow)
{
	struct option longopts[80];
	char shortopts[2 * 80 + 2] = ":";
	size_t n = 0, ns = 1;
	int version = -1;
	for (; table[n].name; n++) {
		if (n + 1 >= sizeof longopts / sizeof *longopts)
			abort(); /* a table this long is a mistake in the program */
		longopts[n] = (struct option){ table[n].name, table[n].arg ? required_argument : no_argument, NULL,
					       row_code(table, (int)n) };
		if (table[n].letter) {
			shortopts[ns++] = table[n].letter;
			if (table[n].arg)
				shortopts[ns++] = ':';
		}
		if (table[n].kind == CLI_VERSION)
			version = row_code(table, (int)n);
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[ns] = 0;
	struct cli_parser p = { argc, argv, target, NULL };
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		size_t i = 0;
		while (i < n && row_code(table, (int)i) != c)
			i++;
		if (i == n || table[i].kind == CLI_HELP || table[i].kind == CLI_VERSION)
			cli_std_option(i < n && table[i].kind == CLI_HELP ? 'h' : c, version, shortopts, argv, help);
		p.opt = &table[i];
		apply(&p, optarg, allow);
	}
	return optind;
}
