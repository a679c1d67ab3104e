#!/bin/sh
# chat-stream against the fake provider: exact bytes, records, every fault.
. "$(dirname "$0")/../lib.sh"

fake_start --text 'Hello, world!' --chunks 4
run chat-stream hi
is "$(cat "$T/out")" 'Hello, world!' "instant reply: the exact text"
is "$st" 0 "instant reply: exit 0"
is "$(wc -c < "$T/out" | tr -d ' ')" 13 "no newline added when stdout is not a terminal"
is "$(wc -c < "$T/err" | tr -d ' ')" 0 "nothing on stderr"

# multi-byte UTF-8 split across network reads at every byte
printf 'h\303\251llo \360\237\230\200 \346\227\245\346\234\254 done' > "$T/text"
fake_start --text-file "$T/text" --chunks 7 --split-writes 1
run chat-stream hi
check "UTF-8 split across reads arrives byte-exact" cmp -s "$T/out" "$T/text"

# a long fast stream: events decoded on two threads still come out in order
seq 1 20000 | tr '\n' ' ' > "$T/long"
fake_start --text-file "$T/long" --chunks 20000
run chat-stream hi
check "20,000 chunks arrive complete and in order" cmp -s "$T/out" "$T/long"
run chat-stream --json hi
is "$(grep -c '"type":"delta"' "$T/out")" 20000 "--json: 20,000 delta records"
is "$(jq -rj 'select(.type=="delta").text' "$T/out" | cmp -s - "$T/long" && echo same)" same "... in order"

fake_start --text 'one two three four five' --chunks 5 --delay-first 50 --delay-chunk 10
run chat-stream --json hi
is "$(grep -c '"type":"delta"' "$T/out")" 5 "--json: one delta record per chunk"
is "$(jq -r 'select(.type=="delta").text' "$T/out" | tr -d '\n')" "one two three four five" "--json: deltas join to the reply"
is "$(tail -1 "$T/out" | jq -r '[.type,.provider,.model,.text,.finish] | join("|")')" \
	"response|openai|gpt-4o-mini|one two three four five|stop" "--json: a final response record"
is "$(tail -1 "$T/out" | jq -c .usage)" '{"input":1,"output":5,"cached":0,"reasoning":0}' "usage from the usage chunk"
is "$(tail -1 "$T/out" | jq -r .created)" "2025-11-24T16:00:00.000Z" "created is RFC 3339 UTC"
check "ttft_ms and ms are numbers" sh -c "tail -1 '$T/out' | jq -e '(.ttft_ms|type)==\"number\" and (.ms|type)==\"number\"' >/dev/null"

# what we sent
fake_start --text ok
run chat-stream -m gpt-4o -s 'Be brief.' --max-tokens 50 --temperature 0.5 'say ok'
req=$(request 1)
is "$(echo "$req" | jq -r .path)" /v1/chat/completions "POST to /v1/chat/completions"
is "$(echo "$req" | jq -r .headers.authorization)" "Bearer sk-test-key-123" "the key goes in the Authorization header"
is "$(echo "$req" | jq -c .body.messages)" '[{"role":"system","content":"Be brief."},{"role":"user","content":"say ok"}]' \
	"system prompt first, then the user turn"
is "$(echo "$req" | jq -c '[.body.model,.body.stream,.body.stream_options,.body.max_completion_tokens,.body.temperature]')" \
	'["gpt-4o",true,{"include_usage":true},50,0.5]' "model, stream, include_usage, max_completion_tokens, temperature"
is "$(echo "$req" | jq -r '.headers.expect // "none"')" none "no Expect: 100-continue round trip"

# HTTP errors: real bodies, mapped to codes and statuses
fake_start --error context_length
run chat-stream --retries 0 hi
is "$st" 65 "400 context_length_exceeded: exit 65"
has "$T/err" "^chat-stream: openai gpt-4o-mini: HTTP 400: This model's maximum context length" "400: one line naming provider, model, status and message"
is "$(wc -l < "$T/err" | tr -d ' ')" 1 "400: exactly one line on stderr"

fake_start --error auth
run chat-stream hi
is "$st" 77 "401: exit 77"
has "$T/err" "HTTP 401: Incorrect API key" "401: the provider's message"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "401 is not retried"

# its own rate-limit state: the 30 s pause it records is shared with every
# later process, and would hold up the next test for 30 s
fake_start --error rate_limit --retry-after 30
CHAT_RATE_DB="$T/rate-429.db" run chat-stream --retries 0 hi
is "$st" 75 "429: exit 75 when retries run out"
has "$T/err" "HTTP 429" "429: reported"

