#include "histview.h"
#include "buf.h"
#include "diag.h"
#include "histio.h"
#include "iox.h"
#include "jsonx.h"
#include <errno.h>
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

static const char *text_or(sqlite3_stmt *st, int i, const char *dflt)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : dflt;
}

/* Untrusted text for a terminal: control characters other than newline and tab shown as '?'. */
static void add_clean(struct buf *b, const char *s, size_t n, int keep_newlines)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(keep_newlines && (c == '\n' || c == '\t'))) || c == 0x7f)
			c = keep_newlines || c != '\n' ? '?' : ' ';
		buf_addc(b, (char)c);
	}
}

int histview_list(struct store *s, const struct view_opts *v)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT c.id, c.name, c.title, c.created, c.updated,"
		" (SELECT count(*) FROM messages m WHERE m.conversation = c.id)"
		" FROM conversations c ORDER BY c.updated DESC, c.rowid DESC LIMIT ?1 OFFSET ?2");
	if (!st)
		return EXIT_CANTCREAT;
	sqlite3_bind_int64(st, 1, v->limit > 0 ? v->limit : -1);
	sqlite3_bind_int64(st, 2, v->offset);
	struct buf out = BUF_INIT(1 << 26);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (v->json) {
			jv c = JV_OBJECT(jv_string("type"), jv_string("conversation"),
					 jv_string("id"), jv_string(text_or(st, 0, "")),
					 jv_string("name"), sqlite3_column_type(st, 1) == SQLITE_NULL ? jv_null() : jv_string(text_or(st, 1, "")),
					 jv_string("title"), jv_string(text_or(st, 2, "")),
					 jv_string("created"), jv_string(text_or(st, 3, "")));
			c = jv_object_set(c, jv_string("updated"), jv_string(text_or(st, 4, "")));
			c = jv_object_set(c, jv_string("messages"), jv_number(sqlite3_column_int(st, 5)));
			jx_dump_line(c, &out);
		} else {
			const char *title = text_or(st, 2, "");
			buf_addf(&out, "%s  %.16s  %4d  ", text_or(st, 0, ""), text_or(st, 4, ""), sqlite3_column_int(st, 5));
			if (sqlite3_column_type(st, 1) != SQLITE_NULL)
				buf_addf(&out, "[%s] ", text_or(st, 1, ""));
			size_t tl = strlen(title);
			if (tl > 60)
				for (tl = 60; tl && ((unsigned char)title[tl] & 0xC0) == 0x80; tl--)
					; /* cut at a character boundary */
			add_clean(&out, title, tl, 0);
			buf_addc(&out, '\n');
		}
	}
	sqlite3_finalize(st);
	int r = put(&out);
	buf_free(&out);
	return r;
}

int histview_show(struct store *s, const char *conv_id, const struct view_opts *v)
{
	if (v->json)
		return histio_export_one(s, conv_id, 0, 1);
	struct buf out = BUF_INIT(1u << 30);
	sqlite3_stmt *st = store_prepare(s, "SELECT id, name, title, system FROM conversations WHERE id = ?1");
	if (!st)
		return EXIT_CANTCREAT;
	sqlite3_bind_text(st, 1, conv_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		buf_addf(&out, "conversation %s", text_or(st, 0, ""));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			buf_addf(&out, " (%s)", text_or(st, 1, ""));
		buf_addc(&out, '\n');
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			buf_adds(&out, "system: ");
			add_clean(&out, text_or(st, 3, ""), strlen(text_or(st, 3, "")), 1);
			buf_addc(&out, '\n');
		}
	}
	sqlite3_finalize(st);
	st = store_prepare(s, "SELECT role, text, status, model, created FROM messages WHERE conversation = ?1 ORDER BY seq");
	if (!st) {
		buf_free(&out);
		return EXIT_CANTCREAT;
	}
	sqlite3_bind_text(st, 1, conv_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *role = text_or(st, 0, ""), *status = text_or(st, 2, "");
		buf_addf(&out, "\n%s--- %s", v->color ? "\033[1m" : "", role);
		if (!strcmp(role, "assistant") && sqlite3_column_type(st, 3) != SQLITE_NULL)
			buf_addf(&out, " (%s)", text_or(st, 3, ""));
		buf_addf(&out, " %.19s", text_or(st, 4, ""));
		if (strcmp(status, "complete"))
			buf_addf(&out, " [%s]", status);
		buf_adds(&out, v->color ? "\033[0m\n" : "\n");
		const char *t = text_or(st, 1, "");
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		add_clean(&out, t, n, 1);
		if (n && t[n - 1] != '\n')
			buf_addc(&out, '\n');
	}
	sqlite3_finalize(st);
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

