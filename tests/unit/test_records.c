/* The NDJSON record loop: good records, bad lines with their line numbers,
 * a last line without a newline, blank lines, over-long lines; record output. */
#include "base64.h"
#include "diag.h"
#include "jsonx.h"
#include "records.h"
#include "tap.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

/* ---- records_each_shaped: each good record shaped before the callback ---- */

static pthread_t main_thread;
static int shaped_here, shaped_elsewhere;

static int shape_mark(void *ctx, jv rec, jv *out, jv *id, char *why, size_t cap)
{
	(void)ctx, (void)id, (void)why, (void)cap;
	if (pthread_equal(pthread_self(), main_thread))
		shaped_here++;
	else
		shaped_elsewhere++;
	*out = jv_object_set(rec, jv_string("type"), jv_string("shaped"));
	return 0;
}

static char *run_shaped(const char *input)
{
	struct line_reader lr;
	struct seen s;
	buf_init(&s.log, 1 << 16);
	buf_adds(&s.log, "");
	int fd = feed_fd(input);
	lr_init(&lr, fd, 1 << 20);
	int r = records_each_shaped(&lr, shape_mark, collect, &s);
	buf_addf(&s.log, "=%d", r);
	lr_free(&lr);
	close(fd);
	return buf_detach(&s.log, NULL);
}

/* An address-space limit cannot be set under a sanitizer (its shadow
 * memory is mapped as needed): that check is skipped there. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_AS_LIMIT 1
#else
#define NO_AS_LIMIT 0
#endif

#if !NO_AS_LIMIT
/* The same with no thread to be had (the address space too small for a
 * thread's stack), in a child: the shaping is done inline. Writes the
 * calls and where the shaping ran to fd. */
static void shaped_without_threads(const char *input, int fd)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	if (!f || fscanf(f, "%lu", &pages) != 1)
		_exit(2);
	fclose(f);
	struct rlimit rl = { pages * 4096 + (3u << 20), pages * 4096 + (3u << 20) };
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		_exit(2);
	char *g = run_shaped(input);
	dprintf(fd, "%s|%d|%d", g, shaped_here > 0, shaped_elsewhere);
	_exit(0);
}
#endif

/* ---- record_reader: the non-blocking take, the wake hook, the bounds ---- */

struct watch {
	pthread_mutex_t mu;
	int wakes, weighed;
};

static void on_wake(void *ctx)
{
	struct watch *w = ctx;
	pthread_mutex_lock(&w->mu);
	w->wakes++;
	pthread_mutex_unlock(&w->mu);
}

static struct watch *weigh_watch;

static size_t count_weigh(jv rec)
{
	pthread_mutex_lock(&weigh_watch->mu);
	weigh_watch->weighed++;
	pthread_mutex_unlock(&weigh_watch->mu);
	return 1;
}

static int watched(struct watch *w, int *field)
{
	pthread_mutex_lock(&w->mu);
	int n = *field;
	pthread_mutex_unlock(&w->mu);
	return n;
}

/* The count once it reaches want (waiting on the reader for up to ten
 * seconds, so a loaded machine is no failure), read again a moment later,
 * so a reader that goes past it is still caught. */
static int watched_at_least(struct watch *w, int *field, int want)
{
	for (int i = 0; i < 10000 && watched(w, field) < want; i++)
		usleep(1000);
	usleep(20000);
	return watched(w, field);
}

/* Records whose "n" is 2 fail, as a --prompt-jq program might. */
static int shape_fails_on_2(void *ctx, jv rec, jv *out, jv *id, char *why, size_t cap)
{
	on_wake(ctx);
	if (jx_num(rec, "n", 0) == 2) {
		*id = jv_number(2);
		snprintf(why, cap, "the program fails on 2");
		jv_free(rec);
		return -1;
	}
	*id = jv_null();
	*out = rec;
	return 0;
}

/* The non-blocking take, tried until it says more than "not yet". */
static int take_soon(struct record_reader *rr, struct record_item *it)
{
	for (int i = 0; i < 5000; i++) {
		int r = record_reader_try_take(rr, it);
		if (r)
			return r;
		usleep(1000);
	}
	return 0;
}

