#!/bin/sh
# --cache: an identical request is answered from the history with no
# network call, marked cached; --cache-ttl bounds the age; offline works.
. "$(dirname "$0")/../lib.sh"

fake_start --text 'fresh answer' --usage
run chat-send --cache --json 'what is 2+2'
is "$(jq -r '[.text, (.cached // false), (.cost_usd > 0)] | map(tostring) | join(" ")' "$T/out")" "fresh answer false true" \
	"cache: a first request goes to the provider"
run chat-send --cache --json 'what is 2+2'
is "$(jq -r '[.text, .cached, .cost_usd] | map(tostring) | join(" ")' "$T/out")" "fresh answer true 0" \
	"cache: the same request is answered from the history, marked cached, costing nothing"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "cache: no second request was sent"
run chat-send 'what is 2+2'
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "without --cache the request is sent"

fake_stop
export OPENAI_BASE_URL=http://127.0.0.1:9/v1
run chat-send --cache 'what is 2+2'
is "$st|$(cat "$T/out")" "0|fresh answer" "cache: works offline"
run chat-stream --cache 'what is 2+2'
is "$(cat "$T/out")" "fresh answer" "cache: chat-stream writes the cached answer"
run chat-send --cache --retries 0 'what is 3+3'
is "$st" 69 "cache: a different prompt is not in the cache"
run chat-send --cache --retries 0 -m gpt-4o 'what is 2+2'
is "$st" 69 "cache: a different model is a different request"
run chat-send --cache --retries 0 --temperature 0.5 'what is 2+2'
is "$st" 69 "cache: different parameters are a different request"
run chat-send --cache --retries 0 -s 'be terse' 'what is 2+2'
is "$st" 69 "cache: a different system prompt is a different request"
CHAT_NOW=$((CHAT_NOW + 7200)) run chat-send --cache-ttl 1h --retries 0 'what is 2+2'
is "$st" 69 "--cache-ttl: an answer older than the limit is not used"
CHAT_NOW=$((CHAT_NOW + 1800)) run chat-send --cache-ttl 1h 'what is 2+2'
is "$st|$(cat "$T/out")" "0|fresh answer" "--cache-ttl: a younger answer is"
is "$(chat-history export | jq -r 'select(.type == "message" and .role == "assistant") | .text' | grep -c 'fresh answer')" 6 \
	"cache: each cached answer is in the history too"
run chat-send --cache-ttl soon hi
is "$st" 64 "--cache-ttl: a bad duration is a usage error"

# a cached answer with --schema still gives its data, checked again
fake_start --text '{"n":4}'
S='{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}'
run chat-send --cache --schema "$S" --data 'two and two'
run chat-send --cache --schema "$S" --data 'two and two'
is "$(cat "$T/out")|$(wc -l < "$T/log" | tr -d ' ')" '{"n":4}|1' "cache with --schema: the data comes from the cached answer"

fake_start --text 'unlogged'
run chat-send --no-log --cache 'not kept'
run chat-send --no-log --cache 'not kept'
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "cache: with --no-log nothing is kept to answer from"
done_testing
