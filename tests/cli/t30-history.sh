#!/bin/sh
# The history: logging, conversations and context, interruption, chat-history.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"
q() { sqlite3 "$CHAT_DB" "$1"; }

fake_start --text 'first answer' --then --text 'second answer' --then --text 'third'
run chat-send --json -s 'Be kind.' 'question one'
is "$st" 0 "a logged exchange"
conv=$(jq -r .conversation "$T/out"); msg=$(jq -r .message "$T/out")
check "the response record carries conversation and message ids" sh -c "echo '$conv$msg' | grep -Eq '^[0-9a-f]{24}$'"
is "$(q "select seq||role||status||text from messages order by seq" | tr '\n' ' ')" \
	"1usercompletequestion one 2assistantcompletefirst answer " "both turns are in the history"
is "$(stat -c %a "$CHAT_DB")" 600 "the database is created mode 0600"
is "$(q 'pragma journal_mode')" wal "WAL mode"
is "$(q "select id from messages where seq = 2")" "$msg" "the message id is the stored reply's"

run chat-send -c 'question two'
is "$(cat "$T/out")" "second answer" "-c continues"
is "$(last_request | jq -c '[.body.messages[] | .role + ":" + .content]')" \
	'["system:Be kind.","user:question one","assistant:first answer","user:question two"]' \
	"-c sends the system prompt and the earlier turns"
is "$(q 'select count(*) from conversations')" 1 "-c adds to the same conversation"

run chat-stream --json -c 'streamed'
is "$(jq -r '.conversation' "$T/out" | sort -u)" "$conv" "delta and response records carry the conversation id"

run chat-send --no-log 'not kept'
is "$(q 'select count(*) from messages')" 6 "--no-log writes nothing"

fake_start --text 'nightly one' --then --text 'nightly two'
run chat-send --conversation nightly 'day one'
run chat-send --conversation nightly 'day two'
is "$(last_request | jq -c '[.body.messages[].content]')" '["day one","nightly one","day two"]' \
	"--conversation NAME is created, then continued"
is "$(q "select count(*) from conversations where name = 'nightly'")" 1 "one conversation named nightly"
nid=$(q "select id from conversations where name = 'nightly'")
run chat-send --conversation "$(echo "$nid" | cut -c1-6)" 'by id prefix'
is "$(last_request | jq '.body.messages | length')" 5 "--conversation ID-PREFIX continues it"

# interruption: every way a reply can be cut off leaves it saved as interrupted
fake_start --text 'a b c d e f g h i j k l m n o p' --chunks 16 --delay-chunk 300
for sig in INT TERM; do
	: > "$T/out"
	chat-send --conversation "cut-$sig" hi > "$T/out" 2> "$T/err" &
	pid=$!
	chat-stream --conversation "cut-$sig-s" hi > "$T/out2" 2> /dev/null &
	pid2=$!
	# both asked (the fake logs each request as it comes), and the second
	# word is out: both are mid-reply
	want=2; [ $sig = TERM ] && want=4
	i=0
	while { [ "$(cat "$T/log" 2>/dev/null | wc -l)" -lt $want ] || ! grep -q '^a b ' "$T/out2"; } && [ $i -lt 1000 ]; do
		sleep 0.01; i=$((i + 1))
	done
	kill -$sig $pid $pid2
	wait $pid; wait $pid2
	is "$(q "select status from messages m join conversations c on c.id = m.conversation where c.name = 'cut-$sig-s' and role = 'assistant'")" \
		interrupted "chat-stream SIG$sig: the reply is saved as interrupted"
	check "chat-stream SIG$sig: with the text that arrived" sh -c \
		"sqlite3 '$CHAT_DB' \"select text from messages m join conversations c on c.id = m.conversation where c.name = 'cut-$sig-s' and role = 'assistant'\" | grep -q '^a b '"
	is "$(q "select status from messages m join conversations c on c.id = m.conversation where c.name = 'cut-$sig' and role = 'assistant'")" \
		interrupted "chat-send SIG$sig: the reply is saved as interrupted"
done
fake_start --text "$(yes 'word' | head -3000 | tr '\n' ' ')" --chunks 3000
bash -c 'chat-stream --conversation piped hi | head -c 5 > /dev/null'
is "$(q "select status from messages m join conversations c on c.id = m.conversation where c.name = 'piped' and role = 'assistant'")" \
	interrupted "a closed stdout: the reply is saved as interrupted"
