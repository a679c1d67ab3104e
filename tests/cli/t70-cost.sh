#!/bin/sh
# chat-cost: totals from the history and from records, token counts before
# sending, the budget gate; chat-send --max-cost; context trimming.
. "$(dirname "$0")/../lib.sh"

# A history with known spend: two months, three models, a reply without a
# price and a failed one. CHAT_NOW (2025-11-24) is "now" for the budget.
hist() { # conv id seq model provider in out cost created [status]
	printf '{"type":"message","id":"%s","conversation":"%s","seq":%s,"role":"assistant","text":"r","status":"%s","finish":"stop","provider":"%s","model":"%s","usage":{"input":%s,"output":%s,"cached":0,"reasoning":0},"cost_usd":%s,"created":"%s"}\n' \
		"$2" "$1" "$3" "${10:-complete}" "$5" "$4" "$6" "$7" "$8" "$9"
}
{
	printf '{"type":"conversation","id":"c00000000001","name":"nightly","title":"t","created":"2025-10-01T00:00:00.000Z","updated":"2025-11-24T00:00:00.000Z"}\n'
	printf '{"type":"conversation","id":"c00000000002","name":null,"title":"u","created":"2025-10-01T00:00:00.000Z","updated":"2025-11-24T00:00:00.000Z"}\n'
	hist c00000000001 m01 2 gpt-4o openai 1000 500 0.0075 2025-10-30T10:00:00.000Z
	hist c00000000001 m02 4 gpt-4o openai 2000 100 0.006 2025-11-23T10:00:00.000Z
	hist c00000000001 m03 6 claude-haiku-4-5 anthropic 100 100 0.0006 2025-11-24T09:00:00.000Z
	hist c00000000002 m04 2 gpt-4o-mini openai 10 10 0.0000075 2025-11-24T10:00:00.000Z
	hist c00000000002 m05 4 mystery-model openai 5 5 null 2025-11-24T11:00:00.000Z
	hist c00000000002 m06 6 gpt-4o openai 0 0 null 2025-11-24T12:00:00.000Z error
} > "$T/hist.ndjson"
export CHAT_DB="$T/h.db"
chat-history import -q "$T/hist.ndjson"

run chat-cost --history --json
is "$(jq -c 'select(.group.model) | [.group.model, .requests, .usage.input, .usage.output, .usd, .unpriced]' "$T/out" | tr '\n' ' ')" \
	'["claude-haiku-4-5",1,100,100,0.0006,0] ["gpt-4o",3,3000,600,0.0135,0] ["gpt-4o-mini",1,10,10,7.5e-06,0] ["mystery-model",1,5,5,0,1] ' \
	"--history --json: a cost record per model, sorted"
is "$(jq -c 'select(.group == {}) | [.requests, .usd, .unpriced]' "$T/out")" '[6,0.0141075,1]' \
	"--json: the total last, with an empty group; a failed reply is not 'unpriced'"
run chat-cost --history --by month,provider --json
is "$(jq -c '[.group.month, .group.provider, .usd] | map(tostring) | join(" ")' "$T/out" | tr -d '"' | tr '\n' '|')" \
	"2025-10 openai 0.0075|2025-11 anthropic 0.0006|2025-11 openai 0.0060075|null null 0.0141075|" "--by month,provider"
run chat-cost --history --by day --since 2025-11-24 --json
is "$(jq -r 'select(.group.day) | [.group.day, .requests] | map(tostring) | join(" ")' "$T/out")" "2025-11-24 4" \
	"--since: only replies on or after the day"
run chat-cost --history --by day --until 2025-11-24 --json
is "$(jq -r 'select(.group.day) | .group.day' "$T/out" | tr '\n' ' ')" "2025-10-30 2025-11-23 " "--until: only replies before the day"
run chat-cost --history --by conversation --json
is "$(jq -r 'select(.group.conversation) | .group.conversation' "$T/out" | tr '\n' ' ')" "c00000000002 nightly " \
	"--by conversation: names, else ids"

run chat-cost --history
is "$(head -1 "$T/out" | tr -s ' ')" "model requests input output cached usd" "table: a header"
is "$(grep '^gpt-4o ' "$T/out" | tr -s ' ')" "gpt-4o 3 3000 600 0 0.013500" "table: a row per group"
is "$(grep '^total' "$T/out" | tr -s ' ')" "total 6 3115 715 0 0.014108+?" "table: the total, marked when a price is unknown"
has "$T/out" "1 reply without a known price" "table: the mark is explained"

