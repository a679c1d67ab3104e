/* histio's import: export records read back into the history, each
 * message checked and laid out as its columns on the reading thread, the
 * rows written in half-second transactions with the search index made in
 * bulk (importing the same file twice changes nothing). */
#include "history/histio.h"
#include "history/histrow.h"
#include "numparse.h"
#include "base64.h"
#include "buf.h"
#include "diag.h"
#include "clock.h"
#include "jsonx.h"
#include "records.h"
#include <ctype.h>
#include <pthread.h>
#include <string.h>

struct importer {
	struct store *s;
	store_stmt *conv, *msg, *media, *link;
	store_stmt *conv_g, *msg_g; /* rows gathered to send in bulk, where the backend can */
	/* Gathering: rows go in by the batch, where one refused row would fail
	 * the batch, so a message is checked before it is gathered: its role
	 * and status here, its conversation among those of this import (known)
	 * or else asked of the history (conv_known). */
	jv known;
	store_stmt *conv_known;
	unsigned required;         /* the message fields a record must have */
	long conversations, messages, bad, in_tx;
	long batch;                /* transactions ended so far */
	long synced;               /* ... of which all are known to be in the history */
	long tx_started;           /* ms, for short transactions */
	store_int first_rid;   /* the first message of this transaction */
	int failed;
};

static void bind_value(store_stmt *st, int i, jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		store_bind_text_copy(st, i, jv_string_value(v), jv_string_length_bytes(jv_copy(v)));
		break;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		if (d == (double)(store_int)d)
			store_bind_int64(st, i, (store_int)d);
		else
			store_bind_double(st, i, d);
		break;
	}
	default:
		store_bind_null(st, i);
	}
}

static void bind_jv(store_stmt *st, int i, jv obj, const char *key)
{
	jv v = jx_get(obj, key);
	bind_value(st, i, v);
	jv_free(v);
}

static int run(struct importer *im, store_stmt *st)
{
	int rc = store_step(st);
	int changed = store_changes(im->s);
	store_reset(st);
	store_clear_bindings(st);
	if (rc != STORE_DONE)
		return -1;
	return changed;
}

/* A time as the history keeps it, a UTC RFC 3339 stamp: the lists sort and
 * --since compares them as text, so another form would misplace the turn. */
static int valid_time(jv v)
{
	if (jv_get_kind(v) != JV_KIND_STRING)
		return 0;
	const char *s = jv_string_value(v);
	/* the date's digits and dashes and its T are checked here, the time's
	 * below: every field is then read straight from its place */
	if (strlen(s) < 20 || !clock_valid_date(s))
		return 0;
	for (int i = 11; i < 19; i++)
		if ((i == 13 || i == 16) ? s[i] != ':' : !isdigit((unsigned char)s[i]))
			return 0;
#define TWO_DIGITS(p) (((p)[0] - '0') * 10 + ((p)[1] - '0'))
	int y = TWO_DIGITS(s) * 100 + TWO_DIGITS(s + 2), mo = TWO_DIGITS(s + 5), d = TWO_DIGITS(s + 8);
	int h = TWO_DIGITS(s + 11), mi = TWO_DIGITS(s + 14), sec = TWO_DIGITS(s + 17);
#undef TWO_DIGITS
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return 0;
	const char *p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return 0;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	return p[0] == 'Z' && !p[1];
}

/* Numbers a history must be able to trust: a seq that orders the turns, and
 * usage and cost that chat-cost adds up (a negative cost would let a
 * --budget gate pass). NULL, or what is wrong. */
static const char *check_message(jv rec)
{
	jv seq = jx_get(rec, "seq");
	int seq_ok = jv_get_kind(seq) != JV_KIND_NUMBER || num_ok(jv_number_value(seq), 1, 2147483647, 1);
	jv_free(seq);
	if (!seq_ok)
		return "\"seq\" must be a whole number from 1 to 2147483647";
	const char *bad = record_numbers_check(rec);
	if (bad)
		return bad;
	jv created = jx_get(rec, "created");
	int time_ok = jv_get_kind(created) != JV_KIND_STRING || valid_time(created);
	jv_free(created);
	if (!time_ok)
		return "\"created\" must be a UTC time such as 2026-01-31T12:00:00.000Z";
	return NULL;
}

