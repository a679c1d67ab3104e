#!/bin/sh
# The history in PostgreSQL: a real server (Debian's initdb and pg_ctl,
# a Unix socket in a temporary folder) holds what the SQLite file holds:
# exchanges, list/show/search, the cache, --skip-done, the budget, the
# shared rate limits, chat-batch jobs, the session at the terminal; export
# and import round trips are byte-identical both ways; forty processes write
# at once and nothing is lost or mixed; the server stopped mid-run costs no
# reply; the password shows nowhere.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pgserver.sh"
pg_require
trap 'pg_stop; fake_stop; rm -rf "$T"' EXIT
pg_start
ok $? "a PostgreSQL server starts on a Unix socket"
DB=$(pg_db h1)
# a password in the URI: accepted (the server trusts the socket) and never shown
PW=hunter2-pg-secret
export CHAT_DB="postgresql://chat:$PW@/h1?host=$PGDIR"

fake_start --echo --usage
run chat-send 'first question'
is "$st|$(cat "$T/out")" "0|echo: first question" "an exchange is logged in PostgreSQL"
run chat-send -c 'second question'
is "$st" 0 "-c continues it"
run chat-history list --json
is "$(jq -r '.messages' "$T/out")" 4 "chat-history list reads it back"
conv=$(jq -r .id "$T/out")
run chat-history show "$conv"
has "$T/out" "second question" "chat-history show reads the conversation"
run chat-history search second
has "$T/out" "echo: \[second\] question" "search finds a word and marks it"
run chat-history search --json 'first OR second'
is "$(jq -s length "$T/out")" 4 "search: OR as in the SQLite history"
run chat-history search --json '"second question"'
is "$(jq -s length "$T/out")" 2 "search: a quoted phrase"
run chat-history search --json 'secon*'
is "$(jq -s length "$T/out")" 2 "search: prefix* as with SQLite"
run chat-history search --json 'question NOT second'
is "$(jq -r .snippet "$T/out" | sort | tr '\n' '|')" "echo: first question|first question|" "search: NOT"
run chat-history search --json '(first OR second) AND echo'
is "$(jq -s length "$T/out")" 2 "search: parentheses, AND"
run chat-history search --json 'NEAR(echo first)'
is "$(jq -s length "$T/out")" 1 "search: NEAR"
chat-history export | chat-history --db "$T/same.db" import 2> /dev/null
same=
for q in 'secon*' 'question NOT second' '(first OR second) AND echo' '"second question"' 'question' 'first OR second'; do
	chat-history search --json "$q" | jq -r .id | sort > "$T/pg.ids"
	chat-history --db "$T/same.db" search --json "$q" | jq -r .id | sort > "$T/lite.ids"
	cmp -s "$T/pg.ids" "$T/lite.ids" || same="$same [$q]"
done
is "$same" "" "each query finds the same messages in PostgreSQL as in SQLite"
run chat-history stats
has "$T/out" "^history        user=chat dbname=h1 host=$PGDIR (PostgreSQL" "stats says where the history is"
hasnt "$T/out" "$PW" "... without the password"
run chat-history stats --json
is "$(jq -r '.backend + " " + (.messages | tostring)' "$T/out")" "postgresql 4" "stats --json: the backend and the counts"

# the shared rate limits live in the history's database, for every machine
printf '[openai]\nrpm = 600\n' > "$T/limits.conf"
mkdir -p "$T/cwd"
(cd "$T/cwd" && CHAT_CONFIG="$T/limits.conf" chat-send 'limited' > /dev/null 2> "$T/limited.err")
is "$(pg_sql h1 'SELECT provider FROM rate_bucket')" openai "rate limits: the bucket is a row in the history's database"
is "$(pg_sql h1 "SELECT obj_description('rate_bucket'::regclass, 'pg_class')")" "chat rate limits, schema 1" \
	"... in a table marked as ours"
check "... and no ratelimit.db file is made" test ! -e "$XDG_DATA_HOME/chat/ratelimit.db"
is "$(ls "$T/cwd")" "" "... nor anything made of the URI in the working folder"
is "$(cat "$T/limited.err")" "" "... and nothing said"