fake_start --text 'abc def ghi jkl' --chunks 4 --drop-after 2 --then --text 'resumed'
run chat-stream --conversation dropped hi
is "$st" 69 "a dropped connection: exit 69"
is "$(q "select status || ':' || text from messages m join conversations c on c.id = m.conversation where c.name = 'dropped' and role = 'assistant'")" \
	"interrupted:abc def " "a dropped connection: what arrived is saved as interrupted"
run chat-send --conversation dropped 'go on'
is "$(last_request | jq -r '.body.messages[1].content')" "$(printf 'abc def \n\n[This reply was cut off before it was finished.]')" \
	"the next run sends the partial reply marked as cut off"
fake_start --text 'x y z' --chunks 3 --mid-error 1
run chat-send --conversation errored hi
is "$(q "select status from messages m join conversations c on c.id = m.conversation where c.name = 'errored' and role = 'assistant'")" \
	error "a provider error mid-reply: saved with status error"

# chat-history
run chat-history list
is "$st" 0 "list: exit 0"
has "$T/out" "\[nightly\] day one" "list: names and titles"
is "$(head -1 "$T/out" | cut -c1-12)" "$(q "select id from conversations order by updated desc, rowid desc limit 1")" "list: newest first"
run chat-history list -n 2
is "$(wc -l < "$T/out" | tr -d ' ')" 2 "list -n 2: two lines"
run chat-history list --json
is "$(jq -s 'length' "$T/out")" "$(q 'select count(*) from conversations')" "list --json: every conversation"
is "$(jq -r 'select(.name=="nightly").messages' "$T/out")" 6 "list --json: message counts"
run chat-history show nightly
has "$T/out" "^conversation $nid (nightly)" "show NAME: a header"
has "$T/out" "^day two" "show NAME: the transcript"
run chat-history show --json nightly
is "$(jq -r .type "$T/out" | sort | uniq -c | awk '{printf "%s %s ", $1, $2}')" "1 conversation 6 message " "show --json: the records"
run chat-history show nosuch
is "$st" 65 "show of an unknown conversation: exit 65"
has "$T/err" "no conversation 'nosuch'" "... naming it"
run chat-history search nightly
is "$(wc -l < "$T/out" | tr -d " ")" 3 "search: each hit once (nightly one, nightly two twice)"
has "$T/out" "\[nightly\] one" "search: the match is highlighted"
run chat-history search --json 'day'
is "$(jq -r .snippet "$T/out" | sort | tr '\n' '|')" "day one|day two|" "search --json: snippets"
run chat-history search 'foo-bar "unbalanced'
is "$st" 0 "search: a query that is not FTS5 syntax is searched as words"
run chat-history search --model nosuch-model nightly
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "search --model filters"
run chat-history search --since 2100-01-01 nightly
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "search --since filters"
run chat-history stats --json
is "$(jq -r '.conversations' "$T/out")" "$(q 'select count(*) from conversations')" "stats --json"
run chat-history rename nightly daily
is "$(q "select name from conversations where id = '$nid'")" daily "rename"
run chat-history rename daily cut-INT
is "$st" 65 "rename to a name in use: exit 65"

# export, import, export: byte-identical; import twice changes nothing
run chat-history export
cp "$T/out" "$T/export1"
CHAT_DB="$T/copy.db" chat-history import -q < "$T/export1"
CHAT_DB="$T/copy.db" chat-history import -q < "$T/export1"
is "$(sqlite3 "$T/copy.db" 'select count(*) from messages')" "$(q 'select count(*) from messages')" "import twice: nothing doubled"
CHAT_DB="$T/copy.db" chat-history export > "$T/export2"
check "export, import, export is byte-identical" cmp -s "$T/export1" "$T/export2"
# the import indexes its rows in bulk with a bigger hash, and puts both back
is "$(sqlite3 "$T/copy.db" "insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)" 2>&1)" "" \
	"import: the search index is the text's (FTS5's integrity-check)"
is "$(sqlite3 "$T/copy.db" "select coalesce((select v from messages_fts_config where k = 'hashsize'), 1048576)")" 1048576 \
	"... and the index's hash is back to FTS5's own size"
is "$(sqlite3 "$T/copy.db" "select count(*) from sqlite_master where type = 'trigger' and name = 'messages_ai'")" 1 \
	"... and its insert trigger is back"
