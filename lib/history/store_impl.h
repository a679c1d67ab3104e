/* store_impl: what the store's backends share and callers never see. */
#ifndef CHAT_STORE_IMPL_H
#define CHAT_STORE_IMPL_H
#include "history/store.h"
#include <sqlite3.h>

struct pg_stmt;
struct store_stmt {
	struct store *s;
	sqlite3_stmt *lite;        /* the SQLite backend's statement */
	struct pg_stmt *pg;        /* the PostgreSQL backend's */
};
#endif
