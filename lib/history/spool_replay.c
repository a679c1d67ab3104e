#include "history/spool_replay.h"
#include "history/spool.h"
#include "clock.h"
#include "jsonx.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jv str_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

jv histlog_spool_entry(const struct histlog *h, const struct histrow_message *r, int rows)
{
	char now[40];
	clock_rfc3339(now, sizeof now);
	jv reply = jv_object();
	reply = jv_object_set(reply, jv_string("text"), jv_string_sized(r->text ? r->text : "", (int)r->len));
	reply = jv_object_set(reply, jv_string("status"), jv_string(r->status));
	reply = jv_object_set(reply, jv_string("finish"), str_or_null(r->finish));
	reply = jv_object_set(reply, jv_string("provider"), str_or_null(r->provider));
	reply = jv_object_set(reply, jv_string("model"), str_or_null(r->model));
	reply = jv_object_set(reply, jv_string("asked_model"), str_or_null(r->asked_model));
	reply = jv_object_set(reply, jv_string("ttft_ms"), r->ttft_ms >= 0 ? jv_number((double)r->ttft_ms) : jv_null());
	reply = jv_object_set(reply, jv_string("ms"), jv_number((double)r->ms));
	reply = jv_object_set(reply, jv_string("cost_usd"), r->cost >= 0 ? jv_number(r->cost) : jv_null());
	reply = jv_object_set(reply, jv_string("tool_calls"), str_or_null(r->tool_calls));
	if (r->have_usage)
		reply = jv_object_set(reply, jv_string("usage"),
			JV_OBJECT(jv_string("input"), jv_number((double)r->input), jv_string("output"), jv_number((double)r->output),
				  jv_string("cached"), jv_number((double)r->cached),
				  jv_string("reasoning"), jv_number((double)r->reasoning)));
	jv e = JV_OBJECT(jv_string("type"), jv_string("spooled_exchange"), jv_string("rows"), jv_bool(rows),
			 jv_string("user_msg"), jv_string(h->user_msg), jv_string("reply_msg"), jv_string(h->reply_msg));
	e = jv_object_set(e, jv_string("conv_id"), h->conv[0] ? jv_string(h->conv) : jv_null());
	e = jv_object_set(e, jv_string("conversation"), str_or_null(h->sp_conversation));
	e = jv_object_set(e, jv_string("cont"), jv_bool(h->sp_cont));
	e = jv_object_set(e, jv_string("prompt"), str_or_null(h->sp_prompt));
	e = jv_object_set(e, jv_string("system"), str_or_null(h->sp_system));
	e = jv_object_set(e, jv_string("request_id"), str_or_null(h->sp_request_id));
	e = jv_object_set(e, jv_string("created"), jv_string(now));
	return jv_object_set(e, jv_string("reply"), reply);
}

int histlog_pending_save(struct histlog *h)
{
	struct histrow_message row = { .id = h->reply_msg, .text = "", .status = "interrupted", .ttft_ms = -1,
				       .cost = -1 };
	jv e = jv_object_set(histlog_spool_entry(h, &row, 0), jv_string("pending"), jv_true());
	int r = spool_pending_save(h->db, e, &h->pending);
	jv_free(e);
	h->pending_held = r == 0;
	return r;
}

void histlog_pending_drop(struct histlog *h)
{
	if (h->pending_held)
		spool_pending_drop(&h->pending);
	h->pending_held = 0;
}

/* One spooled exchange written in, inside the replay's transaction. The
 * ids it carries make it safe to meet twice (a crash between the commit
 * and the removal of its file): a reply row that exists is only updated,
 * and not even that for a pending record, which knows no more of the reply
 * than the row its program wrote. A conversation it names by id and that
 * is not there is made with that id: its program may have shown it. */
