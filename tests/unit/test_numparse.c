/* numparse: numbers from flags, variables and files — decimal, finite, in
 * range, whole where they must be — and the message that names them. */
#include "numparse.h"
#include "tap.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void number_is(const char *s, double lo, double hi, int want_ok, double want, const char *name)
{
	char why[200] = "";
	double v = -12345;
	int r = parse_number("--x", s, lo, hi, &v, why, sizeof why);
	if (want_ok)
		ok(r == 0 && v == want, "%s: '%s' is %g", name, s, want);
	else
		ok(r < 0 && strstr(why, "--x: expected a number from") && v == -12345, "%s: '%s' refused", name, s);
}

static void whole_is(const char *s, long long lo, long long hi, int want_ok, long long want, const char *name)
{
	char why[200] = "";
	long long v = -12345;
	int r = parse_whole("N", s, lo, hi, &v, why, sizeof why);
	if (want_ok)
		ok(r == 0 && v == want, "%s: '%s' is %lld", name, s, want);
	else
		ok(r < 0 && strstr(why, "N: expected a whole number from") && v == -12345, "%s: '%s' refused", name, s);
}

int main(void)
{
	number_is("0.7", 0, 2, 1, 0.7, "a fraction");
	number_is("2", 0, 2, 1, 2, "the upper bound itself");
	number_is("1e-1", 0, 2, 1, 0.1, "an exponent");
	number_is("-0", 0, 2, 1, 0, "minus zero is zero");
	number_is(".5", 0, 2, 1, 0.5, "no digit before the point");
	number_is("5.", 0, 9, 1, 5, "no digit after it");
	static const char *const bad[] = { "nan", "NaN", "inf", "-inf", "infinity", "1e400", "-1", "2.0001", "0x1",
		"0x1p-2", " 1", "1 ", "", "+", ".", "1e", "1e+", "1,5", "--1", "1..2", "e5" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		number_is(bad[i], 0, 2, 0, 0, "not a number in range");
	number_is(NULL, 0, 2, 0, 0, "no value at all");

	char why[200];
	double d;
	parse_number("--max-cost", "nan", 0, 1e6, &d, why, sizeof why);
	is_str(why, "--max-cost: expected a number from 0 to 1000000, got 'nan'", "the message names the flag and the range");
	parse_seconds("CHAT_DB_TIMEOUT", "1e400", 0, 86400, &d, why, sizeof why);
	is_str(why, "CHAT_DB_TIMEOUT: expected seconds from 0 to 86400, got '1e400'", "seconds: the variable is named");
	ok(parse_seconds("CHAT_DB_TIMEOUT", "2.5", 0, 86400, &d, why, sizeof why) == 0 && d == 2.5, "seconds take a fraction");
	parse_number("x", "3", 0.25, 1.5, &d, why, sizeof why);
	is_str(why, "x: expected a number from 0.25 to 1.5, got '3'", "fractional bounds as written");

	whole_is("42", 1, 100, 1, 42, "a whole number");
	whole_is("-5", -10, 10, 1, -5, "a negative one where allowed");
	whole_is("9223372036854775807", 0, 9223372036854775807LL, 1, 9223372036854775807LL, "the largest");
	static const char *const nonwhole[] = { "1e3", "2.5", "2.0", "99999999999999999999", "0", "101", " 7", "7 ",
		"0x10", "", "-", "nan" };
	for (size_t i = 0; i < sizeof nonwhole / sizeof *nonwhole; i++)
		whole_is(nonwhole[i], 1, 100, 0, 0, "not a whole number in range");

	ok(num_ok(5, 0, 10, 1) && num_ok(2.5, 0, 10, 0), "num_ok: in range");
	ok(!num_ok(2.5, 0, 10, 1), "num_ok: 2.5 is not whole");
	ok(!num_ok(NAN, 0, 10, 0) && !num_ok(INFINITY, 0, INFINITY, 0), "num_ok: nan and inf never are");
	ok(!num_ok(1e308, 1, 2147483647, 1) && !num_ok(-0.01, 0, 1e9, 0), "num_ok: out of range");
	return tap_done();
}