# from records on stdin: chat-history export, or chat-send --json output
chat-history export > "$T/export.ndjson"
run chat-cost --by conversation --json "$T/export.ndjson"
is "$(jq -r 'select(.group.conversation == "nightly") | .usd' "$T/out")" "0.0141" "export records: names from conversation records"
fake_start --text 'priced' --usage
unset CHAT_DB
chat-send --json --no-log -m gpt-4o-mini hi > "$T/responses.ndjson"
chat-send --json --no-log -m gpt-4o-mini again >> "$T/responses.ndjson"
run chat-cost --json "$T/responses.ndjson"
is "$(jq -c 'select(.group == {}) | [.requests, .usd]' "$T/out")" "[2,$(jq -s 'map(.cost_usd) | add' "$T/responses.ndjson")]" \
	"response records from files: added up"
printf '{"type":"response","model":"m","usage":{"input":1,"output":1},"cost_usd":0.5,"created":"2025-11-24T00:00:00Z"}\nnot json\n' > "$T/in"
IN=1 run chat-cost --json
is "$st" 65 "a bad line: exit 65"
is "$(jq -r 'select(.group == {}) | .usd' "$T/out")" 0.5 "a bad line: the good records still count"
has "$T/err" "line 2" "a bad line: named on stderr"
export CHAT_DB="$T/h.db"

# the budget gate for cron: this month (2025-11) has $0.0066075 of spend
run chat-cost --budget 0.005 --period month
is "$st" 3 "--budget reached: exit 3"
has "$T/err" "budget reached: .0.00660. spent this month of .0.005" "--budget reached: said on stderr"
has "$T/err" "1 reply this month without a known price" "--budget: unpriced replies are mentioned"
run chat-cost --budget 0.007 -q
is "$st|$(cat "$T/err")" "0|" "--budget not reached: exit 0, quiet"
run chat-cost --budget 0.001 --period day
is "$st" 0 "--period day: today's spend only (0.0006075)"
run chat-cost --budget 0.0005 --period day
is "$st" 3 "--period day: reached"
CHAT_DB="$T/none.db" run chat-cost --budget 1
is "$st" 0 "--budget with no history yet: nothing spent"

# counting before sending: exact for OpenAI encodings, offline
printf 'hello world' > "$T/in"
IN=1 run chat-cost --count -m gpt-4o --json
is "$(jq -c '[.tokens, .request_tokens, .encoding, .estimate]' "$T/out")" '[2,9,"o200k_base",false]' \
	"--count: exact o200k_base tokens, and the request's"
is "$(jq -r '.usd == 9 * 2.5 / 1000000' "$T/out")" true "--count: the input cost at the table price"
IN=1 run chat-cost --count --encoding cl100k_base --json
is "$(jq -r '[.tokens, .encoding] | join(" ")' "$T/out")" "2 cl100k_base" "--encoding names the encoding"
IN=1 run chat-cost --count -m claude-haiku-4-5 --json
is "$(jq -r '[.tokens, .estimate] | join(" ")' "$T/out")" "3 true" "--count: other providers get a marked estimate"
IN=1 run chat-cost --count -m claude-haiku-4-5
is "$(cut -c1 "$T/out")" "~" "--count: the estimate is marked in the table too"
IN=1 run chat-cost --count -m gpt-4o
is "$(awk '{print $1}' "$T/out")" 2 "--count: plain output"
printf 'one two three' > "$T/a.txt"
printf 'four' > "$T/b.txt"
run chat-cost --count -m gpt-4o "$T/a.txt" "$T/b.txt"
is "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" "3 1 4 " "--count FILES: a line each and a total"
printf '{"type":"prompt","id":"x","text":"hello world"}\n{"type":"prompt","id":"y","text":"hi","system":"be brief","model":"gpt-4o"}\n{"type":"delta","text":"no"}\n' > "$T/in"
IN=1 run chat-cost --count --json
is "$(jq -c '[.id, .tokens, .request_tokens, .model]' "$T/out" | tr '\n' ' ')" \
	'["x",2,9,"gpt-4o-mini"] ["y",1,14,"gpt-4o"] ' "--count records: per record, with their model and system"
