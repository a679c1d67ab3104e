#include "history/histview.h"
#include "history/spool.h"
#include "history/pgquery.h"
#include "buf.h"
#include "diag.h"
#include "history/histio.h"
#include "fdio.h"
#include "jsonx.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int put(struct buf *b)
{
	int r = b->len ? write_all(1, b->p, b->len) : 0;
	buf_reset(b);
	if (r < 0 && errno != EPIPE)
		return error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT;
	return 0;
}

static const char *text_or(store_stmt *st, int i, const char *dflt)
{
	const char *t = store_col_text(st, i);
	return t ? t : dflt;
}

/* Outside text for a terminal: names, titles, models, transcripts. */
static void add_clean(struct buf *b, const char *s, size_t n, int keep_newlines)
{
	scrub_buf(b, s, n, keep_newlines ? SCRUB_LINES : 0);
}

static void add_clean_str(struct buf *b, const char *s)
{
	add_clean(b, s, strlen(s), 0);
}

int histview_list(struct store *s, const struct view_opts *v)
{
	store_stmt *st = store_prepare(s,
		"SELECT c.id, c.name, c.title, c.created, c.updated,"
		" (SELECT count(*) FROM messages m WHERE m.conversation = c.id)"
		" FROM conversations c ORDER BY c.updated DESC, c.rowid DESC LIMIT ?1 OFFSET ?2");
	if (!st)
		return EXIT_CANTCREAT;
	store_bind_int64(st, 1, v->limit > 0 ? v->limit : -1);
	store_bind_int64(st, 2, v->offset);
	struct buf out = BUF_INIT(1 << 26);
	while (store_step(st) == STORE_ROW) {
		if (v->json) {
			jv c = JV_OBJECT(jv_string("type"), jv_string("conversation"),
					 jv_string("id"), jv_string(text_or(st, 0, "")),
					 jv_string("name"), store_col_type(st, 1) == STORE_NULL ? jv_null() : jv_string(text_or(st, 1, "")),
					 jv_string("title"), jv_string(text_or(st, 2, "")),
					 jv_string("created"), jv_string(text_or(st, 3, "")));
			c = jv_object_set(c, jv_string("updated"), jv_string(text_or(st, 4, "")));
			c = jv_object_set(c, jv_string("messages"), jv_number(store_col_int(st, 5)));
			jx_dump_line(c, &out);
		} else {
			const char *title = text_or(st, 2, "");
			add_clean_str(&out, text_or(st, 0, ""));
			buf_addf(&out, "  %.16s  %4d  ", text_or(st, 4, ""), store_col_int(st, 5));
			if (store_col_type(st, 1) != STORE_NULL) {
				buf_addc(&out, '[');
				add_clean_str(&out, text_or(st, 1, ""));
				buf_adds(&out, "] ");
			}
			size_t tl = strlen(title);
			if (tl > 60)
				for (tl = 60; tl && ((unsigned char)title[tl] & 0xC0) == 0x80; tl--)
					; /* cut at a character boundary */
			add_clean(&out, title, tl, 0);
			buf_addc(&out, '\n');
		}
	}
	store_finalize(st);
	int r = put(&out);
	buf_free(&out);
	return r;
}