static int search_with(struct store *s, const char *match, const struct view_opts *v, struct buf *out, int *syntax)
{
	const char *open = v->color ? "\033[1;31m" : v->json ? "" : "[", *close = v->color ? "\033[0m" : v->json ? "" : "]";
	sqlite3_stmt *st = NULL;
	const char *sql =
		"SELECT m.id, m.conversation, m.role, m.model, m.created, snippet(messages_fts, 0, ?2, ?3, '...', 12), m.seq"
		" FROM messages_fts JOIN messages m ON m.rid = messages_fts.rowid"
		" WHERE messages_fts MATCH ?1 AND (?4 IS NULL OR m.model = ?4)"
		" AND (?5 IS NULL OR m.created >= ?5) AND (?6 IS NULL OR m.created < ?6)"
		" ORDER BY rank LIMIT ?7 OFFSET ?8";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "search"), EXIT_CANTCREAT;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, open, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, close, -1, SQLITE_STATIC);
	if (v->model)
		sqlite3_bind_text(st, 4, v->model, -1, SQLITE_STATIC);
	if (v->since)
		sqlite3_bind_text(st, 5, v->since, -1, SQLITE_STATIC);
	if (v->until)
		sqlite3_bind_text(st, 6, v->until, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, v->limit > 0 ? v->limit : -1);
	sqlite3_bind_int64(st, 8, v->offset);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *snip = text_or(st, 5, "");
		if (v->json) {
			jv m = JV_OBJECT(jv_string("type"), jv_string("message"), jv_string("id"), jv_string(text_or(st, 0, "")),
					 jv_string("conversation"), jv_string(text_or(st, 1, "")),
					 jv_string("seq"), jv_number(sqlite3_column_int(st, 6)),
					 jv_string("role"), jv_string(text_or(st, 2, "")),
					 jv_string("model"), sqlite3_column_type(st, 3) == SQLITE_NULL ? jv_null() : jv_string(text_or(st, 3, "")));
			m = jv_object_set(m, jv_string("created"), jv_string(text_or(st, 4, "")));
			m = jv_object_set(m, jv_string("snippet"), jv_string(snip));
			jx_dump_line(m, out);
		} else {
			buf_addf(out, "%s  %.16s  %-9s ", text_or(st, 1, ""), text_or(st, 4, ""), text_or(st, 2, ""));
			/* keep the escape codes we added, scrub the rest */
			for (const char *p = snip; *p; p++) {
				if (*p == '\033' && v->color) {
					size_t n = strspn(p + 1, "[0123456789;m");
					buf_add(out, p, n + 1);
					p += n;
				} else {
					add_clean(out, p, 1, 0);
				}
			}
			buf_addc(out, '\n');
		}
	}
	/* FTS5 reports a query it cannot parse as a plain SQLITE_ERROR */
	const char *msg = sqlite3_errmsg(s->db);
	*syntax = rc == SQLITE_ERROR && (strstr(msg, "fts5") || strstr(msg, "syntax") ||
					  strstr(msg, "unterminated") || strstr(msg, "no such column"));
	if (rc != SQLITE_DONE && !*syntax)
		store_error(s, "search");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : *syntax ? -1 : EXIT_CANTCREAT;
}

