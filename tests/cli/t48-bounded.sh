#!/bin/sh
# Hostile input in bounded memory (issue 18): a gzip bomb of a reply stops at
# the reply cap with its own error, the partial kept; a huge prompt record,
# an over-long record line, a record with too many attachments and a large
# stdin for chat-cost --count all go through in memory that follows the
# caps, not the input; a lone UTF-16 surrogate in a stream reads as U+FFFD
# in all three providers' formats, as the official SDKs read it; a long
# reply logged holds the reply and its index, not every copy of it at once.
# Peak memory is measured with /usr/bin/time -f %M when there is one (and not
# under TEST_WRAP, whose tool has its own footprint).
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"

MIB=1048576
# a sanitizer's shadow memory and quarantine are no measure of ours
sanitized=
ldd "$ROOT/bin/chat-send" 2> /dev/null | grep -q 'libasan\|libtsan\|libmsan' && sanitized=1
if [ -z "$WRAP" ] && [ -z "$sanitized" ] && /usr/bin/time -f %M -o /dev/null true 2> /dev/null; then
	TIME=/usr/bin/time
else
	TIME=
fi

# measure CMD...: like run (stdin $T/in when IN=1), with the peak resident
# memory in $peak (KiB; empty when it cannot be measured).
measure() {
	peak=
	_in=/dev/null
	[ "${IN:-0}" = 1 ] && _in=$T/in
	if [ -n "$TIME" ]; then
		"$TIME" -f %M -o "$T/mem" "$@" < "$_in" > "$T/out" 2> "$T/err"
		st=$?
		peak=$(tail -n 1 "$T/mem")
	else
		$WRAP "$@" < "$_in" > "$T/out" 2> "$T/err"
		st=$?
	fi
}
# under MIB name: the peak was below MIB MiB (skipped when not measured)
under() {
	if [ -z "$peak" ]; then
		n=$((n + 1))
		echo "ok $n - $2 # SKIP not measured (no /usr/bin/time, a TEST_WRAP tool, or a sanitizer build)"
	else
		ok "$([ "$peak" -lt $(($1 * 1024)) ] && echo 0 || echo 1)" "$2 (peak $((peak / 1024)) MiB)"
	fi
}
# The assistant turns of the history: "status bytes" per line.
replies() { chat-history export 2> /dev/null | jq -r 'select(.type == "message" and .role == "assistant") | "\(.status) \(.text | utf8bytelength)"'; }
size() { wc -c < "$1" | tr -d ' '; }

# ---- 1. a gzip bomb: 400 MB of valid events in well under 1 MB ----

ev='data: {"id":"chatcmpl-bomb","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"'$(head -c 16000 /dev/zero | tr '\0' x)'"},"finish_reason":null}]}
'
yes "$ev" | head -c 400000000 | gzip -9 > "$T/bomb.sse"
ok "$([ "$(size "$T/bomb.sse")" -lt 1000000 ] && echo 0 || echo 1)" "the bomb is $(size "$T/bomb.sse") bytes of gzip"

fake_start --replay "$T/bomb.sse" --replay-encoding gzip
measure chat-stream -m gpt-4o-mini 'tell me everything'
is "$st" 69 "bomb: chat-stream stops with bad_output's status, not 130"
is "$(cat "$T/err")" "chat-stream: openai gpt-4o-mini: the reply is larger than 64 MiB (CHAT_MAX_REPLY_MB)" \
	"bomb: one line says the reply went past the cap"
printed=$(size "$T/out")
ok "$([ "$printed" -le $((64 * MIB)) ] && [ "$printed" -gt $((60 * MIB)) ] && echo 0 || echo 1)" \
	"bomb: what came up to the cap was printed ($printed bytes), nothing past it"
is "$(replies)" "error $printed" "bomb: the history keeps the partial reply, marked error"
under 400 "bomb: memory follows the 64 MiB cap, not the 400 MB the body expands to"

# a smaller cap, and records: the response with the partial, then the error
export CHAT_MAX_REPLY_MB=8
measure chat-send --json -m gpt-4o-mini 'tell me everything'
is "$st" 69 "bomb, 8 MiB cap: chat-send --json exits 69"
is "$(jq -r 'select(.type == "response") | "\(.finish) \(.text | length <= 8 * 1048576) \(.text | length > 7 * 1048576)"' "$T/out")" \
	"error true true" "bomb, 8 MiB cap: the response record has the partial text, finish error"