int histview_show(struct store *s, const char *conv_id, const struct view_opts *v)
{
	if (v->json)
		return histio_export_one(s, conv_id, 0, 1);
	struct buf out = BUF_INIT(1u << 30);
	store_stmt *st = store_prepare(s, "SELECT id, name, title, system FROM conversations WHERE id = ?1");
	if (!st)
		return EXIT_CANTCREAT;
	store_bind_text(st, 1, conv_id, -1);
	if (store_step(st) == STORE_ROW) {
		buf_adds(&out, "conversation ");
		add_clean_str(&out, text_or(st, 0, ""));
		if (store_col_type(st, 1) != STORE_NULL) {
			buf_adds(&out, " (");
			add_clean_str(&out, text_or(st, 1, ""));
			buf_addc(&out, ')');
		}
		buf_addc(&out, '\n');
		if (store_col_type(st, 3) != STORE_NULL) {
			buf_adds(&out, "system: ");
			add_clean(&out, text_or(st, 3, ""), strlen(text_or(st, 3, "")), 1);
			buf_addc(&out, '\n');
		}
	}
	store_finalize(st);
	st = store_prepare(s, "SELECT role, text, status, model, created FROM messages WHERE conversation = ?1 ORDER BY seq");
	if (!st) {
		buf_free(&out);
		return EXIT_CANTCREAT;
	}
	store_bind_text(st, 1, conv_id, -1);
	while (store_step(st) == STORE_ROW) {
		const char *role = text_or(st, 0, ""), *status = text_or(st, 2, "");
		buf_addf(&out, "\n%s--- ", v->color ? "\033[1m" : "");
		add_clean_str(&out, role);
		if (!strcmp(role, "assistant") && store_col_type(st, 3) != STORE_NULL) {
			buf_adds(&out, " (");
			add_clean_str(&out, text_or(st, 3, ""));
			buf_addc(&out, ')');
		}
		buf_addc(&out, ' ');
		add_clean(&out, text_or(st, 4, ""), strnlen(text_or(st, 4, ""), 19), 0);
		if (strcmp(status, "complete")) {
			buf_adds(&out, " [");
			add_clean_str(&out, status);
			buf_addc(&out, ']');
		}
		buf_adds(&out, v->color ? "\033[0m\n" : "\n");
		const char *t = text_or(st, 1, "");
		size_t n = (size_t)store_col_bytes(st, 1);
		add_clean(&out, t, n, 1);
		if (n && t[n - 1] != '\n')
			buf_addc(&out, '\n');
	}
	store_finalize(st);
	int r = put(&out);
	buf_free(&out);
	return r;
}

/* Quote every word so punctuation in what people type is not FTS5 syntax. */
static void quote_words(const char *q, struct buf *b)
{
	while (*q) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			break;
		size_t n = strcspn(q, " \t");
		buf_addc(b, '"');
		for (size_t i = 0; i < n; i++) {
			if (q[i] == '"')
				buf_addc(b, '"');
			buf_addc(b, q[i]);
		}
		buf_adds(b, "\" ");
		q += n;
	}
}

/* The marks snippet() puts around a match in text mode: bytes that are
 * never in UTF-8 text, so no stored message can forge them. */
#define MARK_OPEN "\xff\x01"
#define MARK_CLOSE "\xff\x02"
#define PG_MARK_OPEN "\x01\x01"
#define PG_MARK_CLOSE "\x01\x02"

/* A snippet scrubbed, with the marks turned into highlight codes (on a
 * terminal) or brackets. */
static void add_snippet(struct buf *out, const char *snip, int color)
{
	for (const char *p = snip; *p;) {
		const char *m = strstr(p, "\xff");
		size_t n = m ? (size_t)(m - p) : strlen(p);
		add_clean(out, p, n, 0);
		if (!m)
			break;
		if (m[1] == '\x01' || m[1] == '\x02') {
			buf_adds(out, m[1] == '\x01' ? (color ? "\033[1;31m" : "[") : (color ? "\033[0m" : "]"));
			p = m + 2;
		} else {
			add_clean(out, m, 1, 0);
			p = m + 1;
		}
	}
}

