/* The history's rows and look-ups: histrow writes every column the
 * migrations made (so a new column cannot be left out of one writer), its
 * insert and histlog_write_exchange give the rows chat-send would,
 * store_find_ref finds by key, id and prefix and says ambiguity in the
 * caller's words, histlog_answered knows string and numeric ids, and
 * for_each_input reads each file or stdin with the statuses the filters use. */
#include "diag.h"
#include "eachinput.h"
#include "history/histlog.h"
#include "history/histrow.h"
#include "history/store_impl.h" /* the SQLite statement behind one, to read its SQL */
#include "tap.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_history_rows.XXXXXX";

/* What a query's rows hold, as "a|b\n" lines. */
static void rows(struct store *s, const char *sql, char *out, size_t cap)
{
	store_stmt *st = store_prepare(s, sql);
	out[0] = 0;
	while (st && store_step(st) == STORE_ROW)
		for (int i = 0; i < store_col_count(st); i++) {
			const char *v = store_col_text(st, i);
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", v ? v : "NULL",
				 i + 1 < store_col_count(st) ? "|" : "\n");
		}
	store_finalize(st);
}

/* stderr while fn runs, into out. */
static int said_ret;
static void said(void (*fn)(void *), void *ctx, char *out, size_t cap)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/stderr", dir);
	fflush(stderr);
	int keep = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	fn(ctx);
	fflush(stderr);
	dup2(keep, 2);
	close(keep);
	ssize_t n = pread(fd, out, cap - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
}

struct find_call {
	struct store *s;
	const struct store_ref *what;
	const char *ref;
	char id[STORE_ID_LEN + 1];
};

static void do_find(void *ctx)
{
	struct find_call *c = ctx;
	said_ret = store_find_ref(c->s, c->what, c->ref, c->id);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The column list of an insert statement, sorted, as "a,b,c\n". */
static void insert_columns(store_stmt *st, char *out, size_t cap)
{
	char text[2048], *names[64];
	const char *sql = st ? sqlite3_sql(st->lite) : "()";
	snprintf(text, sizeof text, "%.*s", (int)strcspn(strchr(sql, '(') + 1, ")"), strchr(sql, '(') + 1);
	int n = 0;
	for (char *tok = strtok(text, ", "); tok && n < 64; tok = strtok(NULL, ", "))
		names[n++] = tok;
	qsort(names, (size_t)n, sizeof *names, by_name);
	out[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", names[i], i + 1 < n ? "," : "\n");
}

static void test_columns(struct store *s)
{
	/* every column the migrations made (but rid) is written */
	char want[2048], got[2048];
	static const char *const table[] = { "messages", "conversations" };
	for (int t = 0; t < 2; t++) {
		char sql[256], name[128];
		snprintf(sql, sizeof sql, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('%s')"
			 " WHERE name <> 'rid' ORDER BY name)", table[t]);
		rows(s, sql, want, sizeof want);
		store_stmt *st = histrow_prepare_insert(s, t ? HISTROW_CONVERSATIONS : HISTROW_MESSAGES, "");
		insert_columns(st, got, sizeof got);
		snprintf(name, sizeof name, "the %s insert writes every column of schema %d", table[t], STORE_SCHEMA_VERSION);
		is_str(got, want, name);
		ok(st && sqlite3_bind_parameter_count(st->lite) == (t ? HISTROW_CONVERSATION_COLS : HISTROW_MESSAGE_COLS),
		   "... with a parameter, and a record field, for each");
		store_finalize(st);
	}
}

static void test_rows(struct store *s)
{
	/* the exchange chat-send logs: a turn, then the reply saved */
	char conv[STORE_ID_LEN + 1], sent[4096], whole[4096], sql[512];
	store_begin(s);
	ok(histrow_new_conversation(s, conv, NULL, "hello", "2026-01-01T00:00:00.000Z") == 0, "a new conversation");
	ok(histrow_insert_turn(s, conv, "aaaaaaaaaaa1", "aaaaaaaaaaa2", "hello", "Be brief.", "r1",
			       "2026-01-01T00:00:00.000Z") == 0, "a turn");
	struct histrow_message reply = { .id = "aaaaaaaaaaa2", .text = "hi", .len = 2, .status = "complete", .finish = "stop",
					 .provider = "openai", .model = "gpt-4o-mini", .have_usage = 1, .input = 5,
					 .output = 1, .cost = 0.25, .ttft_ms = -1, .ms = -1 };
	ok(histrow_update_reply(s, &reply) == 0, "the reply saved");
	/* the same exchange written whole */
	char conv2[STORE_ID_LEN + 1], reply_id[STORE_ID_LEN + 1];
	struct histlog_exchange x = { .prompt = "hello", .system = "Be brief.", .request_id = "r1",
				      .user_created = "2026-01-01T00:00:00.000Z", .reply = reply };
	ok(histlog_write_exchange(s, &x, conv2, reply_id) == 0, "an exchange written whole");
	store_commit(s);
	static const char cols[] = "c.title, c.system, c.name, m.seq, m.role, m.text, m.status, m.finish, m.provider, m.model,"
		" m.input_tokens, m.output_tokens, m.cached_tokens, m.reasoning_tokens, m.cost_usd, m.ttft_ms, m.ms,"
		" m.request_id, m.batch_job, m.asked_model, m.tool_calls";
	snprintf(sql, sizeof sql, "SELECT %s FROM messages m JOIN conversations c ON c.id = m.conversation"
		 " WHERE c.id = '%s' ORDER BY seq", cols, conv);
	rows(s, sql, sent, sizeof sent);
	snprintf(sql, sizeof sql, "SELECT %s FROM messages m JOIN conversations c ON c.id = m.conversation"
		 " WHERE c.id = '%s' ORDER BY seq", cols, conv2);
	rows(s, sql, whole, sizeof whole);
	is_str(whole, sent, "the rows are the same either way");
	is_str(sent, "hello|Be brief.|NULL|1|user|hello|complete|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|r1|NULL|NULL|NULL\n"
		     "hello|Be brief.|NULL|2|assistant|hi|complete|stop|openai|gpt-4o-mini|5|1|0|0|0.25|NULL|NULL|r1|NULL|NULL|NULL\n",
	       "... and what they hold");
	/* into the conversation a name gives, made when new */
	x.conversation = "named";
	char conv3[STORE_ID_LEN + 1], conv4[STORE_ID_LEN + 1];
	store_begin(s);
	histlog_write_exchange(s, &x, conv3, reply_id);
	histlog_write_exchange(s, &x, conv4, reply_id);
	store_commit(s);
	snprintf(sql, sizeof sql, "SELECT count(*), max(seq) FROM messages WHERE conversation = '%s'", conv3);
	rows(s, sql, whole, sizeof whole);
	ok(!strcmp(conv3, conv4), "a conversation name: made once, then continued");
	is_str(whole, "4|4\n", "... both exchanges in it, in turn");

	jv sid = jv_string("r1"), nid = jv_number(7), none = jv_null();
	ok(histlog_answered(s, sid), "answered: a string id with a complete reply");
	ok(!histlog_answered(s, nid), "answered: not a number never asked");
	x.request_id = "7";
	x.conversation = NULL;
	store_begin(s);
	histlog_write_exchange(s, &x, conv3, reply_id);
	store_commit(s);
	ok(histlog_answered(s, nid), "answered: a numeric id, as the history writes it");
	ok(!histlog_answered(s, none), "answered: no id is never answered");
	jv_free(sid);
	jv_free(nid);
	jv_free(none);
}

/* What the full-text index finds for word, as "seq:role" lines. */
static void hits(struct store *s, const char *word, char *out, size_t cap)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT m.seq || ':' || m.role FROM messages_fts JOIN messages m ON m.rid = messages_fts.rowid"
		 " WHERE messages_fts MATCH '%s' ORDER BY m.rid", word);
	rows(s, sql, out, cap);
}