printf '{"type":"message","id":"x"}\nnot json\n' >> "$T/export1"
CHAT_DB="$T/copy2.db" chat-history import < "$T/export1" > /dev/null 2> "$T/err"
is "$?" 65 "import with bad lines: exit 65"
has "$T/err" "line $(($(wc -l < "$T/export1") - 1)): a message record needs" "import: a bad record is named by line"
is "$(sqlite3 "$T/copy2.db" 'select count(*) from messages')" "$(q 'select count(*) from messages')" "import: the good lines still go in"

# a name already taken here: the conversation comes in without it
cat > "$T/clash.ndjson" <<'R'
{"type":"conversation","id":"aaaaaaaaaaaa","name":"cut","title":"t1","system":null,"created":"2026-01-01T00:00:00.000Z","updated":"2026-01-01T00:00:00.000Z"}
{"type":"message","id":"bbbbbbbbbbbb","conversation":"aaaaaaaaaaaa","seq":1,"role":"user","text":"hello","status":"complete","finish":null,"provider":null,"model":null,"usage":null,"cost_usd":null,"ttft_ms":null,"ms":null,"request_id":null,"created":"2026-01-01T00:00:00.000Z"}
R
CHAT_DB="$T/clash.db" chat-history import -q < "$T/clash.ndjson"
sqlite3 "$T/clash.db" "update conversations set id = 'eeeeeeeeeeee' where name = 'cut'"
cp "$T/clash.ndjson" "$T/in"
CHAT_DB="$T/clash.db" IN=1 run chat-history import
is "$st" 0 "import: a name already used by another conversation is not an error"
has "$T/err" "already in use" "... it is said"
is "$(sqlite3 "$T/clash.db" "select coalesce(name, '-') from conversations where id = 'aaaaaaaaaaaa'")" - \
	"... and that conversation comes in without the name"
run chat-history show --json 0
is "$st" 65 "show with an ambiguous or unknown id prefix: exit 65"
run chat-history stats
run chat-history --db "$T/none.db" stats --json
is "$(jq -r '.conversations' "$T/out")" 0 "stats --json with no history: zeros"
run chat-history show
is "$st" 64 "show without a conversation: exit 64"
run chat-history search --since 2026-13-45 x
is "$st" 64 "an impossible date: exit 64"
run chat-history show cut-INT
has "$T/out" "^--- assistant (gpt-4o-mini) [0-9T:-]* \[interrupted\]$" "show: an interrupted reply is marked on its heading line"

run chat-history prune --before 2000-01-01
is "$(q 'select count(*) from conversations')" "$(sqlite3 "$T/copy.db" 'select count(*) from conversations')" "prune before an old date removes nothing"
run chat-history rm daily
is "$(q "select count(*) from messages where conversation = '$nid'")" 0 "rm removes the messages"
is "$(q "select count(*) from messages_fts where messages_fts match 'nightly'")" 0 "... and their search index entries"
run chat-history prune --before 2100-01-01
is "$(q 'select count(*) from messages')" 0 "prune removes what is older"

# many writers at once
fake_start --text 'concurrent reply'
export CHAT_DB="$T/busy.db"
i=1 pids=
while [ $i -le 20 ]; do
	( j=1; while [ $j -le 50 ]; do chat-send --conversation "w$i" "p$i-$j" > /dev/null 2>> "$T/busy.err" || echo "fail $i $j" >> "$T/busy.err"; j=$((j + 1)); done ) &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
is "$(q 'select count(*) from messages')" 2000 "20 processes x 50 exchanges: 1,000 exchanges present"
is "$(cat "$T/busy.err" 2>/dev/null | wc -l | tr -d ' ')" 0 "... no errors, no 'database is locked'"
sed "s/^/#   /" "$T/busy.err" 2>/dev/null | head -5
bad=$(q "select count(*) from messages m join conversations c on c.id = m.conversation where m.role = 'user' and m.text != 'p' || substr(c.name, 2) || '-' || ((m.seq + 1) / 2)")
is "$bad" 0 "... every conversation's turns in order"
is "$(q 'pragma integrity_check')" ok "... integrity_check ok"

