#!/bin/sh
# How a reply stream is read, the same for every provider, against the
# simulator: what real services do that a first reading of the docs misses
# (each also seen in the recorded replies that t12-recorded replays).
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"

for m in openai:gpt-4o-mini anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	p=${m%%:*}
	# the stop reason came, the end marker did not, and the last event has no blank line
	fake_start --text 'all of it' --chunks 3 --no-done --no-final-blank
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:all of it|stop" \
		"$p: a reply that carried its stop reason is complete without its end marker"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | .status' | tail -1)" complete \
		"$p: ... and the history saves it as complete"

	fake_start --text 'cut short' --chunks 3 --no-finish
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	is "$st:$(jq -r 'select(.type == "response") | .finish' "$T/out")" "69:error" \
		"$p: a stream that ends before any stop reason is cut off"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | [.status, .text] | join("|")' | tail -1)" \
		"interrupted|cut short" "$p: ... and the history keeps what arrived, as interrupted"

	# an error in the stream before any text is retried like the same status
	fake_start --mid-error 0 --then --text 'second try'
	run chat-send -m "$m" hi
	is "$st:$(cat "$T/out"):$(wc -l < "$T/log" | tr -d ' ')" "0:second try:2" \
		"$p: an error event before any text (overloaded) is retried"

	# a retried request's reply is named by its own attempt (the model is
	# read only until the reply has one, and a new attempt starts without)
	fake_start --model first-m --mid-error 0 --then --model second-m --text 'second try'
	run chat-send --json -m "$m" hi
	is "$st:$(jq -r 'select(.type == "response") | [.text, .model] | join("|")' "$T/out")" "0:second try|second-m" \
		"$p: a retried reply's model is the one its own attempt named"

	# a tool call we did not ask for: not text, carried by the response record
	fake_start --text 'Let me look.' --tool-call 'get_weather={"city":"Paris","days":[1,2]}'
	run chat-stream -m "$m" hi
	is "$st:$(cat "$T/out")" "0:Let me look." "$p: a tool call is never written as reply text"
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	cp "$T/out" "$T/tools.$p"
	is "$(jq -c '[.text, .finish, [.tool_calls[] | {name, arguments}]]' "$T/out")" \
		'["Let me look.","stop",[{"name":"get_weather","arguments":{"city":"Paris","days":[1,2]}}]]' \
		"$p: the response record carries the tool call, arguments as JSON"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | .text' | tail -1)" "Let me look." \
		"$p: the history keeps the text as the text"
	chat-history export > "$T/exp.$p"
	is "$(jq -c 'select(.role == "assistant") | [.tool_calls[] | {name, arguments}]' "$T/exp.$p")" \
		'[{"name":"get_weather","arguments":{"city":"Paris","days":[1,2]}}]' "$p: ... and the tool calls beside it"
	CHAT_DB="$T/copy-$p.db" chat-history import < "$T/exp.$p" 2> /dev/null
	is "$(CHAT_DB="$T/copy-$p.db" chat-history export | jq -c 'select(.role == "assistant") | [.tool_calls, .asked_model]')" \
		"$(jq -c 'select(.role == "assistant") | [.tool_calls, .asked_model]' "$T/exp.$p")" \
		"$p: export and import keep them, and the model as asked"
done

# Gemini: a finishReason on every chunk (older models, Vertex AI) ends nothing
fake_start --text 'one two three four' --chunks 4 --finish-every
run chat-stream -m gemini:gemini-2.0-flash hi
is "$st:$(cat "$T/out")" "0:one two three four" "gemini: a finishReason on every chunk does not end the reply"
fake_start --text 'one two three' --mid-error 2
run chat-send --json -m gemini:gemini-2.5-flash hi
is "$st:$(jq -r 'select(.type == "response") | [.text, .finish] | join("|")' "$T/out")" "69:one two|error" \
	"gemini: an error after some text is an error after that text"

# OpenAI: other choices never mix into the reply
fake_start --text 'the first choice' --chunks 3 --other-choice 'XXX'
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:the first choice|stop" \
	"openai: the reply is choice 0; choice 1's text and finish stay out"

# OpenAI: a refusal is the reply's text, finished as filtered
fake_start --text "I can't help with that." --chunks 2 --refusal
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:I can't help with that.|filtered" \
	"openai: a refusal ends as filtered, with its text"

# Anthropic with --schema: the forced tool's input is still the answer
printf '{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}' > "$T/schema.json"
fake_start --text '{"a": 7}'
run chat-send --json --schema "$T/schema.json" -m anthropic:claude-sonnet-4-5 hi
is "$st:$(jq -c '[.data, (.tool_calls // "none")]' "$T/out")" '0:[{"a":7},"none"]' \
	"anthropic --schema: the forced tool's input is the answer, not a tool call"

