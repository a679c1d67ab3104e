/* termreply: a byte-at-a-time reader of the replies termimg_detect asks
 * for, so a reply split between reads needs no special case; everything
 * that is not a reply goes to the type-ahead in the order it came. */
#include "term/termreply.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ESC 0x1b
#define BEL 0x07
/* Replies are tens of bytes; past these a sequence is not one of ours. */
#define CSI_MAX 64
#define STR_MAX 1024

enum { GROUND, GOT_ESC, IN_CSI, IN_STR, STR_ESC, DONE };

void termreply_init(struct termreply *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->seq, STR_MAX + 8);
	buf_init(&r->typeahead, (size_t)1 << 24);
	r->state = GROUND;
}

void termreply_free(struct termreply *r)
{
	buf_free(&r->seq);
	buf_free(&r->typeahead);
}

/* The sequence read so far was the user's after all. */
static int give_back(struct termreply *r)
{
	int e = buf_add(&r->typeahead, r->seq.p, r->seq.len);
	buf_reset(&r->seq);
	r->state = GROUND;
	return e;
}

/* DA1: CSI ? Pp ; Ps ... c, where Pp is the terminal's class and each Ps
 * an extension it has; 4 is sixel graphics. */
static void da1(struct termreply *r, const char *params, size_t n)
{
	unsigned v = 0;
	int digits = 0, k = 0;
	r->da1_seen = 1;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && params[i] >= '0' && params[i] <= '9') {
			if (v < 100000)
				v = v * 10 + (unsigned)(params[i] - '0');
			digits = 1;
			continue;
		}
		if (k++ > 0 && digits && v == 4)
			r->da1_sixel = 1;
		v = 0;
		digits = 0;
	}
}

/* A CSI sequence ended by the final byte at seq's end. */
static int csi_done(struct termreply *r)
{
	const char *s = r->seq.p;
	size_t n = r->seq.len;
	char final = s[n - 1];
	if (n >= 4 && final == 'c' && (s[2] == '?' || s[2] == '>')) {
		if (s[2] == '?') {
			da1(r, s + 3, n - 4);
			buf_reset(&r->seq);
			r->state = DONE;
			return 0;
		}
		buf_reset(&r->seq); /* DA2, from a terminal that took XTVERSION for it */
		r->state = GROUND;
		return 0;
	}
	return give_back(r);
}

/* Does kitty's control data "k=v,k=v" name our query's id? */
static int names_our_id(const char *s, size_t n)
{
	char want[16];
	int wl = snprintf(want, sizeof want, "i=%d", TERMIMG_QUERY_ID);
	for (size_t at = 0; at <= n;) {
		size_t end = at;
		while (end < n && s[end] != ',')
			end++;
		if (end - at == (size_t)wl && !memcmp(s + at, want, (size_t)wl))
			return 1;
		at = end + 1;
	}
	return 0;
}

/* A string (DCS, APC, OSC, PM, SOS) whose text is s[0..n). */
static void str_done(struct termreply *r, char kind, const char *s, size_t n)
{
	if (kind == '_' && n >= 1 && s[0] == 'G') {
		/* kitty: APC G control ; message ST */
		const char *semi = memchr(s, ';', n);
		size_t cl = semi ? (size_t)(semi - s) - 1 : n - 1;
		if (names_our_id(s + 1, cl)) {
			r->kitty_seen = 1;
			size_t ml = semi ? n - (size_t)(semi - s) - 1 : 0;
			r->kitty_ok = semi && ml == 2 && !memcmp(semi + 1, "OK", 2);
		}
	} else if (kind == 'P' && n >= 2 && s[0] == '>' && s[1] == '|') {
		/* XTVERSION: DCS > | name(version) ST */
		size_t k = 0;
		for (size_t i = 2; i < n && k + 1 < sizeof r->version; i++)
			r->version[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
		r->version[k] = 0;
	}
	buf_reset(&r->seq);
	r->state = GROUND;
}

/* One byte. 0, or -1 when memory ran out. */
static int step(struct termreply *r, unsigned char b)
{
	for (;;) {
		switch (r->state) {
		case DONE:
		case GROUND:
			if (b == ESC && r->state == GROUND) {
				r->state = GOT_ESC;
				return buf_addc(&r->seq, (char)b);
			}
			return buf_addc(&r->typeahead, (char)b);
		case GOT_ESC:
			if (b == '[') {
				r->state = IN_CSI;
				return buf_addc(&r->seq, (char)b);
			}
			if (b && strchr("P_]^X", b)) {
				r->state = IN_STR;
				return buf_addc(&r->seq, (char)b);
			}
			if (give_back(r) < 0)
				return -1;
			continue; /* b starts afresh */
		case IN_CSI:
			if (b >= 0x20 && b <= 0x7e && r->seq.len < CSI_MAX) {
				if (buf_addc(&r->seq, (char)b) < 0)
					return -1;
				return b >= 0x40 ? csi_done(r) : 0;
			}
			if (give_back(r) < 0)
				return -1;
			continue;
		case IN_STR:
			if (b == BEL) {
				str_done(r, r->seq.p[1], r->seq.p + 2, r->seq.len - 2);
				return 0;
			}
			if (r->seq.len >= STR_MAX) {
				if (give_back(r) < 0)
					return -1;
				continue;
			}
			if (b == ESC)
				r->state = STR_ESC;
			return buf_addc(&r->seq, (char)b);
		case STR_ESC:
			if (b == '\\') {
				str_done(r, r->seq.p[1], r->seq.p + 2, r->seq.len - 3);
				return 0;
			}
			/* ESC inside a string cancels it (as in xterm) and starts
			 * a sequence of its own; the cancelled string was no key. */
			buf_reset(&r->seq);
			buf_addc(&r->seq, ESC);
			r->state = GOT_ESC;
			continue;
		}
		return 0;
	}
}

int termreply_feed(struct termreply *r, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		if (step(r, s[i]) < 0)
			return -1;
	return r->state == DONE;
}

void termreply_finish(struct termreply *r)
{
	/* An escape or CSI sequence cut short may be a key (Esc pressed);
	 * a string cut short is a reply that came too late. */
	if (r->state == GOT_ESC || r->state == IN_CSI)
		give_back(r);
	buf_reset(&r->seq);
	if (r->state != DONE)
		r->state = GROUND;
}

enum termimg_proto termreply_proto(const struct termreply *r)
{
	if (r->kitty_ok)
		return TERMIMG_KITTY;
	if (!strncasecmp(r->version, "iTerm2", 6) || !strncasecmp(r->version, "WezTerm", 7))
		return TERMIMG_ITERM2;
	if (r->da1_sixel)
		return TERMIMG_SIXEL;
	return TERMIMG_NONE;
}
