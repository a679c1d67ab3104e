/* chat-split: text too long for a model's window, cut into prompt records
 * of at most N tokens each, for a map-reduce through chat-send -r. */
#include "config.h"
#include "cli.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include "models.h"
#include "sig.h"
#include "tokens/split.h"
#include "tokens/tokens.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-split -n N [options] [FILE...]\n"
	"Cut text too long for a model into prompt records of at most N tokens,\n"
	"for chat-send -r: at a paragraph break (a blank line) where one fits,\n"
	"else at a line break, else between tokens (never inside a character).\n"
	"The texts of the records, joined, are the input byte for byte.\n"
	"\n"
	"  -n, --tokens N        at most N tokens a part (16 or more; required)\n"
	"  -m, --model MODEL     count with MODEL's encoding (default: the\n"
	"                        default model)\n"
	"      --encoding NAME   count with o200k_base or cl100k_base\n"
	"      --id PREFIX       ids PREFIX-1, PREFIX-2, ... (default: the file's\n"
	"                        name, or part for standard input)\n"
	"  -q, --quiet           no notes on stderr\n"
	"  -v, --verbose         say how each input was cut\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"A record: {\"type\":\"prompt\",\"id\":\"report.txt-2\",\"text\":...,\"part\":2,\n"
	"\"parts\":5,\"offset\":181342,\"bytes\":180877,\"tokens\":49996}. Input from\n"
	"a pipe is kept in $TMPDIR until it ends; nothing is written unless all\n"
	"of every input can be split.\n"
	"\n"
	"Examples:\n"
	"  chat-split -n 50000 big.log | chat-send -r --ordered -s 'Summarise' |\n"
	"    jq -r .text | chat-send 'Combine these summaries'\n"
	"  chat-split -n 8000 -m claude-sonnet-4-5 --id ch book.txt > parts.ndjson\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 65 input that is not text, 66 unreadable\n"
	"file, 73 cannot write, 78 bad config or tokenizer data.\n";

enum { O_ENCODING = 256, O_ID, O_VERSION };

static const struct option longopts[] = {
	{ "tokens", required_argument, NULL, 'n' }, { "model", required_argument, NULL, 'm' },
	{ "encoding", required_argument, NULL, O_ENCODING }, { "id", required_argument, NULL, O_ID },
	{ "quiet", no_argument, NULL, 'q' }, { "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Far beyond any model's window, and small enough that a part's record
 * stays well within what one line may hold. */
#define MAX_TOKENS 10000000L
#define MIN_TOKENS 16

struct part {
	uint64_t offset;
	size_t len;
	long tokens;
	uint64_t sum;           /* of its bytes, to notice an input changed between the passes */
};

/* One input: read once to find the cuts, then again to write the parts —
 * a named regular file from its name, standard input that is a regular
 * file from its descriptor, anything else (a pipe) from a spool file. */
struct input {
	const char *path;       /* NULL: standard input */
	const char *name;       /* for messages */
	char prefix[256];       /* of the ids */
	int fd;                 /* open between the passes (stdin, spool), else -1 */
	off_t start;            /* where reading began in fd */
	dev_t dev;
	ino_t ino;
	struct part *parts;
	size_t nparts, cap;
};

/* The counts chat-cost --count gives for the model: exact with its
 * encoding, else the same estimate. */
static long model_count(void *ctx, const char *text, size_t len)
{
	return tokens_count(ctx, text, len);
}

static int model_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	const struct token_counter *tc = ctx;
	return split_tokenizer_prefix(tc->tok, text, len, max, bytes);
}

/* Set up counting for the model (or encoding) as chat-cost --count does:
 * -m, else $CHAT_MODEL, else the config's model, else the default; aliases
 * followed; a provider: prefix looked past in the table. */
static int counter_for(struct token_counter *tc, const char *model, const char *encoding, int quiet)
{
	struct config cfg;
	struct models table;
	if (config_load(&cfg) < 0)
		return EXIT_CONFIG;
	if (models_load(&table, &cfg) < 0) {
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	if (!model || !*model)
		model = getenv("CHAT_MODEL");
	if (!model || !*model)
		model = config_get(&cfg, "", "model");
	if (!model || !*model)
		model = MODEL_DEFAULT;
	const char *name = models_alias(&cfg, model), *colon = strchr(name, ':');
	const struct model_info *mi = models_find(&table, name);
	if (!mi && colon)
		mi = models_find(&table, colon + 1);
	char why[320];
	int r = tokens_for(tc, name, mi, encoding, why, sizeof why) < 0 ? EXIT_CONFIG : 0;
	if (r)
		error("%s", why);
	else if (tc->estimate && !quiet && (isatty(2) || verbose))
		warn("%s: no public tokenizer, so the counts are estimates (o200k_base plus 10%%)", model);
	else if (verbose)
		warn("counting with %s", tc->encoding);
	models_free(&table);
	config_free(&cfg);
	return r;
}

/* A checksum of a part's bytes: only to notice that a file changed
 * between the two readings, so fast rather than cryptographic. */
static uint64_t checksum(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (; n; p++, n--)
		h = (h ^ (unsigned char)*p) * 0x100000001b3u;
	return h ^ (h >> 29);
}

static int note_part(void *ctx, const struct split_part *p, const char *text)
{
	struct input *in = ctx;
	if (in->nparts == in->cap) {
		size_t cap = in->cap ? 2 * in->cap : 16;
		struct part *v = realloc(in->parts, cap * sizeof *v);
		if (!v)
			return -1;
		in->parts = v;
		in->cap = cap;
	}
	struct part *q = &in->parts[in->nparts++];
	q->offset = p->offset;
	q->len = p->len;
	q->tokens = p->tokens;
	q->sum = checksum(text, p->len);
	return 0;
}

/* A file for the bytes of a pipe, gone from the file system at once. */
static int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/chat-split.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return error("cannot keep standard input in %s: %s", dir && *dir ? dir : "/tmp", strerror(errno));
	unlink(path);
	return fd;
}

/* Open an input for the first pass; -1 or a status after a message. */
static int open_input(struct input *in, int *fd, int *spool)
{
	*spool = -1;
	*fd = in->path ? open(in->path, O_RDONLY | O_CLOEXEC) : 0;
	struct stat st;
	if (*fd < 0 || fstat(*fd, &st) < 0) {
		error("%s: %s", in->name, strerror(errno));
		if (*fd > 0)
			close(*fd);
		return EXIT_NOINPUT;
	}
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(*fd, 0, SEEK_CUR);
		in->start = at > 0 ? at : 0;
		in->fd = in->path ? -1 : 0;
		return 0;
	}
	if ((*spool = spool_open()) < 0) {
		if (*fd > 0)
			close(*fd);
		return EXIT_CANTCREAT;
	}
	in->fd = *spool;
	return 0;
}

/* What stopped a split, said; bad data is refused, never mended, so the
 * parts always join into the input. */
static int split_status(const struct input *in, const struct splitter *s)
{
	/* "line N: ..." alone for standard input, as for records */
	const char *name = in->path ? in->name : "", *sep = in->path ? ": " : "";
	switch (s->status) {
	case SPLIT_NOT_UTF8:
		error("%s%sline %ld: not UTF-8", name, sep, s->err_line);
		return EXIT_DATAERR;
	case SPLIT_NUL:
		error("%s%sline %ld: a NUL byte (binary data is not text)", name, sep, s->err_line);
		return EXIT_DATAERR;
	default:
		error("%s: out of memory", in->name);
		return EXIT_SOFTWARE;
	}
}

/* The first pass: read the input through, check it and find the cuts. */
static int find_parts(struct input *in, const struct split_counter *c, long max)
{
	int fd, spool;
	int r = open_input(in, &fd, &spool);
	if (r)
		return r;
	struct splitter s;
	split_init(&s, c, max, note_part, in);
	static char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = (error("%s: %s", in->name, strerror(errno)), EXIT_NOINPUT);
			break;
		}
		if (n == 0) {
			if (split_end(&s) < 0)
				r = split_status(in, &s);
			break;
		}
		if (spool >= 0 && write_all(spool, chunk, (size_t)n) < 0) {
			r = (error("cannot keep standard input in $TMPDIR: %s", strerror(errno)), EXIT_CANTCREAT);
			break;
		}
		if (split_feed(&s, chunk, (size_t)n) < 0) {
			r = split_status(in, &s);
			break;
		}
	}
	split_free(&s);
	if (fd > 0)
		close(fd);
	if (verbose && !r)
		warn("%s: %zu part%s", in->name, in->nparts, in->nparts == 1 ? "" : "s");
	return r;
}

