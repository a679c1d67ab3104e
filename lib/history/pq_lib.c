#include "history/pq_lib.h"
#include "dynlib.h"

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