is "$(jq -c 'select(.type == "error") | [.code, .message, .retryable]' "$T/out")" \
	'["bad_output","the reply is larger than 8 MiB (CHAT_MAX_REPLY_MB)",false]' "bomb, 8 MiB cap: an error record, bad_output, not retryable"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "bomb: never retried (one request each run)"
under 120 "bomb, 8 MiB cap: memory follows the cap"

# a value that is no size is a configuration error naming it, before anything is sent
export CHAT_MAX_REPLY_MB=lots
fake_start --text 'small reply'
run chat-stream -m gpt-4o-mini hi
is "$st:$(cat "$T/out"):$(wc -l < "$T/log" | tr -d ' ')" "78::0" "CHAT_MAX_REPLY_MB=lots: exit 78, nothing sent"
has "$T/err" "CHAT_MAX_REPLY_MB = 'lots': want a whole number of MiB from 1 to 256" "... and the bad value is named"
unset CHAT_MAX_REPLY_MB

# the config's max_reply_mb, when the environment says nothing
mkdir -p "$XDG_CONFIG_HOME/chat"
unset CHAT_MAX_REPLY_MB
printf 'max_reply_mb = 1\n' > "$XDG_CONFIG_HOME/chat/config"
fake_start --text 'many words ' --repeat 200000
run chat-send --json -m gpt-4o-mini hi
is "$st:$(jq -r 'select(.type == "error") | .code' "$T/out")" "69:bad_output" "max_reply_mb = 1 in the config caps the reply"
has "$T/out" "larger than 1 MiB" "... and the error names the cap"
printf 'max_reply_mb = huge\n' > "$XDG_CONFIG_HOME/chat/config"
run chat-send -m gpt-4o-mini hi
is "$st" 78 "max_reply_mb that is no number: exit 78"
rm "$XDG_CONFIG_HOME/chat/config"


# a reply exactly at the cap passes, one byte more does not
printf 'data: {"choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":"stop"}]}\n\n' \
	"$(head -c 1048000 /dev/zero | tr '\0' y)" > "$T/one.sse"
fake_start --replay "$T/one.sse" --then --replay "$T/one.sse"
body=$(size "$T/one.sse")
pad=$((MIB - body))
printf '%*s' "$pad" '' | tr ' ' '\n' >> "$T/one.sse"   # blank lines up to exactly 1 MiB
export CHAT_MAX_REPLY_MB=1
run chat-stream -m gpt-4o-mini hi
is "$st:$(size "$T/out")" "0:1048000" "a body of exactly CHAT_MAX_REPLY_MB passes"
printf '\n' >> "$T/one.sse"
run chat-stream -m gpt-4o-mini hi
is "$st" 69 "one byte more does not"
unset CHAT_MAX_REPLY_MB

# an ordinary reply sent gzip-encoded reads as it is
printf 'data: {"choices":[{"index":0,"delta":{"content":"zipped hello"},"finish_reason":null}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' \
	| gzip > "$T/small.sse"
fake_start --replay "$T/small.sse" --replay-encoding gzip
run chat-stream -m gpt-4o-mini hi
is "$st:$(cat "$T/out")" "0:zipped hello" "a gzip-encoded reply is decoded"
has "$T/log" '"accept-encoding":"deflate, gzip' "the request says it takes gzip"
# a body that says gzip and is not, or an encoding libcurl lacks: bad output, not retried
printf 'data: {"choices":[{"index":0,"delta":{"content":"plain"},"finish_reason":"stop"}]}\n\n' > "$T/plain.sse"
for enc in gzip compress; do
	fake_start --replay "$T/plain.sse" --replay-encoding $enc
	run chat-send --json -m gpt-4o-mini hi
	is "$st:$(jq -r 'select(.type == "error") | "\(.code) \(.retryable)"' "$T/out"):$(wc -l < "$T/log" | tr -d ' ')" "69:bad_output false:1" \
		"Content-Encoding: $enc on a body that is not: bad_output, asked once"
	has "$T/err" "cannot decode the reply: " "... and said so"
done

# ---- 2. lone surrogates, in each provider's format ----

want=$(printf 'a\357\277\275b \357\277\275 ok \360\237\230\200!\357\277\275')
cat > "$T/openai.sse" << 'EOF'
data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"a\ud800b"},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" \udc00 ok \ud83d\ude00"},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"!\uDBFF"},"finish_reason":"stop"}]}

data: [DONE]

