#!/bin/sh
# The history's rows have one writer: a chat-send reply, a chat-batch reply
# collected later and an exported and re-imported conversation come out as
# the same rows. Conversations and batch jobs are found by name, id or id
# prefix the same way; --skip-done knows a numeric id; import, chat-cost
# and chat-cost count read each file given, or stdin.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_BATCH_POLL=0.05
q() { sqlite3 "$CHAT_DB" "$1"; }
B="$T/batches"
mkdir -p "$B"
fake_start --batch-dir "$B" --upload-polls 0 --echo
"$ROOT/tests/bin/mkimage" png 16 12 gradient "$T/p.png"
img=$(base64 -w0 "$T/p.png")
printf '{"type":"prompt","id":"same","text":"the same question","system":"Be brief.","model":"gpt-4o-mini","attachments":[{"type":"attachment","mime":"image/png","data":"%s"}]}\n' "$img" > "$T/in"

# --- one prompt record, asked at once and through a batch job
IN=1 run chat-send -r
is "$st" 0 "chat-send: the prompt record is answered"
sent=$(jq -r .conversation "$T/out")
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
run chat-batch collect --wait "$job"
is "$st" 0 "chat-batch: the same record is collected"
batched=$(jq -r .conversation "$T/out")
check "two conversations" test -n "$sent" -a -n "$batched" -a "$sent" != "$batched"

# the columns both ways write alike (usage and cost differ: a batch is priced apart)
rows() {
	q "select c.title, c.system, coalesce(c.name, '-'), m.seq, m.role, m.text, m.status, coalesce(m.finish, '-'),
		coalesce(m.provider, '-'), coalesce(m.model, '-'), coalesce(m.request_id, '-'), m.created,
		typeof(m.input_tokens), typeof(m.output_tokens), typeof(m.cached_tokens), typeof(m.reasoning_tokens),
		typeof(m.cost_usd), coalesce(m.tool_calls, '-')
		from messages m join conversations c on c.id = m.conversation where c.id = '$1' order by m.seq"
}
is "$(rows "$batched")" "$(rows "$sent")" "a batch reply's rows are a chat-send reply's rows"
is "$(rows "$sent" | cut -d'|' -f4-8 | tr '\n' ' ')" "1|user|the same question|complete|- 2|assistant|echo: the same question|complete|stop " \
	"... the prompt, then the reply"
is "$(q "select typeof(ttft_ms) || typeof(ms) || typeof(asked_model) || typeof(batch_job) from messages
	where conversation = '$sent' and role = 'assistant'")" "integerintegertextnull" "chat-send: timings and the model asked, no job"
is "$(q "select typeof(ttft_ms) || typeof(ms) || coalesce(batch_job, '-') from messages
	where conversation = '$batched' and role = 'assistant'")" "nullnull$job" "chat-batch: no timings, the job"
media() {
	q "select mm.ord || ' ' || d.mime || ' ' || d.sha256 from message_media mm join media d on d.sha256 = mm.sha256
		join messages m on m.rid = mm.message where m.conversation = '$1' and m.role = 'user'"
}
is "$(media "$batched")" "$(media "$sent")" "both keep the prompt's attachment, linked the same way"
is "$(media "$sent")" "0 image/png $(sha256sum "$T/p.png" | cut -d' ' -f1)" "... as the image itself"

# every column of every row, export and import: nothing lost or changed
all_columns() {
	cols=$(sqlite3 "$1" "select group_concat('quote(' || name || ')', '||''|''||') from pragma_table_info('$2') where name <> 'rid'")
	sqlite3 "$1" "select $cols from $2 order by 1"
}
chat-history export --media > "$T/export.ndjson"
CHAT_DB="$T/copy.db" chat-history import -q < "$T/export.ndjson"
for table in conversations messages media; do
	is "$(all_columns "$T/copy.db" $table)" "$(all_columns "$CHAT_DB" $table)" "export and import: $table the same, column for column"
done
links() { sqlite3 "$1" "select m.id || ' ' || mm.ord || ' ' || mm.sha256 from message_media mm join messages m on m.rid = mm.message order by 1"; }
is "$(links "$T/copy.db")" "$(links "$CHAT_DB")" "... and the attachments' links"