static const char *import_conversation(struct importer *im, jv rec)
{
	if (!jx_kind_is(rec, "id", JV_KIND_STRING) || !jx_kind_is(rec, "created", JV_KIND_STRING) || !jx_kind_is(rec, "updated", JV_KIND_STRING))
		return "a conversation record needs string id, created and updated";
	jv created = jx_get(rec, "created"), updated = jx_get(rec, "updated");
	int times_ok = valid_time(created) && valid_time(updated);
	jv_free(created);
	jv_free(updated);
	if (!times_ok)
		return "\"created\" and \"updated\" must be UTC times such as 2026-01-31T12:00:00.000Z";
	const char *const *cols = histrow_conversation_fields;
	if (im->conv_g) { /* counted, and a taken name dropped, when sent */
		for (int i = 0; i < HISTROW_CONVERSATION_COLS; i++)
			bind_jv(im->conv_g, i + 1, rec, cols[i]);
		int rc = store_step(im->conv_g);
		store_clear_bindings(im->conv_g);
		if (rc != STORE_DONE)
			return store_errmsg(im->s);
		im->known = jv_object_set(im->known, jx_get(rec, "id"), jv_number((double)im->batch));
		return NULL;
	}
	for (int i = 0; i < HISTROW_CONVERSATION_COLS; i++)
		bind_jv(im->conv, i + 1, rec, cols[i]);
	int r = run(im, im->conv);
	if (r < 0 && store_errcode(im->s) == STORE_CONSTRAINT) {
		/* the name is taken by another conversation here: keep it without one */
		char name[256] = "";
		jx_str(rec, "name", name, sizeof name);
		warn("conversation name '%s' is already in use; importing it without a name", name);
		for (int i = 0; i < HISTROW_CONVERSATION_COLS; i++)
			if (strcmp(cols[i], "name"))
				bind_jv(im->conv, i + 1, rec, cols[i]);
		r = run(im, im->conv);
	}
	if (r < 0)
		return store_errmsg(im->s);
	im->conversations += r;
	return NULL;
}

/* The bits of the message fields a record must have (all strings but seq). */
static unsigned required_fields(void)
{
	static const char *const need[] = { "id", "conversation", "seq", "role", "text", "status", "created" };
	unsigned mask = 0;
	for (size_t n = 0; n < sizeof need / sizeof *need; n++)
		for (int i = 0; i < HISTROW_MESSAGE_COLS; i++)
			if (!strcmp(histrow_message_fields[i], need[n]))
				mask |= 1u << i;
	return mask;
}

/* Each message column's field as a key and its level (0: the record's own,
 * 1: inside "usage"), so a record's key is matched by its length first: an
 * import meets some 20 keys a message, and comparing each with every
 * column's name was a tenth of the writing thread's time. */
static struct field_key {
	const char *name;
	size_t len;
	int level;
} field_keys[HISTROW_MESSAGE_COLS];
static int seq_column, tool_calls_column, role_column, status_column, conversation_column;
static pthread_once_t field_keys_once = PTHREAD_ONCE_INIT;

static void field_keys_init(void)
{
	for (int i = 0; i < HISTROW_MESSAGE_COLS; i++) {
		const char *f = histrow_message_fields[i], *dot = strchr(f, '.');
		/* the one nested object is usage */
		field_keys[i].level = dot != NULL;
		field_keys[i].name = dot ? dot + 1 : f;
		field_keys[i].len = strlen(field_keys[i].name);
		if (!strcmp(f, "seq"))
			seq_column = i;
		if (!strcmp(f, "tool_calls"))
			tool_calls_column = i;
		if (!strcmp(f, "role"))
			role_column = i;
		if (!strcmp(f, "status"))
			status_column = i;
		if (!strcmp(f, "conversation"))
			conversation_column = i;
	}
}

/* The column whose field key k (kl bytes) is at level, or -1. */
static int field_column(int level, const char *k, size_t kl)
{
	for (int i = 0; i < HISTROW_MESSAGE_COLS; i++)
		if (field_keys[i].len == kl && field_keys[i].level == level && !memcmp(field_keys[i].name, k, kl))
			return i;
	return -1;
}

