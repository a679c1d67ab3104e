#include "diag.h"
#include "thread.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "chat";
int verbose;

void diag_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	progname = s ? s + 1 : (argv0 ? argv0 : "chat");
}

/* ---- secrets: keys that must never be printed ---- */

#define MAX_SECRETS 16

static struct {
	pthread_mutex_t mu;
	char *v[MAX_SECRETS];
	size_t len[MAX_SECRETS];
	int n, env_done;
} secrets = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void secrets_free(void)
{
	for (int i = 0; i < secrets.n; i++) {
		explicit_bzero(secrets.v[i], secrets.len[i]);
		free(secrets.v[i]);
	}
	secrets.n = 0;
}

/* Call with the lock held. */
static void secret_add_locked(const char *s, size_t n, size_t min)
{
	if (!s || !n || n < min || secrets.n == MAX_SECRETS)
		return;
	for (int i = 0; i < secrets.n; i++)
		if (secrets.len[i] == n && !memcmp(secrets.v[i], s, n))
			return;
	char *copy = malloc(n + 1);
	if (!copy)
		return;
	memcpy(copy, s, n);
	copy[n] = 0;
	if (!secrets.n)
		atexit(secrets_free);
	secrets.v[secrets.n] = copy;
	secrets.len[secrets.n++] = n;
}

/* The keys in the environment count as configured keys whether or not this
 * run uses them: a server may echo any of them back. */
static void secrets_from_env(void)
{
	static const char *const vars[] = { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
		"GOOGLE_API_KEY", "OLLAMA_API_KEY", NULL };
	if (secrets.env_done)
		return;
	secrets.env_done = 1;
	for (const char *const *v = vars; *v; v++) {
		const char *k = getenv(*v);
		secret_add_locked(k, k ? strlen(k) : 0, SECRET_MIN);
	}
}

void secret_add_min(const char *s, size_t n, size_t min)
{
	pthread_mutex_lock(&secrets.mu);
	secret_add_locked(s, n, min);
	pthread_mutex_unlock(&secrets.mu);
}

void secret_add(const char *s)
{
	secret_add_min(s, s ? strlen(s) : 0, SECRET_MIN);
}

/* The length of the longest secret that starts at in[i], or 0. A secret
 * cut short by the end of the text (a message truncated by whoever made
 * it) counts too, once SECRET_MIN of its bytes are there. Call with the
 * lock held. */
static size_t secret_at(const char *in, size_t len, size_t i)
{
	size_t best = 0, left = len - i;
	for (int k = 0; k < secrets.n; k++) {
		size_t n = secrets.len[k];
		if (in[i] != secrets.v[k][0])
			continue;
		size_t m = left >= n ? (!memcmp(in + i, secrets.v[k], n) ? n : 0)
				     : (left >= SECRET_MIN && !memcmp(in + i, secrets.v[k], left) ? left : 0);
		if (m > best)
			best = m;
	}
	return best;
}

/* ---- scrubbing: outside text made safe for a terminal ---- */