/* 0, an exit status, or -1 when FTS5 cannot parse match (why says so). */
static int search_with(struct store *s, const char *match, const struct view_opts *v, struct buf *out, int *syntax,
		       char *why, size_t cap)
{
	const char *open = v->json ? "" : MARK_OPEN, *close = v->json ? "" : MARK_CLOSE;
	store_stmt *st = NULL;
	const char *sql =
		"SELECT m.id, m.conversation, m.role, m.model, m.created, snippet(messages_fts, 0, ?2, ?3, '...', 12), m.seq"
		" FROM messages_fts JOIN messages m ON m.rid = messages_fts.rowid"
		" WHERE messages_fts MATCH ?1 AND (?4 IS NULL OR m.model = ?4)"
		" AND (?5 IS NULL OR m.created >= ?5) AND (?6 IS NULL OR m.created < ?6)"
		" ORDER BY rank LIMIT ?7 OFFSET ?8";
	/* PostgreSQL: its own text search over the same words, the query
	 * translated (pgquery) or else read as a web search (README: "The
	 * history in PostgreSQL" says what differs); text there is UTF-8, so
	 * the marks are control characters, made ours below */
	int pg = store_dialect(s) == STORE_POSTGRES;
	struct buf tq = BUF_INIT(1 << 20);
	int mapped = pg && pgquery_from_fts(match, &tq) == 0;
	char pg_sql[1024];
	snprintf(pg_sql, sizeof pg_sql,
		 "SELECT m.id, m.conversation, m.role, m.model, m.created,"
		 " ts_headline('simple', m.text, q, 'StartSel=\"' || ?2 || '\", StopSel=\"' || ?3 || '\", MaxWords=12, MinWords=4'), m.seq"
		 " FROM messages m, %s('simple', ?1) q"
		 " WHERE m.tsv @@ q AND (?4 IS NULL OR m.model = ?4)"
		 " AND (?5 IS NULL OR m.created >= ?5) AND (?6 IS NULL OR m.created < ?6)"
		 " ORDER BY ts_rank(m.tsv, q) DESC, m.rid LIMIT ?7 OFFSET ?8",
		 mapped ? "to_tsquery" : "websearch_to_tsquery");
	if (pg) {
		open = v->json ? "" : PG_MARK_OPEN;
		close = v->json ? "" : PG_MARK_CLOSE;
		sql = pg_sql;
	}
	if (!(st = store_prepare_quiet(s, sql))) {
		buf_free(&tq);
		return store_error(s, "search"), EXIT_CANTCREAT;
	}
	store_bind_text_copy(st, 1, mapped ? buf_str(&tq) : match, -1);
	buf_free(&tq);
	store_bind_text(st, 2, open, -1);
	store_bind_text(st, 3, close, -1);
	if (v->model)
		store_bind_text(st, 4, v->model, -1);
	if (v->since)
		store_bind_text(st, 5, v->since, -1);
	if (v->until)
		store_bind_text(st, 6, v->until, -1);
	store_bind_int64(st, 7, v->limit > 0 ? v->limit : -1);
	store_bind_int64(st, 8, v->offset);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *snip = text_or(st, 5, "");
		char *marked = NULL;
		if (pg && !v->json && (marked = strdup(snip))) {
			for (char *c = marked; (c = strchr(c, '\x01')) && c[1]; c += 2)
				if (c[1] == '\x01' || c[1] == '\x02')
					c[0] = '\xff';
			snip = marked;
		}
		if (v->json) {
			jv m = JV_OBJECT(jv_string("type"), jv_string("message"), jv_string("id"), jv_string(text_or(st, 0, "")),
					 jv_string("conversation"), jv_string(text_or(st, 1, "")),
					 jv_string("seq"), jv_number(store_col_int(st, 6)),
					 jv_string("role"), jv_string(text_or(st, 2, "")),
					 jv_string("model"), store_col_type(st, 3) == STORE_NULL ? jv_null() : jv_string(text_or(st, 3, "")));
			m = jv_object_set(m, jv_string("created"), jv_string(text_or(st, 4, "")));
			m = jv_object_set(m, jv_string("snippet"), jv_string(snip));
			jx_dump_line(m, out);
		} else {
			add_clean_str(out, text_or(st, 1, ""));
			buf_adds(out, "  ");
			add_clean(out, text_or(st, 4, ""), strnlen(text_or(st, 4, ""), 16), 0);
			buf_adds(out, "  ");
			add_clean_str(out, text_or(st, 2, ""));
			buf_addf(out, "%*s", (int)(strlen(text_or(st, 2, "")) < 9 ? 10 - strlen(text_or(st, 2, "")) : 1), "");
			/* keep the highlight codes we added (and only those), scrub the rest */
			add_snippet(out, snip, v->color);
			buf_addc(out, '\n');
		}
		free(marked);
	}
	/* FTS5 reports a query it cannot parse as a plain STORE_ERROR from
	 * the step; a busy, damaged or unreadable history has codes of its own */
	*syntax = rc == STORE_ERROR && (store_errcode(s) & 0xff) == STORE_ERROR;
	if (*syntax) {
		snprintf(why, cap, "%s", store_errmsg(s));
		for (size_t n = strlen(why); n && (why[n - 1] == ' ' || why[n - 1] == ':'); n--)
			why[n - 1] = 0; /* "unknown special query: " names nothing after its colon */
	} else if (rc != STORE_DONE) {
		store_error(s, "search");
	}
	store_finalize(st);
	return rc == STORE_DONE ? 0 : *syntax ? -1 : EXIT_CANTCREAT;
}