# the cache and the budget read the same rows
run chat-send --cache 'cache me'
run chat-send --cache --json 'cache me'
is "$(jq -r '.cached' "$T/out")" true "--cache: the second answer comes from PostgreSQL"
run chat-cost --history --json
is "$(jq 'select(.group == {}) | .requests' "$T/out")" 5 "chat-cost --history totals the PostgreSQL history"
run chat-cost --budget 0.0000001
is "$st" 3 "chat-cost --budget gates on the spend kept there"
run chat-cost --budget 1000
is "$st" 0 "... and passes under the limit"

# --skip-done: answered ids are found in PostgreSQL
printf '{"type":"prompt","id":"p%d","text":"question %d"}\n' 1 1 2 2 3 3 > "$T/in"
IN=1 run chat-send -r --skip-done
is "$(wc -l < "$T/out" | tr -d ' ')" 3 "skip-done: a first run answers three"
IN=1 run chat-send -r --skip-done
is "$st|$(wc -c < "$T/out" | tr -d ' ')" "0|0" "skip-done: a rerun has nothing left to do"

# export → import → import → export, both ways
chat-history export > "$T/pg1.ndjson"
run chat-history --db "$T/lite.db" import "$T/pg1.ndjson"
is "$st" 0 "export from PostgreSQL, import into SQLite"
chat-history --db "$T/lite.db" export > "$T/lite.ndjson"
check "... byte-identical" cmp -s "$T/pg1.ndjson" "$T/lite.ndjson"
DB2=$(pg_db h2)
chat-history --db "$DB2" import "$T/lite.ndjson" 2> /dev/null
run chat-history --db "$DB2" import "$T/lite.ndjson"
has "$T/err" "imported 0 new conversations and 0 new messages" "a second import into PostgreSQL adds nothing"
chat-history --db "$DB2" export > "$T/pg2.ndjson"
check "SQLite → PostgreSQL → export is byte-identical" cmp -s "$T/lite.ndjson" "$T/pg2.ndjson"

# records the history refuses are skipped and said, the rest imported, as
# with SQLite: same lines on stderr, same exit status, same history
{
	printf '{"type":"conversation","id":"0000bbbb0000","name":"refusals","title":"r","system":null,"created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0001","conversation":"0000bbbb0000","seq":1,"role":"user","text":"kept one","status":"complete","created":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0002","conversation":"0000ffff0000","seq":1,"role":"user","text":"no such conversation","status":"complete","created":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0003","conversation":"0000bbbb0000","seq":2,"role":"system","text":"a role the history has not","status":"complete","created":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0004","conversation":"0000bbbb0000","seq":3,"role":"assistant","text":"kept two","status":"later","created":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0005","conversation":"0000bbbb0000","seq":4,"role":"assistant","text":"kept three","status":"complete","created":"2025-01-01T00:00:00Z"}\n'
	printf '{"type":"message","id":"0000bbbb0006","conversation":"%s","seq":99,"role":"user","text":"into a conversation already there","status":"complete","created":"2025-01-01T00:00:00Z"}\n' "$conv"
} > "$T/refuse.ndjson"
chat-history export > "$T/before.ndjson"
chat-history --db "$T/refuse.db" import "$T/before.ndjson" 2> /dev/null
run chat-history --db "$T/refuse.db" import "$T/refuse.ndjson"
lite_st=$st
cp "$T/err" "$T/refuse.lite.err"
run chat-history import "$T/refuse.ndjson"
is "$st|$lite_st" "65|65" "an import with refused records: exit 65 on both backends"
check "... the same lines said, each refused record by its line" cmp -s "$T/err" "$T/refuse.lite.err"
has "$T/err" "line 3: the message's conversation is not in the history" "... (a message of no conversation)"
has "$T/err" "line 4: " "... (a role the history has not)"
has "$T/err" "line 5: " "... (a status it has not)"
has "$T/err" "imported 1 new conversations and 3 new messages" "... and the rest imported, a message into an existing conversation too"
chat-history export > "$T/refuse.pg.ndjson"
chat-history --db "$T/refuse.db" export > "$T/refuse.lite.ndjson"
check "... both histories hold the same afterwards" cmp -s "$T/refuse.pg.ndjson" "$T/refuse.lite.ndjson"

