#!/bin/sh
# Other suites, unchanged, against a history in PostgreSQL: each with a
# fresh database of its own on a throwaway server (tests/pgserver.sh), as
# TEST_CHAT_DB, which tests/lib.sh makes their CHAT_DB. The stream, send
# (records, jq, saving, extracting), parallel, cache and session suites pass
# there as they do with the SQLite file; each check also asks that the
# suite's exchanges are in that database, so a suite that picks a history
# file of its own cannot pass here unnoticed.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pgserver.sh"
pg_require
trap 'pg_stop; rm -rf "$T"' EXIT
pg_start
ok $? "a PostgreSQL server starts on a Unix socket"
for suite in t10-stream t20-send t22-send-jq t23-send-save t24-send-extract t25-send-parallel t43-cache \
	t05-chat-session; do
	db=$(pg_db "$(echo "$suite" | tr '-' '_')")
	TEST_CHAT_DB="$db" sh "$ROOT/tests/cli/$suite.sh" > "$T/$suite.tap" 2>&1
	passed=$(grep -c '^ok' "$T/$suite.tap")
	failed=$(grep -c '^not ok' "$T/$suite.tap")
	rows=$(pg_sql "$(echo "$suite" | tr '-' '_')" 'SELECT count(*) FROM messages' 2> /dev/null)
	[ "$failed" = 0 ] || grep -A4 '^not ok' "$T/$suite.tap" | sed 's/^/#   /' | head -n 30
	check "$suite passes against PostgreSQL ($passed checks, $failed failed; $rows messages kept there)" \
		test "$failed" = 0 -a "$passed" -gt 0 -a "${rows:-0}" -gt 0
done
done_testing