/* A message record as the reader's thread leaves it for the writing
 * thread (an array): its checks' verdict, the columns whose values have
 * the right kind (a bit each), its attachments, and then each column's
 * value (null where the record has none), so the writing thread, an
 * import's slower one, only binds them. */
enum { PREP_BAD, PREP_SEEN, PREP_ATTS, PREP_COLS };

/* The columns of obj's fields into *prep (one pass over its keys; level 1
 * for the nested usage object). Returns a bit mask of the columns whose
 * values have the right kind. */
static unsigned gather_fields(jv *prep, jv obj, int level)
{
	unsigned seen = 0;
	for (int it = jv_object_iter(obj); jv_object_iter_valid(obj, it); it = jv_object_iter_next(obj, it)) {
		jv key = jv_object_iter_key(obj, it);
		const char *k = jv_string_value(key);
		size_t kl = (size_t)jv_string_length_bytes(jv_copy(key));
		int i = field_column(level, k, kl);
		if (i >= 0) {
			jv v = jv_object_iter_value(obj, it);
			if (i == tool_calls_column && jv_get_kind(v) == JV_KIND_ARRAY)
				v = jv_dump_string(v, 0); /* kept as its JSON text */
			jv_kind want = i == seq_column ? JV_KIND_NUMBER : JV_KIND_STRING;
			if (jv_get_kind(v) == want)
				seen |= 1u << i;
			*prep = jv_array_set(*prep, PREP_COLS + i, v);
		} else if (!level && kl == 5 && !memcmp(k, "usage", 5)) {
			jv u = jv_object_iter_value(obj, it);
			if (jv_get_kind(u) == JV_KIND_OBJECT)
				gather_fields(prep, u, 1);
			jv_free(u);
		}
		jv_free(key);
	}
	return seen;
}

static const char *check_message(jv rec);

/* Runs on the reader's thread: a message record (consumed) becomes its
 * prepared array; any other record goes on as it is. Never fails: what is
 * wrong with a record is said by the writing thread, in order. */
static int prepare_record(void *ctx, jv rec, jv *out, jv *id, char *why, size_t cap)
{
	(void)ctx, (void)id, (void)why, (void)cap;
	char type[32] = "";
	jx_str(rec, "type", type, sizeof type);
	if (strcmp(type, "message")) {
		*out = rec;
		return 0;
	}
	pthread_once(&field_keys_once, field_keys_init);
	const char *bad = check_message(rec);
	jv atts = jx_get(rec, "attachments");
	jv p = jv_array_set(jv_array(), PREP_COLS + HISTROW_MESSAGE_COLS - 1, jv_null());
	p = jv_array_set(p, PREP_BAD, bad ? jv_string(bad) : jv_null());
	p = jv_array_set(p, PREP_ATTS, jv_get_kind(atts) == JV_KIND_ARRAY ? atts : (jv_free(atts), jv_null()));
	unsigned seen = gather_fields(&p, rec, 0);
	p = jv_array_set(p, PREP_SEEN, jv_number(seen));
	jv_free(rec);
	*out = p;
	return 0;
}

/* A prepared message's value (a copy) */
static jv prep_get(jv p, int at)
{
	return jv_array_get(jv_copy(p), at);
}

/* Bind a prepared message's columns. Returns its bit mask of the columns
 * with the right kind. */
static unsigned bind_prepared(store_stmt *st, jv p)
{
	for (int i = 0; i < HISTROW_MESSAGE_COLS; i++) {
		jv v = prep_get(p, PREP_COLS + i);
		if (jv_get_kind(v) != JV_KIND_NULL)
			bind_value(st, i + 1, v);
		jv_free(v);
	}
	jv seen = prep_get(p, PREP_SEEN);
	unsigned mask = (unsigned)jv_number_value(seen);
	jv_free(seen);
	return mask;
}