fake_start --error rate_limit --header 'retry-after-ms: 10' --then --text 'after retry'
run chat-stream hi
is "$(cat "$T/out")" "after retry" "429 with retry-after-ms is retried, then succeeds"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "two requests were made"

fake_start --error quota
run chat-stream hi
is "$st" 75 "insufficient_quota: exit 75"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "insufficient_quota is not retried"

fake_start --error server --header 'retry-after-ms: 1'
run chat-stream --retries 1 hi
is "$st" 69 "500: exit 69 after retries"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "500: retried once with --retries 1"

fake_start --error unavailable --header 'retry-after-ms: 1'
run chat-stream --retries 0 --json hi
is "$st" 69 "503: exit 69"
is "$(jq -r '[.type,.code,.status,.retryable]|join(",")' "$T/out")" "error,server,503,true" "503: an error record with --json"

# faults in the stream itself
fake_start --text 'abc def ghi jkl' --chunks 4 --mid-error 2
run chat-stream hi
is "$(cat "$T/out")" "abc def " "error mid-stream: what arrived is on stdout"
is "$st" 69 "error mid-stream: exit 69"
has "$T/err" "error in the reply stream: The server had an error" "error mid-stream: the provider's message"

fake_start --text 'abc def ghi jkl' --chunks 4 --drop-after 2
run chat-stream hi
is "$(cat "$T/out")" "abc def " "dropped connection: what arrived is on stdout"
is "$st" 69 "dropped connection: exit 69"
has "$T/err" "connection dropped mid-reply\|ended before it was complete" "dropped connection: said so"

fake_start --text 'abc def ghi jkl' --chunks 4 --malformed-after 1
run chat-stream hi
is "$(cat "$T/out")" "abc " "malformed chunk: what arrived is on stdout"
is "$st" 69 "malformed chunk: exit 69"
has "$T/err" "malformed chunk" "malformed chunk: a clear error"

fake_start --text 'abc def' --chunks 2 --no-finish
run chat-stream hi
is "$st" 69 "a stream that ends before any stop reason is cut off"
is "$(cat "$T/out")" "abc def" "... and its text is still on stdout"
has "$T/err" "ended before it was complete" "... and it says so"

fake_start --text 'abc def' --chunks 2 --no-done
run chat-stream hi
is "$st:$(cat "$T/out")" "0:abc def" "a stream that carried its stop reason is whole without [DONE]"

fake_start --text 'slow but sure' --chunks 3 --trickle 2000
run chat-stream hi
is "$(cat "$T/out")" "slow but sure" "a slow trickle arrives whole"

fake_start --text 'x' --finish length
run chat-stream --json hi
is "$(tail -1 "$T/out" | jq -r .finish)" length "finish_reason length is reported"
fake_start --text 'x' --finish content_filter
run chat-stream --json hi
is "$(tail -1 "$T/out" | jq -r .finish)" filtered "content_filter is reported as filtered"

# nothing listening (on port 9: the fake's port, once free, may be another
# suite's by now)
fake_stop
export OPENAI_BASE_URL="http://127.0.0.1:9/v1"
run chat-stream --retries 0 hi
is "$st" 69 "connection refused: exit 69"
has "$T/err" "cannot connect" "connection refused: said so"

# a reader that goes away: quiet, death by SIGPIPE
fake_start --text "$(yes 'many words in a long reply' | head -3000 | tr '\n' ' ')" --chunks 3000
out=$(bash -c 'chat-stream hi 2>"$1" | head -c 5; echo " ${PIPESTATUS[0]}"' _ "$T/err")
is "$out" "many  141" "| head -c 5: five bytes, then death by SIGPIPE"
is "$(wc -c < "$T/err" | tr -d ' ')" 0 "| head -c 5: nothing on stderr"