/* Has the query a letter or digit (ASCII or not) to search for? */
static int has_words(const char *q)
{
	for (; *q; q++)
		if (isalnum((unsigned char)*q) || (unsigned char)*q >= 0x80)
			return 1;
	return 0;
}

int histview_search(struct store *s, const char *query, const struct view_opts *v)
{
	struct buf out = BUF_INIT(1 << 28), quoted = BUF_INIT(1 << 20);
	int syntax = 0;
	char why[256] = "";
	int r = search_with(s, query, v, &out, &syntax, why, sizeof why);
	if (r == -1 && !has_words(query)) {
		/* nothing to search for as words either: say what FTS5 made of it */
		error("search: '%s' has no words to search for and is no query the full-text index takes (%s)", query, why);
		r = EXIT_DATAERR;
	} else if (r == -1) {
		/* not FTS5 syntax: search for the words as typed */
		buf_reset(&out);
		quote_words(query, &quoted);
		r = search_with(s, buf_str(&quoted), v, &out, &syntax, why, sizeof why);
		if (r == -1) {
			error("search: '%s' is no query the full-text index takes (%s)", query, why);
			r = EXIT_DATAERR;
		}
	}
	if (!r)
		r = put(&out);
	buf_free(&out);
	buf_free(&quoted);
	return r;
}

/* With no history yet: the record of an empty one (text has nothing to show). */
static int stats_none(const struct view_opts *v)
{
	if (!v->json)
		return 0;
	jv o = JV_OBJECT(jv_string("type"), jv_string("stats"), jv_string("path"), jv_null(), jv_string("bytes"), jv_number(0),
			 jv_string("conversations"), jv_number(0), jv_string("messages"), jv_number(0));
	o = jv_object_set(o, jv_string("status"), JV_OBJECT(jv_string("complete"), jv_number(0), jv_string("interrupted"),
							    jv_number(0), jv_string("error"), jv_number(0)));
	o = jv_object_set(o, jv_string("usage"), JV_OBJECT(jv_string("input"), jv_number(0), jv_string("output"), jv_number(0)));
	o = jv_object_set(o, jv_string("first"), jv_null());
	o = jv_object_set(o, jv_string("last"), jv_null());
	o = jv_object_set(o, jv_string("media"), jv_number(0));
	o = jv_object_set(o, jv_string("media_bytes"), jv_number(0));
	struct buf out = BUF_INIT(1 << 12);
	jx_dump_line(o, &out);
	int r = put(&out);
	buf_free(&out);
	return r;
}