/* FTS5's own check of its index against the messages' text. */
static int index_matches_text(struct store *s)
{
	store_stmt *st = store_prepare_quiet(s, "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
	int rc = st ? store_step(st) : STORE_ERROR;
	store_finalize(st);
	return rc == STORE_DONE;
}

struct save_call {
	struct store *s;
	const struct histrow_message *m;
};
static void do_save(void *ctx)
{
	struct save_call *c = ctx;
	said_ret = histrow_update_reply(c->s, c->m);
}

static void test_reply_index(struct store *s)
{
	/* the reply is indexed by a statement of its own, its row written with
	 * the triggers off: the index stays the text's, and the connection is
	 * left as it was (triggers on, its page cache) */
	char conv[STORE_ID_LEN + 1], got[1024], err[512];
	store_exec(s, "PRAGMA cache_size = -3000");
	store_begin(s);
	histrow_new_conversation(s, conv, "indexed", "t", "2026-01-02T00:00:00.000Z");
	histrow_insert_turn(s, conv, "bbbbbbbbbbb1", "bbbbbbbbbbb2", "ask zebra", NULL, NULL, "2026-01-02T00:00:00.000Z");
	static const char text[] = "alpha beta\0after the nul";
	struct histrow_message reply = { .id = "bbbbbbbbbbb2", .text = text, .len = sizeof text - 1, .status = "complete",
					 .cost = -1, .ttft_ms = -1, .ms = -1 };
	ok(histrow_update_reply(s, &reply) == 0, "a reply with a NUL in it saved");
	store_commit(s);
	hits(s, "alpha", got, sizeof got);
	is_str(got, "2:assistant\n", "its words before the NUL are found");
	hits(s, "after", got, sizeof got);
	is_str(got, "2:assistant\n", "... and after it, as the trigger indexed them");
	ok(index_matches_text(s), "the index is the text's");
	rows(s, "PRAGMA cache_size", got, sizeof got);
	is_str(got, "-3000\n", "the connection's page cache is as it was");

	/* saved again over a text it had: the old words leave the index */
	store_begin(s);
	reply.text = "gamma";
	reply.len = 5;
	ok(histrow_update_reply(s, &reply) == 0, "the reply saved again");
	store_commit(s);
	hits(s, "alpha", got, sizeof got);
	is_str(got, "", "the words it had are gone from the index");
	hits(s, "gamma", got, sizeof got);
	is_str(got, "2:assistant\n", "the new ones are in it");

	/* a save that fails leaves the triggers on all the same */
	store_begin(s);
	reply.status = "bogus";
	struct save_call c = { s, &reply };
	said(do_save, &c, err, sizeof err);
	ok(said_ret < 0 && strstr(err, "saving the reply: CHECK constraint failed"), "a row the schema refuses is not saved");
	store_rollback(s);
	store_begin(s);
	struct histrow_message later = { .id = "bbbbbbbbbbb3", .conversation = conv, .seq = 3, .role = "user",
					 .text = "quokka", .len = 6, .status = "complete", .cost = -1, .ttft_ms = -1,
					 .ms = -1, .created = "2026-01-02T00:00:01.000Z" };
	histrow_insert_message(s, &later);
	store_exec(s, "UPDATE messages SET text = 'ask okapi' WHERE id = 'bbbbbbbbbbb1'");
	store_commit(s);
	hits(s, "quokka", got, sizeof got);
	is_str(got, "3:user\n", "after it, a new row is indexed by its trigger");
	hits(s, "okapi", got, sizeof got);
	is_str(got, "1:user\n", "... and a text changed by hand by the update trigger");
	hits(s, "zebra", got, sizeof got);
	is_str(got, "", "... its old words gone");
	ok(index_matches_text(s), "the index is still the text's");
	hits(s, "gamma", got, sizeof got);
	is_str(got, "2:assistant\n", "the refused save changed nothing");
}

static void test_reply_memory(struct store *s)
{
	/* SQLite's own peak while a 2 MB reply is saved: the row's record (a
	 * copy of the reply) and a few pages, with the index built apart */
	char conv[STORE_ID_LEN + 1], name[160];
	const size_t n = (size_t)2 << 20;
	char *text = malloc(n + 1);
	if (!text)
		return;
	for (size_t i = 0; i < n; i++)
		text[i] = "words of a reply, "[i % 18];
	text[n] = 0;
	store_begin(s);
	histrow_new_conversation(s, conv, "memory", "t", "2026-01-03T00:00:00.000Z");
	histrow_insert_turn(s, conv, "ccccccccccc1", "ccccccccccc2", "ask", NULL, NULL, "2026-01-03T00:00:00.000Z");
	struct histrow_message reply = { .id = "ccccccccccc2", .text = text, .len = n, .status = "complete",
					 .cost = -1, .ttft_ms = -1, .ms = -1 };
	sqlite3_int64 before, now, peak;
	sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &before, &peak, 1);
	int rc = histrow_update_reply(s, &reply);
	store_commit(s);
	sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &now, &peak, 0);
	snprintf(name, sizeof name, "a 2 MB reply saved with SQLite's memory under 1.25 times it (%.2f)",
		 (double)(peak - before) / (double)n);
	ok(rc == 0 && peak - before < (sqlite3_int64)(n + n / 4), "%s", name);
	char got[64];
	rows(s, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'reply'", got, sizeof got);
	is_str(got, "1\n", "... and its words found");
	free(text);
}

