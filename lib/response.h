/* response: the response and error records (DESIGN.md) built from one
 * exchange, and the timestamp every record carries. */
#ifndef CHAT_RESPONSE_H
#define CHAT_RESPONSE_H
#include <jv.h>
#include "chat.h"

struct reply_info {
	jv id;                          /* borrowed; jv_invalid() when none */
	const char *provider, *model;   /* model as asked, when the reply names none */
	const char *conversation, *message;   /* history ids, or NULL */
	const char *text;
	size_t text_len;
	const struct chat_reply *reply;
	const struct exchange_timing *timing;
	double cost;                    /* dollars; < 0: unknown */
	jv data;                        /* borrowed: the parsed structured answer, or jv_invalid() */
	int cached;                     /* answered from the history, not the provider */
};

/* New records; the caller owns them. */
jv response_record(const struct reply_info *ri);
jv error_record(jv id, const struct chat_error *e);
#endif
