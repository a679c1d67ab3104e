/* The NDJSON record loop: good records, bad lines with their line numbers,
 * a last line without a newline, blank lines, over-long lines; record output. */
#include "base64.h"
#include "diag.h"
#include "jsonx.h"
#include "records.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
	struct buf log;
};

static int collect(void *ctx, long lineno, jv rec, const char *why)
{
	struct seen *s = ctx;
	char t[32] = "?";
	if (why && !strncmp(why, "longer than ", 12))
		buf_addf(&s->log, "%ld:long(%s);", lineno, why + 12);
	else if (why)
		buf_addf(&s->log, "%ld:bad;", lineno);
	else {
		jx_str(rec, "type", t, sizeof t);
		buf_addf(&s->log, "%ld:%s;", lineno, t);
	}
	jv_free(rec);
	return 0;
}

/* The input as a file descriptor: an unlinked temporary file, so inputs
 * larger than a pipe's buffer are fine. */
static int feed_fd(const char *data)
{
	FILE *f = tmpfile();
	if (!f || fwrite(data, 1, strlen(data), f) != strlen(data) || fflush(f))
		return -1;
	int fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int threaded;

static char *run(const char *input, size_t max)
{
	struct line_reader lr;
	struct seen s;
	buf_init(&s.log, 1 << 16);
	buf_adds(&s.log, "");
	int fd = feed_fd(input);
	lr_init(&lr, fd, max);
	int r = threaded ? records_each_threaded(&lr, collect, &s) : records_each(&lr, collect, &s);
	buf_addf(&s.log, "=%d", r);
	lr_free(&lr);
	close(fd);
	return buf_detach(&s.log, NULL);
}

int main(void)
{
	diag_init("test_records");
	freopen("/dev/null", "w", stderr);
	char *g;
	g = run("{\"type\":\"prompt\",\"text\":\"a\"}\n{\"type\":\"prompt\"}\n", 1024);
	is_str(g, "1:prompt;2:prompt;=0", "two good records");
	free(g);
	g = run("{\"type\":\"prompt\"}\nnot json\n\n   \n[1,2]\n{\"x\":1}\n{\"type\":\"prompt\"}", 1024);
	is_str(g, "1:prompt;2:bad;5:bad;6:bad;7:prompt;=0",
	       "bad lines reported with their numbers, blank lines skipped, last line without LF read");
	free(g);
	g = run("{\"type\":\"prompt\",\"text\":\"0123456789012345678901234567890123456789\"}\n", 32);
	is_str(g, "1:long(32 bytes);=0", "an over-long line is reported as longer than the cap");
	free(g);
	g = run("{\"type\":\"prompt\",\"text\":\"0123456789012345678901234567890123456789\"}\n"
		"{\"type\":\"prompt\"}\n\n{\"type\":\"prompt\",\"text\":\"0123456789012345678901234567890123456789\"}\n"
		"{\"type\":\"error\"}", 32);
	is_str(g, "1:long(32 bytes);2:prompt;4:long(32 bytes);5:error;=0",
	       "the records after an over-long line go on, with their own line numbers");
	free(g);
	/* found by tests/fuzz/fuzz_records: the cap counted the bytes read after
	 * a line too, so short lines read together were called too long */
	g = run("{\"type\":\"prompt\"}\n{\"type\":\"prompt\"}\n{\"type\":\"prompt\"}\n", 20);
	is_str(g, "1:prompt;2:prompt;3:prompt;=0", "lines under the cap pass, whatever follows them");
	free(g);
	g = run("{\"type\":\"prompt\",\"text\":\"abcd\"}\n{\"type\":\"prompt\",\"text\":\"abcde\"}\n", 31);
	is_str(g, "1:prompt;2:long(31 bytes);=0", "a line of exactly the cap passes, one byte more does not");
	free(g);
	g = run("{\"type\":\"prompt\",\"text\":\"abcd\"}", 31);
	is_str(g, "1:prompt;=0", "a last line of exactly the cap without a LF passes");
	free(g);
	g = run("", 1024);
	is_str(g, "=0", "empty input");
	free(g);
	g = run("{\"type\":\"prompt\",\"text\":\"line\\nbreak \\u00e9\"}\r\n", 1024);
	is_str(g, "1:prompt;=0", "CRLF line ends accepted");
	free(g);
	/* deeper than jq's 256-level limit is bad input, not a crash */
	struct buf deep = BUF_INIT(1 << 20);
	buf_adds(&deep, "{\"type\":\"prompt\",\"x\":");
	for (int i = 0; i < 10000; i++)
		buf_addc(&deep, '[');
	buf_adds(&deep, "\n");
	g = run(buf_str(&deep), 1 << 20);
	is_str(g, "1:bad;=0", "JSON nested 10,000 deep is a bad line");
	free(g);
	buf_free(&deep);

	/* the threaded loop gives the same calls in the same order */
	struct buf many = BUF_INIT(1 << 22);
	for (int i = 1; i <= 3000; i++)
		buf_addf(&many, i % 97 ? "{\"type\":\"prompt\",\"n\":%d}\n" : "bad %d\n", i);
	char *seq = run(buf_str(&many), 1 << 20);
	threaded = 1;
	char *par = run(buf_str(&many), 1 << 20);
	is_str(par, seq, "records_each_threaded: 3,000 lines, the same calls in the same order");
	free(par);
	g = run("{\"type\":\"prompt\",\"text\":\"0123456789012345678901234567890123456789\"}\n{\"type\":\"prompt\"}\n", 32);
	is_str(g, "1:long(32 bytes);2:prompt;=0", "records_each_threaded: an over-long line is skipped, the rest go on");
	free(g);
	g = run("{\"type\":\"prompt\"}\n{\"type\":\"prompt\"}\n{\"type\":\"prompt\"}\n", 20);
	is_str(g, "1:prompt;2:prompt;3:prompt;=0", "records_each_threaded: lines under the cap pass");
	free(g);
	threaded = 0;
	free(seq);
	buf_free(&many);

#define LOOKS(s) looks_like_record(s, strlen(s))
	ok(LOOKS("{\"type\":\"prompt\",\"text\":\"x\"}"), "a prompt line looks like a record");
	ok(!LOOKS("{\"type\":\"other\"}"), "an unknown type does not");
	ok(!LOOKS("hello {"), "plain text does not");
	ok(!LOOKS("{\"type\":"), "broken JSON does not");

	struct buf b = BUF_INIT(1024);
	jx_dump_line(JV_OBJECT(jv_string("type"), jv_string("delta"), jv_string("text"), jv_string("h\xc3\xa9\n\"")), &b);
	is_str(buf_str(&b), "{\"type\":\"delta\",\"text\":\"h\xc3\xa9\\n\\\"\"}\n", "records are one compact line, type first, UTF-8 kept");
	buf_free(&b);

	struct buf e = BUF_INIT(1024), d = BUF_INIT(1024);
	const char *samples[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	int good = 1;
	for (int i = 0; i < 7; i++) {
		buf_reset(&e);
		buf_reset(&d);
		base64_encode(samples[i], strlen(samples[i]), &e);
		base64_decode(buf_str(&e), e.len, &d);
		good &= !strcmp(buf_str(&e), want[i]) && !strcmp(buf_str(&d), samples[i]);
	}
	ok(good, "base64 RFC 4648 test vectors round-trip");
	ok(base64_decode("Zm9*", 4, &d) < 0, "base64 refuses characters outside the alphabet");
	buf_free(&e);
	buf_free(&d);
	return tap_done();
}