int histview_stats(struct store *s, const struct view_opts *v)
{
	if (!s)
		return stats_none(v);
	store_stmt *st = store_prepare(s,
		"SELECT (SELECT count(*) FROM conversations), count(*),"
		" count(CASE WHEN status = 'complete' THEN 1 END), count(CASE WHEN status = 'interrupted' THEN 1 END),"
		" count(CASE WHEN status = 'error' THEN 1 END),"
		" coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), min(created), max(created),"
		" (SELECT count(*) FROM media), (SELECT coalesce(sum(bytes), 0) FROM media)"
		" FROM messages");
	if (!st)
		return EXIT_CANTCREAT;
	struct buf out = BUF_INIT(1 << 20);
	struct stat fs;
	int pg = store_dialect(s) == STORE_POSTGRES;
	long long size = !pg && stat(s->path, &fs) == 0 ? (long long)fs.st_size : 0;
	if (pg) { /* the whole database's size: the history is most of it */
		store_stmt *q = store_prepare(s, "SELECT pg_database_size(current_database())");
		if (q && store_step(q) == STORE_ROW)
			size = store_col_int64(q, 0);
		store_finalize(q);
	}
	if (store_step(st) == STORE_ROW) {
		if (v->json) {
			jv o = JV_OBJECT(jv_string("type"), jv_string("stats"), jv_string("path"), jv_string(s->path),
					 jv_string("bytes"), jv_number((double)size),
					 jv_string("conversations"), jv_number(store_col_double(st, 0)),
					 jv_string("messages"), jv_number(store_col_double(st, 1)));
			o = jv_object_set(o, jv_string("status"),
					  JV_OBJECT(jv_string("complete"), jv_number(store_col_double(st, 2)),
						    jv_string("interrupted"), jv_number(store_col_double(st, 3)),
						    jv_string("error"), jv_number(store_col_double(st, 4))));
			o = jv_object_set(o, jv_string("usage"),
					  JV_OBJECT(jv_string("input"), jv_number(store_col_double(st, 5)),
						    jv_string("output"), jv_number(store_col_double(st, 6))));
			o = jv_object_set(o, jv_string("first"), store_col_type(st, 7) == STORE_NULL ? jv_null() : jv_string(text_or(st, 7, "")));
			o = jv_object_set(o, jv_string("last"), store_col_type(st, 8) == STORE_NULL ? jv_null() : jv_string(text_or(st, 8, "")));
			o = jv_object_set(o, jv_string("media"), jv_number(store_col_double(st, 9)));
			o = jv_object_set(o, jv_string("media_bytes"), jv_number(store_col_double(st, 10)));
			o = jv_object_set(o, jv_string("spooled"), jv_number((double)spool_count(s->path)));
			if (pg)
				o = jv_object_set(o, jv_string("backend"), jv_string("postgresql"));
			jx_dump_line(o, &out);
		} else {
			buf_addf(&out, "history        %s (%s%lld bytes)\n", s->path, pg ? "PostgreSQL, " : "", size);
			buf_addf(&out, "conversations  %lld\n", (long long)store_col_int64(st, 0));
			buf_addf(&out, "messages       %lld (%lld complete, %lld interrupted, %lld error)\n",
				 (long long)store_col_int64(st, 1), (long long)store_col_int64(st, 2),
				 (long long)store_col_int64(st, 3), (long long)store_col_int64(st, 4));
			buf_addf(&out, "tokens         %lld in, %lld out\n", (long long)store_col_int64(st, 5),
				 (long long)store_col_int64(st, 6));
			buf_addf(&out, "media          %lld files, %lld bytes\n", (long long)store_col_int64(st, 9),
				 (long long)store_col_int64(st, 10));
			if (store_col_type(st, 7) != STORE_NULL)
				buf_addf(&out, "span           %.10s to %.10s\n", text_or(st, 7, ""), text_or(st, 8, ""));
			size_t spooled = spool_count(s->path);
			char where[4200];
			if (spooled && spool_where(s->path, where, sizeof where) == 0) /* not yet written in */
				buf_addf(&out, "spooled        %zu exchanges waiting in %s\n", spooled, where);
		}
	}
	store_finalize(st);
	int r = put(&out);
	buf_free(&out);
	return r;
}

int histview_each_name(struct store *s, int (*each)(void *ctx, const char *name), void *ctx)
{
	store_stmt *st = store_prepare(s, "SELECT coalesce(name, id) FROM conversations ORDER BY updated DESC LIMIT 500");
	if (!st)
		return EXIT_CANTCREAT;
	int r = 0;
	while (!r && store_step(st) == STORE_ROW) {
		const char *name = store_col_text(st, 0);
		r = each(ctx, name ? name : "");
	}
	store_finalize(st);
	return r;
}

static int name_line(void *ctx, const char *name)
{
	add_clean(ctx, name, strlen(name), 0); /* one name a line, whatever it holds */
	return buf_addc(ctx, '\n') < 0;
}

int histview_names(struct store *s)
{
	struct buf out = BUF_INIT(1 << 20);
	histview_each_name(s, name_line, &out);
	int r = put(&out);
	buf_free(&out);
	return r;
}