# two new conversations of one name in one import: the first keeps it
printf '{"type":"conversation","id":"0000cccc%04d","name":"twin","title":"t","system":null,"created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}\n' 1 2 > "$T/twins.ndjson"
run chat-history import "$T/twins.ndjson"
is "$st|$(chat-history export | jq -r 'select(.id | startswith("0000cccc")) | "\(.id)=\(.name)"' | tr '\n' ' ')" \
	"0|0000cccc0001=twin 0000cccc0002=null " "two conversations of one name in one import: the second comes in without it"

# media in an export come through whole
tests_img=$(printf 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==')
printf '{"type":"conversation","id":"0000aaaa0000","name":null,"title":"img","system":null,"created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}\n' > "$T/img.ndjson"
printf '{"type":"message","id":"0000aaaa0001","conversation":"0000aaaa0000","seq":1,"role":"user","text":"see","status":"complete","created":"2025-01-01T00:00:00Z","attachments":[{"sha256":"%s","mime":"image/png","data":"%s"}]}\n' \
	"$(printf '%s' "$tests_img" | base64 -d | sha256sum | cut -d' ' -f1)" "$tests_img" >> "$T/img.ndjson"
chat-history --db "$T/img.db" import "$T/img.ndjson" 2> /dev/null
chat-history --db "$T/img.db" export --media > "$T/img1.ndjson"
DB3=$(pg_db h3)
chat-history --db "$DB3" import "$T/img1.ndjson" 2> /dev/null
chat-history --db "$DB3" export --media > "$T/img2.ndjson"
has "$T/img2.ndjson" '"data":"iVBOR' "... with its bytes"
check "an image attachment goes through PostgreSQL byte for byte" cmp -s "$T/img1.ndjson" "$T/img2.ndjson"

# the password: not in -v traces, errors or the history
run chat-send -v 'trace me'
hasnt "$T/err" "$PW" "-v: no password in the trace"
run chat-history --db "postgresql://chat:$PW@/nosuch?host=$PGDIR" stats
is "$st" 73 "a database that is not there: exit 73"
has "$T/err" "cannot connect" "... said in one line"
hasnt "$T/err" "$PW" "... without the password"
chat-history export > "$T/all.ndjson"
hasnt "$T/all.ndjson" "$PW" "the history holds no password"
# ps: the --db option's text, while a reply is awaited
fake_start --echo --gate-first "$T/ps-open"
chat-send --db "$CHAT_DB" 'seen by ps' > "$T/ps.out" 2> "$T/ps.err" &
ps_pid=$!
w=0
while [ ! -s "$T/log" ] && [ $w -lt 3000 ]; do sleep 0.01; w=$((w + 1)); done
tr '\0' ' ' < "/proc/$ps_pid/cmdline" > "$T/ps.cmdline"
touch "$T/ps-open"
wait "$ps_pid"
is "$?|$(cat "$T/ps.out")" "0|echo: seen by ps" "--db with a password: the exchange goes through"
hasnt "$T/ps.cmdline" "$PW" "... and ps does not show the password"
has "$T/ps.cmdline" "chat:x*@/h1" "... but does show the rest of the option"

# the session at the terminal (chat) with the history in PostgreSQL: two
# turns with context, /new NAME, /list
DBS=$(pg_db session)
fake_start --echo
cat > "$T/s.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "first words\r"
expect_plain "echo: first words"
expect_plain "> "
send "second words\r"
expect_plain "echo: second words"
expect_plain "> "
send "/new other\r"
expect_plain "> "
send "third words\r"
expect_plain "echo: third words"
expect_plain "> "
send "/list\r"
expect_plain "other"
expect_plain "> "
send "\x04"
wait 0
PTY
"$ROOT/tests/bin/ptydrive" -t 30 -o "$T/s.raw" "$T/s.pty" -- chat --db "$DBS" < /dev/null > "$T/s.err" 2>&1
is "$?" 0 "chat: a session with its history in PostgreSQL"
is "$(jq -r '.body.messages | map(.content) | join("|")' "$T/log" | sed -n 2p)" "first words|echo: first words|second words" \
	"... its second turn carries the first as context"
run chat-history --db "$DBS" show other --json
is "$(jq -r 'select(.type == "message") | .text' "$T/out" | tr '\n' '|')" "third words|echo: third words|" \
	"... and /new keeps the new conversation apart, by name"

# chat-batch with the history in PostgreSQL: a job's life, its replies in
# the history, the same input never sent twice, collected once
DBJ=$(pg_db jobs)
mkdir -p "$T/batches"
fake_start --batch-dir "$T/batches" --upload-polls 0 --echo
printf '{"type":"prompt","id":%d,"text":"batch question %d","model":"gpt-4o-mini"}\n' 1 1 2 2 3 3 > "$T/in"
CHAT_BATCH_POLL=0.05 IN=1 run chat-batch --db "$DBJ" submit
job=$(jq -r .job "$T/out")
is "$st|$(jq -c '[.type, .provider, .counts.total]' "$T/out")" '0|["job","openai",3]' "chat-batch submit: the job kept in PostgreSQL"
CHAT_BATCH_POLL=0.05 run chat-batch --db "$DBJ" collect --wait "$job"
is "$st|$(jq -r 'select(.type == "response") | .id' "$T/out" | sort | tr '\n' ' ')" "0|1 2 3 " "collect --wait: a response for each id"
is "$(pg_sql jobs "SELECT count(*) FROM messages WHERE batch_job = '$job' AND role = 'assistant' AND status = 'complete'")" 3 \
	"... and the replies are in the history, marked as from the job"
CHAT_BATCH_POLL=0.05 IN=1 run chat-batch --db "$DBJ" submit
is "$st|$(jq -r .job "$T/out")|$(pg_sql jobs 'SELECT count(*) FROM batch_jobs')" "0|$job|1" "the same input again: the job it already is"
CHAT_BATCH_POLL=0.05 run chat-batch --db "$DBJ" collect --all-done
is "$st|$(wc -c < "$T/out" | tr -d ' ')" "0|0" "collect --all-done: nothing twice"
run chat-batch --db "$DBJ" list
is "$(grep -c "$job" "$T/out")" 1 "chat-batch list shows the job"

# two groups of processes with their own HOMEs, all at once, each its own
# named conversation: none lost, none mixed
fake_start --echo
PROCS=${PG_PROCS:-20} EACH=${PG_EACH:-50}
DBC=$(pg_db crowd)
mkfifo "$T/gate"
pids=
for g in a b; do
	i=1
	while [ "$i" -le "$PROCS" ]; do
		mkdir -p "$T/homes/$g$i"
		(read -r _ < "$T/gate"
		 export HOME="$T/homes/$g$i" XDG_DATA_HOME="$T/homes/$g$i/.local/share"
		 # group b names the database in libpq's keyword form
		 if [ $g = a ]; then export CHAT_DB="$DBC"; else export CHAT_DB="dbname=crowd user=chat host=$PGDIR"; fi
		 j=1
		 while [ "$j" -le "$EACH" ]; do
			 chat-send --conversation "$g$i" "$g$i turn $j" > /dev/null 2>> "$T/crowd.err" || echo "$g$i $j $?" >> "$T/crowd.fail"
			 j=$((j + 1))
		 done) &
		pids="$pids $!"
		i=$((i + 1))
	done
done
sleep 0.5 # the readers block in open(2) until the writer comes; a late one is only late
echo go > "$T/gate"
# shellcheck disable=SC2086 # one word each
wait $pids
is "$(cat "$T/crowd.fail" 2> /dev/null)" "" "$((2 * PROCS)) processes × $EACH exchanges: every one exits 0"
chat-history --db "$DBC" export > "$T/crowd.ndjson"
is "$(jq -r 'select(.type == "message") | .id' "$T/crowd.ndjson" | sort -u | wc -l | tr -d ' ')" $((2 * PROCS * EACH * 2)) \
	"... all $((2 * PROCS * EACH)) exchanges are in the history"
# each conversation: its own turns in order, each reply after its prompt
mixed=$(jq -rs 'map(select(.type == "conversation")) as $c | map(select(.type == "message"))
	| group_by(.conversation)[] | sort_by(.seq) as $m
	| ($c[] | select(.id == $m[0].conversation) | .name) as $name
	| select([range(0; $m | length) as $k | $m[$k]
		| if $k % 2 == 0 then (.role == "user" and .text == "\($name) turn \($k / 2 + 1)")
		  else (.role == "assistant" and .text == "echo: \($name) turn \(($k - 1) / 2 + 1)") end
		| select(. | not)] | length > 0) | $name' "$T/crowd.ndjson")
is "$mixed" "" "... no conversation holds another's turn, and every turn is in its place"

# the limiter's own unit tests (buckets, pauses, headers, two connections,
# eight processes spending one budget) with the state in PostgreSQL
pg_db unit > /dev/null
CHAT_TEST_PG="dbname=unit user=chat host=$PGDIR" "$ROOT/tests/unit/test_ratelimit" > "$T/unit.tap" 2>&1
is "$(grep -c '^not ok' "$T/unit.tap")|$(grep -c '^# again, with the state in PostgreSQL' "$T/unit.tap")" "0|1" \
	"test_ratelimit passes with its state in PostgreSQL as in a file"
grep -A3 '^not ok' "$T/unit.tap" | sed 's/^/#   /'
is "$(pg_sql unit "SELECT count(*) > 5 FROM pg_tables WHERE tablename = 'rate_bucket'")" t "... whose schemas hold its buckets"
CHAT_TEST_PG="dbname=unit user=chat host=$PGDIR" "$ROOT/tests/unit/test_store_pg" > "$T/store.tap" 2> /dev/null
is "$(grep -c '^not ok' "$T/store.tap")|$(grep -c '^ok .*sent with the commit' "$T/store.tap")" "0|1" \
	"test_store_pg passes its server part: bulk rows sent unwaited, their failure said when read"

# one rate limit for the machines: two groups of processes with their own
# HOMEs (each would have its own ratelimit.db) share the database's bucket.
# With rpm = 6 a bucket holds 6 and refills one each 10 s: once group a has
# taken all 6, group b's request waits past its --timeout, unsent.
DBL=$(pg_db limits)
# machine NAME CMD...: CMD with a home and data folder of its own
machine() {
	_m="$T/homes/$1"
	shift
	mkdir -p "$_m"
	HOME="$_m" XDG_DATA_HOME="$_m/.local/share" XDG_STATE_HOME="$_m/.local/state" "$@"
}
printf '[openai]\nrpm = 6\n' > "$T/rpm6.conf"
fake_start --echo
for k in 1 2 3 4 5 6; do
	CHAT_CONFIG="$T/rpm6.conf" machine la chat-send --db "$DBL" "a $k" > /dev/null 2>> "$T/la.err"
done
is "$(wc -l < "$T/log" | tr -d ' ')" 6 "rpm = 6: one machine sends six at once"
CHAT_CONFIG="$T/rpm6.conf" CHAT_DB="dbname=limits user=chat host=$PGDIR" \
	machine lb run chat-send --timeout 1 'b 1'
is "$st|$(wc -l < "$T/log" | tr -d ' ')" "75|6" "... and another machine's seventh waits for the shared bucket (exit 75 at --timeout, unsent)"
# a 429 met on one machine pauses the other
printf '[openai]\nrpm = 0\n' > "$T/rpm0.conf"
DBP=$(pg_db pause)
fake_start --status 429 --error rate_limit --retry-after 3600 --then --echo
CHAT_CONFIG="$T/rpm0.conf" machine la chat-send --db "$DBP" --retries 0 hi > /dev/null 2>&1
: > "$T/log"
CHAT_CONFIG="$T/rpm0.conf" machine lb run chat-send --db "$DBP" hi
is "$st|$(wc -l < "$T/log" | tr -d ' ')" "75|0" "a 429's hour-long pause met on one machine: the other exits 75, nothing sent"
has "$T/err" "paused requests until" "... saying when the limit lifts"
# $CHAT_RATE_DB may name a PostgreSQL database beside a SQLite history
DBR2=$(pg_db rates)
fake_start --echo
CHAT_RATE_DB="postgresql://chat:$PW@/rates?host=$PGDIR" CHAT_CONFIG="$T/limits.conf" \
	run chat-send --db "$T/own.db" 'sqlite history, shared limits'
is "$st|$(pg_sql rates 'SELECT provider FROM rate_bucket')" "0|openai" "CHAT_RATE_DB as a connection string: the bucket is there"
# a database that cannot be reached: said once, without the password, and
# the limit still holds within the process
printf '{"type":"prompt","id":"a","text":"one"}\n{"type":"prompt","id":"b","text":"two"}\n' > "$T/in"
printf '[openai]\nrpm = 1\n' > "$T/rpm1.conf"
: > "$T/log"
CHAT_RATE_DB="postgresql://chat:$PW@/nosuch?host=$PGDIR" CHAT_CONFIG="$T/rpm1.conf" IN=1 \
	run chat-send --db "$T/own.db" -r --timeout 2
is "$(grep -c 'within this process only' "$T/err")" 1 "rate limits in a database that is not there: said once"
has "$T/err" "rate limits user=chat dbname=nosuch" "... naming it"
hasnt "$T/err" "$PW" "... without the password"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "... and rpm = 1 still holds within the process"

# many processes on two machines through one rpm = 120 bucket: 130
# requests, so 10 must wait for the refill (2 a second). Arrivals within
# 2 s of the first hold at most the full bucket and the refill of 2 s
# plus 1.5 s for the first take to arrive: 127. Separate buckets (65
# each) would let all 130 through at once.
DBB=$(pg_db bucket)
printf '[openai]\nrpm = 120\n' > "$T/rpm120.conf"
fake_start --echo
pids=
for g in a b; do
	for i in 1 2 3 4 5; do
		(export CHAT_CONFIG="$T/rpm120.conf" CHAT_DB="$DBB"
		 for j in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
			 machine r$g$i chat-send "r$g$i $j" > /dev/null 2>> "$T/bucket.err" || echo "r$g$i $j" >> "$T/bucket.fail"
		 done) &
		pids="$pids $!"
	done
done
# shellcheck disable=SC2086 # one word each
wait $pids
is "$(cat "$T/bucket.fail" 2> /dev/null)|$(wc -l < "$T/log" | tr -d ' ')" "|130" \
	"rpm = 120, two machines × 5 processes × 13: every exchange goes through"
early=$(jq -s '[.[].ms] | min as $t0 | map(select(. <= $t0 + 2000)) | length' "$T/log")
check "... and the log shows one shared bucket ($early arrivals in the first 2 s <= 127)" test "$early" -le 127
last=$(jq -s '[.[].ms] | (max - min)' "$T/log")
check "... the last arriving after the refill of 10 requests ($last ms >= 3500)" test "$last" -ge 3500

# the server stopped while replies are on their way: each is printed, the
# ones that cannot be logged exit 73, nothing is half-written
fake_start --echo --gate-first "$T/open"
DBR=$(pg_db restart)
K=6 i=1 pids=
while [ "$i" -le "$K" ]; do
	(chat-send --db "$DBR" "held $i" > "$T/held$i.out" 2> "$T/held$i.err"; echo $? > "$T/held$i.st") &
	pids="$pids $!"
	i=$((i + 1))
done
w=0
while [ "$(wc -l < "$T/log" 2> /dev/null | tr -d ' ')" != "$K" ] && [ $w -lt 3000 ]; do sleep 0.01; w=$((w + 1)); done
pg_stop
touch "$T/open"
# shellcheck disable=SC2086
wait $pids
is "$(cat "$T"/held*.st | sort -u | tr '\n' ' ')" "73 " "server stopped: every process exits 73"
is "$(cat "$T"/held*.out | grep -c '^echo: held')" "$K" "... and every reply was printed"
has "$T/held1.err" "lost the connection" "... the failure said"
is "$(cat "$T"/held*.err | grep -c 'the exchange is kept in .*/postgresql-[0-9a-f]*\.spool')" "$K" \
	"... and each exchange kept in this machine's spool"
run chat-send --db "dbname=restart user=chat host=$PGDIR" 'while down'
is "$st|$(cat "$T/out")" "73|echo: while down" "with the server down: the reply printed, exit 73"
has "$T/err" "kept in .*/postgresql-[0-9a-f]*\.spool" "... and the exchange spooled"
is "$(ls "$XDG_DATA_HOME"/chat/postgresql-*.spool | wc -l | tr -d ' ')" $((K + 1)) "... one file each"
run chat-history --db "$DBR" stats
is "$st" 73 "chat-history stats with the server down: exit 73"
is "$(ls -d "$XDG_DATA_HOME"/chat/postgresql-*.spool | wc -l | tr -d ' ')" 1 "... the database's one spool, however its name is written"
pg_start
run chat-send --db "$DBR" 'after restart'
is "$st" 0 "the next run reconnects"
is "$(ls "$XDG_DATA_HOME"/chat/postgresql-*.spool | wc -l | tr -d ' ')" 0 "... writes the spooled exchanges in, and empties the spool"
run chat-history --db "$DBR" export
is "$(jq -cs '[.[] | select(.type == "message")] | group_by(.conversation) | map(length) | unique' "$T/out")" '[2]' \
	"... every conversation in the history holds whole turns"
is "$(jq -r 'select(.type == "message" and .role == "assistant") | .text' "$T/out" | sort | tr '\n' '|')" \
	"echo: after restart|echo: held 1|echo: held 2|echo: held 3|echo: held 4|echo: held 5|echo: held 6|echo: while down|" \
	"... and every reply printed while the server was down is there"
# the server stopped during an import: the import fails with one line and
# exit 73 (the batch on its way is lost, not half-written); run again, it
# completes
DBI=$(pg_db midimport)
awk 'BEGIN { for (c = 0; c < 3000; c++) {
	id = sprintf("%012x", 1000000 + c)
	printf "{\"type\":\"conversation\",\"id\":\"%s\",\"name\":null,\"title\":\"t\",\"system\":null,\"created\":\"2025-01-01T00:00:00Z\",\"updated\":\"2025-01-01T00:00:00Z\"}\n", id
	printf "{\"type\":\"message\",\"id\":\"%012x\",\"conversation\":\"%s\",\"seq\":1,\"role\":\"user\",\"text\":\"question %d\",\"status\":\"complete\",\"created\":\"2025-01-01T00:00:00Z\"}\n", 9000000 + c, id, c
} }' > "$T/many.ndjson"
split -l 1024 "$T/many.ndjson" "$T/part."
mkfifo "$T/imp.fifo"
chat-history --db "$DBI" import < "$T/imp.fifo" > /dev/null 2> "$T/imp.err" &
imp=$!
exec 7> "$T/imp.fifo"
# parts go in until a batch is committed (the import commits every half
# second of work), then the server stops and the rest follows
parts=$(ls "$T"/part.*)
stopped=0
for part in $parts; do
	cat "$part" >&7
	if [ $stopped = 0 ]; then
		w=0
		while [ "$(pg_sql midimport 'SELECT count(*) FROM messages')" = 0 ] && [ $w -lt 30 ]; do sleep 0.05; w=$((w + 1)); done
		if [ "$(pg_sql midimport 'SELECT count(*) FROM messages')" != 0 ]; then
			pg_stop
			stopped=1
		fi
	fi
done
exec 7>&-
wait "$imp"
imp_st=$?
is "$stopped|$imp_st" "1|73" "the server stopped during an import: exit 73"
is "$(grep -c '^chat-history: history .*: \(cannot\|writing\|lost\)' "$T/imp.err")|$(grep -vc '^chat-history: imported [0-9]* new' "$T/imp.err")" "1|1" \
	"... said in one line, then what came in before"
pg_start
run chat-history --db "$DBI" import "$T/many.ndjson"
is "$st|$(pg_sql midimport 'SELECT count(*) FROM messages')" "0|3000" "... and run again it completes"
is "$(pg_sql midimport "SELECT gin_clean_pending_list('messages_tsv'::regclass)")" 0 \
	"... leaving the search index merged, no pending list for a search to read through"
done_testing