EOF
cat > "$T/anthropic.sse" << 'EOF'
event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\ud800b"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" \udc00 ok \ud83d\ude00"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!\uDBFF"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

event: message_stop
data: {"type":"message_stop"}

EOF
cat > "$T/gemini.sse" << 'EOF'
data: {"candidates": [{"content": {"parts": [{"text": "a\ud800b"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash"}

data: {"candidates": [{"content": {"parts": [{"text": " \udc00 ok \ud83d\ude00"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash"}

data: {"candidates": [{"content": {"parts": [{"text": "!\uDBFF"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 3,"candidatesTokenCount": 6,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash"}

EOF
for p in openai:gpt-4o-mini anthropic:claude-haiku-4-5 gemini:gemini-2.5-flash; do
	prov=${p%%:*} model=${p#*:}
	fake_start --replay "$T/$prov.sse" --then --replay "$T/$prov.sse"
	rm -f "$CHAT_DB" "$CHAT_DB-wal" "$CHAT_DB-shm"
	run chat-stream -m "$model" hi
	is "$st:$(cat "$T/out")" "0:$want" "$prov: lone surrogates in the stream come out as U+FFFD"
	is "$(replies)" "complete $(printf %s "$want" | wc -c | tr -d ' ')" "$prov: ... and the history has the whole reply"
	run chat-send --json -m "$model" hi
	is "$st:$(jq -r 'select(.type == "response") | "\(.finish) \(.text)"' "$T/out")" "0:stop $want" "$prov: chat-send --json reads them the same"
done
# the last event, without its blank line, holds the lone half: still whole
head -n 6 "$T/openai.sse" > "$T/cut.sse"
printf '%s' 'data: {"choices":[{"index":0,"delta":{"content":"!\uDBFF"},"finish_reason":"stop"}]}' >> "$T/cut.sse"
fake_start --replay "$T/cut.sse"
run chat-stream -m gpt-4o-mini hi
is "$st:$(cat "$T/out")" "0:$want" "a last event cut off after its lone surrogate is still taken whole"

# ---- 3. records: huge, over-long, and with too many attachments ----

{
	printf '{"type":"prompt","id":"huge","text":"'
	yes 'lorem ipsum dolor sit amet' | head -c 60000000 | tr '\n' ' '
	printf '"}\n{"type":"prompt","id":"small","text":"hello"}\n'
} > "$T/in"
fake_start --echo
IN=1 measure chat-send -r --json -m openai:custom-model
is "$st" 0 "a 60 MB prompt record is sent"
is "$(jq -r 'select(.type == "response") | .id' "$T/out" | tr '\n' ' ')" "huge small " "... and the next record after it"
under 400 "a 60 MB prompt record: memory under 400 MiB (under 7 copies of it)"

{
	printf '{"type":"prompt","id":"over","text":"'
	head -c $((64 * MIB)) /dev/zero | tr '\0' 'v'
	printf '"}\n{"type":"prompt","id":"after","text":"hello"}\n'
} > "$T/in"
fake_start --echo
IN=1 measure chat-send -r --json -m gpt-4o-mini
is "$st" 1 "a record line over 64 MiB: exit 1, as a batch with a failed record"
is "$(head -n 1 "$T/err")" "chat-send: line 1: longer than 64 MiB" "... said as prog: line N: longer than 64 MiB"
is "$(jq -c 'select(.type == "error") | [.code, .message]' "$T/out")" '["bad_input","line 1: longer than 64 MiB"]' \
	"... with an error record for it"
is "$(jq -r 'select(.type == "response") | "\(.id) \(.text)"' "$T/out")" "after echo: hello" "... and the record after it is answered"
under 200 "an over-long line is skipped in memory that follows the 64 MiB cap"

atts() { # N: a prompt record with N (tiny) attachments
	awk -v n="$1" 'BEGIN { printf "{\"type\":\"prompt\",\"id\":\"%d\",\"text\":\"what is this?\",\"attachments\":[", n
		for (i = 0; i < n; i++) printf "%s{\"type\":\"attachment\",\"mime\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}", i ? "," : ""
		print "]}" }'
}
{ atts 100; atts 101; atts 100000; } > "$T/in"
fake_start --echo
IN=1 measure chat-send -r --json -m gpt-4o-mini
is "$st" 1 "too many attachments: exit 1"
is "$(jq -r 'select(.type == "response") | .id' "$T/out")" 100 "a record with 100 attachments is sent"
is "$(jq -r 'select(.type == "error") | "\(.code) \(.message)"' "$T/out")" \
"bad_input line 2: more than 100 attachments for one prompt
bad_input line 3: more than 100 attachments for one prompt" "records with 101 and 100,000 attachments are refused, each with its error record"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "... and never sent"
under 100 "100,000 attachments in a record: memory stays small"

# ---- 4. chat-cost --count on a large stdin ----

# many lines of prose: counted in pieces as it streams, the same count as
# the same text held whole (as a prompt record's text is)
awk 'BEGIN { srand(67); for (i = 0; i < 60000; i++) { n = 3 + int(rand() * 12); s = "";
	for (k = 0; k < n; k++) s = s (k ? " " : "") substr("lorem ipsum dolor sit amet consectetur adipiscing elit sed do", 1 + int(rand() * 50), 1 + int(rand() * 9));
	print s "." } }' > "$T/prose.txt"
jq -cRs '{type: "prompt", text: .}' "$T/prose.txt" > "$T/prose.ndjson"
whole=$(chat-cost --count --json -m gpt-4o < "$T/prose.ndjson" 2> /dev/null | jq .tokens)
streamed=$(cat "$T/prose.txt" | chat-cost --count --json -m gpt-4o 2> /dev/null | jq .tokens)
ok "$([ -n "$whole" ] && [ "$whole" -gt 100000 ] && echo 0 || echo 1)" "a long text has a count ($whole tokens)"
is "$streamed" "$whole" "chat-cost --count on stdin text counts what the same text counts whole"
is "$(chat-cost --count --json -m gpt-4o "$T/prose.txt" 2> /dev/null | jq .tokens)" "$whole" "... and as a file"
is "$(cat "$T/prose.txt" | chat-cost --count --json --encoding cl100k_base 2> /dev/null | jq .tokens)" \
	"$(chat-cost --count --json --encoding cl100k_base < "$T/prose.ndjson" 2> /dev/null | jq .tokens)" "... in cl100k_base too"

# 200 MB through a pipe: the memory of a few chunks
i=0
while [ $i -lt 20 ]; do cat "$T/prose.txt"; i=$((i + 1)); done > "$T/twenty.txt"
one=$(chat-cost --count --json -m gpt-4o "$T/twenty.txt" 2> /dev/null | jq .tokens)
yes "$(head -c 9999 "$T/twenty.txt" | tr '\n' ' ')" | head -c 200000000 > "$T/in"
IN=1 measure chat-cost --count --json -m gpt-4o
is "$st" 0 "chat-cost --count reads 200 MB of stdin"
under 60 "... in memory that does not grow with it"
is "$(cat "$T/twenty.txt" | chat-cost --count --json -m gpt-4o 2> /dev/null | jq .tokens)" "$one" "a text read from a pipe counts as the file does"
rm -f "$T/in" "$T/twenty.txt"

# ---- 5. a long reply with the history on ----

# The history keeps the reply whole, and SQLite copies it into the row it
# writes, while FTS5 builds the reply's index in memory (here 20,000
# distinct words, each a term of its own): written apart, the two copies
# and the index are never all held at once. Measured over the same reply
# with --no-log: under two and a half times the reply (with the index made
# inside the row's write it is three, and it was four).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "Words of a long answer, in paragraph p%d of many.\n", i % 20000 }' > "$T/long.txt"
fake_start --text-file "$T/long.txt" --chunks 2000
measure chat-stream --no-log hi
nolog=$peak
measure chat-stream --conversation long hi
is "$st" 0 "a $(size "$T/long.txt")-byte reply with the history on: exit 0"
is "$(chat-history export long | jq -j 'select(.role == "assistant") | .text' | cmp - "$T/long.txt" && echo same)" same \
	"... kept whole"
if [ -n "$peak" ] && [ -n "$nolog" ]; then
	over=$(((peak - nolog) * 1024))
	ok "$([ $((over * 2)) -lt $(($(size "$T/long.txt") * 5)) ] && echo 0 || echo 1)" \
		"... in memory under 2.5 times the reply over --no-log ($(awk -v o="$over" -v n="$(size "$T/long.txt")" 'BEGIN { printf "%.2f", o / n }') times)"
else
	n=$((n + 1))
	echo "ok $n - ... in memory under 2.5 times the reply over --no-log # SKIP not measured (no /usr/bin/time, a TEST_WRAP tool, or a sanitizer build)"
fi

done_testing