is "$st" 65 "--count records: a record that is not a prompt is bad input"
run chat-cost --count --encoding p50k_base < /dev/null
is "$st" 78 "--count: an unknown encoding is refused"
# tiktoken's model map, exact names and prefixes, whether or not the model
# table lists the model; tiktoken's own counts of this text are 25
# (cl100k_base) and 23 (o200k_base), tests/data/tokenizer-vectors.jsonl
printf "The quick brown fox jumps over the lazy dog. It's 3:45pm; we've got 12 minutes!" > "$T/in"
for m in gpt-4:25:cl100k_base gpt-3.5-turbo-0613:25:cl100k_base openai:gpt-4:25:cl100k_base \
	ft:gpt-4o-mini:org:x:1:23:o200k_base o3-mini:23:o200k_base gpt-4.1-nano:23:o200k_base; do
	enc=${m##*:} rest=${m%:*}
	want=${rest##*:} model=${rest%:*}
	IN=1 run chat-cost --count -m "$model"
	is "$st|$(cut -c1 "$T/out")|$(awk '{print $1}' "$T/out")" "0| |$want" "--count -m $model: exactly $want, not marked '~'"
	IN=1 run chat-cost --count --json -m "$model"
	is "$(jq -c '[.tokens, .encoding, .estimate]' "$T/out")" "[$want,\"$enc\",false]" \
		"--count -m $model --json: $enc, not an estimate"
done
IN=1 run chat-cost --count --json -m text-davinci-003
is "$(jq -c '[.tokens, .estimate]' "$T/out")" "[26,true]" "--count: a p50k_base model (ranks not shipped) is an estimate"

# usage errors
run chat-cost --by colour
is "$st" 64 "--by: an unknown grouping"
run chat-cost --budget lots
is "$st" 64 "--budget: not an amount"
run chat-cost --budget 5 --period year
is "$st" 64 "--period: day or month"
run chat-cost --count --budget 5
is "$st" 64 "--count and --budget together"
run chat-cost --since 2025-13-45
is "$st" 64 "--since: not a date"

# --max-cost: the worst case (every input token, the whole reply allowance)
unset CHAT_DB
fake_start --text 'fine'
run chat-send --json --max-cost 0.000001 -m gpt-4o 'a question'
is "$st" 3 "--max-cost: refused with exit 3"
is "$(jq -r '[.code, .retryable] | join(" ")' "$T/out")" "budget false" "--max-cost: an error record with code budget"
has "$T/err" "could cost up to .0.081943 (9 input tokens, up to 8192 output)" "--max-cost: the line gives the worst case"
is "$(wc -l < "$T/log" 2>/dev/null | tr -d ' ')" 0 "--max-cost: nothing was sent"
run chat-send --json --max-cost 1 -m gpt-4o 'a question'
is "$st" 0 "--max-cost: a request within it goes"
is "$(jq -r '.body.max_completion_tokens // .body.max_tokens' "$T/log")" 8192 \
	"--max-cost: the reply is held to the allowance it was priced with"
run chat-send --max-cost 1 --max-tokens 50 -m gpt-4o 'a question'
is "$(last_request | jq -r '.body.max_completion_tokens // .body.max_tokens')" 50 "--max-cost with --max-tokens: that allowance"
run chat-send --max-cost 1 -m openai:my-own-model hi
is "$st" 3 "--max-cost: a model without a known price is refused"
has "$T/err" "no known price for openai:my-own-model" "... saying so"
printf '{"type":"prompt","id":"a","text":"x"}\n{"type":"prompt","id":"b","text":"y","model":"gpt-4o"}\n' > "$T/in"
IN=1 run chat-send -r --max-cost 0.0002 --max-tokens 100 -m gpt-4o-mini
is "$(jq -r '[.id, .type] | join(":")' "$T/out" | tr '\n' ' ')" "a:response b:error " \
	"--max-cost in a batch: each record judged by its own model's price"

# context trimming: the request always fits the window minus the reply's share
mkdir -p "$HOME/.config/chat"
printf '[model gpt-4o-mini]\ncontext = 700\nmax_out = 200\n' > "$HOME/.config/chat/config"
export CHAT_DB="$T/trim.db"
fake_start --echo
long=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "word%d ", i }')
chat-send --conversation trim "first $long" > /dev/null
chat-send -c "second $long" > /dev/null
chat-send -c "third $long" > /dev/null
run chat-send -v -c 'fourth, short'
is "$st" 0 "trimming: the long conversation still goes"
is "$(last_request | jq -r '.body.messages | map(.content) | .[0] | split(" ")[0]')" "third" \
	"trimming: the oldest turns were left out"
is "$(last_request | jq -r '.body.messages[-1].content')" "fourth, short" "trimming: the new prompt is kept"
has "$T/err" "left out the 4 earliest messages" "trimming: -v says how many"
is "$(chat-history export trim | grep -c '"type":"message"')" 8 "trimming: all eight messages are in the history"
fake_start --error context_length --then --echo
run chat-send -c 'fifth'
is "$st" 0 "context_length from the provider: trimmed further and retried once"
ok $([ "$(request 2 | jq '.body.messages | length')" -lt "$(request 1 | jq '.body.messages | length')" ]; echo $?) \
	"context_length: the retry sends fewer messages"
has "$T/err" "too long: trying again" "context_length: said on stderr"
rm -f "$HOME/.config/chat/config"

done_testing
