/* jsonx: safe look-ups on jv values from the network or users (jv_object_get
 * aborts on a non-object), and record output one whole line per write. */
#ifndef CHAT_JSONX_H
#define CHAT_JSONX_H
#include <jv.h>
#include "buf.h"

/* Borrow obj; return a new reference to obj[key], or jv_invalid() when obj
 * is not an object or has no such key. */
jv jx_get(jv obj, const char *key);
/* jx_get for obj's last look-up: obj is consumed (saves a copy and a free). */
jv jx_take(jv obj, const char *key);
/* Free this thread's cached keys (before a thread ends). */
void jx_forget_keys(void);
/* Borrow obj; copy obj[key] as a string into out (cap bytes), or return -1. */
int jx_str(jv obj, const char *key, char *out, size_t cap);
/* Borrow obj; obj[key] as a number (integers only up to 2^53), or dflt. */
double jx_num(jv obj, const char *key, double dflt);
/* Is obj[key] there with this kind? (obj borrowed; a non-object has no keys) */
int jx_kind_is(jv obj, const char *key, jv_kind kind);
/* A record's "id" (borrowed) as text, the way the history keeps it as a
 * request id: a string as it is, a number with %.17g (so 7 is "7" and any
 * double comes back exact). 0, or -1 with out empty for any other kind. */
int jx_id_text(jv id, char *out, size_t cap);
/* Append v (consumed) as one compact JSON line to b. */
int jx_dump_line(jv v, struct buf *b);
/* Consume v, write it as one line to fd with a single write(2). 0 or -1/errno. */
int jx_write_line(int fd, jv v);
#endif
