/* numparse: numbers from flags, variables, config files and imported
 * records, checked one way — decimal only (no hex, nan or inf), finite,
 * within a range, whole where they must be — with a message that names
 * where the value came from. */
#ifndef CHAT_NUMPARSE_H
#define CHAT_NUMPARSE_H
#include <jv.h>
#include <stddef.h>

/* A decimal number (sign, digits, fraction, exponent) from lo to hi. 0, or
 * -1 with why: "NAME: expected a number from LO to HI, got 'S'". */
int parse_number(const char *name, const char *s, double lo, double hi, double *out, char *why, size_t cap);
/* The same for seconds (a fraction allowed): "expected seconds from ...". */
int parse_seconds(const char *name, const char *s, double lo, double hi, double *out, char *why, size_t cap);
/* A whole number (sign and digits only) from lo to hi. */
int parse_whole(const char *name, const char *s, long long lo, long long hi, long long *out, char *why, size_t cap);
/* Is a number that came as JSON finite, within [lo, hi], and whole if it
 * must be? */
int num_ok(double v, double lo, double hi, int whole);

/* Is obj's key absent, null, or a number in [lo, hi] (whole if it must be)?
 * obj is borrowed. */
int num_field_ok(jv obj, const char *key, double lo, double hi, int whole);
/* The numbers a response or message record carries for chat-cost and the
 * history — usage token counts (whole, from 0), cost_usd (finite, from 0:
 * a negative one would let a budget gate pass), ttft_ms and ms — checked.
 * NULL, or what is wrong. rec is borrowed. */
const char *record_numbers_check(jv rec);

/* For option parsers: the value, or a usage error naming the flag (exit 64). */
double flag_number(const char *flag, const char *s, double lo, double hi);
long long flag_whole(const char *flag, const char *s, long long lo, long long hi);
#endif
