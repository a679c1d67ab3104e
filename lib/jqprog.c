#include "jqprog.h"
#include <jq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jqprog {
	jq_state *jq;
	char msg[512];     /* the last message jq gave */
};

static void on_jq_error(void *ctx, jv msg)
{
	struct jqprog *p = ctx;
	if (p->msg[0]) {
		jv_free(msg); /* the first message says what is wrong; later ones count them */
		return;
	}
	if (jv_get_kind(msg) == JV_KIND_STRING)
		snprintf(p->msg, sizeof p->msg, "%s", jv_string_value(msg));
	else {
		jv s = jv_dump_string(jv_copy(msg), 0);
		snprintf(p->msg, sizeof p->msg, "%s", jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
}

struct jqprog *jqprog_compile(const char *program, jv vars, char *why, size_t cap)
{
	struct jqprog *p = calloc(1, sizeof *p);
	if (!p || !(p->jq = jq_init())) {
		free(p);
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	jq_set_error_cb(p->jq, on_jq_error, p);
	if (!jq_compile_args(p->jq, program, jv_copy(vars))) {
		snprintf(why, cap, "%s", p->msg[0] ? p->msg : "the program does not compile");
		/* keep only the first line: jq adds a count of errors */
		char *nl = strchr(why, '\n');
		if (nl)
			*nl = 0;
		jqprog_free(p);
		return NULL;
	}
	return p;
}

void jqprog_free(struct jqprog *p)
{
	if (!p)
		return;
	jq_teardown(&p->jq);
	free(p);
}

int jqprog_run(struct jqprog *p, jv input, jv *out, char *why, size_t cap)
{
	jq_start(p->jq, jv_copy(input), 0);
	jv v = jq_next(p->jq);
	if (jv_is_valid(v)) {
		*out = v;
		/* only the first output counts; drain the rest */
		for (jv more; jv_is_valid(more = jq_next(p->jq));)
			jv_free(more);
		return 0;
	}
	if (jv_invalid_has_msg(jv_copy(v))) {
		jv msg = jv_invalid_get_msg(v);
		if (jv_get_kind(msg) == JV_KIND_STRING)
			snprintf(why, cap, "jq: error: %s", jv_string_value(msg));
		else {
			jv s = jv_dump_string(msg, 0);
			snprintf(why, cap, "jq: error (not a string): %s", jv_string_value(s));
			jv_free(s);
			msg = jv_null();
		}
		jv_free(msg);
	} else {
		jv_free(v);
		snprintf(why, cap, "the jq program gave no output");
	}
	return -1;
}