/* Send the rows gathered: the conversations, then their messages. */
static int flush_gathered(struct importer *im)
{
	if (!im->conv_g)
		return 0;
	static char msg_sql[2048];
	if (!msg_sql[0]) {
		struct buf cols = BUF_INIT(1024);
		for (int i = 0; i < HISTROW_MESSAGE_COLS; i++)
			buf_addf(&cols, "%s%s", i ? ", " : "", histrow_message_columns[i]);
		snprintf(msg_sql, sizeof msg_sql, "INSERT INTO messages (%s) SELECT %s FROM gathered_messages ON CONFLICT DO NOTHING",
			 buf_str(&cols), buf_str(&cols));
		buf_free(&cols);
	}
	/* a name another conversation has (in the history, or earlier in the
	 * batch): imported without it; the counts come when the server has
	 * run them (store_gather_flush) */
	if (store_gather_flush(im->conv_g,
			       "INSERT INTO conversations (id, name, title, system, created, updated)"
			       " SELECT g.id, CASE WHEN EXISTS (SELECT 1 FROM conversations c WHERE c.name = g.name)"
			       " OR row_number() OVER (PARTITION BY g.name ORDER BY g.ctid) > 1"
			       " THEN NULL ELSE g.name END, g.title, g.system, g.created, g.updated"
			       " FROM gathered_conversations g ON CONFLICT (id) DO NOTHING", &im->conversations) < 0)
		return -1;
	return store_gather_flush(im->msg_g, msg_sql, &im->messages);
}

#define REFUSED_MESSAGE "the message's conversation is not in the history, or its role or status is invalid"

/* What the history would refuse in a message about to be gathered, or NULL. */
static const char *refused(struct importer *im, jv p)
{
	jv role = prep_get(p, PREP_COLS + role_column), status = prep_get(p, PREP_COLS + status_column);
	const char *r = jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : "";
	const char *t = jv_get_kind(status) == JV_KIND_STRING ? jv_string_value(status) : "";
	int bad = (strcmp(r, "user") && strcmp(r, "assistant")) ||
		  (strcmp(t, "complete") && strcmp(t, "interrupted") && strcmp(t, "error"));
	jv_free(role);
	jv_free(status);
	if (bad)
		return REFUSED_MESSAGE;
	jv conv = prep_get(p, PREP_COLS + conversation_column);
	if (jv_get_kind(conv) != JV_KIND_STRING) {
		jv_free(conv);
		return NULL; /* said by the caller */
	}
	jv seen = jv_object_get(jv_copy(im->known), jv_copy(conv));
	int ok = jv_get_kind(seen) == JV_KIND_NUMBER;
	/* gathered in an earlier transaction, which may still be on its way:
	 * its rows must be in before this one refers to them */
	if (ok && jv_number_value(seen) > (double)im->synced && jv_number_value(seen) < (double)im->batch) {
		if (store_sync(im->s) < 0) {
			jv_free(seen);
			jv_free(conv);
			im->failed = 1;
			return "the rows before it could not be written";
		}
		im->synced = im->batch - 1;
	}
	jv_free(seen);
	if (!ok) { /* one already in the history, asked once */
		store_bind_text(im->conv_known, 1, jv_string_value(conv), -1);
		int rc = store_step(im->conv_known);
		store_reset(im->conv_known);
		store_clear_bindings(im->conv_known);
		if (rc != STORE_ROW && rc != STORE_DONE) {
			jv_free(conv);
			return store_errmsg(im->s);
		}
		ok = rc == STORE_ROW;
		if (ok) /* in the history: there is nothing to wait for */
			im->known = jv_object_set(im->known, jv_copy(conv), jv_number(-1));
	}
	jv_free(conv);
	return ok ? NULL : REFUSED_MESSAGE;
}

