/* pgquery: a search written for the SQLite history's full-text index
 * (FTS5's syntax: words, "phrases", prefix*, AND, OR, NOT, parentheses,
 * NEAR(...), the text: column filter) as a PostgreSQL tsquery for
 * to_tsquery('simple', ...), so that one query means the same on both
 * backends. NEAR(a b, N) becomes "both, anywhere": PostgreSQL has no
 * distance for more than a phrase. */
#ifndef CHAT_PGQUERY_H
#define CHAT_PGQUERY_H
#include "buf.h"

/* Append the tsquery to out: 0, or -1 (out as it was) when query is not
 * FTS5 syntax this knows; the caller then reads its words as typed. */
int pgquery_from_fts(const char *query, struct buf *out);
#endif