static void reader_tests(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	struct watch w = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct line_reader lr;
	lr_init(&lr, p[0], 1024);
	struct record_reader_opts o = { .wake = on_wake, .shape = shape_fails_on_2, .ctx = &w };
	struct record_reader *rr = record_reader_start(&lr, &o);
	struct record_item it;
	ok(rr && record_reader_try_take(rr, &it) == 0, "try_take: 0 while the input has nothing yet");
	const char *in = "{\"type\":\"prompt\",\"n\":1}\nnot json\n{\"type\":\"prompt\",\"n\":2}\n";
	if (write(p[1], in, strlen(in)) < 0)
		return;
	int r = take_soon(rr, &it);
	ok(r == 1 && it.lineno == 1 && jx_num(it.rec, "n", 0) == 1 && !it.reported, "try_take: a record as it arrives");
	record_item_free(&it);
	r = take_soon(rr, &it);
	ok(r == 1 && it.lineno == 2 && !jv_is_valid(it.rec) && it.reported && !strncmp(it.why, "invalid JSON", 12),
	   "try_take: a bad line, said by the reader (reported)");
	record_item_free(&it);
	r = take_soon(rr, &it);
	ok(r == 1 && it.lineno == 3 && !jv_is_valid(it.rec) && !it.reported &&
	   !strcmp(it.why, "the program fails on 2") && jv_number_value(it.id) == 2,
	   "try_take: a record the shape hook refused: not reported, with its id");
	record_item_free(&it);
	ok(record_reader_try_take(rr, &it) == 0, "try_take: 0 again while the input is open");
	ok(watched(&w, &w.wakes) >= 3 + 2, "the wake hook is called for each item");
	close(p[1]);
	ok(take_soon(rr, &it) == -1 && record_reader_try_take(rr, &it) == -1, "try_take: -1 once the input has ended");
	ok(record_reader_stop(rr) == 0, "stop: no read error");
	lr_free(&lr);
	close(p[0]);

	/* stopping while the reader waits on an open, silent input */
	if (pipe(p) < 0)
		return;
	lr_init(&lr, p[0], 1024);
	struct record_reader_opts quiet = { 0 };
	rr = record_reader_start(&lr, &quiet);
	usleep(20000);
	alarm(10); /* a reader that cannot be stopped hangs here */
	ok(rr && record_reader_stop(rr) == 0, "stop: a read blocked on the input is given up");
	alarm(0);
	lr_free(&lr);
	close(p[0]);
	close(p[1]);

	/* the read-ahead bound: two held, the third read and waiting for room */
	struct buf many = BUF_INIT(1 << 16);
	for (int i = 1; i <= 10; i++)
		buf_addf(&many, "{\"type\":\"prompt\",\"n\":%d}\n", i);
	int fd = feed_fd(buf_str(&many));
	buf_free(&many);
	struct watch ww = { .mu = PTHREAD_MUTEX_INITIALIZER };
	weigh_watch = &ww;
	lr_init(&lr, fd, 1024);
	struct record_reader_opts two = { .max_items = 2, .weigh = count_weigh };
	rr = record_reader_start(&lr, &two);
	ok(watched_at_least(&ww, &ww.weighed, 3) == 3, "max_items: the reader holds two and waits with the third");
	r = take_soon(rr, &it);
	ok(r == 1 && it.lineno == 1, "max_items: the first taken");
	record_item_free(&it);
	ok(watched_at_least(&ww, &ww.weighed, 4) == 4, "max_items: taking one makes room for one more");
	struct record_reader_opts bytes = { .max_bytes = 2, .weigh = count_weigh };
	record_reader_stop(rr);
	lr_free(&lr);
	lseek(fd, 0, SEEK_SET);
	ww.weighed = 0;
	lr_init(&lr, fd, 1024);
	rr = record_reader_start(&lr, &bytes);
	ok(watched_at_least(&ww, &ww.weighed, 3) == 3, "max_bytes: two of weight 1 held, the third waits");
	long last = 0;
	int n = 0;
	while ((r = record_reader_take(rr, &it)) == 1) {
		n += it.lineno == last + 1;
		last = it.lineno;
		record_item_free(&it);
	}
	ok(r == 0 && n == 10, "take: the rest in order, then 0 at the end");
	record_reader_stop(rr);
	lr_free(&lr);
	close(fd);

	/* found by tests/fuzz/fuzz_records: jq's message for JSON too deep is
	 * long, and a bad line's reason is one short line however it is read */
	struct buf deep = BUF_INIT(1 << 16);
	buf_adds(&deep, "{\"type\":\"prompt\",\"x\":");
	for (int i = 0; i < 300; i++)
		buf_adds(&deep, "{\"a\":");
	buf_adds(&deep, "1\n");
	fd = feed_fd(buf_str(&deep));
	buf_free(&deep);
	lr_init(&lr, fd, 1 << 16);
	rr = record_reader_start(&lr, &quiet);
	r = record_reader_take(rr, &it);
	ok(r == 1 && !jv_is_valid(it.rec) && it.why[0] && strlen(it.why) < 256, "take: a bad line's reason is cut as the loop cuts it");
	record_item_free(&it);
	record_reader_stop(rr);
	lr_free(&lr);
	close(fd);
}

int main(void)
{
	/* first, before any thread: a child would reuse a stack that an
	 * earlier thread left in the C library's cache */
#if NO_AS_LIMIT
	ok(1, "# skip: no address-space limit under a sanitizer");
#else
	int pfd[2];
	if (pipe(pfd) == 0) {
		pid_t kid = fork();
		if (kid == 0) {
			close(pfd[0]);
			main_thread = pthread_self();
			shaped_here = shaped_elsewhere = 0;
			shaped_without_threads("{\"type\":\"prompt\"}\nbad\n{\"type\":\"prompt\"}\n", pfd[1]);
		}
		close(pfd[1]);
		char got[256] = "";
		ssize_t n = read(pfd[0], got, sizeof got - 1);
		got[n > 0 ? n : 0] = 0;
		close(pfd[0]);
		waitpid(kid, NULL, 0);
		is_str(got, "1:shaped;2:bad;3:shaped;=0|1|0",
		       "records_each_shaped with no thread to be had: shaped inline, the same calls");
	}
#endif
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

	/* shaped on the reading thread, bad lines not shaped, in order */
	main_thread = pthread_self();
	char *want_shaped = strdup(seq);
	for (char *p = want_shaped; (p = strstr(p, ":prompt;"));)
		memcpy(p, ":shaped;", 8), p += 8;
	char *shp = run_shaped(buf_str(&many));
	is_str(shp, want_shaped, "records_each_shaped: 3,000 lines, each good one shaped, the same calls in order");
	ok(shaped_elsewhere == 3000 - 3000 / 97 && shaped_here == 0,
	   "... the shaping done on the reading thread (%d there, %d here)", shaped_elsewhere, shaped_here);
	free(shp);
	free(want_shaped);
	free(seq);
	buf_free(&many);

	reader_tests();

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
