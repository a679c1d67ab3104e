/* cli: a table of options parsed one way, the usage errors every program
 * shares, the exit every program ends with, and sig_status. */
#include "cli.h"
#include "diag.h"
#include "sig.h"
#include "tap.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct target {
	const char *name;
	long n;
	int count, flag, calls;
	double t;
	const char *last;
};

static void note(struct cli_parser *p, const char *value)
{
	struct target *t = p->target;
	t->calls++;
	t->last = value;
}

#define T(field) offsetof(struct target, field)
static const struct cli_option table[] = {
	{ .name = "name", .letter = 'n', .kind = CLI_STRING, .arg = "NAME", .off = T(name) },
	{ .name = "size", .kind = CLI_LONG, .arg = "N", .off = T(n), .lo = 1, .hi = 100 },
	{ .name = "count", .kind = CLI_INT, .arg = "N", .off = T(count), .lo = 0, .hi = 9 },
	{ .name = "temp", .kind = CLI_DOUBLE, .arg = "T", .off = T(t), .lo = 0, .hi = 2 },
	{ .name = "flag", .letter = 'f', .kind = CLI_SET, .off = T(flag) },
	{ .name = "note", .kind = CLI_CALL, .arg = "X", .call = note },
	{ .name = "batchy", .kind = CLI_SET, .off = T(flag), .needs = CLI_RECORDS, .refusal = " is for batches" },
	{ .name = "quiet", .letter = 'q', .kind = CLI_SET, .off = T(flag) },
	{ .name = "verbose", .letter = 'v', .kind = CLI_VERBOSE },
	{ .name = "help", .letter = 'h', .kind = CLI_HELP },
	{ .name = "version", .kind = CLI_VERSION },
	{ .name = NULL },
};

/* Run cli_getopt on the words in a child: its exit status, its stderr's
 * first line in err and its stdout in out. */