static const char *import_message(struct importer *im, jv p)
{
	jv bad = prep_get(p, PREP_BAD);
	/* the string lives in p, which outlives the warning */
	const char *why = jv_get_kind(bad) == JV_KIND_STRING ? jv_string_value(bad) : NULL;
	jv_free(bad);
	if (why)
		return why;
	jv atts = prep_get(p, PREP_ATTS);
	int plain = jv_get_kind(atts) != JV_KIND_ARRAY;
	jv_free(atts);
	if (im->msg_g) {
		const char *no = plain ? refused(im, p) : NULL;
		if (no)
			return no;
		if (plain) { /* gathered, counted when sent */
			unsigned got = bind_prepared(im->msg_g, p);
			int rc = (got & im->required) == im->required ? store_step(im->msg_g) : STORE_DONE;
			store_clear_bindings(im->msg_g);
			if ((got & im->required) != im->required)
				return "a message record needs id, conversation, seq, role, text, status and created";
			return rc == STORE_DONE ? NULL : store_errmsg(im->s);
		}
		/* its media rows need its row: what came before goes first */
		if (flush_gathered(im) < 0) {
			im->failed = 1;
			return "the rows before it could not be written";
		}
	}
	if ((bind_prepared(im->msg, p) & im->required) != im->required) {
		store_clear_bindings(im->msg);
		return "a message record needs id, conversation, seq, role, text, status and created";
	}
	int r = run(im, im->msg);
	if (r < 0)
		return store_errcode(im->s) == STORE_CONSTRAINT ? REFUSED_MESSAGE : store_errmsg(im->s);
	im->messages += r;
	if (r > 0 && !plain) {
		atts = prep_get(p, PREP_ATTS);
		store_int rid = store_last_rowid(im->s);
		int n = jv_array_length(jv_copy(atts));
		for (int i = 0; i < n; i++) {
			jv a = jv_array_get(jv_copy(atts), i);
			jv data = jx_get(a, "data");
			if (jv_get_kind(data) == JV_KIND_STRING) {
				struct buf b = BUF_INIT((size_t)1 << 31);
				if (base64_decode(jv_string_value(data), (size_t)jv_string_length_bytes(jv_copy(data)), &b) == 0) {
					bind_jv(im->media, 1, a, "sha256");
					bind_jv(im->media, 2, a, "mime");
					store_bind_int64(im->media, 3, (store_int)b.len);
					store_bind_blob_copy(im->media, 4, b.p ? b.p : "", (int)b.len);
					run(im, im->media);
				}
				buf_free(&b);
			}
			store_bind_int64(im->link, 1, rid);
			store_bind_int(im->link, 2, i);
			bind_jv(im->link, 3, a, "sha256");
			run(im, im->link); /* without its media the link is refused: the rest still imports */
			jv_free(data);
			jv_free(a);
		}
		jv_free(atts);
	}
	return NULL;
}

/* End the transaction: what was gathered sent, then the commit. 0, or -1. */
static int import_commit(struct importer *im)
{
	im->in_tx = 0;
	im->batch++;
	if (flush_gathered(im) < 0 || store_bulk_end(im->s, im->first_rid) < 0) {
		store_rollback(im->s);
		im->failed = 1;
		return -1;
	}
	if (store_commit(im->s) < 0) {
		im->failed = 1;
		return -1;
	}
	return 0;
}

static int import_one(void *ctx, long lineno, jv rec, const char *why)
{
	struct importer *im = ctx;
	if (why) {
		im->bad++;
		return 0;
	}
	/* a message comes prepared (an array); any other record as it was */
	int is_msg = jv_get_kind(rec) == JV_KIND_ARRAY;
	char type[32] = "";
	if (!is_msg)
		jx_str(rec, "type", type, sizeof type);
	int is_conv = !strcmp(type, "conversation");
	/* transactions of half a second: big enough to index in bulk, short
	 * enough that live writers never wait long; they end before a
	 * conversation, so that its rows go in one batch (batches may run at
	 * once: see store_gather_flush), and in any case every million records */
	if (im->in_tx && (im->in_tx >= (1L << 20) || (is_conv && im->in_tx >= 1024 && now_ms() - im->tx_started >= 500)) &&
	    import_commit(im) < 0) {
		jv_free(rec);
		return 1;
	}
	if (!im->in_tx && (store_begin(im->s) < 0 || store_bulk_begin(im->s, &im->first_rid) < 0)) {
		if (im->s->locked)
			store_rollback(im->s);
		jv_free(rec);
		im->failed = 1;
		return 1;
	}
	if (!im->in_tx++)
		im->tx_started = now_ms();
	const char *err = is_conv ? import_conversation(im, rec)
			: is_msg ? import_message(im, rec)
			: "not a conversation or message record";
	if (err) {
		warn("line %ld: %s", lineno, err);
		im->bad++;
	}
	jv_free(rec);
	return 0;
}

