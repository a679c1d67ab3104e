#include "response.h"
#include "clock.h"

static jv with_id(jv rec, jv id)
{
	if (jv_is_valid(id) && jv_get_kind(id) != JV_KIND_NULL)
		rec = jv_object_set(rec, jv_string("id"), jv_copy(id));
	return rec;
}

jv response_record(const struct reply_info *ri)
{
	const struct chat_reply *r = ri->reply;
	char ts[32];
	clock_rfc3339(ts, sizeof ts);
	jv rec = with_id(JV_OBJECT(jv_string("type"), jv_string("response")), ri->id);
	jv usage = r->have_usage
		? JV_OBJECT(jv_string("input"), jv_number((double)r->usage.input),
			    jv_string("output"), jv_number((double)r->usage.output),
			    jv_string("cached"), jv_number((double)r->usage.cached),
			    jv_string("reasoning"), jv_number((double)r->usage.reasoning))
		: jv_null();
	if (ri->message && *ri->message) {
		rec = jv_object_set(rec, jv_string("message"), jv_string(ri->message));
		rec = jv_object_set(rec, jv_string("conversation"), jv_string(ri->conversation));
	}
	rec = jv_object_set(rec, jv_string("provider"), jv_string(ri->provider));
	rec = jv_object_set(rec, jv_string("model"), jv_string(r->model[0] ? r->model : ri->model));
	rec = jv_object_set(rec, jv_string("text"), jv_string_sized(ri->text, (int)ri->text_len));
	if (jv_is_valid(ri->data))
		rec = jv_object_set(rec, jv_string("data"), jv_copy(ri->data));
	if (jv_get_kind(r->tool_calls) == JV_KIND_ARRAY)
		rec = jv_object_set(rec, jv_string("tool_calls"), jv_copy(r->tool_calls));
	rec = jv_object_set(rec, jv_string("finish"), jv_string(r->finish));
	rec = jv_object_set(rec, jv_string("usage"), usage);
	rec = jv_object_set(rec, jv_string("cost_usd"), ri->cost >= 0 ? jv_number(ri->cost) : jv_null());
	rec = jv_object_set(rec, jv_string("ttft_ms"),
			    ri->timing->ttft_ms >= 0 ? jv_number((double)ri->timing->ttft_ms) : jv_null());
	rec = jv_object_set(rec, jv_string("ms"), jv_number((double)ri->timing->total_ms));
	rec = jv_object_set(rec, jv_string("created"), jv_string(ts));
	if (ri->cached)
		rec = jv_object_set(rec, jv_string("cached"), jv_true());
	return rec;
}

jv error_record(jv id, const struct chat_error *e)
{
	jv rec = with_id(JV_OBJECT(jv_string("type"), jv_string("error")), id);
	rec = jv_object_set(rec, jv_string("code"), jv_string(err_code_name(e->code)));
	rec = jv_object_set(rec, jv_string("message"), jv_string(e->message));
	if (e->status)
		rec = jv_object_set(rec, jv_string("status"), jv_number((double)e->status));
	rec = jv_object_set(rec, jv_string("retryable"), jv_bool(e->retryable));
	return rec;
}
