#include "numparse.h"
#include "diag.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Does s spell a decimal number and nothing else? strtod alone would take
 * leading spaces, hex, "nan" and "inf". */
static int decimal(const char *s, int whole)
{
	const char *p = s;
	int digits = 0;
	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (!whole && *p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return 0;
	if (!whole && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return !*p;
}

int num_ok(double v, double lo, double hi, int whole)
{
	return isfinite(v) && v >= lo && v <= hi && (!whole || v == floor(v));
}

/* A bound as people write it: 1000000, not 1e+06. */
static void bound(double v, char *out, size_t cap)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, cap, "%.0f", v);
	else
		snprintf(out, cap, "%g", v);
}

static int real(const char *name, const char *what, const char *s, double lo, double hi, double *out, char *why,
		size_t cap)
{
	if (s && decimal(s, 0)) {
		double v = strtod(s, NULL);
		if (num_ok(v, lo, hi, 0)) {
			*out = v == 0 ? 0 : v; /* no -0 */
			return 0;
		}
	}
	char a[40], b[40];
	bound(lo, a, sizeof a);
	bound(hi, b, sizeof b);
	snprintf(why, cap, "%s: expected %s from %s to %s, got '%s'", name, what, a, b, s ? s : "");
	return -1;
}

int parse_number(const char *name, const char *s, double lo, double hi, double *out, char *why, size_t cap)
{
	return real(name, "a number", s, lo, hi, out, why, cap);
}

int parse_seconds(const char *name, const char *s, double lo, double hi, double *out, char *why, size_t cap)
{
	return real(name, "seconds", s, lo, hi, out, why, cap);
}

int parse_whole(const char *name, const char *s, long long lo, long long hi, long long *out, char *why, size_t cap)
{
	if (s && decimal(s, 1)) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (!errno && v >= lo && v <= hi) {
			*out = v;
			return 0;
		}
	}
	snprintf(why, cap, "%s: expected a whole number from %lld to %lld, got '%s'", name, lo, hi, s ? s : "");
	return -1;
}

int num_field_ok(jv obj, const char *key, double lo, double hi, int whole)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return 0;
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	jv_kind k = jv_get_kind(v);
	int ok = k == JV_KIND_INVALID || k == JV_KIND_NULL || (k == JV_KIND_NUMBER && num_ok(jv_number_value(v), lo, hi, whole));
	jv_free(v);
	return ok;
}

/* 2^53: past it a count in a double is no longer exact */
#define COUNT_MAX 9007199254740992.0

const char *record_numbers_check(jv rec)
{
	static const char *const tokens[] = { "input", "output", "cached", "reasoning" };
	if (jv_get_kind(rec) != JV_KIND_OBJECT)
		return NULL;
	jv usage = jv_object_get(jv_copy(rec), jv_string("usage"));
	jv_kind uk = jv_get_kind(usage);
	int usage_ok = uk == JV_KIND_INVALID || uk == JV_KIND_NULL || uk == JV_KIND_OBJECT;
	for (size_t i = 0; usage_ok && uk == JV_KIND_OBJECT && i < sizeof tokens / sizeof *tokens; i++)
		usage_ok = num_field_ok(usage, tokens[i], 0, COUNT_MAX, 1);
	jv_free(usage);
	if (!usage_ok)
		return "\"usage\" must hold token counts that are whole numbers, 0 or more";
	if (!num_field_ok(rec, "cost_usd", 0, 1e9, 0))
		return "\"cost_usd\" must be a number of dollars, 0 or more";
	if (!num_field_ok(rec, "ttft_ms", 0, COUNT_MAX, 0) || !num_field_ok(rec, "ms", 0, COUNT_MAX, 0))
		return "\"ttft_ms\" and \"ms\" must be times in milliseconds, 0 or more";
	return NULL;
}

double flag_number(const char *flag, const char *s, double lo, double hi)
{
	char why[512];
	double v;
	if (parse_number(flag, s, lo, hi, &v, why, sizeof why) < 0)
		die_usage(why, NULL);
	return v;
}

long long flag_whole(const char *flag, const char *s, long long lo, long long hi)
{
	char why[512];
	long long v;
	if (parse_whole(flag, s, lo, hi, &v, why, sizeof why) < 0)
		die_usage(why, NULL);
	return v;
}
