/* ratelimit_headers: what the providers' rate-limit headers say — OpenAI's
 * x-ratelimit-* with Go-style durations, Anthropic's anthropic-ratelimit-*
 * with RFC 3339 reset times — read into struct rl_headers for the limiter. */
#include "net/ratelimit.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- headers ---- */

void rl_headers_init(struct rl_headers *h)
{
	h->limit_requests = h->remaining_requests = h->reset_requests_ms = -1;
	h->limit_tokens = h->remaining_tokens = h->reset_tokens_ms = -1;
}

int rl_parse_count(const char *s, long *out)
{
	long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		int d = *s - '0';
		if (v > (LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A Go duration (time.ParseDuration) without a sign: "0", or numbers with
 * an optional fraction, each followed by ns, us, µs, ms, s, m or h.
 * Rounded up to whole milliseconds: waiting a little longer is safe. */
static int parse_duration(const char *s, long *out)
{
	static const struct {
		const char *unit;
		long long ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL }, { "h", 3600000000000LL },
	};
	const long long max_ns = 1000000000000000000LL;  /* about 31 years */
	long long total = 0;
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		long long whole = 0, frac = 0, scale = 1;
		int pre = 0, post = 0;
		for (; *s >= '0' && *s <= '9'; s++, pre = 1) {
			if (whole > max_ns / 10)
				return -1;
			whole = whole * 10 + (*s - '0');
		}
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, post = 1)
				if (scale < 1000000000LL) {  /* digits past nanoseconds change nothing */
					frac = frac * 10 + (*s - '0');
					scale *= 10;
				}
		if (!pre && !post)
			return -1;
		size_t i, n = sizeof units / sizeof units[0];
		for (i = 0; i < n; i++)
			if (!strncmp(s, units[i].unit, strlen(units[i].unit)))
				break;
		if (i == n)
			return -1;
		s += strlen(units[i].unit);
		long long unit = units[i].ns;
		if (whole > (max_ns - total) / unit)
			return -1;
		total += whole * unit;
		/* the fraction through a double, rounded to a nanosecond, so "1.1s"
		 * is 1100 ms and not 1101 */
		total += llround((double)frac / (double)scale * (double)unit);
		if (total > max_ns)
			return -1;
	}
	*out = (long)((total + 999999) / 1000000);
	return 0;
}

static int digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time zone or locale is involved. */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* RFC 3339: 2026-02-17T23:44:11Z, with an optional fraction and a Z or
 * +hh:mm / -hh:mm offset; unix milliseconds. */
static int parse_rfc3339(const char *s, long long *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, ms = 0;
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' || digits(&s, 2, &d))
		return -1;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (int i = 0; *s >= '0' && *s <= '9'; s++, i++)
			if (i < 3)
				ms += (*s - '0') * (i == 0 ? 100 : i == 1 ? 10 : 1);
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	long long t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	t -= sign * (oh * 3600LL + om * 60LL);
	*out = t * 1000 + ms;
	return 0;
}

int rl_headers_parse(struct rl_headers *h, const char *name, const char *value, long long now_unix_ms)
{
	static const char openai[] = "x-ratelimit-", anthropic[] = "anthropic-ratelimit-";
	long *limit, *remaining, *reset;
	const char *what;
	int weak = 0;        /* anthropic input-tokens: only where tokens said nothing */
	int absolute = 0;    /* reset is a time, not a duration */
	if (!name || !value)
		return 0;
	if (!strncasecmp(name, openai, sizeof openai - 1)) {
		const char *rest = name + sizeof openai - 1, *dash = strchr(rest, '-');
		if (!dash)
			return 0;
		const char *kind = dash + 1;
		if (!strcasecmp(kind, "requests")) {
			limit = &h->limit_requests, remaining = &h->remaining_requests, reset = &h->reset_requests_ms;
		} else if (!strcasecmp(kind, "tokens")) {
			limit = &h->limit_tokens, remaining = &h->remaining_tokens, reset = &h->reset_tokens_ms;
		} else {
			return 0;
		}
		size_t n = (size_t)(dash - rest);
		if (n == 5 && !strncasecmp(rest, "limit", 5))
			what = "limit";
		else if (n == 9 && !strncasecmp(rest, "remaining", 9))
			what = "remaining";
		else if (n == 5 && !strncasecmp(rest, "reset", 5))
			what = "reset";
		else
			return 0;
	} else if (!strncasecmp(name, anthropic, sizeof anthropic - 1)) {
		const char *rest = name + sizeof anthropic - 1, *dash = strrchr(rest, '-');
		if (!dash)
			return 0;
		what = dash + 1;
		if (strcasecmp(what, "limit") && strcasecmp(what, "remaining") && strcasecmp(what, "reset"))
			return 0;
		size_t n = (size_t)(dash - rest);
		absolute = 1;
		if (n == 8 && !strncasecmp(rest, "requests", 8)) {
			limit = &h->limit_requests, remaining = &h->remaining_requests, reset = &h->reset_requests_ms;
		} else if ((n == 6 && !strncasecmp(rest, "tokens", 6)) || (n == 12 && !strncasecmp(rest, "input-tokens", 12))) {
			limit = &h->limit_tokens, remaining = &h->remaining_tokens, reset = &h->reset_tokens_ms;
			weak = n == 12;
		} else if (n == 13 && !strncasecmp(rest, "output-tokens", 13)) {
			return 1;
		} else {
			return 0;
		}
	} else {
		return 0;
	}

	char v[128];
	while (*value == ' ' || *value == '\t')
		value++;
	size_t len = strlen(value);
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' || value[len - 1] == '\n'))
		len--;
	if (len >= sizeof v)
		return 1;
	memcpy(v, value, len);
	v[len] = 0;

	long *field = !strcasecmp(what, "limit") ? limit : !strcasecmp(what, "remaining") ? remaining : reset;
	long got;
	if (field == reset && absolute) {
		long long t;
		if (parse_rfc3339(v, &t) < 0)
			return 1;
		long long wait = t - now_unix_ms;
		got = wait < 0 ? 0 : wait > LONG_MAX ? LONG_MAX : (long)wait;
	} else if (field == reset) {
		if (parse_duration(v, &got) < 0)
			return 1;
	} else if (rl_parse_count(v, &got) < 0) {
		return 1;
	}
	if (!weak || *field < 0)
		*field = got;
	return 1;
}

