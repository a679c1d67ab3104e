#!/bin/sh
# Under load nothing is lost and no limit fails open: hundreds of processes
# released at once into one history and one rate-limit file; a history held
# past its deadline; a rate-limit file that cannot be used; long pauses.
# The simulator's request log (each arrival stamped) is the witness; no
# elapsed time is asserted.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_CONFIG="$T/config"
N=${CROWD_N:-400} RPM=300
printf '[openai]\nrpm = %s\n' "$RPM" > "$CHAT_CONFIG"

# N processes wait on a FIFO, then all start at once. Each waits for the
# history's lock in its turn; under a sanitizer on 2 CPUs shared with other
# suites the last of 400 have waited past the default 30 s deadline (2 did
# once), which is a deadline met, not a lock lost: here it is 120 s, and
# t30 checks the deadline itself.
export CHAT_DB_TIMEOUT=120
fake_start --echo
mkfifo "$T/gate"
mkdir "$T/crowd"
i=1 pids=
while [ "$i" -le "$N" ]; do
	(read -r _ < "$T/gate"; chat-send -v --json "question $i" > "$T/crowd/$i.json" 2> "$T/crowd/$i.err"
	 echo $? > "$T/crowd/$i.st") &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 0.5 # the readers block in open(2) until the writer comes; a late one is only late
echo go > "$T/gate"
# shellcheck disable=SC2086 # one word each
wait $pids
is "$(cat "$T/crowd"/*.st | sort | uniq -c | tr -s ' ')" " $N 0" "$N processes at once: every one exits 0"
is "$(chat-history stats --json | jq .messages)" $((N * 2)) "... and the history keeps all $((N * 2)) messages"
cat "$T/crowd"/*.json | jq -r .message | sort > "$T/ids"
chat-history export | jq -r 'select(.type == "message" and .role == "assistant") | .id' | sort > "$T/kept"
check "... every reply a process printed is in the history" cmp -s "$T/ids" "$T/kept"
is "$(sqlite3 "$CHAT_DB" 'pragma integrity_check')" ok "... and the database is sound"
is "$(wc -l < "$T/log" | tr -d ' ')" "$N" "... with one request each"
# Each process's -v trace gives the moment its take went ahead, by the
# clock read under the limiter's lock (arrivals at the simulator come a
# moment later, seconds for 400 processes under a sanitizer on 2 cores, so
# they bunch). In any 10 s: a full bucket and 10 s of refill.
sed -n 's/.*request taken from the shared rate limit at \([0-9]*\) .*/\1/p' "$T/crowd"/*.err > "$T/takes"
is "$(wc -l < "$T/takes" | tr -d ' ')" "$N" "... each one's take in its -v trace"
busiest=$(jq -s 'sort as $t | [range(0; $t | length) as $i
	| ($t[$i:] | map(select(. < $t[$i] + 10000)) | length)] | max' "$T/takes")