# Shapes the docs and SDKs describe, written out by hand and replayed as they are
sse() { printf '%s\n\n' "$@" > "$T/r.sse"; }
ev() { printf 'event: %s\ndata: %s' "$1" "$2"; }

# Anthropic: a server tool (web search) streams its input too; it is no call of ours
sse "$(ev message_start '{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":43,"output_tokens":1}}}')" \
	"$(ev content_block_start '{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}')" \
	"$(ev content_block_delta '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"x\"}"}}')" \
	"$(ev content_block_start '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}')" \
	"$(ev content_block_delta '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Found it."}}')" \
	"$(ev message_delta '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":61,"output_tokens":9}}')" \
	"$(ev message_stop '{"type":"message_stop"}')"
fake_start --replay "$T/r.sse"
run chat-send --json -m anthropic:claude-sonnet-4-5 hi
is "$st:$(jq -c '[.text, .finish, .usage.input, (.tool_calls // "none")]' "$T/out")" '0:["Found it.","stop",61,"none"]' \
	"anthropic: a server tool's input is neither text nor a tool call; message_delta's input count wins"

# Anthropic: a refusal with no content at all
sse "$(ev message_start '{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}')" \
	"$(ev message_delta '{"type":"message_delta","delta":{"stop_reason":"refusal"},"usage":{"output_tokens":1}}')" \
	"$(ev message_stop '{"type":"message_stop"}')"
fake_start --replay "$T/r.sse"
run chat-send --json -m anthropic:claude-sonnet-4-5 hi
is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:|filtered" "anthropic: a refusal finishes as filtered"

# Groq: an error event with the status it stands for, and no [DONE]
sse 'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Par"}}]}' \
	"$(ev error '{"error":{"message":"tool call validation failed","type":"invalid_request_error","code":"tool_use_failed","status_code":400}}')"
fake_start --replay "$T/r.sse"
run chat-send --json -m openai:llama-3.3-70b hi
is "$st:$(jq -r 'select(.type == "error") | .code' "$T/out"):$(jq -r 'select(.type == "response") | .text' "$T/out")" \
	"65:bad_request:Par" "openai-compatible: an error event names its status; the text before it is kept"

# OpenAI and Gemini name the model in every chunk: the first one named is the reply's
sse 'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}]}' \
	'data: {"object":"chat.completion.chunk","model":"m-first","choices":[{"index":0,"delta":{"content":"b"}}]}' \
	'data: {"object":"chat.completion.chunk","model":"m-later","choices":[{"index":0,"delta":{"content":"c"},"finish_reason":"stop"}]}' \
	'data: [DONE]'
fake_start --replay "$T/r.sse"
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -r '[.text, .model] | join("|")' "$T/out")" "0:abc|m-first" "openai: the first model a chunk names is the reply's"
g() { printf 'data: {"candidates":[{"content":{"parts":[{"text":"%s"}],"role":"model"}%s}]%s}' "$1" "$2" "$3"; }
sse "$(g a '' '')" "$(g b '' ',"modelVersion":"g-first"')" "$(g c ',"finishReason":"STOP"' ',"modelVersion":"g-later"')"
fake_start --replay "$T/r.sse"
run chat-send --json -m gemini:gemini-2.5-flash hi
is "$st:$(jq -r '[.text, .model] | join("|")' "$T/out")" "0:abc|g-first" "gemini: the first modelVersion named is the reply's"

# OpenAI: n=3 choices interleaved, each with its own finish, one usage chunk at the end
c() { printf 'data: {"object":"chat.completion.chunk","choices":[{"index":%s,"delta":{"content":"%s"},"finish_reason":%s}]}' "$1" "$2" "$3"; }
sse "$(c 1 'B1' null)" "$(c 0 'A1' null)" "$(c 2 'C1' null)" "$(c 0 ' A2' null)" "$(c 1 '' '"stop"')" "$(c 2 ' C2' null)" \
	"$(c 0 '' '"length"')" "$(c 2 '' '"stop"')" \
	'data: {"object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}' \
	'data: {"object":"chat.completion.chunk","choices":[],"usage":null}' 'data: [DONE]'
fake_start --replay "$T/r.sse"
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -c '[.text, .finish, .usage.output]' "$T/out")" '0:["A1 A2","length",12]' \
	"openai: with n=3 the reply is choice 0 alone, its own finish, and a later usage:null changes nothing"
done_testing