# SIGKILL in the middle of writing: a loop of writers, and once five have
# finished, the one writing then is killed (the loop stops after it)
export CHAT_DB="$T/kill.db"
( while [ ! -e "$T/kill.stop" ]; do chat-send --conversation k 'x' > /dev/null 2>&1; echo >> "$T/kill.n"; done ) &
loop=$!
i=0
while [ "$(cat "$T/kill.n" 2>/dev/null | wc -l)" -lt 5 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
: > "$T/kill.stop"
pkill -9 -P $loop 2>/dev/null
wait $loop 2>/dev/null
is "$(q 'pragma integrity_check')" ok "SIGKILL mid-write: integrity_check ok"
run chat-send --conversation k 'after the kill'
is "$st" 0 "... and the history works afterwards"

# files that are not our history are refused and never overwritten
head -c 8192 /dev/urandom > "$T/garbage.db"
cp "$T/garbage.db" "$T/garbage.orig"
CHAT_DB="$T/garbage.db" run chat-send hi
is "$st" 65 "a random file as the history: exit 65"
has "$T/err" "garbage.db" "... the error names the file"
is "$(cat "$T/out")" "concurrent reply" "... the reply is still printed"
check "... and the file is untouched" cmp -s "$T/garbage.db" "$T/garbage.orig"
sqlite3 "$T/other.db" 'create table notes(x); insert into notes values (1)'
cp "$T/other.db" "$T/other.orig"
CHAT_DB="$T/other.db" run chat-history list
is "$st" 65 "another program's SQLite file: exit 65"
check "... left exactly as it was" cmp -s "$T/other.db" "$T/other.orig"
CHAT_DB="$T/garbage.db" run chat-send -c hi
is "$st" 65 "continuing from an unreadable history refuses before asking"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "... and prints no reply"

# a history locked past the timeout never costs the reply
export CHAT_DB="$T/locked.db"
chat-send 'create it' > /dev/null
# held (flock on fd 9) by a sleep that is killed below, once the lock is taken
( exec 9>> "$T/locked.db.lock"; flock 9 && : > "$T/locked.held" && exec sleep 60 ) > /dev/null 2>&1 &
lockpid=$!
i=0
while [ ! -e "$T/locked.held" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
CHAT_DB_TIMEOUT=0.2 run chat-send 'while locked'
is "$(cat "$T/out")" "concurrent reply" "a locked history: the reply is printed"
is "$st" 73 "... exit 73"
has "$T/err" "busy" "... and the failure is reported"
kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null

run chat-history --db "$T/none.db" list
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "0:0" "list with no history yet: nothing, exit 0"
check "... and creates no file" test ! -e "$T/none.db"

# The prompt is made durable while the request goes out, and the reply's
# first byte waits for that: a pending record in a slot of the spool (one
# data sync) when the turn is text to a known or new conversation, then the
# history itself beside the reply. With the history's lock held elsewhere
# the request still reaches the provider and the reply is printed, its
# prompt in a slot; once the lock is let go the history has both turns and
# the slot is empty.
export CHAT_DB="$T/beside.db"
chat-send 'make it' > /dev/null
hold_history() {    # hold_history NAME: the history's lock, held until NAME.release exists
	rm -f "$T/$1.release" "$T/$1.held"
	( exec 9>> "$CHAT_DB.lock"; flock 9 && : > "$T/$1.held" &&
		while [ ! -e "$T/$1.release" ]; do sleep 0.01; done ) > /dev/null 2>&1 &
	holder=$!
	wait_for_file "$T/$1.held"
}
wait_for_file() {    # wait_for_file FILE: until it exists
	i=0
	while [ ! -e "$1" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
}
wait_for_output() {    # wait_for_output FILE: until it is not empty
	i=0
	while [ ! -s "$1" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
}
# kill_after_first_byte NAME COMMAND...: with the history's lock held
# elsewhere, COMMAND (its output in NAME.out) is SIGKILLed once it has
# printed; then the lock is let go and the fake's gate NAME.gate opened
kill_after_first_byte() {
	k=$1
	shift
	hold_history "$k"
	"$@" > "$T/$k.out" 2> /dev/null &
	victim=$!
	wait_for_output "$T/$k.out"
	kill -9 "$victim"
	wait "$victim" 2> /dev/null
	: > "$T/$k.release"
	wait "$holder" 2> /dev/null
	: > "$T/$k.gate"
}
spooled() { chat-history stats --json | jq .spooled; }
hold_history beside
before=$(wc -l < "$T/log")
CHAT_DB_TIMEOUT=60 chat-stream 'asked while the history is busy' > "$T/beside.out" 2> "$T/beside.err" &
asker=$!
wait_for_output "$T/beside.out"
is "$(($(wc -l < "$T/log") - before))" 1 "the request goes out while the history's lock is held elsewhere"
is "$(cat "$T/beside.out")" "concurrent reply" "... and the reply is printed"
is "$(cat "$T/beside.db.spool"/slot-* | grep -ac 'asked while the history is busy')" 1 \
	"... its prompt durable in a slot of the spool"
: > "$T/beside.release"
wait "$asker"; st=$?
wait "$holder" 2> /dev/null
is "$st" 0 "once the lock is free: exit 0"
chat-history export | jq -c 'select(.type == "message")' > "$T/beside.msgs"
conv=$(jq -r 'select(.text == "asked while the history is busy") | .conversation' "$T/beside.msgs")
is "$(jq -r --arg c "$conv" 'select(.conversation == $c) | .role + ":" + .text' "$T/beside.msgs" | tr '\n' '|')" \
	"user:asked while the history is busy|assistant:concurrent reply|" "... and the history holds the prompt and the reply"
is "$(cat "$T/beside.db.spool"/slot-* | grep -ac 'asked while the history is busy')" 0 \
	"... and the slot is emptied, the prompt's text gone from it"

# Killed after its first byte, before the history had the turn: the next
# program writes the prompt in from the slot, under the conversation id the
# reply's records named, its reply marked interrupted; a slot a running
# program holds is left alone; and a slot met again is written in once.
fake_start --text 'never finished' --chunks 2 --gate "$T/killed.gate"
kill_after_first_byte killed chat-stream --json 'killed after the first byte'
shown=$(head -n 1 "$T/killed.out" | jq -r '.type + " " + .conversation')
slot=$(grep -alF 'killed after the first byte' "$T/beside.db.spool"/slot-*)
cp "$slot" "$T/slot.copy"
( exec 8< "$slot"; flock 8 && : > "$T/slot.held" && while [ ! -e "$T/slot.release" ]; do sleep 0.01; done ) &
slotholder=$!
wait_for_file "$T/slot.held"
chat-send 'while the slot is held' > /dev/null
is "$(chat-history export | jq -r 'select(.text == "killed after the first byte") | .id' | wc -l | tr -d ' ')" 0 \
	"a slot held by a running program is not written in by another"
is "$(spooled)" 0 "... nor counted as waiting"
: > "$T/slot.release"
wait "$slotholder"
is "$(spooled)" 1 "a killed program's slot is counted as waiting"
chat-send 'after the kill' > /dev/null
chat-history export | jq -c 'select(.type == "message")' > "$T/killed.msgs"
conv=$(jq -r 'select(.text == "killed after the first byte") | .conversation' "$T/killed.msgs")
is "delta $conv" "$shown" "the next program writes the killed prompt in, under the conversation its delta named"
is "$(jq -r --arg c "$conv" 'select(.conversation == $c) | .role + ":" + .status + ":" + .text' "$T/killed.msgs" |
	tr '\n' '|')" "user:complete:killed after the first byte|assistant:interrupted:|" \
	"... once, with its reply marked interrupted"
is "$(spooled)" 0 "... and the slot is emptied"
cp "$T/slot.copy" "$slot"
before=$(chat-history export | jq -s 'map(select(.type == "message")) | length')
chat-send 'and once more' > /dev/null
chat-history export | jq -c 'select(.type == "message")' > "$T/after.msgs"
is "$(jq -s 'length' "$T/after.msgs")" "$((before + 2))" "a slot met again adds no row twice"
is "$(spooled)" 0 "... and is emptied"

# -c just after a program was killed with its prompt still in a slot: the
# killed conversation is the one continued, its prompt in the context
fake_start --text 'never finished' --chunks 2 --gate "$T/cont.gate" --then --echo
kill_after_first_byte cont chat-stream 'killed, then continued'
chat-send -c 'go on' > /dev/null
is "$(last_request | jq -c '[.body.messages[] | .role + ":" + .content]')" \
	'["user:killed, then continued","user:go on"]' \
	"-c after a kill continues the killed conversation, its prompt in the context from the slot"

# through a symlinked CHAT_DB the slot is kept beside the real file, where
# a program naming the file itself writes it in from
ln -s "$T/beside.db" "$T/beside.link"
fake_start --text 'never finished' --chunks 2 --gate "$T/linked.gate"
kill_after_first_byte linked env CHAT_DB="$T/beside.link" chat-stream 'killed through a link'
check "a symlinked history's slot is beside the real file" test ! -e "$T/beside.link.spool"
chat-send 'by its own path' > /dev/null
is "$(chat-history export | jq -r 'select(.text == "killed through a link") | .role')" user \
	"... and written in by a program that names the file itself"

# with every slot held, the reply waits for the history itself, as before
mkdir -p "$T/beside.db.spool"
rm -f "$T/slots.release" "$T/slots.held"
s=$T/beside.db.spool/slot-
flock "${s}0" flock "${s}1" flock "${s}2" flock "${s}3" flock "${s}4" flock "${s}5" flock "${s}6" flock "${s}7" \
	sh -c ': > "$1/slots.held"; while [ ! -e "$1/slots.release" ]; do sleep 0.01; done' sh "$T" > /dev/null 2>&1 &
slotholder=$!
wait_for_file "$T/slots.held"
fake_start --text 'concurrent reply'
hold_history full
CHAT_DB_TIMEOUT=60 chat-stream 'with every slot taken' > "$T/full.out" 2> "$T/full.err" &
asker=$!
i=0
while [ "$(wc -l < "$T/log")" -lt 1 ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i + 1)); done
is "$(wc -l < "$T/log" | tr -d ' '):$(wc -c < "$T/full.out" | tr -d ' ')" "1:0" \
	"every slot taken: the request goes out, and no byte is printed while the history is held"
: > "$T/full.release"
wait "$asker"; st=$?
wait "$holder" 2> /dev/null
is "$st:$(cat "$T/full.out")" "0:concurrent reply" "... then the reply, once the history has the prompt"
: > "$T/slots.release"
wait "$slotholder"

# A long reply is written with its index made by a statement of its own:
# its text stored whole, every word of it found, FTS5's check of the index
# against the text passing, and the rows written after it, in the same
# process, indexed by the triggers as before.
export CHAT_DB="$T/long.db"
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "Line l%d of a long answer, in paragraph p%d.\n", i, i % 997 }' > "$T/long"
fake_start --text-file "$T/long" --chunks 50000
run chat-stream --conversation long hi
is "$st" 0 "a long reply ($(wc -c < "$T/long" | tr -d ' ') bytes in 50,000 chunks): exit 0"
chat-history export long | jq -j 'select(.type == "message" and .role == "assistant") | .text' > "$T/long.kept"
check "... stored whole" cmp -s "$T/long.kept" "$T/long"
is "$(chat-history search --json l1 | jq -r .role)" assistant "... its first word found"
is "$(chat-history search --json l20000 | jq -r .snippet)" "...Line l20000 of a long answer, in paragraph p60." "... and its last"
is "$(q "insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)" 2>&1)" "" \
	"... the index is the text's (FTS5's integrity-check)"