static int changed(const struct input *in)
{
	error("%s: changed while it was being split", in->name);
	return EXIT_NOINPUT;
}

/* Read a part's bytes again into *to (grown to fit) and check they are the
 * ones that were counted. */
static int reread(const struct input *in, int fd, const struct part *p, char **to, size_t *cap)
{
	if (p->len > INT_MAX) /* more than a JSON string may hold */
		return (error("%s: a part of %zu bytes is too large", in->name, p->len), EXIT_SOFTWARE);
	if (p->len > *cap) {
		char *v = realloc(*to, p->len);
		if (!v)
			return (error("%s: out of memory", in->name), EXIT_SOFTWARE);
		*to = v;
		*cap = p->len;
	}
	size_t got = 0;
	while (got < p->len) {
		ssize_t n = pread(fd, *to + got, p->len - got, in->start + (off_t)(p->offset + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got < p->len || checksum(*to, got) != p->sum ? changed(in) : 0;
}

/* The descriptor to read the parts from: a named file is opened again and
 * must be the one read the first time. */
static int reopen(const struct input *in)
{
	if (in->fd >= 0)
		return in->fd;
	struct stat st;
	int fd = open(in->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("%s: %s", in->name, strerror(errno)), -1;
	if (fstat(fd, &st) < 0 || st.st_dev != in->dev || st.st_ino != in->ino) {
		close(fd);
		return changed(in), -1;
	}
	return fd;
}

static jv part_record(const struct input *in, size_t k, const char *text)
{
	const struct part *p = &in->parts[k];
	char id[300];
	snprintf(id, sizeof id, "%s-%zu", in->prefix, k + 1);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("prompt"), jv_string("id"), jv_string(id));
	rec = jv_object_set(rec, jv_string("text"), jv_string_sized(text, (int)p->len));
	rec = jv_object_set(rec, jv_string("part"), jv_number((double)(k + 1)));
	rec = jv_object_set(rec, jv_string("parts"), jv_number((double)in->nparts));
	rec = jv_object_set(rec, jv_string("offset"), jv_number((double)p->offset));
	rec = jv_object_set(rec, jv_string("bytes"), jv_number((double)p->len));
	return jv_object_set(rec, jv_string("tokens"), jv_number((double)p->tokens));
}

/* The second pass: a record for each part, one write each. */
static int write_parts(const struct input *in)
{
	if (!in->nparts)
		return 0;
	int fd = reopen(in);
	if (fd < 0)
		return EXIT_NOINPUT;
	char *text = NULL;
	size_t cap = 0;
	int r = 0;
	for (size_t k = 0; k < in->nparts && !r; k++) {
		r = reread(in, fd, &in->parts[k], &text, &cap);
		if (!r && jx_write_line(1, part_record(in, k, text)) < 0) {
			if (errno == EPIPE) { /* the reader is gone: end quietly, as by SIGPIPE */
				sig_note_pipe();
				r = -1;
			} else
				r = (error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT);
		}
	}
	free(text);
	if (fd != in->fd)
		close(fd);
	return r;
}

/* Each input's id prefix; two inputs must not share one. */
static void name_inputs(struct input *in, int n, char **files, const char *id)
{
	for (int i = 0; i < n; i++) {
		const char *f = files ? files[i] : "-";
		int is_stdin = !strcmp(f, "-");
		const char *base = strrchr(f, '/');
		in[i] = (struct input){ .path = is_stdin ? NULL : f, .name = is_stdin ? "stdin" : f, .fd = -1 };
		snprintf(in[i].prefix, sizeof in[i].prefix, "%s", id ? id : is_stdin ? "part" : base ? base + 1 : f);
		for (int j = 0; j < i; j++)
			if (!strcmp(in[i].prefix, in[j].prefix))
				die_usage("two inputs would give the same ids; split them one at a time with --id",
					  in[i].prefix);
	}
}

static void free_inputs(struct input *in, int n)
{
	for (int i = 0; i < n; i++) {
		if (in[i].fd > 0)
			close(in[i].fd);
		free(in[i].parts);
	}
	free(in);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	const char *model = NULL, *encoding = NULL, *id = NULL;
	long max = 0;
	int quiet = 0, c;
	opterr = 0;
	const char *shortopts = ":n:m:qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'n': max = cli_number("--tokens", optarg, MIN_TOKENS, MAX_TOKENS); break;
		case 'm': model = optarg; break;
		case O_ENCODING: encoding = optarg; break;
		case O_ID:
			if (!*optarg || strlen(optarg) > 200)
				die_usage("--id: expected a prefix of 1 to 200 bytes", optarg);
			id = optarg;
			break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	if (!max)
		die_usage("how many tokens a part may hold: give --tokens N", NULL);
	int n = argc - optind;
	if (id && n > 1)
		die_usage("--id names the parts of one input; split several files one at a time", NULL);
	int ninputs = n ? n : 1;   /* none named: standard input */
	struct input *in = calloc((size_t)ninputs, sizeof *in);
	if (!in)
		die(EXIT_SOFTWARE, "out of memory");
	name_inputs(in, ninputs, n ? argv + optind : NULL, id);
	struct token_counter tc;
	int r = counter_for(&tc, model, encoding, quiet);
	struct split_counter counter = { model_count, model_prefix, &tc };
	/* every input is read through and checked before anything is written */
	for (int i = 0; i < ninputs && !r; i++)
		r = find_parts(&in[i], &counter, max);
	for (int i = 0; i < ninputs && !r; i++)
		r = write_parts(&in[i]);
	free_inputs(in, ninputs);
	return cli_exit(r);
}
