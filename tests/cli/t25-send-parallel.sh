#!/bin/sh
# chat-send -r as a batch engine: --parallel on one process, --ordered,
# --skip-done after a crash, --fallback, per-record models, bad lines,
# interruption. Replies echo their prompt, so a mixed-up answer shows.
. "$(dirname "$0")/../lib.sh"

prompts() { # N: prompt records p1..pN asking "question i"
	i=1
	while [ "$i" -le "$1" ]; do
		printf '{"type":"prompt","id":"p%d","text":"question %d"}\n' "$i" "$i"
		i=$((i + 1))
	done
}

fake_start --echo --delay-first 50 --chunks 4
prompts 60 > "$T/in"
IN=1 run chat-send -r --parallel 12
is "$st" 0 "parallel: exit 0"
is "$(wc -l < "$T/out" | tr -d ' ')" 60 "parallel: one record per prompt"
is "$(jq -r 'select(.type != "response" or .text != ("echo: question " + (.id | ltrimstr("p"))))' "$T/out")" "" \
	"parallel: every answer is the answer to its own prompt"
is "$(jq -r .id "$T/out" | sort | uniq -d)" "" "parallel: no id answered twice"
is "$(wc -l < "$T/log" | tr -d ' ')" 60 "parallel: one request per prompt"
check "parallel: every line is a whole record" jq -e . "$T/out" > /dev/null
is "$(chat-history stats --json | jq -r .messages)" 120 "parallel: prompts and replies all in the history"
is "$(chat-history export | jq -r 'select(.type == "message" and .role == "assistant") | .text' |
	grep -c '^echo: question')" 60 "parallel: the history's replies are the echoes"

IN=1 run chat-send -r --parallel 7 --ordered
is "$(jq -r .id "$T/out" | tr '\n' ' ')" "$(prompts 60 | jq -r .id | tr '\n' ' ')" "--ordered: results in input order"

# bad lines and per-record models in a parallel batch
cat > "$T/in" <<'R'
{"type":"prompt","id":"a","text":"one"}
not json
{"type":"prompt","id":"b","text":"two","model":"claude-haiku-4-5"}
{"type":"prompt","id":"c"}
{"type":"prompt","id":"d","text":"four","model":"gemini-2.5-flash"}
R
IN=1 run chat-send -r --parallel 4 --ordered
is "$st" 1 "mixed batch: exit 1 when some failed"
is "$(jq -r '[.type, (.id // "-"), (.provider // .code)] | join(":")' "$T/out" | tr '\n' ' ')" \
	"response:a:openai error:-:bad_input response:b:anthropic error:c:bad_input response:d:gemini " \
	"mixed batch: each record answered in order, by its own model's provider"
has "$T/err" "line 2: invalid JSON" "mixed batch: the bad line is named on stderr"

# a failing record never stops the others
fake_start --echo --then --status 400 --then --echo --then --echo
prompts 4 > "$T/in"
IN=1 run chat-send -r --parallel 1
is "$st" 1 "one failure: exit 1"
is "$(jq -r '[.id, .type] | join(":")' "$T/out" | tr '\n' ' ')" "p1:response p2:error p3:response p4:response " \
	"one failure: the others are answered"

# --skip-done: a rerun asks only what has no complete answer yet
export CHAT_DB="$T/skip.db"
fake_start --echo --then --status 400 --then --echo --then --status 400 --then --echo
prompts 4 > "$T/in"
IN=1 run chat-send -r
is "$(jq -r .type "$T/out" | tr '\n' ' ')" "response error response error " "skip-done: a first run with failures"
fake_start --echo
IN=1 run chat-send -r --skip-done --parallel 3 -v
is "$st" 0 "skip-done: the rerun succeeds"
is "$(jq -r .id "$T/out" | sort | tr '\n' ' ')" "p2 p4 " "skip-done: only the unanswered ids are sent again"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "skip-done: two requests, nobody pays twice"
has "$T/err" "skipped 2 already answered" "skip-done: -v says how many were skipped"
IN=1 run chat-send -r --skip-done
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "skip-done: a third run has nothing left to do"
unset CHAT_DB

# --fallback: the next model when one stays unavailable
fake_start --status 529 --then --status 503 --then --echo
printf '{"type":"prompt","id":"f","text":"fall"}\n' > "$T/in"
IN=1 run chat-send -r --retries 0 -m claude-haiku-4-5 --fallback gpt-4o --fallback gemini-2.5-flash
is "$(jq -r '[.type, .provider, .model, .text] | join("|")' "$T/out")" "response|gemini|gemini-2.5-flash|echo: fall" \
	"fallback: the record says which model answered"