fake_start --text-file "$T/long" --chunks 50000 --drop-after 30000
run chat-stream --conversation long-cut hi
is "$(q "select status from messages m join conversations c on c.id = m.conversation where c.name = 'long-cut' and role = 'assistant'")" \
	interrupted "a long reply cut off: saved as interrupted"
cut=$(tail -n 2 "$T/out" | head -n 1 | sed 's/^Line \(l[0-9]*\) .*/\1/')
is "$(chat-history search --json "$cut" | jq -r 'select(.role == "assistant") | .conversation' | wc -l | tr -d ' ')" 2 \
	"... its last whole line ($cut) found in it, as in the complete one"
fake_start --text 'first kiwi' --then --text 'second kiwi'
printf '%s\n' '{"type":"prompt","text":"ask about the aardvark"}' '{"type":"prompt","text":"ask about the pangolin"}' > "$T/two.in"
chat-send -r < "$T/two.in" > /dev/null 2>&1
is "$(chat-history search --json pangolin | jq -r .role)" user "one process, two exchanges: the second prompt is indexed"
is "$(chat-history search --json kiwi | jq -r .role | tr '\n' ' ')" "assistant assistant " "... and both replies"
is "$(q "insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)" 2>&1)" "" "... the index still the text's"
unset CHAT_DB

done_testing