allowed=$((RPM + RPM * 10 / 60))
check "no 10 s holds more takes than the bucket allows ($busiest <= $allowed)" test "$busiest" -le "$allowed"
cat "$T"/crowd/*.err > "$T/allerr"
hasnt "$T/allerr" "within this process\|without them\|busy" "none met a busy history or limiter, or went on without the limits"

unset CHAT_DB_TIMEOUT

# a history held by another process past the deadline: the reply is printed,
# exit 73, the exchange kept in the spool, and the next run writes it in
printf '[openai]\nrpm = 0\n' > "$CHAT_CONFIG"
fake_start --echo
flock "$CHAT_DB.lock" sh -c "touch '$T/held'; while [ ! -e '$T/release' ]; do sleep 0.05; done" &
holder=$!
while [ ! -e "$T/held" ]; do sleep 0.01; done
CHAT_DB_TIMEOUT=1 run chat-send --conversation spooled 'while the history is held'
is "$st:$(cat "$T/out")" "73:echo: while the history is held" "a held history: the reply is printed, exit 73"
has "$T/err" "kept in .*spool" "... and the exchange is kept in the spool"
is "$(chat-history stats | grep -c '^spooled *1 ')" 1 "chat-history stats shows the spool"
touch "$T/release"
wait "$holder"
is "$(chat-history show spooled --json | jq -r 'select(.type == "message") | .text' | tr '\n' '|')" \
	"while the history is held|echo: while the history is held|" "the next program writes the spooled exchange in"
is "$(ls "$T/h.db.spool" | grep -c '\.json$')" 0 "... and empties the spool"

# SQLite's own lock, taken by a program that knows nothing of ours, has the same deadline
rm -f "$T/held" "$T/release"
(printf 'BEGIN IMMEDIATE;\n.shell touch %s/held\n.shell sh -c "while [ ! -e %s/release ]; do sleep 0.05; done"\nCOMMIT;\n' "$T" "$T" |
	sqlite3 "$CHAT_DB" > /dev/null) &
holder=$!
while [ ! -e "$T/held" ]; do sleep 0.01; done
CHAT_DB_TIMEOUT=1 run chat-send --conversation spooled 'while sqlite3 holds it'
is "$st:$(cat "$T/out")" "73:echo: while sqlite3 holds it" "a sqlite3 shell holding the database: the reply, then exit 73"
touch "$T/release"
wait "$holder"
is "$(chat-history show spooled --json | jq -r 'select(.type == "message") | .text' | tail -1)" \
	"echo: while sqlite3 holds it" "... and it is written in afterwards"

# a rate-limit file that cannot be used: said once, and the limit still holds in the process
printf '[openai]\nrpm = 1\n' > "$CHAT_CONFIG"
printf '{"type":"prompt","id":"a","text":"one"}\n{"type":"prompt","id":"b","text":"two"}\n' > "$T/in"
: > "$T/log"
CHAT_RATE_DB="$T" IN=1 run chat-send -r --timeout 3
is "$(grep -c 'within this process only' "$T/err")" 1 "an unusable rate-limit file: said once"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "... and rpm = 1 still holds within the process (the second waits)"
is "$(jq -r 'select(.type == "error") | .id + " " + .code' "$T/out")" "b timeout" "... until --timeout, which bounds the wait"

# long pauses: said when over a second; past two minutes not waited without --wait-limit
printf '[openai]\nrpm = 0\n' > "$CHAT_CONFIG"
fake_start --status 429 --error rate_limit --retry-after 2 --then --text 'after the pause'
run chat-send --retries 0 hi
run chat-send hi
is "$st:$(cat "$T/out")" "0:after the pause" "a 2 s pause from another process's 429 is waited out"
has "$T/err" "waiting until [0-9:]* for the shared rate limit (a 429 paused" "... and said on stderr, with its end"
fake_start --status 429 --error rate_limit --retry-after 3600 --then --text 'too late'
run chat-send --retries 0 hi
: > "$T/log"
run chat-send hi
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "75:0" "an hour's pause: exit 75 at once, nothing sent"
has "$T/err" "paused requests until [0-9:]* .*--wait-limit" "... saying when the limit lifts"
run chat-send --wait-limit --timeout 1 hi
is "$st" 75 "--wait-limit waits, within --timeout"
has "$T/err" "would pass --timeout" "... which says so"
# the lock belongs to the database's real path; a planted symlink is never followed
fake_start --echo
export CHAT_RATE_DB="$T/fresh-rate.db" # the hour's pause above stays where it was
printf '[openai]\nrpm = 0\n' > "$CHAT_CONFIG"
mkdir -p "$T/real"
CHAT_DB="$T/real/h.db" chat-send first > /dev/null
ln -s "$T/real/h.db" "$T/link.db"
CHAT_DB="$T/link.db" run chat-send second
is "$st" 0 "a symlinked CHAT_DB works"
check "... and takes the real database's lock, not one of its own" test ! -e "$T/link.db.lock" -a -e "$T/real/h.db.lock"
mkdir -p "$T/planted"
ln -s "$T/planted/target" "$T/planted/h.db.lock"
CHAT_DB="$T/planted/h.db" run chat-send third
is "$st" 73 "a symlink planted where the lock file goes: refused, exit 73 (the reply still printed)"
has "$T/err" "is a symbolic link" "... saying so"
check "... and its target is never created" test ! -e "$T/planted/target"
# a relative XDG_DATA_HOME is invalid (XDG spec): ignored
mkdir -p "$T/cwd"
(cd "$T/cwd" && unset CHAT_DB && XDG_DATA_HOME=rel chat-send 'where am I kept?' > /dev/null)
check "a relative XDG_DATA_HOME is ignored: the history goes under HOME" \
	test ! -e "$T/cwd/rel" -a -e "$HOME/.local/share/chat/history.db"
done_testing
