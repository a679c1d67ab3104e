#include "pq_lib.h"
#include "buf.h"
#include "diag.h"
#include "dynlib.h"
#include <stdio.h>
#include <string.h>

#define S(member) DYNLIB_SYM(struct pq_lib, "PQ", member)
static const struct dynlib_sym syms[] = {
	S(clear),
	S(cmdStatus),
	S(cmdTuples),
	S(connectdb),
	S(conninfoFree),
	S(conninfoParse),
	S(errorMessage),
	S(exec),
	S(execParams),
	S(finish),
	S(freemem),
	S(ftype),
	S(getResult),
	S(getisnull),
	S(getlength),
	S(getvalue),
	S(nfields),
	S(ntuples),
	S(putCopyData),
	S(putCopyEnd),
	S(reset),
	S(resultErrorField),
	S(resultErrorMessage),
	S(resultStatus),
	S(sendQuery),
	S(setNoticeProcessor),
	S(status),
	S(transactionStatus),
	S(unescapeBytea),
};
#undef S

static struct pq_lib fns;
/* the soname of Debian 12's libpq5 */
static struct dynlib lib = { .soname = "libpq.so.5", .syms = syms, .nsyms = sizeof syms / sizeof *syms, .fns = &fns,
			     .mu = PTHREAD_MUTEX_INITIALIZER };

const struct pq_lib *pq_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap);
}

/* A value for the keyword=value form, quoted when it needs to be. */
static void add_value(struct buf *b, const char *v)
{
	if (*v && !strpbrk(v, " '\\")) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '\'');
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *v);
	}
	buf_addc(b, '\'');
}

int pq_display(const char *where, char *out, size_t cap)
{
	const struct pq_lib *P = pq_lib(NULL, 0);
	if (!P)
		return -1;
	char *err = NULL;
	PQconninfoOption *opts = P->conninfoParse(where, &err);
	if (!opts) {
		P->freemem(err);
		return -1;
	}
	struct buf b = BUF_INIT(cap);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "password")) {
			secret_add_min(o->val, strlen(o->val), 1);
			continue;
		}
		if (b.len)
			buf_addc(&b, ' ');
		buf_addf(&b, "%s=", o->keyword);
		add_value(&b, o->val);
	}
	P->conninfoFree(opts);
	snprintf(out, cap, "%s", b.len ? buf_str(&b) : "(PostgreSQL defaults)");
	buf_free(&b);
	return 0;
}

void pq_message_line(const char *msg, char *out, size_t cap)
{
	if (!strncmp(msg, "ERROR:  ", 8))
		msg += 8;
	size_t n = strcspn(msg, "\n");
	while (n && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
		n--;
	snprintf(out, cap, "%.*s", (int)n, msg);
}

int pq_lock_key(const char *name)
{
	unsigned h = 2166136261u;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 16777619u;
	return (int)(h & 0x7fffffff);
}
