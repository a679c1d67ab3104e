/* cache: answers to identical requests from the history, with no network
 * call (--cache, --cache-ttl). Two requests are identical when provider,
 * model, system prompt, messages, attachments and parameters all match;
 * the key is a SHA-256 of them, kept in a small table beside the messages. */
#ifndef CHAT_CACHE_H
#define CHAT_CACHE_H
#include "providers/provider.h"
#include "history/store.h"

/* The request's key (64 hex characters). */
void cache_key(const struct chat_request *rq, const char *provider, char out[65]);
/* A complete answer to key no older than ttl seconds (0: any age): 1 with
 * *text (malloc'd, *len bytes) and the model that gave it; 0 when none;
 * -1 on a database error (said). */
int cache_find(struct store *s, const char *key, long ttl, char **text, size_t *len, char *model, size_t cap);
/* Remember that message answers key. 0 or -1 (said). */
int cache_remember(struct store *s, const char *key, const char *message);
#endif