is "$(jq -r .path "$T/log" | tr '\n' ' ')" \
	"/v1/messages /v1/chat/completions /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse " \
	"fallback: each model tried in turn"
has "$T/err" "falling back to gpt-4o" "fallback: said on stderr"
fake_start --status 400
run chat-send --retries 0 --fallback gpt-4o-mini hi
is "$st" 65 "fallback: not for a bad request"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "fallback: a bad request is not sent elsewhere"

# the rate limit is shared by every process: a 429 one process meets makes
# the next process wait out the retry-after before it sends anything
fake_start --status 429 --error rate_limit --retry-after 1 --then --text 'after the pause'
run chat-send --retries 0 hi
is "$st" 75 "shared limit: the first process is rate limited (exit 75)"
run chat-send -v hi
is "$(cat "$T/out")" "after the pause" "shared limit: the second process gets through"
has "$T/err" "waiting [0-9]* ms for the shared rate limit" "shared limit: ... after waiting for the pause the first one met"

# every kind of bad line is said once on stderr and answered with one error
# record: by the record loop (lines 1-4, 11) or by the engine (the rest)
fake_start --echo
{
	printf 'not json\n[1,2]\n{"x":1}\n'
	printf '{"type":"prompt","id":"u","text":"\377"}\n'
	printf '{"type":"response","id":"r"}\n{"type":"prompt","id":"c"}\n'
	printf '{"type":"prompt","id":"at","text":"x","attachments":5}\n'
	printf '{"type":"prompt","id":"nul","text":"a\\u0000b"}\n'
	printf '{"type":"prompt","id":"m","text":"x","model":"no-such-model"}\n'
	printf '{"type":"prompt","id":"ok","text":"fine"}\n'
	head -c 67108865 /dev/zero | tr '\0' a
	printf '\n{"type":"prompt","id":"ok2","text":"fine"}\n'
} > "$T/in"
IN=1 run chat-send -r --parallel 3 --ordered
is "$st" 1 "bad lines: exit 1"
said_once() { # FILE LINE-NUMBERS...: each "line N: " appears exactly once
	_f=$1; shift
	for _n in "$@"; do printf '%s ' "$_n:$(grep -c "line $_n: " "$_f")"; done
}
is "$(said_once "$T/err" 1 2 3 4 5 6 7 8 11)" "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 11:1 " \
	"bad lines: each is said exactly once on stderr"
jq -r 'select(.type == "error") | .message' "$T/out" > "$T/msgs"
is "$(said_once "$T/msgs" 1 2 3 4 5 6 7 8 9 11)" "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 11:1 " \
	"bad lines: each gets exactly one error record"
is "$(jq -r 'select(.type == "response") | .id' "$T/out" | tr '\n' ' ')" "ok ok2 " "bad lines: the good ones are answered"
printf '{"t":"x","n":"j1"}\n{"n":"j2"}\nnot json\n' > "$T/in"
IN=1 run chat-send -r --prompt-jq .t --id-jq .n --parallel 2
is "$(said_once "$T/err" 1 2 3)" "1:0 2:1 3:1 " "--prompt-jq: a record the program fails on is said once, a bad line too"
jq -r 'select(.type == "error") | .message' "$T/out" > "$T/msgs"
is "$(said_once "$T/msgs" 2 3)" "2:1 3:1 " "--prompt-jq: each gets exactly one error record"
is "$(jq -r 'select(.type == "error") | .id' "$T/out" | head -n 1)" "j2" "--prompt-jq: the failed record keeps its --id-jq id"

# usage
run chat-stream --parallel 2 hi
is "$st" 64 "--parallel is for chat-send -r"
run chat-send -r --parallel 0
is "$st" 64 "--parallel 0 is a usage error"

# interrupted mid-batch: what arrived is saved, the signal is re-raised
export CHAT_DB="$T/int.db"
fake_start --text 'partial words then' --chunks 3 --hang
prompts 3 > "$T/in"
chat-send -r --parallel 3 < "$T/in" > "$T/out" 2> "$T/err" &
pid=$!
i=0
while [ "$(wc -l < "$T/log" 2>/dev/null || echo 0)" -lt 3 ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
sleep 0.2
kill -TERM $pid
wait $pid
is "$?" 143 "interrupted: death by SIGTERM"
is "$(jq -r 'select(.type == "response") | .finish' "$T/out" | sort -u)" "interrupted" \
	"interrupted: each reply in flight gets its record, marked interrupted"
is "$(chat-history export | jq -r 'select(.type == "message" and .role == "assistant") | .status' | sort | uniq -c | tr -s ' ')" \
	" 3 interrupted" "interrupted: the partial replies are in the history"
unset CHAT_DB

done_testing
