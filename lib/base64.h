/* base64: standard alphabet with padding (RFC 4648), for data URLs and records. */
#ifndef CHAT_BASE64_H
#define CHAT_BASE64_H
#include "buf.h"

int base64_encode(const void *data, size_t len, struct buf *out);
/* 0, or -1 on a character outside the alphabet or bad padding. */
int base64_decode(const char *s, size_t len, struct buf *out);
#endif