static int replay_one(struct store *s, jv e)
{
	char user_id[STORE_ID_LEN + 1] = "", reply_id[STORE_ID_LEN + 1] = "", conv[STORE_ID_LEN + 1] = "";
	char ref[512] = "", created[40] = "", title[96];
	jx_str(e, "user_msg", user_id, sizeof user_id);
	jx_str(e, "reply_msg", reply_id, sizeof reply_id);
	jx_str(e, "created", created, sizeof created);
	if (strlen(user_id) != STORE_ID_LEN || strlen(reply_id) != STORE_ID_LEN || !created[0])
		return 1; /* not one of ours: left alone */
	jv reply = jx_get(e, "reply"), usage = jx_get(reply, "usage"), text = jx_get(reply, "text");
	jv prompt = jx_get(e, "prompt"), system = jx_get(e, "system"), rid = jx_get(e, "request_id");
	jv fin = jx_get(reply, "finish"), prov = jx_get(reply, "provider"), mod = jx_get(reply, "model");
	jv asked = jx_get(reply, "asked_model"), stat = jx_get(reply, "status"), calls = jx_get(reply, "tool_calls");
#define STR(v) (jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL)
	struct histrow_message row = { .id = reply_id, .text = STR(text), .len = STR(text) ? (size_t)jv_string_length_bytes(jv_copy(text)) : 0,
				 .status = STR(stat) ? STR(stat) : "error", .finish = STR(fin), .provider = STR(prov),
				 .model = STR(mod), .asked_model = STR(asked), .have_usage = jv_get_kind(usage) == JV_KIND_OBJECT,
				 .input = (long)jx_num(usage, "input", 0), .output = (long)jx_num(usage, "output", 0),
				 .cached = (long)jx_num(usage, "cached", 0), .reasoning = (long)jx_num(usage, "reasoning", 0),
				 .ttft_ms = (long)jx_num(reply, "ttft_ms", -1), .ms = (long)jx_num(reply, "ms", 0),
				 .cost = jx_num(reply, "cost_usd", -1), .tool_calls = STR(calls) };
	int rc = 0, pending = jx_kind_is(e, "pending", JV_KIND_TRUE);
	store_stmt *q = store_prepare(s, "SELECT 1 FROM messages WHERE id = ?1");
	int exists = 0;
	if (q) {
		store_bind_text(q, 1, reply_id, -1);
		exists = store_step(q) == STORE_ROW;
		store_finalize(q);
	}
	if (!exists) {
		/* the prompt never reached the history either: its conversation as asked */
		int found = 1;
		jv cid = jx_get(e, "conv_id"), cref = jx_get(e, "conversation"), cont = jx_get(e, "cont");
		if (STR(cid))
			found = store_conv_find(s, STR(cid), conv);
		if (found && STR(cref)) {
			snprintf(ref, sizeof ref, "%s", STR(cref));
			found = store_conv_find(s, ref, conv);
		} else if (found && jv_get_kind(cont) == JV_KIND_TRUE) {
			found = store_conv_latest(s, conv);
		}
		histlog_title(STR(prompt) ? STR(prompt) : "", title, sizeof title);
		const char *made = STR(cid);
		int as_named = found == 1 && !ref[0] && made && strlen(made) == STORE_ID_LEN;
		if (as_named)
			snprintf(conv, sizeof conv, "%s", made);
		if (found < 0 ||
		    (found && (as_named ? histrow_add_conversation(s, conv, NULL, title, created)
					: histrow_new_conversation(s, conv, ref[0] ? ref : NULL, title, created)) < 0) ||
		    histrow_insert_turn(s, conv, user_id, reply_id, STR(prompt) ? STR(prompt) : "", STR(system), STR(rid),
				created) < 0)
			rc = -1;
		jv_free(cid);
		jv_free(cref);
		jv_free(cont);
	}
	if (!rc && !pending && histrow_update_reply(s, &row) < 0)
		rc = -1;
#undef STR
	jv_free(reply);
	jv_free(usage);
	jv_free(text);
	jv_free(prompt);
	jv_free(system);
	jv_free(rid);
	jv_free(fin);
	jv_free(prov);
	jv_free(mod);
	jv_free(asked);
	jv_free(stat);
	jv_free(calls);
	return rc;
}

/* The pending records' locks taken for the replay, let go. */
static void release_claims(int *claims, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (claims[i] >= 0 && claims[i] != INT_MAX)
			close(claims[i]);
	free(claims);
}

size_t histlog_spool_replay(struct store *s)
{
	char **names;
	size_t n = spool_list(s->path, &names), done = 0;
	if (!n)
		return 0;
	/* a pending record's program still running: not ours to write in */
	int *claims = malloc(n * sizeof *claims);
	if (!claims) {
		spool_names_free(names, n);
		return 0;
	}
	/* read first: empty slots (the usual spool) need no lock at all; a
	 * damaged or half-written file is never removed */
	jv *entries = malloc(n * sizeof *entries);
	size_t waiting = 0;
	for (size_t i = 0; entries && i < n; i++) {
		claims[i] = spool_claim(names[i]);
		entries[i] = claims[i] >= 0 ? spool_read(names[i], claims[i]) : jv_invalid();
		if (jv_is_valid(entries[i])) {
			waiting++;
		} else {
			free(names[i]);
			names[i] = NULL;
		}
	}
	/* held across the commit and the removals, so nobody writes one twice */
	if (!entries || !waiting || store_hold(s, 0) < 0) {
		for (size_t i = 0; entries && i < n; i++)
			jv_free(entries[i]);
		free(entries);
		release_claims(claims, entries ? n : 0);
		spool_names_free(names, n);
		return 0;
	}
	int ok = store_begin(s) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		if (!names[i])
			continue;
		int r = replay_one(s, entries[i]);
		if (r < 0)
			ok = 0;
		else if (r == 0)
			done++;
	}
	for (size_t i = 0; i < n; i++)
		jv_free(entries[i]);
	free(entries);
	if (ok && store_commit(s) == 0) {
		for (size_t i = 0; i < n; i++)
			if (names[i])
				spool_remove(names[i], claims[i]);
	} else {
		if (!ok)
			store_rollback(s);
		done = 0;
	}
	store_release(s);
	release_claims(claims, n);
	spool_names_free(names, n);
	return done;
}