# --- find by name, id or prefix
cat > "$T/convs.ndjson" <<'R'
{"type":"conversation","id":"abcd00000001","name":null,"title":"one","system":null,"created":"2026-01-01T00:00:00.000Z","updated":"2026-01-01T00:00:00.000Z"}
{"type":"conversation","id":"abcd00000002","name":null,"title":"two","system":null,"created":"2026-01-02T00:00:00.000Z","updated":"2026-01-02T00:00:00.000Z"}
{"type":"conversation","id":"ffff00000003","name":"abcd","title":"three","system":null,"created":"2026-01-03T00:00:00.000Z","updated":"2026-01-03T00:00:00.000Z"}
R
chat-history import -q "$T/convs.ndjson"
run chat-history export abcd0
is "$st" 65 "conversation: an ambiguous prefix is exit 65"
is "$(cat "$T/err")" "chat-history: conversation 'abcd0' is ambiguous: give more of its id" "... and says so"
run chat-history export abcd
is "$st:$(jq -r .id "$T/out")" "0:ffff00000003" "conversation: a name comes before an id prefix"
run chat-history export abcd00000002
is "$st:$(jq -r .title "$T/out")" "0:two" "conversation: a whole id"
run chat-history export abcd000000
is "$st" 65 "conversation: a longer prefix that still fits two is ambiguous"
run chat-history export ffff0
is "$st:$(jq -r .title "$T/out")" "0:three" "conversation: a unique prefix"
run chat-history export nope
is "$st:$(cat "$T/err")" "65:chat-history: no conversation 'nope'" "conversation: no match is exit 65, said"
run chat-history export abc
is "$st" 65 "conversation: three characters are no prefix"