int histview_search(struct store *s, const char *query, const struct view_opts *v)
{
	struct buf out = BUF_INIT(1 << 28), quoted = BUF_INIT(1 << 20);
	int syntax = 0;
	int r = search_with(s, query, v, &out, &syntax);
	if (r == -1) {
		/* not FTS5 syntax: search for the words as typed */
		buf_reset(&out);
		quote_words(query, &quoted);
		r = search_with(s, buf_str(&quoted), v, &out, &syntax);
		if (r == -1) {
			error("search: cannot understand the query '%s'", query);
			r = EXIT_USAGE;
		}
	}
	if (!r)
		r = put(&out);
	buf_free(&out);
	buf_free(&quoted);
	return r;
}

int histview_stats(struct store *s, const struct view_opts *v)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT (SELECT count(*) FROM conversations), count(*),"
		" coalesce(sum(status = 'complete'), 0), coalesce(sum(status = 'interrupted'), 0), coalesce(sum(status = 'error'), 0),"
		" coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), min(created), max(created),"
		" (SELECT count(*) FROM media), (SELECT coalesce(sum(bytes), 0) FROM media)"
		" FROM messages");
	if (!st)
		return EXIT_CANTCREAT;
	struct buf out = BUF_INIT(1 << 20);
	struct stat fs;
	long long size = stat(s->path, &fs) == 0 ? (long long)fs.st_size : 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (v->json) {
			jv o = JV_OBJECT(jv_string("type"), jv_string("stats"), jv_string("path"), jv_string(s->path),
					 jv_string("bytes"), jv_number((double)size),
					 jv_string("conversations"), jv_number(sqlite3_column_double(st, 0)),
					 jv_string("messages"), jv_number(sqlite3_column_double(st, 1)));
			o = jv_object_set(o, jv_string("status"),
					  JV_OBJECT(jv_string("complete"), jv_number(sqlite3_column_double(st, 2)),
						    jv_string("interrupted"), jv_number(sqlite3_column_double(st, 3)),
						    jv_string("error"), jv_number(sqlite3_column_double(st, 4))));
			o = jv_object_set(o, jv_string("usage"),
					  JV_OBJECT(jv_string("input"), jv_number(sqlite3_column_double(st, 5)),
						    jv_string("output"), jv_number(sqlite3_column_double(st, 6))));
			o = jv_object_set(o, jv_string("first"), sqlite3_column_type(st, 7) == SQLITE_NULL ? jv_null() : jv_string(text_or(st, 7, "")));
			o = jv_object_set(o, jv_string("last"), sqlite3_column_type(st, 8) == SQLITE_NULL ? jv_null() : jv_string(text_or(st, 8, "")));
			o = jv_object_set(o, jv_string("media"), jv_number(sqlite3_column_double(st, 9)));
			o = jv_object_set(o, jv_string("media_bytes"), jv_number(sqlite3_column_double(st, 10)));
			jx_dump_line(o, &out);
		} else {
			buf_addf(&out, "history        %s (%lld bytes)\n", s->path, size);
			buf_addf(&out, "conversations  %lld\n", (long long)sqlite3_column_int64(st, 0));
			buf_addf(&out, "messages       %lld (%lld complete, %lld interrupted, %lld error)\n",
				 (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
				 (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4));
			buf_addf(&out, "tokens         %lld in, %lld out\n", (long long)sqlite3_column_int64(st, 5),
				 (long long)sqlite3_column_int64(st, 6));
			buf_addf(&out, "media          %lld files, %lld bytes\n", (long long)sqlite3_column_int64(st, 9),
				 (long long)sqlite3_column_int64(st, 10));
			if (sqlite3_column_type(st, 7) != SQLITE_NULL)
				buf_addf(&out, "span           %.10s to %.10s\n", text_or(st, 7, ""), text_or(st, 8, ""));
		}
	}
	sqlite3_finalize(st);
	int r = put(&out);
	buf_free(&out);
	return r;
}
