#!/bin/sh
# The records engine (chat-send -r) inside the machine's shared rate limits,
# and a batch that stops sending when every record would get the same
# answer. The simulator's request log (with each request's arrival time)
# is the witness of what was sent, how often and when.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_CONFIG="$T/config"
printf '[openai]\nrpm = 60\n' > "$CHAT_CONFIG"

records() { # N [prefix]: N prompt records
	i=1; while [ "$i" -le "$1" ]; do printf '{"type":"prompt","id":"%s%d","text":"hi %d"}\n' "${2:-r}" "$i" "$i"; i=$((i + 1)); done
}
# how long after the first request the Nth arrived, in ms
gap() { jq -s --argjson n "$1" '[.[].ms] | sort | .[$n - 1] - .[0]' "$T/log"; }

# a full bucket holds a minute's requests (60); the 61st and 62nd wait for it to refill
fake_start --text ok
records 62 > "$T/in"
IN=1 run chat-send -r --parallel 8 -v
is "$st:$(jq -r 'select(.type == "response") | .id' "$T/out" | wc -l | tr -d ' ')" "0:62" "rpm 60: all 62 records answered"
is "$(wc -l < "$T/log" | tr -d ' ')" 62 "rpm 60: ... with one request each"
check "rpm 60: the 61st request waited for the bucket (the log shows it)" test "$(gap 61)" -ge 500
has "$T/err" "waiting [0-9]* ms for the shared rate limit" "rpm 60: -v says a record waits for the limit"

# on a terminal the progress line says when records wait for the limit
if command -v script > /dev/null 2>&1; then
	fake_start --text ok
	rm -f "$T/ratelimit.db"
	records 62 > "$T/in"
	script -qec "chat-send -r --parallel 4 < '$T/in' > '$T/tty-out'" /dev/null > "$T/tty" 2>&1
	check "a terminal's progress line says how many wait for the rate limit" \
		sh -c "tr '\r' '\n' < '$T/tty' | grep -q 'waiting for the rate limit'"
else
	n=$((n + 1)); echo "ok $n # SKIP no script(1) to make a terminal"
fi

# two batches and single calls at once share one budget
fake_start --text ok
rm -f "$T/ratelimit.db"
records 30 a > "$T/a"; records 30 b > "$T/b"
chat-send -r --parallel 4 < "$T/a" > "$T/oa" 2>/dev/null &
pa=$!
chat-send -r --parallel 4 < "$T/b" > "$T/ob" 2>/dev/null &
pb=$!
for i in 1 2 3; do chat-send "single $i" > /dev/null 2>&1; done
wait $pa; sa=$?
wait $pb; sb=$?
is "$sa:$sb:$(cat "$T/oa" "$T/ob" | jq -r .type | sort | uniq -c | tr -s ' ')" "0:0: 60 response" \
	"two batches at once: every record answered"
is "$(wc -l < "$T/log" | tr -d ' ')" 63 "two batches and three single calls: 63 requests"
check "... and the 61st of them waited: one budget for all" test "$(gap 61)" -ge 500

# a 429 met by another process pauses the batch too
fake_start --status 429 --error rate_limit --retry-after 1 --then --text ok
rm -f "$T/ratelimit.db"
run chat-send --retries 0 hi
is "$st" 75 "a 429 in one process (exit 75)"
records 3 > "$T/in"
IN=1 run chat-send -r --parallel 3
is "$st:$(jq -r .type "$T/out" | sort -u)" "0:response" "after the pause the batch is answered"
check "the batch's first request came after the pause the 429 set" test "$(gap 2)" -ge 800

# the circuit breaker: an answer every record would get stops the sending
fake_start --status 401
records 20 > "$T/in"
IN=1 run chat-send -r --parallel 2
is "$st" 77 "a refused key: exit 77, not 1"
is "$(jq -r 'select(.type == "error") | .code' "$T/out" | sort | uniq -c | tr -s ' ')" " 20 auth" \
	"a refused key: every record has its auth error"
is "$(jq -r .id "$T/out" | sort | tr '\n' ' ')" "$(records 20 | jq -r .id | sort | tr '\n' ' ')" \
	"a refused key: each error carries its record's id"
check "a refused key: only the requests already in flight were sent" test "$(wc -l < "$T/log")" -le 2
has "$T/err" "stopped sending" "a refused key: said once on stderr"

fake_start --error quota
IN=1 run chat-send -r
is "$st:$(wc -l < "$T/log" | tr -d ' '):$(jq -r .code "$T/out" | sort -u)" "75:1:quota" "no quota left: one request, exit 75"

fake_start --error not_found
IN=1 run chat-send -r -m gpt-5-nonexistent
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "65:1" "an unknown model: one request, then the rest are answered without one"

fake_stop
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1"
records 50 > "$T/in"
IN=1 run chat-send -r --retries 1
is "$st:$(jq -r .code "$T/out" | sort | uniq -c | tr -s ' ')" "69: 50 network" \
	"an unreachable host: after its retries, the rest are not tried (exit 69)"

# transient failures keep their per-record retries and stop nothing
fake_start --status 500 --then --text ok
records 3 > "$T/in"
IN=1 run chat-send -r
is "$st:$(jq -r .type "$T/out" | sort | uniq -c | tr -s ' ')" "0: 3 response" "a 500 is retried and stops nothing"
done_testing
