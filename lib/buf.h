/* buf: the one growable byte buffer used everywhere. Each buffer has a size
 * cap fixed at init, so hostile input cannot grow one without bound.
 * The bytes are always NUL-terminated (the NUL is not counted in len). */
#ifndef CHAT_BUF_H
#define CHAT_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *p;
	size_t len, cap, max;
};

#define BUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

void buf_init(struct buf *b, size_t max);
/* Each add returns 0, or -1 (buffer unchanged) when the cap or memory runs out. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Room for n more bytes at the end, for a read to fill in place: NULL when
 * the cap or memory runs out. The bytes count once buf_took says so. */
char *buf_room(struct buf *b, size_t n);
void buf_took(struct buf *b, size_t n);
/* Drop the first n bytes, keeping the rest. */
void buf_consume(struct buf *b, size_t n);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hand the bytes to the caller (who frees them); the buffer becomes empty. */
char *buf_detach(struct buf *b, size_t *len);
const char *buf_str(const struct buf *b);
#endif