# SIGINT and SIGTERM mid-reply
for sig in INT TERM; do
	fake_start --text 'a b c d e f g h i j k l m n o p' --chunks 16 --delay-chunk 300
	: > "$T/out"
	chat-stream hi > "$T/out" 2> "$T/err" &
	pid=$!
	i=0
	while [ ! -s "$T/out" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
	kill -$sig $pid
	wait $pid
	st=$?
	want=130; [ $sig = TERM ] && want=143
	is "$st" $want "SIG$sig mid-reply: death by the signal ($want)"
	check "SIG$sig mid-reply: what arrived is on stdout" grep -q '^a ' "$T/out"
done

fake_start --text 'a b c d e f g h i j k l m n o p' --chunks 16 --delay-chunk 300
: > "$T/out"
chat-stream --json hi > "$T/out" 2> "$T/err" &
pid=$!
i=0
while [ ! -s "$T/out" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
kill -INT $pid
wait $pid
is "$?" 130 "--json, SIGINT: death by SIGINT"
is "$(tail -1 "$T/out" | jq -r '[.type,.finish,(.text|startswith("a ")|tostring)]|join(",")')" "response,interrupted,true" \
	"--json, SIGINT: a response record with finish interrupted and the partial text"

# --render: Markdown rendered line by line; the history keeps the raw reply
printf '# Title\n\n- one **two**\n\n```sh\necho "*hi*" | grep -e -x\n```\n' > "$T/md"
fake_start --text-file "$T/md" --chunks 9
run chat-stream --render hi
is "$st" 0 "--render into a pipe: exit 0"
hasnt "$T/out" "$(printf '\033')" "--render into a pipe: no escape sequence"
has "$T/out" "^• one two$" "--render into a pipe: a bullet, the emphasis markers gone"
has "$T/out" "^Title$" "--render: the heading without its #s"
has "$T/out" '^echo "\*hi\*" | grep -e -x$' "--render: the code line as it came"
has "$T/out" '^─── sh$' "--render: the code block's language shown"
run chat-stream hi
check "without --render the text is raw" cmp -s "$T/out" "$T/md"
run chat-stream --render --raw hi
check "--raw after --render: raw again" cmp -s "$T/out" "$T/md"
conv=$(chat-history list --json | jq -r .id | head -1)
is "$(chat-history show --json "$conv" | jq -rj 'select(.type=="message" and .role=="assistant").text' | cmp -s - "$T/md" && echo same)" \
	same "--render: the history keeps the raw reply"
# on a terminal (script gives a pty): colour, unless NO_COLOR or TERM=dumb
script -qec "chat-stream --render hi" /dev/null < /dev/null > "$T/tty" 2>&1
has "$T/tty" "$(printf '\033\\[1;4mTitle')" "--render on a terminal: the heading in bold and underlined"
has "$T/tty" "$(printf '^echo "\\*hi\\*" | grep -e -x\r$')" "--render on a terminal: the code line still as it came"
NO_COLOR= script -qec "chat-stream --render hi" /dev/null < /dev/null > "$T/tty" 2>&1
hasnt "$T/tty" "$(printf '\033')" "--render, NO_COLOR (even empty): no escape"
has "$T/tty" "^• one two" "--render, NO_COLOR: bullets all the same"
TERM=dumb script -qec "chat-stream --render hi" /dev/null < /dev/null > "$T/tty" 2>&1
hasnt "$T/tty" "$(printf '\033')" "--render, TERM=dumb: no escape"
# --render: nothing in the reply can drive the terminal; a link is OSC 8 on one
printf 'See [docs](https://e.org/a) \033]0;owned\a now\n```\n\033[2Jcode\n```\n' > "$T/md2"
fake_start --text-file "$T/md2" --chunks 7
run chat-stream --render hi
hasnt "$T/out" "$(printf '\033')" "--render into a pipe: the reply's ESC not written raw"
has "$T/out" '^See docs (https://e.org/a) ^\[\]0;owned^G now$' "--render into a pipe: a link as text (url), ESC and BEL as ^[ and ^G"
has "$T/out" '^^\[\[2Jcode$' "--render: an ESC in code shown as ^["
script -qec "chat-stream --render hi" /dev/null < /dev/null > "$T/tty" 2>&1
has "$T/tty" "$(printf '\033]8;;https://e.org/a\033')" "--render on a terminal: the link an OSC 8 hyperlink"
hasnt "$T/tty" "$(printf '\033]0;')" "--render on a terminal: the reply's own OSC not written"
hasnt "$T/tty" "$(printf '\033\\[2J')" "--render on a terminal: the reply's CSI not written"
run chat-stream --render --json hi
is "$st" 64 "--render --json: a usage error"
run chat-stream --render -x hi
is "$st" 64 "--render -x: a usage error"
run chat-send --render hi
is "$st|$(head -1 "$T/err")" "64|chat-send: --render is for chat-stream" "chat-send refuses --render"

done_testing