int histio_import(struct store *s, int fd, long *conversations, long *messages)
{
	struct importer im = { .s = s, .required = required_fields(), .known = jv_object() };
	/* only the id may match silently: a name taken by another conversation
	 * must fail, so that conversation still comes in, without the name */
	im.conv = histrow_prepare_insert(s, HISTROW_CONVERSATIONS, " ON CONFLICT(id) DO NOTHING");
	im.msg = histrow_prepare_insert(s, HISTROW_MESSAGES, " ON CONFLICT DO NOTHING");
	im.media = store_prepare(s, "INSERT OR IGNORE INTO media (sha256, mime, bytes, data) VALUES (?1, ?2, ?3, ?4)");
	/* a link without its media is refused; asked first, so that PostgreSQL's
	 * transaction is not failed by it (SQLite's goes on) */
	im.link = store_prepare(s, "INSERT OR IGNORE INTO message_media (message, ord, sha256)"
				   " SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM media WHERE sha256 = ?3)");
	im.conv_g = store_gather(s, "conversations", histrow_conversation_fields, HISTROW_CONVERSATION_COLS);
	im.msg_g = im.conv_g ? store_gather(s, "messages", histrow_message_columns, HISTROW_MESSAGE_COLS) : NULL;
	im.conv_known = im.conv_g ? store_prepare(s, "SELECT 1 FROM conversations WHERE id = ?1") : NULL;
	int status = 0;
	/* a bulk load: a bigger cache, and checkpoints every 64 MB of log instead
	 * of every 4 MB, so hot index pages are copied back far fewer times */
	store_exec(s, "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384");
	/* PostgreSQL: the search index's pending list merged 64 MB at a time
	 * rather than 4 (a sixth of a large import's time), and commits not
	 * waited for (an import interrupted by a crash is run again: it
	 * skips what it finds) */
	if (store_dialect(s) == STORE_POSTGRES)
		store_exec(s, "SET gin_pending_list_limit = '64MB'; SET synchronous_commit = off");
	if (!im.conv || !im.msg || !im.media || !im.link || (im.conv_g && (!im.msg_g || !im.conv_known))) {
		status = EXIT_CANTCREAT;
	} else {
		struct line_reader lr;
		lr_init(&lr, fd, (size_t)1 << 30);
		int r = records_each_shaped(&lr, prepare_record, import_one, &im);
		lr_free(&lr);
		if (im.in_tx && !im.failed) {
			if (import_commit(&im) < 0 && s->locked)
				store_rollback(s);
		} else if (im.in_tx && im.failed) {
			store_rollback(s);
		}
		/* the last commit may still be on its way */
		if (!im.failed && store_sync(s) < 0)
			im.failed = 1;
		/* PostgreSQL plans by its statistics: fresh ones after a big load,
		 * or the next list and search are planned for empty tables */
		if (!im.failed && store_dialect(s) == STORE_POSTGRES && im.messages + im.conversations >= 1000) {
			/* the search index's pending list, up to 64 MB, merged now: a
			 * search would otherwise read it through (44 ms, not 21, for a
			 * word in a million messages); a user who may not is no error */
			store_exec(s, "DO $$ BEGIN PERFORM gin_clean_pending_list('messages_tsv'::regclass);"
				      " EXCEPTION WHEN OTHERS THEN NULL; END $$");
			store_exec(s, "ANALYZE conversations, messages, media, message_media");
		}
		if (im.failed)
			status = EXIT_CANTCREAT;
		else if (r == -1 || im.bad)
			status = EXIT_DATAERR;
	}
	store_finalize(im.conv);
	store_finalize(im.msg);
	store_finalize(im.media);
	store_finalize(im.link);
	store_finalize(im.conv_g);
	store_finalize(im.msg_g);
	store_finalize(im.conv_known);
	jv_free(im.known);
	*conversations = im.conversations;
	*messages = im.messages;
	return status;
}
