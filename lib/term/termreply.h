/* termreply: the terminal's answers to termimg_detect's queries, read from
 * bytes as they arrive (a reply may be split anywhere between reads), and
 * everything else the terminal sent kept byte for byte as type-ahead: keys
 * typed before, between or after the replies, escape sequences of keys
 * included. A key can produce a CSI sequence but never a device-attributes
 * reply (CSI ? ... c, CSI > ... c) or a string (DCS, APC, OSC, PM, SOS), so
 * those are taken as replies and everything else is the user's. */
#ifndef CHAT_TERMREPLY_H
#define CHAT_TERMREPLY_H
#include "buf.h"
#include "term/termimg.h"

struct termreply {
	int kitty_ok;           /* the kitty query (TERMIMG_QUERY_ID) was answered OK */
	int kitty_seen;         /* ... answered at all */
	char version[64];       /* XTVERSION's name and version, "" when none came */
	int da1_seen;           /* the DA1 reply came: the end of the replies */
	int da1_sixel;          /* ... and listed attribute 4 (sixel graphics) */
	/* the parser's own */
	int state;
	struct buf seq;         /* the escape sequence being read */
	struct buf typeahead;   /* everything that was not a reply */
};

void termreply_init(struct termreply *r);
/* Take n more bytes. Once the DA1 reply has come, every later byte is
 * type-ahead. 1 when the DA1 reply has come, else 0; -1 when memory ran
 * out (the bytes are then lost: the caps are far above any reply). */
int termreply_feed(struct termreply *r, const void *p, size_t n);
/* No more bytes will come: a sequence cut short is type-ahead too. */
void termreply_finish(struct termreply *r);
/* What the replies say, by termimg_detect's rules. */
enum termimg_proto termreply_proto(const struct termreply *r);
void termreply_free(struct termreply *r);
#endif
