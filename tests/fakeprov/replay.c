/* fakeprov --replay FILE: answer a chat request with a reply recorded from a
 * real service, byte for byte.  FILE is the raw response body (NAME.sse);
 * NAME.http.json beside it, when present, gives the recorded status and
 * headers.  The body goes out in HTTP chunks cut as --replay-split says:
 *   whole      one write
 *   events     one write per event (cut after each blank line)
 *   awkward    cut between CR and LF, inside every multi-byte character,
 *              one byte into every line and in the middle of every event
 *   N          every N bytes
 * with a short pause between writes so the client really sees split reads.
 * Framing the server chose (gzip, its own chunk sizes) is not replayed:
 * the recorded body is stored decompressed. --replay-encoding NAME says
 * the file is already encoded (a gzip bomb, say): it goes out as it is,
 * with Content-Encoding: NAME, and the client must decode it. */
#include "fakeprov.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT(GEN_MAX);
	char tmp[65536];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	if (!b.p)
		buf_add(&b, "", 0);
	return buf_detach(&b, len);
}

/* Headers that describe the recorded connection, not the body we send. */
static int framing_header(const char *name)
{
	static const char *const skip[] = { "content-encoding", "content-length", "transfer-encoding",
					    "connection", "date", "keep-alive", NULL };
	for (size_t i = 0; skip[i]; i++)
		if (!strcasecmp(name, skip[i]))
			return 1;
	return 0;
}

/* Status and header lines from NAME.http.json; status 200 and an SSE
 * content type when there is none. */
static int recorded_head(const char *sse_path, struct buf *lines)
{
	size_t n = strlen(sse_path), len;
	int status = 200, have_type = 0;
	char *path = malloc(n + 16);
	if (!path)
		_exit(1);
	memcpy(path, sse_path, n + 1);
	if (n > 4 && !strcmp(path + n - 4, ".sse"))
		path[n - 4] = 0;
	strcat(path, ".http.json");
	char *text = slurp(path, &len);
	free(path);
	if (text) {
		jv v = jv_parse_sized(text, (int)len);
		jv st = jget(v, "status"), hs = jget(v, "response_headers");
		if (jv_get_kind(st) == JV_KIND_NUMBER)
			status = (int)jv_number_value(st);
		if (jv_get_kind(hs) == JV_KIND_OBJECT) {
			jv_object_foreach(hs, k, vals) {
				const char *name = jv_string_value(k);
				if (!framing_header(name)) {
					have_type |= !strcasecmp(name, "content-type");
					if (jv_get_kind(vals) == JV_KIND_STRING)
						vals = JV_ARRAY(vals);
					if (jv_get_kind(vals) == JV_KIND_ARRAY) {
						jv_array_foreach(vals, i, one) {
							if (jv_get_kind(one) == JV_KIND_STRING)
								buf_addf(lines, "%s: %s\r\n", name, jv_string_value(one));
							jv_free(one);
						}
					}
				}
				jv_free(k);
				jv_free(vals);
			}
		}
		jv_free(st);
		jv_free(hs);
		jv_free(v);
		free(text);
	}
	if (!have_type)
		buf_adds(lines, "Content-Type: text/event-stream\r\n");
	return status;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void chunk(int fd, const char *p, size_t n)
{
	char head[32];
	int h = snprintf(head, sizeof head, "%zx\r\n", n);
	struct buf b = BUF_INIT(GEN_MAX);
	if (!n)
		return;
	buf_add(&b, head, (size_t)h);
	buf_add(&b, p, n);
	buf_adds(&b, "\r\n");
	if (write(fd, b.p, b.len) != (ssize_t)b.len)
		_exit(0);
	buf_free(&b);
}

/* Is offset i (0 < i < n) a place the chosen split cuts at? */
static int cut_here(const char *p, size_t n, size_t i, const char *mode, size_t *ev_start)
{
	unsigned char prev = (unsigned char)p[i - 1], cur = (unsigned char)p[i];
	if (!strcmp(mode, "events"))
		return prev == '\n' && (i >= 2 && (p[i - 2] == '\n' || (p[i - 2] == '\r' && i >= 4 && p[i - 3] == '\n')));
	if (!strcmp(mode, "awkward")) {
		int line_start = i >= 2 && p[i - 2] == '\n';
		int event_end = i >= 2 && prev == '\n' && (p[i - 2] == '\n' || p[i - 2] == '\r');
		if (event_end)
			*ev_start = i;
		size_t mid = *ev_start + 37;   /* somewhere inside the event's data */
		return (prev == '\r' && cur == '\n') || (cur & 0xC0) == 0x80 || line_start || i == mid;
	}
	long every = atol(mode);
	return every > 0 && i % (size_t)every == 0;
}

void replay_serve(int fd, const struct ctx *c, const char *file, const char *mode)
{
	size_t n;
	char *body = slurp(file, &n);
	struct buf head = BUF_INIT(GEN_MAX), lines = BUF_INIT(GEN_MAX);
	if (!body) {
		fprintf(stderr, "fakeprov: cannot read %s\n", file);
		_exit(1);
	}
	int status = recorded_head(file, &lines);
	buf_addf(&head, "HTTP/1.1 %d %s\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n",
		 status, status == 200 ? "OK" : "Recorded");
	buf_add(&head, lines.p, lines.len);
	if (c->g->replay_encoding)
		buf_addf(&head, "Content-Encoding: %s\r\n", c->g->replay_encoding);
	buf_adds(&head, "\r\n");
	if (write(fd, head.p, head.len) != (ssize_t)head.len)
		_exit(0);
	if (!mode || !strcmp(mode, "whole")) {
		chunk(fd, body, n);
	} else {
		size_t from = 0, ev_start = 0;
		for (size_t i = 1; i < n; i++)
			if (cut_here(body, n, i, mode, &ev_start)) {
				chunk(fd, body + from, i - from);
				from = i;
				pause_us(300);
			}
		chunk(fd, body + from, n - from);
	}
	if (write(fd, "0\r\n\r\n", 5) != 5)
		_exit(0);
	buf_free(&head);
	buf_free(&lines);
	free(body);
}
