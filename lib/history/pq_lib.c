#include "history/pq_lib.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* the soname of Debian 12's libpq5 */
#define PQ_SONAME "libpq.so.5"

static struct pq_lib lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[256];

static void load(void)
{
	void *h = dlopen(PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(failure, sizeof failure, "cannot load %s: %s", PQ_SONAME, e ? e : "?");
		return;
	}
#define F(name) (*(void **)&lib.name = dlsym(h, "PQ" #name))
	if (
	    !F(clear) ||
	    !F(cmdStatus) ||
	    !F(cmdTuples) ||
	    !F(connectdb) ||
	    !F(conninfoFree) ||
	    !F(conninfoParse) ||
	    !F(errorMessage) ||
	    !F(exec) ||
	    !F(execParams) ||
	    !F(finish) ||
	    !F(freemem) ||
	    !F(ftype) ||
	    !F(getResult) ||
	    !F(getisnull) ||
	    !F(getlength) ||
	    !F(getvalue) ||
	    !F(nfields) ||
	    !F(ntuples) ||
	    !F(putCopyData) ||
	    !F(putCopyEnd) ||
	    !F(reset) ||
	    !F(resultErrorField) ||
	    !F(resultErrorMessage) ||
	    !F(resultStatus) ||
	    !F(setNoticeProcessor) ||
	    !F(status) ||
	    !F(transactionStatus) ||
	    !F(unescapeBytea) ||
	    0)
		snprintf(failure, sizeof failure, "%s lacks a function this program uses", PQ_SONAME);
#undef F
}

const struct pq_lib *pq_lib(char *why, size_t cap)
{
	pthread_once(&once, load);
	if (failure[0]) {
		if (why)
			snprintf(why, cap, "%s", failure);
		return NULL;
	}
	return &lib;
}
