#include "ask/cache.h"
#include "attach.h"
#include "clock.h"
#include "sha256.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fields go in with their lengths, so no two requests hash alike by accident. */
static void field(struct sha256 *h, const char *name, const char *v)
{
	char len[32];
	size_t n = v ? strlen(v) : 0;
	snprintf(len, sizeof len, "%s:%zu:", name, v ? n : (size_t)-1);
	sha256_update(h, len, strlen(len));
	if (v)
		sha256_update(h, v, n);
}

static void attachments_field(struct sha256 *h, const struct attachment *atts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct attachment *a = &atts[i];
		char digest[65];
		if (a->data)
			sha256_hex(a->data, a->data_len, digest);
		field(h, "mime", a->mime);
		field(h, "attachment", a->data ? digest : a->uri);
	}
}

void cache_key(const struct chat_request *rq, const char *provider, char out[65])
{
	struct sha256 h;
	char num[64];
	sha256_init(&h);
	field(&h, "provider", provider);
	field(&h, "model", rq->model);
	field(&h, "system", rq->system);
	for (size_t i = 0; i < rq->nmsgs; i++) {
		field(&h, "role", rq->msgs[i].role);
		field(&h, "text", rq->msgs[i].text);
		if (i + 1 < rq->nmsgs)
			attachments_field(&h, rq->msgs[i].atts, rq->msgs[i].natts);
	}
	attachments_field(&h, rq->atts, rq->natts);
	snprintf(num, sizeof num, "%ld", rq->max_tokens);
	field(&h, "max_tokens", num);
	snprintf(num, sizeof num, "%.6g", rq->temperature);
	field(&h, "temperature", num);
	field(&h, "schema", rq->schema);
	unsigned char d[32];
	sha256_final(&h, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int ensure_table(struct store *s)
{
	return store_exec(s, "CREATE TABLE IF NOT EXISTS response_cache ("
			     " key TEXT PRIMARY KEY,"
			     " message TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
			     " created TEXT NOT NULL)");
}

int cache_find(struct store *s, const char *key, long ttl, char **text, size_t *len, char *model, size_t cap)
{
	store_stmt *st = NULL;
	int has = 0;
	/* a history without the table has nothing cached */
	if (!store_has_table(s, "response_cache"))
		return 0;
	st = store_prepare(s, "SELECT m.text, coalesce(m.model, ''), c.created FROM response_cache c"
			      " JOIN messages m ON m.id = c.message"
			      " WHERE c.key = ?1 AND m.status = 'complete'");
	if (!st)
		return -1;
	store_bind_text(st, 1, key, -1);
	if (store_step(st) == STORE_ROW) {
		const char *created = store_col_text(st, 2);
		char now[40], cut[40] = "";
		clock_rfc3339(now, sizeof now);
		if (ttl > 0) {
			/* the cut-off as RFC 3339, compared as text like every date here */
			time_t t = time(NULL);
			const char *fixed = getenv("CHAT_NOW");
			if (fixed && *fixed)
				t = (time_t)strtoll(fixed, NULL, 10);
			t -= ttl;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(cut, sizeof cut, "%Y-%m-%dT%H:%M:%S", &tm);
		}
		if (!cut[0] || strcmp(created, cut) >= 0) {
			int n = store_col_bytes(st, 0);
			*text = malloc((size_t)n + 1);
			if (*text) {
				memcpy(*text, store_col_text(st, 0), (size_t)n);
				(*text)[n] = 0;
				*len = (size_t)n;
				snprintf(model, cap, "%s", store_col_text(st, 1));
				has = 1;
			}
		}
	}
	store_finalize(st);
	return has;
}

int cache_remember(struct store *s, const char *key, const char *message)
{
	char now[40];
	clock_rfc3339(now, sizeof now);
	if (store_begin(s) < 0)
		return -1;
	store_stmt *st = NULL;
	if (ensure_table(s) < 0 ||
	    !(st = store_prepare(s, "INSERT INTO response_cache (key, message, created) VALUES (?1, ?2, ?3)"
				  " ON CONFLICT (key) DO UPDATE SET message = excluded.message, created = excluded.created"))) {
		store_rollback(s);
		return -1;
	}
	store_bind_text(st, 1, key, -1);
	store_bind_text(st, 2, message, -1);
	store_bind_text(st, 3, now, -1);
	int rc = store_step(st);
	store_finalize(st);
	if (rc != STORE_DONE) {
		store_rollback(s);
		return store_error(s, "remembering the answer for --cache");
	}
	return store_commit(s);
}