static int child(char **words, char *err, size_t errcap, char *out, size_t outcap)
{
	int e[2], o[2];
	if (pipe(e) || pipe(o))
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(e[1], 2);
		dup2(o[1], 1);
		int argc = 0;
		while (words[argc])
			argc++;
		struct target t = { 0 };
		optind = 1;
		cli_getopt(argc, words, table, &t, "usage: test\n", 0);
		_exit(0);
	}
	close(e[1]);
	close(o[1]);
	ssize_t n = read(e[0], err, errcap - 1);
	err[n > 0 ? n : 0] = 0;
	char *nl = strchr(err, '\n');
	if (nl)
		*nl = 0;
	n = read(o[0], out, outcap - 1);
	out[n > 0 ? n : 0] = 0;
	close(e[0]);
	close(o[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void refused(char **words, int want_st, const char *want_err, const char *name)
{
	char err[512], out[512];
	int st = child(words, err, sizeof err, out, sizeof out);
	ok(st == want_st, "%s: exit %d (got %d)", name, want_st, st);
	is_str(err, want_err, name);
}

int main(void)
{
	diag_init("prog");

	/* every kind of row lands its value where the row says */
	char *argv[] = { "prog", "-n", "ann", "word", "--size", "42", "--count=3", "--temp", "0.5", "-fv",
			 "--note", "x", "--", "-q", NULL };
	struct target t = { 0 };
	int before = verbose;
	optind = 1;
	int words = cli_getopt(14, argv, table, &t, "usage\n", 0);
	ok(t.name && !strcmp(t.name, "ann"), "a string row");
	ok(t.n == 42 && t.count == 3 && t.t == 0.5, "whole, int and decimal rows");
	ok(t.flag == 1 && verbose == before + 1, "a set row and -v in one cluster");
	ok(t.calls == 1 && t.last && !strcmp(t.last, "x"), "a call row gets its value");
	ok(words == 12 && !strcmp(argv[words], "word") && !strcmp(argv[words + 1], "-q"),
	   "the words after the options, -- ending them (getopt permutes)");

	/* the usage errors, one wording each */
	refused((char *[]){ "prog", "--size", "0", NULL }, 64, "prog: --size: expected a whole number from 1 to 100, got '0'",
		"a whole number out of range names the flag");
	refused((char *[]){ "prog", "--temp", "3", NULL }, 64, "prog: --temp: expected a number from 0 to 2, got '3'",
		"a decimal out of range names the flag");
	refused((char *[]){ "prog", "--batchy", NULL }, 64, "prog: --batchy is for batches",
		"a row the program does not allow is refused with its words");
	refused((char *[]){ "prog", "--no-such", NULL }, 64, "prog: unknown option: --no-such", "an unknown long option");
	refused((char *[]){ "prog", "-Z", NULL }, 64, "prog: unknown option: -Z", "an unknown short option");
	refused((char *[]){ "prog", "-qZ", NULL }, 64, "prog: unknown option: -Z", "... at the end of a cluster");
	refused((char *[]){ "prog", "-Zq", NULL }, 64, "prog: unknown option: -Z", "... at its start");
	refused((char *[]){ "prog", "--flag", "-Zq", NULL }, 64, "prog: unknown option: -Z",
		"... after a long option, which is not named");
	refused((char *[]){ "prog", "--quiet=1", NULL }, 64, "prog: unknown option: --quiet=1",
		"a value for a long option that takes none names the word");
	refused((char *[]){ "prog", "--size", NULL }, 64, "prog: option needs a value: --size", "a missing value");
	char err[512], out[512];
	int st = child((char *[]){ "prog", "--version", NULL }, err, sizeof err, out, sizeof out);
	ok(st == 0 && !strcmp(out, "prog " CHAT_VERSION "\n") && !*err, "--version: name and version, exit 0");
	st = child((char *[]){ "prog", "-q", "--help", NULL }, err, sizeof err, out, sizeof out);
	ok(st == 0 && !strcmp(out, "usage: test\n") && !*err, "--help: the help on stdout, exit 0");

	/* the shared table: every spelling once, and a word for each value */
	int dup = 0, words_ok = 1, n = 0;
	for (const struct cli_option *a = cli_options; a->name; a++, n++) {
		for (const struct cli_option *b = a + 1; b->name; b++)
			dup |= !strcmp(a->name, b->name) || (a->letter && a->letter == b->letter);
		int takes = a->kind == CLI_STRING || a->kind == CLI_LONG || a->kind == CLI_INT || a->kind == CLI_DOUBLE;
		if (takes && !a->arg)
			words_ok = 0;
		if ((a->kind == CLI_SET || a->kind >= CLI_VERBOSE) && a->arg)
			words_ok = 0;
		if (a->needs && !a->refusal)
			words_ok = 0;
	}
	ok(n > 30 && !dup, "cli_options: %d rows, no spelling twice", n);
	ok(words_ok, "cli_options: a value word exactly for the rows that take a value; a refusal for each restriction");

	struct cli_opts o;
	memset(&o, 0x55, sizeof o);
	cli_defaults(&o);
	ok(o.retries == 2 && o.connect_timeout == 20 && o.idle_timeout == 300 && o.temperature < 0 && o.max_cost < 0 &&
	   !o.model && !o.json, "cli_defaults: 2 retries, 20 s, 300 s, no temperature, no cost limit, the rest unset");

	ok(!strcmp(cli_date("2026-01-31"), "2026-01-31") && !strcmp(cli_date("2026-01-31T10:00:00Z"), "2026-01-31T10:00:00Z"),
	   "cli_date: a date, or one with a time");
	ok(cli_number("--n", "7", 0, 9) == 7 && cli_dollars("--usd", "2.5", 10) == 2.5, "cli_number and cli_dollars");

	sig_caught = 0;
	ok(sig_status() == 130, "sig_status: an interrupted transfer with no flag yet is SIGINT's 130");
	sig_caught = SIGTERM;
	ok(sig_status() == 143, "sig_status: 128 + the signal caught");
	sig_caught = SIGPIPE;
	ok(sig_status() == 141, "sig_status: a closed stdout is SIGPIPE's 141");
	sig_caught = 0;

	/* cli_exit: stdout that cannot be written is 73, once, with a message */
	int e[2];
	if (pipe(e) == 0) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			dup2(e[1], 2);
			if (!freopen("/dev/full", "w", stdout))
				_exit(99);
			fputs("lost", stdout);
			_exit(cli_exit(0));
		}
		close(e[1]);
		ssize_t r = read(e[0], err, sizeof err - 1);
		err[r > 0 ? r : 0] = 0;
		close(e[0]);
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 73 && !strcmp(err, "prog: cannot write output\n"),
		   "cli_exit: an unwritable stdout is exit 73, said once");
	}
	return tap_done();
}
