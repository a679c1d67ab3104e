/* pq_lib: libpq, opened the first time a history or the rate limits are
 * a PostgreSQL connection string rather than when a program starts: most
 * runs use SQLite files, and loading libpq cost each of them time and
 * memory. */
#ifndef CHAT_PQ_LIB_H
#define CHAT_PQ_LIB_H
#include <libpq-fe.h>
#include <stddef.h>

struct pq_lib {
	__typeof__(PQclear) *clear;
	__typeof__(PQcmdStatus) *cmdStatus;
	__typeof__(PQcmdTuples) *cmdTuples;
	__typeof__(PQconnectdb) *connectdb;
	__typeof__(PQconninfoFree) *conninfoFree;
	__typeof__(PQconninfoParse) *conninfoParse;
	__typeof__(PQerrorMessage) *errorMessage;
	__typeof__(PQexec) *exec;
	__typeof__(PQexecParams) *execParams;
	__typeof__(PQfinish) *finish;
	__typeof__(PQfreemem) *freemem;
	__typeof__(PQftype) *ftype;
	__typeof__(PQgetResult) *getResult;
	__typeof__(PQgetisnull) *getisnull;
	__typeof__(PQgetlength) *getlength;
	__typeof__(PQgetvalue) *getvalue;
	__typeof__(PQnfields) *nfields;
	__typeof__(PQntuples) *ntuples;
	__typeof__(PQputCopyData) *putCopyData;
	__typeof__(PQputCopyEnd) *putCopyEnd;
	__typeof__(PQreset) *reset;
	__typeof__(PQresultErrorField) *resultErrorField;
	__typeof__(PQresultErrorMessage) *resultErrorMessage;
	__typeof__(PQresultStatus) *resultStatus;
	__typeof__(PQsendQuery) *sendQuery;
	__typeof__(PQsetNoticeProcessor) *setNoticeProcessor;
	__typeof__(PQstatus) *status;
	__typeof__(PQtransactionStatus) *transactionStatus;
	__typeof__(PQunescapeBytea) *unescapeBytea;
};

/* The library's functions, loaded once (thread-safe); NULL with why when
 * libpq cannot be opened. */
const struct pq_lib *pq_lib(char *why, size_t cap);
/* Where a connection string leads, as keyword=value pairs without the
 * password (which is registered as a secret, kept out of every trace):
 * 0, or -1 when libpq is missing or cannot read the string. */
int pq_display(const char *where, char *out, size_t cap);
/* A server or libpq message as one line for ours: its first line, without
 * "ERROR:  " and the trailing spaces and full stop. */
void pq_message_line(const char *msg, char *out, size_t cap);
/* A second key for an advisory lock named name (FNV-1a, as a positive
 * int4); two names that share one only wait for each other. */
int pq_lock_key(const char *name);
#endif