q "insert into batch_jobs (id, provider, remote_id, status, created, updated) values
	('beef00000001', 'openai', 'batch_dup', 'completed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('beef00000002', 'openai', 'batch_dup', 'completed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
run chat-batch status beef
is "$st" 65 "batch job: an ambiguous prefix is exit 65"
is "$(cat "$T/err")" "chat-batch: batch job 'beef' is ambiguous: give more of its id" "... and says so"
run chat-batch status batch_dup
is "$st:$(cat "$T/err")" "65:chat-batch: batch job 'batch_dup' is ambiguous" "batch job: a provider's id two jobs share"
run chat-batch status nope
is "$st:$(cat "$T/err")" "65:chat-batch: no batch job 'nope' in $CHAT_DB" "batch job: no match is exit 65, said"
remote=$(q "select remote_id from batch_jobs where id = '$job'")
run chat-batch status "$remote"
is "$st:$(jq -r .job "$T/out")" "0:$job" "batch job: by the provider's id"
run chat-batch status "$(echo "$job" | cut -c1-5)"
is "$st:$(jq -r .job "$T/out")" "0:$job" "batch job: by a unique prefix"

# --- --skip-done: a number as the id
printf '{"type":"prompt","id":7,"text":"seven"}\n{"type":"prompt","id":8,"text":"eight"}\n' > "$T/in"
IN=1 run chat-send -r
printf '{"type":"prompt","id":7,"text":"seven"}\n{"type":"prompt","id":9,"text":"nine"}\n' > "$T/in"
IN=1 run chat-send -r --skip-done
is "$(jq -r .id "$T/out" | tr '\n' ' ')" "9 " "--skip-done: a numeric id answered before is skipped"

# --- each input file, or stdin
export CHAT_DB="$T/in.db"
printf '%s\n' "$(sed -n 1p "$T/convs.ndjson")" > "$T/c1.ndjson"
printf '%s\n' "$(sed -n 2p "$T/convs.ndjson")" > "$T/c2.ndjson"
sed -n 3p "$T/convs.ndjson" > "$T/in"
IN=1 run chat-history import "$T/c1.ndjson" "$T/missing.ndjson" - "$T/c2.ndjson"
is "$st" 66 "import: a file that cannot be opened is exit 66"
has "$T/err" "^chat-history: $T/missing.ndjson: No such file or directory$" "... said by name"
has "$T/err" "imported 3 new conversations" "... and the rest, stdin as -, still go in"
IN=1 run chat-history import
has "$T/err" "imported 0 new conversations" "import: stdin when no file is given"
printf '{"type":"response","provider":"openai","model":"gpt-4o-mini","usage":{"input":1000,"output":10},"cost_usd":0.5}\n' > "$T/r1.ndjson"
cp "$T/r1.ndjson" "$T/in"
IN=1 run chat-cost --json "$T/r1.ndjson" "$T/missing.ndjson" -
is "$st" 66 "chat-cost: a missing file is exit 66"
has "$T/err" "^chat-cost: $T/missing.ndjson: No such file or directory$" "... said by name"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "... and no totals that would leave it out"
IN=1 run chat-cost --json "$T/r1.ndjson" -
is "$st:$(jq -r 'select(.group == {}) | .requests' "$T/out")" "0:2" "chat-cost: a file and stdin as -, totalled"
printf 'some words to count\n' > "$T/w.txt"
cp "$T/w.txt" "$T/in"
IN=1 run chat-cost --count -m gpt-4o-mini "$T/w.txt" "$T/missing.txt" -
is "$st" 66 "chat-cost count: a missing file is exit 66"
has "$T/err" "^chat-cost: $T/missing.txt: No such file or directory$" "... said by name"
is "$(wc -l < "$T/out" | tr -d ' ')" 3 "... the other two are counted, then the total"

# --- the schema's CHECKs: status and state as comparisons (an IN list of
# three made SQLite build a throwaway table for every row written). A
# history of schema 5 keeps its rows and is brought to 6 in place.
checks() { sqlite3 "$1" "SELECT sql FROM sqlite_master WHERE name IN ('messages', 'batch_items') ORDER BY name" |
	grep -o "CHECK ([a-z]* [=I][^)]*)" | tr '\n' ';'; }
new_checks="CHECK (state = 'pending' OR state = 'done' OR state = 'failed');CHECK (role IN ('user','assistant');CHECK (status = 'complete' OR status = 'interrupted' OR status = 'error');"
is "$(checks "$CHAT_DB")" "$new_checks" "a history's status and state checks are comparisons"
is "$(q 'PRAGMA user_version')" 6 "... schema 6"
old="$T/old.db"
run chat-send --db "$old" "a question kept across the upgrade"
is "$st" 0 "a history with an exchange in it"
sqlite3 "$old" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA writable_schema = ON;
	UPDATE sqlite_master SET sql = replace(sql, 'status = ''complete'' OR status = ''interrupted'' OR status = ''error''',
		'status IN (''complete'',''interrupted'',''error'')') WHERE name = 'messages';
	UPDATE sqlite_master SET sql = replace(sql, 'state = ''pending'' OR state = ''done'' OR state = ''failed''',
		'state IN (''pending'',''done'',''failed'')') WHERE name = 'batch_items';
	PRAGMA writable_schema = OFF; PRAGMA user_version = 5;" > /dev/null
cookie=$(sqlite3 "$old" 'PRAGMA schema_version')
check "a schema 5 history made to test with" sh -c "sqlite3 '$old' 'PRAGMA integrity_check' | grep -qx ok && \
	sqlite3 '$old' 'SELECT sql FROM sqlite_master WHERE name = \"messages\"' | grep -qF \"status IN ('complete'\""
before=$(sqlite3 "$old" 'SELECT count(*), sum(length(text)) FROM messages')
is "${before%%|*}" 2 "... its two messages"
run chat-history --db "$old" list
is "$st" 0 "a program opens the schema 5 history"
is "$(checks "$old")" "$new_checks" "... which now has the comparisons"
is "$(sqlite3 "$old" 'PRAGMA user_version')|$(sqlite3 "$old" 'PRAGMA integrity_check')" "6|ok" "... is schema 6 and whole"
check "... and its schema cookie moved on, so other connections read the new text" \
	test "$(sqlite3 "$old" 'PRAGMA schema_version')" -gt "$cookie"
is "$(sqlite3 "$old" 'SELECT count(*), sum(length(text)) FROM messages')" "$before" "... every message kept"
bad=$(sqlite3 "$old" "INSERT INTO messages (id, conversation, seq, role, text, status, created)
	SELECT 'zz', conversation, 999, 'user', 't', 'bogus', created FROM messages LIMIT 1" 2>&1)
case $bad in *"CHECK constraint failed"*) r=refused ;; *) r="taken: $bad" ;; esac
is "$r" refused "... and a status outside the three is still refused"
run chat-history --db "$old" export
is "$st" 0 "... and exports"

done_testing