static void test_find(struct store *s)
{
	store_begin(s);
	store_exec(s, "INSERT INTO conversations (id, name, created, updated) VALUES"
		      " ('abcd00000001', NULL, 'x', 'x'), ('abcd00000002', NULL, 'x', 'x'), ('ffff00000003', 'abcd', 'x', 'x');"
		      "INSERT INTO batch_jobs (id, provider, remote_id, status, created, updated) VALUES"
		      " ('beef00000001', 'p', 'batch_a', 's', 'x', 'x'), ('beef00000002', 'p', 'batch_a', 's', 'x', 'x'),"
		      " ('cafe00000003', 'p', 'batch_b', 's', 'x', 'x')");
	store_commit(s);
	static const struct store_ref conv = { "conversations", "name", "conversation" };
	static const struct store_ref job = { "batch_jobs", "remote_id", "batch job" };
	static const struct {
		const struct store_ref *what;
		const char *ref;
		int want;
		const char *id, *said;
	} cases[] = {
		{ &conv, "abcd", 0, "ffff00000003", "" },
		{ &conv, "abcd00000002", 0, "abcd00000002", "" },
		{ &conv, "ffff", 0, "ffff00000003", "" },
		{ &conv, "abcd0", -2, NULL, "test: conversation 'abcd0' is ambiguous: give more of its id\n" },
		{ &conv, "abc", 1, NULL, "" },
		{ &conv, "nope", 1, NULL, "" },
		{ &job, "batch_b", 0, "cafe00000003", "" },
		{ &job, "cafe", 0, "cafe00000003", "" },
		{ &job, "beef00000001", 0, "beef00000001", "" },
		{ &job, "batch_a", -2, NULL, "test: batch job 'batch_a' is ambiguous\n" },
		{ &job, "beef", -2, NULL, "test: batch job 'beef' is ambiguous: give more of its id\n" },
		{ &job, "dead", 1, NULL, "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct find_call c = { .s = s, .what = cases[i].what, .ref = cases[i].ref };
		char err[512], name[128];
		said(do_find, &c, err, sizeof err);
		snprintf(name, sizeof name, "find %s '%s': %d", cases[i].what->noun, cases[i].ref, cases[i].want);
		ok(said_ret == cases[i].want && (!cases[i].id || !strcmp(c.id, cases[i].id)), "%s", name);
		snprintf(name, sizeof name, "find %s '%s': what is said", cases[i].what->noun, cases[i].ref);
		is_str(err, cases[i].said, name);
	}
}

struct inputs {
	char names[512];
	int status_for_b;
};

static int take_input(void *ctx, int fd, const char *name)
{
	struct inputs *in = ctx;
	char buf[16] = "";
	ssize_t n = fd == 0 ? 0 : read(fd, buf, sizeof buf - 1);
	snprintf(in->names + strlen(in->names), sizeof in->names - strlen(in->names), "%s=%.*s;", name,
		 (int)(n > 0 ? n : 0), buf);
	return strstr(name, "/b") ? in->status_for_b : 0;
}

struct loop_call {
	int n;
	char **files;
	struct inputs *in;
};
static void do_loop(void *ctx)
{
	struct loop_call *c = ctx;
	said_ret = for_each_input(c->n, c->files, take_input, c->in);
}

static void test_inputs(void)
{
	char a[4200], b[4200], missing[4200], err[512], want[9000];
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	FILE *f = fopen(a, "w");
	fputs("A", f);
	fclose(f);
	f = fopen(b, "w");
	fputs("B", f);
	fclose(f);
	struct inputs in = { "", 0 };
	struct loop_call c = { 0, NULL, &in };
	said(do_loop, &c, err, sizeof err);
	ok(said_ret == 0 && !strcmp(in.names, "stdin=;"), "no files: stdin, called so");
	char *files[] = { a, missing, (char *)"-", b, a };
	in = (struct inputs){ "", EXIT_DATAERR };
	c = (struct loop_call){ 5, files, &in };
	said(do_loop, &c, err, sizeof err);
	snprintf(want, sizeof want, "%s=A;-=;%s=B;%s=A;", a, b, a);
	is_str(in.names, want, "each file in turn, - for stdin, past one that cannot be opened");
	snprintf(want, sizeof want, "test: %s: No such file or directory\n", missing);
	is_str(err, want, "... which is said");
	ok(said_ret == EXIT_NOINPUT, "... and is the status, before a later bad input's");
	char *later[] = { b, a };
	in = (struct inputs){ "", EXIT_DATAERR };
	c = (struct loop_call){ 2, later, &in };
	said(do_loop, &c, err, sizeof err);
	ok(said_ret == EXIT_DATAERR && strstr(in.names, "/a=A"), "a bad input: its status, and the rest still read");
	char *fatal[] = { missing, b, a };
	in = (struct inputs){ "", EXIT_CANTCREAT };
	c = (struct loop_call){ 3, fatal, &in };
	said(do_loop, &c, err, sizeof err);
	ok(said_ret == EXIT_CANTCREAT && !strstr(in.names, "/a=A"), "73 wins over 66 and ends the loop");
	in = (struct inputs){ "", EXIT_CONFIG };
	c = (struct loop_call){ 2, later, &in };
	said(do_loop, &c, err, sizeof err);
	ok(said_ret == EXIT_CONFIG && !strstr(in.names, "/a=A"), "so does 78");
}

int main(void)
{
	diag_init("test");
	if (!mkdtemp(dir))
		return 1;
	char path[4200];
	snprintf(path, sizeof path, "%s/h.db", dir);
	struct store s;
	if (store_open(&s, path, STORE_CREATE) != 0)
		return 1;
	test_columns(&s);
	test_rows(&s);
	test_reply_index(&s);
	test_reply_memory(&s);
	test_find(&s);
	store_close(&s);
	test_inputs();
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "clean up");
	return tap_done();
}