size_t utf8_char_len(const void *p, size_t n)
{
	const unsigned char *s = p;
	if (!n)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	/* the second byte's range depends on the first (Unicode's table 3-7) */
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

size_t utf8_bad_at(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i = 0;
	while (i < len) {
		size_t k = s[i] < 0x80 ? 1 : utf8_char_len(s + i, len - i);
		if (!k)
			return i;
		i += k;
	}
	return len;
}

/* The next piece of in[i..len) as it is shown, into u; its length is
 * returned and *used says how many bytes of in it stands for. */
static size_t next_unit(const char *in, size_t len, size_t i, unsigned flags, char u[16], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)in[i];
	size_t k;
	*used = 1;
	if ((flags & SCRUB_SECRETS) && (k = secret_at(in, len, i))) {
		*used = k;
		memcpy(u, "[redacted]", 10);
		return 10;
	}
	if ((c == '\n' || c == '\t') && (flags & SCRUB_LINES)) {
		u[0] = (char)c;
		return 1;
	}
	if (c >= 0x20 && c < 0x7f) {
		u[0] = (char)c;
		return 1;
	}
	if (c == '\n' || c == '\r' || c == '\t') {
		u[0] = '\\';
		u[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	if (c >= 0x80 && (k = utf8_char_len(in + i, len - i))) {
		*used = k;
		if (k == 2 && c == 0xC2 && (unsigned char)in[i + 1] < 0xA0) {
			/* a C1 control, U+0080 to U+009F: CSI (U+009B) is ESC [ to some terminals */
			memcpy(u, "\\u00", 4);
			u[4] = hex[(unsigned char)in[i + 1] >> 4];
			u[5] = hex[in[i + 1] & 15];
			return 6;
		}
		memcpy(u, in + i, k);
		return k;
	}
	/* any other control, DEL, or a byte that is not part of UTF-8 text */
	u[0] = '\\';
	u[1] = 'x';
	u[2] = hex[c >> 4];
	u[3] = hex[c & 15];
	return 4;
}

int scrub_buf(struct buf *out, const char *in, size_t len, unsigned flags)
{
	char u[16];
	size_t used;
	int r = 0;
	if (flags & SCRUB_SECRETS) {
		pthread_mutex_lock(&secrets.mu);
		secrets_from_env();
	}
	for (size_t i = 0; i < len && !r; i += used) {
		size_t n = next_unit(in, len, i, flags, u, &used);
		r = buf_add(out, u, n);
	}
	if (flags & SCRUB_SECRETS)
		pthread_mutex_unlock(&secrets.mu);
	return r;
}

void scrub(char *out, size_t cap, const char *in, size_t len)
{
	char u[16];
	size_t used, o = 0;
	if (!cap)
		return;
	pthread_mutex_lock(&secrets.mu);
	secrets_from_env();
	for (size_t i = 0; i < len; i += used) {
		size_t n = next_unit(in, len, i, SCRUB_SECRETS, u, &used);
		if (o + n >= cap)
			break; /* whole characters and escapes only */
		memcpy(out + o, u, n);
		o += n;
	}
	pthread_mutex_unlock(&secrets.mu);
	out[o] = 0;
}

/* ---- messages ---- */

/* Everything a message holds may come from outside (file names, model
 * names, servers' words), so the whole line is scrubbed, then written in
 * one write so parallel writers never interleave. */
static struct buf *captured;

void diag_capture(struct buf *b)
{
	captured = b;
}

static void (*before_hook)(void *);
static void *before_ctx;

void diag_before(void (*fn)(void *ctx), void *ctx)
{
	before_hook = fn;
	before_ctx = ctx;
}

static void vmsg(const char *fmt, va_list ap)
{
	char raw[2048], line[2048];
	int n = snprintf(raw, sizeof raw, "%s: ", progname);
	if (n < 0 || (size_t)n >= sizeof raw)
		n = 0;
	vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
	scrub(line, sizeof line - 1, raw, strlen(raw));
	size_t len = strlen(line);
	line[len++] = '\n';
	if (captured) {
		buf_add(captured, line, len);
		return;
	}
	if (before_hook)
		before_hook(before_ctx);
	fwrite(line, 1, len, stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return -1;
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	thread_settle();
	exit(status);
}

void die_usage(const char *msg, const char *arg)
{
	char raw[1024], line[1200];
	snprintf(raw, sizeof raw, "%s: %s%s%s", progname, msg, arg ? ": " : "", arg ? arg : "");
	scrub(line, sizeof line - 100, raw, strlen(raw));
	size_t n = strlen(line);
	snprintf(line + n, sizeof line - n, "\nTry '%s --help' for more information.\n", progname);
	fputs(line, stderr);
	thread_settle();
	exit(EXIT_USAGE);
}

int term_dumb(void)
{
	const char *term = getenv("TERM");
	return term && !strcmp(term, "dumb");
}

int colour_on(int fd)
{
	return isatty(fd) && !getenv("NO_COLOR") && !term_dumb();
}
